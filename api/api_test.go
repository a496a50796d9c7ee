package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/feedbackloop/feedbackloop/api"
	"github.com/feedbackloop/feedbackloop/insights"
	"github.com/feedbackloop/feedbackloop/insights/insightstest"
	"github.com/feedbackloop/feedbackloop/internal/testenv"
	"github.com/feedbackloop/feedbackloop/sinks"
)

// The "done when" through the API: on the planted dataset, with
// redeliveries stored, each endpoint reports exactly the planted patterns
// and its counts equal direct SQL over distinct ids.
func TestAPIReportsThePlantedPatterns(t *testing.T) {
	s := newSite(t)

	var em insights.Emerging
	s.getJSON(t, "/api/v1/emerging", &em)
	if len(em.Rising) != 1 || em.Rising[0].Theme != insightstest.SpikeTheme {
		t.Errorf("emerging rising %+v, want only %s", em.Rising, insightstest.SpikeTheme)
	}
	for _, c := range append(em.Rising, em.Declining...) {
		if _, steady := insightstest.SteadyThemes[c.Theme]; steady {
			t.Errorf("steady theme flagged: %+v", c)
		}
	}

	var out insights.Outcome
	s.getJSON(t, "/api/v1/outcome", &out)
	if len(out.Results) != 1 || out.Results[0].Theme != insightstest.FallingTheme || !out.Results[0].Significant || out.Results[0].Direction != "fell" {
		t.Errorf("outcome %+v, want %s falling significantly", out.Results, insightstest.FallingTheme)
	}

	var bets insights.BetsReport
	s.getJSON(t, "/api/v1/bets", &bets)
	if len(bets.Unaddressed) == 0 || bets.Unaddressed[0].Theme != insightstest.UncoveredTheme {
		t.Errorf("unaddressed %+v, want %s first", bets.Unaddressed, insightstest.UncoveredTheme)
	}
	if len(bets.WithoutEvidence) != 1 || bets.WithoutEvidence[0] != insightstest.EmptyBet {
		t.Errorf("without evidence %v", bets.WithoutEvidence)
	}

	var tr insights.Trends
	s.getJSON(t, "/api/v1/trends?grain=month&from=2025-01-01&to=2025-06-01&theme="+insightstest.SpikeTheme+","+insightstest.UncoveredTheme, &tr)
	if len(tr.Themes) != 2 || len(tr.Periods) != 5 {
		t.Fatalf("trends: %d themes over %d months", len(tr.Themes), len(tr.Periods))
	}
	for _, th := range tr.Themes {
		for _, p := range th.Points {
			want := s.count(t, "SELECT uniqExact(id) FROM "+s.db+".feedback WHERE has(themes, ?) AND toStartOfMonth(created_at) = toDate(?)", th.Theme, p.Period.Format("2006-01-02"))
			if p.Items != want {
				t.Errorf("%s %s: %d items, direct SQL over distinct ids says %d", th.Theme, p.Period.Format("2006-01"), p.Items, want)
			}
		}
	}
	if raw := s.count(t, "SELECT count() FROM "+s.db+".feedback"); raw <= uint64(len(s.data.Rows)) {
		t.Fatalf("fixture: %d raw rows for %d records, want redeliveries stored", raw, len(s.data.Rows))
	}

	var q insights.Quotes
	s.getJSON(t, "/api/v1/quotes?theme="+insightstest.UncoveredTheme+"&limit=3&plan=enterprise", &q)
	if len(q.Quotes) != 3 || q.Quotes[0].Plan != "enterprise" {
		t.Errorf("quotes %+v", q.Quotes)
	}
	var complaints insights.Quotes
	s.getJSON(t, "/api/v1/quotes?theme="+insightstest.UncoveredTheme+"&limit=10&sentiment=negative", &complaints)
	if len(complaints.Quotes) != 10 || complaints.SentimentFilter != "negative" {
		t.Errorf("negative quotes: %d with filter %q, want 10 with filter negative", len(complaints.Quotes), complaints.SentimentFilter)
	}
	for _, c := range complaints.Quotes {
		if c.Sentiment >= 0 {
			t.Errorf("sentiment=negative returned %s with sentiment %v", c.ID, c.Sentiment)
		}
	}
}

