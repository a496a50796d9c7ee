package learned

import (
	"cmp"
	"context"
	"slices"

	"github.com/feedbackloop/feedbackloop/enrich"
)

// WithRules returns a tagger that tags with the model and then adds what
// rules (typically the taxonomy's keyword tagger) find: a theme either
// found keeps the higher confidence and that one's evidence. Items keep
// Tagger "learned" and the model's ID, and the model's SetConfidence unless
// a rule added a theme, which leaves none (0). Tag fails only when rules
// fails.
func WithRules(m *Model, rules enrich.Tagger) enrich.Tagger {
	return &withRules{m: m, rules: rules}
}

type withRules struct {
	m     *Model
	rules enrich.Tagger
}

func (w *withRules) Tag(ctx context.Context, items []*enrich.Item) error {
	if err := w.rules.Tag(ctx, items); err != nil {
		return err
	}
	ruled := make([][]enrich.Theme, len(items))
	for i, it := range items {
		if it != nil {
			ruled[i] = it.Themes
		}
	}
	if err := w.m.Tag(ctx, items); err != nil {
		return err
	}
	for i, it := range items {
		if it == nil || it.Record == nil {
			continue
		}
		n := len(it.Themes)
		it.Themes = merge(it.Themes, ruled[i])
		if len(it.Themes) > n {
			// A rule added a theme the model did not predict: the model's
			// probability was for another set, and the rules have none.
			it.SetConfidence = 0
		}
	}
	return nil
}

// merge unions two theme lists by name, keeping the more confident entry,
// most confident first.
func merge(a, b []enrich.Theme) []enrich.Theme {
	out := slices.Clone(a)
	for _, t := range b {
		i := slices.IndexFunc(out, func(o enrich.Theme) bool { return o.Name == t.Name })
		switch {
		case i < 0:
			out = append(out, t)
		case t.Confidence > out[i].Confidence:
			out[i] = t
		}
	}
	slices.SortStableFunc(out, func(x, y enrich.Theme) int { return cmp.Compare(y.Confidence, x.Confidence) })
	return out
}
