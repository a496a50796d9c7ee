package enrich_test

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/feedbackloop/feedbackloop/enrich"
)

const smallTaxonomy = `themes:
  - name: billing
    description: Money.
    keywords: [invoice, "charged twice", refund]
    examples: ["I was charged twice for my subscription"]
    children:
      - name: refunds
        keywords: [refund, money back]
      - name: invoices
        keywords: [invoice]
        children:
          - name: vat
            keywords: [vat number]
  - name: performance
    keywords: [slow]
`

func TestParseTaxonomyReadsThemesInFileOrder(t *testing.T) {
	tax, err := enrich.ParseTaxonomy([]byte(smallTaxonomy), "taxonomy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := tax.Names(), []string{"billing", "refunds", "invoices", "vat", "performance"}; !slices.Equal(got, want) {
		t.Errorf("Names() = %q, want %q", got, want)
	}
	billing, ok := tax.Lookup("billing")
	if !ok {
		t.Fatal("billing not found")
	}
	if billing.Description != "Money." || !slices.Equal(billing.Keywords, []string{"invoice", "charged twice", "refund"}) ||
		!slices.Equal(billing.Examples, []string{"I was charged twice for my subscription"}) || len(billing.Children) != 2 {
		t.Errorf("billing = %+v", billing)
	}
	if _, ok := tax.Lookup("nope"); ok {
		t.Error("Lookup found a theme that does not exist")
	}

	parents := []struct {
		name, parent string
		ok           bool
	}{
		{"vat", "invoices", true},
		{"refunds", "billing", true},
		{"billing", "", false},
		{"nope", "", false},
	}
	for _, p := range parents {
		if got, ok := tax.Parent(p.name); got != p.parent || ok != p.ok {
			t.Errorf("Parent(%q) = %q, %v; want %q, %v", p.name, got, ok, p.parent, p.ok)
		}
	}
	if got := tax.Ancestors("vat"); !slices.Equal(got, []string{"invoices", "billing"}) {
		t.Errorf("Ancestors(vat) = %q, want nearest first", got)
	}
	if got := tax.Ancestors("performance"); got != nil {
		t.Errorf("Ancestors of a top-level theme = %q, want nil", got)
	}
	if got := tax.Ancestors("nope"); got != nil {
		t.Errorf("Ancestors of an unknown theme = %q, want nil", got)
	}
}

