package poll_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"
	"go.uber.org/zap/zaptest/observer"

	"github.com/feedbackloop/feedbackloop/config"
	"github.com/feedbackloop/feedbackloop/feedback"
	"github.com/feedbackloop/feedbackloop/ingest"
	"github.com/feedbackloop/feedbackloop/ingest/poll"
	"github.com/feedbackloop/feedbackloop/internal/testenv"
)

// natsEnv is a real embedded NATS with the feedback stream and a
// checkpoint bucket.
type natsEnv struct {
	t   testing.TB
	cfg config.Config
	js  jetstream.JetStream
	kv  jetstream.KeyValue
	pub *countingPublisher
}

func newNATS(t testing.TB) *natsEnv {
	t.Helper()
	srv := testenv.NATS(t)
	cfg := config.Default()
	cfg.NATS.URL = srv.ClientURL()
	_, js := testenv.JetStream(t, cfg.NATS.URL)
	ctx := context.Background()
	if err := ingest.EnsureStreams(ctx, js, cfg.NATS); err != nil {
		t.Fatal(err)
	}
	kv, err := poll.Bucket(ctx, js, cfg.Poll.CheckpointBucket)
	if err != nil {
		t.Fatal(err)
	}
	return &natsEnv{t: t, cfg: cfg, js: js, kv: kv, pub: &countingPublisher{pub: ingest.NewPublisher(js, 0)}}
}

// countingPublisher counts the records a poller sends, so a test sees a
// republish that JetStream's duplicate window would hide.
type countingPublisher struct {
	pub  *ingest.Publisher
	mu   sync.Mutex
	sent []string
	// failCall, when > 0, makes that call (1-based) fail as an
	// acknowledgement that never came would.
	failCall, calls int
}

func (c *countingPublisher) Publish(ctx context.Context, recs []*feedback.Record) ([]ingest.Outcome, error) {
	c.mu.Lock()
	c.calls++
	if c.calls == c.failCall {
		c.mu.Unlock()
		return make([]ingest.Outcome, len(recs)), context.DeadlineExceeded
	}
	for _, r := range recs {
		c.sent = append(c.sent, r.ID)
	}
	c.mu.Unlock()
	return c.pub.Publish(ctx, recs)
}

func (c *countingPublisher) ids() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.sent)
}

// storedIDs lists the record id of every message in the feedback stream.
func (e *natsEnv) storedIDs() []string {
	e.t.Helper()
	ctx := context.Background()
	s, err := e.js.Stream(ctx, e.cfg.NATS.Stream)
	if err != nil {
		e.t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	var ids []string
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && info.State.Msgs > 0; seq++ {
		m, err := s.GetMsg(ctx, seq)
		if err != nil {
			e.t.Fatal(err)
		}
		ids = append(ids, recordID(e.t, m.Data))
	}
	return ids
}

func (e *natsEnv) checkpoint(key string) string {
	e.t.Helper()
	entry, err := e.kv.Get(context.Background(), key)
	if err != nil {
		e.t.Fatalf("checkpoint %s: %v", key, err)
	}
	return string(entry.Value())
}

// pollConfig is a poll section fast enough for tests.
func pollConfig(tune func(*config.Poll)) config.Poll {
	c := config.Default().Poll
	c.RateLimit = 1000
	c.ZendeskRateLimit = 1000
	c.RetryInitial = 10 * time.Millisecond
	c.RetryMaxElapsed = 5 * time.Second
	c.RequestTimeout = 5 * time.Second
	c.GitHubRepos = nil
	tune(&c)
	return c
}

// pollOnce builds the configured sources and polls each once with a new
// Poller, as a restarted `feedbackloop poll --once` would.
func (e *natsEnv) pollOnce(cfg config.Poll) error {
	e.t.Helper()
	log := zaptest.NewLogger(e.t)
	srcs := poll.Sources(cfg, log, time.Now())
	p, err := poll.New(poll.Options{Sources: srcs, Publisher: e.pub, Checkpoints: e.kv, Interval: time.Hour, Log: log})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, s := range srcs {
		if err := p.PollOnce(context.Background(), s); err != nil {
			return err
		}
	}
	return nil
}

// fault is a response a fake API gives instead of the real one.
type fault struct {
	status     int
	retryAfter string
}

// faults hands out injected failures in order, then none.
type faults struct {
	mu   sync.Mutex
	list []fault
}

func (f *faults) next() (fault, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.list) == 0 {
		return fault{}, false
	}
	x := f.list[0]
	f.list = f.list[1:]
	return x, true
}

func (f *faults) serve(w http.ResponseWriter) bool {
	x, ok := f.next()
	if !ok {
		return false
	}
	if x.retryAfter != "" {
		w.Header().Set("Retry-After", x.retryAfter)
	}
	http.Error(w, `{"error":"injected"}`, x.status)
	return true
}

// fakeDiscourse serves GET /posts.json like Discourse: the newest posts
// first, pageSize at a time, before=<id> for older ones.
type fakeDiscourse struct {
	faults
	mu       sync.Mutex
	posts    int // posts 1..posts exist
	requests []string
}

func (d *fakeDiscourse) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d.mu.Lock()
	d.requests = append(d.requests, r.URL.RequestURI())
	newest := d.posts
	d.mu.Unlock()
	if r.URL.Path != "/posts.json" {
		http.NotFound(w, r)
		return
	}
	if d.serve(w) {
		return
	}
	before := newest + 1
	if b := r.URL.Query().Get("before"); b != "" {
		before, _ = strconv.Atoi(b)
	}
	var posts []map[string]any
	for id := before - 1; id >= 1 && len(posts) < 5; id-- {
		posts = append(posts, map[string]any{
			"id": id, "username": "user" + strconv.Itoa(id), "user_id": 100 + id, "post_number": 1, "post_type": 1,
			"created_at": time.Now().Add(-time.Duration(newest-id) * time.Minute).UTC().Format(time.RFC3339Nano),
			"cooked":     fmt.Sprintf("<p>Post number %d: the export &amp; sync are slow</p>", id), "topic_id": 7, "topic_slug": "slow",
			"topic_title": "Slow",
		})
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"latest_posts": posts})
}

func (d *fakeDiscourse) add(n int) {
	d.mu.Lock()
	d.posts += n
	d.mu.Unlock()
}

func (d *fakeDiscourse) requestLog() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.requests)
}

func discourseIDs(from, to int) []string {
	var ids []string
	for i := from; i <= to; i++ {
		ids = append(ids, "discourse:"+strconv.Itoa(i))
	}
	return ids
}

func TestDiscoursePollerPublishesOldestFirstAndResumesFromItsCheckpoint(t *testing.T) {
	e := newNATS(t)
	fake := &fakeDiscourse{posts: 12}
	fake.list = []fault{{status: http.StatusTooManyRequests, retryAfter: "1"}, {status: http.StatusBadGateway}}
	api := httptest.NewServer(fake)
	t.Cleanup(api.Close)
	cfg := pollConfig(func(c *config.Poll) { c.DiscourseURL = api.URL })

	start := time.Now()
	if err := e.pollOnce(cfg); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Errorf("poll took %s: Retry-After: 1 was not honoured", d)
	}
	if got := e.storedIDs(); !slices.Equal(got, discourseIDs(1, 12)) {
		t.Fatalf("stored %v, want posts 1..12 oldest first", got)
	}
	if cp := e.checkpoint("discourse"); cp != "12" {
		t.Errorf("checkpoint %q, want 12", cp)
	}

	fake.add(3)
	before := len(fake.requestLog())
	if err := e.pollOnce(cfg); err != nil {
		t.Fatal(err)
	}
	if got := e.storedIDs(); !slices.Equal(got, discourseIDs(1, 15)) {
		t.Fatalf("stored %v after new posts, want 1..15", got)
	}
	if sent := e.pub.ids(); len(sent) != 15 {
		t.Errorf("%d records sent in all, want 15 (the second poll must send only the new posts): %v", len(sent), sent)
	}
	if reqs := fake.requestLog()[before:]; len(reqs) != 1 {
		t.Errorf("second poll made %d requests %v, want 1: it stops at the checkpoint", len(reqs), reqs)
	}
}

