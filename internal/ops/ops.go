// Package ops is the operations endpoint of long-running commands:
// Prometheus metrics at /metrics, liveness at /healthz and readiness at
// /readyz.
package ops

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the pipeline's Prometheus series.
type Metrics struct {
	Registry *prometheus.Registry

	Consumed        prometheus.Counter
	Redelivered     prometheus.Counter
	Inserted        prometheus.Counter
	Superseded      prometheus.Counter
	DeadLettered    *prometheus.CounterVec
	Retried         prometheus.Counter
	BatchRows       prometheus.Histogram
	InsertSeconds   prometheus.Histogram
	InsertErrors    prometheus.Counter
	EnrichSeconds   prometheus.Histogram
	ConsumerPending prometheus.Gauge
	AckPending      prometheus.Gauge
}

// NewMetrics registers the series on a fresh registry, with Go runtime and
// process collectors.
func NewMetrics() *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	f := func(c prometheus.Collector) { reg.MustRegister(c) }
	m := &Metrics{Registry: reg}
	m.Consumed = prometheus.NewCounter(prometheus.CounterOpts{Name: "feedbackloop_messages_consumed_total", Help: "Messages fetched from the feedback stream, redeliveries included."})
	m.Redelivered = prometheus.NewCounter(prometheus.CounterOpts{Name: "feedbackloop_messages_redelivered_total", Help: "Messages fetched that had been delivered before."})
	m.Inserted = prometheus.NewCounter(prometheus.CounterOpts{Name: "feedbackloop_records_inserted_total", Help: "Records committed to ClickHouse and acked."})
	m.Superseded = prometheus.NewCounter(prometheus.CounterOpts{Name: "feedbackloop_messages_superseded_total", Help: "Messages acked without their row: a newer version of the record was written in the same batch."})
	m.DeadLettered = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "feedbackloop_messages_dead_lettered_total", Help: "Messages sent to the dead-letter stream, by reason."}, []string{"reason"})
	m.Retried = prometheus.NewCounter(prometheus.CounterOpts{Name: "feedbackloop_messages_retried_total", Help: "Messages negatively acknowledged for a later retry after a passing failure."})
	m.BatchRows = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "feedbackloop_batch_rows", Help: "Rows per ClickHouse insert.", Buckets: prometheus.ExponentialBuckets(1, 4, 9)})
	m.InsertSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "feedbackloop_insert_duration_seconds", Help: "ClickHouse insert latency.", Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12)})
	m.InsertErrors = prometheus.NewCounter(prometheus.CounterOpts{Name: "feedbackloop_insert_errors_total", Help: "Failed ClickHouse inserts."})
	m.EnrichSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "feedbackloop_enrich_duration_seconds", Help: "Enrichment time per chunk of messages.", Buckets: prometheus.ExponentialBuckets(0.0001, 3, 12)})
	m.ConsumerPending = prometheus.NewGauge(prometheus.GaugeOpts{Name: "feedbackloop_consumer_pending", Help: "Messages in the stream not yet delivered to the consumer."})
	m.AckPending = prometheus.NewGauge(prometheus.GaugeOpts{Name: "feedbackloop_consumer_ack_pending", Help: "Messages delivered and not yet acked."})
	for _, c := range []prometheus.Collector{m.Consumed, m.Redelivered, m.Inserted, m.Superseded, m.DeadLettered, m.Retried, m.BatchRows,
		m.InsertSeconds, m.InsertErrors, m.EnrichSeconds, m.ConsumerPending, m.AckPending} {
		f(c)
	}
	return m
}

// ObserveWrite records one ClickHouse insert.
func (m *Metrics) ObserveWrite(rows int, took time.Duration, err error) {
	m.BatchRows.Observe(float64(rows))
	m.InsertSeconds.Observe(took.Seconds())
	if err != nil {
		m.InsertErrors.Inc()
	}
}

// Serve runs the endpoint on addr until ctx ends. ready reports why the
// process cannot take work, nil when it can.
func Serve(ctx context.Context, addr string, reg *prometheus.Registry, ready func() error) error {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) {
		if err := ready(); err != nil {
			http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	go func() {
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdownCtx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// CounterTotals returns the counter name that g gathers, summed by the
// value of label (all under "" when label is ""), leaving out zeros: what
// a log line or a report says the metric counted.
func CounterTotals(g prometheus.Gatherer, name, label string) map[string]int {
	out := map[string]int{}
	mfs, err := g.Gather()
	if err != nil {
		return out
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			n := int(m.GetCounter().GetValue())
			if n == 0 {
				continue
			}
			key := ""
			for _, l := range m.GetLabel() {
				if l.GetName() == label {
					key = l.GetValue()
				}
			}
			out[key] += n
		}
	}
	return out
}
