package llm

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptrace"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cenkalti/backoff/v5"
	openai "github.com/sashabaranov/go-openai"
	"go.uber.org/zap"
	"golang.org/x/sync/semaphore"

	"github.com/feedbackloop/feedbackloop/config"
	"github.com/feedbackloop/feedbackloop/enrich"
)

// TaggerName is what the Tagger writes to enrich.Item.Tagger.
const TaggerName = "llm"

// Fallback reasons, the values of the reason label of
// feedbackloop_llm_fallback_items_total.
const (
	reasonBusy      = "busy"       // MaxWaiting calls were already waiting
	reasonCooldown  = "cooldown"   // the API asked for a pause longer than MaxWait, or refused the request
	reasonBudget    = "budget"     // today's token budget is spent
	reasonRateLimit = "rate_limit" // the tokens-per-minute limit would make the call wait past MaxWait
	reasonError     = "error"      // the API failed, timed out or answered nonsense after retries, or left the text out twice
	reasonFiltered  = "filtered"   // the server's content filter refused the text, asked about alone
	reasonTooLong   = "too_long"   // asked about alone, the text's prompt or answer did not fit the model
)

// Outcomes of an attempt that failed because of what was asked together:
// asking about fewer texts at a time may succeed where asking again
// cannot.
const (
	outcomeFiltered  = "filtered"  // a content filter (Azure OpenAI) or the model refused the prompt or the answer
	outcomeTooLong   = "too_long"  // the prompt did not fit the model's context
	outcomeTruncated = "truncated" // the answer was cut off at the server's output limit
)

// outcomeQuota is a 429 that no wait mends: the account has no credit
// left (OpenAI's insufficient_quota). It is a refusal.
const outcomeQuota = "quota"

// sharedWait bounds the shared cache's lookups in one Tag call.
const sharedWait = time.Second

// permanentCooldown is how long the API is left alone after it refused a
// request outright (a bad key, an unknown model): every request would fail
// the same way, and logging each would drown the log.
const permanentCooldown = time.Minute

// Tagger tags items with a chat model. It implements enrich.Tagger and is
// safe for concurrent use. See the package documentation for what it
// guarantees about cost and waiting.
type Tagger struct {
	opts   Options
	prompt *prompt
	// allowed maps each theme name, lowercased and folded by
	// enrich.NameKey, to the name: models that are not held to the schema
	// write "Performance" for "performance" and "Data Export" for
	// "data-export".
	allowed   map[string]string
	unknown   sync.Map     // names outside the taxonomy already logged
	unknownN  atomic.Int32 // how many of them
	names     []string     // the taxonomy's theme names
	ancestors map[string][]string
	salt      [sha256.Size]byte // model and prompt: answers to another question are not reused
	client    *openai.Client

	sem     *semaphore.Weighted
	waiting chan struct{}
	limiter *window // Options.TokensPerMinute
	// peers is how many processes share the limiter's limit, as last
	// counted (0 before, and without Peers); stopPeers stops the count.
	peers        atomic.Int64
	peersFailing atomic.Bool
	guessed      bool // the share counts one process more than beat, until the second beat (see runPeers)
	stopPeers    func()
	latency      atomic.Int64 // how long answered requests take, a moving average in nanoseconds
	budget       *budget
	cache        *cache
	inflight     inflight
	cooldown     atomic.Int64 // UnixNano before which the API is not asked
	format       atomic.Int32 // how JSON is asked for: formatSchema, formatObject or formatPrompt
	metrics      *Metrics
	log          *zap.Logger

	// batchSize is how many texts a request asks about: Options.BatchSize
	// until answers for that many did not fit the model (see split), then
	// fewer, growing back as requests are answered (see grow).
	batchSize atomic.Int32
	// answeredSince counts the requests answered since batchSize last
	// changed.
	answeredSince atomic.Int32
	shrinkWarned  atomic.Bool
	// window is the context window requests are packed to, in tokens as
	// fitBase and fitText count them: Options.ContextTokens, or less once
	// the server refused a prompt as too long (see narrow); 0 while not
	// known.
	window       atomic.Int32
	windowWarned atomic.Bool
	// cut is what the server's prompt counts told of a silent cut (see
	// promptCut): 0 while none was seen, the tokens the first cut kept,
	// which requests are then packed to as well, or -1 once the counts
	// proved not to be a cut's.
	cut atomic.Int32
	// splitWarned holds, by outcome, whether a text asked about alone
	// failed that way and was logged.
	splitWarned sync.Map

	budgetWarned  atomic.Value // the UTC day (a string) the spent budget was last logged
	cutWarned     atomic.Bool  // the server seemed to cut a prompt (promptCut)
	leftOutWarned atomic.Bool  // the model left texts out of its answers twice
	failed        atomic.Int64 // requests failed since the last warning about them
	failLogged    atomic.Int64 // UnixNano of that warning
	failedInRow   atomic.Int32 // requests failed after their retries since the last answer
}

var _ enrich.Tagger = (*Tagger)(nil)

// New builds a Tagger for the themes of taxonomy t.
func New(t *enrich.Taxonomy, opts Options) (*Tagger, error) {
	opts.setDefaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	names := t.Names()
	if len(names) == 0 {
		return nil, errors.New("llm: the taxonomy has no themes")
	}
	p, err := newPrompt(t)
	if err != nil {
		return nil, fmt.Errorf("llm: %w", err)
	}
	var cc openai.ClientConfig
	if opts.APIType == "azure" {
		cc = openai.DefaultAzureConfig(opts.APIKey, opts.BaseURL)
		cc.APIVersion = opts.APIVersion
		cc.AzureModelMapperFunc = func(model string) string { return model } // the model is the deployment
	} else {
		cc = openai.DefaultConfig(opts.APIKey)
		cc.BaseURL = opts.BaseURL
	}
	cc.HTTPClient = opts.HTTPClient
	tg := &Tagger{
		opts:      opts,
		prompt:    p,
		allowed:   make(map[string]string, len(names)),
		names:     names,
		ancestors: make(map[string][]string),
		client:    openai.NewClientWithConfig(cc),
		sem:       semaphore.NewWeighted(int64(opts.Concurrency)),
		waiting:   make(chan struct{}, opts.MaxWaiting),
		limiter:   newWindow(opts.TokensPerMinute),
		budget:    newBudget(opts.DailyTokenBudget, opts.Now, opts.Spend, opts.Log),
		cache:     newCache(opts.CacheSize),
		metrics:   opts.Metrics,
		log:       opts.Log,
	}
	for _, n := range names {
		tg.allowed[strings.ToLower(n)] = n
		if a := t.Ancestors(n); len(a) > 0 {
			tg.ancestors[n] = a
		}
	}
	for k, n := range t.ByNameKey() {
		if _, taken := tg.allowed[k]; !taken {
			tg.allowed[k] = n
		}
	}
	h := sha256.New()
	h.Write([]byte(opts.Model + "\x00" + p.system + "\x00"))
	h.Write(p.schema)
	h.Sum(tg.salt[:0])
	tg.batchSize.Store(int32(opts.BatchSize))
	if w := opts.ContextTokens; w > 0 {
		if least := p.fitBase() + fitText(""); w < least {
			return nil, fmt.Errorf("llm: llm.context_tokens %d holds no request: the instructions for this taxonomy take about %d tokens; give the model a larger window and set llm.context_tokens to it (0 when not known)", w, least)
		}
		tg.window.Store(int32(min(w, math.MaxInt32)))
	}
	tg.showLimits()
	tg.metrics.budget(tg.budget.remaining())
	if opts.Peers != nil {
		tg.runPeers()
	} else {
		tg.metrics.peers(1)
	}
	return tg, nil
}