// fakeZendesk serves the incremental ticket export in pages of two
// tickets, with cursors c1, c2, ...
type fakeZendesk struct {
	faults
	mu       sync.Mutex
	tickets  int
	failPage int // a page that answers 500 while set
	requests []string
	times    []time.Time
}

func (z *fakeZendesk) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	z.mu.Lock()
	z.requests = append(z.requests, r.URL.RequestURI())
	z.times = append(z.times, time.Now())
	total, failPage := z.tickets, z.failPage
	z.mu.Unlock()
	if r.URL.Path != "/api/v2/incremental/tickets/cursor.json" || r.URL.Query().Get("include") != "users,organizations" {
		http.Error(w, "unexpected request "+r.URL.RequestURI(), http.StatusBadRequest)
		return
	}
	if u, p, ok := r.BasicAuth(); !ok || u != "ops@lumen.example/token" || p != "zd-token" {
		http.Error(w, `{"error":"Couldn't authenticate you"}`, http.StatusUnauthorized)
		return
	}
	if z.serve(w) {
		return
	}
	pageNo := 1
	if c := r.URL.Query().Get("cursor"); c != "" {
		n, _ := strconv.Atoi(strings.TrimPrefix(c, "c"))
		pageNo = n + 1
	} else if r.URL.Query().Get("start_time") == "" {
		http.Error(w, "start_time or cursor required", http.StatusBadRequest)
		return
	}
	if pageNo == failPage {
		http.Error(w, "boom", http.StatusInternalServerError)
		return
	}
	tickets := []map[string]any{} // [] past the last ticket, as Zendesk answers, not null
	first := (pageNo-1)*2 + 1
	for id := first; id < first+2 && id <= total; id++ {
		tickets = append(tickets, map[string]any{
			"url": fmt.Sprintf("https://lumen.zendesk.com/api/v2/tickets/%d.json", id), "id": id,
			"created_at": "2025-11-01T10:00:00Z", "subject": fmt.Sprintf("Ticket %d", id),
			"description": "The invoice export fails", "status": "open", "requester_id": 9001, "organization_id": 501,
		})
	}
	cursor := pageNo - 1
	if len(tickets) > 0 {
		cursor = pageNo
	}
	_ = json.NewEncoder(w).Encode(map[string]any{
		"tickets": tickets, "users": []map[string]any{{"id": 9001, "name": "Mara", "email": "mara@orchard.example"}},
		"organizations": []map[string]any{{"id": 501, "name": "Orchard"}},
		"after_cursor":  "c" + strconv.Itoa(cursor), "end_of_stream": first+2 > total,
	})
}

func (z *fakeZendesk) set(f func(z *fakeZendesk)) {
	z.mu.Lock()
	f(z)
	z.mu.Unlock()
}

func TestZendeskPollerStoppedMidwayResumesWithoutGapsOrRepeats(t *testing.T) {
	e := newNATS(t)
	fake := &fakeZendesk{tickets: 6, failPage: 2}
	fake.list = []fault{{status: http.StatusServiceUnavailable}}
	api := httptest.NewServer(fake)
	t.Cleanup(api.Close)
	cfg := pollConfig(func(c *config.Poll) {
		c.ZendeskURL = api.URL
		c.ZendeskEmail, c.ZendeskToken = "ops@lumen.example", "zd-token"
		c.RetryMaxElapsed = 300 * time.Millisecond
	})

	// Page 2 keeps failing: the first poller gives up after page 1.
	err := e.pollOnce(cfg)
	if err == nil || !strings.Contains(err.Error(), "500") {
		t.Fatalf("poll error %v, want the 500 of page 2", err)
	}
	if got := e.storedIDs(); !slices.Equal(got, []string{"zendesk:1", "zendesk:2"}) {
		t.Fatalf("stored %v, want page 1 only", got)
	}
	if cp := e.checkpoint("zendesk"); cp != "c1" {
		t.Fatalf("checkpoint %q, want c1 (page 1 acknowledged, page 2 not)", cp)
	}

	// The source recovers; a new poller resumes at page 2.
	fake.set(func(z *fakeZendesk) { z.failPage = 0; z.requests = nil })
	if err := e.pollOnce(cfg); err != nil {
		t.Fatal(err)
	}
	want := []string{"zendesk:1", "zendesk:2", "zendesk:3", "zendesk:4", "zendesk:5", "zendesk:6"}
	if got := e.storedIDs(); !slices.Equal(got, want) {
		t.Fatalf("stored %v, want %v", got, want)
	}
	if sent := e.pub.ids(); !slices.Equal(sent, want) {
		t.Errorf("sent %v: a record was sent twice or skipped", sent)
	}
	if reqs := fake.requests; len(reqs) == 0 || !strings.Contains(reqs[0], "cursor=c1") {
		t.Errorf("the restarted poller began with %v, want cursor=c1", reqs)
	}
	if cp := e.checkpoint("zendesk"); cp != "c3" {
		t.Errorf("checkpoint %q, want c3", cp)
	}

	// Nothing new: the next poll sends nothing; a new ticket is picked up.
	fake.set(func(z *fakeZendesk) { z.tickets = 7 })
	if err := e.pollOnce(cfg); err != nil {
		t.Fatal(err)
	}
	if sent := e.pub.ids(); !slices.Equal(sent, append(want, "zendesk:7")) {
		t.Errorf("sent %v after ticket 7 arrived", sent)
	}
	rec := lastRecord(t, e)
	if rec.Author == nil || rec.Author.Email != "mara@orchard.example" || rec.Account == nil || rec.Account.Name != "Orchard" {
		t.Errorf("sideloads not used: %+v %+v", rec.Author, rec.Account)
	}
}

func TestACheckpointIsNotWrittenForAPageJetStreamDidNotAcknowledge(t *testing.T) {
	e := newNATS(t)
	fake := &fakeZendesk{tickets: 6}
	api := httptest.NewServer(fake)
	t.Cleanup(api.Close)
	cfg := pollConfig(func(c *config.Poll) {
		c.ZendeskURL = api.URL
		c.ZendeskEmail, c.ZendeskToken = "ops@lumen.example", "zd-token"
	})
	e.pub.failCall = 2
	if err := e.pollOnce(cfg); err == nil {
		t.Fatal("a poll whose publish was not acknowledged succeeded")
	}
	if cp := e.checkpoint("zendesk"); cp != "c1" {
		t.Fatalf("checkpoint %q, want c1: page 2 was never acknowledged", cp)
	}
	e.pub.failCall = 0
	if err := e.pollOnce(cfg); err != nil {
		t.Fatal(err)
	}
	want := []string{"zendesk:1", "zendesk:2", "zendesk:3", "zendesk:4", "zendesk:5", "zendesk:6"}
	if got := e.storedIDs(); !slices.Equal(got, want) {
		t.Errorf("stored %v, want %v", got, want)
	}
}

