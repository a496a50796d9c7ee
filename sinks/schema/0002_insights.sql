-- Insights: the tables behind trends, emerging themes, bets and outcomes.
--
-- feedback_days records, for every created_at day, when an insert last
-- touched it. A materialized view fires on every inserted block, so it
-- sees redeliveries too; that is harmless here because it only marks days
-- as changed (max of a timestamp), it never counts.
CREATE TABLE IF NOT EXISTS {db}.feedback_days
(
    day        Date,
    touched_at DateTime
)
ENGINE = ReplacingMergeTree(touched_at)
ORDER BY day;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.feedback_days_mv TO {db}.feedback_days
AS SELECT toDate(created_at, 'UTC') AS day, now() AS touched_at
FROM {db}.feedback
GROUP BY day;

-- Days that held feedback before the view existed count as touched now.
INSERT INTO {db}.feedback_days (day, touched_at)
SELECT toDate(created_at, 'UTC') AS day, now() AS touched_at
FROM {db}.feedback
GROUP BY day;

-- theme_periods is the rollup the insight queries read for settled
-- periods: per grain, period and theme the distinct items, distinct
-- accounts, their ARR and the sum of theme sentiment, computed from the
-- deduplicated feedback (never summed from inserted blocks, so duplicates
-- cannot inflate it). Each computation of a period is inserted as one
-- block together with a marker row (theme = '') holding the period's
-- totals, and all its rows carry the same computed_at; a reader uses only
-- the rows of the newest marker. See insights/rollup.go.
CREATE TABLE IF NOT EXISTS {db}.theme_periods
(
    grain         Enum8('day' = 1, 'week' = 2, 'month' = 3),
    period        Date,
    theme         String,
    items         UInt64,
    accounts      UInt64,
    arr           Float64,
    sentiment_sum Float64,
    computed_at   DateTime
)
ENGINE = ReplacingMergeTree(computed_at)
ORDER BY (grain, period, theme);

-- bets are the roadmap bets, one row per import of a bet; the newest
-- version of an id wins, so importing the roadmap again updates it.
CREATE TABLE IF NOT EXISTS {db}.bets
(
    id          String,
    title       String,
    status      String,
    owner       String,
    themes      Array(String),
    shipped_at  Nullable(Date),
    notes       String,
    version     UInt64,
    imported_at DateTime
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id;
