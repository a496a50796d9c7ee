package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/feedbackloop/feedbackloop/enrich"
	"github.com/feedbackloop/feedbackloop/enrich/llm/llmtest"
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

// --allow-unknown-labels drops an unknown label from training data, but
// keeps it in test data as a miss: dropped, its text would count as one
// with no theme, which a model that finds none gets right. Without
// --taxonomy the flag has nothing to allow, and says so.
func TestTaggerEvalScoresUnknownTestLabelsAsMisses(t *testing.T) {
	tax, train, _ := taggerFiles(t)
	test := filepath.Join(t.TempDir(), "test.csv")
	if err := os.WriteFile(test, []byte("text,labels\nI was charged twice,billing\nnice colours on the new icons,design\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, err := execute(t, context.Background(), "tagger", "eval", "--taxonomy", tax, "--train", train, "--test", test)
	if err == nil || !strings.Contains(err.Error(), `test.csv:3: label "design" is not in the taxonomy`) {
		t.Fatalf("error %v (stderr %q), want line 3's label named", err, stderr)
	}
	var report struct {
		N        int     `json:"n"`
		Accuracy float64 `json:"accuracy"`
		PerTheme map[string]struct {
			Support int `json:"support"`
		} `json:"per_theme"`
	}
	stdout, stderr, err := execute(t, context.Background(), "tagger", "eval", "--format", "json",
		"--taxonomy", tax, "--train", train, "--test", test, "--allow-unknown-labels")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if err := json.Unmarshal([]byte(stdout), &report); err != nil {
		t.Fatal(err)
	}
	if report.N != 2 || report.Accuracy != 0.5 || report.PerTheme["design"].Support != 1 {
		t.Errorf("n %d, accuracy %v, design support %d: want the design text scored as a miss (0.5)", report.N, report.Accuracy, report.PerTheme["design"].Support)
	}
	if !strings.Contains(stderr, `test.csv:3: label "design"`) {
		t.Errorf("stderr %q: want the miss named", stderr)
	}
	_, _, err = execute(t, context.Background(), "tagger", "train", "--data", train, "--out", filepath.Join(t.TempDir(), "m"), "--allow-unknown-labels")
	if err == nil || !strings.Contains(err.Error(), "--taxonomy") {
		t.Errorf("error %v, want --allow-unknown-labels without --taxonomy refused", err)
	}
}

// A model trained without --taxonomy comes with the taxonomy its labels
// make, so that tagger try (and a worker) can use it; a second training
// leaves that file, which may have been edited, as it is.
func TestTaggerTrainWithoutATaxonomyWritesTheModelsOwn(t *testing.T) {
	_, train, _ := taggerFiles(t)
	model := filepath.Join(t.TempDir(), "m.model")
	args := []string{"tagger", "train", "--data", train, "--out", model, "--network=false"}
	stdout, stderr, err := execute(t, context.Background(), args...)
	if err != nil || !strings.Contains(stdout, "taxonomy   "+model+".taxonomy.yaml written") {
		t.Fatalf("train (%v):\n%s%s", err, stdout, stderr)
	}
	if _, _, err := execute(t, context.Background(), "tagger", "try", "--model", model, "I was charged twice"); err == nil || !strings.Contains(err.Error(), "m.model.taxonomy.yaml that tagger train wrote") {
		t.Errorf("try with the bundled taxonomy: %v, want the written taxonomy named", err)
	}
	out, stderr, err := execute(t, context.Background(), "tagger", "try", "--model", model, "--taxonomy", model+".taxonomy.yaml", "I was charged twice")
	if err != nil || !strings.Contains(out, "billing") {
		t.Errorf("try with the model's taxonomy (%v):\n%s%s", err, out, stderr)
	}

	edited := []byte("themes:\n  - name: billing\n    keywords: [invoice]\n  - name: speed\n")
	if err := os.WriteFile(model+".taxonomy.yaml", edited, 0o644); err != nil {
		t.Fatal(err)
	}
	if stdout, _, err := execute(t, context.Background(), args...); err != nil || !strings.Contains(stdout, "is there already, fits the model, and is left as it is") {
		t.Errorf("train again (%v):\n%s", err, stdout)
	}
	if b, _ := os.ReadFile(model + ".taxonomy.yaml"); string(b) != string(edited) {
		t.Errorf("the edited taxonomy was overwritten: %q", b)
	}
	// A taxonomy written for an earlier model, with other labels, is
	// named, and the model it fits stays.
	if err := os.WriteFile(model+".taxonomy.yaml", []byte("themes:\n  - name: billing\n  - name: outage\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(model)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(model, append(before[:len(before):len(before)], before...), 0o644); err != nil { // twice the size: a new model would not be
		t.Fatal(err)
	}
	if _, _, err := execute(t, context.Background(), args...); err == nil || !strings.Contains(err.Error(), "is there already and does not fit the model") {
		t.Errorf("train again with a stale taxonomy: %v", err)
	}
	if after, _ := os.ReadFile(model); len(after) != 2*len(before) {
		t.Errorf("the model was overwritten (%d bytes, was %d) although it cannot be used", len(after), 2*len(before))
	}
}

// With a taxonomy, of a label written two ways the one it does not define
// is named, and --allow-unknown-labels drops it like any unknown label.
func TestTaggerTrainNamesTheSpellingTheTaxonomyLacks(t *testing.T) {
	tax, train, _ := taggerFiles(t)
	data, err := os.ReadFile(train)
	if err != nil {
		t.Fatal(err)
	}
	n := strings.Count(string(data), "\n") + 1 // the line the first extra row is on
	cased := filepath.Join(t.TempDir(), "cased.csv")
	if err := os.WriteFile(cased, append(data, "the page is slow to open,Speed\nthe page takes ages,speed\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"tagger", "train", "--taxonomy", tax, "--data", cased, "--out", filepath.Join(t.TempDir(), "m"), "--network=false"}
	_, _, err = execute(t, context.Background(), args...)
	if want := fmt.Sprintf(`cased.csv:%d: label "Speed" is not in the taxonomy (did you mean "speed"?`, n); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v, want %q", err, want)
	}
	if _, stderr, err := execute(t, context.Background(), append(args, "--allow-unknown-labels")...); err != nil || !strings.Contains(stderr, "1 unknown label(s) dropped") {
		t.Errorf("with --allow-unknown-labels (%v): %s", err, stderr)
	}
}

// A test file of texts without themes scores F1 0 whatever the model
// does: eval says why.
func TestTaggerEvalExplainsF1OnTextsWithoutThemes(t *testing.T) {
	_, train, _ := taggerFiles(t)
	test := filepath.Join(t.TempDir(), "none.csv")
	if err := os.WriteFile(test, []byte("text,labels\nthanks for the update,\ngood morning,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, err := execute(t, context.Background(), "tagger", "eval", "--train", train, "--test", test, "--network=false")
	if err != nil || !strings.Contains(stderr, "note: no text of "+test+" has a theme, so there is nothing for micro- and macro-F1 to count") {
		t.Errorf("eval (%v): stderr %q, want the note", err, stderr)
	}
}

// Labels are written to the model's taxonomy so that it reads them back
// as they were, whatever YAML would make of them bare.
func TestTheModelsTaxonomyKeepsOddLabelsAsTheyAre(t *testing.T) {
	odd := []string{"<<", "yes", "- dash", "a: b", "# hash", "'quoted'", "naïve", "123", "null"}
	var b strings.Builder
	b.WriteString("text,labels\n")
	for i, l := range odd {
		for j := range 4 {
			fmt.Fprintf(&b, "\"text %d of label %d, word%d\",\"%s\"\n", j, i, i, strings.ReplaceAll(l, `"`, `""`))
		}
	}
	dir := t.TempDir()
	data, model := filepath.Join(dir, "odd.csv"), filepath.Join(dir, "odd.model")
	if err := os.WriteFile(data, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, err := execute(t, context.Background(), "tagger", "train", "--data", data, "--out", model, "--network=false"); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	tax, err := enrich.LoadTaxonomy(model + ".taxonomy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := tax.Names(), slices.Sorted(slices.Values(odd)); !slices.Equal(slices.Sorted(slices.Values(got)), want) {
		t.Errorf("the taxonomy read back names %q, want %q", got, want)
	}
}

// A training row whose only label is unknown goes with it: kept, it would
// teach that such texts have no theme.
func TestTaggerTrainDropsARowLeftWithoutALabel(t *testing.T) {
	tax, train, _ := taggerFiles(t)
	data, err := os.ReadFile(train)
	if err != nil {
		t.Fatal(err)
	}
	before := strings.Count(string(data), "\n") - 1
	typo := filepath.Join(t.TempDir(), "typo.csv")
	extra := "my card has not arrived yet,card_arival\nI was billed twice for the card,billing|card_arival\n"
	if err := os.WriteFile(typo, append(data, extra...), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, err := execute(t, context.Background(), "tagger", "train", "--taxonomy", tax, "--data", typo,
		"--out", filepath.Join(t.TempDir(), "m"), "--allow-unknown-labels", "--network=false")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if want := fmt.Sprintf("examples   %d\n", before+1); !strings.Contains(stdout, want) {
		t.Errorf("stdout:\n%s\nwant %q: the row left without a label dropped, the one with billing kept", stdout, want)
	}
	if !strings.Contains(stderr, "2 unknown label(s) dropped, and 1 row(s) left without one") {
		t.Errorf("stderr %q, want the dropped row counted", stderr)
	}
}

// eval --taxonomy refuses a model trained with another tree, as the worker
// does: the model adds parents from its own record of the tree.
func TestTaggerEvalRefusesAModelOfAnotherTree(t *testing.T) {
	tax, train, test := taggerFiles(t)
	dir := t.TempDir()
	model := filepath.Join(dir, "m.model")
	if _, stderr, err := execute(t, context.Background(), "tagger", "train", "--taxonomy", tax, "--data", train, "--out", model); err != nil {
		t.Fatalf("tagger train: %v\n%s", err, stderr)
	}
	nested := filepath.Join(dir, "nested.yaml")
	if err := os.WriteFile(nested, []byte("themes:\n  - name: billing\n    children:\n      - name: speed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := execute(t, context.Background(), "tagger", "eval", "--taxonomy", nested, "--model", model, "--test", test)
	if err == nil || !strings.Contains(err.Error(), `theme "speed" at the top, the taxonomy `+nested+` has it under "billing"`) {
		t.Errorf("error %v, want the model refused for the tree it was trained with", err)
	}
}

// Where the model goes is checked before training, which takes minutes on
// real data: a directory, a missing one, the training data itself, or a
// file that is no model (a model is replaced).
func TestTaggerTrainChecksOutBeforeTraining(t *testing.T) {
	_, train, _ := taggerFiles(t)
	dir := t.TempDir()
	other := filepath.Join(dir, "test.csv")
	if err := os.WriteFile(other, []byte("text,labels\nslow,speed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	model := filepath.Join(dir, "m.model")
	for range 2 { // the second replaces the first
		if _, stderr, err := execute(t, context.Background(), "tagger", "train", "--data", train, "--out", model, "--network=false"); err != nil {
			t.Fatalf("train into %s: %v\n%s", model, err, stderr)
		}
	}
	for _, tc := range []struct{ out, want string }{
		{dir, "--out: " + dir + " is a directory"},
		{filepath.Join(dir, "missing", "m.model"), "--out: cannot write a file in " + filepath.Join(dir, "missing") + ": no such file"},
		{train, "--out " + train + " is the training data"},
		{other, "--out " + other + " is there and is no model"},
	} {
		_, _, err := execute(t, context.Background(), "tagger", "train", "--data", train, "--out", tc.out, "--network=false")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("--out %s: error %v, want %q", tc.out, err, tc.want)
		}
	}
	if b, err := os.ReadFile(train); err != nil || !strings.HasPrefix(string(b), "text,labels") {
		t.Errorf("the training data was overwritten: %.40q, %v", b, err)
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
		tagged("h", "We were charged twice", "billing"),        // another record of the same text
		tagged("b", "Reports take a minute to open", "slowness"),
		tagged("c", "Refund still missing", "billing", "REFUNDS"), // a theme and its parent
		tagged("d", "Call me back", "vip"),
		tagged("e", "Nice", "vip", "follow_up"),
		tagged("g", "Locked out again", "Log_In"), // a keyword of authentication
		row("f", "keywords", "No tags at all"),
	})
	out := filepath.Join(t.TempDir(), "labels.csv")
	_, stderr, err := execute(t, context.Background(), "tagger", "export-labels", "--from", "tags",
		"--tag-map", "slowness=Performance", "--out", out) // a theme spelled as tags are matched
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
	for _, s := range []string{"3 labelled examples written", "1 records with a text and labels already written were left out", "\n3 records left out", "vip (2)", "follow_up (1)", "add --tag-map Log_In=authentication\n"} {
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

	// No record with tags: an empty file, and a reason.
	storeRows(t, []sinks.Row{row("f", "keywords", "No tags at all")})
	_, stderr, err = execute(t, context.Background(), "tagger", "export-labels", "--from", "tags", "--out", out)
	if err != nil || !strings.Contains(stderr, "0 labelled examples") || !strings.Contains(stderr, "came with tags from its source") {
		t.Errorf("no tags: %v, stderr %q", err, stderr)
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

// taggingLLM answers tagging requests like a model that knows the test
// taxonomy (charged or invoice: billing; gridlock or slow: speed), though
// not to the letter (it writes "Billing" for charges and adds a theme
// "traffic" to gridlock), and counts the texts it was sent.
func taggingLLM(t *testing.T) *atomic.Int64 {
	t.Helper()
	var texts atomic.Int64
	configureLLM(t, answeringItems(func(w http.ResponseWriter, items []llmtest.Item) {
		answers := make([]llmtest.Answer, len(items))
		for i, it := range items {
			texts.Add(1)
			answers[i].ID = it.ID
			for word, name := range map[string]string{"charged": "Billing", "invoice": "billing", "gridlock": "speed", "slow": "speed"} {
				if strings.Contains(it.Text, word) {
					answers[i].Themes = append(answers[i].Themes, llmtest.Theme{Name: name, Evidence: word, Confidence: 0.9})
				}
			}
			if strings.Contains(it.Text, "gridlock") {
				answers[i].Themes = append(answers[i].Themes, llmtest.Theme{Name: "traffic", Evidence: "gridlock", Confidence: 0.9})
			}
		}
		llmtest.WriteCompletion(w, "test-model", llmtest.Content(answers), 100+10*len(items), 7*len(items))
	}))
	return &texts
}

// answeringItems serves tagging requests with answer, given the items
// asked about; any other request gets a 400.
func answeringItems(answer func(w http.ResponseWriter, items []llmtest.Item)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		items, err := llmtest.Items(body)
		if err != nil {
			http.Error(w, `{"error":{"message":"not a tagging request"}}`, http.StatusBadRequest)
			return
		}
		answer(w, items)
	}
}

// eval --llm measures the worker's hybrid: the texts the model is unsure
// of go to the configured LLM, whose answers are scored with the model's,
// and the share routed and the tokens are reported.
func TestTaggerEvalWithTheLLM(t *testing.T) {
	tax, train, test := taggerFiles(t)
	model := filepath.Join(t.TempDir(), "m.model")
	if _, stderr, err := execute(t, context.Background(), "tagger", "train", "--taxonomy", tax, "--data", train, "--out", model); err != nil {
		t.Fatalf("tagger train: %v\n%s", err, stderr)
	}
	if _, _, err := execute(t, context.Background(), "tagger", "eval", "--taxonomy", tax, "--model", model, "--test", test, "--llm"); err == nil || !strings.Contains(err.Error(), "llm.enabled") {
		t.Errorf("--llm without an LLM configured: %v, want an error naming llm.enabled", err)
	}
	if _, _, err := execute(t, context.Background(), "tagger", "eval", "--model", model, "--test", test, "--threshold", "0.5"); err == nil || !strings.Contains(err.Error(), "--threshold") {
		t.Errorf("--threshold without --llm: %v", err)
	}
	sent := taggingLLM(t)
	if _, _, err := execute(t, context.Background(), "tagger", "eval", "--model", model, "--test", test, "--llm"); err == nil || !strings.Contains(err.Error(), "--taxonomy") {
		t.Errorf("--llm without --taxonomy: %v, want an error naming --taxonomy", err)
	}

	alone, _ := evalJSON(t, "--taxonomy", tax, "--no-rules", "--model", model, "--test", test)
	// A round of requests is 2 texts here: the 5 need three rounds, which
	// the worker would not wait for but a measurement does.
	t.Setenv("FEEDBACKLOOP_LLM_BATCH_SIZE", "1")
	t.Setenv("FEEDBACKLOOP_LLM_CONCURRENCY", "2")
	stdout, stderr, err := execute(t, context.Background(), "tagger", "eval", "--format", "json", "--taxonomy", tax, "--no-rules",
		"--model", model, "--test", test, "--llm", "--threshold", "2")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	var all struct {
		Accuracy float64 `json:"accuracy"`
		LLM      struct {
			Routed, Answered int
			RoutedShare      float64 `json:"routed_share"`
			Prompt           int     `json:"prompt_tokens"`
			Dropped          int     `json:"dropped_labels"`
		} `json:"llm"`
	}
	if err := json.Unmarshal([]byte(stdout), &all); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	if all.LLM.Routed != 5 || all.LLM.Answered != 5 || all.LLM.RoutedShare != 1 || all.LLM.Prompt != 550 || sent.Load() != 5 {
		t.Errorf("threshold 2: %+v, %d texts sent; want all 5 routed and answered, one request each of 110 prompt tokens", all.LLM, sent.Load())
	}
	// "Billing" is billing; "traffic", given twice, is no theme of the
	// taxonomy.
	if all.Accuracy != 1 || alone.MicroF1 >= 1 || all.LLM.Dropped != 2 {
		t.Errorf("accuracy with every text answered by the LLM %.3f, want 1 (the model alone: micro-F1 %.3f); %d names dropped, want 2",
			all.Accuracy, alone.MicroF1, all.LLM.Dropped)
	}

	// At the configuration's threshold only the unsure texts go; the
	// table says how many.
	t.Setenv("FEEDBACKLOOP_LLM_THRESHOLD", "0.8")
	before := sent.Load()
	table, _, err := execute(t, context.Background(), "tagger", "eval", "--taxonomy", tax, "--model", model, "--test", test, "--llm")
	routed := sent.Load() - before
	if err != nil || !strings.Contains(table, "at threshold 0.80") || !strings.Contains(table, fmt.Sprintf("%d texts routed to it", routed)) || routed < 1 || routed >= 5 {
		t.Errorf("threshold 0.8 (%v): %d texts sent; table:\n%s", err, routed, table)
	}
}
