package insights

// ScoredSQL lets the tests hold scoredSQL to enrich.ScoresLanguage.
const ScoredSQL = scoredSQL

// PickQuotes lets the tests choose among candidates without a database.
var PickQuotes = pickQuotes
