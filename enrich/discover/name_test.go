package discover

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestNameUsesEachWordOnce(t *testing.T) {
	for _, tc := range []struct {
		terms []string
		want  string
	}{
		{[]string{"feedback long", "long time", "time user"}, "feedback-long-time-user"},
		{[]string{"dark mode", "night"}, "dark-mode-night"},
		{[]string{"csv"}, "csv"},
	} {
		if got := name(tc.terms); got != tc.want {
			t.Errorf("name(%q) = %q, want %q", tc.terms, got, tc.want)
		}
	}
}

// A stem is shown in the form its texts wrote most, and the quotes are
// found through the stem whatever the form.
func TestCandidatesShowTheWordsAsWritten(t *testing.T) {
	texts := lettered("",
		"Why was I charged twice?",
		"Charged twice for one order",
		"Hidden charges on my bill",
		"I got charged again after cancelling",
		"charged before the trial ended",
	)
	got := Suggest(texts, Options{K: 1})
	if len(got) != 1 {
		t.Fatalf("got %d candidates, want 1: %+v", len(got), got)
	}
	// The stem is "charg"; four texts write charged, one charges.
	if got[0].Terms[0] != "charged" {
		t.Errorf("terms %q, want \"charged\" first", got[0].Terms)
	}
	if got[0].Count != 5 || len(got[0].Quotes) != 3 {
		t.Errorf("count %d and quotes %q, want all 5 texts and 3 quotes", got[0].Count, got[0].Quotes)
	}
}

// The quotes are the sentences that hold the most of a cluster's terms,
// the longest of equals, each shown once: not a title every text shares.
func TestQuotesAreTheSentencesWithTheMostTerms(t *testing.T) {
	texts := lettered("Feedback\nHello. ",
		"The dark mode toggle resets after every login.",
		"Dark mode turns off on its own each morning.",
		"Please keep dark mode on, the white screen hurts.",
		"The dark mode setting is lost when I switch devices.",
	)
	got := Suggest(texts, Options{K: 1})
	if len(got) != 1 {
		t.Fatalf("got %d candidates, want 1: %+v", len(got), got)
	}
	if q := got[0].Quotes; len(q) != 3 || slices.Contains(q, "Hello") || slices.Contains(q, "Feedback") {
		t.Errorf("terms %q, quotes %q: want 3 sentences about dark mode", got[0].Terms, q)
	}
}

// A sentence after a quotation starts with its own first word, not with
// the quotation's closing mark.
func TestAQuoteDoesNotStartWithTheClosingMarkBeforeIt(t *testing.T) {
	q, _ := quote(`“The dark mode resets daily.” Quinn said dark mode comes up in every meeting.`, []string{"dark", "mode", "meet"}, nil)
	if q != "Quinn said dark mode comes up in every meeting" {
		t.Errorf("quote %q, want the second sentence from its first word", q)
	}
}

// A sentence that says what a quote already shown says, with a greeting
// or a sign-off more or fewer, is not quoted again.
func TestQuotesDoNotRepeatASentenceInOtherWords(t *testing.T) {
	texts := lettered("",
		"hey, The dark mode toggle resets after every login",
		"The dark mode toggle resets after every login",
		"hello again, The dark mode toggle resets after every login!",
		"Dark mode turns off on its own each morning.",
		"The dark mode setting is lost when I switch devices. Thanks",
	)
	got := Suggest(texts, Options{K: 1})
	if len(got) != 1 {
		t.Fatalf("got %d candidates, want 1: %+v", len(got), got)
	}
	resets := 0
	for _, q := range got[0].Quotes {
		if strings.Contains(q, "toggle resets") {
			resets++
		}
	}
	if len(got[0].Quotes) != 3 || resets != 1 {
		t.Errorf("quotes %q: want 3, one of them about the toggle", got[0].Quotes)
	}
}

// One phrase repeated with different greetings is one theme, even when k
// asks for more clusters than there are topics.
func TestSuggestJoinsClustersOfOnePhrase(t *testing.T) {
	var texts []Text
	greetings := []string{"", "Hi there, ", "Hello, ", "Quick note: ", "Morning! ", "Hey team, "}
	for i, g := range greetings {
		texts = append(texts,
			Text{ID: "thanks-" + string(rune('a'+i)), Text: g + "Thanks for listening to customers, it shows"},
			Text{ID: "dark-" + string(rune('a'+i)), Text: g + "Dark mode please, the white screen hurts at night"})
	}
	split := Suggest(texts, Options{K: 6, MergeAbove: 1.01, MinSize: 1})
	got := Suggest(texts, Options{K: 6, MinSize: 1})
	if len(split) <= 2 {
		t.Fatalf("without merging, %d candidates: the test needs k-means to split a phrase", len(split))
	}
	if len(got) != 2 {
		for _, c := range got {
			t.Logf("%s %d %v", c.Name, c.Count, c.IDs)
		}
		t.Fatalf("%d candidates, want 2: one per phrase", len(got))
	}
	for _, c := range got {
		if c.Count != 6 {
			t.Errorf("candidate %q has %d texts, want 6", c.Name, c.Count)
		}
	}
}