// Zendesk allows 10 requests a minute to the incremental export; the
// poller spaces its requests by poll.zendesk_rate_limit even when
// poll.rate_limit allows more.
func TestTheZendeskPollerKeepsToTheExportsRateLimit(t *testing.T) {
	e := newNATS(t)
	fake := &fakeZendesk{tickets: 6}
	api := httptest.NewServer(fake)
	t.Cleanup(api.Close)
	cfg := pollConfig(func(c *config.Poll) {
		c.ZendeskURL = api.URL
		c.ZendeskEmail, c.ZendeskToken = "ops@lumen.example", "zd-token"
		// One request every 500 ms: the gaps are measured where the
		// requests arrive, and a loaded machine delays one by tens of
		// milliseconds (a gap of 135 ms at 5 a second, CI=true make test
		// beside other jobs).
		c.ZendeskRateLimit = 2
	})
	if err := e.pollOnce(cfg); err != nil {
		t.Fatal(err)
	}
	fake.mu.Lock()
	defer fake.mu.Unlock()
	if len(fake.times) != 3 {
		t.Fatalf("%d requests, want 3 pages", len(fake.times))
	}
	for i := 1; i < len(fake.times); i++ {
		if gap := fake.times[i].Sub(fake.times[i-1]); gap < 300*time.Millisecond {
			t.Errorf("request %d came %s after the one before, want about 500ms", i+1, gap)
		}
	}
}

func lastRecord(t *testing.T, e *natsEnv) *feedback.Record {
	t.Helper()
	s, err := e.js.Stream(context.Background(), e.cfg.NATS.Stream)
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.GetLastMsgForSubject(context.Background(), ">")
	if err != nil {
		t.Fatal(err)
	}
	r, err := feedback.Decode(m.Data, 0)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestAPermanentAPIErrorIsNotRetried(t *testing.T) {
	e := newNATS(t)
	fake := &fakeZendesk{tickets: 2}
	api := httptest.NewServer(fake)
	t.Cleanup(api.Close)
	cfg := pollConfig(func(c *config.Poll) { c.ZendeskURL = api.URL; c.ZendeskToken = "wrong" })
	err := e.pollOnce(cfg)
	if err == nil || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "authenticate") {
		t.Fatalf("error %v, want the 401 with the API's message", err)
	}
	if len(fake.requests) != 1 {
		t.Errorf("%d requests, want 1", len(fake.requests))
	}
	if _, err := e.kv.Get(context.Background(), "zendesk"); err == nil {
		t.Error("a checkpoint was written for a failed poll")
	}
}

// fakeGitHub serves /repos/{o}/{r}/issues and /issues/comments sorted by
// updated_at ascending (in the order of the list where they tie), two per
// page unless perPage says otherwise, with Link headers.
type fakeGitHub struct {
	faults
	perPage  int
	mu       sync.Mutex
	issues   []map[string]any
	comments []map[string]any
	requests []string
	srvURL   string
}

func (g *fakeGitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	g.requests = append(g.requests, r.URL.RequestURI())
	var list []map[string]any
	switch r.URL.Path {
	case "/repos/tidepool-hq/desktop/issues":
		list = slices.Clone(g.issues)
	case "/repos/tidepool-hq/desktop/issues/comments":
		list = slices.Clone(g.comments)
	default:
		g.mu.Unlock()
		http.NotFound(w, r)
		return
	}
	g.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer gh-token" {
		http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
		return
	}
	if g.serve(w) {
		return
	}
	q := r.URL.Query()
	if q.Get("sort") != "updated" || q.Get("direction") != "asc" {
		http.Error(w, "want sort=updated&direction=asc", http.StatusBadRequest)
		return
	}
	since, err := time.Parse(time.RFC3339, q.Get("since"))
	if err != nil {
		http.Error(w, "bad since", http.StatusUnprocessableEntity)
		return
	}
	var match []map[string]any
	for _, it := range list {
		at, _ := time.Parse(time.RFC3339, it["updated_at"].(string))
		if !at.Before(since) {
			match = append(match, it)
		}
	}
	slices.SortStableFunc(match, func(a, b map[string]any) int {
		return strings.Compare(a["updated_at"].(string), b["updated_at"].(string))
	})
	pageNo, _ := strconv.Atoi(q.Get("page"))
	pageNo = max(pageNo, 1)
	perPage := cmp.Or(g.perPage, 2)
	from := (pageNo - 1) * perPage
	to := min(from+perPage, len(match))
	if from > len(match) {
		from = len(match)
	}
	if to < len(match) {
		next := *r.URL
		nq := next.Query()
		nq.Set("page", strconv.Itoa(pageNo+1))
		next.RawQuery = nq.Encode()
		w.Header().Set("Link", fmt.Sprintf(`<%s%s>; rel="next", <%s/last>; rel="last"`, g.srvURL, next.RequestURI(), g.srvURL))
	}
	_ = json.NewEncoder(w).Encode(match[from:to])
}

