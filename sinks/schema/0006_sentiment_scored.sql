-- scored: the records of a theme and period whose sentiment the lexicon
-- scored, those in English or in no stated language. Records in another
-- language score 0 (see enrich.ScoresLanguage) and would pull a theme's
-- mean sentiment towards neutral, so the mean is sentiment_sum / scored.
-- Rows computed before this migration summed every record and divided by
-- items, and still read that way: scored defaults to items. Two workers
-- migrating at once may both add the column; the second gets "column
-- already exists", which Migrate accepts.
ALTER TABLE {db}.theme_periods ADD COLUMN scored UInt64 DEFAULT items;

-- grafana_theme_periods again (see 0003), its sentiment over the scored
-- records. ClickHouse 18.16 cannot alter a view's query, so the view is
-- dropped and created again (with DROP TABLE, as in 0005).
DROP TABLE IF EXISTS {db}.grafana_theme_periods;

CREATE VIEW IF NOT EXISTS {db}.grafana_theme_periods AS
SELECT
    grain,
    period,
    theme,
    items,
    accounts,
    arr,
    if(scored > 0, sentiment_sum / scored, 0) AS sentiment,
    if(total_items > 0, items / total_items, 0) AS share
FROM
(
    SELECT grain, period, theme,
        argMax(tp.items, tp.computed_at) AS items,
        argMax(tp.accounts, tp.computed_at) AS accounts,
        argMax(tp.arr, tp.computed_at) AS arr,
        argMax(tp.sentiment_sum, tp.computed_at) AS sentiment_sum,
        argMax(tp.scored, tp.computed_at) AS scored,
        max(tp.computed_at) AS computed
    FROM {db}.theme_periods AS tp
    WHERE theme != ''
    GROUP BY grain, period, theme
)
ANY INNER JOIN
(
    SELECT grain, period,
        argMax(tp.items, tp.computed_at) AS total_items,
        max(tp.computed_at) AS computed
    FROM {db}.theme_periods AS tp
    WHERE theme = ''
    GROUP BY grain, period
) USING (grain, period, computed);
