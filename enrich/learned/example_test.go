package learned_test

import (
	"strings"
	"testing"

	"github.com/feedbackloop/feedbackloop/enrich"
	"github.com/feedbackloop/feedbackloop/enrich/learned"
)

func TestReadCSV(t *testing.T) {
	in := "text,labels\n" +
		"The export button does nothing,Bugs\n" +
		"\"Pricing, again: too high\",Pricing|Billing\n" +
		"Love it,\n" +
		"\"A quote \"\"inside\"\" and\na line break\", Billing | Billing \n"
	got, err := learned.ReadCSV(strings.NewReader(in), "train.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := []learned.Example{
		{Text: "The export button does nothing", Labels: []string{"Bugs"}, Line: 2},
		{Text: "Pricing, again: too high", Labels: []string{"Billing", "Pricing"}, Line: 3},
		{Text: "Love it", Line: 4},
		{Text: "A quote \"inside\" and\na line break", Labels: []string{"Billing"}, Line: 5},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d examples, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Text != w.Text || g.Line != w.Line || strings.Join(g.Labels, "|") != strings.Join(w.Labels, "|") {
			t.Errorf("example %d = %+v, want %+v", i, g, w)
		}
	}
}

func TestReadCSVColumnsInAnyOrder(t *testing.T) {
	got, err := learned.ReadCSV(strings.NewReader("id,labels,text\n1,Bugs,It crashes\n"), "x.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Text != "It crashes" || got[0].Labels[0] != "Bugs" {
		t.Fatalf("got %+v", got)
	}
}

// A spreadsheet that writes decimal commas saves its "CSV" with
// semicolons; other tools export tabs. Both read as the comma file does.
func TestReadCSVSemicolonsAndTabs(t *testing.T) {
	for _, in := range []string{
		"text;labels\n\"Pricing; again, too high\";Pricing|Billing\nLove it, really;\n",
		"text\tlabels\nPricing; again, too high\tPricing|Billing\nLove it, really\t\n",
	} {
		got, err := learned.ReadCSV(strings.NewReader(in), "x.csv")
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if len(got) != 2 || got[0].Text != "Pricing; again, too high" || strings.Join(got[0].Labels, "|") != "Billing|Pricing" ||
			got[1].Text != "Love it, really" || len(got[1].Labels) != 0 {
			t.Errorf("%q: got %+v", in, got)
		}
	}
}

func TestReadCSVErrorsNameTheLine(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"bad quoting", "text,labels\nfine,Bugs\n\"unterminated,Bugs\n", "train.csv:3:"},
		{"a quote left open", "text,labels\nfine,Bugs\n\"left open,Bugs\nmore,Bugs\nand more,Bugs\n",
			`train.csv:3: extraneous or missing " in quoted-field (the record starting on this line runs on to line 5`},
		{"column twice", "text,text,labels\na,b,Bugs\n", `train.csv:1: header "text,text,labels": column "text" appears twice (fields 1 and 2)`},
		{"not UTF-8", "text,labels\nfine,Bugs\ncaf\xe9 is cold,Bugs\n", `train.csv:3: text: not UTF-8 at byte 4 ("caf\xe9 is"): save the file as UTF-8`},
		{"too long", "text,labels\nfine,Bugs\n" + strings.Repeat("word ", 60_000) + ",Bugs\n", "train.csv:3: text of 299999 bytes, over the 262144"},
		{"stray quote", "text,labels\nfine,Bugs\nso \"quoted\" here,Bugs\n", "train.csv:3: bare \" in non-quoted-field"},
		{"missing labels column", "text,labels\nfine,Bugs\nno labels here\n", "train.csv:3: 1 field(s), no labels column"},
		{"unquoted comma", "text,labels\nfine,Bugs\nslow, very slow,Speed\n", `train.csv:3: 3 fields where the header has 2 (field 3 is "Speed")`},
		{"empty text", "text,labels\n  ,Bugs\n", "train.csv:2: empty text"},
		{"control character", "text,labels\nfine,Bugs\nslow,\"Sp\teed\"\n", `train.csv:3: label "Sp\teed" holds the control character "\t", which no theme's name may`},
		{"no header", "", "train.csv: empty file"},
		{"wrong header", "body,themes\nx,y\n", "train.csv:1: header \"body,themes\": want columns text and labels"},
		{"header only", "text,labels\n", "train.csv: no examples"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := learned.ReadCSV(strings.NewReader(tc.in), "train.csv")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

// "café" composed one way in the taxonomy and another in the labels is one
// name: both are read in Unicode's composed form.
func TestLabelsAndThemeNamesMatchHoweverTheirAccentsAreComposed(t *testing.T) {
	const composed, decomposed = "caf\u00e9", "cafe\u0301"
	tax, err := enrich.ParseTaxonomy([]byte("themes:\n  - name: "+decomposed+"\n"), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ex, err := learned.ReadCSV(strings.NewReader("text,labels\nthe coffee is cold,"+composed+"\nthe tea is cold,"+decomposed+"\n"), "d.csv")
	if err != nil {
		t.Fatal(err)
	}
	if err := learned.CheckLabels(ex, "d.csv", tax); err != nil {
		t.Errorf("labels refused: %v", err)
	}
}

// Labels that differ only in case are one theme spelt two ways; names a
// taxonomy tells apart ("C#" and "C++", "speed up" and "speed-up") are not.
func TestReadCSVTellsLabelsApartAsTheTaxonomyDoes(t *testing.T) {
	ex, err := learned.ReadCSV(strings.NewReader("text,labels\nslow,C#\nlate,C++\nx,speed up\ny,speed-up\n"), "d.csv")
	if err != nil || len(ex) != 4 {
		t.Fatalf("%d examples, %v: want the four labels read as four themes", len(ex), err)
	}
}

// A label the taxonomy does not define is named with its line; one a
// typo or a case away from a theme says which theme it looks like, and one
// that is a theme's keyword (a ticket tag, often) names that theme, and
// themes joined by a comma instead of "|" are shown joined right.
func TestCheckLabelsNamesTheLineAndTheLikelyTheme(t *testing.T) {
	tax, err := enrich.ParseTaxonomy([]byte("themes:\n  - name: login\n  - name: billing\n    keywords: [invoice, Refund]\n"), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ex, err := learned.ReadCSV(strings.NewReader("text,labels\ncannot sign in,Login\nrefund please,refund\ninvoice,biling\nslow,speed\n\"pay, log\",\"billing, login\"\n"), "d.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := `d.csv:2: label "Login" is not in the taxonomy (did you mean "login"? labels are compared exactly)` + "\n" +
		`d.csv:3: label "refund" is not in the taxonomy (a keyword of the theme "billing"; labels are theme names)` + "\n" +
		`d.csv:4: label "biling" is not in the taxonomy (did you mean "billing"? labels are compared exactly)` + "\n" +
		`d.csv:5: label "speed" is not in the taxonomy` + "\n" +
		`d.csv:6: label "billing, login" is not in the taxonomy (labels are joined by "|": "billing|login")`
	if err := learned.CheckLabels(ex, "d.csv", tax); err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

func TestALabelWrittenTwoWaysIsNamedWithBothLines(t *testing.T) {
	examples, err := learned.ReadCSV(strings.NewReader("text,labels\nslow,Speed\nlate,speed \n"), "train.csv")
	if err != nil {
		t.Fatal(err)
	}
	if err := learned.CheckSpellings(examples, "train.csv"); err == nil || !strings.Contains(err.Error(), `train.csv:3: label "speed" is written "Speed" on line 2`) {
		t.Errorf("error %v, want both lines named", err)
	}
}
