package api

import (
	"bytes"
	"context"
	"crypto/subtle"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/feedbackloop/feedbackloop/insights"
)

//go:embed openapi.yaml
var openAPI []byte

// Options configure a Handler.
type Options struct {
	// Token is the bearer token; it must not be empty.
	Token string
	// QueryTimeout bounds the queries of one request (default 30s).
	QueryTimeout time.Duration
	Log          *zap.Logger
}

// cookieName carries the token for the dashboard, which a browser opens
// without an Authorization header (see /login).
const cookieName = "feedbackloop_token"

// Handler serves the API, the OpenAPI file and the dashboard. It is safe
// for concurrent use.
type Handler struct {
	store *insights.Store
	opts  Options
	mux   *http.ServeMux
}

// NewHandler returns the HTTP handler over store.
func NewHandler(store *insights.Store, opts Options) (*Handler, error) {
	if opts.Token == "" {
		return nil, errors.New("api: a bearer token is required")
	}
	if opts.QueryTimeout <= 0 {
		opts.QueryTimeout = 30 * time.Second
	}
	if opts.Log == nil {
		opts.Log = zap.NewNop()
	}
	h := &Handler{store: store, opts: opts, mux: http.NewServeMux()}
	h.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	h.mux.HandleFunc("GET /api/v1/openapi.yaml", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		_, _ = w.Write(openAPI)
	})
	endpoints := map[string]query{"trends": h.trends, "emerging": h.emerging, "bets": h.bets, "outcome": h.outcome, "quotes": h.quotes}
	for name, q := range endpoints {
		h.mux.Handle("GET /api/v1/"+name, h.api(q))
	}
	h.mux.HandleFunc("GET /login", h.loginForm)
	h.mux.HandleFunc("POST /login", h.login)
	h.mux.HandleFunc("GET /{$}", h.dashboard)
	// The browser asks for it on every page; there is none.
	h.mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	h.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := endpoints[strings.TrimPrefix(r.URL.Path, "/api/v1/")]; ok || r.URL.Path == "/api/v1/openapi.yaml" {
			w.Header().Set("Allow", "GET, HEAD")
			writeError(w, http.StatusMethodNotAllowed, "this endpoint answers GET, not "+r.Method, "", "")
			return
		}
		writeError(w, http.StatusNotFound, "no such endpoint: "+r.Method+" "+r.URL.Path, "", "")
	})
	return h, nil
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// authorized checks the bearer token, or for browsers the cookie /login
// set, in constant time.
func (h *Handler) authorized(r *http.Request) bool {
	got := ""
	if auth := r.Header.Get("Authorization"); len(auth) > len("Bearer ") && strings.EqualFold(auth[:len("Bearer ")], "Bearer ") {
		got = auth[len("Bearer "):] // the scheme in any case (RFC 7235)
	} else if c, err := r.Cookie(cookieName); err == nil {
		got = c.Value
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(h.opts.Token)) == 1
}

// query answers a request with a report, or an error.
type query func(ctx context.Context, p *params) (insights.Report, error)

// api wraps a query: authentication, parameter checks, the time limit,
// and the answer as JSON (or CSV with format=csv).
func (h *Handler) api(q query) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !h.authorized(r) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="feedbackloop"`)
			writeError(w, http.StatusUnauthorized, "missing or wrong bearer token", "", "")
			return
		}
		p := newParams(r.URL.Query())
		format := insights.FormatJSON
		if f := p.str("format"); f != "" {
			if f != "json" && f != "csv" {
				writeError(w, http.StatusBadRequest, "want json or csv", "format", f)
				return
			}
			format = insights.Format(f)
		}
		ctx, cancel := context.WithTimeout(r.Context(), h.opts.QueryTimeout)
		defer cancel()
		rep, err := q(ctx, p)
		if err == nil {
			err = p.finish()
		}
		if err != nil && insights.PastDeadline(ctx) {
			err = errors.Join(context.DeadlineExceeded, err)
		}
		if err != nil {
			h.fail(w, r, err)
			return
		}
		// Encoded before the status is sent, so that an answer that
		// cannot be (a sum that overflowed to +Inf) is a 500, not a 200
		// with an empty body.
		var body bytes.Buffer
		if err := insights.Write(&body, format, rep); err != nil {
			h.fail(w, r, fmt.Errorf("encode the answer: %w", err))
			return
		}
		if format == insights.FormatCSV {
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		} else {
			w.Header().Set("Content-Type", "application/json")
		}
		if _, err := w.Write(body.Bytes()); err != nil {
			h.opts.Log.Debug("write response", zap.String("path", r.URL.Path), zap.Error(err))
		}
	})
}

// fail answers an error: 400 for a bad parameter, 504 for a timeout,
// nothing to a client that went away and stopped the query, 500 (logged)
// for anything else.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ie *insights.InvalidError
	switch {
	case errors.As(err, &ie):
		writeError(w, http.StatusBadRequest, ie.Problem, ie.Field, ie.Value)
	case errors.Is(err, context.DeadlineExceeded):
		writeError(w, http.StatusGatewayTimeout, "the query took longer than the server allows", "", "")
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		// The client went away (a closed tab, a proxy's own timeout)
		// and the query stopped for it: nothing failed that an
		// operator could mend. Any other error is one, even when the
		// client has left by the time it arrives.
		h.opts.Log.Debug("client gone before the answer", zap.String("path", r.URL.Path), zap.Error(err))
	default:
		h.opts.Log.Error("query failed", zap.String("path", r.URL.Path), zap.Error(err))
		writeError(w, http.StatusInternalServerError, "the query failed; the server log has the details", "", "")
	}
}

// apiError is the body of every error response.
type apiError struct {
	Error     string `json:"error"`
	Parameter string `json:"parameter,omitempty"`
	Value     string `json:"value,omitempty"`
}

func writeError(w http.ResponseWriter, status int, msg, param, value string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(apiError{Error: msg, Parameter: param, Value: value})
}
