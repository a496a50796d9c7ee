package worker_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap/zaptest"

	"github.com/feedbackloop/feedbackloop/config"
	"github.com/feedbackloop/feedbackloop/feedback"
	"github.com/feedbackloop/feedbackloop/ingest"
	"github.com/feedbackloop/feedbackloop/internal/testenv"
	"github.com/feedbackloop/feedbackloop/worker"
)

// pipeline is a real NATS server, a real ClickHouse database and the
// configuration of a worker between them.
type pipeline struct {
	t    *testing.T
	cfg  config.Config
	nc   *nats.Conn
	js   jetstream.JetStream
	db   string
	conn clickhouse.Conn
	pub  *ingest.Publisher
}

func newPipeline(t *testing.T, tune ...func(*config.Config)) *pipeline {
	t.Helper()
	srv := testenv.NATS(t)
	// The schema exists before the first query, as after `feedbackloop migrate`.
	_, dsn := testenv.Migrated(t)
	cfg := config.Default()
	cfg.NATS.URL = srv.ClientURL()
	cfg.ClickHouse.DSN = dsn
	cfg.Metrics.Addr = ""
	cfg.Batch.MaxWait = 200 * time.Millisecond
	cfg.Worker.RetryInitial = 50 * time.Millisecond
	cfg.Worker.RetryMax = 500 * time.Millisecond
	cfg.Worker.ShutdownTimeout = 20 * time.Second
	for _, f := range tune {
		f(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	nc, js := testenv.JetStream(t, cfg.NATS.URL)
	// Streams exist before anything is published, as in production where
	// the first worker or `dev` creates them.
	if err := ingest.EnsureStreams(context.Background(), js, cfg.NATS); err != nil {
		t.Fatal(err)
	}
	return &pipeline{t: t, cfg: cfg, nc: nc, js: js, db: cfg.ClickHouse.Database(),
		conn: testenv.Conn(t, dsn), pub: ingest.NewPublisher(js, 0)}
}

// startWorker runs a worker until the returned stop is called; stop returns
// what the worker returned.
func (p *pipeline) startWorker(cfg config.Config) (stop func() error) {
	p.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- worker.Main(ctx, cfg, zaptest.NewLogger(p.t)) }()
	stopped := false
	var result error
	stop = func() error {
		if !stopped {
			stopped = true
			cancel()
			select {
			case result = <-done:
			case <-time.After(60 * time.Second):
				p.t.Fatal("worker did not stop within 60s")
			}
		}
		return result
	}
	p.t.Cleanup(func() { _ = stop() })
	return stop
}

func record(i int) *feedback.Record {
	kinds := []string{"ticket", "forum", "interview"}
	sources := []string{"zendesk", "discourse", "notes"}
	return &feedback.Record{
		ID:        fmt.Sprintf("%s:%d", sources[i%3], i),
		Source:    sources[i%3],
		Kind:      kinds[i%3],
		CreatedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute),
		Title:     fmt.Sprintf("Request %d", i),
		Body: "The invoice export is really slow and the dashboard keeps timing out when I open " +
			"the billing page. Please write to jane.doe@example.com or call +1 415 555 0134.",
		Author:  &feedback.Author{ID: "u1", Email: "Jane.Doe@Example.com"},
		Account: &feedback.Account{ID: fmt.Sprintf("acct-%d", i%17), Plan: "pro", ARR: 12000},
	}
}

func (p *pipeline) publish(recs ...*feedback.Record) {
	p.t.Helper()
	for start := 0; start < len(recs); start += 1000 {
		outs, err := p.pub.Publish(context.Background(), recs[start:min(start+1000, len(recs))])
		if err != nil {
			p.t.Fatal(err)
		}
		for i, o := range outs {
			if o.Err != nil {
				p.t.Fatalf("publish %s: %v", recs[start+i].ID, o.Err)
			}
		}
	}
}

