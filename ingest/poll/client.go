package poll

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v5"
	"go.uber.org/zap"
	"golang.org/x/time/rate"
)

// ErrStatus is a response status that retrying will not change (4xx other
// than 429): a wrong token, a missing repository.
var ErrStatus = errors.New("unexpected status")

// client GETs a source's API pages: at most limit requests per second,
// retrying network errors and 5xx with exponential backoff and 429 (or
// GitHub's exhausted rate limit) after the time the server asks for.
type client struct {
	http       *http.Client
	limiter    *rate.Limiter
	auth       func(*http.Request)
	retry      Retry
	maxBody    int64
	log        *zap.Logger
	userAgent  string
	sourceName string
}

// Retry tunes the backoff between attempts.
type Retry struct {
	Initial, Max time.Duration
	// MaxElapsed gives up on a request after this long; 0 never gives up.
	MaxElapsed time.Duration
}

// page is one fetched response.
type page struct {
	body   []byte
	header http.Header
}

// get fetches url, retrying as described on client.
func (c *client) get(ctx context.Context, url string) (page, error) {
	bo := backoff.NewExponentialBackOff()
	bo.InitialInterval = c.retry.Initial
	bo.MaxInterval = c.retry.Max
	return backoff.Retry(ctx, func() (page, error) {
		return c.once(ctx, url)
	},
		backoff.WithBackOff(bo),
		backoff.WithMaxElapsedTime(c.retry.MaxElapsed),
		backoff.WithNotify(func(err error, wait time.Duration) {
			c.log.Warn("source request failed; retrying", zap.String("source", c.sourceName),
				zap.String("url", redactQuery(url)), zap.Duration("wait", wait), zap.Error(err))
		}),
	)
}

func (c *client) once(ctx context.Context, url string) (page, error) {
	if err := c.limiter.Wait(ctx); err != nil {
		return page{}, backoff.Permanent(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return page{}, backoff.Permanent(err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if c.auth != nil {
		c.auth(req)
	}
	res, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return page{}, backoff.Permanent(ctx.Err())
		}
		return page{}, fmt.Errorf("GET %s: %w", redactQuery(url), err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, c.maxBody))
	if err != nil {
		return page{}, fmt.Errorf("GET %s: read body: %w", redactQuery(url), err)
	}
	status := fmt.Sprintf("GET %s: %s", redactQuery(url), res.Status)
	switch {
	case res.StatusCode == http.StatusOK:
		return page{body: body, header: res.Header}, nil
	case res.StatusCode == http.StatusTooManyRequests:
		return page{}, fmt.Errorf("%s: %w", status, &backoff.RetryAfterError{Duration: retryAfter(res.Header, time.Now())})
	case res.StatusCode == http.StatusForbidden && (res.Header.Get("X-Ratelimit-Remaining") == "0" || res.Header.Get("Retry-After") != ""):
		// GitHub's rate limits: the primary one says when its window
		// resets, the secondary one sends Retry-After with a 403.
		return page{}, fmt.Errorf("%s: %w", status, &backoff.RetryAfterError{Duration: rateLimitReset(res.Header, time.Now())})
	case res.StatusCode >= 500:
		return page{}, errors.New(status)
	default:
		return page{}, backoff.Permanent(fmt.Errorf("%s: %w: %s", status, ErrStatus, snippet(body)))
	}
}

// retryAfter reads Retry-After as seconds or as an HTTP date; without
// one it waits a minute, as the sources' documentation suggests.
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second
	}
	if at, err := http.ParseTime(v); err == nil {
		if d := at.Sub(now); d > 0 {
			return d
		}
		return 0
	}
	return time.Minute
}

func rateLimitReset(h http.Header, now time.Time) time.Duration {
	if ra := h.Get("Retry-After"); ra != "" {
		return retryAfter(h, now)
	}
	if reset, err := strconv.ParseInt(h.Get("X-Ratelimit-Reset"), 10, 64); err == nil {
		if d := time.Unix(reset, 0).Sub(now); d > 0 {
			return d + time.Second
		}
		return time.Second
	}
	return time.Minute
}

func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// redactQuery drops a URL's query, which may carry cursors and keys, from
// logs and errors.
func redactQuery(u string) string {
	if i := strings.IndexByte(u, '?'); i >= 0 {
		return u[:i] + "?…"
	}
	return u
}

// nextLink returns the rel="next" URL of a Link header, or "".
func nextLink(h http.Header) string {
	for _, link := range h.Values("Link") {
		for _, part := range strings.Split(link, ",") {
			target, params, ok := strings.Cut(part, ";")
			if !ok {
				continue
			}
			for _, p := range strings.Split(params, ";") {
				k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
				if strings.EqualFold(k, "rel") && strings.Trim(v, `"`) == "next" {
					return strings.Trim(strings.TrimSpace(target), "<>")
				}
			}
		}
	}
	return ""
}
