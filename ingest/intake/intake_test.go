package intake_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap/zaptest"

	"github.com/feedbackloop/feedbackloop/config"
	"github.com/feedbackloop/feedbackloop/ingest"
	"github.com/feedbackloop/feedbackloop/ingest/intake"
	"github.com/feedbackloop/feedbackloop/internal/testenv"
)

const (
	token   = "t0ken-for-tests"
	zdKey   = "zendesk-signing-secret"
	icKey   = "intercom-client-secret"
	ghKey   = "github-webhook-secret"
	dcKey   = "discourse-webhook-secret"
	fixture = "../sources/testdata"
)

// intakeEnv is an intake server in front of a real embedded NATS.
type intakeEnv struct {
	t    *testing.T
	nats *server.Server
	nc   *nats.Conn
	js   jetstream.JetStream
	url  string
	cfg  config.Config
	now  time.Time
}

func newIntake(t *testing.T, tune ...func(*config.Intake, *intake.Options)) *intakeEnv {
	t.Helper()
	srv := testenv.NATS(t)
	cfg := config.Default()
	cfg.NATS.URL = srv.ClientURL()
	cfg.Intake.Token = token
	cfg.Intake.ZendeskSecret, cfg.Intake.IntercomSecret = zdKey, icKey
	cfg.Intake.GitHubSecret, cfg.Intake.DiscourseSecret = ghKey, dcKey
	cfg.Intake.PublishTimeout = 500 * time.Millisecond
	cfg.Intake.MaxBodyBytes = 64 << 10
	nc, js := testenv.JetStream(t, cfg.NATS.URL, nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond))
	if err := ingest.EnsureStreams(context.Background(), js, cfg.NATS); err != nil {
		t.Fatal(err)
	}
	e := &intakeEnv{t: t, nats: srv, nc: nc, js: js, cfg: cfg, now: time.Date(2025, 11, 7, 12, 0, 0, 0, time.UTC)}
	opts := intake.Options{
		Publisher: ingest.NewPublisher(js, 0),
		Connected: nc.IsConnected,
		Log:       zaptest.NewLogger(t),
		Now:       func() time.Time { return e.now },
	}
	for _, f := range tune {
		f(&cfg.Intake, &opts)
	}
	if opts.MaxRecordBytes > 0 { // one limit for mapping and publishing, as intake.Main sets them
		opts.Publisher = ingest.NewPublisher(js, opts.MaxRecordBytes)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	opts.Config = cfg.Intake
	s, err := intake.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	e.url = ts.URL
	return e
}

