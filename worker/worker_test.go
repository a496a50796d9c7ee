package worker_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"go.uber.org/zap/zaptest"

	"github.com/feedbackloop/feedbackloop/config"
	"github.com/feedbackloop/feedbackloop/feedback"
	"github.com/feedbackloop/feedbackloop/internal/testenv"
	"github.com/feedbackloop/feedbackloop/worker"
)

func TestRecordsLandEnrichedAndRedacted(t *testing.T) {
	p := newPipeline(t, func(c *config.Config) { c.Enrich.EmailHashKey = "k" })
	p.startWorker(p.cfg)
	withComment := record(1)
	withComment.Metadata = map[string]string{"satisfaction_comment": "Mail jane.doe@example.com, or call 555 0134"}
	p.publish(withComment, record(2), record(3))
	p.waitRows(3, 30*time.Second)

	var body, hash, tagger string
	var themes, metadata []string
	var sentiment float32
	err := p.conn.QueryRow(context.Background(), "SELECT body, author_email_hash, themes, sentiment, tagger, metadata_values FROM "+p.db+".feedback FINAL WHERE id = 'discourse:1'").
		Scan(&body, &hash, &themes, &sentiment, &tagger, &metadata)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(body, "jane.doe@example.com") || strings.Contains(body, "555") {
		t.Errorf("personal data stored: %q", body)
	}
	if want := []string{"Mail [email], or call [phone]"}; !slices.Equal(metadata, want) {
		t.Errorf("metadata values stored as %q, want %q", metadata, want)
	}
	if !strings.Contains(body, "[email]") || !strings.Contains(body, "[phone]") {
		t.Errorf("body not redacted as expected: %q", body)
	}
	if len(hash) != 64 || strings.Contains(hash, "@") {
		t.Errorf("author e-mail hash %q is not a keyed hash", hash)
	}
	if len(themes) == 0 || tagger == "" {
		t.Errorf("record not tagged: themes %v tagger %q", themes, tagger)
	}
	if sentiment >= 0 {
		t.Errorf("sentiment %v for a complaint, want negative", sentiment)
	}
	if n := p.count("SELECT count() FROM {db}.feedback FINAL WHERE routed = 0"); n != 3 {
		t.Errorf("%d rows recorded as not routed to an LLM, want all 3: none is configured", n)
	}
	p.waitSettled(10 * time.Second)
}

func TestPoisonMessagesAreDeadLetteredWithAReasonAndDoNotBlockOthers(t *testing.T) {
	p := newPipeline(t, func(c *config.Config) { c.Worker.MaxBodyBytes = 1024 })
	p.startWorker(p.cfg)
	good := func(i int) []byte {
		b, _ := json.Marshal(record(i))
		return b
	}
	withField := func(i int, key string, value any) []byte {
		var m map[string]any
		_ = json.Unmarshal(good(i), &m)
		if value == nil {
			delete(m, key)
		} else {
			m[key] = value
		}
		b, _ := json.Marshal(m)
		return b
	}
	cases := []struct {
		subject string
		data    []byte
		reason  feedback.Reason
		field   string
	}{
		{"feedback.ticket.zendesk", []byte("{not json"), feedback.ReasonMalformedJSON, ""},
		{"feedback.forum.discourse", withField(1, "id", nil), feedback.ReasonMissingField, "id"},
		{"feedback.ticket.zendesk", withField(3, "kind", "complaint"), feedback.ReasonInvalidField, "kind"},
		{"feedback.ticket.zendesk", withField(6, "created_at", "last tuesday"), feedback.ReasonInvalidField, "created_at"},
		{"feedback.ticket.zendesk", withField(9, "body", strings.Repeat("x", 2000)), feedback.ReasonBodyTooLarge, "body"},
		{"feedback.ticket.zendesk", withField(12, "rating", "five"), feedback.ReasonInvalidField, "rating"},
		{"feedback.review.zendesk", good(15), feedback.ReasonSubjectMismatch, "subject"},
	}
	for i, c := range cases {
		p.publishRaw(c.subject, fmt.Sprint("bad-", i), c.data)
		p.publish(record(100 + i)) // a good record after each bad one
	}
	p.waitRows(uint64(len(cases)), 30*time.Second)
	p.waitSettled(10 * time.Second)

	dead := p.deadLetters()
	if len(dead) != len(cases) {
		t.Fatalf("%d dead letters, want %d", len(dead), len(cases))
	}
	// Enrichment runs in parallel, so dead letters need not keep the order
	// of publication; each carries its original message id.
	byID := map[string]*nats.Msg{}
	for _, m := range dead {
		byID[m.Header.Get("Feedback-Msg-Id")] = m
	}
	for i, c := range cases {
		m := byID[fmt.Sprint("bad-", i)]
		if m == nil {
			t.Errorf("case %d: no dead letter with Feedback-Msg-Id bad-%d", i, i)
			continue
		}
		if got := m.Header.Get("Feedback-Error"); got != string(c.reason) {
			t.Errorf("case %d: Feedback-Error %q, want %q", i, got, c.reason)
		}
		if got := m.Header.Get("Feedback-Subject"); got != c.subject {
			t.Errorf("case %d: Feedback-Subject %q, want %q", i, got, c.subject)
		}
		if got := m.Header.Get("Feedback-Field"); got != c.field {
			t.Errorf("case %d: Feedback-Field %q, want %q", i, got, c.field)
		}
		if want := "dlq.feedback." + strings.Split(c.subject, ".")[2]; m.Subject != want {
			t.Errorf("case %d: dead-letter subject %q, want %q", i, m.Subject, want)
		}
		if string(m.Data) != string(c.data) {
			t.Errorf("case %d: dead letter does not carry the original body", i)
		}
	}
	if n := p.count("SELECT count() FROM {db}.feedback FINAL"); n != uint64(len(cases)) {
		t.Fatalf("%d rows stored, want only the %d good ones", n, len(cases))
	}
}