// Model is the model name the Tagger asks and writes to Item.Model.
func (t *Tagger) Model() string { return t.opts.Model }

// job is one distinct text to ask about and the items that hold it.
type job struct {
	text  string
	key   key
	fit   int // what the text takes of a request (fitText)
	items []*enrich.Item
	// leftOut says the model left the text out of an answer that held
	// others: asked again once, alone with the others it left out.
	leftOut bool
}

// Tag asks the model about every item it has no cached answer for, and
// sets Themes, Tagger ("llm"), Model and the item's share of the tokens on
// each item it got an answer for. Items without an answer keep what they
// had. It returns an error only when ctx ends.
//
// A text another call is asking about at that moment is not asked about
// again: its items wait, within MaxWait, for that call's answer.
func (t *Tagger) Tag(ctx context.Context, items []*enrich.Item) error {
	start := time.Now()
	var (
		jobs  []*job
		twins []twin // items whose text another call is asking about
		owned []key  // the texts this call asks about, which others may wait for
	)
	byKey := make(map[key]*job)
	cached := 0
	for _, it := range items {
		if it == nil || it.Record == nil {
			continue
		}
		text := t.text(it.Record.Title, it.Record.Body)
		if text == "" {
			continue
		}
		k := t.key(text)
		if a, ok := t.cache.get(k); ok {
			if a.Refused != "" {
				t.metrics.fallback(a.Refused, 1) // refused before: asking again would be too
				continue
			}
			p, c := a.cost(it.Record.ID)
			t.set(it, a, p, c, true)
			cached++
			continue
		}
		if j := byKey[k]; j != nil {
			j.items = append(j.items, it)
			continue
		}
		if a, mine := t.inflight.claim(k); !mine {
			twins = append(twins, twin{it, k, a})
			continue
		}
		owned = append(owned, k)
		j := &job{text: text, key: k, fit: fitText(text), items: []*enrich.Item{it}}
		byKey[k] = j
		jobs = append(jobs, j)
	}
	t.metrics.items("cached", cached)
	func() {
		defer t.inflight.release(owned)
		t.askJobs(ctx, jobs)
	}()
	t.follow(ctx, twins, start.Add(t.opts.MaxWait))
	return ctx.Err()
}

// askJobs asks about jobs, within one round of requests unless
// Options.EveryRound.
func (t *Tagger) askJobs(ctx context.Context, jobs []*job) {
	if len(jobs) == 0 {
		return
	}
	if reason := t.closed(); reason != "" {
		t.fail(jobs, reason)
		return
	}
	select {
	case t.waiting <- struct{}{}:
		defer func() { <-t.waiting }()
	default:
		t.fail(jobs, reasonBusy)
		return
	}
	// One round of requests at most: a call that queued more behind the
	// concurrency limit would hold its items (and the worker's goroutine)
	// for several round trips, and most of them would fall back anyway
	// when MaxWait ran out. What does not fit keeps its offline themes,
	// unless the caller waits for every round (EveryRound).
	for {
		reqs, n := t.pack(jobs), 0
		for _, req := range reqs[:min(t.opts.Concurrency, len(reqs))] {
			n += len(req)
		}
		if !t.opts.EveryRound && n < len(jobs) {
			t.fail(jobs[n:], reasonBusy)
			jobs = jobs[:n]
		}
		t.round(ctx, jobs[:n])
		if jobs = jobs[n:]; len(jobs) == 0 || ctx.Err() != nil {
			return
		}
		if reason := t.closed(); reason != "" { // paused, or out of budget, since
			t.fail(jobs, reason)
			return
		}
	}
}

// follow waits, until deadline at most, for the calls asking about the
// texts of twins, and gives each item the answer its text got; one whose
// text got none keeps what it had, counted under the reason that call
// gave.
func (t *Tagger) follow(ctx context.Context, twins []twin, deadline time.Time) {
	if len(twins) == 0 {
		return
	}
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	cached := 0
	for _, tw := range twins {
		select {
		case <-tw.asking.done:
		case <-ctx.Done():
			t.metrics.fallback(reasonBusy, 1) // the other call has not finished
			continue
		}
		a, ok := t.cache.get(tw.key)
		switch {
		case !ok:
			t.metrics.fallback(tw.asking.reason(), 1)
		case a.Refused != "":
			t.metrics.fallback(a.Refused, 1)
		default:
			p, c := a.cost(tw.item.Record.ID)
			t.set(tw.item, a, p, c, true)
			cached++
		}
	}
	t.metrics.items("cached", cached)
}

// round asks about jobs, one round of requests' worth, at once, and waits
// up to MaxWait for the answers.
func (t *Tagger) round(ctx context.Context, jobs []*job) {
	ctx, cancel := context.WithTimeout(ctx, t.opts.MaxWait)
	defer cancel()
	// What another worker, or this one before a restart, paid for is not
	// paid for again, nor what another worker is asking about now. Looked
	// up only here, for the texts about to be sent: a lookup for every
	// item that skips the model (busy, over budget) cost a fifth of the
	// worker's throughput under a backlog.
	deadline, _ := ctx.Deadline()
	jobs, claimed, others := t.fromShared(ctx, jobs, min(t.opts.MaxWait, sharedWait), deadline)
	var wg sync.WaitGroup
	if len(others) > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.awaitShared(ctx, others)
		}()
	}
	if len(jobs) > 0 {
		t.askEach(ctx, t.pack(jobs), openai.Usage{})
		t.releaseShared(claimed, deadline)
	}
	wg.Wait()
}

// pack cuts jobs, in order, into requests: each of at most the batch size
// (see shrink and grow) and, once the model's context window is known,
// no more than fit it. A text that alone does not fit is a request of its
// own; the server decides.
func (t *Tagger) pack(jobs []*job) [][]*job {
	size, window, base := int(t.batchSize.Load()), t.windowNow(), t.prompt.fitBase()
	var reqs [][]*job
	start, used := 0, base
	for i, j := range jobs {
		if i > start && (i-start == size || window > 0 && used+j.fit > window) {
			reqs = append(reqs, jobs[start:i])
			start, used = i, base
		}
		used += j.fit
	}
	if start < len(jobs) {
		reqs = append(reqs, jobs[start:])
	}
	return reqs
}

