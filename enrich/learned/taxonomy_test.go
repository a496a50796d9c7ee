package learned_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/feedbackloop/feedbackloop/enrich"
	"github.com/feedbackloop/feedbackloop/enrich/learned"
)

// A model adds parent themes from the tree it was trained with, so it is
// checked against the taxonomy it is used with: every theme defined, each
// under the same parents; a taxonomy of other themes altogether is said in
// one line.
func TestCheckModelWantsTheTreeItWasTrainedWith(t *testing.T) {
	parse := func(y string) *enrich.Taxonomy {
		t.Helper()
		tax, err := enrich.ParseTaxonomy([]byte(y), "t.yaml")
		if err != nil {
			t.Fatal(err)
		}
		return tax
	}
	nested := parse("themes:\n  - name: billing\n    children:\n      - name: refunds\n  - name: login\n")
	flat := parse("themes:\n  - name: billing\n  - name: refunds\n  - name: login\n")
	other := parse("themes:\n  - name: astrology\n")
	texts := map[string][]string{
		"refunds": {"please refund my order", "I want my money back", "refund the duplicate charge"},
		"login":   {"cannot sign in", "the password reset mail never came", "login page loops"},
	}
	train := func(tax *enrich.Taxonomy) *learned.Model {
		t.Helper()
		var ex []learned.Example
		for theme, ss := range texts {
			for i, s := range ss {
				for _, v := range []string{"", "Hi, ", "Again: "} {
					ex = append(ex, learned.Example{Text: fmt.Sprintf("%s%s (%d)", v, s, i), Labels: []string{theme}})
				}
			}
		}
		opts := learned.TrainOptions{NoNetwork: true}
		if tax != nil {
			opts.Ancestors = tax.Ancestors
		}
		m, err := learned.Train(context.Background(), ex, opts)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	withTree, without := train(nested), train(nil)

	for _, tc := range []struct {
		name string
		m    *learned.Model
		tax  *enrich.Taxonomy
		want string
	}{
		{"the same tree", withTree, nested, ""},
		{"no tree, used with none", without, flat, ""},
		{"trained under a parent, used flat", withTree, flat,
			`m.model was trained with theme "refunds" under "billing", the taxonomy t.yaml has it at the top` + "\n" +
				"(give the taxonomy the model was trained with, which for a model trained without --taxonomy is the m.model.taxonomy.yaml that tagger train wrote beside it, or train it again with tagger train --taxonomy)"},
		{"trained flat, used under a parent", without, nested,
			`m.model was trained with theme "refunds" at the top, the taxonomy t.yaml has it under "billing"` + "\n" +
				"(give the taxonomy the model was trained with, which for a model trained without --taxonomy is the m.model.taxonomy.yaml that tagger train wrote beside it, or train it again with tagger train --taxonomy)"},
		{"other themes altogether", withTree, other,
			`m.model was trained with other themes (login, refunds) than the taxonomy t.yaml defines; give the taxonomy it was trained with (for a model trained without --taxonomy, the m.model.taxonomy.yaml that tagger train wrote beside it)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := learned.CheckModel(tc.m, "m.model", tc.tax, "the taxonomy t.yaml")
			if got := fmt.Sprint(err); tc.want == "" && err != nil || tc.want != "" && got != tc.want {
				t.Errorf("got %v\nwant %s", err, tc.want)
			}
		})
	}
}
