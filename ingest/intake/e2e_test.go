package intake_test

import (
	"context"
	"crypto/sha1"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/feedbackloop/feedbackloop/ingest/intake"
	"github.com/feedbackloop/feedbackloop/internal/testenv"
	"github.com/feedbackloop/feedbackloop/sinks"
	"github.com/feedbackloop/feedbackloop/worker"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestASignedIntercomWebhookBecomesAClickHouseRow(t *testing.T) {
	e := newIntake(t)
	dsn := testenv.ClickHouse(t)
	cfg := e.cfg
	cfg.ClickHouse.DSN = dsn
	cfg.Metrics.Addr = ""
	cfg.Batch.MaxWait = 200 * time.Millisecond
	cfg.Enrich.EmailHashKey = "e2e-key"
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	// The schema exists before the first query, as after `feedbackloop migrate`.
	ch, err := sinks.Open(dsn, 5*time.Second, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ch.Migrate(context.Background())
	ch.Close()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- worker.Main(ctx, cfg, zaptest.NewLogger(t)) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("worker: %v", err)
			}
		case <-time.After(60 * time.Second):
			t.Error("worker did not stop within 60s")
		}
	})

	body := readFixture(t, "intercom_notification.json")
	res := e.post("/webhooks/intercom", body, http.Header{intake.HeaderIntercomSignature: {"sha1=" + hexMAC(sha1.New, icKey, body)}})
	if res.status != http.StatusAccepted {
		t.Fatalf("status %d: %s", res.status, res.raw)
	}

	conn := testenv.Conn(t, dsn)
	db := cfg.ClickHouse.Database()
	deadline := time.Now().Add(60 * time.Second)
	for testenv.QueryUint64(t, conn, "SELECT count() FROM "+db+".feedback FINAL WHERE id = 'intercom:88200'") == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no row for intercom:88200 within 60s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	var source, kind, title, rowBody, url, hash string
	var created time.Time
	err = conn.QueryRow(context.Background(),
		"SELECT source, kind, title, body, url, author_email_hash, created_at FROM "+db+".feedback FINAL WHERE id = 'intercom:88200'").
		Scan(&source, &kind, &title, &rowBody, &url, &hash, &created)
	if err != nil {
		t.Fatal(err)
	}
	if source != "intercom" || kind != "ticket" || title != "Refund for duplicate charge" ||
		!strings.Contains(rowBody, "charged twice") || url != "https://app.intercom.com/a/inbox/k7x9p2/inbox/conversation/88200" {
		t.Errorf("row: %q %q %q %q %q", source, kind, title, rowBody, url)
	}
	if len(hash) != 64 {
		t.Errorf("author e-mail hash %q: the webhook's e-mail address did not reach the worker", hash)
	}
	if !created.Equal(time.Unix(1762500000, 0)) {
		t.Errorf("created_at %v", created)
	}
}