// askEach asks about each request of reqs at once, each bearing its share
// of spent, what asking about all of them together already cost (see
// split).
func (t *Tagger) askEach(ctx context.Context, reqs [][]*job, spent openai.Usage) {
	n := 0
	for _, r := range reqs {
		n += len(r)
	}
	var wg sync.WaitGroup
	from := 0
	for _, r := range reqs {
		carried := partOf(spent, from, from+len(r), n)
		from += len(r)
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.batch(ctx, r, carried)
		}()
	}
	wg.Wait()
}

// closed says why the API is not to be asked now, "" when it may be.
func (t *Tagger) closed() string {
	if time.Now().UnixNano() < t.cooldown.Load() {
		return reasonCooldown
	}
	if t.budgetSpent() {
		t.warnBudget()
		t.metrics.budget(t.budget.remaining())
		return reasonBudget
	}
	return ""
}

// FlushSpend adds what the Tagger spent and has not yet added to the
// shared count of the day's tokens (Options.Spend), waiting for the add
// under way, or until ctx ends. A one-off command calls it before it
// closes its NATS connection.
func (t *Tagger) FlushSpend(ctx context.Context) { t.budget.flush(ctx) }

// budgetSpent reports whether today's budget cannot pay for the smallest
// request: the instructions and one empty text.
func (t *Tagger) budgetSpent() bool {
	return t.budget.exhausted(t.prompt.estimateTokens(oneShortText))
}

var oneShortText = []string{""}

// warnBudget logs, once a day, that the budget is spent: it cannot pay for
// a request, or for one more text.
func (t *Tagger) warnBudget() {
	if day := t.budget.today(); t.budgetWarned.Swap(day) != day {
		t.log.Warn("LLM daily token budget spent; the offline tagger tags everything until midnight UTC",
			zap.Int("daily_token_budget", t.opts.DailyTokenBudget), zap.Int("remaining_tokens", t.budget.remaining()))
	}
}

// text is what is sent for a record: its title and body, redacted again
// and strictly (see the package documentation) and cut to MaxTextChars.
func (t *Tagger) text(title, body string) string {
	s := strings.TrimSpace(body)
	if title = strings.TrimSpace(title); title != "" {
		s = title + "\n" + s
	}
	return cutAt(enrich.RedactOutgoing(s), t.opts.MaxTextChars)
}

func (t *Tagger) key(text string) key {
	h := sha256.New()
	h.Write(t.salt[:])
	h.Write([]byte(text))
	var k key
	h.Sum(k[:0])
	return k
}

func (t *Tagger) set(it *enrich.Item, a tagging, prompt, completion int, cached bool) {
	it.Themes = a.Themes
	it.SentimentBy = ""
	if a.Sentiment != nil {
		it.Sentiment, it.SentimentBy = *a.Sentiment, enrich.ByLLM
	}
	it.SetConfidence = 0 // the model gives no probabilities
	it.Tagger = TaggerName
	it.Model = t.opts.Model
	it.PromptTokens = prompt
	it.CompletionTokens = completion
	it.FromCache = cached
}

func (t *Tagger) fail(jobs []*job, reason string) {
	n := 0
	for _, j := range jobs {
		n += len(j.items)
		t.inflight.failed(j.key, reason)
	}
	t.metrics.fallback(reason, n)
}

// batch asks about one request's worth of texts and applies the answers.
// Carried is what asking about them together already cost (see split):
// the answers' rows bear it with their own request's tokens.
func (t *Tagger) batch(ctx context.Context, jobs []*job, carried openai.Usage) {
	texts := make([]string, len(jobs))
	for i, j := range jobs {
		texts[i] = j.text
	}
	if err := t.sem.Acquire(ctx, 1); err != nil {
		t.fail(jobs, reasonBusy)
		return
	}
	var ans map[int]tagging
	usage, err := t.metered(ctx, t.prompt.estimateTokens(texts), func(m *meter) (u openai.Usage, err error) {
		t.metrics.asked(len(texts))
		ans, u, err = t.call(ctx, m, texts)
		return u, err
	})
	t.sem.Release(1)
	var ae *attemptError
	switch {
	case errors.As(err, &ae) && ae.split():
		t.askAgain(ctx, jobs, ans, ae, addUsage(carried, usage))
		return
	case errors.Is(err, errBudget) && len(jobs) > 1:
		// What is left of today's budget does not pay for all of them, but
		// may for fewer: half, and so on, rather than none.
		// What a refused retry's earlier attempts cost is carried.
		half, n, spent := (len(jobs)+1)/2, len(jobs), addUsage(carried, usage)
		t.batch(ctx, jobs[:half], partOf(spent, 0, half, n))
		t.batch(ctx, jobs[half:], partOf(spent, half, n, n))
		return
	case errors.Is(err, errBudget):
		// One text too long for what is left, or the last of the budget:
		// only the latter is worth a warning.
		if t.budgetSpent() {
			t.warnBudget()
		}
		t.fail(jobs, reasonBudget)
		return
	case errors.Is(err, errRateLimit):
		t.fail(jobs, reasonRateLimit)
		return
	case errors.Is(err, errNotSent):
		t.fail(jobs, reasonBusy) // max_wait ran out before the request left
		return
	case err != nil:
		t.fail(jobs, reasonError)
		t.warnFailing(err)
		t.giveUpOnFailing()
		return
	}
	t.failedInRow.Store(0)
	t.grow()
	rest, theirs := t.apply(ctx, jobs, ans, addUsage(usage, carried))
	t.leftOut(ctx, rest, len(jobs), theirs)
}

// leftOut asks again, once, about the jobs the model left out of an answer
// to asked texts, which already cost spent: a model may skip an item of a
// long list. Left out again, they keep their offline themes, and the
// first time that happens is a warning.
func (t *Tagger) leftOut(ctx context.Context, jobs []*job, asked int, spent openai.Usage) {
	if len(jobs) == 0 {
		return
	}
	var again, gaveUp []*job
	for _, j := range jobs {
		if j.leftOut {
			gaveUp = append(gaveUp, j)
		} else {
			j.leftOut = true
			again = append(again, j)
		}
	}
	if len(gaveUp) > 0 {
		t.fail(gaveUp, reasonError)
		t.warnFirst(&t.leftOutWarned)("the model left texts out of its answer again, after it was asked about them again: they keep their offline themes",
			zap.Int("texts", len(gaveUp)))
	}
	if len(again) > 0 {
		t.log.Debug("the model left texts out of its answer; asking about them again", zap.Int("left_out", len(again)), zap.Int("asked", asked))
		t.batch(ctx, again, spent)
	}
}

// apply sets each answer of ans (by index into jobs) on its job's items,
// with its share of usage, and caches it. It returns the jobs without an
// answer and their share of usage.
func (t *Tagger) apply(ctx context.Context, jobs []*job, ans map[int]tagging, usage openai.Usage) (rest []*job, theirs openai.Usage) {
	answered := 0
	for i, j := range jobs {
		p, c := share(usage.PromptTokens, i, len(jobs)), share(usage.CompletionTokens, i, len(jobs))
		a, ok := ans[i]
		if !ok {
			rest = append(rest, j)
			theirs = addUsage(theirs, openai.Usage{PromptTokens: p, CompletionTokens: c})
			continue
		}
		a.Paid = &paid{Record: j.items[0].Record.ID, Prompt: p, Completion: c}
		t.cache.put(j.key, a)
		t.toShared(ctx, j.key, a)
		for _, it := range j.items {
			// A repeat of the same text costs nothing more, unless it is
			// the same record twice.
			p, c := a.cost(it.Record.ID)
			t.set(it, a.clone(), p, c, false)
			answered++
		}
	}
	t.metrics.items("llm", answered)
	return rest, theirs
}

