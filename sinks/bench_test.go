package sinks_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/feedbackloop/feedbackloop/sinks"
)

// BenchmarkWrite inserts batches of 10,000 enriched rows: the cost the
// worker and the bare loop share per batch.
func BenchmarkWrite(b *testing.B) {
	ch, _ := openSinkTB(b)
	rows := make([]sinks.Row, 10000)
	created := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	for i := range rows {
		rows[i] = row(fmt.Sprintf("bench:%d", i), created)
		rows[i].Themes = []string{"data-export", "csv-export", "performance"}
		rows[i].ThemeConfidence = []float32{0.9, 0.8, 0.5}
		rows[i].ThemeEvidence = []string{"The CSV export times out", "The CSV export times out", "slow"}
		rows[i].ThemeSentiment = []float32{-0.4, -0.4, -0.2}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := ch.Write(context.Background(), rows); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(rows)*b.N)/b.Elapsed().Seconds(), "rows/s")
}
