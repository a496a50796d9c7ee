package learned_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/feedbackloop/feedbackloop/enrich"
	"github.com/feedbackloop/feedbackloop/enrich/learned"
	"github.com/feedbackloop/feedbackloop/feedback"
)

// Phrases written for these tests, one set per theme; an example is a few
// of them with some filler.
var phrases = map[string][]string{
	"Billing": {
		"I was charged twice this month", "the invoice shows the wrong amount", "please refund my last payment",
		"why did the price go up", "my card was billed after I cancelled", "the receipt is missing the tax",
		"can I get money back for the annual plan", "the subscription fee is too high",
	},
	"Performance": {
		"the dashboard is painfully slow", "pages take ages to load", "the app freezes when I scroll",
		"search lags behind my typing", "reports time out before they finish", "everything stutters on my laptop",
		"loading the inbox takes a minute", "it hangs whenever I open a big file",
	},
	"Login": {
		"I cannot sign in", "the password reset email never arrives", "two factor codes are rejected",
		"my account got locked out", "single sign on keeps failing", "it logs me out every hour",
		"the login page says my email is unknown", "I never get the verification code",
	},
	"": {
		"great job team", "thanks for the update", "I like the new colours", "keep it up",
		"the onboarding was friendly", "nice work on the docs", "overall a solid product", "cheers",
	},
}

var fillers = []string{"Hi,", "Honestly", "Since Tuesday", "Again,", "FYI", "Hello there.", "Sadly", ""}

func synthetic(n int, seed uint64, multi bool) []learned.Example {
	rng := rand.New(rand.NewPCG(seed, 3))
	themes := []string{"Billing", "Performance", "Login", ""}
	pick := func(theme string) string { p := phrases[theme]; return p[rng.IntN(len(p))] }
	var out []learned.Example
	for range n {
		theme := themes[rng.IntN(len(themes))]
		parts := []string{fillers[rng.IntN(len(fillers))], pick(theme)}
		labels := []string{}
		if theme != "" {
			labels = append(labels, theme)
		}
		if multi && theme != "" && rng.IntN(3) == 0 {
			other := themes[rng.IntN(3)]
			parts = append(parts, "and", pick(other))
			if other != theme {
				labels = append(labels, other)
			}
		}
		slices.Sort(labels)
		out = append(out, learned.Example{Text: strings.TrimSpace(strings.Join(parts, " ")), Labels: labels})
	}
	return out
}

