package llm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"sync"
	"time"

	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"github.com/feedbackloop/feedbackloop/enrich"
)

// key identifies an answer: the hash of the model, the taxonomy's
// fingerprint and the exact text sent.
type key [sha256.Size]byte

// tagging is the model's answer about one text: its themes, and the
// sentiment of the whole text when the model judged it and that of every
// theme (in Themes' Sentiment); nil when it left one out.
type tagging struct {
	Themes    []enrich.Theme `json:"themes"`
	Sentiment *float64       `json:"sentiment,omitempty"`
	// Refused, when set, is why the text has no answer and is not to be
	// asked about again (reasonFiltered, reasonTooLong): no answer, kept
	// in this worker's cache only.
	Refused string `json:"-"`
	// Paid says which record paid for the answer, and what it cost; nil
	// for answers cached before it was kept.
	Paid *paid `json:"paid,omitempty"`
}

// paid is what an answer cost the record that asked for it.
type paid struct {
	Record     string `json:"record"`
	Prompt     int    `json:"prompt"`
	Completion int    `json:"completion"`
}

// cost is what a of the cache costs record id: nothing, unless id is the
// record that paid for it, delivered again. Its new version then carries
// the tokens its first did, so that tagger usage, which sums each
// record's last version, still counts them; another record with the
// same text costs nothing.
func (a tagging) cost(id string) (prompt, completion int) {
	if a.Paid == nil || a.Paid.Record != id {
		return 0, 0
	}
	return a.Paid.Prompt, a.Paid.Completion
}

// clone returns a copy whose themes callers may change.
func (a tagging) clone() tagging {
	a.Themes = slices.Clone(a.Themes)
	return a
}

// cache keeps the last answers by key, up to a number of entries; the
// oldest entry goes first. Insertion order rather than recency is enough
// here: what repeats in feedback (a pasted template, a bot's message)
// repeats soon.
type cache struct {
	mu    sync.Mutex
	size  int
	m     map[key]tagging
	order []key // ring of the keys in insertion order
	next  int
}

func newCache(size int) *cache {
	return &cache{size: size, m: make(map[key]tagging, min(size, 1<<16))}
}

// get returns a copy of the cached answer, so that callers may change it.
func (c *cache) get(k key) (tagging, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	a, ok := c.m[k]
	if !ok {
		return tagging{}, false
	}
	return a.clone(), true
}

func (c *cache) put(k key, a tagging) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[k]; ok {
		c.m[k] = a
		return
	}
	if len(c.order) < c.size {
		c.order = append(c.order, k)
	} else {
		delete(c.m, c.order[c.next])
		c.order[c.next] = k
		c.next = (c.next + 1) % c.size
	}
	c.m[k] = a
}

// SharedCache holds answers where every worker finds them, and this one
// after a restart: ingest.Answers, a NATS key-value bucket. Get's ok is
// false for a key it does not hold; an error means it could not say, and
// the Tagger carries on as if it held nothing.
//
// Claim, Release and Await keep two workers from paying for one text at
// once: a Tagger claims the texts it is about to ask about, until its
// round's deadline, releases those it got no answer for, and waits for
// the answers to those another worker claimed. Claim reports false when
// the key holds an answer or a live claim; when it fails the Tagger asks
// anyway. Release withdraws the claim made until until, if it is still
// there. Await calls found with each answer under keys as it is stored,
// or with nil when its claim is withdrawn, until every key had one or ctx
// ends.
type SharedCache interface {
	Get(ctx context.Context, key string) (value []byte, ok bool, err error)
	Put(ctx context.Context, key string, value []byte) error
	Claim(ctx context.Context, key string, until time.Time) (bool, error)
	Release(ctx context.Context, key string, until time.Time) error
	Await(ctx context.Context, keys []string, found func(key string, value []byte)) error
}

// sharedKey is the name of k in the shared cache: the format of the value
// and the hash in hex. v1 values were a JSON list of themes, from before
// the model was asked for their sentiment; they are not read.
func sharedKey(k key) string { return "v2." + hex.EncodeToString(k[:]) }

// sharedKeys names jobs' texts in the shared cache, in order.
func sharedKeys(jobs []*job) []string {
	keys := make([]string, len(jobs))
	for i, j := range jobs {
		keys[i] = sharedKey(j.key)
	}
	return keys
}

// sharedLookups bounds the shared cache's lookups in flight for one call.
const sharedLookups = 16

// fromShared looks the jobs up in the shared cache, at most wait long,
// and then claims those it did not find until the time until, at most
// wait long again. Found answers go to the jobs' items and to the
// Tagger's own cache. It returns the jobs this Tagger is to ask about,
// those of them it claimed (see releaseShared), and those another worker
// is asking about (see awaitShared).
func (t *Tagger) fromShared(ctx context.Context, jobs []*job, wait time.Duration, until time.Time) (mine, claimed, others []*job) {
	if t.opts.Shared == nil || len(jobs) == 0 {
		return jobs, nil, nil
	}
	keys := sharedKeys(jobs)
	found := make([]*tagging, len(jobs))
	held := make([]bool, len(jobs))
	theirs, got := make([]bool, len(jobs)), make([]bool, len(jobs))
	// The lookups, then the claims, each within wait: claims that took
	// their time from the lookups left answered texts unfound, and paid
	// for again, once the bucket was slow to answer.
	each(ctx, wait, jobs, func(ctx context.Context, i int, _ *job) {
		found[i], held[i] = t.lookUp(ctx, keys[i])
	})
	each(ctx, wait, jobs, func(ctx context.Context, i int, _ *job) {
		if !held[i] {
			got[i], theirs[i] = t.claim(ctx, keys[i], until)
		}
	})
	hits := 0
	for i, j := range jobs {
		switch {
		case found[i] != nil:
			hits += t.fromAnswer(j, *found[i])
		case theirs[i]:
			others = append(others, j)
		default:
			mine = append(mine, j)
			if got[i] {
				claimed = append(claimed, j)
			}
		}
	}
	t.metrics.items("shared", hits)
	return mine, claimed, others
}

