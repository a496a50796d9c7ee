package llm_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/feedbackloop/feedbackloop/enrich"
	"github.com/feedbackloop/feedbackloop/enrich/llm"
	"github.com/feedbackloop/feedbackloop/ingest"
	"github.com/feedbackloop/feedbackloop/internal/testenv"
)

// Two workers share llm.tokens_per_minute through the peer bucket: a
// minute's tokens that pay for two requests pay for two between them,
// not for two each, and a worker left alone takes the whole limit again
// only a minute later (what the other sent is in that minute).
func TestTwoWorkersKeepTogetherToTheTokensPerMinuteLimit(t *testing.T) {
	defer llm.SetPeerEvery(50 * time.Millisecond)()
	ctx := context.Background()
	srv := testenv.NATS(t)
	const ttl = time.Second
	f := newFakeAPI(t, taxonomy(t).Names(), nil)
	limit := 2 * oneFits(t)
	worker := func() (*llm.Tagger, *llm.Metrics) {
		_, js := testenv.JetStream(t, srv.ClientURL())
		peers, err := ingest.EnsurePeers(ctx, js, ttl, 1)
		if err != nil {
			t.Fatal(err)
		}
		tg, m := newTagger(t, f, func(o *llm.Options) {
			o.TokensPerMinute, o.MaxWait, o.Peers = limit, time.Second, peers
		})
		t.Cleanup(tg.Close)
		return tg, m
	}
	a, am := worker()
	b, bm := worker()
	waitFor(t, "the first worker to count two", func() bool { return count(am.Peers) == 2 })
	if got := count(bm.Peers); got != 2 {
		t.Fatalf("the second worker counts %v processes, want 2", got)
	}
	var items [][]*enrich.Item
	for i, tg := range []*llm.Tagger{a, b, a, b} {
		it := offlineItems([]string{"refund one", "refund two", "refund three", "refund four"}[i])
		if err := tg.Tag(ctx, it); err != nil {
			t.Fatal(err)
		}
		items = append(items, it)
	}
	if n := len(f.requests()); n != 2 {
		t.Errorf("%d requests in a minute whose tokens pay for 2, from two workers", n)
	}
	for i, it := range items {
		if want := map[bool]string{true: "llm", false: "keywords"}[i < 2]; it[0].Tagger != want {
			t.Errorf("call %d tagged by %q, want %q", i+1, it[0].Tagger, want)
		}
	}

	// b stops; once its entry expires a counts one, but b's request is
	// still in the minute: a keeps to half the limit, which its first
	// request took, for a minute more (TestWindowTakesALeftProcessShareAMinuteLater).
	b.Close()
	waitFor(t, "the first worker to count one", func() bool { return count(am.Peers) == 1 })
	it := offlineItems("refund five")
	if err := a.Tag(ctx, it); err != nil {
		t.Fatal(err)
	}
	if it[0].Tagger != "keywords" {
		t.Errorf("the first worker's second request went (%q) as soon as it counted one: with the other's in the same minute, over the limit", it[0].Tagger)
	}
}

// A share smaller than one request still lets a request through when the
// window holds nothing else: four workers sharing a limit that pays for
// one request each send one a minute, not none.
func TestARequestLargerThanTheShareGoesAlone(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), nil)
	tg, m := newTagger(t, f, func(o *llm.Options) {
		o.TokensPerMinute, o.MaxWait, o.Peers = oneFits(t), time.Second, fixedPeers(4)
	})
	defer tg.Close()
	first, second := offlineItems("refund one"), offlineItems("refund two")
	for _, it := range [][]*enrich.Item{first, second} {
		if err := tg.Tag(context.Background(), it); err != nil {
			t.Fatal(err)
		}
	}
	if first[0].Tagger != "llm" || second[0].Tagger != "keywords" || count(m.Peers) != 4 {
		t.Errorf("taggers %q, %q with %v peers: want the first request alone in the window, the second held back",
			first[0].Tagger, second[0].Tagger, count(m.Peers))
	}
}

