package learned

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/feedbackloop/feedbackloop/enrich"
	"github.com/feedbackloop/feedbackloop/feedback"
)

// Report measures predicted theme sets against the true ones.
type Report struct {
	// N is the number of texts.
	N int `json:"n"`
	// Accuracy is the share of texts whose predicted set of themes is
	// exactly the true one; two empty sets match.
	Accuracy float64 `json:"accuracy"`
	// MicroF1 pools the decisions for every theme and text.
	MicroF1 float64 `json:"micro_f1"`
	// MacroF1 is the mean of the per-theme F1 over the themes that are
	// true for some text or predicted for some text.
	MacroF1  float64                `json:"macro_f1"`
	PerTheme map[string]ThemeScores `json:"per_theme"`
	// Routing says what hybrid routing would do with these texts at
	// each of RoutingThresholds (llm.threshold); Evaluate fills it, and
	// `tagger eval` shows it only when asked (--routing).
	Routing []RoutingRow `json:"routing,omitempty"`
}

// RoutingRow is hybrid routing at one threshold: the texts whose
// Certainty (enrich.Item.Certainty) reaches it keep their offline themes,
// the others go to the LLM.
type RoutingRow struct {
	Threshold float64 `json:"threshold"`
	// Offline is the share of texts that keep their offline themes, and
	// Accuracy the exact-set accuracy on them (0 when there are none).
	Offline  float64 `json:"offline"`
	Accuracy float64 `json:"accuracy"`
}

// RoutingThresholds are the thresholds Report.Routing covers.
var RoutingThresholds = []float64{0.5, 0.6, 0.7, 0.8, 0.9, 0.95}

// ThemeScores measures one theme. Precision is 0 when the theme was never
// predicted, recall 0 when it never applies, F1 0 when either is.
type ThemeScores struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	// Support is the number of texts the theme truly applies to.
	Support int `json:"support"`
}

// Evaluate tags the examples' texts with m and compares the themes it
// predicts with their labels. When the model knows the taxonomy's
// ancestors, both sides include the ancestors of their themes.
func Evaluate(m *Model, examples []Example) Report {
	r, _ := EvaluateTagger(context.Background(), m, nil, m, examples) // the model alone never fails
	return r
}

// EvaluateTagger tags the examples' texts with tagger, in batches, and
// scores its themes against the labels: a tagger built on m, such as the
// model with the taxonomy's keyword rules ([WithRules]) or the worker's
// hybrid of those and an LLM. Each label brings its ancestors, as
// predicted themes do: those m was trained with, and those of t when it
// is not nil. t is the taxonomy of the keyword rules, which may tag a
// theme the model never saw, with its parents. It fails only when tagger
// fails or ctx ends.
func EvaluateTagger(ctx context.Context, m *Model, t *enrich.Taxonomy, tagger enrich.Tagger, examples []Example) (Report, error) {
	gold := make([][]string, len(examples))
	pred := make([][]string, len(examples))
	certainty := make([]float64, len(examples))
	const batch = 256
	items := make([]*enrich.Item, 0, batch)
	for start := 0; start < len(examples); start += batch {
		items = items[:0]
		for _, e := range examples[start:min(start+batch, len(examples))] {
			items = append(items, &enrich.Item{Record: &feedback.Record{Body: e.Text}})
		}
		if err := tagger.Tag(ctx, items); err != nil {
			return Report{}, err
		}
		for i, it := range items {
			gold[start+i] = m.withAncestors(examples[start+i].Labels)
			if t != nil {
				for _, l := range examples[start+i].Labels {
					gold[start+i] = append(gold[start+i], t.Ancestors(l)...)
				}
			}
			for _, th := range it.Themes {
				pred[start+i] = append(pred[start+i], th.Name)
			}
			certainty[start+i] = it.Certainty()
		}
	}
	r := score(gold, pred)
	r.Routing = routing(gold, pred, certainty)
	return r, nil
}

// routing works out Report.Routing.
func routing(gold, pred [][]string, certainty []float64) []RoutingRow {
	exact := make([]bool, len(gold))
	for i := range gold {
		exact[i] = slices.Equal(set(gold[i]), set(pred[i]))
	}
	rows := make([]RoutingRow, len(RoutingThresholds))
	for j, t := range RoutingThresholds {
		kept, right := 0, 0
		for i := range gold {
			if certainty[i] >= t {
				kept++
				if exact[i] {
					right++
				}
			}
		}
		rows[j] = RoutingRow{Threshold: t}
		if n := len(gold); n > 0 {
			rows[j].Offline = float64(kept) / float64(n)
		}
		if kept > 0 {
			rows[j].Accuracy = float64(right) / float64(kept)
		}
	}
	return rows
}

