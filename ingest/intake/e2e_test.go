package intake_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"go.uber.org/zap/zaptest"

	"github.com/feedbackloop/feedbackloop/config"
	"github.com/feedbackloop/feedbackloop/ingest/intake"
	"github.com/feedbackloop/feedbackloop/internal/testenv"
	"github.com/feedbackloop/feedbackloop/worker"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// store is the ClickHouse database a real worker fills from the intake's
// NATS.
type store struct {
	t    *testing.T
	db   string
	conn clickhouse.Conn
}

// startWorker runs the real worker (worker.Main) between the intake's NATS
// and a fresh ClickHouse database until the test ends.
func startWorker(t *testing.T, e *intakeEnv) *store {
	t.Helper()
	// The schema exists before the first query, as after `feedbackloop migrate`.
	_, dsn := testenv.Migrated(t)
	cfg := e.cfg
	cfg.ClickHouse.DSN = dsn
	cfg.Metrics.Addr = ""
	cfg.Batch.MaxWait = 200 * time.Millisecond
	cfg.Enrich.EmailHashKey = "e2e-key"
	if err := cfg.Validate(); err != nil {
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
	return &store{t: t, db: cfg.ClickHouse.Database(), conn: testenv.Conn(t, dsn)}
}

// count runs a count() query; {db} is the test's database.
func (s *store) count(query string) uint64 {
	s.t.Helper()
	return testenv.QueryUint64(s.t, s.conn, strings.ReplaceAll(query, "{db}", s.db))
}

// waitFor waits until query counts want rows.
func (s *store) waitFor(query string, want uint64) {
	s.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		got := s.count(query)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("%s: %d rows after 60s, want %d", query, got, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestASignedIntercomWebhookBecomesAClickHouseRow(t *testing.T) {
	e := newIntake(t)
	s := startWorker(t, e)
	body := readFixture(t, "intercom_notification.json")
	res := e.post("/webhooks/intercom", body, e.signed("intercom", icKey, body, ""))
	if res.status != http.StatusAccepted {
		t.Fatalf("status %d: %s", res.status, res.raw)
	}
	s.waitFor("SELECT count() FROM {db}.feedback FINAL WHERE id = 'intercom:88200'", 1)
	var source, kind, title, rowBody, url, hash string
	var created time.Time
	err := s.conn.QueryRow(context.Background(),
		"SELECT source, kind, title, body, url, author_email_hash, created_at FROM "+s.db+".feedback FINAL WHERE id = 'intercom:88200'").
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

// Every source's signed webhook, in payloads the mappers were not written
// against, ends as rows with their ids, dates and accounts; the comment that
// opens a Zendesk ticket is stored once, as the ticket; what agents, bots
// and maintainers wrote is not stored; a retried delivery adds no row; a
// tampered delivery adds nothing.
func TestSignedWebhooksOfEverySourceBecomeRowsOnce(t *testing.T) {
	e := newIntake(t, func(c *config.Intake, _ *intake.Options) { c.ZendeskURL = "https://brightline.zendesk.com" })
	s := startWorker(t, e)
	other := func(name string) []byte {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(fixture, "other", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	deliveries := []struct {
		source, key, file, event string
		status                   int
	}{
		{"zendesk", zdKey, "zendesk_webhook_ticket_created.json", "", http.StatusAccepted},
		{"zendesk", zdKey, "zendesk_webhook_first_comment.json", "", http.StatusOK},
		{"zendesk", zdKey, "zendesk_webhook_comment_added.json", "", http.StatusAccepted},
		{"intercom", icKey, "intercom_webhook_user_replied.json", "", http.StatusAccepted},
		{"github", ghKey, "github_webhook_issue_comment.json", "issue_comment", http.StatusAccepted},
		{"github", ghKey, "github_webhook_comment_on_pr.json", "issue_comment", http.StatusOK},
		{"discourse", dcKey, "discourse_webhook_post_edited.json", "post_edited", http.StatusAccepted},
		{"zendesk", zdKey, "zendesk_webhook_internal_note.json", "", http.StatusOK},
		{"github", ghKey, "github_webhook_issue_opened_by_member.json", "issues", http.StatusOK},
		{"discourse", dcKey, "discourse_webhook_staff_reply.json", "post_created", http.StatusOK},
		// The customer's opening and reply are stored; the bot's answer,
		// the admin's note and reply are not.
		{"intercom", icKey, "intercom_webhook_admin_replied.json", "", http.StatusAccepted},
		// The sender retries a delivery it thinks failed.
		{"zendesk", zdKey, "zendesk_webhook_comment_added.json", "", http.StatusAccepted},
	}
	for _, d := range deliveries {
		body := other(d.file)
		if res := e.post("/webhooks/"+d.source, body, e.signed(d.source, d.key, body, d.event)); res.status != d.status {
			t.Fatalf("%s: status %d %s, want %d", d.file, res.status, res.raw, d.status)
		}
	}
	tampered := other("github_webhook_issues_labeled.json")
	headers := e.signed("github", ghKey, tampered, "issues")
	tampered = []byte(strings.Replace(string(tampered), "Support truck height", "Support truck weight", 1))
	if res := e.post("/webhooks/github", tampered, headers); res.status != http.StatusUnauthorized {
		t.Fatalf("tampered delivery: status %d %s", res.status, res.raw)
	}

	type row struct {
		id, account, created, body string
	}
	want := []row{
		{"discourse:31010", "", "2024-08-15T06:00:12Z", "Feature idea: let dispatchers pin a driver"},
		{"github:brightline-oss/route-sdk#104/2350010", "", "2024-10-30T08:00:00Z", "Still late by an hour"},
		{"intercom:2070", "", "2024-07-07T11:00:00Z", "Where can I change the language"},
		{"intercom:2070/41000101", "", "2024-07-07T12:00:00Z", "Também preciso em português"},
		{"intercom:2090", "", "2024-07-15T08:00:00Z", "The proof-of-delivery photos are blurry"},
		{"intercom:2090/41000302", "", "2024-07-15T08:10:00Z", "Cleared it, still blurry"},
		{"zendesk:90140", "7005", "2024-06-10T16:20:00Z", "Our invoices show the wrong VAT rate"},
		{"zendesk:90140/880200", "7005", "2024-06-11T09:12:45Z", "Still wrong on the June invoice"},
	}
	s.waitFor("SELECT count() FROM {db}.feedback FINAL", uint64(len(want)))
	rows, err := s.conn.Query(context.Background(), "SELECT id, account_id, created_at, body, url FROM "+s.db+".feedback FINAL ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	i := 0
	for ; rows.Next(); i++ {
		var id, account, body, url string
		var created time.Time
		if err := rows.Scan(&id, &account, &created, &body, &url); err != nil {
			t.Fatal(err)
		}
		if i >= len(want) {
			t.Errorf("unexpected row %s", id)
			continue
		}
		w := want[i]
		if id != w.id || account != w.account || created.UTC().Format(time.RFC3339) != w.created || !strings.HasPrefix(body, w.body) {
			t.Errorf("row %d: %s %q %s %q, want %+v", i, id, account, created.UTC().Format(time.RFC3339), body, w)
		}
		if strings.HasPrefix(id, "zendesk:") && !strings.HasPrefix(url, "https://brightline.zendesk.com/agent/tickets/90140") {
			t.Errorf("%s: url %q", id, url)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if i != len(want) {
		t.Errorf("%d rows, want %d", i, len(want))
	}
	// Raw rows, before merges: the retried comment was dropped by JetStream
	// within its duplicate window, so no row is stored twice.
	if n := s.count("SELECT count() FROM {db}.feedback"); n != uint64(len(want)) {
		t.Errorf("%d raw rows, want %d", n, len(want))
	}
}