// publishRaw sends arbitrary bytes on subject with a message id.
func (p *pipeline) publishRaw(subject, msgID string, data []byte) {
	p.t.Helper()
	if _, err := p.js.PublishMsg(context.Background(), rawMsg(subject, msgID, data)); err != nil {
		p.t.Fatal(err)
	}
}

func rawMsg(subject, msgID string, data []byte) *nats.Msg {
	msg := nats.NewMsg(subject)
	msg.Data = data
	msg.Header.Set(jetstream.MsgIDHeader, msgID)
	return msg
}

// spentToday reads the day's token count the workers keep in NATS.
func (p *pipeline) spentToday() (int, error) {
	p.t.Helper()
	spend, err := ingest.EnsureSpend(context.Background(), p.js, 1)
	if err != nil {
		p.t.Fatal(err)
	}
	return spend.Spent(context.Background(), time.Now().UTC().Format(time.DateOnly))
}

func (p *pipeline) count(query string) uint64 {
	p.t.Helper()
	return testenv.QueryUint64(p.t, p.conn, strings.ReplaceAll(query, "{db}", p.db))
}

// waitFor polls cond until it holds or the timeout passes.
func (p *pipeline) waitFor(what string, timeout time.Duration, cond func() bool) {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			p.t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (p *pipeline) waitRows(n uint64, timeout time.Duration) {
	p.t.Helper()
	p.waitFor(fmt.Sprintf("%d rows", n), timeout, func() bool {
		return p.count("SELECT count() FROM {db}.feedback FINAL") >= n
	})
}

// hasConsumer reports whether the worker's durable consumer exists yet: a
// worker process creates it once it has connected.
func (p *pipeline) hasConsumer() bool {
	p.t.Helper()
	_, err := p.consumerInfo()
	if err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
		p.t.Fatal(err)
	}
	return err == nil
}

func (p *pipeline) consumer() *jetstream.ConsumerInfo {
	p.t.Helper()
	info, err := p.consumerInfo()
	if err != nil {
		p.t.Fatal(err)
	}
	return info
}

// consumerInfo asks JetStream for the worker's consumer, again when the
// API's answer times out: a server busy with a worker's backlog on a
// loaded machine may take longer than the API's timeout once (a fresh
// clone's make test, 2026-12-08), which says nothing about the worker.
func (p *pipeline) consumerInfo() (*jetstream.ConsumerInfo, error) {
	var err error
	for range 5 {
		var c jetstream.Consumer
		if c, err = p.js.Consumer(context.Background(), p.cfg.NATS.Stream, p.cfg.NATS.Consumer); err == nil {
			var info *jetstream.ConsumerInfo
			if info, err = c.Info(context.Background()); err == nil {
				return info, nil
			}
		}
		if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, nats.ErrTimeout) {
			return nil, err
		}
		p.t.Logf("asking for the consumer: %v; asking again", err)
	}
	return nil, err
}

// waitSettled waits until the worker has created its consumer and the
// consumer has nothing pending or unacked.
func (p *pipeline) waitSettled(timeout time.Duration) {
	p.t.Helper()
	p.waitFor("consumer to settle", timeout, func() bool {
		if !p.hasConsumer() {
			return false
		}
		info := p.consumer()
		return info.NumPending == 0 && info.NumAckPending == 0
	})
}

// deadLetters reads every message of the DLQ stream.
func (p *pipeline) deadLetters() []*nats.Msg {
	p.t.Helper()
	ctx := context.Background()
	s, err := p.js.Stream(ctx, p.cfg.NATS.DLQStream)
	if err != nil {
		p.t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		p.t.Fatal(err)
	}
	var out []*nats.Msg
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && info.State.Msgs > 0; seq++ {
		raw, err := s.GetMsg(ctx, seq)
		if err != nil {
			p.t.Fatal(err)
		}
		out = append(out, &nats.Msg{Subject: raw.Subject, Header: raw.Header, Data: raw.Data})
	}
	return out
}
