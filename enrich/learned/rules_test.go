package learned_test

import (
	"context"
	"testing"

	"github.com/feedbackloop/feedbackloop/enrich"
	"github.com/feedbackloop/feedbackloop/enrich/learned"
	"github.com/feedbackloop/feedbackloop/feedback"
)

// A theme the keyword rules add makes the model's SetConfidence, which was
// for another set of themes, unknown (0); where the rules add nothing it
// stays.
func TestRulesThatAddAThemeClearSetConfidence(t *testing.T) {
	tax, err := enrich.ParseTaxonomy([]byte(`themes:
  - name: Billing
  - name: Performance
    keywords: [gridlock]
  - name: Login
`), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m := train(t, synthetic(300, 6, false), learned.TrainOptions{NoNetwork: true})
	tagger := learned.WithRules(m, enrich.NewKeywordTagger(tax))
	items := []*enrich.Item{
		{Record: &feedback.Record{Body: "total gridlock"}},
		{Record: &feedback.Record{Body: "Why was I charged twice? Please refund it"}},
	}
	if err := tagger.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	if got := names(items[0].Themes); len(got) == 0 || got[0] != "Performance" || items[0].SetConfidence != 0 {
		t.Errorf("gridlock: themes %v SetConfidence %v, want Performance from the rule and 0", got, items[0].SetConfidence)
	}
	if got := names(items[1].Themes); len(got) != 1 || got[0] != "Billing" || items[1].SetConfidence <= 0.5 {
		t.Errorf("billing: themes %v SetConfidence %v, want Billing and the model's confidence", got, items[1].SetConfidence)
	}
}

// A theme only the keyword rules know comes with its parent, and a label
// of it is scored with its parent too, from the taxonomy: the model,
// never trained on it, does not know the parent.
func TestEvaluateAddsTheTaxonomysParentsToLabelsOfRuleThemes(t *testing.T) {
	tax, err := enrich.ParseTaxonomy([]byte(`themes:
  - name: Billing
  - name: Performance
  - name: Login
  - name: Reliability
    children:
      - name: Outages
        keywords: [gridlock]
`), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m := train(t, synthetic(300, 6, false), learned.TrainOptions{NoNetwork: true})
	tagger := learned.WithRules(m, enrich.NewKeywordTagger(tax))
	test := []learned.Example{{Text: "total gridlock", Labels: []string{"Outages"}}}
	r, err := learned.EvaluateTagger(context.Background(), m, tax, tagger, test)
	if err != nil {
		t.Fatal(err)
	}
	if r.Accuracy != 1 || r.PerTheme["Reliability"].Support != 1 {
		t.Errorf("report %+v, want the label's parent Reliability on both sides", r)
	}
}
