package learned

import (
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestWriteSplits writes the development splits on which the quality
// figures in docs/tagging.md are measured, as CSV files for `feedbackloop
// tagger eval --train … --test …`, into the folder LEARNED_SPLITS names
// (outside the repository: the data is not ours to copy):
//
//	LEARNED_SPLITS=/tmp/splits go test -run TestWriteSplits ./enrich/learned/
//
// For f in 0..4: b77_f.train/test are the folds of a stratified 5-fold
// split of banking77_train.csv (seed 7); b77s_f.train holds 10 texts per
// intent drawn from b77_f.train (seed f) and is tested on b77_f.test;
// rp_f.train/test are the 5 folds of reviewpulse_dev.csv (seed 7),
// stratified by label set; clinc_f.train/test are the folds of
// clinc150_train.csv (seed 7) and clincs_f.train 10 texts per intent of
// clinc_f.train, a check on data no setting was chosen on.
//
// For the held-out check (scripts/tagging-targets.sh) it writes
// b77s_all_d.train for d in 0..4: 10 texts per intent drawn from the
// whole of banking77_train.csv (seed d).
//
// For the learning curves in docs/tagging.md it also writes, for each
// fold's training part and each share q of 50, 70 and 85 percent, random
// subsets holding that share of its rows: b77_f.train.q-d for d in 0..2
// (the figures use draw 0 unless asked for more) and rp_f.train.q-d for d
// in 0..3 (four draws: Review-Pulse's folds are small and noisy).
func TestWriteSplits(t *testing.T) {
	dir := os.Getenv("LEARNED_SPLITS")
	if dir == "" {
		t.Skip("set LEARNED_SPLITS to a folder to write the splits to")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(t *testing.T, name string, ex []Example) {
		f, err := os.Create(filepath.Join(dir, name+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		w := csv.NewWriter(f)
		_ = w.Write([]string{"text", "labels"})
		for _, e := range ex {
			_ = w.Write([]string{e.Text, strings.Join(e.Labels, "|")})
		}
		w.Flush()
		if err := w.Error(); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	const k = 5
	// intentFolds writes prefix_f.train/test, the folds of a file of one
	// intent per text, and prefixs_f.train, 10 texts per intent of each
	// training part, and returns the training parts.
	intentFolds := func(t *testing.T, ex []Example, prefix string) [][]Example {
		folds := stratifiedFolds(ex, k, 7)
		trains := make([][]Example, k)
		for f := range k {
			trains[f] = pick(ex, folds, f, false)
			write(t, fmt.Sprintf("%s_%d.train", prefix, f), trains[f])
			write(t, fmt.Sprintf("%s_%d.test", prefix, f), pick(ex, folds, f, true))
			shots, _ := fewShot(trains[f], 10, uint64(f))
			write(t, fmt.Sprintf("%ss_%d.train", prefix, f), shots)
		}
		return trains
	}
	// Each file in its own subtest: one that is missing skips only its
	// splits.
	t.Run("banking77", func(t *testing.T) {
		all := loadShared(t, "banking77_train.csv")
		for d := range 5 {
			shots, _ := fewShot(all, 10, uint64(d))
			write(t, fmt.Sprintf("b77s_all_%d.train", d), shots)
		}
		for f, train := range intentFolds(t, all, "b77") {
			for _, q := range []int{50, 70, 85} {
				for d := range 3 {
					write(t, fmt.Sprintf("b77_%d.train.%d-%d", f, q, d), share(train, q, uint64(100*f+q), uint64(d)))
				}
			}
		}
	})
	t.Run("clinc150", func(t *testing.T) {
		intentFolds(t, loadShared(t, "clinc150_train.csv"), "clinc")
	})
	t.Run("reviewpulse", func(t *testing.T) {
		rp := loadShared(t, "reviewpulse_dev.csv")
		rf := stratifiedFolds(rp, k, 7)
		for f := range k {
			rpTrain := pick(rp, rf, f, false)
			write(t, fmt.Sprintf("rp_%d.train", f), rpTrain)
			write(t, fmt.Sprintf("rp_%d.test", f), pick(rp, rf, f, true))
			for _, q := range []int{50, 70, 85} {
				for d := range 4 {
					write(t, fmt.Sprintf("rp_%d.train.%d-%d", f, q, d), share(rpTrain, q, uint64(100*f+q), uint64(d)))
				}
			}
		}
	})
}

// share returns a random q percent of ex.
func share(ex []Example, q int, seed, draw uint64) []Example {
	out := slices.Clone(ex)
	rand.New(rand.NewPCG(seed, draw)).Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out[:len(out)*q/100]
}
