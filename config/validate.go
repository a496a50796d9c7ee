package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// FieldError is a configuration value that cannot be used.
type FieldError struct {
	Key     string // e.g. "batch.max_wait"
	Value   string // the value as text; secrets are never included
	Problem string
	Origin  string // environment variable or file that set it, when known
}

func (e *FieldError) Error() string {
	var b strings.Builder
	b.WriteString("config: ")
	b.WriteString(e.Key)
	if e.Value != "" {
		fmt.Fprintf(&b, " = %q", e.Value)
	}
	if e.Origin != "" {
		fmt.Fprintf(&b, " (set by %s)", e.Origin)
	}
	b.WriteString(": ")
	b.WriteString(e.Problem)
	return b.String()
}

func bad(key string, value any, problem string, args ...any) *FieldError {
	return &FieldError{Key: key, Value: fmt.Sprint(value), Problem: fmt.Sprintf(problem, args...)}
}

var (
	natsName   = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`)
	identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)
)

// Validate checks every value and the rules that tie values together. It
// returns the first problem as a *FieldError.
func (c *Config) Validate() error {
	n := c.NATS
	if err := firstError(
		notEmpty("nats.url", n.URL),
		name("nats.stream", n.Stream),
		name("nats.dlq_stream", n.DLQStream),
		name("nats.consumer", n.Consumer),
		atLeast("nats.ack_wait", n.AckWait, time.Second),
		positive("nats.max_ack_pending", n.MaxAckPending),
		positive("nats.fetch_batch", n.FetchBatch),
		atLeast("nats.duplicate_window", n.DuplicateWindow, 0),
		atLeast("nats.max_age", n.MaxAge, 0),
		atLeast("nats.dlq_max_age", n.DLQMaxAge, 0),
		between("nats.replicas", n.Replicas, 1, 5),
		fileExists("nats.creds_file", n.CredsFile),
		c.validateDSN(),
		atLeast("clickhouse.insert_timeout", c.ClickHouse.InsertTimeout, time.Millisecond),
		atLeast("clickhouse.dial_timeout", c.ClickHouse.DialTimeout, time.Millisecond),
		positive("batch.max_rows", c.Batch.MaxRows),
		between("batch.max_bytes", int(c.Batch.MaxBytes), 1<<10, 1<<30),
		atLeast("batch.max_wait", c.Batch.MaxWait, time.Millisecond),
		between("worker.max_body_bytes", int(c.Worker.MaxBodyBytes), 1, 64<<20),
		atLeast("worker.shutdown_timeout", c.Worker.ShutdownTimeout, time.Millisecond),
		between("worker.concurrency", c.Worker.Concurrency, 0, 1024),
		atLeast("worker.retry_initial", c.Worker.RetryInitial, time.Millisecond),
		atLeast("worker.retry_max", c.Worker.RetryMax, c.Worker.RetryInitial),
		fileExists("enrich.taxonomy", c.Enrich.Taxonomy),
		fileExists("enrich.model", c.Enrich.Model),
		listenAddr("metrics.addr", c.Metrics.Addr),
		c.LLM.validate(),
		c.Intake.validate(),
		c.Poll.validate(),
		c.Serve.validate(),
		c.noMaskedSecret(),
	); err != nil {
		return err
	}
	if n.Stream == n.DLQStream {
		return bad("nats.dlq_stream", n.DLQStream, "must differ from nats.stream")
	}
	// A message waits up to max_wait in a batch and then up to
	// insert_timeout for its insert; if that can outlast ack_wait, NATS
	// redelivers messages that are about to be acked and every batch is
	// written twice.
	if c.Batch.MaxWait+c.ClickHouse.InsertTimeout >= n.AckWait {
		return bad("nats.ack_wait", n.AckWait,
			"must be longer than batch.max_wait + clickhouse.insert_timeout (%s + %s)", c.Batch.MaxWait, c.ClickHouse.InsertTimeout)
	}
	// With the LLM on, a message is gathered into a call for up to
	// llm.linger and waits for the LLM for up to llm.max_wait, then for
	// its batch and its insert; past ack_wait NATS would deliver it again
	// mid-flight.
	if limit := n.AckWait - c.Batch.MaxWait - c.ClickHouse.InsertTimeout; c.LLM.Enabled && c.LLM.Linger+c.LLM.MaxWait >= limit {
		return bad("llm.max_wait", c.LLM.MaxWait,
			"plus llm.linger (%s) must be shorter than nats.ack_wait - batch.max_wait - clickhouse.insert_timeout (%s)", c.LLM.Linger, limit)
	}
	// The server stops delivering at max_ack_pending unacked messages; a
	// batch that needs more rows than that would only ever flush on max_wait.
	if n.MaxAckPending < c.Batch.MaxRows {
		return bad("nats.max_ack_pending", n.MaxAckPending, "must be at least batch.max_rows (%d)", c.Batch.MaxRows)
	}
	return nil
}

// Database returns the ClickHouse database named by the DSN, "default" when
// it names none.
func (c *ClickHouse) Database() string {
	opts, err := clickhouse.ParseDSN(c.DSN)
	if err != nil || opts.Auth.Database == "" {
		return "default"
	}
	return opts.Auth.Database
}

func (c *Config) validateDSN() error {
	const key = "clickhouse.dsn"
	if c.ClickHouse.DSN == "" {
		return bad(key, "", "is required, e.g. clickhouse://127.0.0.1:9000/feedbackloop")
	}
	opts, err := clickhouse.ParseDSN(c.ClickHouse.DSN)
	if err != nil {
		return bad(key, RedactURL(c.ClickHouse.DSN), "%v", err)
	}
	if db := opts.Auth.Database; db != "" && !identifier.MatchString(db) {
		return bad(key, RedactURL(c.ClickHouse.DSN), "database %q must match [A-Za-z_][A-Za-z0-9_]*", db)
	}
	return nil
}

// Mask is what Redacted and RedactURL show in place of a secret.
const Mask = "xxxxx"

// noMaskedSecret refuses a secret that is Mask: a configuration printed by
// feedbackloop config and loaded back as it is would otherwise run with
// "xxxxx" as its password or key, and fail later at the server, far from
// the line to mend.
func (c *Config) noMaskedSecret() error {
	var err error
	c.eachSecret(func(key, kind, v string) string {
		switch {
		case err != nil || v == "":
		case kind == "url" && urlHoldsMask(v):
			err = bad(key, RedactURL(v), "holds the mask %s that feedbackloop config prints in place of a password or key: put the secret back", Mask)
		case kind != "url" && v == Mask:
			err = bad(key, Mask, "is the mask feedbackloop config prints in place of a secret: put the secret back")
		}
		return v
	})
	return err
}

// urlHoldsMask reports whether a URL's password, or a query parameter
// RedactURL would mask, is Mask.
func urlHoldsMask(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	if p, ok := u.User.Password(); ok && p == Mask {
		return true
	}
	for k, vs := range u.Query() {
		for _, v := range vs {
			if v == Mask && secretParam(k) {
				return true
			}
		}
	}
	return false
}

// secretParam reports whether a URL query parameter holds a secret.
func secretParam(name string) bool {
	l := strings.ToLower(name)
	return strings.Contains(l, "password") || strings.Contains(l, "key") ||
		strings.Contains(l, "token") || strings.Contains(l, "secret")
}

// RedactURL hides the password of a URL or DSN ("http://user:xxxxx@host")
// and the values of query parameters that hold secrets (password, key,
// token, secret: "?password=xxxxx", "?api-key=xxxxx"), so that it can be
// shown and logged. One that does not parse is shown as the reason.
func RedactURL(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the URL it quotes
		}
		return fmt.Sprintf("(not a URL: %v)", err)
	}
	if q := u.Query(); len(q) > 0 {
		masked := false
		for k := range q {
			if secretParam(k) {
				q.Set(k, Mask)
				masked = true
			}
		}
		if masked {
			u.RawQuery = q.Encode()
		}
	}
	return u.Redacted()
}

// Redacted returns a copy safe to log: every field tagged secret is
// masked, URLs and DSNs (secret:"url") keep everything but their password.
func (c Config) Redacted() Config {
	c.eachSecret(func(_, kind, v string) string {
		switch {
		case kind == "url":
			return RedactURL(v)
		case v != "":
			return Mask
		}
		return v
	})
	return c
}

// eachSecret calls f with the key, the secret tag ("true" or "url") and
// the value of every string field tagged secret, and sets the field to
// what f returns.
func (c *Config) eachSecret(f func(key, kind, v string) string) {
	v := reflect.ValueOf(c).Elem()
	for i := 0; i < v.NumField(); i++ {
		sec := v.Field(i)
		for j := 0; j < sec.NumField(); j++ {
			fv, ft := sec.Field(j), sec.Type().Field(j)
			if kind := ft.Tag.Get("secret"); kind != "" && fv.Kind() == reflect.String {
				fv.SetString(f(tagName(v.Type().Field(i))+"."+tagName(ft), kind, fv.String()))
			}
		}
	}
}

func notEmpty(key, v string) error {
	if strings.TrimSpace(v) == "" {
		return bad(key, v, "is required")
	}
	return nil
}

func name(key, v string) error {
	if !natsName.MatchString(v) {
		return bad(key, v, "must be 1-255 letters, digits, '-' or '_'")
	}
	return nil
}

func positive(key string, v int) error {
	if v < 1 {
		return bad(key, v, "must be at least 1")
	}
	return nil
}

func between(key string, v, lo, hi int) error {
	if v < lo || v > hi {
		return bad(key, v, "must be between %d and %d", lo, hi)
	}
	return nil
}

func durationBetween(key string, v, lo, hi time.Duration) error {
	if v < lo || v > hi {
		return bad(key, v, "must be between %s and %s", lo, hi)
	}
	return nil
}

func atLeast(key string, v, min time.Duration) error {
	if v < min {
		return bad(key, v, "must be at least %s", min)
	}
	return nil
}

func fileExists(key, path string) error {
	if path == "" {
		return nil
	}
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return bad(key, path, "no such file")
		}
		return bad(key, path, "%v", err)
	}
	return nil
}

func listenAddr(key, addr string) error {
	if addr == "" {
		return nil
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return bad(key, addr, "must be host:port or :port")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return bad(key, addr, "the port must be a number from 0 to 65535")
	}
	return nil
}

// firstError returns the first of checks that is not nil: the problem a
// section reports when several of its keys are wrong.
func firstError(checks ...error) error {
	for _, err := range checks {
		if err != nil {
			return err
		}
	}
	return nil
}
