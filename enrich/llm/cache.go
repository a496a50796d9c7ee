package llm

import (
	"crypto/sha256"
	"sync"

	"github.com/feedbackloop/feedbackloop/enrich"
)

// key identifies an answer: the hash of the model, the taxonomy's
// fingerprint and the exact text sent.
type key [sha256.Size]byte

// cache keeps the last answers by key, up to a number of entries; the
// oldest entry goes first. Insertion order rather than recency is enough
// here: what repeats in feedback (a pasted template, a bot's message)
// repeats soon.
type cache struct {
	mu    sync.Mutex
	size  int
	m     map[key][]enrich.Theme
	order []key // ring of the keys in insertion order
	next  int
}

func newCache(size int) *cache {
	return &cache{size: size, m: make(map[key][]enrich.Theme, min(size, 1<<16))}
}

// get returns a copy of the cached themes, so that callers may change them.
func (c *cache) get(k key) ([]enrich.Theme, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	th, ok := c.m[k]
	if !ok {
		return nil, false
	}
	return append([]enrich.Theme(nil), th...), true
}

func (c *cache) put(k key, themes []enrich.Theme) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[k]; ok {
		c.m[k] = themes
		return
	}
	if len(c.order) < c.size {
		c.order = append(c.order, k)
	} else {
		delete(c.m, c.order[c.next])
		c.order[c.next] = k
		c.next = (c.next + 1) % c.size
	}
	c.m[k] = themes
}