// Redaction's placeholders stand in tickets of every subject: "[email]"
// twice in every other text must not name a theme.
func TestSuggestIgnoresPlaceholdersAndSignOffs(t *testing.T) {
	topics := []string{
		"Dark mode please, the white screen hurts at night",
		"Night shifts need a dark mode",
		"Is dark mode coming to the desktop app?",
		"CSV export drops the last column",
		"The CSV export has the wrong date format",
		"Exporting to CSV times out on big projects",
	}
	var texts []Text
	for i, s := range topics {
		texts = append(texts,
			Text{ID: string(rune('a' + i)), Text: s},
			Text{ID: string(rune('A' + i)), Text: "Hello, " + s + ". Regards, reach me at [email] or [email], on [phone] or [phone]"})
	}
	got := Suggest(texts, Options{K: 2, MinSize: 2})
	for _, c := range got {
		for _, term := range c.Terms {
			for _, w := range strings.Fields(term) {
				if w == "email" || w == "phone" || w == "regards" || w == "hello" {
					t.Errorf("candidate %q (%d texts) has the term %q", c.Name, c.Count, term)
				}
			}
		}
	}
	if len(got) != 2 || got[0].Count != 6 || got[1].Count != 6 {
		t.Errorf("want 2 candidates of 6 texts (dark mode, CSV export), got %v", got)
	}
}

func TestJoinSameNames(t *testing.T) {
	cands := []Candidate{
		{Name: "dark-mode", Terms: []string{"dark mode"}, Count: 5, Share: 0.25, Quotes: []string{"q1", "q2"}, IDs: []string{"a", "b"}, Description: "Dark screens."},
		{Name: "exports", Terms: []string{"csv"}, Count: 4, Share: 0.2, Quotes: []string{"e1"}, IDs: []string{"e"}},
		{Name: "Dark-Mode ", Terms: []string{"black background", "dark mode"}, Count: 7, Share: 0.35, Quotes: []string{"q2", "q3", "q4"}, IDs: []string{"c", "d"}, Description: "Black backgrounds."},
	}
	got := JoinSameNames(cands, 3)
	if len(got) != 2 {
		t.Fatalf("%d candidates, want 2: %+v", len(got), got)
	}
	d := got[0]
	if d.Name != "dark-mode" || d.Count != 12 || d.Share < 0.599 || d.Share > 0.601 {
		t.Errorf("joined %q: count %d share %v, want dark-mode, 12, 0.6", d.Name, d.Count, d.Share)
	}
	if fmt.Sprint(d.IDs, d.Terms, d.Quotes) != "[a b c d] [dark mode black background] [q1 q2 q3]" {
		t.Errorf("ids, terms, quotes: %v %v %v", d.IDs, d.Terms, d.Quotes)
	}
	if d.Description != "Black backgrounds." {
		t.Errorf("description %q, want the larger candidate's", d.Description)
	}
	if got[1].Name != "exports" || cands[0].Count != 5 || len(cands[0].IDs) != 2 {
		t.Errorf("second %+v; the input must stay as it was: %+v", got[1], cands[0])
	}
}

// A short quote does not keep out the longer sentences that hold its
// words: "Dark mode." says less than "Dark mode turns off each morning".
func TestAShortQuoteDoesNotHideLongerOnes(t *testing.T) {
	shown := []string{gist("Dark mode.")}
	if repeats(gist("Dark mode turns off on its own each morning"), shown) {
		t.Error("a two-word quote hid a longer sentence")
	}
	shown = []string{gist("The dark mode toggle resets")}
	if !repeats(gist("Hi team, the dark mode toggle resets after login"), shown) {
		t.Error("a sentence holding a shown quote of four words was not a repeat")
	}
}

// lettered makes a Text of each of ss, after prefix, with the ids a, b,
// c, and so on.
func lettered(prefix string, ss ...string) []Text {
	texts := make([]Text, len(ss))
	for i, s := range ss {
		texts[i] = Text{ID: string(rune('a' + i)), Text: prefix + s}
	}
	return texts
}

// An LLM that gives most candidates one name does not make one theme of
// them: they keep their own names. Two candidates of one topic named
// alike are still joined.
func TestRenameKeepsANameGivenToMostCandidatesOff(t *testing.T) {
	cands := []Candidate{
		{Name: "invoice-charged", Count: 5},
		{Name: "widget-ios", Count: 3},
		{Name: "love-app", Count: 2},
		{Name: "dark-mode", Count: 2},
		{Name: "black-background", Count: 2},
	}
	billing := Named{Name: "Billing", Description: "Charges."}
	dark := Named{Name: "dark-mode"}
	apart := Rename(cands, []Named{billing, billing, billing, dark, dark})
	got := make([]string, len(cands))
	for i, c := range cands {
		got[i] = c.Name
	}
	if apart != 3 || fmt.Sprint(got) != "[invoice-charged widget-ios love-app dark-mode dark-mode]" {
		t.Errorf("names %v, %d kept apart: want those called billing to keep their own", got, apart)
	}
	if joined := JoinSameNames(cands, 3); len(joined) != 4 {
		t.Errorf("joined %+v: want the two dark-mode candidates as one", joined)
	}
}