// askAgain asks again about jobs, whose request failed because of what it
// asked together (ae) and cost spent. An answer stopped before its end
// (at the output limit, or by a filter) still holds the items it finished
// (see salvage), in ans: those are kept, and the rest asked about again.
func (t *Tagger) askAgain(ctx context.Context, jobs []*job, ans map[int]tagging, ae *attemptError, spent openai.Usage) {
	rest, spent := t.apply(ctx, jobs, ans, spent)
	switch {
	case ae.outcome == outcomeTooLong && !ae.cut: // a cut's window is t.cut
		t.narrow(jobs, ae)
	case ae.outcome == outcomeTruncated && len(jobs) > 1:
		// Half as many answers fit, or as many as the cut answer finished.
		t.shrink(max(len(jobs)/2, len(jobs)-len(rest)), ae)
	}
	switch {
	case len(rest) == 0:
	case len(rest) == len(jobs):
		t.split(ctx, rest, ae, spent)
	case ae.outcome == outcomeFiltered && len(rest) > 1:
		// A filter stopped the answer at the text after the last it
		// finished, most likely the one it objects to: that one alone,
		// the others together.
		t.askEach(ctx, [][]*job{rest[:1], rest[1:]}, spent)
	case len(t.pack(rest)) == 1:
		t.batch(ctx, rest, spent) // what the cut answer did not reach, at once
	default:
		t.split(ctx, rest, ae, spent)
	}
}

// split asks again about jobs, whose request failed because of what it
// asked together (ae): in requests that fit the narrowed window or the
// smaller batch size, or else in two halves, at once. A text that fails
// alone keeps its offline themes, and is not asked about again while the
// cache holds it.
func (t *Tagger) split(ctx context.Context, jobs []*job, ae *attemptError, spent openai.Usage) {
	if len(jobs) == 1 {
		reason := reasonTooLong
		if ae.outcome == outcomeFiltered {
			reason = reasonFiltered
		}
		t.fail(jobs, reason)
		t.cache.put(jobs[0].key, tagging{Refused: reason})
		if _, logged := t.splitWarned.LoadOrStore(reason, true); !logged {
			t.log.Warn("LLM API could not answer about a text even alone; it keeps its offline themes (counted by feedbackloop_llm_fallback_items_total, logged once)",
				zap.String("reason", reason), zap.Error(ae))
		}
		return
	}
	reqs := t.pack(jobs)
	if len(reqs) == 1 {
		half := len(jobs) / 2
		reqs = [][]*job{jobs[:half], jobs[half:]}
	}
	t.askEach(ctx, reqs, spent)
}

// windowNow is the context window requests are packed to: the one
// configured or named by a refusal, or what a cut prompt kept (see
// promptCut), the smaller; 0 while neither is known.
func (t *Tagger) windowNow() int {
	w, cut := int(t.window.Load()), int(t.cut.Load())
	if cut > 0 && (w == 0 || cut < w) {
		return cut
	}
	return w
}

// showLimits sets the request limit gauges to the batch size and the
// window now.
func (t *Tagger) showLimits() {
	t.metrics.limits(int(t.batchSize.Load()), t.windowNow())
}

// narrow lowers the context window requests are packed to, after the
// server refused the prompt for jobs as too long. When its message names a
// window below our estimate of the refused request, that window; when it
// names none, or one above the estimate (which then fell short), three
// quarters of the estimate. A text refused alone says nothing of the
// window: it falls back.
func (t *Tagger) narrow(jobs []*job, ae *attemptError) {
	if len(jobs) == 1 {
		return // that text is too long, not the requests
	}
	refused := t.prompt.fitBase()
	for _, j := range jobs {
		refused += j.fit
	}
	w := refused * 3 / 4
	if named := windowIn(ae.err.Error()); named > 0 && named < refused {
		w = named
	}
	if _, lowered := lower(&t.window, w); !lowered {
		return
	}
	t.showLimits()
	t.warnFirst(&t.windowWarned)("LLM server refused a prompt as longer than the model's context window; asking about fewer texts a request, as many as fit (logged once)",
		zap.Int("window_tokens", w), zap.Int("texts", len(jobs)), zap.Error(ae),
		zap.String("check", "llm.context_tokens set to the server's window, or a larger window (Ollama num_ctx, vLLM --max-model-len)"))
}

// lower sets limit to n when it holds more, or nothing (0), and reports
// what it held and whether it was lowered.
func lower(limit *atomic.Int32, n int) (was int, lowered bool) {
	for {
		cur := limit.Load()
		if cur != 0 && int(cur) <= n {
			return int(cur), false
		}
		if limit.CompareAndSwap(cur, int32(min(n, math.MaxInt32))) {
			return int(cur), true
		}
	}
}

// warnFirst returns the logger's Warn the first time warned is asked
// for, and Debug after: a limit that moves back and forth is worth one
// warning.
func (t *Tagger) warnFirst(warned *atomic.Bool) func(string, ...zap.Field) {
	if warned.Swap(true) {
		return t.log.Debug
	}
	return t.log.Warn
}

// windowPatterns find the context window in a refusal: OpenAI's and
// vLLM's "maximum context length is 8192 tokens", llama.cpp's "exceeds
// the available context size (4096 tokens)".
var windowPatterns = []*regexp.Regexp{
	regexp.MustCompile(`maximum context length is (\d+)`),
	regexp.MustCompile(`context size \((\d+) tokens?\)`),
}

// windowIn returns the context window msg names, 0 when it names none.
func windowIn(msg string) int {
	for _, re := range windowPatterns {
		if m := re.FindStringSubmatch(msg); m != nil {
			if n, err := strconv.Atoi(m[1]); err == nil {
				return n
			}
		}
	}
	return 0
}

// shrink makes later requests ask about at most n texts. The first time,
// it says so at warn level; later, as the size goes back and forth (see
// grow), at debug.
func (t *Tagger) shrink(n int, ae *attemptError) {
	was, lowered := lower(&t.batchSize, n)
	if !lowered {
		return
	}
	t.answeredSince.Store(0)
	t.showLimits()
	t.warnFirst(&t.shrinkWarned)("LLM answers about several texts at once did not fit the model; asking about fewer at a time (more again once they are answered; logged once)",
		zap.Int("was", was), zap.Int("now", n), zap.Error(ae),
		zap.String("check", "the server's context and output limits (Ollama num_ctx, vLLM max_model_len), or a smaller llm.batch_size"))
}

// growAfter is how many requests answered at a smaller batch size make
// the Tagger ask about twice as many texts a request again, up to
// Options.BatchSize: a batch that did not fit may have held a few long
// texts rather than met a small model. If the model is small, the next
// batch that does not fit shrinks the size again, at the cost of one
// request in growAfter.
const growAfter = 20

