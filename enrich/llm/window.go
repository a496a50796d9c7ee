package llm

import (
	"slices"
	"sort"
	"sync"
	"time"
)

// window is the tokens-per-minute limit: it books each request's tokens at
// the earliest time when the 60 seconds up to it hold no more than the
// limit with them. A token bucket (golang.org/x/time/rate), which this
// replaced, lets a full bucket and a minute's refill through in one
// minute: QA measured twice the limit in a rolling minute.
//
// Bookings are kept in time order; one may lie in the future, for a
// request waiting its turn, and later ones queue after it.
//
// Processes that ask the LLM together share the limit (see Peers): each
// books against its share, the limit divided by how many they are. A
// request larger than the share, and within the limit, is booked alone:
// when the window holds nothing else. A smaller share holds at once; a
// larger one, when processes left, a span later: what they sent before
// they left is in the provider's last minute until then. Each also books
// no more than the others leave of the limit, by what they said at their
// last beats they had booked: a process that joins others which had the
// limit to themselves waits for their tokens to leave the minute.
type window struct {
	max  int // the limit, for every process together
	span time.Duration

	mu     sync.Mutex
	limit  int // this process's share of max
	others int // the tokens the other processes had booked, as of their last beats
	// raise is the larger share that processes leaving left this one,
	// from raiseAt on; 0 when none is to come.
	raise   int
	raiseAt time.Time
	booked  []booking // in time order
	total   int       // the tokens of booked
}

type booking struct {
	at time.Time
	n  int
}

func newWindow(limit int) *window {
	return &window{max: limit, limit: limit, span: time.Minute + spanMargin}
}

// spanMargin is how much longer than a minute a booking stays in the
// window. A provider counts a request from when it arrives, a little
// after it was booked and sent: two booked exactly a minute apart could
// both be in its minute (QA saw 1.22 times the limit in a window of
// 60.0 s, 0.93 times in one of 59.9 s).
const spanMargin = time.Second

// share makes this process's share of the limit that of one of peers
// processes, counted at now: at once when it is smaller, a span later
// when it is larger (processes left, and what they sent stays in the
// last minute for that long; at once too with atOnce, when the smaller
// share was a guess), and returns when it holds. Bookings already made
// stand.
func (w *window) share(now time.Time, peers int, atOnce bool) time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := max(w.max/max(peers, 1), 1)
	w.raised(now)
	switch {
	case n <= w.limit || atOnce:
		w.limit, w.raise = n, 0
		return now
	case n != w.raise:
		w.raise, w.raiseAt = n, now.Add(w.span)
	}
	return w.raiseAt
}

// raised takes the larger share to come once its time has come. Callers
// hold mu.
func (w *window) raised(now time.Time) {
	if w.raise > 0 && !now.Before(w.raiseAt) {
		w.limit, w.raise = w.raise, 0
	}
}

// reserve books n tokens at the earliest time, now or later and after
// every earlier booking, when the span up to it holds room for them, and
// returns that time. It books nothing and reports false when n is over
// the limit, or over what the other processes left of it: when their
// tokens leave the minute is not known here, and a beat later they say.
func (w *window) reserve(now time.Time, n int) (time.Time, bool) {
	if n > w.max {
		return time.Time{}, false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.forget(now)
	w.raised(now)
	limit := min(max(w.limit, n), w.max-w.others) // over the share: alone in the window
	if n > limit {
		return time.Time{}, false
	}
	at := now
	if k := len(w.booked); k > 0 && w.booked[k-1].at.After(at) {
		at = w.booked[k-1].at
	}
	// Bookings at or before at-span have left the window by at; while the
	// rest and n pass the limit, wait for the next to leave.
	freed, j := 0, 0
	for {
		for j < len(w.booked) && !w.booked[j].at.After(at.Add(-w.span)) {
			freed += w.booked[j].n
			j++
		}
		if w.total-freed+n <= limit {
			break
		}
		at = w.booked[j].at.Add(w.span)
	}
	w.booked = append(w.booked, booking{at, n})
	w.total += n
	return at, true
}

// bookedBy returns the tokens this process has booked in the span up to
// now and after it, which its beat tells the others.
func (w *window) bookedBy(now time.Time) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.forget(now)
	return w.total
}

// setOthers takes what the other processes said at their last beats they
// had booked.
func (w *window) setOthers(n int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.others = max(n, 0)
}

// cancel takes back the booking of n tokens at at: its request was not
// sent.
func (w *window) cancel(at time.Time, n int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i := len(w.booked) - 1; i >= 0; i-- {
		if b := w.booked[i]; b.at.Equal(at) && b.n == n {
			w.booked = slices.Delete(w.booked, i, i+1)
			w.total -= n
			return
		}
	}
}

// charge books n tokens spent at now beyond what was booked for them (an
// estimate that fell short), in time order, up to the limit; requests
// booked later make room for them.
func (w *window) charge(now time.Time, n int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.raised(now)
	n = min(n, w.limit)
	if n <= 0 {
		return
	}
	w.forget(now)
	i := sort.Search(len(w.booked), func(i int) bool { return w.booked[i].at.After(now) })
	w.booked = slices.Insert(w.booked, i, booking{now, n})
	w.total += n
}

// forget drops the bookings that left the window before now. Callers
// hold mu.
func (w *window) forget(now time.Time) {
	i := 0
	for i < len(w.booked) && !w.booked[i].at.After(now.Add(-w.span)) {
		w.total -= w.booked[i].n
		i++
	}
	if i > 0 {
		w.booked = slices.Delete(w.booked, 0, i)
	}
}
