package llm_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/feedbackloop/feedbackloop/enrich/llm"
	"github.com/feedbackloop/feedbackloop/ingest"
	"github.com/feedbackloop/feedbackloop/internal/testenv"
)

// BenchmarkSharedBudget measures how well workers that share a daily
// token budget keep to it. Three Taggers, each with a NATS connection of
// its own as a worker has, at concurrency 8 and 20 texts of about 300
// characters a request, keep asking until the budget of 100,000 tokens
// refuses them. The provider answers in 0.3 to 0.8 s and bills about a
// token for four bytes of the request and 40 an item. It reports what the
// provider billed against the budget, and what the shared count holds
// against what was billed (100 when it is exact). Run it with
//
//	go test -run '^$' -bench SharedBudget -benchtime 5x ./enrich/llm/
func BenchmarkSharedBudget(b *testing.B) {
	const workers, concurrency, budget = 3, 8, 100_000
	var overPct, countPct, requests float64
	for i := range b.N {
		srv := testenv.NATS(b)
		var billed atomic.Int64
		f := newFakeAPI(b, taxonomy(b).Names(), func(_ int, req *chatRequest) reply {
			n := 0
			for _, m := range req.Messages {
				n += len(m.Content)
			}
			if rf := req.ResponseFormat; rf != nil && rf.JSONSchema != nil {
				n += len(rf.JSONSchema.Schema)
			}
			// The fake adds 7 completion tokens an item.
			prompt := n/4 + 33*req.units()
			billed.Add(int64(prompt + 7*req.units()))
			return reply{content: oracle(req), prompt: &prompt, delay: time.Duration(300+rand.IntN(500)) * time.Millisecond}
		})
		var wg sync.WaitGroup
		for w := range workers {
			_, js := testenv.JetStream(b, srv.ClientURL())
			spend, err := ingest.EnsureSpend(context.Background(), js, 1)
			if err != nil {
				b.Fatal(err)
			}
			tg, _ := newTagger(b, f, func(o *llm.Options) {
				o.DailyTokenBudget, o.Spend = budget, spend
				o.BatchSize, o.Concurrency, o.MaxWaiting = 20, concurrency, 1
			})
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer tg.FlushSpend(context.Background())
				for round := 0; ; round++ {
					items := make([]string, 20*concurrency)
					for k := range items {
						items[k] = longText(fmt.Sprintf("refund %d-%d-%d-%d", i, w, round, k))
					}
					batch := offlineItems(items...)
					if err := tg.Tag(context.Background(), batch); err != nil {
						b.Error(err)
						return
					}
					if answeredByLLM(batch) == 0 {
						return // the budget refuses it
					}
				}
			}()
		}
		wg.Wait()
		_, js := testenv.JetStream(b, srv.ClientURL())
		spend, err := ingest.EnsureSpend(context.Background(), js, 1)
		if err != nil {
			b.Fatal(err)
		}
		count, err := spend.Spent(context.Background(), today())
		if err != nil {
			b.Fatal(err)
		}
		overPct += 100 * float64(billed.Load()) / budget
		countPct += 100 * float64(count) / float64(billed.Load())
		requests += float64(len(f.requests()))
	}
	b.ReportMetric(overPct/float64(b.N), "billed-%-of-budget")
	b.ReportMetric(countPct/float64(b.N), "count-%-of-billed")
	b.ReportMetric(requests/float64(b.N), "requests")
}

// longText is s made about 300 characters long with a customer's words.
func longText(s string) string {
	const more = " The invoice shows the wrong amount again and support has not answered in a week, which is slowing our whole team down."
	var b strings.Builder
	b.WriteString(s)
	for b.Len() < 300 {
		b.WriteString(more)
	}
	return b.String()[:300]
}