// grow counts an answered request, and doubles the batch size after
// growAfter of them at a size below Options.BatchSize.
func (t *Tagger) grow() {
	cur := t.batchSize.Load()
	if int(cur) >= t.opts.BatchSize || t.answeredSince.Add(1) < growAfter {
		return
	}
	next := min(2*cur, int32(t.opts.BatchSize))
	if t.batchSize.CompareAndSwap(cur, next) {
		t.showLimits()
		t.answeredSince.Store(0)
		t.log.Debug("LLM batch size grows back", zap.Int("was", int(cur)), zap.Int("now", int(next)))
	}
}

// failLogEvery is how often requests that keep failing are logged.
const failLogEvery = time.Minute

// warnFailing logs a request that failed after its retries: the first at
// once, then at most one line a minute with how many failed since the
// last, so that an LLM that is down or misconfigured shows in the log and
// not only in the metrics. A refusal is logged where it pauses the API.
func (t *Tagger) warnFailing(err error) {
	var ae *attemptError
	if errors.As(err, &ae) && ae.refused() {
		return
	}
	t.failed.Add(1)
	now, last := time.Now().UnixNano(), t.failLogged.Load()
	if last != 0 && now-last < int64(failLogEvery) || !t.failLogged.CompareAndSwap(last, now) {
		return
	}
	t.log.Warn("LLM requests are failing after their retries; their items keep their offline themes (logged at most once a minute)",
		zap.Int64("failed_requests", t.failed.Swap(0)), zap.String("base_url", config.RedactURL(t.opts.BaseURL)), zap.Error(err))
}

// failingInRow is how many requests in a row a patient command (one with
// EveryRound) lets fail after their retries before it stops asking.
const failingInRow = 5

// giveUpOnFailing pauses, for a patient command, an LLM whose last
// failingInRow requests all failed after their retries: the rest of its
// texts keep their offline themes at once, rather than each costing a
// request and its retries (QA: 320 failing requests over 85 s). A worker,
// which must keep flowing anyway, asks each round again.
func (t *Tagger) giveUpOnFailing() {
	if !t.opts.EveryRound || t.failedInRow.Add(1) < failingInRow {
		return
	}
	if t.pause(permanentCooldown) {
		t.log.Warn("the LLM failed requests in a row after their retries; asking it nothing for a minute, the rest keep their offline themes",
			zap.Int("failed_in_a_row", failingInRow))
	}
}

// Why metered did not ask the model.
var (
	errBudget    = errors.New("the daily token budget is spent")
	errRateLimit = errors.New("the tokens-per-minute limit would wait too long")
	errNotSent   = errors.New("the call's time ran out while the budget was asked")
)

// metered runs ask, one request estimated to cost estimate tokens, under
// the daily budget and the tokens-per-minute limit. When either refuses it
// returns errBudget or errRateLimit without running ask (or errNotSent,
// when ctx ended while the budget was asked); otherwise it
// settles the budget with the tokens ask spent, counts them, charges the
// limiter what the estimate missed, and returns what ask returned. A
// retry within ask after an attempt that may have been billed reserves
// the estimate again (see meter).
func (t *Tagger) metered(ctx context.Context, estimate int, ask func(*meter) (openai.Usage, error)) (openai.Usage, error) {
	m := &meter{ctx: ctx, budget: t.budget, estimate: estimate}
	if err := m.reserve(); err != nil {
		if !errors.Is(err, errBudget) {
			err = fmt.Errorf("%w: %w", errNotSent, err)
		}
		return openai.Usage{}, err
	}
	if !t.waitRate(ctx, estimate) {
		m.settle(0)
		return openai.Usage{}, errRateLimit
	}
	usage, err := ask(m)
	spent := usage.PromptTokens + usage.CompletionTokens
	m.settle(spent)
	t.metrics.budget(t.budget.remaining())
	t.metrics.tokens(usage.PromptTokens, usage.CompletionTokens)
	if spent > estimate {
		// Charge the limiter what the estimate missed; the next request
		// waits for it.
		t.limiter.charge(time.Now(), spent-estimate)
	}
	return usage, err
}

// addUsage returns the tokens of a and b together.
func addUsage(a, b openai.Usage) openai.Usage {
	return openai.Usage{PromptTokens: a.PromptTokens + b.PromptTokens, CompletionTokens: a.CompletionTokens + b.CompletionTokens}
}

// partOf is the part of u that items [from, to) of n bear, by share.
func partOf(u openai.Usage, from, to, n int) openai.Usage {
	var p openai.Usage
	for i := from; i < to; i++ {
		p.PromptTokens += share(u.PromptTokens, i, n)
		p.CompletionTokens += share(u.CompletionTokens, i, n)
	}
	return p
}

// share is item i's part of total tokens split over n items; the parts
// add up to total.
func share(total, i, n int) int {
	s := total / n
	if i < total%n {
		s++
	}
	return s
}

// waitRate waits for the tokens-per-minute limiter to allow n tokens, and
// reports false, without taking them, when that would outlast ctx.
func (t *Tagger) waitRate(ctx context.Context, n int) bool {
	now := time.Now()
	at, ok := t.limiter.reserve(now, n)
	if !ok {
		return false
	}
	d := at.Sub(now)
	if d <= 0 {
		return true
	}
	// The request itself must fit in what is left after the wait: sent
	// with less, it would be billed and then given up.
	if deadline, ok := ctx.Deadline(); ok && now.Add(d+t.expectedLatency()).After(deadline) {
		t.limiter.cancel(at, n)
		return false
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		t.limiter.cancel(at, n)
		return false
	}
}

// expectedLatency is how long a request may be expected to take: half as
// long again as the moving average of those answered (0 before any was).
func (t *Tagger) expectedLatency() time.Duration {
	return time.Duration(t.latency.Load()) * 3 / 2
}

// answeredIn adds an answered request's duration to the moving average.
func (t *Tagger) answeredIn(d time.Duration) {
	for {
		old := t.latency.Load()
		avg := int64(d)
		if old > 0 {
			avg = old - old/4 + int64(d)/4
		}
		if t.latency.CompareAndSwap(old, avg) {
			return
		}
	}
}

// attemptError is a failed attempt, with the outcome it is counted under
// and the wait the server asked for.
type attemptError struct {
	outcome    string
	status     int // HTTP status, 0 when there was no answer
	err        error
	retryAfter time.Duration
	content    string // what an answer stopped before its end holds
	cut        bool   // too long: the server cut the prompt without a word (promptCut)
}

func (e *attemptError) Error() string { return e.outcome + ": " + e.err.Error() }

// Unwrap lets backoff.Retry see the server's wait as a RetryAfterError.
func (e *attemptError) Unwrap() []error {
	if e.retryAfter > 0 {
		return []error{e.err, &backoff.RetryAfterError{Duration: e.retryAfter}}
	}
	return []error{e.err}
}

