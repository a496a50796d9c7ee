// Package insightstest generates feedback with planted patterns for the
// tests of the insight queries, the CLI and the API: the same data must
// make every one of them report the same findings.
package insightstest

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/feedbackloop/feedbackloop/insights"
	"github.com/feedbackloop/feedbackloop/sinks"
)

// The planted patterns.
const (
	// SpikeTheme runs at 2 a day and then at 10 a day over the last 14 days.
	SpikeTheme = "sso-login"
	// FallingTheme runs at 8 a day until ShippedBet shipped, then at 2.
	FallingTheme = "export-timeouts"
	ShippedBet   = "faster-exports"
	// UncoveredTheme is the loudest theme (9 a day) and no active bet
	// covers it.
	UncoveredTheme = "billing-invoices"
	// EmptyBet is a bet whose only theme no customer mentions.
	EmptyBet = "ai-assistant"
)

// SteadyThemes run at a constant daily rate throughout.
var SteadyThemes = map[string]float64{
	"search-relevance": 6, "report-builder": 5, "mobile-offline": 4,
	"api-rate-limits": 3, "permissions": 4, "notifications": 5,
}

// Dataset is a generated body of feedback and the roadmap that goes with it.
type Dataset struct {
	// End is the day after the last item (a Monday); the data covers the
	// Days before it.
	End  time.Time
	Days int
	// ShippedAt is when ShippedBet shipped.
	ShippedAt time.Time
	// Rows hold every record once; Redelivered holds copies of some of
	// them, to be written in separate inserts as a redelivery would be.
	Rows        []sinks.Row
	Redelivered []sinks.Row
	// BetsYAML is the roadmap in the YAML form `bets import` reads.
	BetsYAML string
}

var (
	sources = []string{"zendesk", "intercom", "github", "discourse", "reddit", "notes"}
	kinds   = []string{"ticket", "chat", "issue", "post", "interview"}
	plans   = []string{"free", "team", "pro", "enterprise"}
)

// Planted returns the dataset for a seed: 182 days up to End, six steady
// themes, one spike, one fall after a ship date, one loud theme without a
// bet, 300 accounts, and one record in seven delivered twice (one in
// twenty-one three times).
func Planted(seed uint64, end time.Time) Dataset {
	src := rand.NewPCG(seed, seed^0x5eed)
	rng := rand.New(src)
	poisson := func(mean float64) int { return int(distuv.Poisson{Lambda: mean, Src: src}.Rand()) }
	d := Dataset{End: end, Days: 182, ShippedAt: end.AddDate(0, 0, -42)}
	start := end.AddDate(0, 0, -d.Days)
	n := 0
	emit := func(day time.Time, themes []string) {
		n++
		acct := rng.IntN(300)
		topic := "something else"
		if len(themes) > 0 {
			topic = themes[0]
		}
		s := float32(math.Round((rng.Float64()*2-1)*100) / 100)
		stored := time.Now().UTC() // as the worker writes it: the second, and the nanosecond as the version
		r := sinks.Row{
			ID:          fmt.Sprintf("planted:%06d", n),
			Source:      sources[rng.IntN(len(sources))],
			Kind:        kinds[rng.IntN(len(kinds))],
			CreatedAt:   day.Add(time.Duration(rng.IntN(86400)) * time.Second),
			IngestedAt:  stored.Truncate(time.Second),
			Version:     uint64(stored.UnixNano()),
			Title:       "About " + topic,
			Body:        fmt.Sprintf("Customer %d wrote about %s in some detail, item %d.", acct, topic, n),
			URL:         fmt.Sprintf("https://support.example.com/items/%d", n),
			AccountID:   fmt.Sprintf("acct-%03d", acct),
			AccountName: fmt.Sprintf("Account %03d", acct),
			AccountPlan: plans[acct%len(plans)],
			AccountARR:  float64((acct%50 + 1) * 1200),
			Sentiment:   s,
			Tagger:      "keywords",
		}
		for _, th := range themes {
			r.Themes = append(r.Themes, th)
			r.ThemeConfidence = append(r.ThemeConfidence, 0.9)
			r.ThemeEvidence = append(r.ThemeEvidence, fmt.Sprintf("%s is what hurts, says account %d", th, acct))
			r.ThemeSentiment = append(r.ThemeSentiment, s)
		}
		d.Rows = append(d.Rows, r)
		if n%7 == 0 {
			d.Redelivered = append(d.Redelivered, r)
		}
		if n%21 == 0 {
			d.Redelivered = append(d.Redelivered, r)
		}
	}
	steady := []string{"search-relevance", "report-builder", "mobile-offline", "api-rate-limits", "permissions", "notifications"}
	for i := 0; i < d.Days; i++ {
		day := start.AddDate(0, 0, i)
		recent := !day.Before(end.AddDate(0, 0, -14))
		rates := []struct {
			theme string
			rate  float64
		}{
			{UncoveredTheme, 9},
			{SpikeTheme, map[bool]float64{false: 2, true: 10}[recent]},
			{FallingTheme, map[bool]float64{false: 8, true: 2}[!day.Before(d.ShippedAt)]},
		}
		for _, th := range steady {
			rates = append(rates, struct {
				theme string
				rate  float64
			}{th, SteadyThemes[th]})
		}
		for _, r := range rates {
			for k := poisson(r.rate); k > 0; k-- {
				themes := []string{r.theme}
				if rng.IntN(10) == 0 { // some items mention a steady theme too
					if other := steady[rng.IntN(len(steady))]; other != r.theme {
						themes = append(themes, other)
					}
				}
				emit(day, themes)
			}
		}
		for k := poisson(3); k > 0; k-- { // feedback no theme fits
			emit(day, nil)
		}
	}
	d.BetsYAML = fmt.Sprintf(`# The planted roadmap.
bets:
  - id: %s
    title: Exports that finish
    status: shipped
    owner: dana
    themes: [%s]
    shipped_at: %s
  - id: sso-revamp
    title: Single sign-on that just works
    status: committed
    owner: lee
    themes: [%s]
  - id: search-v2
    title: Search that finds things
    status: in_progress
    owner: ari
    themes: [search-relevance]
  - id: reports
    title: A report builder
    status: exploring
    owner: kim
    themes: [report-builder, mobile-offline]
  - id: %s
    title: An assistant in the app
    status: exploring
    owner: sam
    themes: [ai-assistant]
    notes: No customer has asked yet.
`, ShippedBet, FallingTheme, d.ShippedAt.Format("2006-01-02"), SpikeTheme, EmptyBet)
	return d
}

// Load writes the dataset into a migrated database through sink: every
// record, then the redeliveries in a separate insert, then the roadmap.
func (d Dataset) Load(ctx context.Context, sink *sinks.ClickHouse, store *insights.Store) error {
	if err := sink.Write(ctx, d.Rows); err != nil {
		return err
	}
	if err := sink.Write(ctx, d.Redelivered); err != nil {
		return err
	}
	bets, err := insights.ParseBetsYAML("planted.yaml", strings.NewReader(d.BetsYAML))
	if err != nil {
		return err
	}
	_, err = store.ImportBets(ctx, bets)
	return err
}
