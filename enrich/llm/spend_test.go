package llm_test

import (
	"context"
	"errors"
	"fmt"
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
	// A request is estimated at about 300 tokens and billed 117: one fits
	// a budget of 400, and a second only in a budget of its own.
	worker := func() *llm.Tagger {
		tg, _ := newTagger(t, f, func(o *llm.Options) { o.DailyTokenBudget = 400; o.Spend = spend })
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
	if total, err := spend.Add(context.Background(), today(), 0); err != nil || total != 117 {
		t.Errorf("spend count %d (%v), want the 117 tokens billed", total, err)
	}
}

// With the spend count out of reach, a worker keeps tagging within a
// budget of its own, and says so once.
func TestABudgetWhoseSpendCountFailsCountsAlone(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), nil)
	core, logs := observer.New(zap.WarnLevel)
	tg, _ := newTagger(t, f, func(o *llm.Options) {
		o.DailyTokenBudget = 400
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

func (failingLedger) Add(context.Context, string, int) (int, error) {
	return 0, errors.New("nats: no responders available for request")
}

func today() string { return time.Now().UTC().Format(time.DateOnly) }

// waitForCount waits until today's spend count is n.
func waitForCount(t *testing.T, spend *ingest.Spend, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := spend.Add(context.Background(), today(), 0)
		if err == nil && got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the spend count is %d (%v), want %d", got, err, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// The spend count is read beside each request, not waited for: one that
// never answers costs a request a tenth of a second, not its answer.
func TestASpendCountThatDoesNotAnswerDoesNotStopTheLLM(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), nil)
	tg, _ := newTagger(t, f, func(o *llm.Options) {
		o.DailyTokenBudget = 400
		o.Spend = stuckLedger{}
		o.MaxWait = 300 * time.Millisecond
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

type stuckLedger struct{}

func (stuckLedger) Add(ctx context.Context, _ string, _ int) (int, error) {
	<-ctx.Done()
	return 0, ctx.Err()
}

// switchedLedger is a spend count that can be cut off.
type switchedLedger struct {
	*ingest.Spend
	down    atomic.Bool
	refused atomic.Int32 // calls made while down
}

func (l *switchedLedger) Add(ctx context.Context, day string, tokens int) (int, error) {
	if l.down.Load() {
		l.refused.Add(1)
		return 0, errors.New("nats: timeout")
	}
	return l.Spend.Add(ctx, day, tokens)
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
	if got, want := int(ledger.total.Load()), items[0].PromptTokens+items[0].CompletionTokens; got != want || want == 0 {
		t.Errorf("after FlushSpend the count holds %d, want the %d tokens spent", got, want)
	}
}

// slowLedger takes its time over each add.
type slowLedger struct{ total atomic.Int64 }

func (l *slowLedger) Add(_ context.Context, _ string, tokens int) (int, error) {
	if tokens > 0 {
		time.Sleep(200 * time.Millisecond)
	}
	return int(l.total.Add(int64(tokens))), nil
}

// sharedSpend starts a NATS server and returns its spend count.
func sharedSpend(t *testing.T) *ingest.Spend {
	t.Helper()
	srv := testenv.NATS(t)
	_, js := testenv.JetStream(t, srv.ClientURL())
	spend, err := ingest.EnsureSpend(context.Background(), js, 1)
	if err != nil {
		t.Fatal(err)
	}
	return spend
}
