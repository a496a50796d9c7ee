package llm

import "time"

// SetLedgerBackoff sets how long a failed spend ledger is left alone, and
// returns what restores it.
func SetLedgerBackoff(d time.Duration) (restore func()) {
	was := ledgerBackoff.Swap(int64(d))
	return func() { ledgerBackoff.Store(was) }
}

// LedgerRefreshEvery is how often a process that found the budget spent
// reads the spend ledger again.
const LedgerRefreshEvery = ledgerRefreshEvery

// EstimateTokens is what t reserves of the daily budget, and of the
// tokens-per-minute limit, for one request about texts.
func (t *Tagger) EstimateTokens(texts ...string) int { return t.prompt.estimateTokens(texts) }

// SetRateSpan sets the span over which the tokens-per-minute limit counts,
// a minute, for a test that cannot wait one.
func (t *Tagger) SetRateSpan(d time.Duration) { t.limiter.span = d }

// SetPeerEvery sets how often a Tagger with Peers beats, and returns what
// restores it.
func SetPeerEvery(d time.Duration) (restore func()) {
	was := peerEvery.Swap(int64(d))
	return func() { peerEvery.Store(was) }
}
