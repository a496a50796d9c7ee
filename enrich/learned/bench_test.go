package learned

import (
	"context"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/feedbackloop/feedbackloop/enrich"
	"github.com/feedbackloop/feedbackloop/feedback"
)

// benchTexts builds texts of about 300 characters by joining examples.
func benchTexts(ex []Example, n int) []string {
	var out []string
	var b strings.Builder
	for i := 0; len(out) < n; i++ {
		e := ex[(i*7919)%len(ex)]
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(e.Text)
		if b.Len() >= 300 {
			out = append(out, b.String()[:300])
			b.Reset()
		}
	}
	return out
}

// benchModels keeps trained models across the runs of a benchmark.
var benchModels = map[string]*Model{}

// BenchmarkTag measures tagging throughput on 300-character texts with a
// model trained on BANKING77 (77 themes), the same without its network
// (TrainOptions.NoNetwork), and on Review-Pulse (multi-label: no network).
// Run it on one core:
//
//	go test -run '^$' -bench BenchmarkTag -cpu 1 ./enrich/learned/
func BenchmarkTag(b *testing.B) {
	for _, run := range []struct {
		file      string
		noNetwork bool
	}{{"banking77_train.csv", false}, {"reviewpulse_dev.csv", false}, {"banking77_train.csv", true}} {
		name := strings.TrimSuffix(run.file, ".csv")
		if run.noNetwork {
			name += "/no-network"
		}
		b.Run(name, func(b *testing.B) {
			ex := loadShared(b, run.file)
			m := benchModels[name]
			if m == nil {
				var err error
				m, err = Train(context.Background(), ex, TrainOptions{NoNetwork: run.noNetwork})
				if err != nil {
					b.Fatal(err)
				}
				benchModels[name] = m
			}
			texts := benchTexts(ex, 1000)
			items := make([]*enrich.Item, len(texts))
			for i, t := range texts {
				items[i] = &enrich.Item{Record: &feedback.Record{Body: t}}
			}
			runtime.GC() // not training's garbage
			b.ResetTimer()
			start := time.Now()
			n := 0
			for b.Loop() {
				if err := m.Tag(context.Background(), items[n%len(items):n%len(items)+1]); err != nil {
					b.Fatal(err)
				}
				n++
			}
			b.ReportMetric(float64(n)/time.Since(start).Seconds(), "items/s")
		})
	}
}

// BenchmarkTagSaved tags the same 300-character texts, built from the
// shared data file FEEDBACKLOOP_TAG_DATA names, with the model file
// FEEDBACKLOOP_TAG_MODEL names: no training, so that
// scripts/tagging-instructions.sh can count its instructions under
// cachegrind. Without those variables it is skipped.
func BenchmarkTagSaved(b *testing.B) {
	path, data := os.Getenv("FEEDBACKLOOP_TAG_MODEL"), os.Getenv("FEEDBACKLOOP_TAG_DATA")
	if path == "" || data == "" {
		b.Skip("FEEDBACKLOOP_TAG_MODEL and FEEDBACKLOOP_TAG_DATA name a model file and a shared data file")
	}
	m, err := Load(path)
	if err != nil {
		b.Fatal(err)
	}
	texts := benchTexts(loadShared(b, data), 1000)
	n := 0
	for b.Loop() {
		m.Predict(texts[n%len(texts)])
		n++
	}
}