// Workers started together see each other only from their second beat;
// until then each books as if one more had started unseen. A worker
// whose first beat counts itself alone, started with another that beats
// a moment later, sends one request where the limit pays for two, not
// two with the other's to come.
func TestAWorkerJustStartedCountsOneMoreUntilItsSecondBeat(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), nil)
	peers := &countingPeers{counts: []int{1, 2}}
	tg, _ := newTagger(t, f, func(o *llm.Options) {
		o.TokensPerMinute, o.MaxWait, o.Peers = 2*oneFits(t), 200*time.Millisecond, peers
	})
	defer tg.Close()
	first, second := offlineItems("refund one"), offlineItems("refund two")
	for _, it := range [][]*enrich.Item{first, second} {
		if err := tg.Tag(context.Background(), it); err != nil {
			t.Fatal(err)
		}
	}
	if first[0].Tagger != "llm" || second[0].Tagger != "keywords" {
		t.Errorf("taggers %q, %q: want the first request sent and the second held back, the share being half the limit",
			first[0].Tagger, second[0].Tagger)
	}
}

// The process a first beat guessed at was never there: a worker alone
// takes the whole limit at its second beat, not a minute later.
func TestAWorkerAloneTakesTheWholeLimitAtItsSecondBeat(t *testing.T) {
	defer llm.SetPeerEvery(50 * time.Millisecond)()
	f := newFakeAPI(t, taxonomy(t).Names(), nil)
	peers := &countingPeers{counts: []int{1}}
	tg, _ := newTagger(t, f, func(o *llm.Options) {
		o.TokensPerMinute, o.MaxWait, o.Peers = 2*oneFits(t), 200*time.Millisecond, peers
	})
	defer tg.Close()
	// The third beat begins after the second has set the share.
	waitFor(t, "three beats", func() bool { return peers.beats() >= 3 })
	first, second := offlineItems("refund one"), offlineItems("refund two")
	for _, it := range [][]*enrich.Item{first, second} {
		if err := tg.Tag(context.Background(), it); err != nil {
			t.Fatal(err)
		}
	}
	if first[0].Tagger != "llm" || second[0].Tagger != "llm" {
		t.Errorf("taggers %q, %q: want both requests sent, the limit paying for two", first[0].Tagger, second[0].Tagger)
	}
}

// countingPeers answers its beats with counts in turn, the last again
// and again, and counts them.
type countingPeers struct {
	mu     sync.Mutex
	counts []int
	n      int
}

func (p *countingPeers) Beat(context.Context, int) (int, int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.counts[min(p.n, len(p.counts)-1)]
	p.n++
	return c, 0, nil
}

func (p *countingPeers) beats() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n
}

// A worker that joins others which had the limit to themselves books
// only what they left of it, by what their beats said they had booked:
// the limit holds in the minute it joins.
func TestAWorkerJoiningBooksOnlyWhatTheOthersLeft(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), nil)
	limit := 4 * oneFits(t)
	for _, c := range []struct {
		booked int
		want   string
	}{
		{limit - oneFits(t)/2, "keywords"}, // less than a request left
		{limit / 4, "llm"},
	} {
		tg, _ := newTagger(t, f, func(o *llm.Options) {
			o.TokensPerMinute, o.MaxWait, o.Peers = limit, 200*time.Millisecond, bookedPeers{2, c.booked}
		})
		it := offlineItems("refund one")
		if err := tg.Tag(context.Background(), it); err != nil {
			t.Fatal(err)
		}
		tg.Close()
		if it[0].Tagger != c.want {
			t.Errorf("with %d of a limit of %d booked by the other worker: tagged by %q, want %q", c.booked, limit, it[0].Tagger, c.want)
		}
	}
}

type fixedPeers int

func (n fixedPeers) Beat(context.Context, int) (int, int, error) { return int(n), 0, nil }

// bookedPeers are processes that had booked tokens already.
type bookedPeers struct{ processes, booked int }

func (p bookedPeers) Beat(context.Context, int) (int, int, error) { return p.processes, p.booked, nil }

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 30 s for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
