package intake

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/feedbackloop/feedbackloop/config"
	"github.com/feedbackloop/feedbackloop/feedback"
	"github.com/feedbackloop/feedbackloop/ingest"
	"github.com/feedbackloop/feedbackloop/ingest/sources"
)

// Publisher stores records durably: when Publish returns, every outcome
// without an error was acknowledged. ingest.Publisher is one.
type Publisher interface {
	Publish(ctx context.Context, recs []*feedback.Record) ([]ingest.Outcome, error)
}

var _ Publisher = (*ingest.Publisher)(nil)

// Options are what a Server needs besides its configuration.
type Options struct {
	Config    config.Intake
	Publisher Publisher
	// Connected reports whether NATS is reachable; while it is false,
	// requests that would publish get 503 at once instead of waiting for
	// the publish timeout. Nil means always connected.
	Connected func() bool
	Log       *zap.Logger
	// Now is the clock for signed timestamps; time.Now when nil.
	Now func() time.Time
	// MaxRecordBytes is the body limit of one record, the publisher's, so
	// that POST /v1/feedback refuses a record the publisher would refuse
	// before anything of the request is published.
	MaxRecordBytes int
}

// Server is the intake HTTP server. Its handler is safe for concurrent
// use; every 2xx it answers for a request that carried feedback was sent
// after JetStream acknowledged the records.
type Server struct {
	cfg       config.Intake
	pub       Publisher
	connected func() bool
	log       *zap.Logger
	now       func() time.Time
	records   sources.Records
	webhooks  map[string]webhook
}

// webhook is one source's webhook route.
type webhook struct {
	secret  string
	setting string // the configuration key of the secret, for messages
	verify  Verifier
	mapper  sources.Mapper
	// options reads what the request's headers say about its body.
	options func(h http.Header) sources.Options
}

// New returns a Server.
func New(o Options) (*Server, error) {
	if o.Publisher == nil {
		return nil, errors.New("intake: no publisher")
	}
	s := &Server{cfg: o.Config, pub: o.Publisher, connected: o.Connected, log: o.Log, now: o.Now,
		records: sources.Records{MaxBodyBytes: o.MaxRecordBytes}}
	if s.connected == nil {
		s.connected = func() bool { return true }
	}
	if s.log == nil {
		s.log = zap.NewNop()
	}
	if s.now == nil {
		s.now = time.Now
	}
	zendeskURL := strings.TrimRight(o.Config.ZendeskURL, "/")
	staff := o.Config.IncludeStaff
	s.webhooks = map[string]webhook{
		"zendesk": {secret: o.Config.ZendeskSecret, setting: "intake.zendesk_secret", verify: VerifyZendesk, mapper: sources.Zendesk{},
			options: func(http.Header) sources.Options { return sources.Options{BaseURL: zendeskURL, IncludeStaff: staff} }},
		"intercom": {secret: o.Config.IntercomSecret, setting: "intake.intercom_secret", verify: VerifyIntercom, mapper: sources.Intercom{},
			options: func(http.Header) sources.Options { return sources.Options{IncludeStaff: staff} }},
		"github": {secret: o.Config.GitHubSecret, setting: "intake.github_secret", verify: VerifyGitHub, mapper: sources.GitHub{},
			options: func(h http.Header) sources.Options {
				return sources.Options{Event: h.Get("X-GitHub-Event"), IncludeStaff: staff}
			}},
		"discourse": {secret: o.Config.DiscourseSecret, setting: "intake.discourse_secret", verify: VerifyDiscourse, mapper: sources.Discourse{},
			options: func(h http.Header) sources.Options {
				return sources.Options{Event: h.Get("X-Discourse-Event"), BaseURL: h.Get("X-Discourse-Instance"), IncludeStaff: staff}
			}},
	}
	return s, nil
}

// Handler routes the intake's requests.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/feedback", s.feedback)
	mux.HandleFunc("POST /webhooks/{source}", s.webhook)
	mux.HandleFunc("GET /healthz", s.healthz)
	return mux
}