// pollLogged polls each source of cfg once, as pollOnce does, and returns
// what the poller logged.
func (e *natsEnv) pollLogged(t *testing.T, cfg config.Poll) *observer.ObservedLogs {
	t.Helper()
	core, logs := observer.New(zap.DebugLevel)
	log := zap.New(core)
	srcs := poll.Sources(cfg, log, time.Now())
	p, err := poll.New(poll.Options{Sources: srcs, Publisher: e.pub, Checkpoints: e.kv, Interval: time.Hour, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range srcs {
		if err := p.PollOnce(context.Background(), s); err != nil {
			t.Fatal(err)
		}
	}
	return logs
}

// githubConfig polls the fake's repository from 1 September 2025 on;
// tune, when given, changes the rest.
func githubConfig(apiURL string, tune func(*config.Poll)) config.Poll {
	return pollConfig(func(c *config.Poll) {
		c.GitHubAPIURL = apiURL
		c.GitHubRepos = []string{"tidepool-hq/desktop"}
		c.GitHubToken = "gh-token"
		c.Backfill = time.Since(time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC))
		if tune != nil {
			tune(c)
		}
	})
}

// runOf returns a GitHub fake (two items a page) holding a run of n
// issues, #1 to #n, updated in one second, 2025-10-05T00:00:00Z, and #n+1
// updated a day later.
func runOf(n int) *fakeGitHub {
	fake := &fakeGitHub{}
	for i := 1; i <= n; i++ {
		fake.issues = append(fake.issues, ghIssue(i, "2025-10-05T00:00:00Z", false))
	}
	fake.issues = append(fake.issues, ghIssue(n+1, "2025-10-06T00:00:00Z", false))
	return fake
}

func ghIssue(n int, updated string, pr bool) map[string]any {
	it := map[string]any{
		"url":            fmt.Sprintf("https://api.github.com/repos/tidepool-hq/desktop/issues/%d", n),
		"repository_url": "https://api.github.com/repos/tidepool-hq/desktop",
		"html_url":       fmt.Sprintf("https://github.com/tidepool-hq/desktop/issues/%d", n),
		"number":         n, "title": fmt.Sprintf("Issue %d", n), "body": "Sync is slow", "state": "open",
		"user": map[string]any{"login": "quietfox", "id": 7}, "labels": []any{},
		"created_at": "2025-10-01T00:00:00Z", "updated_at": updated,
	}
	if pr {
		it["pull_request"] = map[string]any{"url": "x"}
	}
	return it
}

func TestGitHubPollerFollowsLinksSkipsPullRequestsAndDoesNotRepeatTheBoundary(t *testing.T) {
	e := newNATS(t)
	fake := &fakeGitHub{
		issues: []map[string]any{
			ghIssue(1, "2025-10-02T00:00:00Z", false), ghIssue(2, "2025-10-03T00:00:00Z", true),
			ghIssue(3, "2025-10-04T00:00:00Z", false), ghIssue(4, "2025-10-05T00:00:00Z", false),
			ghIssue(5, "2025-10-05T00:00:00Z", false),
		},
		comments: []map[string]any{{
			"id": 501, "html_url": "https://github.com/tidepool-hq/desktop/issues/3#issuecomment-501",
			"issue_url": "https://api.github.com/repos/tidepool-hq/desktop/issues/3", "body": "Same here",
			"user": map[string]any{"login": "linden", "id": 8}, "created_at": "2025-10-06T00:00:00Z", "updated_at": "2025-10-06T00:00:00Z",
		}},
	}
	fake.list = []fault{
		{status: http.StatusTooManyRequests, retryAfter: time.Now().Add(2 * time.Second).UTC().Format(http.TimeFormat)},
		// GitHub's secondary rate limit: a 403 that says when to retry.
		{status: http.StatusForbidden, retryAfter: "0"},
	}
	api := httptest.NewServer(fake)
	t.Cleanup(api.Close)
	fake.srvURL = api.URL
	cfg := githubConfig(api.URL, nil)
	start := time.Now()
	if err := e.pollOnce(cfg); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Errorf("poll took %s: the Retry-After date was not honoured", d)
	}
	want := []string{"github:tidepool-hq/desktop#1", "github:tidepool-hq/desktop#3", "github:tidepool-hq/desktop#4",
		"github:tidepool-hq/desktop#5", "github:tidepool-hq/desktop#3/501"}
	if got := e.storedIDs(); !slices.Equal(got, want) {
		t.Fatalf("stored %v, want %v", got, want)
	}
	var cp struct {
		Since time.Time `json:"since"`
		Seen  []string  `json:"seen"`
	}
	if err := json.Unmarshal([]byte(e.checkpoint("github/tidepool-hq/desktop/issues")), &cp); err != nil {
		t.Fatal(err)
	}
	if !cp.Since.Equal(time.Date(2025, 10, 5, 0, 0, 0, 0, time.UTC)) || len(cp.Seen) != 2 {
		t.Errorf("checkpoint %+v, want 2025-10-05 with issues 4 and 5 seen", cp)
	}

	// since= returns the issues updated at the checkpoint again; they are
	// not sent again. An issue updated later is.
	fake.mu.Lock()
	fake.issues = append(fake.issues, ghIssue(6, "2025-10-07T00:00:00Z", false))
	fake.mu.Unlock()
	if err := e.pollOnce(cfg); err != nil {
		t.Fatal(err)
	}
	if sent := e.pub.ids(); !slices.Equal(sent, append(want, "github:tidepool-hq/desktop#6")) {
		t.Errorf("sent %v", sent)
	}
}

func TestSourcesComeFromTheConfiguration(t *testing.T) {
	cfg, err := config.Load("", []string{
		"FEEDBACKLOOP_POLL_DISCOURSE_URL=https://forum.example.com/",
		"FEEDBACKLOOP_POLL_ZENDESK_SUBDOMAIN=acme",
		"FEEDBACKLOOP_POLL_ZENDESK_TOKEN=t",
		"FEEDBACKLOOP_POLL_GITHUB_REPOS=acme/app, acme/cli",
		"FEEDBACKLOOP_POLL_GITHUB_COMMENTS=false",
	})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, s := range poll.Sources(cfg.Poll, zaptest.NewLogger(t), time.Now()) {
		keys = append(keys, s.Key())
	}
	want := []string{"discourse", "zendesk", "github/acme/app/issues", "github/acme/cli/issues"}
	if !slices.Equal(keys, want) {
		t.Errorf("sources %v, want %v", keys, want)
	}
	for env, key := range map[string]string{
		"FEEDBACKLOOP_POLL_ZENDESK_SUBDOMAIN=acme": "poll.zendesk_token",
		"FEEDBACKLOOP_POLL_GITHUB_REPOS=noslash":   "poll.github_repos",
		"FEEDBACKLOOP_POLL_RATE_LIMIT=0":           "poll.rate_limit",
		"FEEDBACKLOOP_POLL_ZENDESK_RATE_LIMIT=0":   "poll.zendesk_rate_limit",
		"FEEDBACKLOOP_POLL_DISCOURSE_URL=forum":    "poll.discourse_url",
	} {
		if _, err := config.Load("", []string{env}); err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("%s: error %v, want one naming %s", env, err, key)
		}
	}
}

