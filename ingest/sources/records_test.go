package sources_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/feedbackloop/feedbackloop/ingest/sources"
)

// Lines gives each value arriving a line at a time as soon as it is
// whole: one a line for JSON lines, a record printed over several lines
// once it closes, and a value left open, broken, where it began.
func TestLinesGathersValuesPrintedOverSeveralLines(t *testing.T) {
	input := []string{
		`{"id": "a"}`,
		``,
		`{`,
		`  "id": "b",`,
		`  "tags": ["x",`,
		`    "y"]`,
		`}`,
		`{"id": "c",`, // left open
		`{"id": "d"}`,
		`not json`,
		`[`,
		`  {"id": "e"}`,
	}
	var ls sources.Lines
	var got []string
	add := func(vs []sources.LineValue) {
		for _, v := range vs {
			got = append(got, fmt.Sprintf("%d:%s", v.Line, strings.ReplaceAll(string(v.Text), "\n", "⏎")))
		}
	}
	for i, line := range input {
		add(ls.Add([]byte(line+"\r\n"), i+1))
	}
	add(ls.End())
	want := []string{
		`1:{"id": "a"}`,
		`3:{⏎"id": "b",⏎"tags": ["x",⏎"y"]⏎}`,
		`8:{"id": "c",`,
		`9:{"id": "d"}`,
		`10:not json`,
		`11:[⏎{"id": "e"}`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("values:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	small := sources.Lines{Limit: 10}
	if vs := small.Add([]byte("{"), 1); vs != nil {
		t.Fatalf("an open value given back at once: %v", vs)
	}
	if vs := small.Add([]byte(`  "body": "longer than the limit"`), 2); len(vs) != 1 || vs[0].Line != 1 {
		t.Errorf("a value over the limit: %v, want it given back from line 1", vs)
	}
}

// A line that ends inside a string is a record cut short, as a JSON string
// never spans lines: it is given back broken at once, and the records
// printed over several lines after it are read whole, not swallowed into
// it.
func TestLinesGivesBackARecordCutShortAtOnce(t *testing.T) {
	input := []string{
		`{"id": "a", "body": "the export tim`, // cut short
		`{`,
		`  "id": "b"`,
		`}`,
		`{"id": "c",`,
		`  "body": "cut`,
		`[`,
		`  {"id": "d"}`,
		`]`,
	}
	var ls sources.Lines
	var got []string
	for i, line := range input {
		for _, v := range ls.Add([]byte(line+"\n"), i+1) {
			got = append(got, fmt.Sprintf("%d:%s", v.Line, strings.ReplaceAll(string(v.Text), "\n", "⏎")))
		}
	}
	if vs := ls.End(); vs != nil {
		t.Errorf("left open at the end: %v", vs)
	}
	want := []string{
		`1:{"id": "a", "body": "the export tim`,
		`2:{⏎"id": "b"⏎}`,
		`5:{"id": "c",⏎"body": "cut`,
		`7:[⏎{"id": "d"}⏎]`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("values:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A large array printed over many lines is gathered in time linear in its
// size: each line used to validate all that came before it, and 650 KB of
// pretty-printed records took 20 s.
func BenchmarkLinesPrettyArray(b *testing.B) {
	rec := `    {"id": "csv:%d", "source": "csv", "kind": "survey", "created_at": "2026-01-02T03:04:05Z", "body": "Slow export"},`
	lines := [][]byte{[]byte("[")}
	for i := range 5000 {
		lines = append(lines, fmt.Appendf(nil, rec, i))
	}
	lines = append(lines, []byte(`    {"id": "csv:last"}`), []byte("]"))
	b.ResetTimer()
	for range b.N {
		var ls sources.Lines
		var n int
		for i, l := range lines {
			n += len(ls.Add(l, i+1))
		}
		if n != 1 {
			b.Fatalf("%d values, want 1", n)
		}
	}
}
