package sources_test

import (
	"strings"
	"testing"
	"time"

	"github.com/feedbackloop/feedbackloop/ingest/sources"
)

func TestNotesAreCutIntoPassagesThatNameTheirInterview(t *testing.T) {
	items, err := sources.Notes{}.MapDir("testdata/notes")
	if err != nil {
		t.Fatal(err)
	}
	checkOutline(t, items, []string{
		"notes:2024-06-11-globex/1", "notes:2024-06-11-globex/2",
		"notes:acme-2024-05/1", "notes:acme-2024-05/2", "notes:acme-2024-05/3", "notes:acme-2024-05/4",
		"error: date: is missing",
	})
	r := record(t, items, "notes:acme-2024-05/2")
	if r.Parent != "notes:acme-2024-05" || r.Kind != "interview" || r.Title != "Onboarding interview with Acme — Exports" {
		t.Errorf("passage %+v", r)
	}
	if r.Author.Email != "dana.reyes@acme.example" || r.Account.ID != "acme" || r.Account.Plan != "enterprise" ||
		!r.CreatedAt.Equal(time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC)) || r.Metadata["role"] != "Head of Support" {
		t.Errorf("front matter not applied: %+v %+v %+v", r.Author, r.Account, r.Metadata)
	}
	if items[3].Pos.File != "2024/acme-onboarding.md" || items[3].Pos.Line != 27 {
		t.Errorf("position %+v", items[3].Pos)
	}
	if g := record(t, items, "notes:2024-06-11-globex/1"); !g.CreatedAt.Equal(time.Date(2024, 6, 11, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("date from the file name: %v", g.CreatedAt)
	}
	// Short paragraphs of a section are joined: the question with its answer.
	if q := record(t, items, "notes:acme-2024-05/4"); !strings.HasPrefix(q.Body, "Q: What was hardest") || !strings.Contains(q.Body, "A: Mapping") {
		t.Errorf("question and answer not together: %q", q.Body)
	}
}

func TestNotesNeverExceedTheMaximumPassage(t *testing.T) {
	long := strings.Repeat("Exports are slow on Mondays. ", 80) // one paragraph of ~2.3 kB
	note := "---\ndate: 2025-02-03\naccount: Initech\n---\n" + long + "\n\n## Pricing\n\nToo many tiers.\n"
	items := sources.Notes{MaxPassage: 500}.MapFile("initech.md", []byte(note))
	if len(items) < 5 {
		t.Fatalf("got %d passages, want the long paragraph cut into several", len(items))
	}
	for _, it := range items {
		if it.Err != nil {
			t.Fatal(it.Err)
		}
		if len(it.Record.Body) > 500 {
			t.Errorf("%s is %d bytes", it.Record.ID, len(it.Record.Body))
		}
		if !strings.HasSuffix(it.Record.Body, ".") {
			t.Errorf("%s is not cut at a sentence end: %q", it.Record.ID, it.Record.Body[len(it.Record.Body)-20:])
		}
	}
	last := items[len(items)-1].Record
	if last.Body != "Too many tiers." || last.Metadata["section"] != "Pricing" || last.Account.Name != "Initech" || last.Account.ID != "initech" {
		t.Errorf("last passage %+v %+v", last, last.Account)
	}
}

func TestNotesWithBrokenFrontMatterAreRejectedWithTheReason(t *testing.T) {
	cases := map[string]string{
		"---\ndate: 2025-01-01\nno closing line\n": "no closing ---",
		"---\ndate: [unclosed\n---\ntext\n":        "is not YAML",
		"---\ndate: someday\n---\ntext\n":          `"someday" is not a date`,
		"---\ndate: 2025-01-01\n---\n\n\n":         "has no text",
	}
	for note, want := range cases {
		items := sources.Notes{}.MapFile("x.md", []byte(note))
		if len(items) != 1 || items[0].Err == nil || !strings.Contains(items[0].Err.Error(), want) {
			t.Errorf("%q: got %v, want an error containing %q", note, outline(items), want)
		}
	}
	// A syntax error names the file's line, not the front matter's.
	items := sources.Notes{}.MapFile("x.md", []byte("---\ncustomer: Acme\n\tdate: 2025-01-01\n---\ntext\n"))
	if len(items) != 1 || items[0].Err == nil || items[0].Pos.Line != 3 || !strings.Contains(items[0].Err.Error(), "tab") {
		t.Errorf("a tab on line 3: got %v at line %d, want line 3 and the tab named", outline(items), items[0].Pos.Line)
	}
}
