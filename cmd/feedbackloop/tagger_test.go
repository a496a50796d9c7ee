package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/feedbackloop/feedbackloop/sinks"
)

// taggerFiles writes a taxonomy, training data and test data for the
// tagger commands. The test texts about speed use "gridlock", a word no
// training text has but the taxonomy lists as a keyword: the model alone
// cannot find that theme, the keyword rules can.
func taggerFiles(t *testing.T) (taxonomy, train, test string) {
	t.Helper()
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	taxonomy = write("taxonomy.yaml", `themes:
  - name: billing
    description: Money taken or owed.
  - name: speed
    description: Slowness.
    keywords: [gridlock]
`)
	var b strings.Builder
	b.WriteString("text,labels\n")
	billing := []string{"I was charged twice", "the invoice is wrong", "please refund my payment", "why did my bill go up"}
	speed := []string{"pages load slowly", "the app is so slow", "it takes ages to open", "scrolling is slow and jerky"}
	none := []string{"love it", "great app, thanks", "nice colours", "works for me"}
	for i := range 12 {
		fmt.Fprintf(&b, "%q,billing\n", billing[i%4]+fmt.Sprintf(" (case %d)", i))
		fmt.Fprintf(&b, "%q,speed\n", speed[i%4]+fmt.Sprintf(" (case %d)", i))
		fmt.Fprintf(&b, "%q,\n", none[i%4]+fmt.Sprintf(" (case %d)", i))
		if i%3 == 0 {
			fmt.Fprintf(&b, "%q,billing|speed\n", billing[i%4]+" and "+speed[(i+1)%4])
		}
	}
	train = write("train.csv", b.String())
	test = write("test.csv", `text,labels
"I was charged twice again",billing
"the invoice is wrong this month",billing
"gridlock",speed
"total gridlock",speed
"love it",
`)
	return taxonomy, train, test
}

func evalJSON(t *testing.T, args ...string) (report struct {
	N        int     `json:"n"`
	MicroF1  float64 `json:"micro_f1"`
	PerTheme map[string]struct {
		Recall float64 `json:"recall"`
	} `json:"per_theme"`
}, stderr string) {
	t.Helper()
	stdout, stderr, err := execute(t, context.Background(), append([]string{"tagger", "eval", "--format", "json"}, args...)...)
	if err != nil {
		t.Fatalf("tagger eval %v: %v\n%s", args, err, stderr)
	}
	if err := json.Unmarshal([]byte(stdout), &report); err != nil {
		t.Fatalf("tagger eval %v printed %q: %v", args, stdout, err)
	}
	return report, stderr
}

// With --taxonomy, eval scores what the worker tags with: the model plus
// the taxonomy's keyword rules; --no-rules scores the model alone.
func TestTaggerEvalAddsTheTaxonomyKeywordRules(t *testing.T) {
	tax, train, test := taggerFiles(t)
	model := filepath.Join(t.TempDir(), "m.model")
	stdout, stderr, err := execute(t, context.Background(), "tagger", "train", "--taxonomy", tax, "--data", train, "--out", model)
	if err != nil {
		t.Fatalf("tagger train: %v\n%s", err, stderr)
	}
	if !strings.Contains(stdout, "method     ") || !strings.Contains(stdout, "linear SVM") {
		t.Errorf("train output lacks the method:\n%s", stdout)
	}

	withRules, note := evalJSON(t, "--taxonomy", tax, "--model", model, "--test", test)
	if !strings.Contains(note, "keyword rules") {
		t.Errorf("eval with a taxonomy did not say it adds keyword rules; stderr %q", note)
	}
	alone, note2 := evalJSON(t, "--taxonomy", tax, "--model", model, "--test", test, "--no-rules")
	if strings.Contains(note2, "keyword rules") {
		t.Errorf("--no-rules still mentions keyword rules: %q", note2)
	}
	if strings.Contains(note+note2, "never predict") {
		t.Errorf("every test label is a trained theme, yet eval warned: %q %q", note, note2)
	}
	if withRules.N != 5 || alone.N != 5 {
		t.Fatalf("n = %d and %d, want 5", withRules.N, alone.N)
	}
	if got := withRules.PerTheme["speed"].Recall; got != 1 {
		t.Errorf("with rules, speed recall %v, want 1: the keyword finds both texts", got)
	}
	if got := alone.PerTheme["speed"].Recall; got == 1 {
		t.Errorf("alone, speed recall %v: the model cannot know the unseen word", got)
	}
	if withRules.MicroF1 <= alone.MicroF1 {
		t.Errorf("micro-F1 with rules %.3f, alone %.3f: the rules should add the missed theme", withRules.MicroF1, alone.MicroF1)
	}

	// Training on the spot gives the same as the saved model.
	spot, _ := evalJSON(t, "--taxonomy", tax, "--train", train, "--test", test)
	if spot.MicroF1 != withRules.MicroF1 {
		t.Errorf("micro-F1 trained on the spot %.3f, from the saved model %.3f", spot.MicroF1, withRules.MicroF1)
	}
}