func TestRepublishedRecordsAreCountedOnce(t *testing.T) {
	p := newPipeline(t)
	p.startWorker(p.cfg)
	var recs []*feedback.Record
	for i := 0; i < 300; i++ {
		recs = append(recs, record(i))
	}
	p.publish(recs...)
	// The same records again under new message ids: JetStream cannot
	// deduplicate them, so the table must. After the first are stored, so
	// that no copy shares a batch with its record (a batch writes one
	// version of a record).
	p.waitRows(300, 30*time.Second)
	for _, r := range recs[:100] {
		b, _ := json.Marshal(r)
		p.publishRaw(feedback.Subject(r), "again-"+r.ID, b)
	}
	p.waitSettled(30 * time.Second)
	if n := p.count("SELECT count() FROM {db}.feedback"); n < 400 {
		t.Fatalf("only %d raw rows: the republished copies were not inserted, so the test proves nothing", n)
	}
	if n := p.count("SELECT count() FROM {db}.feedback FINAL"); n != 300 {
		t.Fatalf("count() FINAL = %d, want 300", n)
	}
}

// A record edited at its source and published again at once reaches the
// worker with its first version: both land in one batch, and would be
// stored in the same second, of which the queries could keep either.
func TestOfTwoVersionsPublishedTogetherTheLaterIsStored(t *testing.T) {
	p := newPipeline(t)
	first, edited := record(1), record(1)
	edited.Body = "The invoice export is still slow after the update, and now it fails on Fridays too."
	p.publish(first, edited) // before the worker starts: one fetch, one batch
	p.startWorker(p.cfg)
	p.waitSettled(30 * time.Second)
	if n := p.count("SELECT count() FROM {db}.feedback"); n != 1 {
		t.Errorf("%d rows stored for two versions of one record, want the later only", n)
	}
	var body string
	if err := p.conn.QueryRow(context.Background(), "SELECT body FROM "+p.db+".feedback WHERE id = ?", edited.ID).Scan(&body); err != nil {
		t.Fatal(err)
	}
	if body != edited.Body {
		t.Errorf("stored %q, want the edited version", body)
	}
}

// A row's version is when the stream stored its message, not when the
// worker wrote it: an older version that waited longer (for the LLM, or to
// be redelivered) must not come out newer than an edit. The version column
// holds that time to the nanosecond, ingested_at its second.
func TestARowIsVersionedByWhenItsMessageWasPublished(t *testing.T) {
	p := newPipeline(t)
	rec := record(1)
	p.publish(rec)
	s, err := p.js.Stream(context.Background(), p.cfg.NATS.Stream)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := s.GetMsg(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2100 * time.Millisecond) // the write comes seconds after the publish
	p.startWorker(p.cfg)
	p.waitRows(1, 30*time.Second)
	var (
		ingested time.Time
		version  uint64
	)
	if err := p.conn.QueryRow(context.Background(), "SELECT ingested_at, version FROM "+p.db+".feedback WHERE id = ?", rec.ID).Scan(&ingested, &version); err != nil {
		t.Fatal(err)
	}
	if want := msg.Time.UTC().Truncate(time.Second); !ingested.Equal(want) {
		t.Errorf("ingested_at %s, want the message's stream time %s", ingested.UTC(), want)
	}
	if want := uint64(msg.Time.UnixNano()); version != want {
		t.Errorf("version %d, want the message's stream time in nanoseconds, %d", version, want)
	}
}

