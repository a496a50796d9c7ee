package insights_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/feedbackloop/feedbackloop/insights"
	"github.com/feedbackloop/feedbackloop/sinks"
)

// trendRows plants three weeks of feedback from January 2024: weeks start
// on Mondays 1, 8 and 15 January.
func trendRows() []sinks.Row {
	var rows []sinks.Row
	n := 0
	add := func(d string, source, account string, s float32, themes ...string) {
		n++
		rows = append(rows, item(fmt.Sprintf("r%03d", n), source, day(d).Add(time.Duration(n)*time.Minute), account, s, themes...))
	}
	// week of 1 Jan: billing x3 (two accounts), export x1, one untagged item
	add("2024-01-01", "zendesk", "acme", -0.5, "billing")
	add("2024-01-03", "zendesk", "acme", -0.3, "billing", "export")
	add("2024-01-07", "intercom", "globex", 0.2, "billing")
	add("2024-01-05", "forum", "", 0.1)
	// week of 8 Jan: billing x1, export x4 (three accounts and one without)
	add("2024-01-08", "zendesk", "initech", -0.1, "billing")
	add("2024-01-09", "intercom", "acme", -0.6, "export")
	add("2024-01-10", "intercom", "globex", -0.2, "export")
	add("2024-01-11", "forum", "", 0.4, "export")
	add("2024-01-14", "zendesk", "umbrella", -0.4, "export")
	// week of 15 Jan: export x2
	add("2024-01-15", "zendesk", "acme", -0.7, "export")
	add("2024-01-21", "zendesk", "acme", -0.9, "export")
	// outside the window on both sides
	add("2023-12-31", "zendesk", "acme", 0, "billing")
	add("2024-01-22", "zendesk", "acme", 0, "billing")
	return rows
}

