package insights

// ScoredSQL lets the tests hold scoredSQL to enrich.ScoresLanguage.
const ScoredSQL = scoredSQL
