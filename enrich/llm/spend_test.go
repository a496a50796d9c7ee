package llm_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/feedbackloop/feedbackloop/enrich"
	"github.com/feedbackloop/feedbackloop/enrich/llm"
	"github.com/feedbackloop/feedbackloop/ingest"
	"github.com/feedbackloop/feedbackloop/internal/testenv"
)

// llm.daily_token_budget bounds the day's tokens of every worker
// together, and a worker that restarts finds what it spent, through the
// spend count in NATS.
func TestTheDailyBudgetHoldsForAllWorkersAndAcrossARestart(t *testing.T) {
	spend := sharedSpend(t)
	f := newFakeAPI(t, taxonomy(t).Names(), nil)
	// A request is billed 117: one fits the budget, and a second only in a
	// budget of its own.
	budget := oneFits(t)
	worker := func() *llm.Tagger {
		tg, _ := newTagger(t, f, func(o *llm.Options) { o.DailyTokenBudget = budget; o.Spend = spend })
		return tg
	}
	first, second := worker(), worker()
	if err := first.Tag(context.Background(), offlineItems("refund one")); err != nil {
		t.Fatal(err)
	}
	waitForCount(t, spend, 117) // added beside the requests, within moments
	items := offlineItems("refund two")
	if err := second.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	if n := len(f.requests()); n != 1 || items[0].Tagger != "keywords" {
		t.Errorf("%d requests, the second worker's item tagged by %q: want the first worker's spend to stop it", n, items[0].Tagger)
	}
	restarted := worker()
	items = offlineItems("refund three")
	if err := restarted.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	if n := len(f.requests()); n != 1 || items[0].Tagger != "keywords" {
		t.Errorf("%d requests, a restarted worker's item tagged by %q: want the day's spend to stop it", n, items[0].Tagger)
	}
	if total, err := spend.Spent(context.Background(), today()); err != nil || total != 117 {
		t.Errorf("spend count %d (%v), want the 117 tokens billed", total, err)
	}
}

// Workers asking at once reserve in the spend count before they send:
// together they stay within the budget however many requests each has in
// flight, and what a request reserved beyond its cost is given back for
// the others to spend.
func TestWorkersAskingAtOnceStayWithinTheSharedBudget(t *testing.T) {
	spend := sharedSpend(t)
	// Each request holds one text and is billed about its estimate: the
	// budget pays for two and a half, and three workers with 4 requests in
	// flight each would send 12 at once.
	est := estimate(t, "refund 0-0-a")
	prompt := est - 50
	f := newFakeAPI(t, taxonomy(t).Names(), func(_ int, req *chatRequest) reply {
		return reply{content: oracle(req), prompt: &prompt, delay: 50 * time.Millisecond}
	})
	const workers, rounds = 3, 8
	budget := 2*est + est/2
	taggers := make([]*llm.Tagger, workers)
	for w := range taggers {
		taggers[w], _ = newTagger(t, f, func(o *llm.Options) {
			o.DailyTokenBudget, o.Spend = budget, spend
			o.BatchSize, o.Concurrency, o.MaxRetries = 1, 4, -1
		})
	}
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		billed int
	)
	for w, tg := range taggers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				items := offlineItems(fmt.Sprintf("refund %d-%d-a", w, r), fmt.Sprintf("refund %d-%d-b", w, r),
					fmt.Sprintf("refund %d-%d-c", w, r), fmt.Sprintf("refund %d-%d-d", w, r))
				if err := tg.Tag(context.Background(), items); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				for _, it := range items {
					billed += it.PromptTokens + it.CompletionTokens
				}
				mu.Unlock()
				time.Sleep(100 * time.Millisecond) // a worker's next batch
			}
		}()
	}
	wg.Wait()
	for _, tg := range taggers {
		tg.FlushSpend(context.Background())
	}
	if billed > budget {
		t.Errorf("the workers were billed %d tokens in %d requests, over the budget of %d", billed, len(f.requests()), budget)
	}
	if billed <= budget-est {
		t.Errorf("the workers were billed %d tokens of a budget of %d: want it spent to within one request's estimate, %d", billed, budget, est)
	}
	waitForCount(t, spend, billed)
}

