package sources_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/feedbackloop/feedbackloop/feedback"
	"github.com/feedbackloop/feedbackloop/ingest/sources"
)

const npsMap = "id=Response ID,created_at=Submitted,rating=Score,body=Comment,account.id=Customer,account.plan=Plan,author.email=Email,metadata.segment=Segment"

func npsCSV(t *testing.T, order string) []sources.Item {
	t.Helper()
	cols, err := sources.ParseColumnMap(npsMap)
	if err != nil {
		t.Fatal(err)
	}
	items, err := sources.CSV{Source: "nps", Kind: "survey", Columns: cols, DateOrder: order}.Map(read(t, "nps.csv"), sources.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return items
}

func TestCSVRowsMapAndBadRowsNameTheirLineColumnAndReason(t *testing.T) {
	items := npsCSV(t, "")
	checkOutline(t, items, []string{
		"nps:R-100", "nps:R-101",
		`error: column "Submitted" (created_at): "10/03/2025" could be month/day or day/month`,
		`error: column "Score" (rating): "ten" is not a number`,
		`error: column "Comment" (body): is empty`,
		"nps:R-105",
	})
	for i, line := range []int{2, 3, 4, 5, 6, 7} {
		if items[i].Pos.Line != line {
			t.Errorf("item %d at line %d, want %d", i, items[i].Pos.Line, line)
		}
	}
	r := record(t, items, "nps:R-101")
	if r.Kind != "survey" || *r.Rating != 3 || r.Account.ID != "globex" || r.Account.Plan != "pro" ||
		r.Author.Email != "it@globex.example" || r.Metadata["segment"] != "mid" || r.Body != "The mobile app logs me out, every; single; day" {
		t.Errorf("row 3: %+v %+v %+v", r, r.Account, r.Author)
	}
	if !record(t, items, "nps:R-100").CreatedAt.Equal(time.Date(2025, 10, 1, 9, 15, 0, 0, time.UTC)) {
		t.Error("date with time")
	}
}

func TestCSVSlashDatesNeedAnOrderAndFollowIt(t *testing.T) {
	mdy := record(t, npsCSV(t, "mdy"), "nps:R-102")
	dmy := record(t, npsCSV(t, "dmy"), "nps:R-102")
	if !mdy.CreatedAt.Equal(time.Date(2025, 10, 3, 0, 0, 0, 0, time.UTC)) || !dmy.CreatedAt.Equal(time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("mdy %v dmy %v", mdy.CreatedAt, dmy.CreatedAt)
	}
}

func TestCSVWithoutIDColumnDerivesStableIDs(t *testing.T) {
	input := "When,What\n2025-01-02,slow search\n2025-01-03,great export\n"
	c := sources.CSV{Columns: map[string]string{"created_at": "when", "body": "WHAT"}}
	a, err := c.Map([]byte(input), sources.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := c.Map([]byte(input), sources.Options{})
	if a[0].Record.ID != b[0].Record.ID || a[0].Record.ID == a[1].Record.ID || !strings.HasPrefix(a[0].Record.ID, "csv:") {
		t.Errorf("ids %q %q %q", a[0].Record.ID, b[0].Record.ID, a[1].Record.ID)
	}
	if a[0].Record.Kind != "other" || a[0].Record.Source != "csv" {
		t.Errorf("defaults: %+v", a[0].Record)
	}
}

// A spreadsheet set to a language with decimal commas saves semicolons
// between columns; the header says so, and the file reads like a comma one.
func TestCSVWithSemicolonsReadsLikeCommas(t *testing.T) {
	input := "When;What;Score\n2025-01-02;slow, very slow search;3,5\n"
	c := sources.CSV{Columns: map[string]string{"created_at": "When", "body": "What", "metadata.score": "Score"}}
	items, err := c.Map([]byte(input), sources.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].Err != nil || items[0].Record.Body != "slow, very slow search" || items[0].Record.Metadata["score"] != "3,5" {
		t.Fatalf("items %+v", items)
	}
}

// A comment with an unquoted comma would otherwise lose its tail, or move it
// into the next column: the row is refused, the rows around it kept.
func TestCSVRowWithMoreFieldsThanTheHeaderIsRefused(t *testing.T) {
	input := "When,What,Who\n2025-01-02,slow search,ann\n2025-01-03,slow, very slow search,bob\n2025-01-04,export,cy,\n"
	c := sources.CSV{Columns: map[string]string{"created_at": "When", "body": "What", "author.name": "Who"}}
	items, err := c.Map([]byte(input), sources.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 3 || items[0].Record == nil || items[2].Record == nil || items[2].Record.Author.Name != "cy" {
		t.Fatalf("items %+v", items)
	}
	if items[1].Err == nil || items[1].Pos.Line != 3 || !strings.Contains(items[1].Err.Error(), `4 fields where the header has 3 (field 4 is "bob")`) {
		t.Errorf("row 3: line %d, error %v", items[1].Pos.Line, items[1].Err)
	}
}

// A quote inside an unquoted field is read as a character; a quoted field
// never closed would take every row after it as its text, so its row is
// refused, naming the line, and the rows it would have swallowed are not
// imported as one record.
func TestCSVQuoteLeftOpenIsRefusedNotMerged(t *testing.T) {
	c := sources.CSV{Columns: map[string]string{"created_at": "When", "body": "What"}}
	input := "When,What\n2025-01-01,my 27\" screen flickers\n2025-01-02,\"slow search\n2025-01-03,export fails\n2025-01-04,ok\n"
	items, err := c.Map([]byte(input), sources.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || items[0].Record == nil || items[0].Record.Body != `my 27" screen flickers` {
		t.Fatalf("items %+v: want the bare quote read and the open one refused", items)
	}
	if items[1].Err == nil || items[1].Pos.Line != 3 || !strings.Contains(items[1].Err.Error(), "not closed") {
		t.Errorf("row 3: line %d, error %v; want the open quote named", items[1].Pos.Line, items[1].Err)
	}

	// A quote not doubled inside a quoted field, and a quoted field of
	// two lines of text, import; an open quote after them is still found.
	input = "When,What\n2025-01-01,\"He said \"hi\" to me\"\n2025-01-02,\"two\nlines\"\n2025-01-03,\"open\n2025-01-04,x\n2025-01-05,y\n"
	items, err = c.Map([]byte(input), sources.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 3 || items[0].Record == nil || items[0].Record.Body != `He said "hi" to me` ||
		items[1].Record == nil || items[1].Record.Body != "two\nlines" || items[2].Err == nil || items[2].Pos.Line != 5 {
		t.Errorf("items %+v: want two rows imported and line 5's open quote refused", items)
	}
}

func TestCSVConfigurationErrorsAreClear(t *testing.T) {
	for spec, want := range map[string]string{
		"body=Comment":                    "created_at is required",
		"body=Comment,created_at":         "want field=Column",
		"body=A,created_at=B,colour=C":    `unknown field "colour"`,
		"body=A,created_at=B,body=C":      "mapped twice",
		"body=A,created_at=B,metadata.=C": "unknown field",
	} {
		if _, err := sources.ParseColumnMap(spec); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", spec, err, want)
		}
	}
	c := sources.CSV{Columns: map[string]string{"created_at": "Date", "body": "Feedback"}}
	_, err := c.Map([]byte("Date,Comment\n2025-01-01,x\n"), sources.Options{})
	if err == nil || !strings.Contains(err.Error(), `column "Feedback" (mapped to body) is not in the header`) || !strings.Contains(err.Error(), `"Comment"`) {
		t.Errorf("missing column: %v", err)
	}
	c.Source = "Bad Name"
	if _, err := c.Map([]byte("Date,Feedback\n"), sources.Options{}); err == nil {
		t.Error("an invalid source name was accepted")
	}
}

// An ARR is read as spreadsheets in any locale write it, and one that is
// no amount is refused with the row, never read as another number.
func TestCSVAmountsInAnyLocale(t *testing.T) {
	var b strings.Builder
	b.WriteString("When;What;Customer;ARR\n")
	in := []string{"1.234,56", "1,234.56", "€ 12.000", "12,000", "$1,200", "EUR 1.200", "1 200 000", "1'200'000",
		"1234,5", "1234.5", "0.500", "3", "12k", "-5", "1.2.3,4,5"}
	for i, v := range in {
		fmt.Fprintf(&b, "2025-01-02;slow;c%d;%s\n", i, v)
	}
	items, err := sources.CSV{Columns: map[string]string{"created_at": "When", "body": "What", "account.id": "Customer", "account.arr": "ARR"}}.
		Map([]byte(b.String()), sources.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"1234.56", "1234.56", "12000", "12000", "1200", "1200", "1.2e+06", "1.2e+06",
		"1234.5", "1234.5", "0.5", "3", `error: column "ARR" (account.arr): "12k" is not an amount`,
		`error: column "ARR" (account.arr): "-5" is negative`, `error: column "ARR" (account.arr): "1.2.3,4,5" is not an amount`}
	for i, it := range items {
		got := ""
		if it.Err != nil {
			got = "error: " + it.Err.Error()
		} else {
			got = fmt.Sprint(it.Record.Account.ARR)
		}
		if !strings.HasPrefix(got, want[i]) {
			t.Errorf("ARR %q read as %s, want %s", in[i], got, want[i])
		}
	}
}

// A rating with a decimal comma, as a spreadsheet in German writes it.
func TestCSVRatingWithADecimalComma(t *testing.T) {
	items, err := sources.CSV{Columns: map[string]string{"created_at": "When", "body": "What", "rating": "Score"}}.
		Map([]byte("When;What;Score\n2025-01-02;slow;4,5\n2025-01-02;slow;4,5,1\n"), sources.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || items[0].Err != nil || *items[0].Record.Rating != 4.5 || items[1].Err == nil {
		t.Fatalf("items %+v", items)
	}
}

// A file without an id column imported with the wrong date order can be
// imported again with the right one: --id-date-order derives the ids from
// the first reading, so each row keeps the id it was stored under and only
// its date changes (the store then moves the record). A date the first
// order could not read was never stored, and takes its id from the date
// read now.
func TestCSVImportedAgainWithAnotherDateOrderKeepsItsIDs(t *testing.T) {
	input := "When,What\n03/04/2025,slow search\n25/03/2025,great export\n"
	cols := map[string]string{"created_at": "When", "body": "What"}
	mapped := func(c sources.CSV) []sources.Item {
		t.Helper()
		items, err := c.Map([]byte(input), sources.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return items
	}
	first := mapped(sources.CSV{Columns: cols, DateOrder: "mdy"})
	if first[0].Err != nil || first[1].Err == nil {
		t.Fatalf("first import: %v / %v, want the second row refused (no month 25)", first[0].Err, first[1].Err)
	}
	plain := mapped(sources.CSV{Columns: cols, DateOrder: "dmy"})
	again := mapped(sources.CSV{Columns: cols, DateOrder: "dmy", IDDateOrder: "mdy"})
	if plain[0].Record.ID == first[0].Record.ID {
		t.Fatal("the other order gave the same id without --id-date-order: the test shows nothing")
	}
	if again[0].Record.ID != first[0].Record.ID {
		t.Errorf("id %q, want the first import's %q", again[0].Record.ID, first[0].Record.ID)
	}
	if !again[0].Record.CreatedAt.Equal(time.Date(2025, 4, 3, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("date %v, want 3 April (dmy)", again[0].Record.CreatedAt)
	}
	if again[1].Err != nil || again[1].Record.ID != plain[1].Record.ID {
		t.Errorf("row the first order refused: %v, id %q, want %q", again[1].Err, again[1].Record.ID, plain[1].Record.ID)
	}

	withID := sources.CSV{Columns: map[string]string{"id": "When", "created_at": "When", "body": "What"}, DateOrder: "dmy", IDDateOrder: "mdy"}
	if _, err := withID.Map([]byte(input), sources.Options{}); err == nil || !strings.Contains(err.Error(), "without an id column") {
		t.Errorf("--id-date-order with an id column: %v", err)
	}
	if _, err := (sources.CSV{Columns: cols, IDDateOrder: "ymd"}).Map([]byte(input), sources.Options{}); err == nil || !strings.Contains(err.Error(), `id date order "ymd"`) {
		t.Errorf("bad id date order: %v", err)
	}
	if _, err := (sources.CSV{Columns: cols, IDDateOrder: "mdy", DateLayout: "02.01.2006"}).Map([]byte(input), sources.Options{}); err == nil || !strings.Contains(err.Error(), "date layout") {
		t.Errorf("--id-date-order with --date-layout: %v", err)
	}
}

func TestARowWhoseIDAnEarlierRowHasWithOtherContentIsRejected(t *testing.T) {
	cols, err := sources.ParseColumnMap("id=Ticket,created_at=Date,body=Comment")
	if err != nil {
		t.Fatal(err)
	}
	data := "Ticket,Date,Comment\n" +
		"T-1,2025-03-01,Export times out\n" +
		"T-2,2025-03-01,Search is slow\n" +
		"T-1,2025-03-02,Still timing out after the fix\n" + // a second comment under the ticket's id
		"T-2,2025-03-01,Search is slow\n" // the same row again: stored once
	items, err := sources.CSV{Columns: cols}.Map([]byte(data), sources.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sources.RejectIDConflicts(items)
	checkOutline(t, items, []string{
		"csv:T-1", "csv:T-2",
		`error: id "csv:T-1" is already on line 2, with other content: an input may hold a record only once; keep one of the two, or map an id that tells them apart`,
		"csv:T-2",
	})
}

// The same record written with an empty author or metadata, or its time in
// another zone, is the same record: no conflict.
func TestTheSameRecordWrittenAnotherWayIsNoConflict(t *testing.T) {
	at := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	a := &feedback.Record{ID: "jsonl:1", Source: "jsonl", Kind: "ticket", CreatedAt: at, Body: "Export times out"}
	b := *a
	b.CreatedAt = at.In(time.FixedZone("CET", 3600))
	b.Author, b.Account, b.Metadata, b.Tags = &feedback.Author{}, &feedback.Account{}, map[string]string{}, []string{}
	items := []sources.Item{{Pos: sources.Position{Line: 1}, Record: a}, {Pos: sources.Position{Line: 2}, Record: &b}}
	sources.RejectIDConflicts(items)
	if items[1].Err != nil {
		t.Errorf("rejected: %v", items[1].Err)
	}
}

// An incremental export lists a ticket once per update, oldest first: the
// last version is imported, the earlier ones are skipped, naming it.
func TestOfAnExportsVersionsOfARecordTheLastIsKept(t *testing.T) {
	at := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	rec := func(id, body string) *feedback.Record {
		return &feedback.Record{ID: id, Source: "zendesk", Kind: "ticket", CreatedAt: at, Body: body}
	}
	items := []sources.Item{
		{Pos: sources.Position{Path: "tickets[0]"}, Record: rec("zendesk:1", "Export times out")},
		{Pos: sources.Position{Path: "tickets[1]"}, Record: rec("zendesk:2", "Search is slow")},
		{Pos: sources.Position{Path: "tickets[2]"}, Record: rec("zendesk:1", "Export times out")}, // the same again
		{Pos: sources.Position{Path: "tickets[3]"}, Record: rec("zendesk:1", "Export times out, and now it fails on Fridays")},
	}
	sources.KeepLastVersions(items)
	for i, superseded := range []bool{true, false, true, false} {
		if got := errors.Is(items[i].Err, sources.ErrSuperseded); got != superseded {
			t.Errorf("item %d superseded %v (%v), want %v", i, got, items[i].Err, superseded)
		}
	}
	if err := items[0].Err; err == nil || !strings.Contains(err.Error(), "tickets[3]") {
		t.Errorf("%v, want the later version's position named", err)
	}
}