func TestTrendsCountEachRecordOnceWhenDeliveredTwice(t *testing.T) {
	e := newEnv(t)
	rows := trendRows()
	e.write(t, rows)
	e.write(t, rows[:7])  // a redelivered batch
	e.write(t, rows[5:6]) // and one record a third time
	if raw := e.count(t, "SELECT count() FROM {db}.feedback"); raw != uint64(len(rows)+8) {
		t.Fatalf("fixture: %d raw rows, want the duplicates stored too", raw)
	}

	tr, err := e.store.Trends(context.Background(), insights.TrendsQuery{
		Grain: insights.Week, Filter: insights.Filter{From: day("2024-01-01"), To: day("2024-01-22")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Periods) != 3 || !tr.Periods[0].Equal(day("2024-01-01")) || !tr.Periods[2].Equal(day("2024-01-15")) {
		t.Fatalf("periods %v", tr.Periods)
	}
	want := map[string][]uint64{"billing": {3, 1, 0}, "export": {1, 4, 2}}
	if len(tr.Themes) != 2 || tr.Themes[0].Theme != "export" || tr.Themes[0].Items != 7 || tr.Themes[1].Items != 4 {
		t.Fatalf("themes %+v, want export (7) before billing (4)", tr.Themes)
	}
	for _, th := range tr.Themes {
		for i, p := range th.Points {
			if p.Items != want[th.Theme][i] {
				t.Errorf("%s %s: %d items, want %d", th.Theme, tr.Grain.Label(p.Period), p.Items, want[th.Theme][i])
			}
		}
	}
	e.checkAgainstSQL(t, tr)
	wantTotals := []uint64{4, 5, 2}
	for i, n := range tr.Totals {
		if n != wantTotals[i] {
			t.Errorf("total of week %d: %d, want %d", i, n, wantTotals[i])
		}
	}
	export := tr.Themes[0].Points[1]
	if export.Share != 4.0/5 || export.Accounts != 3 {
		t.Errorf("export in week 2: share %v accounts %d, want 0.8 and 3", export.Share, export.Accounts)
	}
	if got, want := export.Sentiment, (-0.6-0.2+0.4-0.4)/4; fmt.Sprintf("%.4f", got) != fmt.Sprintf("%.4f", want) {
		t.Errorf("export in week 2: mean sentiment %v, want %v", got, want)
	}
}

func TestTrendsFilterBySourceAndAccount(t *testing.T) {
	e := newEnv(t)
	rows := trendRows()
	e.write(t, rows)
	e.write(t, rows)
	ctx := context.Background()
	window := insights.Filter{From: day("2024-01-01"), To: day("2024-01-22")}

	f := window
	f.Sources = []string{"intercom"}
	tr, err := e.store.Trends(ctx, insights.TrendsQuery{Grain: insights.Month, Filter: f})
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Periods) != 1 || tr.Totals[0] != 3 || len(tr.Themes) != 2 || tr.Themes[0].Items != 2 {
		t.Fatalf("intercom only: totals %v themes %+v, want 3 items, export 2 and billing 1", tr.Totals, tr.Themes)
	}

	f = window
	f.Accounts = []string{"acme"}
	tr, err = e.store.Trends(ctx, insights.TrendsQuery{Grain: insights.Day, Filter: f, Themes: []string{"export"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Periods) != 21 || len(tr.Themes) != 1 || tr.Themes[0].Items != 4 {
		t.Fatalf("acme export by day: %d periods, themes %+v; want 21 days and 4 items", len(tr.Periods), tr.Themes)
	}
	if p := tr.Themes[0].Points[2]; p.Items != 1 || p.Share != 1 { // 3 January: acme's one item, tagged export and billing
		t.Errorf("3 January: %+v", p)
	}

	// A theme no row carries is named, with the one it most likely means;
	// a stored one with nothing under the filter is just absent.
	_, err = e.store.Trends(ctx, insights.TrendsQuery{Grain: insights.Month, Filter: window, Themes: []string{"export", "Exports"}})
	if !insights.IsInvalid(err) || !strings.Contains(err.Error(), `theme "Exports": no stored feedback carries this theme (did you mean "export"?)`) {
		t.Errorf("an unknown theme: %v", err)
	}
	f = insights.Filter{From: day("2024-03-04"), To: day("2024-03-11"), Sources: []string{"intercom"}}
	if tr, err = e.store.Trends(ctx, insights.TrendsQuery{Grain: insights.Week, Filter: f, Themes: []string{"export"}}); err != nil || len(tr.Themes) != 0 {
		t.Errorf("a stored theme the filter leaves nothing of: %v, %+v", err, tr)
	}
	// So is a source, kind or plan no row has, when nothing came back
	// (QA saw source=ZENDESK answer zeros); one that is stored, with
	// nothing in the window, is just empty (above).
	for source, want := range map[string]string{
		"Intercom": `source "Intercom": no stored feedback has this source (did you mean "intercom"?)`,
		"nowhere":  `source "nowhere": no stored feedback has this source`,
	} {
		f = window
		f.Sources = []string{source}
		if _, err = e.store.Trends(ctx, insights.TrendsQuery{Grain: insights.Month, Filter: f}); !insights.IsInvalid(err) || !strings.Contains(err.Error(), want) {
			t.Errorf("source %q: %v, want %s", source, err, want)
		}
	}
}

func TestTrendsRejectBadParameters(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for name, q := range map[string]insights.TrendsQuery{
		"grain":    {Grain: "year"},
		"periods":  {Periods: 5000},
		"to":       {Filter: insights.Filter{From: day("2024-02-01"), To: day("2024-01-01")}},
		"source":   {Filter: insights.Filter{Sources: []string{" "}}},
		"theme":    {Themes: []string{""}},
		"too wide": {Grain: insights.Day, Filter: insights.Filter{From: day("2000-01-01"), To: day("2024-01-01")}},
	} {
		if _, err := e.store.Trends(ctx, q); !insights.IsInvalid(err) {
			t.Errorf("%s: got %v, want an invalid-parameter error", name, err)
		}
	}
}

func TestTrendsRenderAsTableJSONAndCSV(t *testing.T) {
	e := newEnv(t)
	e.write(t, trendRows())
	tr, err := e.store.Trends(context.Background(), insights.TrendsQuery{Filter: insights.Filter{From: day("2024-01-01"), To: day("2024-01-22")}})
	if err != nil {
		t.Fatal(err)
	}
	var table bytes.Buffer
	if err := insights.Write(&table, insights.FormatTable, tr); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(table.String(), "\n")
	var exportLine string
	for _, l := range lines {
		if strings.Contains(l, "export") {
			exportLine = l
		}
	}
	if !strings.Contains(table.String(), "2024-01-15") || strings.Join(strings.Fields(strings.NewReplacer("│", " ", "|", " ").Replace(exportLine)), " ") != "export 1 4 2 7" {
		t.Fatalf("table:\n%s", table.String())
	}

	var js bytes.Buffer
	if err := insights.Write(&js, insights.FormatJSON, tr); err != nil {
		t.Fatal(err)
	}
	var back insights.Trends
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || len(back.Themes) != 2 || back.Themes[0].Points[1].Items != 4 {
		t.Fatalf("json round trip: %v %+v", err, back)
	}

	var c bytes.Buffer
	if err := insights.Write(&c, insights.FormatCSV, tr); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&c).ReadAll()
	if err != nil || len(recs) != 1+2*3 || strings.Join(recs[0], ",") != "theme,period,items,accounts,arr,sentiment,share,scored" {
		t.Fatalf("csv: %v %v", err, recs)
	}
	if strings.Join(recs[2][:4], ",") != "export,2024-01-08,4,3" {
		t.Fatalf("csv second line: %v", recs[2])
	}
}

// checkAgainstSQL compares every point of a weekly trend with direct
// counts over distinct ids in the feedback table.
func (e *env) checkAgainstSQL(t *testing.T, tr *insights.Trends) {
	t.Helper()
	for _, th := range tr.Themes {
		for _, p := range th.Points {
			week := p.Period.Format("2006-01-02")
			latest := "(SELECT id, argMax(themes, version) AS themes, argMax(created_at, version) AS created_at, argMax(account_id, version) AS account_id, argMax(account_arr, version) AS account_arr FROM {db}.feedback GROUP BY id)"
			items := e.count(t, "SELECT uniqExact(id) FROM "+latest+" WHERE has(themes, ?) AND toMonday(created_at) = toDate(?)", th.Theme, week)
			accounts := e.count(t, "SELECT uniqExactIf(account_id, account_id != '') FROM "+latest+" WHERE has(themes, ?) AND toMonday(created_at) = toDate(?)", th.Theme, week)
			arr := e.count(t, "SELECT toUInt64(sum(arr)) FROM (SELECT account_id, any(account_arr) AS arr FROM "+latest+" WHERE has(themes, ?) AND toMonday(created_at) = toDate(?) AND account_id != '' GROUP BY account_id)", th.Theme, week)
			if p.Items != items || p.Accounts != accounts || uint64(p.ARR) != arr {
				t.Errorf("%s %s: items/accounts/arr %d/%d/%v, direct SQL over distinct ids says %d/%d/%d", th.Theme, week, p.Items, p.Accounts, p.ARR, items, accounts, arr)
			}
		}
	}
	for i, n := range tr.Totals {
		week := tr.Periods[i].Format("2006-01-02")
		if want := e.count(t, "SELECT uniqExact(id) FROM {db}.feedback WHERE toMonday(created_at) = toDate(?)", week); n != want {
			t.Errorf("all feedback in week of %s: %d, direct SQL says %d", week, n, want)
		}
	}
}

// A filter sees each record as its newest version says: a record that moved
// to another account and plan counts there and no longer where it was.
func TestTrendsFilterByTheNewestVersionOfEachRecord(t *testing.T) {
	e := newEnv(t)
	before := item("moved", "zendesk", day("2024-01-03"), "acme", -0.5, "billing")
	after := item("moved", "zendesk", day("2024-01-03"), "globex", -0.5, "billing")
	after.AccountPlan = "enterprise"
	after.IngestedAt = before.IngestedAt.Add(2 * time.Second)
	e.write(t, []sinks.Row{before, item("stays", "zendesk", day("2024-01-04"), "acme", 0, "billing")})
	e.write(t, []sinks.Row{after})
	window := insights.Filter{From: day("2024-01-01"), To: day("2024-02-01")}
	for _, c := range []struct {
		name string
		f    func(*insights.Filter)
		want uint64
	}{
		{"account acme", func(f *insights.Filter) { f.Accounts = []string{"acme"} }, 1},
		{"account globex", func(f *insights.Filter) { f.Accounts = []string{"globex"} }, 1},
		{"plan pro", func(f *insights.Filter) { f.Plans = []string{"pro"} }, 1},
		{"plan enterprise", func(f *insights.Filter) { f.Plans = []string{"enterprise"} }, 1},
		{"both plans", func(f *insights.Filter) { f.Plans = []string{"pro", "enterprise"} }, 2},
	} {
		f := window
		c.f(&f)
		tr, err := e.store.Trends(context.Background(), insights.TrendsQuery{Grain: insights.Month, Filter: f})
		if err != nil {
			t.Fatal(err)
		}
		if len(tr.Totals) != 1 || tr.Totals[0] != c.want {
			t.Errorf("%s: totals %v, want %d", c.name, tr.Totals, c.want)
		}
	}
}

// A trend whose last period holds the present says so, and the table
// marks that period's column: its lower count is a week not over, not a
// fall.
func TestTrendsMarkTheCurrentPeriodAsPartial(t *testing.T) {
	e := newEnv(t)
	e.write(t, trendRows())
	for _, c := range []struct {
		now     string
		partial bool
	}{
		{"2024-01-17", true},  // Wednesday of the last week counted
		{"2024-01-22", false}, // the Monday after it: every week is over
		{"2024-01-10", false}, // a window in the future is empty, not partial
	} {
		store, err := insights.New(e.sink.Conn(), e.db, insights.WithClock(func() time.Time { return day(c.now).Add(9 * time.Hour) }))
		if err != nil {
			t.Fatal(err)
		}
		tr, err := store.Trends(context.Background(), insights.TrendsQuery{Filter: insights.Filter{From: day("2024-01-01"), To: day("2024-01-22")}})
		if err != nil {
			t.Fatal(err)
		}
		if tr.Partial != c.partial {
			t.Errorf("now %s: partial %v, want %v", c.now, tr.Partial, c.partial)
		}
		header, _ := tr.Table()
		if got := strings.HasSuffix(header[len(header)-2], "(so far)"); got != c.partial {
			t.Errorf("now %s: table header %q", c.now, header)
		}
	}
}