func train(t *testing.T, ex []learned.Example, opts learned.TrainOptions) *learned.Model {
	t.Helper()
	m, err := learned.Train(context.Background(), ex, opts)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func names(themes []enrich.Theme) []string {
	var out []string
	for _, th := range themes {
		out = append(out, th.Name)
	}
	return out
}

func TestExclusiveModelLearnsThemesAndNoTheme(t *testing.T) {
	m := train(t, synthetic(300, 1, false), learned.TrainOptions{})
	if !m.Info().Exclusive {
		t.Fatal("single-label data made a multi-label model")
	}
	if got := m.Themes(); !slices.Equal(got, []string{"Billing", "Login", "Performance"}) {
		t.Errorf("themes %v", got)
	}
	for text, want := range map[string]string{
		"Why was I charged twice? Please refund it":    "Billing",
		"the page is so slow and freezes all the time": "Performance",
		"cannot sign in, password reset is broken":     "Login",
		"thanks team, great job":                       "",
	} {
		got := m.Predict(text)
		if want == "" {
			if len(got) != 0 {
				t.Errorf("%q: got %v, want no theme", text, names(got))
			}
			continue
		}
		if len(got) != 1 || got[0].Name != want {
			t.Errorf("%q: got %v, want [%s]", text, names(got), want)
			continue
		}
		if c := got[0].Confidence; c <= 0.5 || c > 1 {
			t.Errorf("%q: confidence %v, want a clear win in (0.5, 1]", text, c)
		}
	}
	if cv := m.Info().CV; cv == nil || cv.Accuracy < 0.9 {
		t.Errorf("internal CV %+v, want accuracy ≥ 0.9 on easy data", cv)
	}
}

func TestMultiLabelModelPredictsSeveralThemes(t *testing.T) {
	m := train(t, synthetic(600, 2, true), learned.TrainOptions{})
	if m.Info().Exclusive {
		t.Fatal("multi-label data made an exclusive model")
	}
	got := m.Predict("I was charged twice this month and the dashboard is painfully slow")
	if n := names(got); !(slices.Contains(n, "Billing") && slices.Contains(n, "Performance")) {
		t.Errorf("got %v, want Billing and Performance", n)
	}
	if got := m.Predict("nice work on the docs, cheers"); len(got) != 0 {
		t.Errorf("got %v, want no theme", names(got))
	}
	test := synthetic(200, 99, true)
	if r := learned.Evaluate(m, test); r.MicroF1 < 0.85 {
		t.Errorf("micro-F1 %.3f on fresh synthetic data, want ≥ 0.85", r.MicroF1)
	}
}

func TestTagFillsItems(t *testing.T) {
	m := train(t, synthetic(300, 4, false), learned.TrainOptions{
		Ancestors: func(theme string) []string {
			if theme == "Login" {
				return []string{"Account"}
			}
			return nil
		},
	})
	items := []*enrich.Item{
		{Record: &feedback.Record{Title: "Locked out", Body: "Love the colours. But I cannot sign in and the password reset email never arrives."}},
		{Record: &feedback.Record{Body: "thanks for the update"}, Themes: []enrich.Theme{{Name: "stale"}}},
		{Record: nil},
	}
	if err := m.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	a := items[0]
	if a.Tagger != "learned" || a.Model != m.ID() || !strings.HasPrefix(m.ID(), "learned-") {
		t.Errorf("tagger %q model %q, want learned and %s", a.Tagger, a.Model, m.ID())
	}
	if got := names(a.Themes); !slices.Equal(got, []string{"Login", "Account"}) {
		t.Fatalf("themes %v, want Login then its ancestor Account", got)
	}
	if a.Themes[1].Confidence != a.Themes[0].Confidence {
		t.Errorf("ancestor confidence %v, want the child's %v", a.Themes[1].Confidence, a.Themes[0].Confidence)
	}
	if ev := a.Themes[0].Evidence; ev != "But I cannot sign in and the password reset email never arrives." {
		t.Errorf("evidence %q, want the sentence about signing in", ev)
	}
	if b := items[1]; len(b.Themes) != 0 || b.Tagger != "learned" {
		t.Errorf("no-theme item: themes %v tagger %q, want none and learned", names(b.Themes), b.Tagger)
	}
	if c := items[2]; c.Tagger != "" {
		t.Errorf("item without record was tagged")
	}
	r := learned.Evaluate(m, []learned.Example{{Text: "cannot sign in", Labels: []string{"Login"}}})
	if r.Accuracy != 1 || r.PerTheme["Account"].Support != 1 {
		t.Errorf("evaluate with ancestors: %+v, want the ancestor counted on both sides", r)
	}
}

func TestTagIsSafeForConcurrentUse(t *testing.T) {
	m := train(t, synthetic(200, 5, false), learned.TrainOptions{})
	want := names(m.Predict("the app freezes when I scroll"))
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				it := &enrich.Item{Record: &feedback.Record{Body: fmt.Sprintf("the app freezes when I scroll %d", g*1000+i)}}
				if err := m.Tag(context.Background(), []*enrich.Item{it}); err != nil {
					t.Error(err)
					return
				}
				if got := names(it.Themes); !slices.Equal(got, want) {
					t.Errorf("got %v, want %v", got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestSaveLoadRoundTrip(t *testing.T) {
	m := train(t, synthetic(300, 6, true), learned.TrainOptions{})
	path := filepath.Join(t.TempDir(), "model")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := learned.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID() != m.ID() || got.Info().Examples != 300 || !slices.Equal(got.Themes(), m.Themes()) {
		t.Errorf("loaded %s %+v, want %s", got.ID(), got.Info(), m.ID())
	}
	for _, e := range synthetic(100, 7, true) {
		a, b := m.Predict(e.Text), got.Predict(e.Text)
		if !slices.Equal(a, b) {
			t.Fatalf("%q: before save %v, after load %v", e.Text, a, b)
		}
	}
}

func TestLoadRejectsOtherFiles(t *testing.T) {
	dir := t.TempDir()
	if _, err := learned.Load(filepath.Join(dir, "missing")); err == nil {
		t.Error("loaded a missing file")
	}
	path := filepath.Join(dir, "junk")
	if err := writeFile(path, "not a model"); err != nil {
		t.Fatal(err)
	}
	if _, err := learned.Load(path); !errors.Is(err, learned.ErrFormat) {
		t.Errorf("junk: error %v, want ErrFormat", err)
	}
}

func TestTrainRejectsUnteachableData(t *testing.T) {
	for _, tc := range []struct {
		name string
		ex   []learned.Example
	}{
		{"one example", []learned.Example{{Text: "a", Labels: []string{"A"}}}},
		{"no labels", []learned.Example{{Text: "a"}, {Text: "b"}}},
		{"one label everywhere", []learned.Example{{Text: "a", Labels: []string{"A"}}, {Text: "b", Labels: []string{"A"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := learned.Train(context.Background(), tc.ex, learned.TrainOptions{}); !errors.Is(err, learned.ErrTooFewExamples) {
				t.Errorf("error %v, want ErrTooFewExamples", err)
			}
		})
	}
}

func TestTrainStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := learned.Train(ctx, synthetic(300, 8, false), learned.TrainOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
}

// SetConfidence is the probability that the item's whole answer is right,
// "no theme" included, so that hybrid routing can keep a confident "no
// theme" offline; it is calibrated: among items at 0.8 or more, about 8 in
// 10 or more are exactly right.
func TestTagSaysHowSureItIsOfTheWholeAnswer(t *testing.T) {
	for _, multi := range []bool{false, true} {
		m := train(t, synthetic(600, 5, multi), learned.TrainOptions{NoNetwork: true})
		test := synthetic(400, 77, multi)
		items := make([]*enrich.Item, len(test))
		for i, e := range test {
			items[i] = &enrich.Item{Record: &feedback.Record{Body: e.Text}}
		}
		if err := m.Tag(context.Background(), items); err != nil {
			t.Fatal(err)
		}
		sureNone, sure, right := 0, 0, 0
		for i, it := range items {
			if it.SetConfidence <= 0 || it.SetConfidence > 1 {
				t.Fatalf("multi %v: %q has SetConfidence %v, want (0, 1]", multi, test[i].Text, it.SetConfidence)
			}
			if !multi && len(it.Themes) == 1 && it.SetConfidence != it.Themes[0].Confidence {
				t.Errorf("exclusive model: SetConfidence %v, want the theme's %v", it.SetConfidence, it.Themes[0].Confidence)
			}
			if it.Certainty() < 0.8 {
				continue
			}
			sure++
			if len(it.Themes) == 0 {
				sureNone++
			}
			got := names(it.Themes)
			slices.Sort(got)
			if slices.Equal(got, test[i].Labels) || len(got) == 0 && len(test[i].Labels) == 0 {
				right++
			}
		}
		// A quarter of the synthetic texts have no theme; a model that
		// knows it must be sure of many of them.
		if sureNone < 40 || float64(right) < 0.8*float64(sure) {
			t.Errorf("multi %v: %d items at certainty ≥ 0.8 (%d with no theme), %d of them exactly right", multi, sure, sureNone, right)
		}
	}
}
