package learned

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// The answers below are worked out by hand from the five cases.
func TestScoreHandMadeCases(t *testing.T) {
	gold := [][]string{{"A"}, {"A", "B"}, nil, nil, {"B"}}
	pred := [][]string{{"A"}, {"A"}, nil, {"C"}, {"B", "A"}}
	r := score(gold, pred)
	if r.N != 5 {
		t.Errorf("n = %d, want 5", r.N)
	}
	// Exact matches: case 1 and case 3 (two empty sets).
	if !near(r.Accuracy, 2.0/5) {
		t.Errorf("accuracy = %v, want 0.4", r.Accuracy)
	}
	// TP 3 (A, A, B), FP 2 (C, A), FN 1 (B): 2*3 / (2*3 + 2 + 1).
	if !near(r.MicroF1, 6.0/9) {
		t.Errorf("micro-F1 = %v, want 2/3", r.MicroF1)
	}
	want := map[string]ThemeScores{
		"A": {Precision: 2.0 / 3, Recall: 1, F1: 0.8, Support: 2},
		"B": {Precision: 1, Recall: 0.5, F1: 2.0 / 3, Support: 2},
		"C": {Precision: 0, Recall: 0, F1: 0, Support: 0},
	}
	if len(r.PerTheme) != len(want) {
		t.Fatalf("per_theme = %v, want themes A, B, C", r.PerTheme)
	}
	for name, w := range want {
		g := r.PerTheme[name]
		if !near(g.Precision, w.Precision) || !near(g.Recall, w.Recall) || !near(g.F1, w.F1) || g.Support != w.Support {
			t.Errorf("%s = %+v, want %+v", name, g, w)
		}
	}
	if !near(r.MacroF1, (0.8+2.0/3+0)/3) {
		t.Errorf("macro-F1 = %v, want %v", r.MacroF1, (0.8+2.0/3)/3)
	}
}

func TestScoreEdgeCases(t *testing.T) {
	for _, tc := range []struct {
		name       string
		gold, pred [][]string
		acc, micro float64
	}{
		{"nothing anywhere", [][]string{nil, nil}, [][]string{nil, nil}, 1, 0},
		{"all wrong", [][]string{{"A"}}, [][]string{{"B"}}, 0, 0},
		{"repeats and order do not matter", [][]string{{"B", "A"}}, [][]string{{"A", "B", "A"}}, 1, 1},
		{"no texts", nil, nil, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := score(tc.gold, tc.pred)
			if !near(r.Accuracy, tc.acc) || !near(r.MicroF1, tc.micro) {
				t.Errorf("accuracy %v micro-F1 %v, want %v and %v", r.Accuracy, r.MicroF1, tc.acc, tc.micro)
			}
		})
	}
}

func TestReportJSONShape(t *testing.T) {
	r := score([][]string{{"Billing"}}, [][]string{{"Billing"}})
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(b, &top); err != nil {
		t.Fatal(err)
	}
	keys := func(m map[string]json.RawMessage) []string {
		var k []string
		for key := range m {
			k = append(k, key)
		}
		slices.Sort(k)
		return k
	}
	if got, want := keys(top), []string{"accuracy", "macro_f1", "micro_f1", "n", "per_theme"}; !slices.Equal(got, want) {
		t.Errorf("keys %v, want %v", got, want)
	}
	var per map[string]map[string]json.RawMessage
	if err := json.Unmarshal(top["per_theme"], &per); err != nil {
		t.Fatal(err)
	}
	if got, want := keys(per["Billing"]), []string{"f1", "precision", "recall", "support"}; !slices.Equal(got, want) {
		t.Errorf("per_theme keys %v, want %v", got, want)
	}
	if string(top["n"]) != "1" || string(top["accuracy"]) != "1" {
		t.Errorf("json %s", b)
	}
}

func TestReportTable(t *testing.T) {
	r := score([][]string{{"A"}, {"B"}}, [][]string{{"A"}, nil})
	var buf bytes.Buffer
	if err := r.WriteTable(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"Theme", "Precision", "F1", "A", "1.000", "B", "0.000", "accuracy (exact set) 0.500", "micro-F1 0.667"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.Index(out, "│ A") > strings.Index(out, "│ B") {
		t.Errorf("themes not sorted:\n%s", out)
	}
}

func TestRoutingKeepsTheSureTextsOffline(t *testing.T) {
	gold := [][]string{{"A"}, {"B"}, nil, {"A"}}
	pred := [][]string{{"A"}, {"A"}, nil, nil}
	rows := routing(gold, pred, []float64{0.95, 0.85, 0.75, 0.3})
	want := map[float64]RoutingRow{
		0.5:  {0.5, 0.75, 2.0 / 3},
		0.8:  {0.8, 0.5, 0.5},
		0.9:  {0.9, 0.25, 1},
		0.95: {0.95, 0.25, 1},
	}
	if len(rows) != len(RoutingThresholds) {
		t.Fatalf("%d rows, want one per threshold", len(rows))
	}
	for _, r := range rows {
		if w, ok := want[r.Threshold]; ok && (!near(r.Offline, w.Offline) || !near(r.Accuracy, w.Accuracy)) {
			t.Errorf("threshold %v: %+v, want %+v", r.Threshold, r, w)
		}
	}
}
