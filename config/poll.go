package config

import (
	"regexp"
	"strings"
	"time"
)

// Poll configures `feedbackloop poll`, which fetches new items from
// sources without webhooks on a schedule. A source is polled when its
// location is set: poll.discourse_url, poll.zendesk_url (or
// poll.zendesk_subdomain), poll.github_repos.
type Poll struct {
	// Interval is the time between the starts of two polls of a source.
	Interval time.Duration `yaml:"interval"`
	// Backfill is how far back a source's first poll reaches, before it
	// has a checkpoint.
	Backfill time.Duration `yaml:"backfill"`
	// CheckpointBucket is the NATS key-value bucket holding each source's
	// position.
	CheckpointBucket string `yaml:"checkpoint_bucket"`
	// RateLimit is the most requests per second sent to one source.
	RateLimit float64 `yaml:"rate_limit"`
	// RequestTimeout bounds one HTTP request.
	RequestTimeout time.Duration `yaml:"request_timeout"`
	// RetryInitial is the first wait after a failed request; it doubles
	// (with jitter) up to a minute.
	RetryInitial time.Duration `yaml:"retry_initial"`
	// RetryMaxElapsed is how long a poll keeps retrying a failing source
	// (5xx, 429, network) before it gives up until the next interval.
	RetryMaxElapsed time.Duration `yaml:"retry_max_elapsed"`
	// MaxPages bounds the pages one poll of a source reads; the rest
	// waits for the next poll.
	MaxPages int `yaml:"max_pages"`

	DiscourseURL         string `yaml:"discourse_url"`
	DiscourseAPIKey      string `yaml:"discourse_api_key" secret:"true"`
	DiscourseAPIUsername string `yaml:"discourse_api_username"`

	// ZendeskURL is the helpdesk, https://acme.zendesk.com; or set
	// ZendeskSubdomain to acme.
	ZendeskURL       string `yaml:"zendesk_url"`
	ZendeskSubdomain string `yaml:"zendesk_subdomain"`
	// ZendeskEmail with ZendeskToken is API-token authentication; a token
	// without an e-mail address is sent as an OAuth bearer token.
	ZendeskEmail string `yaml:"zendesk_email"`
	ZendeskToken string `yaml:"zendesk_token" secret:"true"`
	// ZendeskRateLimit is the most requests per second sent to the
	// incremental export, which Zendesk limits to 10 a minute; the lower
	// of it and RateLimit applies.
	ZendeskRateLimit float64 `yaml:"zendesk_rate_limit"`

	// GitHubRepos lists owner/repo names (a YAML list, or comma-separated
	// in FEEDBACKLOOP_POLL_GITHUB_REPOS).
	GitHubRepos  []string `yaml:"github_repos"`
	GitHubToken  string   `yaml:"github_token" secret:"true"`
	GitHubAPIURL string   `yaml:"github_api_url"`
	// GitHubComments also polls the repositories' issue comments.
	GitHubComments bool `yaml:"github_comments"`

	// IncludeStaff publishes what agents, bots, staff and maintainers
	// wrote (replies, internal notes, automated answers) as records marked
	// with metadata.author_role. By default only customers' text is
	// published; the rest is counted and logged as skipped.
	IncludeStaff bool `yaml:"include_staff"`
}

func defaultPoll() Poll {
	return Poll{
		Interval:         5 * time.Minute,
		Backfill:         30 * 24 * time.Hour,
		CheckpointBucket: "feedbackloop_poll",
		RateLimit:        2,
		RequestTimeout:   30 * time.Second,
		RetryInitial:     time.Second,
		RetryMaxElapsed:  10 * time.Minute,
		MaxPages:         100,
		ZendeskRateLimit: 10.0 / 60,
		GitHubAPIURL:     "https://api.github.com",
		GitHubComments:   true,
	}
}

var (
	repoName  = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)
	subdomain = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
)

// Repos returns GitHubRepos with comma-separated entries split, as an
// environment variable sets them.
func (s *Poll) Repos() []string { return splitList(s.GitHubRepos) }

// splitList splits the entries of a list setting at commas and spaces: an
// environment variable sets a list as one comma-separated entry.
func splitList(list []string) []string {
	var out []string
	for _, e := range list {
		out = append(out, strings.FieldsFunc(e, func(c rune) bool { return c == ',' || c == ' ' })...)
	}
	return out
}

// Zendesk returns the helpdesk's base URL from poll.zendesk_url or
// poll.zendesk_subdomain; empty when neither is set.
func (s *Poll) Zendesk() string {
	if s.ZendeskURL != "" {
		return strings.TrimRight(s.ZendeskURL, "/")
	}
	if s.ZendeskSubdomain != "" {
		return "https://" + s.ZendeskSubdomain + ".zendesk.com"
	}
	return ""
}

func (s *Poll) validate() error {
	if err := firstError(
		atLeast("poll.interval", s.Interval, time.Second),
		atLeast("poll.backfill", s.Backfill, 0),
		name("poll.checkpoint_bucket", s.CheckpointBucket),
		atLeast("poll.request_timeout", s.RequestTimeout, 100*time.Millisecond),
		atLeast("poll.retry_initial", s.RetryInitial, time.Millisecond),
		atLeast("poll.retry_max_elapsed", s.RetryMaxElapsed, 0),
		positive("poll.max_pages", s.MaxPages),
		httpURL("poll.discourse_url", s.DiscourseURL),
		httpURL("poll.zendesk_url", s.ZendeskURL),
		httpURL("poll.github_api_url", s.GitHubAPIURL),
	); err != nil {
		return err
	}
	if !(s.RateLimit > 0) { // NaN is not
		return bad("poll.rate_limit", s.RateLimit, "must be more than 0 requests per second")
	}
	if !(s.ZendeskRateLimit > 0) {
		return bad("poll.zendesk_rate_limit", s.ZendeskRateLimit, "must be more than 0 requests per second (Zendesk allows 10 a minute: 0.16)")
	}
	if s.ZendeskSubdomain != "" && !subdomain.MatchString(s.ZendeskSubdomain) {
		return bad("poll.zendesk_subdomain", s.ZendeskSubdomain, "must be the subdomain only, e.g. acme for acme.zendesk.com")
	}
	if s.Zendesk() != "" && s.ZendeskToken == "" {
		return bad("poll.zendesk_token", "", "is required to poll Zendesk")
	}
	if s.DiscourseAPIKey != "" && s.DiscourseAPIUsername == "" {
		return bad("poll.discourse_api_username", "", "is required with poll.discourse_api_key")
	}
	for _, r := range s.Repos() {
		if !repoName.MatchString(r) {
			return bad("poll.github_repos", r, "must be owner/repo")
		}
	}
	return nil
}
