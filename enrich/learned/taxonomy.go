package learned

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/feedbackloop/feedbackloop/enrich"
	"github.com/feedbackloop/feedbackloop/internal/suggest"
)

// maxLabelErrors bounds how many unknown labels CheckLabels and
// CheckPredictable list.
const maxLabelErrors = 10

// CheckLabels returns an error naming the CSV line of every label (the
// first few) that taxonomy t does not define; name is the file name to
// show. It returns nil when every label is known.
func CheckLabels(examples []Example, name string, t *enrich.Taxonomy) error {
	return checkKnown(examples, name, t.Names(), "is not in the taxonomy", t)
}

// CheckPredictable returns an error naming the CSV line of every label
// (the first few) that m can never predict: a theme it was not trained on,
// nor an ancestor of one, nor one of also (the themes keyword rules can
// add). Scored against m, such a label is always a miss; it is most often
// a misspelt or renamed theme in the test data.
func CheckPredictable(examples []Example, name string, m *Model, also []string) error {
	return checkKnown(examples, name, append(m.withAncestors(m.Themes()), also...), "is not a theme the model was trained on", nil)
}

// checkKnown lists the labels outside names, each with a hint: the theme
// of t (when not nil) that has the label as a keyword, else the closest
// name.
func checkKnown(examples []Example, name string, names []string, problem string, t *enrich.Taxonomy) error {
	known := make(map[string]bool, len(names))
	for _, n := range names {
		known[n] = true
	}
	var errs []error
	total := 0
	for _, e := range examples {
		for _, l := range e.Labels {
			if known[l] {
				continue
			}
			total++
			if len(errs) < maxLabelErrors {
				hint := ""
				if joined, ok := joinedWrongly(l, known); ok {
					hint = fmt.Sprintf(" (labels are joined by \"|\": %q)", joined)
				} else if th := keywordTheme(t, l); th != "" {
					hint = fmt.Sprintf(" (a keyword of the theme %q; labels are theme names)", th)
				} else if n := suggest.Closest(l, names); n != "" {
					hint = fmt.Sprintf(" (did you mean %q? labels are compared exactly)", n)
				}
				errs = append(errs, fmt.Errorf("%s:%d: label %q %s%s", name, e.Line, l, problem, hint))
			}
		}
	}
	if total > len(errs) {
		errs = append(errs, fmt.Errorf("%s: %d more such labels", name, total-len(errs)))
	}
	return errors.Join(errs...)
}

// joinedWrongly reports whether label is names of known joined by a comma,
// semicolon or slash instead of "|", and returns it joined by "|".
func joinedWrongly(label string, known map[string]bool) (string, bool) {
	parts := strings.FieldsFunc(label, func(r rune) bool { return r == ',' || r == ';' || r == '/' })
	if len(parts) < 2 {
		return "", false
	}
	for i, p := range parts {
		if parts[i] = strings.TrimSpace(p); !known[parts[i]] {
			return "", false
		}
	}
	return strings.Join(parts, "|"), true
}

func keywordTheme(t *enrich.Taxonomy, label string) string {
	if t == nil {
		return ""
	}
	return t.WithKeyword(label)
}

// DropUnknownLabels removes from the examples the labels taxonomy t does
// not define, and the examples left without a label: kept, a text labelled
// only with a misspelt theme would teach that such texts have no theme.
// It returns the examples kept, and how many labels and examples it
// removed. examples is reused.
func DropUnknownLabels(examples []Example, t *enrich.Taxonomy) (kept []Example, labels, rows int) {
	known := make(map[string]bool)
	for _, n := range t.Names() {
		known[n] = true
	}
	kept = examples[:0]
	for _, ex := range examples {
		had := len(ex.Labels)
		ls := ex.Labels[:0:0]
		for _, l := range ex.Labels {
			if known[l] {
				ls = append(ls, l)
			} else {
				labels++
			}
		}
		if had > 0 && len(ls) == 0 {
			rows++
			continue
		}
		ex.Labels = ls
		kept = append(kept, ex)
	}
	return kept, labels, rows
}

// CheckModel returns an error unless taxonomy t defines every theme m
// predicts, each under the parents it had when m was trained. A model adds
// a theme's parents from its own record of the tree, so one trained
// without the taxonomy, or with another, would count the parent themes
// wrongly beside the keyword rules and the LLM, which read t. model and
// taxonomy name the two in the error, which lists every mismatch (the
// first few) and what to do.
func CheckModel(m *Model, model string, t *enrich.Taxonomy, taxonomy string) error {
	themes := m.Themes()
	if !slices.ContainsFunc(themes, func(th string) bool { _, ok := t.Lookup(th); return ok }) {
		listed := strings.Join(themes[:min(len(themes), 3)], ", ")
		if len(themes) > 3 {
			listed += ", …"
		}
		return fmt.Errorf("%s was trained with other themes (%s) than %s defines; give the taxonomy it was trained with (for a model trained without --taxonomy, the %s.taxonomy.yaml that tagger train wrote beside it)", model, listed, taxonomy, model)
	}
	var errs []error
	total := 0
	for _, th := range themes {
		var problem error
		if _, ok := t.Lookup(th); !ok {
			problem = fmt.Errorf("%s predicts theme %q, which %s does not define", model, th, taxonomy)
		} else if had, has := m.file.Ancestors[th], t.Ancestors(th); !slices.Equal(had, has) {
			problem = fmt.Errorf("%s was trained with theme %q %s, %s has it %s", model, th, placed(had), taxonomy, placed(has))
		}
		if problem != nil {
			if total++; len(errs) < maxLabelErrors {
				errs = append(errs, problem)
			}
		}
	}
	if total == 0 {
		return nil
	}
	if total > len(errs) {
		errs = append(errs, fmt.Errorf("%d more such themes", total-len(errs)))
	}
	return fmt.Errorf("%w\n(give the taxonomy the model was trained with, which for a model trained without --taxonomy is the %s.taxonomy.yaml that tagger train wrote beside it, or train it again with tagger train --taxonomy)", errors.Join(errs...), model)
}

// placed says where a theme with the given ancestors, nearest first, sits.
func placed(ancestors []string) string {
	if len(ancestors) == 0 {
		return "at the top"
	}
	quoted := make([]string, len(ancestors))
	for i, a := range ancestors {
		quoted[i] = strconv.Quote(a)
	}
	return "under " + strings.Join(quoted, " under ")
}
