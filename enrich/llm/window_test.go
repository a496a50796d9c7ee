package llm

import (
	"math/rand/v2"
	"testing"
	"time"
)

// Whatever the requests' sizes and times, no 60 seconds hold more booked
// tokens than the limit, a request waits no longer than room takes, and
// one over the limit is refused. A token bucket with a minute's burst
// fails the first: a full bucket and a minute's refill.
func TestWindowHoldsTheLimitInEveryMinute(t *testing.T) {
	const limit = 12_000
	rng := rand.New(rand.NewPCG(1, 2))
	for run := range 20 {
		w := newWindow(limit)
		start := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
		now := start
		var booked []booking
		for range 400 {
			now = now.Add(time.Duration(rng.IntN(3000)) * time.Millisecond)
			n := 1 + rng.IntN(4000)
			at, ok := w.reserve(now, n)
			if !ok {
				t.Fatalf("run %d: %d tokens refused under a limit of %d", run, n, limit)
			}
			if at.Before(now) {
				t.Fatalf("run %d: booked at %v, before %v", run, at, now)
			}
			if k := len(booked); k > 0 && at.Before(booked[k-1].at) {
				t.Fatalf("run %d: booked at %v, before the booking made earlier at %v", run, at, booked[k-1].at)
			}
			booked = append(booked, booking{at, n})
			if rng.IntN(10) == 0 {
				w.charge(at, rng.IntN(500)) // an estimate that fell short
			}
		}
		// Every minute that ends at a booking holds at most the limit,
		// charges aside, which may pass it by what they add; and so does
		// a minute as the provider counts it, from when requests arrive,
		// which may be up to a second later for one than for another.
		for i, b := range booked {
			sum := 0
			for _, c := range booked[:i+1] {
				if c.at.After(b.at.Add(-time.Minute - time.Second)) {
					sum += c.n
				}
			}
			if sum > limit {
				t.Fatalf("run %d: %d tokens booked in the minute up to %v, over the limit of %d", run, sum, b.at, limit)
			}
		}
	}
	if _, ok := newWindow(limit).reserve(time.Now(), limit+1); ok {
		t.Error("a request over the limit was booked")
	}
}

// A quiet window books at once; a full one books when enough has left it,
// and a booking taken back makes its room free again.
func TestWindowWaitsForRoomAndGivesBackCancelled(t *testing.T) {
	w := newWindow(100)
	t0 := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	if at, _ := w.reserve(t0, 60); !at.Equal(t0) {
		t.Fatalf("first booking at %v, want at once", at)
	}
	if at, _ := w.reserve(t0.Add(10*time.Second), 30); !at.Equal(t0.Add(10 * time.Second)) {
		t.Fatalf("second booking at %v, want at once", at)
	}
	// 90 booked: 50 more wait for the first 60 to leave, a minute and
	// spanMargin after t0.
	at, _ := w.reserve(t0.Add(20*time.Second), 50)
	if !at.Equal(t0.Add(w.span)) {
		t.Fatalf("third booking at %v, want when the first leaves the window, %v", at, t0.Add(w.span))
	}
	// A fourth queues after it, even if it would fit sooner on its own.
	at4, _ := w.reserve(t0.Add(21*time.Second), 5)
	if at4.Before(at) {
		t.Fatalf("fourth booking at %v, before the third at %v", at4, at)
	}
	w.cancel(at4, 5)
	w.cancel(at, 50)
	if at5, _ := w.reserve(t0.Add(22*time.Second), 5); !at5.Equal(t0.Add(22 * time.Second)) {
		t.Errorf("after the third and fourth were taken back, a booking waits until %v", at5)
	}
}

// Three processes share 30,000 tokens a minute, 10,000 each. One that
// stops is counted out at the earliest 10 s after its last request (its
// entry lives 15 s; it beat every 5 s): what it sent is in the
// provider's minute for 50 s more, so the two left take its share only a
// minute after they counted it out. A smaller share holds at once.
func TestWindowTakesALeftProcessShareAMinuteLater(t *testing.T) {
	w := newWindow(30_000)
	t0 := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	w.share(t0, 3, false)
	if at, _ := w.reserve(t0, 10_000); !at.Equal(t0) {
		t.Fatalf("a share's worth booked at %v, want at once", at)
	}
	// At t0+10s the third process sends its 10,000 and stops; at t0+20s
	// this one counts two. 5,000 more now would make 35,000 in the minute.
	left := t0.Add(20 * time.Second)
	if from := w.share(left, 2, false); !from.Equal(left.Add(w.span)) {
		t.Errorf("the larger share holds from %v, want a minute after the count, %v", from, left.Add(w.span))
	}
	if at, _ := w.reserve(left, 5_000); at.Before(t0.Add(time.Minute)) {
		t.Fatalf("5,000 tokens booked at %v, before this process's first 10,000 left the window at %v: "+
			"with those of the process that left, over the limit", at, t0.Add(time.Minute))
	}
	// A minute after the count the share is 15,000: with the 5,000 booked
	// when the first 10,000 left, 10,000 more fit at once.
	later := left.Add(w.span)
	if at, _ := w.reserve(later, 10_000); !at.Equal(later) {
		t.Errorf("a minute after the count, 10,000 tokens booked at %v, want at once under a share of 15,000", at)
	}
	// A process joins: the share is 10,000 again at once.
	if from := w.share(later, 3, false); !from.Equal(later) {
		t.Errorf("the smaller share holds from %v, want at once", from)
	}
}