// Run serves on the configured address until ctx ends, then stops
// accepting and waits up to 10 s for requests in flight.
func (s *Server) Run(ctx context.Context) error {
	srv := &http.Server{
		Addr:              s.cfg.Addr,
		Handler:           s.Handler(),
		ReadTimeout:       s.cfg.ReadTimeout,
		ReadHeaderTimeout: s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		ErrorLog:          zap.NewStdLog(s.log),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return fmt.Errorf("intake on %s: %w", s.cfg.Addr, err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("intake shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("intake on %s: %w", s.cfg.Addr, err)
	}
	return nil
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	if !s.connected() {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "nats unreachable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// feedback takes contract records: one, an array, or JSON lines. The
// request is all or nothing: one invalid record rejects it with 400 and
// nothing is published. A record whose metadata.author_role names someone
// other than a customer is skipped, not refused, unless
// intake.include_staff.
func (s *Server) feedback(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Token == "" {
		writeError(w, http.StatusNotFound, "POST /v1/feedback is off: set intake.token to turn it on", nil)
		return
	}
	auth := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || subtle.ConstantTimeCompare([]byte(token), []byte(s.cfg.Token)) != 1 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="feedbackloop"`)
		writeError(w, http.StatusUnauthorized, "missing or wrong bearer token", nil)
		return
	}
	body, ok := s.readBody(w, r)
	if !ok {
		return
	}
	items, err := s.records.Map(body, sources.Options{IncludeStaff: s.cfg.IncludeStaff})
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error(), nil)
		return
	}
	if problems := itemProblems(items, false); len(problems) > 0 {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("%d of %d records are invalid; nothing was published", len(problems), len(items)), problems)
		return
	}
	recs := records(items)
	if len(recs) == 0 && len(items) > 0 {
		s.ignore(w, "api", items)
		return
	}
	s.publish(w, r, "api", recs, nil, items)
}

// webhook verifies a source's signature, maps the event and publishes
// what it carries. Events that carry no feedback get 200.
func (s *Server) webhook(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("source")
	hook, ok := s.webhooks[name]
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no webhook %q: want zendesk, intercom, github or discourse", name), nil)
		return
	}
	if hook.secret == "" {
		writeError(w, http.StatusNotFound, fmt.Sprintf("webhook %s is not configured: set %s", name, hook.setting), nil)
		return
	}
	body, ok := s.readBody(w, r)
	if !ok {
		return
	}
	if err := hook.verify(r.Header, body, []byte(hook.secret), s.now(), s.cfg.TimestampTolerance); err != nil {
		s.log.Warn("webhook refused", zap.String("source", name), zap.String("remote", r.RemoteAddr), zap.Error(err))
		writeError(w, http.StatusUnauthorized, err.Error(), nil)
		return
	}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "application/x-www-form-urlencoded" {
		// GitHub's default for a new webhook; the payload is then a form
		// field, not the body.
		writeError(w, http.StatusUnsupportedMediaType, "the body is form-encoded; set the webhook's content type to application/json", nil)
		return
	}
	opts := hook.options(r.Header)
	if opts.Event == "ping" {
		writeJSON(w, http.StatusOK, map[string]any{"status": "ignored", "reason": "ping"})
		return
	}
	items, err := hook.mapper.Map(body, opts)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error(), nil)
		return
	}
	// Bodies are judged by the limit records are published with, as the
	// importer and the poller judge them, not the mappers' default.
	sources.WithBodyLimit(items, s.records.MaxBodyBytes)
	recs := records(items)
	problems := itemProblems(items, false)
	if len(recs) == 0 && len(problems) > 0 {
		writeError(w, http.StatusBadRequest, "the event cannot be mapped to feedback", problems)
		return
	}
	if len(recs) == 0 {
		s.ignore(w, name, items)
		return
	}
	// A webhook cannot fix one bad part and resend: the parts that map are
	// published and the others reported.
	s.publish(w, r, name, recs, problems, items)
}

// ignore answers 200 for a request whose items were all skipped on
// purpose (not feedback, or not a customer's), with the reason of each.
func (s *Server) ignore(w http.ResponseWriter, from string, items []sources.Item) {
	skipped := itemProblems(items, true)
	s.log.Info("feedback ignored", zap.String("from", from), zap.Int("skipped", len(skipped)),
		zap.Int("not_customer", notCustomer(items)))
	writeJSON(w, http.StatusOK, map[string]any{"status": "ignored", "skipped": len(skipped), "items": skipped})
}

// notCustomer counts the items skipped because someone other than a
// customer wrote them.
func notCustomer(items []sources.Item) int {
	n := 0
	for _, it := range items {
		if errors.Is(it.Err, sources.ErrNotCustomer) {
			n++
		}
	}
	return n
}

// readBody reads the body within the size limit; on failure it answered.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, int64(s.cfg.MaxBodyBytes)))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body is over the limit of %d bytes", tooBig.Limit), nil)
			return nil, false
		}
		writeError(w, http.StatusBadRequest, "read body: "+err.Error(), nil)
		return nil, false
	}
	return body, true
}

// publish stores recs and answers 202 once JetStream acknowledged all of
// them, 503 when it could not, 400 for records the publisher refused. The
// answer also lists the request's items that were skipped on purpose.
func (s *Server) publish(w http.ResponseWriter, r *http.Request, from string, recs []*feedback.Record, rejected []problem, items []sources.Item) {
	if !s.connected() {
		writeError(w, http.StatusServiceUnavailable, "NATS is unreachable; retry later", nil)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.PublishTimeout)
	defer cancel()
	outcomes, err := s.pub.Publish(ctx, recs)
	if err != nil {
		s.log.Warn("publish timed out", zap.String("from", from), zap.Int("records", len(recs)), zap.Error(err))
		writeError(w, http.StatusServiceUnavailable, "JetStream did not acknowledge in time; retry later (ids are stable, nothing is stored twice)", nil)
		return
	}
	var accepted, duplicates []string
	for i, o := range outcomes {
		switch {
		case o.Err != nil:
			if fe, ok := feedback.AsError(o.Err); ok {
				rejected = append(rejected, problem{ID: recs[i].ID, Field: fe.Field, Reason: string(fe.Reason), Error: fe.Error()})
				continue
			}
			s.log.Warn("publish failed", zap.String("from", from), zap.String("id", recs[i].ID), zap.Error(o.Err))
			writeError(w, http.StatusServiceUnavailable, "publish failed; retry later (ids are stable, nothing is stored twice)", nil)
			return
		case o.Duplicate:
			duplicates = append(duplicates, recs[i].ID)
		default:
			accepted = append(accepted, recs[i].ID)
		}
	}
	if len(accepted)+len(duplicates) == 0 {
		writeError(w, http.StatusBadRequest, "no record could be published", rejected)
		return
	}
	skipped := itemProblems(items, true)
	s.log.Info("feedback accepted", zap.String("from", from), zap.Int("records", len(accepted)), zap.Int("duplicates", len(duplicates)),
		zap.Int("skipped", len(skipped)), zap.Int("not_customer", notCustomer(items)))
	if rejected == nil {
		rejected = []problem{} // [] in JSON, not null
	}
	writeJSON(w, http.StatusAccepted, map[string]any{
		"accepted": len(accepted), "duplicates": len(duplicates), "ids": append(accepted, duplicates...), "rejected": rejected,
		"skipped": len(skipped), "skipped_items": skipped,
	})
}

// problem is one item the intake could not take, as it is reported.
type problem struct {
	Position string `json:"position,omitempty"`
	ID       string `json:"id,omitempty"`
	Field    string `json:"field,omitempty"`
	Reason   string `json:"reason,omitempty"`
	Error    string `json:"error"`
}

func records(items []sources.Item) []*feedback.Record {
	var recs []*feedback.Record
	for _, it := range items {
		if it.Record != nil {
			recs = append(recs, it.Record)
		}
	}
	return recs
}

// itemProblems lists the items that failed; skipped ones only when
// skipped is set, and then only them.
func itemProblems(items []sources.Item, skipped bool) []problem {
	out := []problem{} // [] in JSON, not null
	for _, it := range items {
		if it.Err == nil || errors.Is(it.Err, sources.ErrSkipped) != skipped {
			continue
		}
		p := problem{Position: it.Pos.String(), Field: sources.Field(it.Err), Error: it.Err.Error()}
		if fe, ok := feedback.AsError(it.Err); ok {
			p.Reason = string(fe.Reason)
		}
		out = append(out, p)
	}
	return out
}

func writeError(w http.ResponseWriter, status int, msg string, problems []problem) {
	body := map[string]any{"error": msg}
	if len(problems) > 0 {
		body["items"] = problems
		if problems[0].Field != "" {
			body["field"] = problems[0].Field
		}
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