func TestBrokenClickHouseConnectionMidBatchLosesNothingAndDuplicatesNothing(t *testing.T) {
	p := newPipeline(t)
	proxy := testenv.NewProxy(t, testenv.ClickHouseServer(t))
	cfg := p.cfg
	cfg.ClickHouse.DSN = "clickhouse://" + proxy.Addr() + "/" + p.db
	cfg.Batch.MaxRows = 2000
	cfg.Batch.MaxWait = 2 * time.Second
	cfg.ClickHouse.InsertTimeout = 5 * time.Second

	var recs []*feedback.Record
	for i := 0; i < 5000; i++ {
		recs = append(recs, record(i))
	}
	p.startWorker(cfg)
	// Cut once 200 KB of the first insert went through: the batch of 2,000
	// rows (~600 KB) breaks in the middle.
	cut := proxy.CutAfter(200 << 10)
	p.publish(recs...)
	select {
	case <-cut:
	case <-time.After(30 * time.Second):
		t.Fatal("the insert never reached the cut point")
	}
	time.Sleep(time.Second) // the worker notices and pauses
	if n := p.consumer().NumAckPending; n == 0 {
		t.Fatal("no message is waiting for an ack while ClickHouse is unreachable")
	}
	proxy.Restore()
	p.waitSettled(60 * time.Second)
	if n := p.count("SELECT count() FROM {db}.feedback FINAL"); n != 5000 {
		t.Fatalf("count() FINAL = %d, want 5000", n)
	}
	if n := p.count("SELECT uniqExact(id) FROM {db}.feedback"); n != 5000 {
		t.Fatalf("%d distinct ids stored, want 5000", n)
	}
}

func TestWorkerStopsFetchingWhileClickHouseIsDownAndResumesByItself(t *testing.T) {
	p := newPipeline(t, func(c *config.Config) {
		c.NATS.FetchBatch = 200
	})
	proxy := testenv.NewProxy(t, testenv.ClickHouseServer(t))
	cfg := p.cfg
	cfg.ClickHouse.DSN = "clickhouse://" + proxy.Addr() + "/" + p.db
	cfg.Batch.MaxRows = 500
	p.startWorker(cfg)
	proxy.Cut()
	var recs []*feedback.Record
	for i := 0; i < 20000; i++ {
		recs = append(recs, record(i))
	}
	p.publish(recs...)
	time.Sleep(3 * time.Second)
	info := p.consumer()
	// Holding at most what was fetched before the first failed insert: the
	// two pull requests, the chunks in enrichment and two batches.
	if info.NumPending < 15000 {
		t.Fatalf("worker kept fetching with ClickHouse down: only %d of 20000 still pending in the stream", info.NumPending)
	}
	proxy.Restore()
	p.waitSettled(90 * time.Second)
	if n := p.count("SELECT count() FROM {db}.feedback FINAL"); n != 20000 {
		t.Fatalf("count() FINAL = %d, want 20000", n)
	}
}

func TestGracefulStopWritesAndAcksWhatItHolds(t *testing.T) {
	p := newPipeline(t)
	cfg := p.cfg
	// A batch that only age would flush, and an age the test never reaches.
	cfg.Batch.MaxRows = 100000
	cfg.NATS.MaxAckPending = 100000
	cfg.Batch.MaxWait = 40 * time.Second
	cfg.NATS.AckWait = 60 * time.Second
	stop := p.startWorker(cfg)
	var recs []*feedback.Record
	for i := 0; i < 700; i++ {
		recs = append(recs, record(i))
	}
	p.publish(recs...)
	p.waitFor("all messages delivered to the worker", 30*time.Second, func() bool {
		if !p.hasConsumer() { // the worker may not have connected yet
			return false
		}
		info := p.consumer()
		return info.NumPending == 0 && info.NumAckPending == 700
	})
	if n := p.count("SELECT count() FROM {db}.feedback"); n != 0 {
		t.Fatalf("%d rows written before the stop; the test needs them held in the batch", n)
	}
	if err := stop(); err != nil {
		t.Fatalf("worker returned %v on a graceful stop", err)
	}
	if n := p.count("SELECT count() FROM {db}.feedback FINAL"); n != 700 {
		t.Fatalf("count() FINAL = %d after stop, want 700", n)
	}
	if info := p.consumer(); info.NumAckPending != 0 {
		t.Fatalf("%d messages left unacked after a graceful stop", info.NumAckPending)
	}
}

func TestSeveralWorkersShareOneConsumer(t *testing.T) {
	p := newPipeline(t)
	p.startWorker(p.cfg)
	p.startWorker(p.cfg)
	var recs []*feedback.Record
	for i := 0; i < 10000; i++ {
		recs = append(recs, record(i))
	}
	p.publish(recs...)
	p.waitSettled(60 * time.Second)
	if n := p.count("SELECT count() FROM {db}.feedback FINAL"); n != 10000 {
		t.Fatalf("count() FINAL = %d, want 10000", n)
	}
	if n := p.count("SELECT count() FROM {db}.feedback"); n != 10000 {
		t.Fatalf("%d raw rows: two workers wrote the same message", n)
	}
}

// A worker whose durable consumer is deleted under it stops with an error
// that names the consumer, rather than asking a consumer that is gone.
func TestWorkerStopsWithAnErrorWhenItsConsumerIsDeleted(t *testing.T) {
	p := newPipeline(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- worker.Main(ctx, p.cfg, zaptest.NewLogger(t)) }()
	p.publish(record(1))
	p.waitRows(1, 30*time.Second)
	if err := p.js.DeleteConsumer(context.Background(), p.cfg.NATS.Stream, p.cfg.NATS.Consumer); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), p.cfg.NATS.Consumer) {
			t.Fatalf("worker returned %v, want an error naming consumer %s", err, p.cfg.NATS.Consumer)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("worker still running 30 s after its consumer was deleted")
	}
}