// Run polls every source at once and then every interval, publishes what
// arrived in between, and returns when its context ends.
func TestRunPollsOnItsIntervalUntilStopped(t *testing.T) {
	e := newNATS(t)
	fake := &fakeDiscourse{posts: 2}
	api := httptest.NewServer(fake)
	t.Cleanup(api.Close)
	cfg := pollConfig(func(c *config.Poll) { c.DiscourseURL = api.URL })
	log := zaptest.NewLogger(t)
	p, err := poll.New(poll.Options{Sources: poll.Sources(cfg, log, time.Now()), Publisher: e.pub,
		Checkpoints: e.kv, Interval: 100 * time.Millisecond, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	waitStored := func(want []string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !slices.Equal(e.storedIDs(), want) {
			if time.Now().After(deadline) {
				t.Fatalf("stored %v, want %v", e.storedIDs(), want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitStored(discourseIDs(1, 2))
	fake.add(3)
	waitStored(discourseIDs(1, 5))
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run returned %v after its context ended", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	if polls := len(fake.requestLog()); polls < 2 {
		t.Errorf("%d requests: the source was not polled again on the interval", polls)
	}
	if sent := e.pub.ids(); len(sent) != 5 {
		t.Errorf("sent %v: a post was sent twice", sent)
	}
}

// ghComment is an issue comment on issue 3 by login, whose relation to the
// repository is association; a Bot when bot is set.
func ghComment(id int, login, association string, bot bool, updated string) map[string]any {
	userType := "User"
	if bot {
		userType = "Bot"
	}
	return map[string]any{
		"id": id, "html_url": fmt.Sprintf("https://github.com/tidepool-hq/desktop/issues/3#issuecomment-%d", id),
		"issue_url": "https://api.github.com/repos/tidepool-hq/desktop/issues/3", "body": "Comment " + strconv.Itoa(id),
		"user": map[string]any{"login": login, "id": id, "type": userType}, "author_association": association,
		"created_at": updated, "updated_at": updated,
	}
}

// What maintainers and bots write is not published, and is counted in the
// poll's summary; the checkpoint moves past it all the same, so it is not
// fetched again. poll.include_staff publishes it.
func TestThePollerSkipsMaintainersAndBotsAndCountsThem(t *testing.T) {
	newFake := func() *fakeGitHub {
		maintainerIssue := ghIssue(2, "2025-10-03T00:00:00Z", false)
		maintainerIssue["author_association"] = "OWNER"
		return &fakeGitHub{
			issues: []map[string]any{ghIssue(1, "2025-10-02T00:00:00Z", false), maintainerIssue},
			comments: []map[string]any{
				ghComment(601, "linden", "NONE", false, "2025-10-06T00:00:00Z"),
				ghComment(602, "dev-ana", "MEMBER", false, "2025-10-06T01:00:00Z"),
				ghComment(603, "renovate[bot]", "NONE", true, "2025-10-06T02:00:00Z"),
				ghComment(604, "ext-kai", "COLLABORATOR", false, "2025-10-06T03:00:00Z"),
			},
		}
	}
	for _, staff := range []bool{false, true} {
		t.Run(fmt.Sprintf("include_staff=%v", staff), func(t *testing.T) {
			e := newNATS(t)
			fake := newFake()
			api := httptest.NewServer(fake)
			t.Cleanup(api.Close)
			fake.srvURL = api.URL
			cfg := githubConfig(api.URL, func(c *config.Poll) { c.IncludeStaff = staff })
			logs := e.pollLogged(t, cfg)
			want := []string{"github:tidepool-hq/desktop#1", "github:tidepool-hq/desktop#3/601"}
			wantSkipped := map[string]int64{"github/tidepool-hq/desktop/issues": 1, "github/tidepool-hq/desktop/comments": 3}
			if staff {
				want = []string{"github:tidepool-hq/desktop#1", "github:tidepool-hq/desktop#2", "github:tidepool-hq/desktop#3/601",
					"github:tidepool-hq/desktop#3/602", "github:tidepool-hq/desktop#3/603", "github:tidepool-hq/desktop#3/604"}
				wantSkipped = map[string]int64{"github/tidepool-hq/desktop/issues": 0, "github/tidepool-hq/desktop/comments": 0}
			}
			if got := e.storedIDs(); !slices.Equal(got, want) {
				t.Fatalf("stored %v, want %v", got, want)
			}
			for _, entry := range logs.FilterMessage("poll done").All() {
				fields := entry.ContextMap()
				source, _ := fields["source"].(string)
				if got := fields["not_customer"]; got != wantSkipped[source] {
					t.Errorf("%s: poll done with not_customer=%v, want %d", source, got, wantSkipped[source])
				}
			}
			if !staff {
				if n := logs.FilterMessage("item skipped").FilterFieldKey("error").Len(); n != 4 {
					t.Errorf("%d skipped items logged with their reason, want 4", n)
				}
			}
			var cp struct {
				Since time.Time `json:"since"`
			}
			if err := json.Unmarshal([]byte(e.checkpoint("github/tidepool-hq/desktop/comments")), &cp); err != nil {
				t.Fatal(err)
			}
			if !cp.Since.Equal(time.Date(2025, 10, 6, 3, 0, 0, 0, time.UTC)) {
				t.Errorf("comments checkpoint at %v, want past the last, skipped comment (03:00)", cp.Since)
			}
		})
	}
}

func TestPollIncludeStaffIsAConfigurationKey(t *testing.T) {
	c, err := config.Load("", []string{"FEEDBACKLOOP_POLL_INCLUDE_STAFF=true"})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Poll.IncludeStaff || config.Default().Poll.IncludeStaff {
		t.Errorf("poll.include_staff: loaded %v, default %v; want true, false", c.Poll.IncludeStaff, config.Default().Poll.IncludeStaff)
	}
	if _, err := config.Load("", []string{"FEEDBACKLOOP_POLL_INCLUDE_STAFF=sometimes"}); err == nil || !strings.Contains(err.Error(), "poll.include_staff") {
		t.Errorf("a value that is not a bool: %v, want an error naming poll.include_staff", err)
	}
}

// recordID reads the id of the record a message holds.
func recordID(t testing.TB, data []byte) string {
	t.Helper()
	var r struct{ ID string }
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	return r.ID
}

// GitHub lists issues by updated_at, so an issue updated while the poller
// pages through the list moves to its end and the rest shift back one:
// following ?page=N would then skip the issue that slid onto the page
// already read, and the checkpoint would pass it for good. Each request
// asks again from the newest updated_at published instead.
func TestGitHubPollerLosesNoIssueUpdatedWhilePaging(t *testing.T) {
	e := newNATS(t)
	fake := &fakeGitHub{}
	for n := 1; n <= 6; n++ {
		fake.issues = append(fake.issues, ghIssue(n, time.Date(2025, 10, 1+n, 0, 0, 0, 0, time.UTC).Format(time.RFC3339), false))
	}
	first := true
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fake.ServeHTTP(w, r)
		if first && r.URL.Path == "/repos/tidepool-hq/desktop/issues" {
			first = false // a customer comments on issue 1 once its page is served
			fake.mu.Lock()
			fake.issues[0]["updated_at"] = "2025-10-20T00:00:00Z"
			fake.mu.Unlock()
		}
	}))
	t.Cleanup(api.Close)
	fake.srvURL = api.URL
	cfg := githubConfig(api.URL, func(c *config.Poll) { c.GitHubComments = false })
	if err := e.pollOnce(cfg); err != nil {
		t.Fatal(err)
	}
	var want []string
	for n := 1; n <= 6; n++ {
		want = append(want, fmt.Sprintf("github:tidepool-hq/desktop#%d", n))
	}
	if got := e.storedIDs(); !slices.Equal(got, want) {
		t.Errorf("stored %v, want %v", got, want)
	}
}

// An issue a page lists out of its order (updated later than the ones
// after it) is published, and so are the ones after it: the checkpoint
// only says where the next request starts.
func TestGitHubPollerPublishesIssuesAfterOneOutOfOrder(t *testing.T) {
	e := newNATS(t)
	issues := []map[string]any{ghIssue(1, "2025-10-02T00:00:00Z", false), ghIssue(2, "2025-10-09T00:00:00Z", false),
		ghIssue(3, "2025-10-04T00:00:00Z", false), ghIssue(4, "2025-10-05T00:00:00Z", false)}
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		since, _ := time.Parse(time.RFC3339, r.URL.Query().Get("since"))
		var page []map[string]any
		for _, it := range issues { // in the order given, not sorted
			if at, _ := time.Parse(time.RFC3339, it["updated_at"].(string)); !at.Before(since) {
				page = append(page, it)
			}
		}
		_ = json.NewEncoder(w).Encode(page)
	}))
	t.Cleanup(api.Close)
	cfg := githubConfig(api.URL, func(c *config.Poll) { c.GitHubComments = false })
	if err := e.pollOnce(cfg); err != nil {
		t.Fatal(err)
	}
	want := []string{"github:tidepool-hq/desktop#1", "github:tidepool-hq/desktop#2", "github:tidepool-hq/desktop#3", "github:tidepool-hq/desktop#4"}
	if got := e.storedIDs(); !slices.Equal(got, want) {
		t.Errorf("stored %v, want %v", got, want)
	}
}