// A worker that found the budget taken by another's requests in flight
// asks again once they have given back what they did not spend: it does
// not stay offline until midnight.
func TestAWorkerAsksAgainWhenAnotherGivesBackItsReservation(t *testing.T) {
	spend := sharedSpend(t)
	prompt := 50
	f := newFakeAPI(t, taxonomy(t).Names(), func(_ int, req *chatRequest) reply {
		return reply{content: oracle(req), prompt: &prompt, delay: 300 * time.Millisecond}
	})
	// A request of one text is billed under 60: two reserve most of the
	// budget while in flight.
	budget := 2*estimate(t, "refund a") + 50
	tagger := func() *llm.Tagger {
		tg, _ := newTagger(t, f, func(o *llm.Options) {
			o.DailyTokenBudget, o.Spend = budget, spend
			o.BatchSize, o.Concurrency = 1, 2
		})
		return tg
	}
	first, second := tagger(), tagger()
	done, asked := make(chan error), offlineItems("refund a", "refund b")
	go func() { done <- first.Tag(context.Background(), asked) }()
	time.Sleep(100 * time.Millisecond) // the first worker's requests are in flight
	early := offlineItems("refund c")
	if err := second.Tag(context.Background(), early); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if early[0].Tagger == "llm" {
		t.Fatal("the second worker was answered while the first one's reservations filled the budget: the test does not test what it says")
	}
	billed := 0
	for _, it := range asked {
		billed += it.PromptTokens + it.CompletionTokens
	}
	waitForCount(t, spend, billed)
	time.Sleep(llm.LedgerRefreshEvery) // it reads the count again no more often
	late := offlineItems("refund d")
	if err := second.Tag(context.Background(), late); err != nil {
		t.Fatal(err)
	}
	if late[0].Tagger != "llm" {
		t.Errorf("tagged by %q with %d of %d tokens spent: want the LLM", late[0].Tagger, billed, budget)
	}
}

// Deleting the day's key starts the count afresh: a worker that found the
// budget spent asks again.
func TestDeletingTheDaysCountStartsItAfresh(t *testing.T) {
	srv := testenv.NATS(t)
	_, js := testenv.JetStream(t, srv.ClientURL())
	spend, err := ingest.EnsureSpend(context.Background(), js, 1)
	if err != nil {
		t.Fatal(err)
	}
	f := newFakeAPI(t, taxonomy(t).Names(), nil)
	// One request fits the budget, and a second does not.
	tg, _ := newTagger(t, f, func(o *llm.Options) { o.DailyTokenBudget = oneFits(t); o.Spend = spend })
	for i, want := range []string{"llm", "keywords"} {
		items := offlineItems(fmt.Sprint("refund ", i))
		if err := tg.Tag(context.Background(), items); err != nil {
			t.Fatal(err)
		}
		if items[0].Tagger != want {
			t.Fatalf("item %d tagged by %q, want %q", i, items[0].Tagger, want)
		}
	}
	kv, err := js.KeyValue(context.Background(), ingest.SpendBucket)
	if err != nil {
		t.Fatal(err)
	}
	if err := kv.Delete(context.Background(), today()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(llm.LedgerRefreshEvery) // it reads the count again no more often
	items := offlineItems("refund again")
	if err := tg.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	if items[0].Tagger != "llm" {
		t.Errorf("tagged by %q once the day's count was deleted: want the LLM", items[0].Tagger)
	}
}

// Each attempt reserves its estimate: answers that are billed and cannot
// be read are not retried past the budget.
func TestARetryReservesItsOwnEstimate(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), func(int, *chatRequest) reply { return reply{content: "Sure! The themes: billing"} })
	tg, m := newTagger(t, f, func(o *llm.Options) { o.DailyTokenBudget = oneFits(t); o.MaxRetries = 3 })
	items := offlineItems("refund one")
	if err := tg.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("%d attempts with a budget that pays for one: want the retries refused", n)
	}
	if got := count(m.Fallbacks.WithLabelValues("budget")); got != 1 {
		t.Errorf("budget fallbacks %v, want 1", got)
	}
}

// An attempt cut short before its answer counts its estimate: the
// provider may have done the work, and billed it.
func TestAnAttemptCutShortCountsItsEstimate(t *testing.T) {
	spend := sharedSpend(t)
	f := newFakeAPI(t, taxonomy(t).Names(), func(int, *chatRequest) reply { return reply{delay: 10 * time.Second} })
	tg, _ := newTagger(t, f, func(o *llm.Options) {
		o.DailyTokenBudget, o.Spend = 100_000, spend
		o.RequestTimeout, o.MaxRetries, o.MaxWait = 200*time.Millisecond, 1, 2*time.Second
	})
	items := offlineItems("refund one")
	if err := tg.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	tg.FlushSpend(context.Background())
	attempts := len(f.requests())
	if got, want := mustSpent(t, spend), attempts*tg.EstimateTokens("refund one"); attempts == 0 || got != want {
		t.Errorf("the day's count is %d after %d attempts cut short, want %d, their estimates", got, attempts, want)
	}
}