// stored counts the messages in the feedback stream.
func (e *intakeEnv) stored() uint64 {
	e.t.Helper()
	s, err := e.js.Stream(context.Background(), e.cfg.NATS.Stream)
	if err != nil {
		e.t.Fatal(err)
	}
	info, err := s.Info(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return info.State.Msgs
}

// storedID returns the record id of the message at seq.
func (e *intakeEnv) storedID(seq uint64) string {
	e.t.Helper()
	s, err := e.js.Stream(context.Background(), e.cfg.NATS.Stream)
	if err != nil {
		e.t.Fatal(err)
	}
	msg, err := s.GetMsg(context.Background(), seq)
	if err != nil {
		e.t.Fatal(err)
	}
	var r struct{ ID string }
	if err := json.Unmarshal(msg.Data, &r); err != nil {
		e.t.Fatal(err)
	}
	return r.ID
}

type response struct {
	status int
	body   map[string]any
	raw    string
}

func (e *intakeEnv) post(path string, body []byte, header http.Header) response {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.url+path, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := response{status: res.StatusCode, raw: string(raw)}
	_ = json.Unmarshal(raw, &out.body)
	return out
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixture, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func hexMAC(h func() hash.Hash, key string, data []byte) string {
	m := hmac.New(h, []byte(key))
	m.Write(data)
	return hex.EncodeToString(m.Sum(nil))
}

func zendeskHeaders(key string, at time.Time, body []byte) http.Header {
	ts := at.UTC().Format(time.RFC3339)
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(ts))
	m.Write(body)
	return http.Header{
		intake.HeaderZendeskSignature: {base64.StdEncoding.EncodeToString(m.Sum(nil))},
		intake.HeaderZendeskTimestamp: {ts},
	}
}

// signed returns the headers a source would send for body, signed with key.
func (e *intakeEnv) signed(source, key string, body []byte, event string) http.Header {
	switch source {
	case "zendesk":
		return zendeskHeaders(key, e.now.Add(-30*time.Second), body)
	case "intercom":
		return http.Header{intake.HeaderIntercomSignature: {"sha1=" + hexMAC(sha1.New, key, body)}}
	case "github":
		return http.Header{intake.HeaderGitHubSignature: {"sha256=" + hexMAC(sha256.New, key, body)}, "X-Github-Event": {event}}
	case "discourse":
		return http.Header{intake.HeaderDiscourseSignature: {"sha256=" + hexMAC(sha256.New, key, body)},
			"X-Discourse-Event": {event}, "X-Discourse-Instance": {"https://forum.tidepool.example"}}
	}
	e.t.Fatalf("no source %s", source)
	return nil
}

var hooks = []struct {
	source, key, file, event string
	ids                      []string
}{
	{"zendesk", zdKey, "zendesk_event_comment.json", "", []string{"zendesk:4830/70100"}},
	{"intercom", icKey, "intercom_notification.json", "", []string{"intercom:88200"}},
	{"github", ghKey, "github_issue_comment_webhook.json", "issue_comment", []string{"github:tidepool-hq/desktop#214/990010"}},
	{"discourse", dcKey, "discourse_webhook_post.json", "post_created", []string{"discourse:7010"}},
}

func TestASignedWebhookIsAcknowledgedOnlyOnceStoredInJetStream(t *testing.T) {
	for _, h := range hooks {
		t.Run(h.source, func(t *testing.T) {
			e := newIntake(t)
			body := readFixture(t, h.file)
			res := e.post("/webhooks/"+h.source, body, e.signed(h.source, h.key, body, h.event))
			if res.status != http.StatusAccepted {
				t.Fatalf("status %d: %s", res.status, res.raw)
			}
			// Lists are lists in JSON, empty or not.
			if !strings.Contains(res.raw, `"rejected":[]`) || !strings.Contains(res.raw, `"skipped_items":[`) {
				t.Errorf("empty lists are not [] in %s", res.raw)
			}
			if got := e.stored(); got != uint64(len(h.ids)) {
				t.Fatalf("%d messages stored, want %d", got, len(h.ids))
			}
			for i, id := range h.ids {
				if !strings.Contains(res.raw, id) {
					t.Errorf("response %s does not list %s", res.raw, id)
				}
				if got := e.storedID(uint64(i + 1)); got != id {
					t.Errorf("stored message id %q, want %q", got, id)
				}
			}
			// The sender retries: the same event is stored once.
			res = e.post("/webhooks/"+h.source, body, e.signed(h.source, h.key, body, h.event))
			if res.status != http.StatusAccepted || res.body["duplicates"] != float64(len(h.ids)) || e.stored() != uint64(len(h.ids)) {
				t.Errorf("retry: status %d %s, %d stored", res.status, res.raw, e.stored())
			}
		})
	}
}

func TestWebhooksWithBadSignaturesAreRefusedAndPublishNothing(t *testing.T) {
	for _, h := range hooks {
		t.Run(h.source, func(t *testing.T) {
			e := newIntake(t)
			body := readFixture(t, h.file)
			tampered := append([]byte(" "), body...) // same JSON, other bytes
			cases := map[string]struct {
				body   []byte
				header http.Header
			}{
				"missing signature": {body, http.Header{"X-Github-Event": {h.event}, "X-Discourse-Event": {h.event}}},
				"wrong secret":      {body, e.signed(h.source, "not-the-secret", body, h.event)},
				"tampered body":     {tampered, e.signed(h.source, h.key, body, h.event)},
				"garbage signature": {body, garbage(e.signed(h.source, h.key, body, h.event))},
			}
			for name, c := range cases {
				res := e.post("/webhooks/"+h.source, c.body, c.header)
				if res.status != http.StatusUnauthorized {
					t.Errorf("%s: status %d %s, want 401", name, res.status, res.raw)
				}
			}
			if n := e.stored(); n != 0 {
				t.Fatalf("%d messages published by refused requests", n)
			}
		})
	}
}

// garbage replaces every signature header value with one that is not even
// well formed.
func garbage(h http.Header) http.Header {
	for _, k := range []string{intake.HeaderZendeskSignature, intake.HeaderIntercomSignature, intake.HeaderGitHubSignature, intake.HeaderDiscourseSignature} {
		if h.Get(k) != "" {
			h.Set(k, "sha256=zz!!")
		}
	}
	return h
}

func TestAZendeskSignatureOutsideTheToleranceIsARefusedReplay(t *testing.T) {
	e := newIntake(t)
	body := readFixture(t, "zendesk_event_comment.json")
	for name, at := range map[string]time.Time{
		"an hour old":         e.now.Add(-time.Hour),
		"ten minutes ahead":   e.now.Add(10 * time.Minute),
		"just inside (4m59s)": e.now.Add(-4*time.Minute - 59*time.Second),
	} {
		res := e.post("/webhooks/zendesk", body, zendeskHeaders(zdKey, at, body))
		want := http.StatusUnauthorized
		if strings.HasPrefix(name, "just inside") {
			want = http.StatusAccepted
		}
		if res.status != want {
			t.Errorf("%s: status %d %s, want %d", name, res.status, res.raw, want)
		}
		if want == http.StatusUnauthorized && !strings.Contains(res.raw, "tolerance") {
			t.Errorf("%s: reason %s does not say the timestamp is stale", name, res.raw)
		}
	}
	if n := e.stored(); n != 1 {
		t.Errorf("%d stored, want only the fresh one", n)
	}
}

func TestAWebhookWithoutASecretIsNotServed(t *testing.T) {
	e := newIntake(t, func(c *config.Intake, _ *intake.Options) { c.GitHubSecret = "" })
	body := readFixture(t, "github_issue_comment_webhook.json")
	res := e.post("/webhooks/github", body, e.signed("github", "", body, "issue_comment"))
	if res.status != http.StatusNotFound || !strings.Contains(res.raw, "intake.github_secret") {
		t.Errorf("status %d %s, want 404 naming the setting", res.status, res.raw)
	}
	if res := e.post("/webhooks/jira", body, nil); res.status != http.StatusNotFound {
		t.Errorf("unknown source: %d", res.status)
	}
	if e.stored() != 0 {
		t.Error("published")
	}
}

func TestEventsThatCarryNoFeedbackGet200(t *testing.T) {
	e := newIntake(t)
	cases := []struct{ source, key, file, event string }{
		{"github", ghKey, "github_ping.json", "ping"},
		{"github", ghKey, "github_issues.json", "pull_request"},
		{"zendesk", zdKey, "zendesk_event_status.json", ""},
		{"intercom", icKey, "intercom_ping.json", ""},
		{"discourse", dcKey, "discourse_webhook_post.json", "post_destroyed"},
	}
	for _, c := range cases {
		body := readFixture(t, c.file)
		res := e.post("/webhooks/"+c.source, body, e.signed(c.source, c.key, body, c.event))
		if res.status != http.StatusOK || res.body["status"] != "ignored" {
			t.Errorf("%s %s: status %d %s, want 200 ignored", c.source, c.file, res.status, res.raw)
		}
	}
	if e.stored() != 0 {
		t.Error("an ignored event was published")
	}
}

func TestASignedBodyThatCannotBeMappedGets400WithTheField(t *testing.T) {
	e := newIntake(t)
	for _, c := range []struct{ body, field string }{
		{`{"post": {"id": 1, "cooked": "<p>hi</p>"}}`, "created_at"},
		{`{"post": {"id": 1, "created_at": "2025-01-01T00:00:00Z"}}`, "cooked"},
		{`not json`, ""},
	} {
		body := []byte(c.body)
		res := e.post("/webhooks/discourse", body, e.signed("discourse", dcKey, body, "post_created"))
		if res.status != http.StatusBadRequest {
			t.Errorf("%s: status %d %s", c.body, res.status, res.raw)
			continue
		}
		if c.field != "" && res.body["field"] != c.field {
			t.Errorf("%s: field %v, want %s (%s)", c.body, res.body["field"], c.field, res.raw)
		}
	}
	if e.stored() != 0 {
		t.Error("published")
	}
}

func TestTheFeedbackAPITakesOneRecordAnArrayOrJSONLines(t *testing.T) {
	e := newIntake(t)
	auth := http.Header{"Authorization": {"Bearer " + token}}
	rec := func(id, body string) string {
		return `{"id":"` + id + `","source":"typeform","kind":"survey","created_at":"2025-11-01T10:00:00Z","body":"` + body + `"}`
	}
	for _, c := range []struct {
		name, body string
		n          float64
	}{
		{"one record", rec("typeform:1", "fast"), 1},
		{"an array", "[" + rec("typeform:2", "a") + "," + rec("typeform:3", "b") + "]", 2},
		{"json lines", rec("typeform:4", "c") + "\n" + rec("typeform:5", "d") + "\n", 2},
	} {
		res := e.post("/v1/feedback", []byte(c.body), auth)
		if res.status != http.StatusAccepted || res.body["accepted"] != c.n {
			t.Errorf("%s: status %d %s", c.name, res.status, res.raw)
		}
	}
	if n := e.stored(); n != 5 {
		t.Errorf("%d stored, want 5", n)
	}
}

func TestTheFeedbackAPIRefusesBadTokensAndBadRecordsWithoutPublishing(t *testing.T) {
	e := newIntake(t)
	good := []byte(`{"id":"api:1","source":"api","kind":"other","created_at":"2025-11-01T10:00:00Z","body":"ok"}`)
	for name, h := range map[string]http.Header{
		"no token":     nil,
		"wrong token":  {"Authorization": {"Bearer nope"}},
		"basic scheme": {"Authorization": {"Basic " + token}},
	} {
		if res := e.post("/v1/feedback", good, h); res.status != http.StatusUnauthorized {
			t.Errorf("%s: status %d", name, res.status)
		}
	}
	auth := http.Header{"Authorization": {"Bearer " + token}}
	mixed := string(good) + "\n" + `{"id":"api:2","source":"api","kind":"other","created_at":"2025-11-01T10:00:00Z","body":""}`
	res := e.post("/v1/feedback", []byte(mixed), auth)
	if res.status != http.StatusBadRequest || res.body["field"] != "body" || !strings.Contains(res.raw, "line 2") {
		t.Errorf("invalid record: status %d %s, want 400 naming body and line 2", res.status, res.raw)
	}
	big := bytes.Repeat([]byte("x"), 70<<10)
	if res := e.post("/v1/feedback", big, auth); res.status != http.StatusRequestEntityTooLarge {
		t.Errorf("over the size limit: status %d", res.status)
	}
	if n := e.stored(); n != 0 {
		t.Errorf("%d published by refused requests", n)
	}
	off := newIntake(t, func(c *config.Intake, _ *intake.Options) { c.Token = "" })
	if res := off.post("/v1/feedback", good, http.Header{"Authorization": {"Bearer "}}); res.status != http.StatusNotFound {
		t.Errorf("without intake.token: status %d, want 404", res.status)
	}
}

func TestIntakeAnswers503WhenNATSIsDown(t *testing.T) {
	for _, trustConnection := range []bool{false, true} {
		name := "connection known lost"
		if trustConnection {
			name = "publish times out"
		}
		t.Run(name, func(t *testing.T) {
			e := newIntake(t, func(_ *config.Intake, o *intake.Options) {
				if trustConnection {
					o.Connected = nil // only the publish timeout can tell
				}
			})
			body := readFixture(t, "github_issue_comment_webhook.json")
			e.nats.Shutdown()
			e.nats.WaitForShutdown()
			start := time.Now()
			res := e.post("/webhooks/github", body, e.signed("github", ghKey, body, "issue_comment"))
			if res.status != http.StatusServiceUnavailable {
				t.Fatalf("status %d %s, want 503", res.status, res.raw)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("503 took %s", d)
			}
			if !trustConnection {
				r, err := http.Get(e.url + "/healthz")
				if err != nil {
					t.Fatal(err)
				}
				r.Body.Close()
				if r.StatusCode != http.StatusServiceUnavailable {
					t.Errorf("healthz %d while NATS is down", r.StatusCode)
				}
			}
		})
	}
}

// The API validates records against the publisher's body limit, so a
// request with one record over it publishes none of its records instead of
// the ones before it.
func TestTheFeedbackAPIAppliesTheRecordBodyLimitToTheWholeRequest(t *testing.T) {
	e := newIntake(t, func(_ *config.Intake, o *intake.Options) { o.MaxRecordBytes = 100 })
	rec := func(id, body string) string {
		return `{"id":"` + id + `","source":"typeform","kind":"survey","created_at":"2025-11-01T10:00:00Z","body":"` + body + `"}`
	}
	req := rec("typeform:10", "short") + "\n" + rec("typeform:11", strings.Repeat("long ", 40)) + "\n"
	res := e.post("/v1/feedback", []byte(req), http.Header{"Authorization": {"Bearer " + token}})
	if res.status != http.StatusBadRequest || res.body["field"] != "body" || !strings.Contains(res.raw, "body_too_large") {
		t.Errorf("status %d %s, want 400 naming the body", res.status, res.raw)
	}
	if n := e.stored(); n != 0 {
		t.Errorf("%d published", n)
	}
}

// otherFixture reads a payload of the second set (../sources/testdata/other).
func otherFixture(t *testing.T, name string) []byte {
	t.Helper()
	return readFixture(t, filepath.Join("other", name))
}

// staffHooks are webhooks whose items someone other than a customer wrote,
// next to customers' items in the Intercom one.
var staffHooks = []struct {
	source, key, file, event string
	customers, all           []string // ids published without and with intake.include_staff
	reason                   string   // a skip reason the default answer gives
}{
	{"zendesk", zdKey, "zendesk_webhook_internal_note.json", "", nil,
		[]string{"zendesk:90140/880201"}, "comment 880201 is an agent's internal note"},
	{"github", ghKey, "github_webhook_issue_opened_by_member.json", "issues", nil,
		[]string{"github:brightline-oss/route-sdk#105"}, "issue #105 was opened by a maintainer (MEMBER)"},
	{"discourse", dcKey, "discourse_webhook_staff_reply.json", "post_created", nil,
		[]string{"discourse:31011"}, "post 31011 is by an admin"},
	{"intercom", icKey, "intercom_webhook_admin_replied.json", "",
		[]string{"intercom:2090", "intercom:2090/41000302"},
		[]string{"intercom:2090", "intercom:2090/41000301", "intercom:2090/41000302", "intercom:2090/41000304", "intercom:2090/41000305"},
		"part 41000305 is a comment by an admin"},
}

// By default a webhook publishes what customers wrote and answers with the
// count and reasons of what it skipped; intake.include_staff publishes all.
func TestStaffTextInWebhooksIsSkippedWithItsReasonUnlessIncluded(t *testing.T) {
	for _, h := range staffHooks {
		for _, staff := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s include_staff=%v", h.source, staff), func(t *testing.T) {
				e := newIntake(t, func(c *config.Intake, _ *intake.Options) { c.IncludeStaff = staff })
				body := otherFixture(t, h.file)
				res := e.post("/webhooks/"+h.source, body, e.signed(h.source, h.key, body, h.event))
				want, skipped := h.customers, len(h.all)-len(h.customers)
				if staff {
					want, skipped = h.all, 0
				}
				switch {
				case len(want) == 0 && (res.status != http.StatusOK || res.body["status"] != "ignored"):
					t.Fatalf("status %d %s, want 200 ignored", res.status, res.raw)
				case len(want) > 0 && (res.status != http.StatusAccepted || res.body["accepted"] != float64(len(want))):
					t.Fatalf("status %d %s, want 202 with %d accepted", res.status, res.raw, len(want))
				}
				if res.body["skipped"] != float64(skipped) {
					t.Errorf("answer %s does not count %d skipped items", res.raw, skipped)
				}
				if !staff && !strings.Contains(res.raw, "not customer feedback: "+h.reason) {
					t.Errorf("answer %s does not give the reason %q", res.raw, h.reason)
				}
				if got := e.stored(); got != uint64(len(want)) {
					t.Fatalf("%d messages stored, want %d", got, len(want))
				}
				for i, id := range want {
					if got := e.storedID(uint64(i + 1)); got != id {
						t.Errorf("stored %q, want %q", got, id)
					}
				}
			})
		}
	}
}