// A post the poller cannot read is reported as rejected, with where it
// is, never dropped without a word: one with a bad date through the
// mapper, one without an id before it.
func TestDiscoursePollerReportsPostsItCannotRead(t *testing.T) {
	e := newNATS(t)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var posts []map[string]any
		if r.URL.Query().Get("before") == "" {
			for id := 4; id >= 1; id-- {
				p := map[string]any{"id": id, "username": "wren", "user_id": 40 + id, "post_number": 1, "post_type": 1,
					"created_at": time.Now().Add(-time.Hour).UTC().Format(time.RFC3339Nano), "cooked": "<p>Search misses exact titles</p>",
					"topic_id": 9, "topic_slug": "search", "topic_title": "Search"}
				switch id {
				case 3:
					p["created_at"] = "yesterday"
				case 2:
					p["id"] = "two"
				}
				posts = append(posts, p)
			}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"latest_posts": posts})
	}))
	t.Cleanup(api.Close)
	cfg := pollConfig(func(c *config.Poll) { c.DiscourseURL = api.URL })
	logs := e.pollLogged(t, cfg)
	done := logs.FilterMessage("poll done").All()
	if len(done) != 1 {
		t.Fatalf("poll done logged %d times", len(done))
	}
	if f := done[0].ContextMap(); f["published"] != int64(2) || f["rejected"] != int64(2) {
		t.Errorf("poll done %v: want 2 published and 2 rejected", f)
	}
	var where []string
	for _, entry := range logs.FilterMessage("item cannot be mapped; skipped").All() {
		where = append(where, fmt.Sprint(entry.ContextMap()["position"], ": ", entry.ContextMap()["error"]))
	}
	if len(where) != 2 || !strings.Contains(strings.Join(where, "\n"), "latest_posts[2]") || !strings.Contains(strings.Join(where, "\n"), "yesterday") {
		t.Errorf("warnings:\n%s", strings.Join(where, "\n"))
	}
}

// The incremental export lists a ticket once per update, oldest first:
// the poller publishes the last of them only, and counts the others as
// superseded, not as published or rejected.
func TestZendeskPollerPublishesTheLastVersionOfATicketAPageRepeats(t *testing.T) {
	e := newNATS(t)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var tickets []map[string]any
		for i, subject := range []string{"Export fails", "Export fails on Safari", "Export fails on Safari 17"} {
			tickets = append(tickets, map[string]any{"id": 5, "created_at": "2025-11-01T10:00:00Z", "subject": subject,
				"updated_at": fmt.Sprintf("2025-11-0%dT10:00:00Z", i+1), "description": "The invoice export fails", "status": "open"})
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"tickets": tickets, "after_cursor": "c1", "end_of_stream": true})
	}))
	t.Cleanup(api.Close)
	cfg := pollConfig(func(c *config.Poll) {
		c.ZendeskURL = api.URL
		c.ZendeskEmail, c.ZendeskToken = "ops@lumen.example", "zd-token"
	})
	logs := e.pollLogged(t, cfg)
	if sent := e.pub.ids(); !slices.Equal(sent, []string{"zendesk:5"}) {
		t.Fatalf("sent %v, want ticket 5 once", sent)
	}
	if rec := lastRecord(t, e); rec.Title != "Export fails on Safari 17" {
		t.Errorf("published the version titled %q, want the last", rec.Title)
	}
	if f := logs.FilterMessage("poll done").All()[0].ContextMap(); f["published"] != int64(1) || f["superseded"] != int64(2) || f["rejected"] != int64(0) {
		t.Errorf("poll done %v: want 1 published, 2 superseded", f)
	}
}

// A run of issues updated in one second (a bulk edit) longer than a
// poll's pages is passed over several polls: each starts where the last
// stopped, not at page 1 again, which would stall the source for good
// behind the run. The run (four pages) is read twice before the poller
// moves past it, and the request before it asked from September: nine
// requests.
func TestGitHubPollerPassesARunOfOneSecondLongerThanAPoll(t *testing.T) {
	for _, c := range []struct{ maxPages, polls int }{{3, 3}, {1, 9}} {
		t.Run(fmt.Sprintf("max_pages=%d", c.maxPages), func(t *testing.T) {
			e := newNATS(t)
			fake := runOf(7)
			api := httptest.NewServer(fake)
			t.Cleanup(api.Close)
			fake.srvURL = api.URL
			cfg := githubConfig(api.URL, func(p *config.Poll) { p.GitHubComments, p.MaxPages = false, c.maxPages })
			for range c.polls {
				if err := e.pollOnce(cfg); err != nil {
					t.Fatal(err)
				}
			}
			if got := e.storedIDs(); len(got) != 8 {
				t.Errorf("after %d polls stored %d of 8: %v", c.polls, len(got), got)
			}
			if sent := e.pub.ids(); len(sent) != 8 {
				t.Errorf("sent %d records, want each of the 8 once: %v", len(sent), sent)
			}
		})
	}
}

// An item whose updated_at cannot be read is not taken for one published
// long ago: it is published, or reported by the mapper, each time.
func TestGitHubPollerDoesNotDropAnItemWithoutUpdatedAt(t *testing.T) {
	e := newNATS(t)
	bad := ghIssue(2, "2025-10-03T00:00:00Z", false)
	delete(bad, "updated_at")
	issues := []map[string]any{ghIssue(1, "2025-10-02T00:00:00Z", false), bad, ghIssue(3, "2025-10-04T00:00:00Z", false)}
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _ = json.NewEncoder(w).Encode(issues) }))
	t.Cleanup(api.Close)
	cfg := githubConfig(api.URL, func(c *config.Poll) { c.GitHubComments = false })
	if err := e.pollOnce(cfg); err != nil {
		t.Fatal(err)
	}
	want := []string{"github:tidepool-hq/desktop#1", "github:tidepool-hq/desktop#2", "github:tidepool-hq/desktop#3"}
	if got := e.storedIDs(); !slices.Equal(got, want) {
		t.Errorf("stored %v, want %v", got, want)
	}
}

// A polled item's body is judged by the limit records are published with
// (worker.max_body_bytes), as an import's and a webhook's are.
func TestThePollerJudgesBodiesByTheConfiguredLimit(t *testing.T) {
	e := newNATS(t)
	e.pub = &countingPublisher{pub: ingest.NewPublisher(e.js, 1<<20)}
	long := strings.Repeat("The export stops halfway. ", 12000) // some 300 KiB
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"tickets": []map[string]any{
			{"id": 9, "created_at": "2025-11-01T10:00:00Z", "subject": "Export", "description": long, "status": "open"}},
			"after_cursor": "c1", "end_of_stream": true})
	}))
	t.Cleanup(api.Close)
	cfg := pollConfig(func(c *config.Poll) {
		c.ZendeskURL = api.URL
		c.ZendeskEmail, c.ZendeskToken = "ops@lumen.example", "zd-token"
	})
	log := zaptest.NewLogger(t)
	srcs := poll.Sources(cfg, log, time.Now())
	p, err := poll.New(poll.Options{Sources: srcs, Publisher: e.pub, Checkpoints: e.kv, Interval: time.Hour, MaxBodyBytes: 1 << 20, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.PollOnce(context.Background(), srcs[0]); err != nil {
		t.Fatal(err)
	}
	if got := e.storedIDs(); !slices.Equal(got, []string{"zendesk:9"}) {
		t.Errorf("stored %v, want the long ticket", got)
	}
}

// A post without an id stays on the forum's newest page poll after poll:
// a running poller reports it once, not at every poll.
// pollDiscourseLogged polls the Discourse forum at url the given number of
// times and returns what the poller logged, and the source it polled.
func pollDiscourseLogged(t *testing.T, e *natsEnv, url string, polls int) (*observer.ObservedLogs, poll.Source) {
	t.Helper()
	core, logs := observer.New(zap.DebugLevel)
	log := zap.New(core)
	srcs := poll.Sources(pollConfig(func(c *config.Poll) { c.DiscourseURL = url }), log, time.Now())
	p, err := poll.New(poll.Options{Sources: srcs, Publisher: e.pub, Checkpoints: e.kv, Interval: time.Hour, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	for range polls {
		if err := p.PollOnce(context.Background(), srcs[0]); err != nil {
			t.Fatal(err)
		}
	}
	return logs, srcs[0]
}

func TestDiscoursePollerReportsAPostWithoutAnIDOnce(t *testing.T) {
	e := newNATS(t)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var posts []map[string]any
		if r.URL.Query().Get("before") == "" {
			posts = []map[string]any{{"id": "none", "username": "wren", "post_type": 1, "created_at": time.Now().UTC().Format(time.RFC3339), "cooked": "<p>x</p>"}}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"latest_posts": posts})
	}))
	t.Cleanup(api.Close)
	logs, _ := pollDiscourseLogged(t, e, api.URL, 3)
	if n := logs.FilterMessage("item cannot be mapped; skipped").Len(); n != 1 {
		t.Errorf("reported %d times over 3 polls, want once", n)
	}
}

