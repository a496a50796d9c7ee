-- The version column: the order of a record's versions, as every query
-- that keeps one version of a record decides it (ReplacingMergeTree's
-- merges, FINAL, the insights' argMax, the writer's moved-record lookup).
-- It is the time the NATS stream stored the record's message, in
-- nanoseconds, where ingested_at keeps whole seconds: two versions
-- published within one second, written by two batches or two workers,
-- had the same ingested_at, and merges and argMax could keep the older.
--
-- ClickHouse cannot change a table's engine, so the feedback table is
-- built again under another name and swapped in. Rows stored before this
-- migration get version = ingested_at in nanoseconds, so that every
-- version written after it is newer than the version of the same second
-- before it, as ingested_at ordered them. A row inserted without a
-- version (an older worker, an INSERT by hand) gets the same.
--
-- Run it with every worker stopped: a worker's write while the tables
-- are swapped may land in the old table after its rows were copied, and a
-- moved record's deletion may be undone by the copy (README, "Upgrading
-- to schema version 9"). The table before it is kept as feedback_v8 (to
-- drop by hand once checked); feedback_dates becomes feedback_versions,
-- built from the copy.
--
-- Each step is safe to run again: a migration stopped half way is run
-- again from its start (its guards, "-- when:", skip what is done), and
-- copies rows again, which the table deduplicates like any redelivery.