// Records that say an agent or a bot wrote them are skipped, not refused:
// the request is still all or nothing for invalid records.
func TestTheFeedbackAPISkipsRecordsByStaffUnlessIncluded(t *testing.T) {
	auth := http.Header{"Authorization": {"Bearer " + token}}
	body := otherFixture(t, "records_roles.jsonl")
	e := newIntake(t)
	res := e.post("/v1/feedback", body, auth)
	if res.status != http.StatusAccepted || res.body["accepted"] != float64(3) || res.body["skipped"] != float64(2) ||
		!strings.Contains(res.raw, "helpscout:t-801/r-2 has metadata.author_role=agent") {
		t.Errorf("status %d %s, want 202 with 3 accepted and 2 skipped", res.status, res.raw)
	}
	if n := e.stored(); n != 3 {
		t.Errorf("%d stored, want 3", n)
	}
	agent := []byte(`{"id":"api:9","source":"api","kind":"ticket","created_at":"2025-11-01T10:00:00Z","body":"Fixed.","metadata":{"author_role":"agent"}}`)
	if res := e.post("/v1/feedback", agent, auth); res.status != http.StatusOK || res.body["status"] != "ignored" {
		t.Errorf("only staff records: status %d %s, want 200 ignored", res.status, res.raw)
	}
	if n := e.stored(); n != 3 {
		t.Errorf("%d stored after a staff-only request, want 3", n)
	}

	all := newIntake(t, func(c *config.Intake, _ *intake.Options) { c.IncludeStaff = true })
	if res := all.post("/v1/feedback", body, auth); res.status != http.StatusAccepted || res.body["accepted"] != float64(5) {
		t.Errorf("with intake.include_staff: status %d %s, want 202 with 5 accepted", res.status, res.raw)
	}
}