// A forum can keep serving posts without an id, or change such a post's
// counts at every poll: the poller remembers only those its last poll
// listed, not every one it ever reported.
func TestDiscoursePollerForgetsPostsWithoutAnIDItNoLongerLists(t *testing.T) {
	e := newNATS(t)
	polls := 0
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var posts []map[string]any
		if r.URL.Query().Get("before") == "" {
			polls++
			for i := range 5 {
				posts = append(posts, map[string]any{"id": "none", "username": "wren", "post_type": 1, "reads": polls*10 + i,
					"created_at": time.Now().UTC().Format(time.RFC3339), "cooked": "<p>x</p>"})
			}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"latest_posts": posts})
	}))
	t.Cleanup(api.Close)
	srcs := poll.Sources(pollConfig(func(c *config.Poll) { c.DiscourseURL = api.URL }), zap.NewNop(), time.Now())
	p, err := poll.New(poll.Options{Sources: srcs, Publisher: e.pub, Checkpoints: e.kv, Interval: time.Hour, Log: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		if err := p.PollOnce(context.Background(), srcs[0]); err != nil {
			t.Fatal(err)
		}
	}
	if n := poll.Reported(srcs[0]); n > 5 {
		t.Errorf("remembers %d posts without an id after 20 polls of 5 each, want at most the 5 of the last poll", n)
	}
}

// GitHub's updated_at counts seconds: an issue edited again in the second
// a poll read it is listed by the next poll at the same updated_at as the
// version published. It is published again, with its new text; an issue
// listed again unchanged is not.
func TestGitHubPollerPublishesAnIssueEditedAgainWithinTheSecondItWasRead(t *testing.T) {
	e := newNATS(t)
	fake := &fakeGitHub{issues: []map[string]any{
		ghIssue(1, "2025-10-05T00:00:00Z", false), ghIssue(2, "2025-10-05T00:00:00Z", false),
	}}
	api := httptest.NewServer(fake)
	t.Cleanup(api.Close)
	fake.srvURL = api.URL
	cfg := githubConfig(api.URL, func(c *config.Poll) { c.GitHubComments = false })
	if err := e.pollOnce(cfg); err != nil {
		t.Fatal(err)
	}
	fake.mu.Lock()
	fake.issues[1]["body"] = "Sync is slow, and now it fails" // same updated_at
	fake.mu.Unlock()
	for range 2 {
		if err := e.pollOnce(cfg); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"github:tidepool-hq/desktop#1", "github:tidepool-hq/desktop#2", "github:tidepool-hq/desktop#2"}
	if got := e.pub.ids(); !slices.Equal(got, want) {
		t.Fatalf("sent %v, want %v: the edit of #2 within the second lost, or an unchanged issue sent again", got, want)
	}
	if rec := lastRecord(t, e); !strings.Contains(rec.Body, "now it fails") {
		t.Errorf("last record %s has body %q, want the edited one", rec.ID, rec.Body)
	}
}

func (e *natsEnv) revision(key string) uint64 {
	e.t.Helper()
	entry, err := e.kv.Get(context.Background(), key)
	if err != nil {
		e.t.Fatalf("checkpoint %s: %v", key, err)
	}
	return entry.Revision()
}

// A poll that finds nothing new leaves the checkpoint as it is: writing it
// again added a revision to the bucket at every poll of every source. One
// that finds something writes it.
func TestAPollThatFindsNothingNewDoesNotWriteTheCheckpoint(t *testing.T) {
	for _, c := range []struct {
		name, key string
		// start serves the source; grow gives it something new.
		start func(t *testing.T) (cfg config.Poll, grow func())
	}{
		{"discourse", "discourse", func(t *testing.T) (config.Poll, func()) {
			fake := &fakeDiscourse{posts: 3}
			api := httptest.NewServer(fake)
			t.Cleanup(api.Close)
			return pollConfig(func(c *config.Poll) { c.DiscourseURL = api.URL }), func() { fake.add(1) }
		}},
		{"zendesk", "zendesk", func(t *testing.T) (config.Poll, func()) {
			fake := &fakeZendesk{tickets: 4}
			api := httptest.NewServer(fake)
			t.Cleanup(api.Close)
			return pollConfig(func(c *config.Poll) {
				c.ZendeskURL = api.URL
				c.ZendeskEmail, c.ZendeskToken = "ops@lumen.example", "zd-token"
			}), func() { fake.set(func(z *fakeZendesk) { z.tickets = 6 }) }
		}},
		{"github", "github/tidepool-hq/desktop/issues", func(t *testing.T) (config.Poll, func()) {
			fake := &fakeGitHub{issues: []map[string]any{ghIssue(1, "2025-10-02T00:00:00Z", false), ghIssue(2, "2025-10-03T00:00:00Z", false)}}
			api := httptest.NewServer(fake)
			t.Cleanup(api.Close)
			fake.srvURL = api.URL
			return githubConfig(api.URL, func(c *config.Poll) { c.GitHubComments = false }), func() {
				fake.mu.Lock()
				fake.issues = append(fake.issues, ghIssue(3, "2025-10-04T00:00:00Z", false))
				fake.mu.Unlock()
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newNATS(t)
			cfg, grow := c.start(t)
			if err := e.pollOnce(cfg); err != nil {
				t.Fatal(err)
			}
			first := e.revision(c.key)
			for range 3 {
				if err := e.pollOnce(cfg); err != nil {
					t.Fatal(err)
				}
			}
			if rev := e.revision(c.key); rev != first {
				t.Errorf("checkpoint at revision %d after 3 polls that found nothing new, want %d as the first poll left it", rev, first)
			}
			grow()
			if err := e.pollOnce(cfg); err != nil {
				t.Fatal(err)
			}
			if rev := e.revision(c.key); rev <= first {
				t.Errorf("checkpoint at revision %d after a poll that found something new, want it written (after %d)", rev, first)
			}
		})
	}
}

// A forum changes a listed post's reads, score and reply count between
// polls: a post without an id is still the same post, reported once, and
// one that appears later is reported too.
func TestDiscoursePollerReportsAPostWithoutAnIDOnceWhileItsCountsChange(t *testing.T) {
	e := newNATS(t)
	var mu sync.Mutex
	polls := 0
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var posts []map[string]any
		if r.URL.Query().Get("before") == "" {
			mu.Lock()
			polls++
			n := polls
			mu.Unlock()
			topics := []int{31, 32}
			if n >= 3 {
				topics = append(topics, 33)
			}
			for _, topic := range topics {
				posts = append(posts, map[string]any{"id": nil, "topic_id": topic, "post_number": 2, "username": "fernhill", "user_id": 61,
					"created_at": "2025-11-03T08:15:00.000Z", "cooked": "<p>The calendar sync drops events</p>", "post_type": 1,
					"reads": 3 * n, "score": float64(n) / 5, "reply_count": n % 2, "topic_slug": "calendar-sync", "topic_title": "Calendar sync"})
			}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"latest_posts": posts})
	}))
	t.Cleanup(api.Close)
	logs, src := pollDiscourseLogged(t, e, api.URL, 5)
	if n := logs.FilterMessage("item cannot be mapped; skipped").Len(); n != 3 {
		t.Errorf("reported %d times over 5 polls, want 3: once for each of the posts without an id", n)
	}
	var rejected int64
	for _, entry := range logs.FilterMessage("poll done").All() {
		rejected += entry.ContextMap()["rejected"].(int64)
	}
	if rejected != 3 {
		t.Errorf("%d counted as rejected over 5 polls, want 3", rejected)
	}
	if n := poll.Reported(src); n != 3 {
		t.Errorf("remembers %d posts without an id, want the 3 the last poll listed", n)
	}
}

