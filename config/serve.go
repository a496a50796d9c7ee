package config

import "time"

// Serve is `feedbackloop serve`: the insights JSON API under /api/v1/, its
// OpenAPI description, and the dashboard at /.
type Serve struct {
	// Addr is the listen address, e.g. ":8090".
	Addr string `yaml:"addr"`
	// Token is the bearer token every API request and the dashboard
	// require; serve refuses to start without one.
	Token string `yaml:"token" secret:"true"`
	// RefreshInterval is how often the server brings the insights rollup
	// up to date; queries are exact without it, only slower. 0 turns the
	// background refresh off.
	RefreshInterval time.Duration `yaml:"refresh_interval"`
	// Settle is how long after the last insert into a day its periods may
	// be read from the rollup; it must exceed the longest insert. The
	// CLI's query commands (trends, emerging, outcome, …) read it too.
	Settle time.Duration `yaml:"settle"`
	// QueryTimeout bounds one API request's queries.
	QueryTimeout time.Duration `yaml:"query_timeout"`
	ReadTimeout  time.Duration `yaml:"read_timeout"`
	WriteTimeout time.Duration `yaml:"write_timeout"`
	IdleTimeout  time.Duration `yaml:"idle_timeout"`
}

func defaultServe() Serve {
	return Serve{
		Addr:            ":8090",
		RefreshInterval: time.Minute,
		Settle:          5 * time.Minute,
		QueryTimeout:    30 * time.Second,
		ReadTimeout:     10 * time.Second,
		WriteTimeout:    60 * time.Second,
		IdleTimeout:     120 * time.Second,
	}
}

func (s *Serve) validate() error {
	return firstError(
		notEmpty("serve.addr", s.Addr),
		listenAddr("serve.addr", s.Addr),
		s.validateToken(),
		atLeast("serve.refresh_interval", s.RefreshInterval, 0),
		atLeast("serve.settle", s.Settle, time.Second),
		atLeast("serve.query_timeout", s.QueryTimeout, 100*time.Millisecond),
		atLeast("serve.read_timeout", s.ReadTimeout, 100*time.Millisecond),
		atLeast("serve.write_timeout", s.WriteTimeout, s.QueryTimeout),
		atLeast("serve.idle_timeout", s.IdleTimeout, time.Second),
	)
}

// validateToken accepts no token (serve then refuses to start, other
// commands do not care) or one long enough not to be guessed.
func (s *Serve) validateToken() error {
	if s.Token != "" && len(s.Token) < 16 {
		return &FieldError{Key: "serve.token", Problem: "must be at least 16 characters"}
	}
	return nil
}
