package poll_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/feedbackloop/feedbackloop/config"
	"github.com/feedbackloop/feedbackloop/ingest/poll"
)

// BenchmarkGitHubPoll reports the requests a running poller makes per poll
// of a repository of 1,000 issues served 100 a page, as GitHub does:
// "updates" edits 10 issues, each in its own second, between two polls;
// "bulk-edit" edits 250 in one second (a run longer than a page, read by
// page number), then 10 more in their own seconds.
func BenchmarkGitHubPoll(b *testing.B) {
	for _, c := range []struct {
		name       string
		bulk, each int
	}{{"updates", 0, 10}, {"bulk-edit", 250, 10}} {
		b.Run(c.name, func(b *testing.B) {
			e := newNATS(b)
			fake := &fakeGitHub{perPage: 100}
			at := time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC)
			for n := 1; n <= 1000; n++ {
				fake.issues = append(fake.issues, ghIssue(n, at.Add(time.Duration(n)*time.Second).Format(time.RFC3339), false))
			}
			api := httptest.NewServer(fake)
			b.Cleanup(api.Close)
			fake.srvURL = api.URL
			cfg := githubConfig(api.URL, func(c *config.Poll) { c.GitHubComments = false })
			srcs := poll.Sources(cfg, zap.NewNop(), time.Now())
			p, err := poll.New(poll.Options{Sources: srcs, Publisher: e.pub, Checkpoints: e.kv, Interval: time.Hour, Log: zap.NewNop()})
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			if err := p.PollOnce(ctx, srcs[0]); err != nil { // the backfill
				b.Fatal(err)
			}
			next := 0 // the issue the next edit touches, in turn
			at = at.Add(time.Hour)
			edit := func(n int, sameSecond bool) {
				fake.mu.Lock()
				defer fake.mu.Unlock()
				for range n {
					if !sameSecond {
						at = at.Add(time.Second)
					}
					fake.issues[next]["updated_at"] = at.Format(time.RFC3339)
					fake.issues[next]["body"] = "Sync is slow, edited " + at.Format(time.RFC3339)
					next = (next + 1) % len(fake.issues)
				}
				at = at.Add(time.Second)
			}
			var requests, sent int
			for b.Loop() {
				edit(c.bulk, true)
				edit(c.each, false)
				before, sentBefore := len(fake.requests), len(e.pub.ids())
				if err := p.PollOnce(ctx, srcs[0]); err != nil {
					b.Fatal(err)
				}
				requests += len(fake.requests) - before
				sent += len(e.pub.ids()) - sentBefore
			}
			b.ReportMetric(float64(requests)/float64(b.N), "requests/poll")
			b.ReportMetric(float64(sent)/float64(b.N), "published/poll")
		})
	}
}
