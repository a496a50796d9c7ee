package sample_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/feedbackloop/feedbackloop/enrich"
	"github.com/feedbackloop/feedbackloop/feedback"
	"github.com/feedbackloop/feedbackloop/ingest/sample"
)

var end = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

func generate(t *testing.T, opts sample.Options) []*feedback.Record {
	t.Helper()
	var out []*feedback.Record
	if err := sample.Generate(opts, func(r *feedback.Record) error {
		out = append(out, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestTheSameSeedGivesTheSameRecordsAndAnotherSeedDoesNot(t *testing.T) {
	opts := sample.Options{Count: 2000, Days: 90, Seed: 7, End: end}
	a, _ := json.Marshal(generate(t, opts))
	b, _ := json.Marshal(generate(t, opts))
	if string(a) != string(b) {
		t.Fatal("two runs with the same options differ")
	}
	opts.Seed = 8
	other := generate(t, opts)
	c, _ := json.Marshal(other)
	if string(a) == string(c) {
		t.Fatal("seeds 7 and 8 gave the same sample")
	}
	// A second sample adds records; it must not overwrite the first's.
	first := map[string]bool{}
	for _, r := range generate(t, sample.Options{Count: 2000, Days: 90, Seed: 7, End: end}) {
		first[r.ID] = true
	}
	for _, r := range other {
		if first[r.ID] {
			t.Fatalf("seeds 7 and 8 both generate id %s", r.ID)
		}
	}
}

func TestEveryRecordIsValidWithAUniqueIDAndInsideTheWindow(t *testing.T) {
	recs := generate(t, sample.Options{Count: 20000, Days: 90, Seed: 1, End: end})
	if len(recs) != 20000 {
		t.Fatalf("%d records, want 20000", len(recs))
	}
	ids := map[string]bool{}
	sources := map[string]bool{}
	kinds := map[string]bool{}
	plans := map[string]bool{}
	start := end.AddDate(0, 0, -90)
	for _, r := range recs {
		if err := r.Validate(); err != nil {
			t.Fatalf("%s: %v", r.ID, err)
		}
		if ids[r.ID] {
			t.Fatalf("id %s generated twice", r.ID)
		}
		ids[r.ID] = true
		if r.CreatedAt.Before(start) || !r.CreatedAt.Before(end) {
			t.Fatalf("%s created at %s, outside [%s, %s)", r.ID, r.CreatedAt, start, end)
		}
		if r.Account == nil || r.Account.ID == "" || r.Account.Plan == "" {
			t.Fatalf("%s has no account with a plan", r.ID)
		}
		if r.Account.Plan != "free" && r.Account.ARR <= 0 {
			t.Fatalf("%s: paying account %s without ARR", r.ID, r.Account.ID)
		}
		sources[r.Source], kinds[r.Kind], plans[r.Account.Plan] = true, true, true
	}
	if len(sources) < 6 {
		t.Errorf("%d sources, want at least six", len(sources))
	}
	for _, k := range []string{"ticket", "interview", "forum"} {
		if !kinds[k] {
			t.Errorf("no %s records", k)
		}
	}
	if len(plans) < 3 {
		t.Errorf("plans %v, want several", plans)
	}
}

// The planted patterns must be visible through the real tagger, not only
// in the generator's own bookkeeping.
func TestThePlantedSpikeFallAndWeeklyRhythmShowThroughTheKeywordTagger(t *testing.T) {
	opts := sample.Options{Count: 30000, Days: 90, Seed: 3, End: end}
	recs := generate(t, opts)
	items := make([]*enrich.Item, len(recs))
	for i, r := range recs {
		items[i] = &enrich.Item{Record: r}
	}
	if err := enrich.NewKeywordTagger(enrich.DefaultTaxonomy()).Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	spikeFrom := end.AddDate(0, 0, -sample.SpikeDays)
	fix := opts.FixShipped()
	start := end.AddDate(0, 0, -opts.Days)
	var spikeIn, spikeOut, fallBefore, fallAfter, weekday, weekend, tagged float64
	var enterprise, permissions, permissionsEnterprise float64
	for _, it := range items {
		at := it.Record.CreatedAt
		has := func(name string) bool {
			for _, th := range it.Themes {
				if th.Name == name {
					return true
				}
			}
			return false
		}
		if len(it.Themes) > 0 {
			tagged++
		}
		if has(sample.SpikeTheme) {
			if at.After(spikeFrom) {
				spikeIn++
			} else {
				spikeOut++
			}
		}
		if has(sample.FallTheme) {
			if at.Before(fix) {
				fallBefore++
			} else {
				fallAfter++
			}
		}
		if it.Record.Account.Plan == "enterprise" {
			enterprise++
		}
		if has("permissions") {
			permissions++
			if it.Record.Account.Plan == "enterprise" {
				permissionsEnterprise++
			}
		}
		if wd := at.Weekday(); wd == time.Saturday || wd == time.Sunday {
			weekend++
		} else {
			weekday++
		}
	}
	days := func(from, to time.Time) float64 { return to.Sub(from).Hours() / 24 }
	spikeRate := (spikeIn / days(spikeFrom, end)) / (spikeOut / days(start, spikeFrom))
	fallRate := (fallAfter / days(fix, end)) / (fallBefore / days(start, fix))
	weekRate := (weekday / 5) / (weekend / 2)
	t.Logf("spike x%.1f, fall x%.2f, weekday/weekend x%.1f, tagged %.0f%%", spikeRate, fallRate, weekRate, 100*tagged/float64(len(items)))
	if spikeRate < 3 {
		t.Errorf("%s per day in the last %d days is only %.1fx its earlier rate", sample.SpikeTheme, sample.SpikeDays, spikeRate)
	}
	if fallRate > 0.4 {
		t.Errorf("%s per day after the fix is %.2fx its earlier rate, want a clear fall", sample.FallTheme, fallRate)
	}
	if weekRate < 2 {
		t.Errorf("a weekday has only %.1fx the items of a weekend day", weekRate)
	}
	// Who asks depends on who they are: enterprise accounts raise
	// permissions far more often than their share of all feedback.
	if all, perm := enterprise/float64(len(items)), permissionsEnterprise/permissions; perm < 1.5*all {
		t.Errorf("enterprise accounts wrote %.0f%% of permissions feedback and %.0f%% of all: no plan affinity", 100*perm, 100*all)
	}
	if share := tagged / float64(len(items)); share < 0.85 {
		t.Errorf("only %.0f%% of the sample got a theme from the bundled taxonomy", 100*share)
	}
}

func TestNegativeCountIsRefused(t *testing.T) {
	if err := sample.Generate(sample.Options{Count: -1}, func(*feedback.Record) error { return nil }); err == nil {
		t.Fatal("a negative count was accepted")
	}
}
