package learned

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/feedbackloop/feedbackloop/internal/testenv"
)

// loadShared reads one of the team's reference files beside the
// repository (see testenv.ThemesFile), skipping the test without it.
func loadShared(t testing.TB, name string) []Example {
	t.Helper()
	ex, err := ReadCSVFile(testenv.ThemesFile(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return ex
}

// stratifiedFolds assigns examples to k folds, spreading each label set
// evenly.
func stratifiedFolds(ex []Example, k int, seed uint64) []int {
	rng := rand.New(rand.NewPCG(seed, 1))
	order := rng.Perm(len(ex))
	key := func(i int) string { return fmt.Sprint(ex[i].Labels) }
	slices.SortStableFunc(order, func(a, b int) int {
		switch ka, kb := key(a), key(b); {
		case ka < kb:
			return -1
		case ka > kb:
			return 1
		}
		return 0
	})
	fold := make([]int, len(ex))
	for pos, i := range order {
		fold[i] = pos % k
	}
	return fold
}

// fewShot draws shots examples per label set for training; the rest is for
// testing.
func fewShot(ex []Example, shots int, seed uint64) (train, test []Example) {
	rng := rand.New(rand.NewPCG(seed, 2))
	taken := make(map[string]int)
	for _, i := range rng.Perm(len(ex)) {
		key := fmt.Sprint(ex[i].Labels)
		if taken[key] < shots {
			taken[key]++
			train = append(train, ex[i])
		} else {
			test = append(test, ex[i])
		}
	}
	return train, test
}

func pick(ex []Example, fold []int, f int, in bool) []Example {
	var out []Example
	for i, e := range ex {
		if (fold[i] == f) == in {
			out = append(out, e)
		}
	}
	return out
}

// TestEstimate prints honest held-out estimates of the quality targets:
// every figure comes from models that never saw the texts they are scored
// on, and the models choose their own settings by internal
// cross-validation inside their training part. It takes a few minutes, so
// it runs only when LEARNED_ESTIMATE is set:
//
//	LEARNED_ESTIMATE=1 go test -run TestEstimate -v -timeout 30m ./enrich/learned/
func TestEstimate(t *testing.T) {
	if os.Getenv("LEARNED_ESTIMATE") == "" {
		t.Skip("set LEARNED_ESTIMATE=1 to run")
	}
	ctx := context.Background()
	which := os.Getenv("LEARNED_ESTIMATE")
	run := func(name string) bool { return which == "1" || which == name }
	outer := func(t *testing.T, ex []Example, k int) {
		fold := stratifiedFolds(ex, k, 7)
		var gold, pred [][]string
		for f := range k {
			start := time.Now()
			m, err := Train(ctx, pick(ex, fold, f, false), TrainOptions{})
			if err != nil {
				t.Fatal(err)
			}
			test := pick(ex, fold, f, true)
			r := Evaluate(m, test)
			var cv Report
			if m.Info().CV != nil {
				cv = *m.Info().CV
			}
			t.Logf("fold %d: accuracy %.4f micro-F1 %.4f (%s C=%g, internal CV %.4f/%.4f, %v)", f, r.Accuracy, r.MicroF1,
				m.Info().Solver, m.Info().C, cv.Accuracy, cv.MicroF1, time.Since(start).Round(time.Millisecond))
			for _, e := range test {
				gold = append(gold, e.Labels)
				var p []string
				for _, th := range m.Predict(e.Text) {
					p = append(p, th.Name)
				}
				pred = append(pred, p)
			}
		}
		r := score(gold, pred)
		t.Logf("%d-fold: n %d accuracy %.4f micro-F1 %.4f macro-F1 %.4f", k, r.N, r.Accuracy, r.MicroF1, r.MacroF1)
	}
	if run("banking77") {
		t.Run("banking77 5-fold", func(t *testing.T) { outer(t, loadShared(t, "banking77_train.csv"), 5) })
	}
	if run("banking77-10shot") {
		t.Run("banking77 10 per intent", func(t *testing.T) {
			ex := loadShared(t, "banking77_train.csv")
			var gold, pred [][]string
			for seed := range uint64(5) {
				train, test := fewShot(ex, 10, seed)
				m, err := Train(ctx, train, TrainOptions{})
				if err != nil {
					t.Fatal(err)
				}
				r := Evaluate(m, test)
				t.Logf("sample %d: %d train, accuracy %.4f (%s C=%g, internal CV %.4f)", seed, len(train), r.Accuracy, m.Info().Solver, m.Info().C, m.Info().CV.Accuracy)
				for _, e := range test {
					gold = append(gold, e.Labels)
					var p []string
					for _, th := range m.Predict(e.Text) {
						p = append(p, th.Name)
					}
					pred = append(pred, p)
				}
			}
			r := score(gold, pred)
			t.Logf("5 samples: n %d accuracy %.4f", r.N, r.Accuracy)
		})
	}
	if run("reviewpulse") {
		t.Run("reviewpulse 5-fold", func(t *testing.T) { outer(t, loadShared(t, "reviewpulse_dev.csv"), 5) })
	}
}