func TestAPIAnswersBadParametersWith400NamingThem(t *testing.T) {
	s := newSite(t)
	for _, tc := range []struct{ path, param, value string }{
		{"/api/v1/trends?grain=year", "grain", "year"},
		{"/api/v1/trends?periods=many", "periods", "many"},
		{"/api/v1/trends?from=2025-13-01", "from", "2025-13-01"},
		{"/api/v1/trends?from=2025-05-01&to=2025-04-01", "to", "2025-04-01"},
		{"/api/v1/trends?grian=week", "grian", "week"},
		{"/api/v1/trends?grain=week&grain=day", "grain", "week,day"},
		{"/api/v1/emerging?alpha=2", "alpha", "2"},
		{"/api/v1/emerging?recent_days=0x10", "recent_days", "0x10"},
		{"/api/v1/bets?days=-5", "days", "-5"},
		{"/api/v1/outcome?days=9999", "days", "9999"},
		{"/api/v1/quotes", "theme", ""},
		{"/api/v1/quotes?theme=x&limit=500", "limit", "500"},
		{"/api/v1/quotes?theme=x&sentiment=angry", "sentiment", "angry"},
		{"/api/v1/trends?format=xml", "format", "xml"},
		{"/api/v1/quotes?theme=x&to=2025-05-01", "to", "2025-05-01"},
		// 0 is no default (QA saw each answered with the default).
		{"/api/v1/trends?periods=0", "periods", "0"},
		{"/api/v1/emerging?min_items=0", "min_items", "0"},
		{"/api/v1/emerging?alpha=0", "alpha", "0"},
		{"/api/v1/bets?top=0", "top", "0"},
		{"/api/v1/quotes?theme=x&limit=0", "limit", "0"},
	} {
		status, body := s.get(t, tc.path)
		var e struct{ Error, Parameter, Value string }
		if err := json.Unmarshal(body, &e); err != nil || status != http.StatusBadRequest || e.Error == "" {
			t.Errorf("GET %s: %d %s, want 400 with an error body", tc.path, status, body)
			continue
		}
		if tc.param != "" && (e.Parameter != tc.param || e.Value != tc.value) {
			t.Errorf("GET %s: error names %q=%q, want %q=%q (%s)", tc.path, e.Parameter, e.Value, tc.param, tc.value, e.Error)
		}
	}
	// An unknown parameter's error lists what the endpoint takes, and
	// quotes take no from or to.
	if _, body := s.get(t, "/api/v1/quotes?theme=x&foo=bar"); !strings.Contains(string(body), "takes") || strings.Contains(string(body), "from") {
		t.Errorf("quotes with an unknown parameter: %s, want the parameters it takes, without from and to", body)
	}
}

