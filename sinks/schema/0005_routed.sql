-- Whether hybrid routing sent each record on to the LLM because the offline
-- tagger was unsure of it: 1 when it did, whether or not the LLM answered
-- (tagger says which tagger's themes the row holds), 0 when it did not or
-- no LLM was configured. NULL marks rows written before this migration,
-- whose routing is unknown. Two workers migrating at once may both add the
-- column; the second gets "column already exists", which Migrate accepts.
ALTER TABLE {db}.feedback ADD COLUMN routed Nullable(UInt8);

-- tagging_days again (see 0004), with the routed records and the records
-- whose routing is known. ClickHouse 18.16 cannot alter a view's query, so
-- the view is dropped and created again (with DROP TABLE: 18.16 has no DROP
-- VIEW, and current releases still drop a view with DROP TABLE).
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
