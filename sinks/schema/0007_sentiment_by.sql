-- sentiment_by: who judged the row's sentiment and its themes'. '' for the
-- lexicon, or for no one when the record is in a language the lexicon does
-- not read (its sentiment is then 0 and says nothing); 'llm' when the LLM
-- tagger judged each theme's passage, which counts for a record in a
-- language the lexicon does not read (an English record is scored by the
-- lexicon whoever tagged it). Rows written before this migration read ''.
-- Two workers migrating at once may both add the column; the second gets
-- "column already exists", which Migrate accepts.
ALTER TABLE {db}.feedback ADD COLUMN sentiment_by String DEFAULT '';