-- when: (SELECT count() FROM system.tables WHERE database = '{db}' AND name = 'feedback') = 1 AND (SELECT count() FROM system.columns WHERE database = '{db}' AND table = 'feedback' AND name = 'version') = 0
CREATE TABLE IF NOT EXISTS {db}.feedback_next
(
    id                String,
    source            String,
    kind              String,
    created_at        DateTime,
    ingested_at       DateTime,
    title             String,
    body              String,
    url               String,
    language          String,
    parent            String,
    tags              Array(String),
    rating            Nullable(Float64),
    author_id         String,
    author_name       String,
    author_email_hash String,
    account_id        String,
    account_name      String,
    account_plan      String,
    account_arr       Float64,
    metadata_keys     Array(String),
    metadata_values   Array(String),
    themes            Array(String),
    theme_confidence  Array(Float32),
    theme_evidence    Array(String),
    theme_sentiment   Array(Float32),
    sentiment         Float32,
    tagger            String,
    model             String,
    prompt_tokens     UInt32,
    completion_tokens UInt32,
    contract_version  UInt8,
    routed            Nullable(UInt8),
    sentiment_by      String DEFAULT '',
    version           UInt64 DEFAULT toUInt64(ingested_at) * 1000000000
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(created_at)
ORDER BY id;

-- The views that fed feedback_days and feedback_dates from the old table
-- go before the swap: whether a view follows a renamed source table
-- differs between ClickHouse 18.16 and current releases. Their
-- successors below have other names, created on the new table, so that
-- no step here drops what another step (or another process applying this
-- migration) created. (DROP TABLE: 18.16 has no DROP VIEW.)
DROP TABLE IF EXISTS {db}.feedback_dates_mv;

DROP TABLE IF EXISTS {db}.feedback_days_mv;

-- The swap. RENAME fails when a target exists, so the old table, once
-- set aside as feedback_v8, can never be replaced by the new one.
-- when: (SELECT count() FROM system.tables WHERE database = '{db}' AND name = 'feedback') = 1 AND (SELECT count() FROM system.columns WHERE database = '{db}' AND table = 'feedback' AND name = 'version') = 0
RENAME TABLE {db}.feedback TO {db}.feedback_v8, {db}.feedback_next TO {db}.feedback;

-- The second half of the rename, should the first have been the last
-- thing done (ClickHouse renames the tables of one RENAME one by one).
-- when: (SELECT count() FROM system.tables WHERE database = '{db}' AND name = 'feedback') = 0
RENAME TABLE {db}.feedback_next TO {db}.feedback;

-- feedback_versions replaces feedback_dates (0008): every (id,
-- created_at) pair the feedback table holds, with the newest version
-- stored under it; the writer looks the ids it writes up here
-- (sinks/moves.go). Ordered by id with small granules, as before.
CREATE TABLE IF NOT EXISTS {db}.feedback_versions
(
    id          String,
    created_at  DateTime,
    version     UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (id, created_at)
SETTINGS index_granularity = 1024;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.feedback_versions_mv TO {db}.feedback_versions
AS SELECT id, created_at, version
FROM {db}.feedback;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.feedback_touched_mv TO {db}.feedback_days
AS SELECT toDate(created_at, 'UTC') AS day, now() AS touched_at
FROM {db}.feedback
GROUP BY day;

-- Rows written to the new table before its views existed. A pair listed
-- twice, or a day touched twice, is harmless (see 0002 and 0008).
INSERT INTO {db}.feedback_versions (id, created_at, version)
SELECT id, created_at, version
FROM {db}.feedback;

INSERT INTO {db}.feedback_days (day, touched_at)
SELECT toDate(created_at, 'UTC') AS day, now() AS touched_at
FROM {db}.feedback
GROUP BY day;

-- The copy, which the views above see: it lists every pair in
-- feedback_versions and marks every day touched, so the rollup recomputes
-- the periods once. Current ClickHouse refuses an inserted block that
-- spans more than 100 months (max_partitions_per_insert_block), which a
-- table of nine years' feedback does, and 18.16 refuses the setting that
-- lifts the limit as unknown: each server runs the statement it accepts.
-- Not once the migration is recorded: workers write then, and a second
-- process that read the applied versions before (workers started
-- together) would copy back the old date of a record moved since.
-- when: (SELECT count() FROM system.tables WHERE database = '{db}' AND name = 'feedback_v8') = 1 AND (SELECT count() FROM {db}.schema_migrations WHERE version = 9) = 0 AND (SELECT count() FROM system.settings WHERE name = 'max_partitions_per_insert_block') = 0
INSERT INTO {db}.feedback
(
    id, source, kind, created_at, ingested_at, title, body, url, language,
    parent, tags, rating, author_id, author_name, author_email_hash,
    account_id, account_name, account_plan, account_arr, metadata_keys,
    metadata_values, themes, theme_confidence, theme_evidence,
    theme_sentiment, sentiment, tagger, model, prompt_tokens,
    completion_tokens, contract_version, routed, sentiment_by, version
)
SELECT
    id, source, kind, created_at, ingested_at, title, body, url, language,
    parent, tags, rating, author_id, author_name, author_email_hash,
    account_id, account_name, account_plan, account_arr, metadata_keys,
    metadata_values, themes, theme_confidence, theme_evidence,
    theme_sentiment, sentiment, tagger, model, prompt_tokens,
    completion_tokens, contract_version, routed, sentiment_by,
    toUInt64(ingested_at) * 1000000000
FROM {db}.feedback_v8;

-- when: (SELECT count() FROM system.tables WHERE database = '{db}' AND name = 'feedback_v8') = 1 AND (SELECT count() FROM {db}.schema_migrations WHERE version = 9) = 0 AND (SELECT count() FROM system.settings WHERE name = 'max_partitions_per_insert_block') = 1
INSERT INTO {db}.feedback
(
    id, source, kind, created_at, ingested_at, title, body, url, language,
    parent, tags, rating, author_id, author_name, author_email_hash,
    account_id, account_name, account_plan, account_arr, metadata_keys,
    metadata_values, themes, theme_confidence, theme_evidence,
    theme_sentiment, sentiment, tagger, model, prompt_tokens,
    completion_tokens, contract_version, routed, sentiment_by, version
)
SELECT
    id, source, kind, created_at, ingested_at, title, body, url, language,
    parent, tags, rating, author_id, author_name, author_email_hash,
    account_id, account_name, account_plan, account_arr, metadata_keys,
    metadata_values, themes, theme_confidence, theme_evidence,
    theme_sentiment, sentiment, tagger, model, prompt_tokens,
    completion_tokens, contract_version, routed, sentiment_by,
    toUInt64(ingested_at) * 1000000000
FROM {db}.feedback_v8
SETTINGS max_partitions_per_insert_block = 0;

-- tagging_days (0005) again, over the new table: whether a view follows
-- a renamed table is not left to the server either.
DROP TABLE IF EXISTS {db}.tagging_days;

CREATE VIEW IF NOT EXISTS {db}.tagging_days AS
SELECT
    toDate(ingested) AS day,
    tagger,
    model,
    count() AS items,
    count(route) AS routing_known,
    sum(ifNull(route, 0)) AS routed,
    sum(prompt) AS prompt_tokens,
    sum(completion) AS completion_tokens
FROM
(
    SELECT ingested_at AS ingested, tagger, model, routed AS route,
        prompt_tokens AS prompt, completion_tokens AS completion
    FROM {db}.feedback FINAL
)
GROUP BY day, tagger, model;

-- feedback_dates is replaced by feedback_versions.
DROP TABLE IF EXISTS {db}.feedback_dates;

-- A table for the swap that a second process applying this migration at
-- the same time created after the first had swapped it in.
-- when: (SELECT count() FROM system.columns WHERE database = '{db}' AND table = 'feedback' AND name = 'version') = 1
DROP TABLE IF EXISTS {db}.feedback_next;
