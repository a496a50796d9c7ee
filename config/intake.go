package config

import (
	"net/url"
	"time"
)

// Intake is the HTTP intake server: POST /v1/feedback for records and
// POST /webhooks/<source> for signed webhooks. A webhook whose secret is
// empty is not served: its route answers 404 and publishes nothing.
type Intake struct {
	// Addr is the listen address, e.g. ":8080".
	Addr string `yaml:"addr"`
	// Token is the bearer token POST /v1/feedback requires; empty turns
	// that route off.
	Token string `yaml:"token" secret:"true"`
	// ZendeskSecret is the webhook's signing secret (Zendesk: webhook →
	// Signing secret).
	ZendeskSecret string `yaml:"zendesk_secret" secret:"true"`
	// IntercomSecret is the app's client secret, which signs its webhooks.
	IntercomSecret string `yaml:"intercom_secret" secret:"true"`
	// GitHubSecret is the webhook secret set on the repository or
	// organization webhook.
	GitHubSecret string `yaml:"github_secret" secret:"true"`
	// DiscourseSecret is the webhook's secret (Admin → API → Webhooks).
	DiscourseSecret string `yaml:"discourse_secret" secret:"true"`
	// ZendeskURL (https://acme.zendesk.com) makes links for Zendesk
	// webhook records, whose payloads do not say where the helpdesk is.
	ZendeskURL string `yaml:"zendesk_url"`
	// IncludeStaff publishes what agents, bots, staff, moderators and
	// maintainers wrote (replies, internal notes, automated answers) as
	// records marked with metadata.author_role. By default only customers'
	// text is published and the rest is answered as skipped, with reasons.
	IncludeStaff bool `yaml:"include_staff"`
	// MaxBodyBytes bounds a request body; larger requests get 413.
	MaxBodyBytes ByteSize `yaml:"max_body_bytes"`
	// TimestampTolerance is how far a signed timestamp (Zendesk) may be
	// from now before the request is refused as a replay.
	TimestampTolerance time.Duration `yaml:"timestamp_tolerance"`
	// PublishTimeout bounds the wait for JetStream's acknowledgement;
	// past it the request gets 503 and the sender retries.
	PublishTimeout time.Duration `yaml:"publish_timeout"`
	ReadTimeout    time.Duration `yaml:"read_timeout"`
	WriteTimeout   time.Duration `yaml:"write_timeout"`
	IdleTimeout    time.Duration `yaml:"idle_timeout"`
}

func defaultIntake() Intake {
	return Intake{
		Addr:               ":8080",
		MaxBodyBytes:       4 << 20,
		TimestampTolerance: 5 * time.Minute,
		PublishTimeout:     5 * time.Second,
		ReadTimeout:        15 * time.Second,
		WriteTimeout:       30 * time.Second,
		IdleTimeout:        120 * time.Second,
	}
}

func (s *Intake) validate() error {
	return firstError(
		notEmpty("intake.addr", s.Addr),
		listenAddr("intake.addr", s.Addr),
		between("intake.max_body_bytes", int(s.MaxBodyBytes), 1<<10, 64<<20),
		atLeast("intake.timestamp_tolerance", s.TimestampTolerance, time.Second),
		atLeast("intake.publish_timeout", s.PublishTimeout, 10*time.Millisecond),
		atLeast("intake.read_timeout", s.ReadTimeout, 100*time.Millisecond),
		atLeast("intake.write_timeout", s.WriteTimeout, s.PublishTimeout),
		atLeast("intake.idle_timeout", s.IdleTimeout, time.Second),
		httpURL("intake.zendesk_url", s.ZendeskURL),
	)
}

// httpURL accepts an empty value or an absolute http(s) URL.
func httpURL(key, v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return bad(key, RedactURL(v), "must be an absolute http or https URL")
	}
	return nil
}