// each calls f for every job, sharedLookups at a time, within wait.
func each(ctx context.Context, wait time.Duration, jobs []*job, f func(ctx context.Context, i int, j *job)) {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	var g errgroup.Group
	g.SetLimit(sharedLookups)
	for i, j := range jobs {
		g.Go(func() error {
			f(ctx, i, j)
			return nil
		})
	}
	_ = g.Wait()
}

// lookUp returns the answer the shared cache holds under k, nil when it
// holds none or cannot say; held says it holds a value, read or not (one
// that cannot be read is asked about again, and replaced, unclaimed).
func (t *Tagger) lookUp(ctx context.Context, k string) (a *tagging, held bool) {
	v, ok, err := t.opts.Shared.Get(ctx, k)
	if err != nil || !ok {
		if err != nil && ctx.Err() == nil {
			t.log.Debug("shared LLM cache lookup failed", zap.Error(err))
		}
		return nil, false
	}
	return t.decodeShared(k, v), true
}

// decodeShared reads an answer of the shared cache; nil when it cannot.
func (t *Tagger) decodeShared(k string, v []byte) *tagging {
	var a tagging
	if err := json.Unmarshal(v, &a); err != nil {
		t.log.Warn("shared LLM cache holds an unreadable answer; asking again", zap.String("key", k), zap.Error(err))
		return nil
	}
	return &a // no theme is an answer too
}

// claim claims the text of k for this Tagger and reports whether it got
// the claim, or whether the text is another worker's: asking about or
// answered since the lookup.
func (t *Tagger) claim(ctx context.Context, k string, until time.Time) (got, theirs bool) {
	mine, err := t.opts.Shared.Claim(ctx, k, until)
	if err != nil {
		if ctx.Err() == nil {
			t.log.Debug("shared LLM cache claim failed; asking", zap.Error(err))
		}
		return false, false // a text paid for twice costs less than one not asked about
	}
	return mine, !mine
}

// releaseShared withdraws the claims of jobs this Tagger got no answer
// for to share (the API failed, was busy, refused the text), so that the
// workers waiting for them stop waiting. What it cannot withdraw expires.
func (t *Tagger) releaseShared(jobs []*job, until time.Time) {
	var unanswered []*job
	for _, j := range jobs {
		if a, ok := t.cache.get(j.key); !ok || a.Refused != "" {
			unanswered = append(unanswered, j)
		}
	}
	each(context.Background(), sharedWait, unanswered, func(ctx context.Context, _ int, j *job) {
		if err := t.opts.Shared.Release(ctx, sharedKey(j.key), until); err != nil && ctx.Err() == nil {
			t.log.Debug("shared LLM cache release failed", zap.Error(err))
		}
	})
}

// fromAnswer gives a found answer to j's items and the Tagger's own
// cache, and returns how many items it tagged.
func (t *Tagger) fromAnswer(j *job, a tagging) int {
	t.cache.put(j.key, a)
	for _, it := range j.items {
		p, c := a.cost(it.Record.ID)
		t.set(it, a.clone(), p, c, true)
	}
	return len(j.items)
}

// awaitShared waits, until ctx ends, for the answers to jobs that other
// workers claimed; those still without one keep what they had.
func (t *Tagger) awaitShared(ctx context.Context, jobs []*job) {
	if len(jobs) == 0 {
		return
	}
	keys := sharedKeys(jobs)
	byKey := make(map[string]*job, len(jobs))
	for i, j := range jobs {
		byKey[keys[i]] = j
	}
	hits := 0
	err := t.opts.Shared.Await(ctx, keys, func(k string, v []byte) {
		j := byKey[k]
		if j == nil {
			return
		}
		if v == nil { // withdrawn: its worker got no answer
			t.fail([]*job{j}, reasonBusy)
			delete(byKey, k)
			return
		}
		if a := t.decodeShared(k, v); a != nil {
			delete(byKey, k)
			hits += t.fromAnswer(j, *a)
		}
	})
	if err != nil && ctx.Err() == nil {
		t.log.Debug("waiting for another worker's LLM answers failed", zap.Error(err))
	}
	t.metrics.items("shared", hits)
	var left []*job
	for i, j := range jobs {
		if byKey[keys[i]] != nil {
			left = append(left, j)
		}
	}
	if len(left) > 0 {
		t.fail(left, reasonBusy) // the other worker has not answered in time
	}
}

// toShared stores an answer for every worker. A failure costs only a
// later repeat of the question, so it is logged, not returned.
func (t *Tagger) toShared(ctx context.Context, k key, a tagging) {
	if t.opts.Shared == nil {
		return
	}
	v, err := json.Marshal(a)
	if err == nil {
		err = t.opts.Shared.Put(ctx, sharedKey(k), v)
	}
	if err != nil {
		t.log.Debug("shared LLM cache store failed", zap.Error(err))
	}
}
