package api

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/feedbackloop/feedbackloop/insights"
)

// A rising theme with no baseline is most often new to the taxonomy: the
// dashboard says so beside it, as the CLI does, and beside no other.
func TestDashboardNotesARisingThemeWithNoBaseline(t *testing.T) {
	pg := page{
		Trends: &insights.Trends{}, Bets: &insights.BetsReport{},
		Emerging: &insights.Emerging{Rising: []insights.ThemeChange{
			{Theme: "timesheets", Recent: 15, Baseline: 0, Direction: "rising"},
			{Theme: "sso-login", Recent: 140, Baseline: 112, Direction: "rising"},
		}},
	}
	var b strings.Builder
	if err := dashboardTemplate.Execute(&b, pg); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	if strings.Count(html, `class="muted new"`) != 1 {
		t.Fatalf("%d notes, want 1:\n%s", strings.Count(html, `class="muted new"`), html)
	}
	row := html[strings.Index(html, "<td>timesheets</td>"):]
	if !strings.Contains(row[:strings.Index(row, "</tr>")], "themes retag") {
		t.Errorf("the note is not on the timesheets row:\n%s", html)
	}
}

// A quote from a record the lexicon does not read says so, rather than
// show its 0 as a neutral sentiment.
func TestDashboardSaysWhichQuotesAreNotScored(t *testing.T) {
	pg := page{
		Trends: &insights.Trends{}, Bets: &insights.BetsReport{}, Emerging: &insights.Emerging{},
		Quotes: &insights.Quotes{Quotes: []insights.Quote{
			{Passage: "Die Rechnung ist falsch.", Source: "zendesk", Language: "de"},
			{Passage: "The invoice is wrong.", Source: "zendesk", Sentiment: -0.5, Scored: true},
		}},
	}
	var b strings.Builder
	if err := dashboardTemplate.Execute(&b, pg); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	if !strings.Contains(html, "sentiment not scored (de)") || !strings.Contains(html, "sentiment -0.50") {
		t.Errorf("quotes do not say which sentiment is a score:\n%s", html)
	}
}

// The bets table names bets by title; an active bet without evidence is
// marked on its own row and listed by title, not by an id the page shows
// nowhere else.
func TestDashboardNamesBetsWithoutEvidenceByTitle(t *testing.T) {
	pg := page{
		Trends: &insights.Trends{}, Emerging: &insights.Emerging{},
		Bets: &insights.BetsReport{
			Bets: []insights.BetEvidence{
				{Bet: insights.Bet{ID: "ai-assistant", Title: "An assistant in the app", Status: "exploring"}},
				{Bet: insights.Bet{ID: "sso", Title: "Single sign-on", Status: "committed"}, Evidence: insights.Evidence{Items: 40}},
			},
			WithoutEvidence: []string{"ai-assistant"},
		},
	}
	var b strings.Builder
	if err := dashboardTemplate.Execute(&b, pg); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	if !strings.Contains(html, "Active bets without evidence: An assistant in the app") {
		t.Errorf("bets without evidence not listed by title:\n%s", html)
	}
	for _, c := range []struct {
		title  string
		marked bool
	}{{"An assistant in the app", true}, {"Single sign-on", false}} {
		row := html[strings.Index(html, "<tr><td>"+c.title):]
		row = row[:strings.Index(row, "</tr>")]
		if strings.Contains(row, "no evidence") != c.marked {
			t.Errorf("row %q: marked %v, want %v", row, !c.marked, c.marked)
		}
	}
}

// The trends chart draws the period that is not over dotted, and says so,
// so that a week half gone does not read as a fall.
func TestTrendChartDrawsTheCurrentPeriodDotted(t *testing.T) {
	tr := &insights.Trends{Grain: insights.Week, Periods: make([]time.Time, 3), Themes: []insights.ThemeTrend{
		{Theme: "billing", Items: 25, Points: []insights.TrendPoint{{Items: 10}, {Items: 12}, {Items: 3}}},
	}}
	for _, partial := range []bool{false, true} {
		tr.Partial = partial
		svg, err := trendChart(tr, 8, nil)
		if err != nil {
			t.Fatal(err)
		}
		s := string(svg)
		if got := strings.Contains(s, "dotted: the week so far"); got != partial {
			t.Errorf("partial %v: title says so %v", partial, got)
		}
		if got := strings.Contains(s, "stroke-dasharray"); got != partial {
			t.Errorf("partial %v: a dashed line %v", partial, got)
		}
	}
	// Eight lines, the current period over: none is dashed, and the eighth
	// does not take the first's colour.
	tr.Partial = false
	tr.Themes = nil
	for i := range 8 {
		tr.Themes = append(tr.Themes, insights.ThemeTrend{Theme: fmt.Sprintf("theme-%d", i), Items: 3, Points: []insights.TrendPoint{{Items: 1}, {Items: 1}, {Items: 1}}})
	}
	if svg, err := trendChart(tr, 8, nil); err != nil || strings.Contains(string(svg), "stroke-dasharray") {
		t.Errorf("eight lines, none partial: %v, dashed %v", err, strings.Contains(string(svg), "stroke-dasharray"))
	}
	if lineColor(7) == lineColor(0) {
		t.Error("the eighth line has the first's colour")
	}
	// One period has no segment to dot: the title says "so far" alone.
	one := &insights.Trends{Grain: insights.Week, Partial: true, Periods: make([]time.Time, 1), Themes: []insights.ThemeTrend{
		{Theme: "billing", Items: 3, Points: []insights.TrendPoint{{Items: 3}}}}}
	if svg, err := trendChart(one, 8, nil); err != nil || strings.Contains(string(svg), "dotted") || !strings.Contains(string(svg), "(so far)") {
		t.Errorf("one partial period: %v, title without dotted and with so far wanted", err)
	}
}