// An attempt cut short before its request left (a server that accepts no
// connection) cannot have been billed, and counts nothing.
func TestAnAttemptThatNeverLeftCountsNothing(t *testing.T) {
	spend := sharedSpend(t)
	f := newFakeAPI(t, taxonomy(t).Names(), nil)
	dials := atomic.Int32{}
	hanging := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		dials.Add(1)
		<-ctx.Done() // no answer to the connection's first packet
		return nil, ctx.Err()
	}}}
	tg, _ := newTagger(t, f, func(o *llm.Options) {
		o.DailyTokenBudget, o.Spend, o.HTTPClient = 100_000, spend, hanging
		o.RequestTimeout, o.MaxRetries, o.MaxWait = 200*time.Millisecond, 1, 2*time.Second
	})
	if err := tg.Tag(context.Background(), offlineItems("refund one")); err != nil {
		t.Fatal(err)
	}
	tg.FlushSpend(context.Background())
	if got := mustSpent(t, spend); dials.Load() == 0 || got != 0 {
		t.Errorf("the day's count is %d after %d attempts that never connected, want 0", got, dials.Load())
	}
}

// A retry after an attempt that cost nothing (a 500, a refused
// connection) holds no more of the budget than the first: a budget that
// pays for one request lets all its retries go.
func TestARetryAfterAnUnbilledFailureReservesNothingMore(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), func(int, *chatRequest) reply { return reply{status: 500, body: `{"error":{"message":"overloaded"}}`} })
	tg, _ := newTagger(t, f, func(o *llm.Options) { o.DailyTokenBudget = oneFits(t); o.MaxRetries = 3 })
	if err := tg.Tag(context.Background(), offlineItems("refund one")); err != nil {
		t.Fatal(err)
	}
	if n := len(f.requests()); n != 4 {
		t.Errorf("%d attempts, want the first and its 3 retries", n)
	}
}

// A call whose max_wait runs out while the budget is asked sends nothing,
// and its items count as skipped, not as requests that failed.
func TestACallOutOfTimeBeforeItsRequestLeftIsNoFailure(t *testing.T) {
	defer llm.SetLedgerBackoff(0)() // the read at start failed: not a reason to skip the ledger
	f := newFakeAPI(t, taxonomy(t).Names(), nil)
	core, logs := observer.New(zap.WarnLevel)
	tg, m := newTagger(t, f, func(o *llm.Options) {
		o.DailyTokenBudget, o.Spend, o.MaxWait, o.Log = 100_000, stuckLedger{}, 300*time.Millisecond, zap.New(core)
	})
	if err := tg.Tag(context.Background(), offlineItems("refund one")); err != nil {
		t.Fatal(err)
	}
	if n, busy, failed := len(f.requests()), count(m.Fallbacks.WithLabelValues("busy")), count(m.Fallbacks.WithLabelValues("error")); n != 0 || busy != 1 || failed != 0 {
		t.Errorf("%d requests, %v busy and %v error fallbacks: want none sent, the item skipped as busy", n, busy, failed)
	}
	if n := logs.FilterMessageSnippet("failing").Len(); n != 0 {
		t.Errorf("%d warnings that requests are failing, with none sent", n)
	}
}

func mustSpent(t *testing.T, spend *ingest.Spend) int {
	t.Helper()
	n, err := spend.Spent(context.Background(), today())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// With the spend count out of reach, a worker keeps tagging within a
// budget of its own, and says so once.
func TestABudgetWhoseSpendCountFailsCountsAlone(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), nil)
	core, logs := observer.New(zap.WarnLevel)
	tg, _ := newTagger(t, f, func(o *llm.Options) {
		o.DailyTokenBudget = oneFits(t)
		o.Spend = failingLedger{}
		o.Log = zap.New(core)
	})
	one, two := offlineItems("refund one"), offlineItems("refund two")
	for _, items := range [][]*enrich.Item{one, two} {
		if err := tg.Tag(context.Background(), items); err != nil {
			t.Fatal(err)
		}
	}
	if one[0].Tagger != "llm" || two[0].Tagger != "keywords" {
		t.Errorf("tagged by %q then %q: want the model, then the budget this process counted to stop it", one[0].Tagger, two[0].Tagger)
	}
	if n := logs.FilterMessageSnippet("shared count of LLM tokens").Len(); n != 1 {
		t.Errorf("%d warnings that the spend count fails, want 1", n)
	}
}

