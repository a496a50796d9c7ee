package enrich_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/feedbackloop/feedbackloop/enrich"
	"github.com/feedbackloop/feedbackloop/feedback"
)

// The taxonomies shipped in examples/ must load, and the app-review one
// must name its themes exactly as the Review-Pulse labels do, or `tagger
// train --taxonomy` would refuse that data.
func TestExampleTaxonomies(t *testing.T) {
	files, err := filepath.Glob("../examples/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no example taxonomies found (%v)", err)
	}
	for _, f := range files {
		if _, err := enrich.LoadTaxonomy(f); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	tax, err := enrich.LoadTaxonomy("../examples/app-review-issues.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Content and Media Issues", "Crashing Issues", "Developer Related Issues", "Functionality Issues",
		"Performance Issues", "Security Related Issues", "UI / Design Issues", "User Experience Issues"}
	got := slices.Sorted(slices.Values(tax.Names()))
	if !slices.Equal(got, want) {
		t.Errorf("themes %q, want %q", got, want)
	}
	kw := enrich.NewKeywordTagger(tax)
	for text, theme := range map[string]string{
		"Scrolling got really laggy after the update":    "Performance Issues",
		"It takes forever to open a thread":              "Performance Issues",
		"Crashes every time I rotate the phone":          "Crashing Issues",
		"It keeps force closing when I play a video":     "Crashing Issues",
		"Good app but the icon is ugly":                  "UI / Design Issues",
		"Please let me change the font size of comments": "UI / Design Issues",
	} {
		it := &enrich.Item{Record: &feedback.Record{Body: text}}
		if err := kw.Tag(context.Background(), []*enrich.Item{it}); err != nil {
			t.Fatal(err)
		}
		if len(it.Themes) != 1 || it.Themes[0].Name != theme {
			t.Errorf("%q: keyword themes %v, want [%s]", text, it.Themes, theme)
		}
	}
}