// call sends one request, retrying what a retry may fix, and returns the
// themes per text index and the tokens spent over every attempt.
func (t *Tagger) call(ctx context.Context, m *meter, texts []string) (map[int]tagging, openai.Usage, error) {
	user, err := userMessage(texts)
	if err != nil {
		return nil, openai.Usage{}, err
	}
	var answers map[int]tagging
	usage, err := t.ask(ctx, m, t.prompt.system, user, "themes", t.prompt.schema, func(resp openai.ChatCompletionResponse) error {
		var err error
		answers, err = t.parse(resp, texts)
		return err
	})
	if ae := (*attemptError)(nil); errors.As(err, &ae) && ae.content != "" {
		answers = t.salvage(ae.content, texts) // cut off, or stopped by a filter
	}
	return answers, usage, err
}

// ask sends one chat request whose answer must follow schema, retrying
// what a retry may fix: 429 and 5xx (after their Retry-After), timeouts,
// and answers parse cannot read. It returns the tokens spent over every
// attempt.
func (t *Tagger) ask(ctx context.Context, m *meter, system, user, schemaName string, schema json.RawMessage, parse func(openai.ChatCompletionResponse) error) (openai.Usage, error) {
	req := openai.ChatCompletionRequest{
		Model: t.opts.Model,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: system},
			{Role: openai.ChatMessageRoleUser, Content: user},
		},
	}
	var usage openai.Usage
	tries := 0
	attempt := func() (struct{}, error) {
		if tries++; tries > 1 {
			if err := m.again(); err != nil {
				return struct{}{}, backoff.Permanent(err) // no budget for another try
			}
		}
		actx, cancel := context.WithTimeout(ctx, t.opts.RequestTimeout)
		defer cancel()
		// Whether the request left: one cut short before it did cannot
		// have been billed (a server that accepts no connection).
		var wrote atomic.Bool
		actx = httptrace.WithClientTrace(actx, &httptrace.ClientTrace{
			WroteRequest: func(w httptrace.WroteRequestInfo) { wrote.Store(w.Err == nil) },
		})
		format := t.format.Load()
		req.ResponseFormat = responseFormat(format, schemaName, schema)
		start := time.Now()
		resp, err := t.client.CreateChatCompletion(actx, req)
		took := time.Since(start).Seconds()
		if err == nil {
			t.answeredIn(time.Since(start))
		}
		if err != nil {
			if wrote.Load() && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)) {
				m.cutShort()
			}
			ae := t.classify(ctx, resp, err)
			t.metrics.request(ae.outcome, took)
			if t.fallBackFrom(format, ae) {
				return struct{}{}, ae // asked again at once the plainer way
			}
			return struct{}{}, t.retryable(ctx, ae)
		}
		// A count below zero is the server's mistake; counters only grow.
		usage.PromptTokens += max(resp.Usage.PromptTokens, 0)
		usage.CompletionTokens += max(resp.Usage.CompletionTokens, 0)
		m.answered()
		if ae := t.promptCut(resp.Usage.PromptTokens, len(system)+len(user)); ae != nil {
			t.metrics.request(ae.outcome, took)
			return struct{}{}, backoff.Permanent(ae) // its answers are guesses
		}
		if ae := unfinished(resp); ae != nil {
			t.metrics.request(ae.outcome, took)
			return struct{}{}, backoff.Permanent(ae)
		}
		if err := parse(resp); err != nil {
			t.metrics.request("malformed", took)
			return struct{}{}, &attemptError{outcome: "malformed", err: err}
		}
		t.metrics.request("ok", took)
		return struct{}{}, nil
	}
	bo := backoff.NewExponentialBackOff()
	bo.InitialInterval = t.opts.RetryInitial
	bo.MaxInterval = t.opts.MaxWait
	maxElapsed := t.opts.MaxWait
	if deadline, ok := ctx.Deadline(); ok {
		maxElapsed = time.Until(deadline)
	}
	_, err := backoff.Retry(ctx, attempt,
		backoff.WithBackOff(bo),
		backoff.WithMaxTries(uint(t.opts.MaxRetries)+1),
		backoff.WithMaxElapsedTime(maxElapsed),
		backoff.WithNotify(func(err error, next time.Duration) { t.metrics.retry() }))
	return usage, err
}

// The ways of asking for JSON, best first. Servers that call themselves
// OpenAI-compatible differ here: older Ollama, vLLM and Azure API versions
// and some models refuse a strict json_schema, a few refuse json_object
// too. Both prompts show the answer's shape in words, and every answer is
// checked on return, so each way gets the same answers from a capable
// model; only the guarantee weakens.
const (
	formatSchema int32 = iota // response_format json_schema, strict
	formatObject              // response_format json_object
	formatPrompt              // no response_format: the prompt alone
)

var formatNames = [...]string{"a strict json_schema", "json_object", "no response_format"}

func responseFormat(format int32, name string, schema json.RawMessage) *openai.ChatCompletionResponseFormat {
	switch format {
	case formatSchema:
		return &openai.ChatCompletionResponseFormat{
			Type:       openai.ChatCompletionResponseFormatTypeJSONSchema,
			JSONSchema: &openai.ChatCompletionResponseFormatJSONSchema{Name: name, Schema: schema, Strict: true},
		}
	case formatObject:
		return &openai.ChatCompletionResponseFormat{Type: openai.ChatCompletionResponseFormatTypeJSONObject}
	}
	return nil
}

// fallBackFrom moves every later request to the next plainer way of
// asking for JSON when the server refused format itself: a 400 whose
// message names response_format or the format's type. It reports whether
// the request should simply be sent again.
func (t *Tagger) fallBackFrom(format int32, ae *attemptError) bool {
	if ae.status != http.StatusBadRequest || format >= formatPrompt {
		return false
	}
	msg := strings.ToLower(ae.err.Error())
	if !strings.Contains(msg, "response_format") && !strings.Contains(msg, "json_schema") && !strings.Contains(msg, "json_object") {
		return false
	}
	if t.format.CompareAndSwap(format, format+1) {
		t.log.Warn("LLM API refused the response format; asking the plainer way from now on",
			zap.String("refused", formatNames[format]), zap.String("now", formatNames[format+1]), zap.Error(ae))
	}
	return true
}

