package worker_test

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/feedbackloop/feedbackloop/config"
	"github.com/feedbackloop/feedbackloop/feedback"
	"github.com/feedbackloop/feedbackloop/internal/testenv"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestMetricsAndReadinessFollowThePipeline(t *testing.T) {
	addr := freeAddr(t)
	p := newPipeline(t, func(c *config.Config) { c.Metrics.Addr = addr })
	proxy := testenv.NewProxy(t, testenv.ClickHouseServer(t))
	cfg := p.cfg
	cfg.ClickHouse.DSN = "clickhouse://" + proxy.Addr() + "/" + p.db
	p.startWorker(cfg)
	base := "http://" + addr

	p.waitFor("/readyz to answer 200", 30*time.Second, func() bool {
		code, _ := get(t, base+"/readyz")
		return code == http.StatusOK
	})
	if code, _ := get(t, base+"/healthz"); code != http.StatusOK {
		t.Fatalf("/healthz answered %d", code)
	}
	var recs []*feedback.Record
	for i := 0; i < 50; i++ {
		recs = append(recs, record(i))
	}
	p.publish(recs...)
	p.publishRaw("feedback.ticket.zendesk", "poison-1", []byte("not json"))
	p.waitSettled(30 * time.Second)
	_, metrics := get(t, base+"/metrics")
	for _, want := range []string{
		"feedbackloop_messages_consumed_total 51",
		"feedbackloop_records_inserted_total 50",
		`feedbackloop_messages_dead_lettered_total{reason="malformed_json"} 1`,
		"feedbackloop_batch_rows_count",
		"feedbackloop_insert_duration_seconds_bucket",
		"feedbackloop_consumer_pending",
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}

	// ClickHouse goes away: the next insert fails and the worker says it is
	// not ready, with the reason, until ClickHouse answers again.
	proxy.Cut()
	p.publish(record(1000))
	p.waitFor("/readyz to answer 503", 30*time.Second, func() bool {
		code, body := get(t, base+"/readyz")
		return code == http.StatusServiceUnavailable && strings.Contains(body, "clickhouse")
	})
	proxy.Restore()
	p.waitFor("/readyz to answer 200 again", 30*time.Second, func() bool {
		code, _ := get(t, base+"/readyz")
		return code == http.StatusOK
	})
	p.waitRows(51, 30*time.Second)
}
