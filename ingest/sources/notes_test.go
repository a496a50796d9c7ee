package sources_test

import (
	"os"
	"path/filepath"
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

// Two notes whose ids are the same (acme.md and acme.txt, Acme.md and
// acme.md, or an id: that is another file's name) used to give their
// passages the same record ids, and the later interview silently replaced
// the earlier one. Neither can be told to be the right one, so both are
// refused, each naming the other and how to tell them apart; the other
// notes of the folder still import.
func TestNotesThatWouldShareAnIDAreRefusedNamingTheOtherFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("acme.md", "---\ndate: 2024-06-02\n---\nAlice talks about exports.\n")
	write("acme.txt", "---\ndate: 2024-06-01\n---\nBob talks about the dashboard.\n")
	write("Acme.md", "---\ndate: 2024-06-03\n---\nCarol talks about pricing.\n")
	write("beta.md", "---\ndate: 2024-06-04\nid: globex\n---\nDan talks about SSO.\n")
	write("globex.md", "---\ndate: 2024-06-05\n---\nEve talks about SSO too.\n")
	write("initech.md", "---\ndate: 2024-06-06\n---\nFay talks about search.\n")
	items, err := sources.Notes{}.MapDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	checkOutline(t, items, []string{
		// Acme.md, acme.md, acme.txt, beta.md, globex.md, initech.md
		"error: also that of acme.md, acme.txt", "error: also that of Acme.md, acme.txt", "error: also that of Acme.md, acme.md",
		"error: also that of globex.md", "error: also that of beta.md", "notes:initech/1",
	})
	for _, it := range items[:5] {
		if it.Err == nil {
			continue // named above
		}
		msg := it.Err.Error()
		if !strings.Contains(msg, "id: of its own") || !strings.Contains(msg, "rename") || strings.Contains(msg, it.Pos.File+",") {
			t.Errorf("%s: %v", it.Pos, msg)
		}
	}
	if err := items[1].Err; err == nil || !strings.Contains(err.Error(), "notes:acme (made from the file name) is also that of Acme.md, acme.txt") {
		t.Errorf("acme.md: %v", err)
	}
	if it := items[3]; it.Pos.File != "beta.md" || it.Pos.Line != 3 || it.Err == nil || !strings.Contains(it.Err.Error(), "notes:globex (set by id:)") {
		t.Errorf("an id: is named with its line: %s: %v", it.Pos, it.Err)
	}
}

// Front matter that cannot be read as what it says is an error naming its
// file's line and key, as a top-level arr of 12k always was. A nested
// account's arr used to be dropped when it was no number, keys the
// account and interviewee maps do not have were dropped, and so were
// maps where metadata holds text; "NaN" and "Inf" read as amounts. A list
// of text under a metadata key is kept, joined.
func TestNotesFrontMatterNothingOfWhichIsDroppedWithoutAWord(t *testing.T) {
	cases := []struct {
		front string
		line  int
		want  string
	}{
		{"account: {id: acme, arr: 12k}", 3, `account.arr: "12k" is not an amount`},
		{"account:\n  id: acme\n  tier: gold", 5, "account.tier: is not a key of account: want id, name, plan, arr"},
		{"account:\n  id: acme\n  name: [Acme, Corp]", 5, "account.name: is a list, want text"},
		{"interviewee: {name: Dana, phone: 555}", 3, "interviewee.phone: is not a key of interviewee"},
		{"panel: {a: 1}", 3, "panel: is a map"},
		{"attendees: [Sam, [Dana]]", 3, "attendees: holds a list"},
		{"tags: [a, [b, c]]", 3, "tags: holds a list"},
		{"arr: NaN", 3, `arr: "NaN" is not an amount`},
		{"arr: .inf", 3, `arr: "+Inf" is not an amount`},
		{"account: {arr: .nan}", 3, `account.arr: "NaN" is not an amount`},
		{"date: someday", 2, `date: "someday" is not a date`},
	}
	for _, tc := range cases {
		note := "---\ndate: 2025-01-01\n" + tc.front + "\n---\ntext\n"
		if strings.HasPrefix(tc.front, "date:") {
			note = "---\n" + tc.front + "\n---\ntext\n"
		}
		items := sources.Notes{}.MapFile("x.md", []byte(note))
		if len(items) != 1 || items[0].Err == nil || !strings.Contains(items[0].Err.Error(), tc.want) || items[0].Pos.Line != tc.line {
			t.Errorf("%q: got %v at %+v, want an error containing %q on line %d", tc.front, outline(items), items[0].Pos, tc.want, tc.line)
		}
	}
	// What the maps may hold still maps.
	items := sources.Notes{}.MapFile("x.md", []byte("---\ndate: 2025-01-01\naccount: {id: acme, arr: 12000}\ntags: [a, b]\nattendees: [Sam, Dana]\n---\ntext\n"))
	if len(items) != 1 || items[0].Record == nil || items[0].Record.Account.ARR != 12000 || len(items[0].Record.Tags) != 2 ||
		items[0].Record.Metadata["attendees"] != "Sam, Dana" {
		t.Errorf("valid front matter: %v", outline(items))
	}
}
