package insights_test

import (
	"testing"

	"github.com/feedbackloop/feedbackloop/insights"
)

// A theme with no feedback at all on one side of the ship date is not
// judged, and the table says which side is empty: "not yet judged" read
// as if the bet had shipped recently, for one that shipped before the
// first record was imported.
func TestOutcomeSaysWhichWindowHasNoFeedback(t *testing.T) {
	o := &insights.Outcome{Days: 28, Results: []insights.BetOutcome{
		{Bet: "old-fix", Theme: "export", AfterTotal: 40, NotYetJudged: true},
		{Bet: "new-fix", Theme: "sync", BeforeTotal: 40, NotYetJudged: true},
	}}
	_, rows := o.Table()
	if got := rows[0][len(rows[0])-1]; got != "not judged: no feedback at all in the 28 days before the ship date" {
		t.Errorf("verdict %q", got)
	}
	if got := rows[1][len(rows[1])-1]; got != "not judged: no feedback at all in the 28 days after the ship date" {
		t.Errorf("verdict %q", got)
	}
}