// A test label the model was never trained on can only be a miss; eval
// still scores it, and says which line has it. With a taxonomy whose
// keyword rules can add the theme, it is no warning.
func TestTaggerEvalWarnsOfLabelsTheModelCannotPredict(t *testing.T) {
	tax, train, _ := taggerFiles(t)
	dir := t.TempDir()
	model := filepath.Join(dir, "m.model")
	if _, stderr, err := execute(t, context.Background(), "tagger", "train", "--data", train, "--out", model); err != nil {
		t.Fatalf("tagger train: %v\n%s", err, stderr)
	}
	test := filepath.Join(dir, "test.csv")
	if err := os.WriteFile(test, []byte("text,labels\nI was charged twice,billing\nit is so slow,speeed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	report, note := evalJSON(t, "--model", model, "--test", test)
	if report.N != 2 || !strings.Contains(note, "never predict") || !strings.Contains(note, `test.csv:3: label "speeed" is not a theme the model was trained on`) {
		t.Errorf("n %d, stderr %q: want both texts scored and line 3's label named", report.N, note)
	}
	if strings.Contains(note, `"billing"`) {
		t.Errorf("a trained theme was named: %q", note)
	}

	// A theme only the taxonomy's keywords can add.
	tax2 := filepath.Join(dir, "taxonomy.yaml")
	orig, err := os.ReadFile(tax)
	if err != nil {
		t.Fatal(err)
	}
	extra := "  - name: outage\n    keywords: [down]\n  - name: docs\n"
	if err := os.WriteFile(tax2, append(orig, extra...), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(test, []byte("text,labels\nthe site is down,outage\nwhere is the manual,docs\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, note = evalJSON(t, "--taxonomy", tax2, "--model", model, "--test", test)
	if strings.Contains(note, `"outage"`) || !strings.Contains(note, `test.csv:3: label "docs"`) {
		t.Errorf("stderr %q: want docs named (no model theme, no keywords) and outage not (its keyword rule can add it)", note)
	}
}

// Models of one label per text blend in a network unless --network=false,
// and say so in the method; asking for --network on multi-label data
// warns that it cannot have one, and leaving it at its default does not.
func TestTaggerTrainNetwork(t *testing.T) {
	_, multi, _ := taggerFiles(t)
	dir := t.TempDir()
	train := func(args ...string) (stdout, stderr string) {
		t.Helper()
		args = append([]string{"tagger", "train"}, args...)
		stdout, stderr, err := execute(t, context.Background(), args...)
		if err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, stderr)
		}
		return stdout, stderr
	}
	if _, stderr := train("--network", "--data", multi, "--out", filepath.Join(dir, "multi.model")); !strings.Contains(stderr, "--network applies to data with at most one label per text") {
		t.Errorf("no warning that multi-label data gets no network; stderr %q", stderr)
	}
	if _, stderr := train("--data", multi, "--out", filepath.Join(dir, "multi.model")); strings.Contains(stderr, "warning") {
		t.Errorf("a warning about the network nobody asked for: %q", stderr)
	}

	var b strings.Builder
	b.WriteString("text,labels\n")
	for i := range 40 {
		fmt.Fprintf(&b, "\"I was charged twice, case %d\",billing\n\"the app is so slow, case %d\",speed\n", i, i)
	}
	single := filepath.Join(dir, "single.csv")
	if err := os.WriteFile(single, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr := train("--data", single, "--out", filepath.Join(dir, "single.model"))
	if !strings.Contains(stdout, "hidden-layer network") || strings.Contains(stderr, "warning") {
		t.Errorf("train on single-label data: stdout\n%s\nstderr %q", stdout, stderr)
	}
	if stdout, _ := train("--network=false", "--data", single, "--out", filepath.Join(dir, "plain.model")); strings.Contains(stdout, "network") {
		t.Errorf("train --network=false: stdout\n%s", stdout)
	}
	// A saved model is measured as it is: --network only applies to --train.
	if _, _, err := execute(t, context.Background(), "tagger", "eval", "--network=false", "--model", filepath.Join(dir, "single.model"), "--test", single); err == nil || !strings.Contains(err.Error(), "network") {
		t.Errorf("eval --network=false --model: error %v, want one naming --network", err)
	}
	if _, stderr, err := execute(t, context.Background(), "tagger", "eval", "--model", filepath.Join(dir, "single.model"), "--test", single); err != nil {
		t.Errorf("eval --model: %v\n%s", err, stderr)
	}
}

// The sources' own tags are training data too: a tag that is a theme's name
// (folded) or is mapped to one labels its record; records whose tags name no
// theme are left out and their tags listed; each record counts once.
func TestExportLabelsFromTheSourcesTags(t *testing.T) {
	tagged := func(id, body string, tags ...string) sinks.Row {
		r := row(id, "keywords", body)
		r.Tags = tags
		return r
	}
	storeRows(t, []sinks.Row{
		tagged("a", "We were charged twice", "Billing", "vip"),
		tagged("a", "We were charged twice", "Billing", "vip"), // delivered twice
		tagged("b", "Reports take a minute to open", "slowness"),
		tagged("c", "Refund still missing", "billing", "REFUNDS"), // a theme and its parent
		tagged("d", "Call me back", "vip"),
		tagged("e", "Nice", "vip", "follow_up"),
		row("f", "keywords", "No tags at all"),
	})
	out := filepath.Join(t.TempDir(), "labels.csv")
	_, stderr, err := execute(t, context.Background(), "tagger", "export-labels", "--from", "tags",
		"--tag-map", "slowness=performance", "--out", out)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	recs := readCSVFile(t, out)
	want := [][]string{{"text", "labels"},
		{"We were charged twice", "billing"},
		{"Reports take a minute to open", "performance"},
		{"Refund still missing", "refunds"}}
	if fmt.Sprint(recs) != fmt.Sprint(want) {
		t.Errorf("exported %q, want %q", recs, want)
	}
	for _, s := range []string{"3 labelled examples written", "2 records left out", "vip (2)", "follow_up (1)"} {
		if !strings.Contains(stderr, s) {
			t.Errorf("stderr lacks %q:\n%s", s, stderr)
		}
	}

	_, _, err = execute(t, context.Background(), "tagger", "export-labels", "--from", "tags", "--tag-map", "slowness=speed", "--out", out)
	if err == nil || !strings.Contains(err.Error(), `no theme "speed"`) {
		t.Errorf("mapping to an unknown theme: err %v, want one naming it", err)
	}
	if _, _, err = execute(t, context.Background(), "tagger", "export-labels", "--from", "notes", "--out", out); err == nil {
		t.Error("--from notes was accepted")
	}
}

// readCSVFile returns the records of a CSV file.
func readCSVFile(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// --routing adds what hybrid routing would do at each llm.threshold, in the
// table and in JSON; without it the JSON keeps the documented keys only.
func TestTaggerEvalRouting(t *testing.T) {
	_, train, test := taggerFiles(t)
	stdout, stderr, err := execute(t, context.Background(), "tagger", "eval", "--train", train, "--test", test, "--format", "json", "--routing")
	if err != nil {
		t.Fatalf("tagger eval --routing: %v\n%s", err, stderr)
	}
	var withRouting struct {
		Routing []struct {
			Threshold, Offline, Accuracy float64
		} `json:"routing"`
	}
	if err := json.Unmarshal([]byte(stdout), &withRouting); err != nil {
		t.Fatal(err)
	}
	rows := withRouting.Routing
	if len(rows) != 6 || rows[0].Threshold != 0.5 || rows[5].Threshold != 0.95 {
		t.Fatalf("routing %+v, want rows for 0.5 … 0.95", rows)
	}
	for i := 1; i < len(rows); i++ {
		if rows[i].Offline > rows[i-1].Offline {
			t.Errorf("threshold %v keeps %v offline, more than %v at %v", rows[i].Threshold, rows[i].Offline, rows[i-1].Offline, rows[i-1].Threshold)
		}
	}
	plain, _, err := execute(t, context.Background(), "tagger", "eval", "--train", train, "--test", test, "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain, "routing") {
		t.Errorf("JSON without --routing has a routing key: %s", plain)
	}
	table, _, err := execute(t, context.Background(), "tagger", "eval", "--train", train, "--test", test, "--routing")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(table, "hybrid routing") || !strings.Contains(table, "Sent to the LLM") {
		t.Errorf("table lacks the routing section:\n%s", table)
	}
}
