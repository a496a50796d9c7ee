// Package poll fetches feedback from sources that have no webhooks, or
// whose webhooks are not set up: Discourse's latest posts, Zendesk's
// incremental ticket export and GitHub issues and issue comments. It runs
// each source on a schedule and keeps where it got to in a NATS key-value
// bucket.
//
// Ordering contract: a source hands over its items a page at a time,
// oldest first, with the checkpoint that holds once the page is stored;
// the poller publishes the page, waits for JetStream to acknowledge every
// record, and only then writes the checkpoint. A poller stopped at any
// moment resumes from the last written checkpoint: nothing is lost, and at
// most the page in flight is sent again, which the record ids deduplicate.
//
// Requests are rate limited per source (golang.org/x/time/rate); 429s wait
// for Retry-After (seconds or an HTTP date), 5xx and network errors back
// off exponentially (github.com/cenkalti/backoff/v5) up to
// poll.retry_max_elapsed, after which the source waits for the next
// interval.
package poll
