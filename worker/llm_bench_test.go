package worker_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/feedbackloop/feedbackloop/config"
	"github.com/feedbackloop/feedbackloop/feedback"
)

// BenchmarkWorkerWithSlowLLM measures the worker's end-to-end throughput
// (consume, enrich, insert, ack) over a backlog of records, offline only
// and with every item routed to an LLM that takes 300ms a request and
// fails four requests in ten. The issue asks that the second stay within
// 2x of the first. The backlog is large enough that the last chunks'
// wait for the LLM (at most llm.max_wait, 3s here) does not decide the
// figure: that wait is latency, not throughput. (At 100,000 records, once
// the offline run took under 3 s, it did: 1.9–2.3 times slower, against
// 1.34 at 300,000.) The third run keeps the product's defaults for the
// LLM's batch size and waiting calls and for the worker's goroutines (one
// per CPU and one for each call that may wait). Each iteration gets fresh
// servers; run it with
//
//	go test -run '^$' -bench BenchmarkWorkerWithSlowLLM -benchtime 1x ./worker/
func BenchmarkWorkerWithSlowLLM(b *testing.B) {
	const n = 300000
	for _, run := range []struct {
		name     string
		withLLM  bool
		defaults bool
	}{{"offline", false, false}, {"slow-failing-llm", true, false}, {"slow-failing-llm-defaults", true, true}} {
		b.Run(run.name, func(b *testing.B) {
			var total time.Duration
			for b.Loop() {
				total += runBacklog(b, n, run.withLLM, run.defaults)
			}
			b.ReportMetric(float64(n*b.N)/total.Seconds(), "msgs/s")
		})
	}
}

// runBacklog publishes n records, then starts a worker and returns how
// long it took to store and ack them all. With defaults, the LLM's batch
// size and waiting calls and the worker's goroutines are left as a user
// who sets none of them gets them.
func runBacklog(b *testing.B, n int, withLLM, defaults bool) time.Duration {
	b.StopTimer()
	defer b.StartTimer()
	cfg, pub, query := benchPipeline(b)
	cfg.Worker.Concurrency = 8 // the same for the first two: only the LLM differs
	if withLLM {
		llmConfig(&cfg, newFlakyLLM(b, 300*time.Millisecond))
	}
	if defaults {
		def := config.Default()
		cfg.LLM.BatchSize, cfg.LLM.MaxWaiting = def.LLM.BatchSize, def.LLM.MaxWaiting
		cfg.Worker.Concurrency = def.Worker.Concurrency
	}
	recs := make([]*feedback.Record, n)
	for i := range recs {
		recs[i] = record(i)
		recs[i].Body = fmt.Sprintf("Ticket %d: %s", i, recs[i].Body)
	}
	for start := 0; start < n; start += 1000 {
		outs, err := pub.Publish(context.Background(), recs[start:min(start+1000, n)])
		if err != nil {
			b.Fatal(err)
		}
		for _, o := range outs {
			if o.Err != nil {
				b.Fatal(o.Err)
			}
		}
	}
	b.StartTimer()
	began := time.Now()
	stop, reg := runWorker(b, cfg)
	deadline := time.Now().Add(5 * time.Minute)
	for inserted(b, reg) < n {
		if time.Now().After(deadline) {
			b.Fatalf("only %d of %d records stored after 5 minutes", inserted(b, reg), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	took := time.Since(began)
	b.StopTimer()
	if err := stop(); err != nil {
		b.Fatal(err)
	}
	if got := query("SELECT count() FROM {db}.feedback FINAL"); got != uint64(n) {
		b.Fatalf("%d rows, want %d", got, n)
	}
	if withLLM {
		m := gatherLLM(b, reg)
		b.Logf("LLM: %v answered, %v fell back, %v requests ok, %v failed over",
			m["feedbackloop_llm_items_total{result=llm}"], m["feedbackloop_llm_items_total{result=fallback}"],
			m["feedbackloop_llm_requests_total{outcome=ok}"],
			m["feedbackloop_llm_requests_total{outcome=server_error}"]+m["feedbackloop_llm_requests_total{outcome=rate_limited}"]+m["feedbackloop_llm_requests_total{outcome=malformed}"])
	}
	return took
}

// inserted reads feedbackloop_records_inserted_total.
func inserted(tb testing.TB, reg prometheus.Gatherer) int {
	tb.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		tb.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "feedbackloop_records_inserted_total" && len(mf.GetMetric()) == 1 {
			return int(mf.GetMetric()[0].GetCounter().GetValue())
		}
	}
	return 0
}
