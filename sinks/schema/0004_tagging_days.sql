-- What each tagger tagged, by UTC day of ingestion, and the LLM tokens it
-- cost: each record once (FINAL), as it was last tagged. `feedbackloop
-- tagger usage` and the Grafana dashboard read it. The inner query renames
-- the token columns so that no alias repeats the name of a column it
-- aggregates (see 0003).
CREATE VIEW IF NOT EXISTS {db}.tagging_days AS
SELECT
    toDate(ingested) AS day,
    tagger,
    model,
    count() AS items,
    sum(prompt) AS prompt_tokens,
    sum(completion) AS completion_tokens
FROM
(
    SELECT ingested_at AS ingested, tagger, model, prompt_tokens AS prompt, completion_tokens AS completion
    FROM {db}.feedback FINAL
)
GROUP BY day, tagger, model;