type failingLedger struct{}

var errNoResponders = errors.New("nats: no responders available for request")

func (failingLedger) Add(context.Context, string, int) (int, uint64, error) {
	return 0, 0, errNoResponders
}

func (failingLedger) Reserve(context.Context, string, int, int) (int, uint64, bool, error) {
	return 0, 0, false, errNoResponders
}

func today() string { return time.Now().UTC().Format(time.DateOnly) }

// waitForCount waits until today's spend count is n.
func waitForCount(t *testing.T, spend *ingest.Spend, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := spend.Spent(context.Background(), today())
		if err == nil && got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the spend count is %d (%v), want %d", got, err, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A reservation in the spend count is waited for a second at most: one
// that never answers delays a request, and does not cost its answer.
func TestASpendCountThatDoesNotAnswerDoesNotStopTheLLM(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), nil)
	tg, _ := newTagger(t, f, func(o *llm.Options) {
		o.DailyTokenBudget = oneFits(t)
		o.Spend = stuckLedger{}
		o.MaxWait = 3 * time.Second
	})
	items := offlineItems("refund one")
	if err := tg.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	if items[0].Tagger != "llm" {
		t.Errorf("tagged by %q: want the LLM's answer within max_wait, the count left behind", items[0].Tagger)
	}
}

// Tokens spent while the count could not be reached are added to it once
// it can: the other workers see them then.
func TestTokensSpentWhileTheCountWasDownReachItLater(t *testing.T) {
	defer llm.SetLedgerBackoff(0)()
	spend := sharedSpend(t)
	ledger := &switchedLedger{Spend: spend}
	ledger.down.Store(true)
	f := newFakeAPI(t, taxonomy(t).Names(), nil)
	tg, _ := newTagger(t, f, func(o *llm.Options) { o.DailyTokenBudget = 100_000; o.Spend = ledger })
	for i, down := range []bool{true, false} {
		ledger.down.Store(down)
		if err := tg.Tag(context.Background(), offlineItems(fmt.Sprint("refund ", i))); err != nil {
			t.Fatal(err)
		}
	}
	waitForCount(t, spend, 2*117)
}

// Tokens kept while the count was down reach it once the count is back,
// although no request comes: a worker gone idle keeps nothing back from
// the others.
func TestTokensKeptWhileTheCountWasDownReachItWithoutAnotherRequest(t *testing.T) {
	defer llm.SetLedgerBackoff(200 * time.Millisecond)()
	spend := sharedSpend(t)
	ledger := &switchedLedger{Spend: spend}
	ledger.down.Store(true)
	f := newFakeAPI(t, taxonomy(t).Names(), nil)
	tg, _ := newTagger(t, f, func(o *llm.Options) { o.DailyTokenBudget = 100_000; o.Spend = ledger })
	items := offlineItems("refund one")
	if err := tg.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	ledger.down.Store(false)
	waitForCount(t, spend, items[0].PromptTokens+items[0].CompletionTokens)
}

type stuckLedger struct{}

func (stuckLedger) Add(ctx context.Context, _ string, _ int) (int, uint64, error) {
	<-ctx.Done()
	return 0, 0, ctx.Err()
}

func (stuckLedger) Reserve(ctx context.Context, _ string, _, _ int) (int, uint64, bool, error) {
	<-ctx.Done()
	return 0, 0, false, ctx.Err()
}

// switchedLedger is a spend count that can be cut off.
type switchedLedger struct {
	*ingest.Spend
	down    atomic.Bool
	refused atomic.Int32 // calls made while down
}

var errTimeout = errors.New("nats: timeout")

func (l *switchedLedger) Add(ctx context.Context, day string, tokens int) (int, uint64, error) {
	if l.down.Load() {
		l.refused.Add(1)
		return 0, 0, errTimeout
	}
	return l.Spend.Add(ctx, day, tokens)
}

func (l *switchedLedger) Reserve(ctx context.Context, day string, tokens, limit int) (int, uint64, bool, error) {
	if l.down.Load() {
		l.refused.Add(1)
		return 0, 0, false, errTimeout
	}
	return l.Spend.Reserve(ctx, day, tokens, limit)
}

