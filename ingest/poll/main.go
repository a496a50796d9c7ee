package poll

import (
	"context"
	"net/http"
	"time"

	"go.uber.org/zap"
	"golang.org/x/time/rate"

	"github.com/feedbackloop/feedbackloop/config"
	"github.com/feedbackloop/feedbackloop/ingest"
)

// Sources builds the sources the configuration names: Discourse when
// poll.discourse_url is set, Zendesk when poll.zendesk_url or
// poll.zendesk_subdomain is, and issues (and comments) of each of
// poll.github_repos. Each source gets its own rate limiter; Zendesk's is
// also held to poll.zendesk_rate_limit, the export's own limit.
func Sources(cfg config.Poll, log *zap.Logger, now time.Time) []Source {
	since := now.Add(-cfg.Backfill)
	newClient := func(name string, perSecond float64, auth func(*http.Request)) *client {
		return &client{
			http:       &http.Client{Timeout: cfg.RequestTimeout},
			limiter:    rate.NewLimiter(rate.Limit(perSecond), 1),
			auth:       auth,
			retry:      Retry{Initial: cfg.RetryInitial, Max: max(cfg.RetryInitial, time.Minute), MaxElapsed: cfg.RetryMaxElapsed},
			maxBody:    64 << 20,
			log:        log,
			userAgent:  "feedbackloop-poll",
			sourceName: name,
		}
	}
	var out []Source
	if base := trimSlash(cfg.DiscourseURL); base != "" {
		out = append(out, &Discourse{BaseURL: base, Since: since, MaxPages: cfg.MaxPages, IncludeStaff: cfg.IncludeStaff,
			client: newClient("discourse", cfg.RateLimit, func(r *http.Request) {
				if cfg.DiscourseAPIKey != "" {
					r.Header.Set("Api-Key", cfg.DiscourseAPIKey)
					r.Header.Set("Api-Username", cfg.DiscourseAPIUsername)
				}
			})})
	}
	if base := cfg.Zendesk(); base != "" {
		out = append(out, &Zendesk{BaseURL: base, Since: since, MaxPages: cfg.MaxPages, IncludeStaff: cfg.IncludeStaff,
			client: newClient("zendesk", min(cfg.RateLimit, cfg.ZendeskRateLimit), func(r *http.Request) {
				if cfg.ZendeskEmail != "" {
					r.SetBasicAuth(cfg.ZendeskEmail+"/token", cfg.ZendeskToken)
				} else {
					r.Header.Set("Authorization", "Bearer "+cfg.ZendeskToken)
				}
			})})
	}
	api := trimSlash(cfg.GitHubAPIURL)
	for _, repo := range cfg.Repos() {
		// Issues and comments of a repository share one limiter: GitHub
		// counts them against the same quota.
		c := newClient("github/"+repo, cfg.RateLimit, func(r *http.Request) {
			r.Header.Set("Accept", "application/vnd.github+json")
			r.Header.Set("X-GitHub-Api-Version", "2022-11-28")
			if cfg.GitHubToken != "" {
				r.Header.Set("Authorization", "Bearer "+cfg.GitHubToken)
			}
		})
		out = append(out, &GitHub{APIURL: api, Repo: repo, Since: since, MaxPages: cfg.MaxPages, IncludeStaff: cfg.IncludeStaff, client: c})
		if cfg.GitHubComments {
			out = append(out, &GitHub{APIURL: api, Repo: repo, Comments: true, Since: since, MaxPages: cfg.MaxPages,
				IncludeStaff: cfg.IncludeStaff, client: c})
		}
	}
	return out
}

func trimSlash(s string) string {
	for len(s) > 0 && s[len(s)-1] == '/' {
		s = s[:len(s)-1]
	}
	return s
}

// Main runs the poller from the configuration until ctx ends, or polls
// each source once when once is set. It is what `feedbackloop poll` runs.
func Main(ctx context.Context, cfg config.Config, log *zap.Logger, once bool) error {
	srcs := Sources(cfg.Poll, log, time.Now())
	nc, js, err := ingest.Connect(cfg.NATS, "feedbackloop-poll", log)
	if err != nil {
		return err
	}
	defer nc.Close()
	if err := ingest.EnsureStreams(ctx, js, cfg.NATS); err != nil {
		return err
	}
	kv, err := Bucket(ctx, js, cfg.Poll.CheckpointBucket)
	if err != nil {
		return err
	}
	p, err := New(Options{Sources: srcs, Publisher: ingest.NewPublisher(js, int(cfg.Worker.MaxBodyBytes)),
		Checkpoints: kv, Interval: cfg.Poll.Interval, MaxBodyBytes: int(cfg.Worker.MaxBodyBytes), Log: log})
	if err != nil {
		return err
	}
	keys := make([]string, len(srcs))
	for i, s := range srcs {
		keys[i] = s.Key()
	}
	log.Info("poller started", zap.Strings("sources", keys), zap.Duration("interval", cfg.Poll.Interval), zap.Bool("once", once))
	if !once {
		return p.Run(ctx)
	}
	var firstErr error
	for _, s := range srcs {
		if err := p.PollOnce(ctx, s); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	return firstErr
}