// A query that outlasts serve.query_timeout answers 504, however the
// driver reports it: QA saw "read tcp …: i/o timeout" answered 500 two
// times in three.
func TestAQueryThatTakesTooLongAnswers504(t *testing.T) {
	s := newSite(t)
	h, err := api.NewHandler(s.store, api.Options{Token: token, QueryTimeout: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	for range 10 {
		if status, _ := send(t, http.MethodGet, srv.URL+"/api/v1/trends?grain=day&periods=400&plan=pro", "Bearer "+token); status != http.StatusGatewayTimeout {
			t.Fatalf("%d, want 504", status)
		}
	}
}

// A known endpoint asked with another method answers 405 with Allow; an
// unknown one 404; the browser's favicon request finds no error.
func TestMethodsAndPathsOutsideTheAPI(t *testing.T) {
	s := newSite(t)
	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{http.MethodPost, "/api/v1/trends", http.StatusMethodNotAllowed},
		{http.MethodDelete, "/api/v1/quotes", http.StatusMethodNotAllowed},
		{http.MethodGet, "/api/v1/nothing", http.StatusNotFound},
		{http.MethodGet, "/favicon.ico", http.StatusNoContent},
	} {
		status, header := send(t, tc.method, s.url+tc.path, "Bearer "+token)
		if status != tc.status || tc.status == http.StatusMethodNotAllowed && !strings.Contains(header.Get("Allow"), "GET") {
			t.Errorf("%s %s: %d (Allow %q), want %d", tc.method, tc.path, status, header.Get("Allow"), tc.status)
		}
	}
}

// An empty list is [] in JSON, as the schema declares, not null.
func TestEmptyListsAreEmptyArrays(t *testing.T) {
	s := newSite(t)
	for path, fields := range map[string][]string{
		"/api/v1/emerging?end=2030-01-01":              {"rising", "declining", "themes"},
		"/api/v1/bets?end=2020-01-01":                  {"unaddressed"},
		"/api/v1/trends?from=2030-01-06&to=2030-01-13": {"themes"},
	} {
		status, body := s.get(t, path)
		var got map[string]any
		if err := json.Unmarshal(body, &got); status != http.StatusOK || err != nil {
			t.Fatalf("GET %s: %d %v %.300s", path, status, err, body)
		}
		for _, f := range fields {
			if list, ok := got[f].([]any); !ok || len(list) != 0 {
				t.Errorf("GET %s: %q is %v, want []", path, f, got[f])
			}
		}
	}
}

func TestAPINeedsTheBearerToken(t *testing.T) {
	s := newSite(t)
	for _, auth := range []string{"", "Bearer wrong-token-0123456789", "Basic " + token} {
		if status, header := send(t, http.MethodGet, s.url+"/api/v1/trends", auth); status != http.StatusUnauthorized || !strings.HasPrefix(header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("Authorization %q: %d, want 401 with a Bearer challenge", auth, status)
		}
	}
	// The scheme's name is case-insensitive (RFC 7235).
	if status, _ := send(t, http.MethodGet, s.url+"/api/v1/trends", "bearer "+token); status != http.StatusOK {
		t.Errorf("Authorization \"bearer …\": %d, want 200", status)
	}
	resp, err := http.Get(s.url + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Request.URL.Path != "/login" {
		t.Errorf("dashboard without a token ended at %s, want the login form", resp.Request.URL.Path)
	}
	resp, err = http.Get(s.url + "/api/v1/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("openapi.yaml: %d, want it public", resp.StatusCode)
	}
}

func TestAPIAnswersCSVOnRequest(t *testing.T) {
	s := newSite(t)
	status, body := s.get(t, "/api/v1/emerging?format=csv")
	if status != http.StatusOK || !strings.HasPrefix(string(body), "theme,direction,significant,recent") || !strings.Contains(string(body), insightstest.SpikeTheme+",rising,true") {
		t.Fatalf("emerging as CSV: %d\n%s", status, body)
	}
}

func TestDashboardAndAPIWorkOnAnEmptyDatabase(t *testing.T) {
	ch, _ := testenv.Migrated(t)
	store, err := insights.New(ch.Conn(), ch.Database())
	if err != nil {
		t.Fatal(err)
	}
	h, err := api.NewHandler(store, api.Options{Token: token})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	s := &site{url: srv.URL}
	for _, path := range []string{"/", "/api/v1/trends", "/api/v1/emerging", "/api/v1/bets", "/api/v1/outcome", "/api/v1/quotes?theme=x"} {
		if status, body := s.get(t, path); status != http.StatusOK {
			t.Errorf("GET %s on an empty database: %d %s", path, status, body)
		}
	}
}

// An answer that cannot be encoded is a 500 with a reason, not a 200 with
// an empty body: here two stored accounts whose ARR sums to +Inf (from
// before the contract bounded account.arr), which JSON cannot hold.
func TestAnAnswerThatCannotBeEncodedIsAnError(t *testing.T) {
	s := newSite(t)
	var rows []sinks.Row
	for _, acct := range []string{"huge-1", "huge-2"} {
		rows = append(rows, sinks.Row{ID: "huge:" + acct, Source: "zendesk", Kind: "ticket", CreatedAt: time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC),
			IngestedAt: time.Now().UTC(), Body: "slow", AccountID: acct, AccountARR: 1.7e308,
			Themes: []string{"billing"}, ThemeConfidence: []float32{1}, ThemeEvidence: []string{"slow"}, ThemeSentiment: []float32{0}})
	}
	if err := s.sink.Write(context.Background(), rows); err != nil {
		t.Fatal(err)
	}
	status, body := s.get(t, "/api/v1/trends?grain=month&from=2025-06-01&to=2025-07-01")
	if status != http.StatusInternalServerError || !strings.Contains(string(body), `"error"`) {
		t.Errorf("status %d, body %q: want 500 with an error", status, body)
	}
	if status, body := s.get(t, "/api/v1/trends?grain=month&from=2025-06-01&to=2025-07-01&format=csv"); status != http.StatusOK || !strings.Contains(string(body), "billing") {
		t.Errorf("csv: status %d, body %q", status, body)
	}
}

// A client that goes away before its answer is no server error: QA saw
// each closed dashboard tab logged at error level with a stack trace.
func TestAClientGoneIsNoServerError(t *testing.T) {
	s := newSite(t)
	core, logs := observer.New(zap.ErrorLevel)
	h, err := api.NewHandler(s.store, api.Options{Token: token, Log: zap.New(core)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequest(http.MethodGet, "/api/v1/trends", nil).WithContext(ctx)
	req.Header.Set("Authorization", "Bearer "+token)
	h.ServeHTTP(httptest.NewRecorder(), req)
	for _, e := range logs.All() {
		t.Errorf("logged at error: %s %v", e.Message, e.ContextMap())
	}
}