func TestIntakeIncludeStaffIsAConfigurationKey(t *testing.T) {
	c, err := config.Load("", []string{"FEEDBACKLOOP_INTAKE_INCLUDE_STAFF=true"})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Intake.IncludeStaff || config.Default().Intake.IncludeStaff {
		t.Errorf("intake.include_staff: loaded %v, default %v; want true, false", c.Intake.IncludeStaff, config.Default().Intake.IncludeStaff)
	}
	_, err = config.Load("", []string{"FEEDBACKLOOP_INTAKE_INCLUDE_STAFF=maybe"})
	if err == nil || !strings.Contains(err.Error(), "intake.include_staff") || !strings.Contains(err.Error(), "maybe") {
		t.Errorf("a value that is not a bool: %v, want an error naming the key and the value", err)
	}
}

// A GitHub webhook left at its default content type sends the payload as
// a form field: 415 says which setting to change, rather than "not JSON".
// A post whose cooked HTML is empty (an upload Discourse has not yet
// processed) is an event sent as a matter of course: 200 ignored, not 400.
func TestWebhooksThatAreFormEncodedOrHaveNoTextGetAnAnswerThatHelps(t *testing.T) {
	e := newIntake(t)
	form := []byte("payload=" + url.QueryEscape(string(readFixture(t, "github_issues.json"))))
	h := e.signed("github", ghKey, form, "issues")
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	if res := e.post("/webhooks/github", form, h); res.status != http.StatusUnsupportedMediaType || !strings.Contains(res.raw, "application/json") {
		t.Errorf("form-encoded: %d %s, want 415 naming application/json", res.status, res.raw)
	}
	img := []byte(`{"post": {"id": 77, "created_at": "2025-01-01T00:00:00Z", "cooked": "", "post_type": 1, "username": "rowan"}}`)
	if res := e.post("/webhooks/discourse", img, e.signed("discourse", dcKey, img, "post_created")); res.status != http.StatusOK || res.body["status"] != "ignored" {
		t.Errorf("image-only post: %d %s, want 200 ignored", res.status, res.raw)
	}
	if e.stored() != 0 {
		t.Error("published")
	}
}

// A webhook's body is judged by the configured record limit
// (worker.max_body_bytes), as an import's is, not by the default.
func TestAWebhookJudgesBodiesByTheConfiguredLimit(t *testing.T) {
	body := []byte(fmt.Sprintf(`{"post": {"id": 88, "created_at": "2025-01-01T00:00:00Z", "post_type": 1, "username": "rowan", "cooked": "<p>%s</p>"}}`,
		strings.Repeat("The export stops halfway. ", 12000))) // some 300 KiB
	for _, c := range []struct {
		limit  int
		status int
	}{{0, http.StatusBadRequest}, {1 << 20, http.StatusAccepted}} {
		e := newIntake(t, func(cfg *config.Intake, o *intake.Options) {
			cfg.MaxBodyBytes = 2 << 20
			o.MaxRecordBytes = c.limit
		})
		if res := e.post("/webhooks/discourse", body, e.signed("discourse", dcKey, body, "post_created")); res.status != c.status {
			t.Errorf("record limit %d: status %d %.200s, want %d", c.limit, res.status, res.raw, c.status)
		}
	}
}