// promptCut reads what the server counted of a prompt of promptBytes.
// Ollama cuts a prompt longer than its context window without an error,
// from the start: the system prompt, which holds the taxonomy, goes first,
// and the answers that come back are the model's guesses. Only its count
// of prompt tokens, far below what was sent, gives that away. A prompt is
// about four bytes a token, more tokens in other languages and in JSON,
// so three quarters of that is a safe floor; a server that counts no
// tokens says nothing.
//
// Some servers count only the part of a prompt they had not cached,
// though, which looks the same once. The first such count of at least
// minCutKept is taken for a cut (a smaller one is only warned about): the
// request fails as too long, to be asked again in requests packed to what
// the server kept, and later requests are packed to it too. A later count
// that looks cut and differs from it shows the counts are not a cut's
// (Ollama keeps the same number of tokens of every prompt it cuts): from
// then on they are only counted, and requests are packed as before.
func (t *Tagger) promptCut(counted, promptBytes int) *attemptError {
	expected := promptBytes / 4
	if counted <= 0 || counted*4 >= expected*3 {
		return nil
	}
	cut := func() *attemptError {
		return &attemptError{outcome: outcomeTooLong, cut: true,
			err: fmt.Errorf("the server counted %d of about %d prompt tokens sent: it cut the prompt", counted, expected)}
	}
	for {
		first := t.cut.Load()
		switch {
		case first < 0:
			return nil
		case first == 0 && counted < minCutKept:
			// No window that small holds a request: perhaps not a cut,
			// but worth a look.
			if !t.cutWarned.Swap(true) {
				t.log.Warn("LLM server counted far fewer prompt tokens than were sent: it may be cutting the prompt, taxonomy first, to fit its context window",
					zap.Int("prompt_tokens_counted", counted), zap.Int("prompt_tokens_sent_about", expected),
					zap.String("check", "Ollama: a context window (OLLAMA_CONTEXT_LENGTH, num_ctx) above the prompt and answer, or llm.context_tokens set to the window it has"))
			}
			return nil
		case first == 0:
			if !t.cut.CompareAndSwap(0, int32(min(counted, math.MaxInt32))) {
				continue // another answer decided first
			}
			t.showLimits()
			t.log.Warn("LLM server cut a prompt to fit its context window; asking again, and from now on, in requests that fit what it kept (logged once)",
				zap.Int("window_tokens", counted),
				zap.String("check", "a larger context window (Ollama: OLLAMA_CONTEXT_LENGTH, num_ctx), and llm.context_tokens set to it"))
			return cut()
		case abs(int(first)-counted)*50 <= int(first): // within 2%: the same window
			return cut()
		default:
			if t.cut.CompareAndSwap(first, -1) {
				t.showLimits()
				t.log.Warn("LLM server's prompt token counts vary where a cut's would not: it counts part of each prompt (a cache), and cuts none; requests are no longer packed to its counts",
					zap.Int("first_counted", int(first)), zap.Int("now_counted", counted))
			}
			return nil
		}
	}
}

// minCutKept is the least a cut prompt keeps: Ollama's smallest window is
// 2,048 tokens, of which it keeps at least half. Fewer counted tokens say
// nothing of a window; the instructions alone take more.
const minCutKept = 1000

func abs(n int) int { return max(n, -n) }

// unfinished returns why an answer stopped before its end, nil when it
// did not: cut off at the server's output limit, by a content filter, or
// by the model's refusal to answer (OpenAI's structured outputs give one
// in place of content).
func unfinished(resp openai.ChatCompletionResponse) *attemptError {
	if len(resp.Choices) == 0 {
		return nil
	}
	if msg := resp.Choices[0].Message; msg.Refusal != "" && strings.TrimSpace(msg.Content) == "" {
		return &attemptError{outcome: outcomeFiltered, err: fmt.Errorf("the model refused to answer: %q", cutAt(msg.Refusal, 200))}
	}
	switch fr := resp.Choices[0].FinishReason; fr {
	case openai.FinishReasonLength:
		return &attemptError{outcome: outcomeTruncated, content: resp.Choices[0].Message.Content,
			err: errors.New("the answer was cut off at the server's output limit (finish_reason length)")}
	case openai.FinishReasonContentFilter:
		return &attemptError{outcome: outcomeFiltered, content: resp.Choices[0].Message.Content,
			err: errors.New("a content filter withheld the answer (finish_reason content_filter)")}
	}
	return nil
}

// classify names a failed attempt's outcome and reads the server's
// Retry-After.
func (t *Tagger) classify(ctx context.Context, resp openai.ChatCompletionResponse, err error) *attemptError {
	status := 0
	var apiErr *openai.APIError
	var reqErr *openai.RequestError
	switch {
	case errors.As(err, &apiErr):
		status = apiErr.HTTPStatusCode
	case errors.As(err, &reqErr):
		status = reqErr.HTTPStatusCode
	}
	ae := &attemptError{outcome: "error", status: status, err: err}
	// What the server said, whatever its shape: the error's text (a body
	// go-openai could not read is in it whole) and its code and type.
	msg := err.Error()
	if apiErr != nil {
		msg += fmt.Sprintf(" code=%v type=%s", apiErr.Code, apiErr.Type)
		if apiErr.InnerError != nil {
			msg += " inner=" + apiErr.InnerError.Code
		}
	}
	msg = strings.ToLower(msg)
	switch {
	case status == http.StatusBadRequest && (strings.Contains(msg, "content_filter") || strings.Contains(msg, "content management policy")):
		ae.outcome = outcomeFiltered // Azure OpenAI's filter refused the prompt
	case (status == http.StatusBadRequest || status == http.StatusRequestEntityTooLarge) && tooLong(msg):
		ae.outcome = outcomeTooLong
	case status == http.StatusTooManyRequests && strings.Contains(msg, "insufficient_quota"):
		ae.outcome = outcomeQuota // no wait mends an account without credit
	case status == http.StatusTooManyRequests:
		ae.outcome = "rate_limited"
	case status >= 500:
		ae.outcome = "server_error"
	case status == http.StatusRequestTimeout:
		ae.outcome = "timeout"
	case status == 0 && errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
		ae.outcome = "timeout" // this attempt's timeout, not the caller's
	}
	if status == http.StatusTooManyRequests || status >= 500 {
		if h := resp.Header(); h != nil {
			ae.retryAfter = retryAfter(h.Get("Retry-After"), time.Now())
		}
	}
	return ae
}

// tooLong reports whether a refusal's message says the prompt does not
// fit the model's context, as OpenAI, vLLM and llama.cpp word it, or as a
// server that speaks of its context length.
func tooLong(msg string) bool {
	for _, m := range []string{"context_length_exceeded", "context length", "context size", "context window"} {
		if strings.Contains(msg, m) {
			return true
		}
	}
	return false
}

// split reports whether the attempt failed because of what it asked
// together, so that asking about fewer texts at a time may succeed.
func (e *attemptError) split() bool {
	return e.outcome == outcomeFiltered || e.outcome == outcomeTooLong || e.outcome == outcomeTruncated
}

// refused reports whether the server refused the request itself (a bad
// key, an unknown model, a schema it does not take): asking again cannot
// help.
func (e *attemptError) refused() bool {
	return e.outcome == outcomeQuota ||
		e.status >= 400 && e.status < 500 && e.status != http.StatusTooManyRequests && e.status != http.StatusRequestTimeout
}

// retryable decides what backoff.Retry does with a failed attempt: the
// server's refusal of the request itself and a wait longer than the
// caller has are permanent, and both pause the API for everyone.
func (t *Tagger) retryable(ctx context.Context, ae *attemptError) error {
	if ae.split() {
		return backoff.Permanent(ae) // the caller asks about fewer texts
	}
	if ae.refused() {
		if t.pause(permanentCooldown) {
			t.log.Warn("LLM API refused a request; tagging offline for a minute",
				zap.Error(ae), zap.String("check", refusalHint(ae)))
		}
		return backoff.Permanent(ae)
	}
	if ae.retryAfter > 0 {
		if deadline, ok := ctx.Deadline(); ok && time.Now().Add(ae.retryAfter).After(deadline) {
			if t.pause(ae.retryAfter) {
				t.log.Warn("LLM API asked to wait longer than llm.max_wait; tagging offline until then",
					zap.Duration("retry_after", ae.retryAfter), zap.Int("status", ae.status))
			}
			return backoff.Permanent(ae)
		}
	}
	return ae
}