// A worker whose own count says the budget is spent asks nothing more,
// and still adds what it kept while the shared count was down, once it is
// back: the other workers must see it.
func TestAWorkerOutOfBudgetStillAddsWhatItKeptWhileTheCountWasDown(t *testing.T) {
	defer llm.SetLedgerBackoff(0)()
	spend := sharedSpend(t)
	ledger := &switchedLedger{Spend: spend}
	ledger.down.Store(true)
	billed := 2000 // prompt tokens, well past the budget
	f := newFakeAPI(t, taxonomy(t).Names(), func(_ int, req *chatRequest) reply { return reply{content: oracle(req), prompt: &billed} })
	tg, _ := newTagger(t, f, func(o *llm.Options) { o.DailyTokenBudget = 1000; o.Spend = ledger })
	first := offlineItems("refund one")
	if err := tg.Tag(context.Background(), first); err != nil {
		t.Fatal(err)
	}
	// The read when the Tagger was made, the read before the request, and
	// the add after it.
	for deadline := time.Now().Add(10 * time.Second); ledger.refused.Load() < 3; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the add of the first request's tokens never came")
		}
	}
	ledger.down.Store(false)
	items := offlineItems("refund two")
	if err := tg.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	if n := len(f.requests()); n != 1 || items[0].Tagger == "llm" {
		t.Fatalf("%d requests, want the spent budget to stop the second", n)
	}
	waitForCount(t, spend, first[0].PromptTokens+first[0].CompletionTokens)
}

// FlushSpend waits for the add under way: a one-off command that then
// closes NATS loses none of what it spent.
func TestFlushSpendWaitsForTheAddUnderWay(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), nil)
	ledger := &slowLedger{}
	tg, _ := newTagger(t, f, func(o *llm.Options) { o.DailyTokenBudget = 100_000; o.Spend = ledger })
	items := offlineItems("refund one")
	if err := tg.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	tg.FlushSpend(context.Background())
	if got, want := ledger.total, items[0].PromptTokens+items[0].CompletionTokens; got != want || want == 0 {
		t.Errorf("after FlushSpend the count holds %d, want the %d tokens spent", got, want)
	}
}

// Requests queued behind their own process's reservations wait their
// turn: a queue longer than the wait for one reservation is no failure of
// the spend count, which would leave the process counting alone.
func TestAQueueOfReservationsIsNoFailureOfTheCount(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), nil)
	core, logs := observer.New(zap.WarnLevel)
	ledger := &slowLedger{} // 200 ms a reservation: 8 take longer than one may wait
	tg, _ := newTagger(t, f, func(o *llm.Options) {
		o.DailyTokenBudget, o.Spend, o.Log = 100_000, ledger, zap.New(core)
		o.BatchSize, o.Concurrency = 1, 8
	})
	items := offlineItems("refund 1", "refund 2", "refund 3", "refund 4", "refund 5", "refund 6", "refund 7", "refund 8")
	if err := tg.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	if n := answeredByLLM(items); n != len(items) {
		t.Errorf("%d of %d answered", n, len(items))
	}
	if n := logs.FilterMessageSnippet("shared count of LLM tokens").Len(); n != 0 {
		t.Errorf("%d warnings that the spend count fails, while it only took its time", n)
	}
}

// slowLedger takes its time over each change.
type slowLedger struct {
	mu         sync.Mutex
	total, rev int
}

func (l *slowLedger) Add(_ context.Context, _ string, tokens int) (int, uint64, error) {
	count, rev, _, err := l.Reserve(context.Background(), "", tokens, 0)
	return count, rev, err
}

func (l *slowLedger) Reserve(_ context.Context, _ string, tokens, limit int) (int, uint64, bool, error) {
	if tokens != 0 {
		time.Sleep(200 * time.Millisecond)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if limit > 0 && l.total+tokens > limit {
		return l.total, uint64(l.rev), false, nil
	}
	l.total += tokens
	l.rev++
	return l.total, uint64(l.rev), true, nil
}

// estimate is what a Tagger of the test taxonomy reserves for one request
// about texts.
func estimate(t *testing.T, texts ...string) int {
	t.Helper()
	tg, _ := newTagger(t, newFakeAPI(t, taxonomy(t).Names(), nil))
	return tg.EstimateTokens(texts...)
}

// oneFits is a budget that pays for one request about one short text,
// which the fake API bills 117 tokens, and not for a second.
func oneFits(t *testing.T) int { return estimate(t, "refund one") + 50 }

// sharedSpend starts a NATS server and returns its spend count.
func sharedSpend(t testing.TB) *ingest.Spend {
	t.Helper()
	srv := testenv.NATS(t)
	_, js := testenv.JetStream(t, srv.ClientURL())
	spend, err := ingest.EnsureSpend(context.Background(), js, 1)
	if err != nil {
		t.Fatal(err)
	}
	return spend
}