func TestTaxonomyErrorsNameTheFileAndLine(t *testing.T) {
	cases := []struct {
		name string
		yaml string
		want []string // every line of the error, in order
	}{
		{
			name: "unknown key with a suggestion",
			yaml: "themes:\n  - name: billing\n    keyword: [invoice]\n",
			want: []string{`taxonomy.yaml:3: theme "billing": unknown key "keyword" (did you mean "keywords"?)`},
		},
		{
			name: "unknown key far from any known one",
			yaml: "themes:\n  - name: billing\n    colour: red\n",
			want: []string{`taxonomy.yaml:3: theme "billing": unknown key "colour" (want one of name, description, keywords, examples, children)`},
		},
		{
			name: "duplicate names anywhere in the tree",
			yaml: "themes:\n  - name: billing\n    keywords: [a]\n  - name: pricing\n    children:\n      - name: billing\n        keywords: [b]\n",
			want: []string{`taxonomy.yaml:6: theme "billing": duplicate theme name (first defined on line 2)`},
		},
		{
			name: "duplicate names differing in case",
			yaml: "themes:\n  - name: Billing\n  - name: billing\n",
			want: []string{`taxonomy.yaml:3: theme "billing": duplicate theme name (first defined on line 2)`},
		},
		{
			name: "names no label or line can hold",
			yaml: "themes:\n  - name: billing|pricing\n  - name: \"dark\\tmode\"\n",
			want: []string{
				`taxonomy.yaml:2: theme "billing|pricing": theme name holds "|", which joins the labels of labelled data, so no label could name it`,
				`taxonomy.yaml:3: theme "dark\tmode": theme name holds the control character "\t"`,
			},
		},
		{
			name: "missing and empty names",
			yaml: "themes:\n  - description: no name\n  - name: \"  \"\n  - name: ok\n    children:\n      - keywords: [x]\n",
			want: []string{
				`taxonomy.yaml:2: theme has no "name"`,
				`taxonomy.yaml:3: theme name is empty`,
				`taxonomy.yaml:6: theme has no "name" (in the children of "ok")`,
			},
		},
		{
			name: "keyword that normalises to nothing",
			yaml: "themes:\n  - name: billing\n    keywords:\n      - invoice\n      - \"!!!\"\n      - \"\"\n",
			want: []string{
				`taxonomy.yaml:5: theme "billing": keyword "!!!" has no letters or digits, so it can never match`,
				`taxonomy.yaml:6: theme "billing": keyword "" has no letters or digits, so it can never match`,
			},
		},
		{
			name: "non-string entries",
			yaml: "themes:\n  - name: errors\n    keywords:\n      - timeout\n      - 404\n      - [nested]\n      - {a: b}\n      -\n    examples: [true]\n",
			want: []string{
				`taxonomy.yaml:5: theme "errors": keyword must be a string, found a number (quote it: "404")`,
				`taxonomy.yaml:6: theme "errors": keyword must be a string, found a list`,
				`taxonomy.yaml:7: theme "errors": keyword must be a string, found a mapping`,
				`taxonomy.yaml:8: theme "errors": keyword must be a string, found nothing`,
				`taxonomy.yaml:9: theme "errors": example must be a string, found a boolean (quote it: "true")`,
			},
		},
		{
			name: "name that is not a string",
			yaml: "themes:\n  - name: [a, b]\n",
			want: []string{`taxonomy.yaml:2: theme name must be a string, found a list`},
		},
		{
			name: "keywords that are not a list",
			yaml: "themes:\n  - name: billing\n    keywords: invoice, refund\n",
			want: []string{`taxonomy.yaml:3: theme "billing": keywords must be a list of strings, found a string (write a list: [invoice, refund])`},
		},
		{
			name: "children that are not a list",
			yaml: "themes:\n  - name: billing\n    children: refunds\n",
			want: []string{`taxonomy.yaml:3: theme "billing": want a list of themes, found a string`},
		},
		{
			name: "theme that is not a mapping",
			yaml: "themes:\n  - billing\n",
			want: []string{`taxonomy.yaml:2: want a theme (a mapping with a name), found a string`},
		},
		{
			name: "key given twice",
			yaml: "themes:\n  - name: billing\n    keywords: [a]\n    keywords: [b]\n",
			want: []string{`taxonomy.yaml:4: theme "billing": key "keywords" appears twice (first on line 3)`},
		},
		{
			name: "themes given twice",
			yaml: "themes:\n  - name: billing\nthemes:\n  - name: login\n",
			want: []string{`taxonomy.yaml:3: key "themes" appears twice (first on line 1): put every theme in one list`},
		},
		{
			name: "a second document",
			yaml: "themes:\n  - name: billing\n---\nthemes:\n  - name: login\n",
			want: []string{`taxonomy.yaml:3: a second YAML document begins here; a taxonomy is one document with one "themes" list`},
		},
		{
			name: "unknown top-level key",
			yaml: "theme:\n  - name: billing\n",
			want: []string{
				`taxonomy.yaml:1: unknown key "theme" (did you mean "themes"?)`,
				`taxonomy.yaml:1: missing key "themes"`,
			},
		},
		{
			name: "not a mapping at the top",
			yaml: "- name: billing\n",
			want: []string{`taxonomy.yaml:1: want a mapping with a "themes" list, found a list`},
		},
		{
			name: "empty file",
			yaml: "",
			want: []string{`taxonomy.yaml: is empty, want a mapping with a "themes" list`},
		},
		{
			name: "no themes",
			yaml: "themes: []\n",
			want: []string{`taxonomy.yaml:1: defines no themes`},
		},
		{
			// A theme is defined once: an alias of one repeats it, and
			// under its own children it would never end.
			name: "a theme repeated by an alias",
			yaml: "themes:\n  - &a\n    name: billing\n    keywords: [x]\n  - *a\n",
			want: []string{`taxonomy.yaml:5: a YAML alias (*a) repeats a theme; define each theme once`},
		},
		{
			name: "a theme its own child by an alias",
			yaml: "themes:\n  - &a\n    name: billing\n    children:\n      - *a\n",
			want: []string{`taxonomy.yaml:5: theme "billing": a YAML alias (*a) repeats a theme; define each theme once`},
		},
		{
			name: "children that are an alias of a list of themes",
			yaml: "themes: &all\n  - name: billing\n    children: *all\n",
			want: []string{`taxonomy.yaml:3: theme "billing": a YAML alias (*all) repeats a theme; define each theme once`},
		},
		{
			name: "tab indent",
			yaml: "themes:\n  - name: billing\n    keywords:\n\t  - invoice\n",
			want: []string{`taxonomy.yaml:4: found character that cannot start any token (the line is indented with a tab; YAML indents with spaces only)`},
		},
		{
			name: "YAML syntax error",
			yaml: "themes:\n  - name: billing\n    keywords: [a, b\n",
			want: []string{`^taxonomy.yaml:\d+: `},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tax, err := enrich.ParseTaxonomy([]byte(tc.yaml), "taxonomy.yaml")
			if err == nil {
				t.Fatalf("no error; parsed %q", tax.Names())
			}
			got := strings.Split(err.Error(), "\n")
			if tc.name == "YAML syntax error" {
				if len(got) != 1 || !regexp.MustCompile(tc.want[0]).MatchString(got[0]) {
					t.Errorf("error = %q, want file:line: ...", err)
				}
				return
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("error:\n%s\nwant:\n%s", err, strings.Join(tc.want, "\n"))
			}
			var te *enrich.TaxonomyError
			if !errors.As(err, &te) || te.File != "taxonomy.yaml" {
				t.Errorf("error %v is not a *TaxonomyError for the file", err)
			}
		})
	}
}