// refusalHint names the settings a refusal most often points at.
func refusalHint(ae *attemptError) string {
	if ae.outcome == outcomeQuota {
		return "the API account's plan and billing (insufficient_quota)"
	}
	switch ae.status {
	case http.StatusUnauthorized, http.StatusForbidden:
		return "llm.api_key"
	case http.StatusNotFound:
		// A wrong path (Ollama's and vLLM's API is under /v1) or a model
		// the server does not have.
		return "llm.base_url (the part before /chat/completions) and llm.model"
	default:
		return "llm.model and the server's message"
	}
}

// pause keeps the API from being asked for d. It reports whether this
// starts a pause, rather than lengthening one under way, so that requests
// refused together are logged once.
func (t *Tagger) pause(d time.Duration) (started bool) {
	now := time.Now()
	until := now.Add(d).UnixNano()
	for {
		cur := t.cooldown.Load()
		if cur >= until {
			return false
		}
		if t.cooldown.CompareAndSwap(cur, until) {
			return cur <= now.UnixNano()
		}
	}
}

// retryAfter reads a Retry-After header: seconds or an HTTP date. It
// returns 0 when the header is absent or unreadable.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s <= 0 || math.IsNaN(s) || s > 86400 {
			return 0
		}
		return time.Duration(s * float64(time.Second))
	}
	if at, err := http.ParseTime(v); err == nil && at.After(now) {
		return at.Sub(now)
	}
	return 0
}

// parse reads the model's answer: themes per text index, with names
// outside the taxonomy dropped (and counted), ancestors added (with their
// child's confidence, evidence and sentiment), confidence clamped to [0,
// 1], sentiment to [-1, 1], and evidence kept only if it is the text's own
// words. A text's answer carries its sentiment, in [-1, 1], when the
// model gave it one and one for each of its themes.
func (t *Tagger) parse(resp openai.ChatCompletionResponse, texts []string) (map[int]tagging, error) {
	if len(resp.Choices) == 0 {
		return nil, errors.New("answer has no choices")
	}
	var a answer
	content := answerJSON(resp.Choices[0].Message.Content)
	into := any(&a)
	if strings.HasPrefix(content, "[") {
		into = &a.Items // the items without the object around them
	}
	if err := json.Unmarshal([]byte(content), into); err != nil {
		return nil, fmt.Errorf("answer is not the JSON asked for: %w", err)
	}
	return t.taggings(a.Items, texts), nil
}

// salvage reads the items an answer stopped before its end (at the
// output limit, or by a content filter) finished before it stopped: each
// is whole, and as good as in a complete answer.
// It returns nil when there is none.
func (t *Tagger) salvage(content string, texts []string) map[int]tagging {
	s := stripThoughts(content)
	i := strings.IndexAny(s, "{[")
	if i < 0 {
		return nil
	}
	dec := json.NewDecoder(strings.NewReader(s[i:]))
	// To the items: an array at once, or the "items" key's.
	tok, err := dec.Token()
	if err != nil {
		return nil
	}
	if tok == json.Delim('{') {
		for {
			k, err := dec.Token()
			if err != nil {
				return nil
			}
			if k == "items" {
				break
			}
			var skip json.RawMessage
			if dec.Decode(&skip) != nil {
				return nil
			}
		}
		if tok, err = dec.Token(); err != nil {
			return nil
		}
	}
	if tok != json.Delim('[') {
		return nil
	}
	var items []answerItem
	for dec.More() {
		var it answerItem
		if dec.Decode(&it) != nil {
			break // the cut
		}
		items = append(items, it)
	}
	if len(items) == 0 {
		return nil
	}
	return t.taggings(items, texts)
}

// taggings turns the items of an answer into taggings by text index.
func (t *Tagger) taggings(items []answerItem, texts []string) map[int]tagging {
	out := make(map[int]tagging, len(texts))
	dropped := 0
	for _, item := range items {
		i, err := strconv.Atoi(string(item.ID))
		if err != nil || i < 0 || i >= len(texts) {
			continue // an id that was not asked about
		}
		var themes []enrich.Theme
		whole, felt := item.Sentiment.in(-1, 1)
		for _, th := range item.Themes {
			name, ok := t.allowed[strings.ToLower(strings.TrimSpace(th.Name))]
			if !ok {
				name, ok = t.allowed[enrich.NameKey(th.Name)]
			}
			if !ok {
				dropped++
				t.logUnknown(th.Name)
				continue
			}
			conf, _ := th.Confidence.in(0, 1)
			ev := evidenceIn(texts[i], th.Evidence)
			sent, ok := th.Sentiment.in(-1, 1)
			felt = felt && ok
			themes = addTheme(themes, enrich.Theme{Name: name, Confidence: conf, Evidence: ev, Sentiment: sent})
			for _, anc := range t.ancestors[name] {
				themes = addTheme(themes, enrich.Theme{Name: anc, Confidence: conf, Evidence: ev, Sentiment: sent})
			}
		}
		slices.SortStableFunc(themes, func(x, y enrich.Theme) int { return cmp.Compare(y.Confidence, x.Confidence) })
		a := tagging{Themes: themes}
		if felt {
			a.Sentiment = &whole
		}
		out[i] = a
	}
	t.metrics.dropped(dropped)
	return out
}

// maxUnknownLogged bounds the names outside the taxonomy that are logged.
const maxUnknownLogged = 20

// logUnknown warns, once per name and for the first maxUnknownLogged
// names, that the model answered a theme the taxonomy does not define: a
// model that keeps renaming a theme loses it silently otherwise.
func (t *Tagger) logUnknown(name string) {
	if t.unknownN.Load() >= maxUnknownLogged {
		return
	}
	if _, seen := t.unknown.LoadOrStore(name, true); seen {
		return
	}
	note := "logged once per name"
	if t.unknownN.Add(1) == maxUnknownLogged {
		note += ", no more names will be logged"
	}
	t.log.Warn("LLM returned a theme the taxonomy does not define; dropped ("+note+")",
		zap.String("theme", name), zap.String("model", t.opts.Model))
}

// addTheme adds th, or raises the confidence of the entry of the same name.
func addTheme(themes []enrich.Theme, th enrich.Theme) []enrich.Theme {
	for i := range themes {
		if themes[i].Name == th.Name {
			if th.Confidence > themes[i].Confidence {
				themes[i].Confidence = th.Confidence
				themes[i].Sentiment = th.Sentiment
				if th.Evidence != "" {
					themes[i].Evidence = th.Evidence
				}
			}
			return themes
		}
	}
	return append(themes, th)
}
