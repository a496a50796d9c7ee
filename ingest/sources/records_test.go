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