func TestLoadTaxonomyReadsAFileAndNamesItInErrors(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	if err := os.WriteFile(good, []byte(smallTaxonomy), 0o600); err != nil {
		t.Fatal(err)
	}
	tax, err := enrich.LoadTaxonomy(good)
	if err != nil {
		t.Fatal(err)
	}
	if len(tax.Names()) != 5 {
		t.Errorf("Names() = %q", tax.Names())
	}

	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("themes:\n  - name: a\n    keyword: [x]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := enrich.LoadTaxonomy(bad); err == nil || !strings.HasPrefix(err.Error(), bad+":3: ") {
		t.Errorf("error = %v, want it to start with %s:3:", err, bad)
	}

	if _, err := enrich.LoadTaxonomy(filepath.Join(dir, "missing.yaml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("error for a missing file = %v, want os.ErrNotExist", err)
	}
}

func TestYAMLAliasesCanShareKeywordLists(t *testing.T) {
	tax, err := enrich.ParseTaxonomy([]byte("themes:\n  - name: a\n    keywords: &kw [slow, lag]\n  - name: b\n    keywords: *kw\n"), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := tax.Lookup("b"); !slices.Equal(b.Keywords, []string{"slow", "lag"}) {
		t.Errorf("b.Keywords = %q", b.Keywords)
	}
}

func TestDefaultTaxonomyCoversSaaSFeedback(t *testing.T) {
	tax := enrich.DefaultTaxonomy()
	names := tax.Names()
	for _, want := range []string{
		"billing", "invoices", "refunds", "pricing", "performance", "reliability",
		"outages", "errors", "crashes", "onboarding", "integrations", "slack",
		"salesforce", "api", "ui-ux", "data-export", "mobile", "ios", "android",
		"security-privacy", "sso", "documentation", "support-experience", "feature-requests",
	} {
		if !slices.Contains(names, want) {
			t.Errorf("default taxonomy lacks %q", want)
		}
	}
	name := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	keywords := 0
	for _, n := range names {
		if !name.MatchString(n) {
			t.Errorf("theme name %q is not lowercase-with-dashes", n)
		}
		th, _ := tax.Lookup(n)
		if th.Description == "" {
			t.Errorf("theme %q has no description", n)
		}
		if len(th.Keywords) == 0 {
			t.Errorf("theme %q has no keywords", n)
		}
		keywords += len(th.Keywords)
	}
	if keywords < 500 {
		t.Errorf("default taxonomy has %d keywords, want a rich list", keywords)
	}
	if got := tax.Ancestors("sso"); !slices.Equal(got, []string{"authentication", "security-privacy"}) {
		t.Errorf("Ancestors(sso) = %q", got)
	}
}

func TestDefaultTaxonomyReturnsACopy(t *testing.T) {
	a := enrich.DefaultTaxonomy()
	a.Themes[0].Name = "changed"
	a.Themes[0].Keywords[0] = "changed"
	a.Themes[0].Children[0].Name = "changed too"
	b := enrich.DefaultTaxonomy()
	if b.Themes[0].Name == "changed" || b.Themes[0].Keywords[0] == "changed" || b.Themes[0].Children[0].Name == "changed too" {
		t.Error("changing one DefaultTaxonomy() changed the next")
	}
}

func TestNameKeyFoldsNamesIntoTheTaxonomyStyle(t *testing.T) {
	for in, want := range map[string]string{
		"UI / Design Issues": "ui-design-issues",
		"Data_Export":        "data-export",
		"  Offline Mode! ":   "offline-mode",
		"crash—on-launch":    "crash-on-launch",
		"Überweisung 2":      "überweisung-2",
		"---":                "",
	} {
		if got := enrich.NameKey(in); got != want {
			t.Errorf("NameKey(%q) = %q, want %q", in, got, want)
		}
	}
}
