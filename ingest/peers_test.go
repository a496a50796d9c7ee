package ingest_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/feedbackloop/feedbackloop/ingest"
	"github.com/feedbackloop/feedbackloop/internal/natslocal"
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
		n, _, err := p.Beat(ctx, 0)
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

// Each beat tells the others what its process booked in the last
// minute: a process joining others that had the limit to themselves
// learns what they sent. An entry written before the tokens were (the
// time alone) books none.
func TestPeersTellEachOtherWhatTheyBooked(t *testing.T) {
	ctx := context.Background()
	srv := testenv.NATS(t)
	_, js := testenv.JetStream(t, srv.ClientURL())
	a, err := ingest.EnsurePeers(ctx, js, time.Minute, 1)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ingest.EnsurePeers(ctx, js, time.Minute, 1)
	if err != nil {
		t.Fatal(err)
	}
	kv, err := js.KeyValue(ctx, ingest.PeerBucket)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Put(ctx, "an-older-worker", []byte("1765148000")); err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		p            *ingest.Peers
		booked       int
		wantN, wantO int
	}{
		{a, 18250, 2, 0},
		{b, 4000, 3, 18250},
		{a, 9000, 3, 4000},
	} {
		n, others, err := step.p.Beat(ctx, step.booked)
		if err != nil {
			t.Fatal(err)
		}
		if n != step.wantN || others != step.wantO {
			t.Errorf("beat with %d booked: %d processes, the others booked %d; want %d and %d",
				step.booked, n, others, step.wantN, step.wantO)
		}
	}
}

// The bucket is in memory, so a restart of NATS loses it: the processes'
// next beats make it again and count again, rather than failing until
// some process starts. Until every process has beaten in the new bucket
// (a TTL) the count is not less than it was before the restart, so that
// none takes a larger share on a partial count.
func TestPeersCountAgainAfterNATSRestarts(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	srv, err := natslocal.Start(natslocal.Options{StoreDir: dir, Port: -1})
	if err != nil {
		testenv.Unavailable(t, "%v", err)
	}
	port := srv.Addr().(*net.TCPAddr).Port
	url := srv.ClientURL()
	defer func() { srv.Shutdown(); srv.WaitForShutdown() }()
	const ttl = 2 * time.Second
	join := func() *ingest.Peers {
		_, js := testenv.JetStream(t, url, nats.ReconnectWait(50*time.Millisecond), nats.MaxReconnects(-1))
		p, err := ingest.EnsurePeers(ctx, js, ttl, 1)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	a, b, c := join(), join(), join()
	for _, p := range []*ingest.Peers{a, b, c, a, b} {
		if _, _, err := p.Beat(ctx, 0); err != nil {
			t.Fatal(err)
		}
	}

	srv.Shutdown()
	srv.WaitForShutdown()
	if srv, err = natslocal.Start(natslocal.Options{StoreDir: dir, Port: port}); err != nil {
		t.Fatal(err)
	}

	beat := func(p *ingest.Peers) (int, error) {
		bctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		n, _, err := p.Beat(bctx, 0)
		return n, err
	}
	// a beats first in the new bucket, alone in it.
	var n int
	deadline := time.Now().Add(10 * time.Second)
	for n, err = beat(a); err != nil; n, err = beat(a) {
		if time.Now().After(deadline) {
			t.Fatalf("a beat still fails 10 s after NATS restarted: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if n < 3 {
		t.Errorf("a's first beat after the restart counts %d processes, want at least the 3 counted before it", n)
	}
	// b beats next: it did not make the bucket again, and must not count
	// on the two that beat in it so far either.
	if n, err = beat(b); err != nil || n < 3 {
		t.Errorf("b's first beat after the restart counts %d processes (%v), want at least the 3 counted before it", n, err)
	}
	// a and b go on beating, c has stopped: once the TTL has passed they
	// count 2.
	deadline = time.Now().Add(10 * ttl)
	for {
		beat(a)
		if n, err = beat(b); err == nil && n == 2 {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("still %d processes (%v) %s after the restart, with a TTL of %s and two beating", n, err, 10*ttl, ttl)
		}
		time.Sleep(ttl / 8)
	}
}
