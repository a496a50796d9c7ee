-- The feedback table: one row per record id after merges. Redelivered and
-- republished records insert the same id again; ReplacingMergeTree keeps the
-- latest (by ingested_at), so SELECT ... FINAL and every query that
-- deduplicates by id count each record once.
--
-- Parallel arrays (themes / theme_confidence / theme_evidence /
-- theme_sentiment, metadata_keys / metadata_values) keep the schema valid on
-- ClickHouse 18.16, which has no Map type.
CREATE TABLE IF NOT EXISTS {db}.feedback
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
    contract_version  UInt8
)
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(created_at)
ORDER BY id
