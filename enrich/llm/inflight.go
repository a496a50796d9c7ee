package llm

import (
	"sync"

	"github.com/feedbackloop/feedbackloop/enrich"
)

// inflight is the texts that calls of one Tagger are asking the model
// about: a call that meets one of them waits for that call's answer (Tag,
// follow) instead of paying for the text a second time. The cache only
// helps once an answer is in.
type inflight struct {
	mu sync.Mutex
	m  map[key]*asking
}

// asking is one text a call is asking about.
type asking struct {
	done chan struct{} // closed when the call is done with the text
	mu   sync.Mutex
	why  string // why the text got no answer, when it got none
}

// twin is an item whose text another call is asking about.
type twin struct {
	item   *enrich.Item
	key    key
	asking *asking
}

// claim makes the caller the one asking about k, and reports true; or
// returns the call already asking, and false.
func (f *inflight) claim(k key) (*asking, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if a := f.m[k]; a != nil {
		return a, false
	}
	if f.m == nil {
		f.m = make(map[key]*asking)
	}
	a := &asking{done: make(chan struct{})}
	f.m[k] = a
	return a, true
}

// failed records why the text of k got no answer.
func (f *inflight) failed(k key, reason string) {
	f.mu.Lock()
	a := f.m[k]
	f.mu.Unlock()
	if a != nil {
		a.mu.Lock()
		a.why = reason
		a.mu.Unlock()
	}
}

// release ends the asking about keys, claimed by the caller: the calls
// waiting for them find the answers in the cache.
func (f *inflight) release(keys []key) {
	if len(keys) == 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, k := range keys {
		if a := f.m[k]; a != nil {
			delete(f.m, k)
			close(a.done)
		}
	}
}

// reason is why the text got no answer; "error" when no reason was
// given.
func (a *asking) reason() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.why == "" {
		return reasonError
	}
	return a.why
}
