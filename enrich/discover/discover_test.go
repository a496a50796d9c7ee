package discover_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/feedbackloop/feedbackloop/enrich/discover"
)

// Three made-up topics nobody's taxonomy has, with varied wording, and a
// few one-off remarks: the topics must come back as the three largest
// candidates, each named by its own words and quoting its own texts.
func TestSuggestFindsTheTopicsInUntaggedFeedback(t *testing.T) {
	topics := map[string][]string{
		"dark": {
			"Please give us a dark mode, the white screen hurts at night",
			"Dark mode would make evening work bearable",
			"Any plans for dark mode on the desktop client?",
			"The dark mode toggle is missing from settings",
			"I use dark mode everywhere except in your product",
			"Night owls need dark mode badly",
		},
		"calendar": {
			"Calendar sync with Outlook drops half my meetings",
			"Outlook calendar sync duplicates every event",
			"Since Monday the calendar sync stopped entirely",
			"Calendar sync shows meetings in the wrong time zone",
			"My Outlook calendar sync keeps asking me to reconnect",
		},
		"csv": {
			"Bulk import from CSV fails on files with accents",
			"CSV import cannot map my custom columns",
			"Importing a CSV of contacts takes forever",
			"The CSV import wizard rejects semicolons",
			"CSV import silently skips rows with empty emails",
		},
	}
	var texts []discover.Text
	for topic, list := range topics {
		for i, s := range list {
			texts = append(texts, discover.Text{ID: fmt.Sprintf("%s-%d", topic, i), Text: s})
		}
	}
	for i, s := range []string{"Great work team", "Love the new logo", "Who designed the onboarding? Fantastic"} {
		texts = append(texts, discover.Text{ID: fmt.Sprint("misc-", i), Text: s})
	}
	slices.SortFunc(texts, func(a, b discover.Text) int { return strings.Compare(a.ID, b.ID) })

	got := discover.Suggest(texts, discover.Options{K: 4, MinSize: 3})
	if len(got) < 3 {
		t.Fatalf("%d candidates, want at least the 3 topics: %+v", len(got), got)
	}
	want := map[string]string{"dark": "dark", "calendar": "calendar", "csv": "csv"}
	for _, c := range got[:3] {
		topic := strings.SplitN(c.IDs[0], "-", 2)[0]
		term, ok := want[topic]
		if !ok {
			t.Errorf("candidate %q led by %s, want one of the topics", c.Name, c.IDs[0])
			continue
		}
		delete(want, topic)
		if !strings.Contains(c.Name, term) {
			t.Errorf("candidate for %s is named %q (terms %q), want %q in the name", topic, c.Name, c.Terms, term)
		}
		pure := 0
		for _, id := range c.IDs {
			if strings.HasPrefix(id, topic+"-") {
				pure++
			}
		}
		if pure < len(topics[topic])-1 || c.Count > len(topics[topic])+1 {
			t.Errorf("candidate %q: %d members, %d of %d from its topic", c.Name, c.Count, pure, len(topics[topic]))
		}
		if len(c.Quotes) == 0 || !strings.Contains(strings.ToLower(c.Quotes[0]), term) {
			t.Errorf("candidate %q quotes %q", c.Name, c.Quotes)
		}
	}
	if len(want) > 0 {
		t.Errorf("topics not found: %v", want)
	}
	again := discover.Suggest(texts, discover.Options{K: 4, MinSize: 3})
	if fmt.Sprint(again) != fmt.Sprint(got) {
		t.Error("the same input proposed different themes")
	}
}

// Feedback in German or French whose record says so is clustered and named
// by its content words: not "die-rechnung-ist", nor "lexport" for French
// "l'export".
func TestSuggestReadsOtherLanguagesWithoutTheirCommonWords(t *testing.T) {
	var texts []discover.Text
	for i, s := range []string{
		"Die Rechnung ist falsch und der Betrag stimmt nicht.",
		"Ich kann die Rechnung nicht herunterladen, der Knopf ist grau.",
		"Wir brauchen die Rechnung mit unserer Steuernummer.",
		"Die Rechnung für März fehlt, bitte schicken.",
		"Auf der Rechnung ist die Adresse falsch.",
	} {
		texts = append(texts, discover.Text{ID: fmt.Sprint("de-", i), Text: s, Language: "de-AT"})
	}
	for i, s := range []string{
		"L'export CSV ne fonctionne pas depuis hier.",
		"Je n'arrive pas à lancer l'export CSV.",
		"L'export CSV est vide pour nous.",
		"Impossible de faire l'export CSV des factures.",
		"Quand l'export CSV sera-t-il réparé ?",
	} {
		texts = append(texts, discover.Text{ID: fmt.Sprint("fr-", i), Text: s, Language: "fr"})
	}
	got := discover.Suggest(texts, discover.Options{K: 2, MinSize: 3})
	if len(got) != 2 {
		t.Fatalf("%d candidates, want the German and the French one: %+v", len(got), got)
	}
	common := []string{"die", "der", "ist", "und", "ich", "nicht", "les", "pas", "est", "lexport", "des"}
	for _, c := range got {
		lang := strings.SplitN(c.IDs[0], "-", 2)[0]
		want := map[string]string{"de": "rechnung", "fr": "export"}[lang]
		if !strings.Contains(c.Name, want) || c.Count != 5 {
			t.Errorf("%s candidate %q of %d, want %q in its name and the 5 texts", lang, c.Name, c.Count, want)
		}
		for _, term := range c.Terms {
			for _, w := range strings.Fields(term) {
				if slices.Contains(common, w) {
					t.Errorf("%s candidate %q has the common word %q among its terms %q", lang, c.Name, w, c.Terms)
				}
			}
		}
	}
}

func TestSuggestNeedsEnoughText(t *testing.T) {
	if got := discover.Suggest([]discover.Text{{ID: "1", Text: "ok"}, {ID: "2", Text: "fine"}}, discover.Options{}); got != nil {
		t.Errorf("got %+v from two short texts, want nothing", got)
	}
	if got := discover.Suggest(nil, discover.Options{}); got != nil {
		t.Errorf("got %+v from nothing", got)
	}
}
