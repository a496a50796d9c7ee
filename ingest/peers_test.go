package ingest_test

import (
	"context"
	"testing"
	"time"

	"github.com/feedbackloop/feedbackloop/ingest"
	"github.com/feedbackloop/feedbackloop/internal/testenv"
)

// Each process that beats counts once however often it beats, and one
// that stopped beating stops counting once the TTL has passed.
func TestPeersCountTheProcessesThatBeatWithinTheTTL(t *testing.T) {
	ctx := context.Background()
	srv := testenv.NATS(t)
	const ttl = time.Second
	join := func() *ingest.Peers {
		_, js := testenv.JetStream(t, srv.ClientURL())
		p, err := ingest.EnsurePeers(ctx, js, ttl, 1)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	beat := func(p *ingest.Peers) int {
		t.Helper()
		n, err := p.Beat(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	a, b, c := join(), join(), join()
	if n := beat(a); n != 1 {
		t.Errorf("the first to beat counts %d, want 1", n)
	}
	beat(a)
	beat(b)
	if n := beat(c); n != 3 {
		t.Errorf("three processes, one beating twice, count %d, want 3", n)
	}
	// a and b go on beating; c stops.
	deadline := time.Now().Add(10 * ttl)
	for {
		beat(a)
		if n := beat(b); n == 2 {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("still %d processes %s after the third stopped beating, with a TTL of %s", n, 10*ttl, ttl)
		}
		time.Sleep(ttl / 4)
	}
}