// A run of one second longer than a page is read by page number; an item
// of the run updated between two of those requests moves to the end and
// the rest shift back one, so the item that slid onto the page already
// read was never listed again once the checkpoint passed the run. Read
// again, the run can shift again and hide the same item a second time:
// the poller reads it until two passes agree.
func TestGitHubPollerLosesNoItemOfARunWhenAnotherLeavesItWhilePaging(t *testing.T) {
	for _, c := range []struct {
		name string
		// leave names the issues commented on (and so leaving the run)
		// once a request of the run was answered: "page 2, 1st" is the
		// first request for page 2.
		leave map[string][]int
	}{
		{"one leaves", map[string][]int{"page 2, 1st": {1}}},
		{"more leave while it is read again", map[string][]int{"page 2, 1st": {1}, "page 1, 2nd": {2, 3}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newNATS(t)
			fake := runOf(9)
			asked := map[string]int{}
			var last time.Time
			api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				fake.ServeHTTP(w, r)
				if r.URL.Query().Get("since") != "2025-10-05T00:00:00Z" {
					return
				}
				fake.mu.Lock()
				defer fake.mu.Unlock()
				page := cmp.Or(r.URL.Query().Get("page"), "1")
				asked[page]++
				for _, n := range c.leave[fmt.Sprintf("page %s, %s", page, [...]string{"", "1st", "2nd", "3rd"}[min(asked[page], 3)])] {
					last = time.Date(2025, 10, 7, 0, 0, n, 0, time.UTC)
					fake.issues[n-1]["updated_at"] = last.Format(time.RFC3339)
				}
			}))
			t.Cleanup(api.Close)
			fake.srvURL = api.URL
			cfg := githubConfig(api.URL, func(c *config.Poll) { c.GitHubComments = false })
			if err := e.pollOnce(cfg); err != nil {
				t.Fatal(err)
			}
			stored := e.storedIDs()
			for n := 1; n <= 10; n++ {
				if id := fmt.Sprintf("github:tidepool-hq/desktop#%d", n); !slices.Contains(stored, id) {
					t.Errorf("%s never published; stored %v; requests %v", id, stored, fake.requests)
				}
			}
			var cp struct {
				Since time.Time       `json:"since"`
				Run   json.RawMessage `json:"run"`
			}
			if err := json.Unmarshal([]byte(e.checkpoint("github/tidepool-hq/desktop/issues")), &cp); err != nil {
				t.Fatal(err)
			}
			fake.mu.Lock()
			defer fake.mu.Unlock()
			if !cp.Since.Equal(last) || cp.Run != nil {
				t.Errorf("checkpoint at %v with run %s, want past the run, at %v", cp.Since, cp.Run, last)
			}
		})
	}
}

// A run read over several polls is resumed by page, and its items may
// leave it between two polls, more than a page of them: the pages the
// last poll read then hold items it never listed. Stepping one page back
// lost them.
func TestGitHubPollerLosesNoItemOfARunWhenManyLeaveItBetweenPolls(t *testing.T) {
	e := newNATS(t)
	fake := runOf(9)
	api := httptest.NewServer(fake)
	t.Cleanup(api.Close)
	fake.srvURL = api.URL
	cfg := githubConfig(api.URL, func(c *config.Poll) { c.GitHubComments, c.MaxPages = false, 3 })
	if err := e.pollOnce(cfg); err != nil { // #1 to #4: the run's first two pages
		t.Fatal(err)
	}
	fake.mu.Lock()
	for n := 1; n <= 4; n++ { // answered, and out of the run
		fake.issues[n-1]["updated_at"] = fmt.Sprintf("2025-10-07T00:00:0%dZ", n)
		fake.issues[n-1]["body"] = "Sync is slow. Fixed in 4.2?"
	}
	fake.mu.Unlock()
	for range 6 {
		if err := e.pollOnce(cfg); err != nil {
			t.Fatal(err)
		}
	}
	stored := e.storedIDs()
	for n := 1; n <= 10; n++ {
		want := 1
		if n <= 4 {
			want = 2 // and the answered version
		}
		id := fmt.Sprintf("github:tidepool-hq/desktop#%d", n)
		if got := len(slices.DeleteFunc(slices.Clone(stored), func(s string) bool { return s != id })); got != want {
			t.Errorf("%s stored %d times, want %d; stored %v", id, got, want, stored)
		}
	}
}

// Until the second of a run is over, items may still join it: a pass
// read then does not vouch for the next. Here an issue joins the run at
// its head while a pass reads it, and another leaves it: the pass lists
// as many items as the one before, and the same ones, but not the new.
func TestGitHubPollerLosesNoItemJoiningARunWhileItsSecondLasts(t *testing.T) {
	e := newNATS(t)
	const second = "2025-10-05T00:00:00Z"
	fake := &fakeGitHub{} // two items a page
	for n := 1; n <= 4; n++ {
		fake.issues = append(fake.issues, ghIssue(n, second, false))
	}
	var mu sync.Mutex
	now, join := time.Date(2025, 10, 5, 0, 0, 0, 0, time.UTC), false
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Date", now.Format(http.TimeFormat))
		fake.ServeHTTP(w, r)
		if join && r.URL.Query().Get("page") == "" && r.URL.Query().Get("since") == second {
			join = false
			fake.mu.Lock()
			// #5 is edited in the same second and listed first; #1,
			// just read, is commented on in the next.
			fake.issues = append([]map[string]any{ghIssue(5, second, false)}, fake.issues...)
			fake.issues[1]["updated_at"] = "2025-10-05T00:00:01Z"
			fake.mu.Unlock()
			now = now.Add(time.Second)
		}
	}))
	t.Cleanup(api.Close)
	fake.srvURL = api.URL
	cfg := githubConfig(api.URL, func(c *config.Poll) { c.GitHubComments = false })
	if err := e.pollOnce(cfg); err != nil { // the run, to the end of the list
		t.Fatal(err)
	}
	mu.Lock()
	join = true
	mu.Unlock()
	if err := e.pollOnce(cfg); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	now = now.Add(time.Minute)
	mu.Unlock()
	for range 2 {
		if err := e.pollOnce(cfg); err != nil {
			t.Fatal(err)
		}
	}
	if stored := e.storedIDs(); !slices.Contains(stored, "github:tidepool-hq/desktop#5") {
		t.Errorf("#5 never published; stored %v; requests %v", stored, fake.requests)
	}
}
