-- Columns are qualified (tp.items) where an aggregate's alias repeats the
-- column's name, which current ClickHouse's analyzer could otherwise read
-- as a reference to the alias itself.
--
-- Views for Grafana (deploy/grafana). They read the insights rollup, so
-- they show each period as of its last computation: `feedbackloop serve`
-- refreshes it every serve.refresh_interval. Only the rows of a period's
-- newest computation are used (the marker row, theme = '', names it), so a
-- theme a later computation no longer found does not linger.
CREATE VIEW IF NOT EXISTS {db}.grafana_theme_periods AS
SELECT
    grain,
    period,
    theme,
    items,
    accounts,
    arr,
    if(items > 0, sentiment_sum / items, 0) AS sentiment,
    if(total_items > 0, items / total_items, 0) AS share
FROM
(
    SELECT grain, period, theme,
        argMax(tp.items, tp.computed_at) AS items,
        argMax(tp.accounts, tp.computed_at) AS accounts,
        argMax(tp.arr, tp.computed_at) AS arr,
        argMax(tp.sentiment_sum, tp.computed_at) AS sentiment_sum,
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

-- All feedback per period (the totals the shares divide by).
CREATE VIEW IF NOT EXISTS {db}.grafana_periods AS
SELECT grain, period,
    argMax(tp.items, tp.computed_at) AS items,
    argMax(tp.accounts, tp.computed_at) AS accounts,
    argMax(tp.arr, tp.computed_at) AS arr
FROM {db}.theme_periods AS tp
WHERE theme = ''
GROUP BY grain, period;

-- The newest version of every roadmap bet. shipped_at is wrapped in a
-- tuple because argMax skips NULLs, which would bring back an old ship date.
CREATE VIEW IF NOT EXISTS {db}.grafana_bets AS
SELECT id,
    argMax(tp.title, tp.version) AS title,
    argMax(tp.status, tp.version) AS status,
    argMax(tp.owner, tp.version) AS owner,
    argMax(tp.themes, tp.version) AS themes,
    tupleElement(argMax(tuple(tp.shipped_at), tp.version), 1) AS shipped_at,
    argMax(tp.notes, tp.version) AS notes
FROM {db}.bets AS tp
GROUP BY id;
