package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/feedbackloop/feedbackloop/api"
	"github.com/feedbackloop/feedbackloop/insights"
	"github.com/feedbackloop/feedbackloop/insights/insightstest"
	"github.com/feedbackloop/feedbackloop/internal/testenv"
	"github.com/feedbackloop/feedbackloop/sinks"
)

const token = "test-token-0123456789abcdef"

// site is the API over the planted dataset, with the store's clock set to
// the dataset's end so that the defaults ("today") land on it.
type site struct {
	url   string
	conn  clickhouse.Conn
	db    string
	data  insightstest.Dataset
	store *insights.Store
	sink  *sinks.ClickHouse
}

func newSite(t *testing.T) *site {
	t.Helper()
	ch, dsn := testenv.Migrated(t)
	ctx := context.Background()
	testenv.StopMerges(t, dsn, "feedback") // planted redeliveries stay until queried
	d := insightstest.Planted(7, time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC))
	store, err := insights.New(ch.Conn(), ch.Database(), insights.WithClock(func() time.Time { return d.End.Add(-time.Minute) }))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Load(ctx, ch, store); err != nil {
		t.Fatal(err)
	}
	h, err := api.NewHandler(store, api.Options{Token: token})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &site{url: srv.URL, conn: testenv.Conn(t, dsn), db: ch.Database(), data: d, store: store, sink: ch}
}

// send makes a request with auth as its Authorization header (none when
// empty), and returns the status and the headers.
func send(t *testing.T, method, url, auth string) (int, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header
}

// get requests path with the token and returns the status and body.
func (s *site) get(t *testing.T, path string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

// getJSON requests path, wants 200 and decodes the body into v.
func (s *site) getJSON(t *testing.T, path string, v any) {
	t.Helper()
	status, body := s.get(t, path)
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, status, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v in %s", path, err, body)
	}
}

func (s *site) count(t *testing.T, query string, args ...any) uint64 {
	t.Helper()
	var n uint64
	if err := s.conn.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}
