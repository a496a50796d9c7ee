package sinks_test

import (
	"context"
	"fmt"
	"math/rand/v2"
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

// BenchmarkWriteBesideTenMillionRecords is BenchmarkWrite with 10 million
// records already listed in feedback_versions, the table every batch's ids are
// looked up in to find records that moved to another date. The batch's ids
// fall between the stored ones, so the lookup touches a granule per id.
// Compare its ns/op with BenchmarkWrite's: the difference is the lookup.
func BenchmarkWriteBesideTenMillionRecords(b *testing.B) {
	ch, _ := openSinkTB(b)
	ctx := context.Background()
	err := ch.Conn().Exec(ctx, "INSERT INTO "+ch.Database()+".feedback_versions (id, created_at, version)"+
		" SELECT concat('bench:', toString(number)), toDateTime('2025-01-01 00:00:00') + number % 31536000, toUInt64(now()) * 1000000000 FROM numbers(10000000)")
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	batches := make([][]sinks.Row, 8)
	created := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	for j := range batches {
		batches[j] = make([]sinks.Row, 10000)
		for i := range batches[j] {
			batches[j][i] = row(fmt.Sprintf("bench:%d-new", rng.IntN(10000000)), created)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := ch.Write(ctx, batches[i%len(batches)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(10000*b.N)/b.Elapsed().Seconds(), "rows/s")
}