// score compares predicted label sets with true ones. Sets may come in any
// order and hold repeats.
func score(gold, pred [][]string) Report {
	type counts struct{ tp, fp, fn int }
	per := make(map[string]*counts)
	get := func(l string) *counts {
		c := per[l]
		if c == nil {
			c = new(counts)
			per[l] = c
		}
		return c
	}
	r := Report{N: len(gold), PerTheme: make(map[string]ThemeScores)}
	exact := 0
	var tp, fp, fn int
	for i := range gold {
		g := set(gold[i])
		p := set(pred[i])
		if slices.Equal(g, p) {
			exact++
		}
		for _, l := range p {
			if _, ok := slices.BinarySearch(g, l); ok {
				get(l).tp++
				tp++
			} else {
				get(l).fp++
				fp++
			}
		}
		for _, l := range g {
			if _, ok := slices.BinarySearch(p, l); !ok {
				get(l).fn++
				fn++
			}
		}
	}
	if r.N > 0 {
		r.Accuracy = float64(exact) / float64(r.N)
	}
	r.MicroF1 = f1(tp, fp, fn)
	for l, c := range per {
		s := ThemeScores{Support: c.tp + c.fn, F1: f1(c.tp, c.fp, c.fn)}
		if c.tp+c.fp > 0 {
			s.Precision = float64(c.tp) / float64(c.tp+c.fp)
		}
		if c.tp+c.fn > 0 {
			s.Recall = float64(c.tp) / float64(c.tp+c.fn)
		}
		r.PerTheme[l] = s
		r.MacroF1 += s.F1
	}
	if len(per) > 0 {
		r.MacroF1 /= float64(len(per))
	}
	return r
}

// f1 is the harmonic mean of precision and recall, 0 when undefined.
func f1(tp, fp, fn int) float64 {
	if tp == 0 {
		return 0
	}
	return 2 * float64(tp) / float64(2*tp+fp+fn)
}

func set(labels []string) []string {
	s := slices.Clone(labels)
	slices.Sort(s)
	return slices.Compact(s)
}

// WriteTable writes the report as a readable table: one row per theme,
// sorted by name, then the totals.
func (r Report) WriteTable(w io.Writer) error {
	themes := make([]string, 0, len(r.PerTheme))
	for t := range r.PerTheme {
		themes = append(themes, t)
	}
	slices.Sort(themes)
	tbl := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off))
	tbl.Header("Theme", "Precision", "Recall", "F1", "Support")
	for _, t := range themes {
		s := r.PerTheme[t]
		if err := tbl.Append(t, ratio(s.Precision), ratio(s.Recall), ratio(s.F1), strconv.Itoa(s.Support)); err != nil {
			return fmt.Errorf("table: %w", err)
		}
	}
	if err := tbl.Render(); err != nil {
		return fmt.Errorf("table: %w", err)
	}
	if _, err := fmt.Fprintf(w, "texts %d   accuracy (exact set) %s   micro-F1 %s   macro-F1 %s\n",
		r.N, ratio(r.Accuracy), ratio(r.MicroF1), ratio(r.MacroF1)); err != nil || len(r.Routing) == 0 {
		return err
	}
	if _, err := fmt.Fprintln(w, "\nhybrid routing: texts whose certainty reaches llm.threshold keep these themes, the rest go to the LLM"); err != nil {
		return err
	}
	tbl = tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off))
	tbl.Header("llm.threshold", "Kept offline", "Accuracy of those (exact set)", "Sent to the LLM")
	for _, row := range r.Routing {
		if err := tbl.Append(strconv.FormatFloat(row.Threshold, 'f', -1, 64), percent(row.Offline), ratio(row.Accuracy), percent(1-row.Offline)); err != nil {
			return fmt.Errorf("table: %w", err)
		}
	}
	if err := tbl.Render(); err != nil {
		return fmt.Errorf("table: %w", err)
	}
	return nil
}

func percent(x float64) string { return strconv.FormatFloat(100*x, 'f', 1, 64) + "%" }

func ratio(x float64) string { return strconv.FormatFloat(x, 'f', 3, 64) }
