package insights_test

import (
	"context"
	"testing"

	"github.com/feedbackloop/feedbackloop/insights"
	"github.com/feedbackloop/feedbackloop/insights/insightstest"
)

// plantedEnv loads the planted dataset with its redeliveries.
func plantedEnv(t *testing.T) (*env, insightstest.Dataset) {
	t.Helper()
	e := newEnv(t)
	d := insightstest.Planted(7, day("2025-06-02"))
	e.write(t, d.Rows)
	e.write(t, d.Redelivered)
	return e, d
}

func TestEmergingRanksTheSpikeFirstAndLeavesSteadyThemesAlone(t *testing.T) {
	e, d := plantedEnv(t)
	em, err := e.store.Emerging(context.Background(), insights.EmergingQuery{End: d.End})
	if err != nil {
		t.Fatal(err)
	}
	if len(em.Rising) == 0 || em.Rising[0].Theme != insightstest.SpikeTheme {
		t.Fatalf("rising %+v, want %s first", em.Rising, insightstest.SpikeTheme)
	}
	if len(em.Rising) != 1 {
		t.Errorf("rising %+v, want only the spike", em.Rising)
	}
	for _, c := range append(em.Rising, em.Declining...) {
		if _, steady := insightstest.SteadyThemes[c.Theme]; steady {
			t.Errorf("steady theme flagged: %+v", c)
		}
	}
	if len(em.Declining) != 1 || em.Declining[0].Theme != insightstest.FallingTheme {
		t.Errorf("declining %+v, want only %s", em.Declining, insightstest.FallingTheme)
	}
	spike := em.Rising[0]
	// The counts are over distinct records: compare with direct SQL.
	recent := e.count(t, "SELECT uniqExact(id) FROM {db}.feedback WHERE has(themes, ?) AND created_at >= toDateTime(?, 'UTC') AND created_at < toDateTime(?, 'UTC')",
		spike.Theme, em.RecentFrom.Format("2006-01-02 15:04:05"), em.End.Format("2006-01-02 15:04:05"))
	baseline := e.count(t, "SELECT uniqExact(id) FROM {db}.feedback WHERE has(themes, ?) AND created_at >= toDateTime(?, 'UTC') AND created_at < toDateTime(?, 'UTC')",
		spike.Theme, em.BaselineFrom.Format("2006-01-02 15:04:05"), em.RecentFrom.Format("2006-01-02 15:04:05"))
	if spike.Recent != recent || spike.Baseline != baseline {
		t.Fatalf("spike recent/baseline %d/%d, direct SQL over distinct ids says %d/%d", spike.Recent, spike.Baseline, recent, baseline)
	}
	if spike.Ratio < 3 || spike.P > 1e-6 {
		t.Errorf("spike ratio %.2f p %g: a fivefold rise should be unmistakable", spike.Ratio, spike.P)
	}
}

func TestEmergingNeedsVolumeBeforeFlagging(t *testing.T) {
	e, d := plantedEnv(t)
	// With a minimum above the spike's recent volume nothing rises.
	em, err := e.store.Emerging(context.Background(), insights.EmergingQuery{End: d.End, MinItems: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(em.Rising)+len(em.Declining) != 0 {
		t.Fatalf("flagged below the minimum volume: %+v %+v", em.Rising, em.Declining)
	}
	for _, bad := range []insights.EmergingQuery{{RecentDays: -1}, {BaselineDays: 5000}, {Alpha: 2}, {MinItems: -3}} {
		if _, err := e.store.Emerging(context.Background(), bad); !insights.IsInvalid(err) {
			t.Errorf("%+v: got %v, want an invalid-parameter error", bad, err)
		}
	}
}
