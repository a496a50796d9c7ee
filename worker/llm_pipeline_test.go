package worker_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/feedbackloop/feedbackloop/config"
	"github.com/feedbackloop/feedbackloop/feedback"
	"github.com/feedbackloop/feedbackloop/worker"
)

// With an LLM that answers slowly and fails one way or another on four
// requests in ten, every record is stored once, acked, and tagged by the
// LLM or, where it could not answer, offline; the LLM never sees an e-mail
// address or a phone number; and the tokens it billed are in the rows and
// the metrics.
func TestSlowFailingLLMLosesNothingAndSeesNoContactDetails(t *testing.T) {
	llm := newFlakyLLM(t, 150*time.Millisecond)
	p := newPipeline(t, func(c *config.Config) {
		c.Enrich.EmailHashKey = "k"
		llmConfig(c, llm)
	})
	_, reg := runWorker(t, p.cfg)

	const n = 600
	// Contact details as customers write them: international, with a
	// trunk code and a slash, a short local number after "call",
	// addresses spelled out to get past spam filters, one in a link, and a
	// bank account to refund to.
	contacts := []string{
		" Reach me at user%d@example.net or +44 20 7946 %04d.",
		" Mail user%d@example.net, Telefon: 030/7946%04d.",
		" user%d@example.net here, or call 794-%04d.",
		" Write to user%d [at] example [dot] net or +44 20 7946 %04d.",
		" I am user%d at example dot net, or text 07946 0%04d 5551234@sms.example.net.",
		" Mail j.doe%d at example.net or jane%d @ example.net.",
		" See https://app.example.com/u?email=jane%d%%40example.net, call 794-%04d.",
		" Refund user%d to DE89 3704 0044 0532 0130 00, ticket %d.",
	}
	recs := make([]*feedback.Record, n)
	for i := range recs {
		recs[i] = record(i)
		if i%5 == 0 { // German, as its words show: sentiment the lexicon cannot give
			recs[i].Body = "Die invoice ist falsch und der Export geht nicht."
		}
		// Distinct texts, or the cache would answer all but the first.
		recs[i].Body = fmt.Sprintf("Ticket %d: ", i) + recs[i].Body +
			fmt.Sprintf(contacts[i%len(contacts)], i, i)
	}
	p.publish(recs...)
	p.waitRows(n, 90*time.Second)
	p.waitSettled(30 * time.Second)

	if got := p.count("SELECT count() FROM {db}.feedback FINAL"); got != n {
		t.Errorf("%d rows, want %d", got, n)
	}
	if got := p.count("SELECT uniqExact(id) FROM {db}.feedback"); got != n {
		t.Errorf("%d distinct ids, want %d", got, n)
	}
	if dl := p.deadLetters(); len(dl) != 0 {
		t.Errorf("%d messages dead-lettered, want none", len(dl))
	}
	byLLM := p.count("SELECT count() FROM {db}.feedback FINAL WHERE tagger = 'llm' AND model = 'fake-model'")
	offline := p.count("SELECT count() FROM {db}.feedback FINAL WHERE tagger = 'keywords'")
	if byLLM == 0 || byLLM+offline != n {
		t.Errorf("tagged by the LLM %d, offline %d: want some by the LLM and the rest offline", byLLM, offline)
	}
	if bad := p.count("SELECT count() FROM {db}.feedback FINAL WHERE tagger = 'llm' AND (has(themes, 'astrology') OR NOT has(themes, 'billing'))"); bad != 0 {
		t.Errorf("%d LLM-tagged rows with a theme outside the taxonomy or without billing", bad)
	}
	if routed := p.count("SELECT count() FROM {db}.feedback FINAL WHERE routed = 1"); routed != n {
		t.Errorf("%d rows recorded as routed to the LLM, want all %d (threshold 1), answered or not", routed, n)
	}
	if tokens := p.count("SELECT sum(prompt_tokens) FROM {db}.feedback FINAL WHERE tagger = 'llm'"); tokens == 0 {
		t.Error("no prompt tokens stored on LLM-tagged rows")
	}
	t.Logf("%d of %d rows tagged by the LLM, %d offline, over %d requests", byLLM, n, offline, len(llm.requests()))

	// German records carry the sentiment the LLM judged, marked as its;
	// English ones the lexicon's whoever tagged them, and German ones the
	// LLM did not answer none.
	germanByLLM := p.count("SELECT count() FROM {db}.feedback FINAL WHERE language = 'de' AND tagger = 'llm'")
	if germanByLLM == 0 || p.count("SELECT count() FROM {db}.feedback FINAL WHERE language = 'de' AND tagger = 'llm' AND sentiment_by = 'llm' AND theme_sentiment[1] = toFloat32(-0.4)") != germanByLLM {
		t.Errorf("of %d German rows the LLM tagged, %d carry its sentiment", germanByLLM,
			p.count("SELECT count() FROM {db}.feedback FINAL WHERE language = 'de' AND sentiment_by = 'llm'"))
	}
	if bad := p.count("SELECT count() FROM {db}.feedback FINAL WHERE (language != 'de' OR tagger != 'llm') AND sentiment_by != ''"); bad != 0 {
		t.Errorf("%d rows not in German or not tagged by the LLM have sentiment_by set", bad)
	}
	if bad := p.count("SELECT count() FROM {db}.feedback FINAL WHERE language = 'de' AND tagger != 'llm' AND sentiment != 0"); bad != 0 {
		t.Errorf("%d German rows the LLM did not answer have a sentiment", bad)
	}

	leaks := []string{"@example", "[at] example", "at example dot", "at example.net", "@ example", "%40example", "@sms",
		"555 0134", "7946", "794-", "3704 0044"}
	for _, body := range llm.requests() {
		lower := strings.ToLower(body)
		for _, leak := range leaks {
			if i := strings.Index(lower, strings.ToLower(leak)); i >= 0 {
				t.Fatalf("a request body holds contact details (%q): …%s…", leak, body[max(i-60, 0):min(i+60, len(body))])
			}
		}
	}

	m := gatherLLM(t, reg)
	for _, key := range []string{
		"feedbackloop_llm_requests_total{outcome=ok}",
		"feedbackloop_llm_requests_total{outcome=server_error}",
		"feedbackloop_llm_requests_total{outcome=rate_limited}",
		"feedbackloop_llm_requests_total{outcome=malformed}",
		"feedbackloop_llm_dropped_labels_total",
		"feedbackloop_llm_tokens_total{kind=prompt}",
		"feedbackloop_tagging_routed_items_total{route=llm}",
	} {
		if m[key] == 0 {
			t.Errorf("metric %s is 0", key)
		}
	}
	_ = context.Background()
}

// A worker started after another (a restart, or a second replica) finds
// what the LLM already answered in the shared cache: the same texts under
// new ids never reach the LLM again, and those the worker would have sent
// it (not skipped as busy) are tagged by its earlier answers, free.
func TestARestartedWorkerDoesNotPayTheLLMAgain(t *testing.T) {
	llm := newFlakyLLM(t, 10*time.Millisecond)
	p := newPipeline(t, func(c *config.Config) { llmConfig(c, llm) })
	const n = 60
	first := make([]*feedback.Record, n)
	for i := range first {
		first[i] = record(i)
		first[i].Body = fmt.Sprintf("Ticket %d: ", i) + first[i].Body
	}
	stop, _ := runWorker(t, p.cfg)
	p.publish(first...)
	p.waitRows(n, 60*time.Second)
	p.waitSettled(30 * time.Second)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	asked := len(llm.requests())
	answered := map[string]bool{}
	rows, err := p.conn.Query(context.Background(), "SELECT title FROM "+p.db+".feedback FINAL WHERE tagger = 'llm'")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var title string
		if err := rows.Scan(&title); err != nil {
			t.Fatal(err)
		}
		answered[title] = true
	}
	rows.Close()
	if len(answered) == 0 {
		t.Fatal("the LLM answered nothing the first time")
	}

	_, reg := runWorker(t, p.cfg) // a new process: its own cache is empty
	// Only the texts the LLM answered, under new ids: the first call that
	// may ask the LLM (one always may) finds them all in the shared cache.
	var again []*feedback.Record
	for i, r := range first {
		if answered[r.Title] {
			c := *r
			c.ID = fmt.Sprintf("again:%d", i)
			again = append(again, &c)
		}
	}
	p.publish(again...)
	p.waitRows(uint64(n+len(again)), 60*time.Second)
	p.waitSettled(30 * time.Second)

	if after := llm.requests()[asked:]; len(after) != 0 {
		t.Errorf("after the restart the LLM was asked %d times about texts it had answered; the first: %.300s", len(after), after[0])
	}
	var titles []string
	for title := range answered {
		titles = append(titles, title)
	}
	inAnswered := " AND startsWith(id, 'again:') AND has(['" + strings.Join(titles, "','") + "'], title)"
	reused := p.count("SELECT count() FROM {db}.feedback FINAL WHERE tagger = 'llm' AND prompt_tokens = 0 AND has(themes, 'billing')" + inAnswered)
	if reused == 0 {
		t.Errorf("none of the %d texts the LLM answered was tagged from the shared cache after the restart", len(answered))
	}
	if paid := p.count("SELECT count() FROM {db}.feedback FINAL WHERE prompt_tokens > 0" + inAnswered); paid != 0 {
		t.Errorf("%d texts the LLM had answered cost tokens again", paid)
	}
	if shared := gatherLLM(t, reg)["feedbackloop_llm_items_total{result=shared}"]; shared != float64(reused) {
		t.Errorf("shared cache hits metric %v, want the %d rows tagged from it", shared, reused)
	}
	t.Logf("the LLM answered %d texts before the restart, %d of them tagged from the shared cache after it; %d requests before, %d after",
		len(answered), reused, asked, len(llm.requests())-asked)
}

// llm.daily_token_budget is the day's, not a process's: the workers count
// what they spend in NATS, and a worker started after the day's budget
// was spent asks the LLM nothing.
func TestAWorkerStartedAfterTheDaysBudgetWasSpentAsksNothing(t *testing.T) {
	llm := newFlakyLLM(t, time.Millisecond)
	p := newPipeline(t, func(c *config.Config) { llmConfig(c, llm) })
	recs := tickets(40)
	stop, _ := runWorker(t, p.cfg)
	p.publish(recs[:20]...)
	p.waitRows(20, 60*time.Second)
	p.waitSettled(30 * time.Second)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	// A worker adds its last tokens to the count before it stops.
	stored := p.count("SELECT sum(prompt_tokens + completion_tokens) FROM {db}.feedback FINAL")
	spent, err := p.spentToday()
	if err != nil || spent == 0 || uint64(spent) < stored {
		t.Fatalf("the day's spend count is %d (%v) once the worker stopped, want the %d tokens stored on the rows", spent, err, stored)
	}

	asked := len(llm.requests())
	cfg := p.cfg
	cfg.LLM.DailyTokenBudget = spent // what the first worker already spent
	runWorker(t, cfg)
	p.publish(recs[20:]...)
	p.waitRows(40, 60*time.Second)
	p.waitSettled(30 * time.Second)
	if n := len(llm.requests()) - asked; n != 0 {
		t.Errorf("the second worker asked the LLM %d times with the day's budget spent", n)
	}
}

// A stopping worker adds the tokens it has not yet added to the day's
// count before it closes NATS: each answer's tokens are added beside the
// pipeline, and the last add may still be on its way when the records
// are stored and the worker told to stop.
func TestAStoppingWorkerAddsItsLastTokensToTheDaysCount(t *testing.T) {
	slowAdds := worker.SlowSpendAdds(t)
	llm := newFlakyLLM(t, time.Millisecond)
	p := newPipeline(t, func(c *config.Config) { llmConfig(c, llm) })
	recs := tickets(25)
	stop, _ := runWorker(t, p.cfg)
	p.publish(recs[:20]...)
	p.waitRows(20, 60*time.Second)
	p.waitSettled(30 * time.Second)
	// The last answer's add waits longer than the rows take to be stored
	// and seen here, and less than a stopping worker waits for it.
	slowAdds(1500 * time.Millisecond)
	p.publish(recs[20:]...)
	p.waitRows(25, 60*time.Second)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	spent, err := p.spentToday()
	if err != nil || spent != int(llm.billed.Load()) {
		t.Fatalf("the day's count is %d (%v) once the worker stopped, want the %d tokens the LLM billed", spent, err, llm.billed.Load())
	}
}

// Records that arrive together reach the LLM together. Idle enrichment
// goroutines that each took a few records of a burst made as many calls;
// past llm.max_waiting of them the rest kept their offline themes as
// "busy", although one request could have carried them all.
func TestABurstReachesTheLLMTogether(t *testing.T) {
	llm := newFlakyLLM(t, 500*time.Millisecond)
	p := newPipeline(t, func(c *config.Config) {
		llmConfig(c, llm)
		c.LLM.BatchSize = 20
		c.LLM.MaxWaiting = 2
		// Long enough for a loaded machine's publish of 30; without chunks
		// formed one at a time, each idle goroutine would gather its own.
		c.LLM.Linger = 200 * time.Millisecond
		c.Worker.Concurrency = 4
	})
	stop, reg := runWorker(t, p.cfg)
	p.waitFor("the worker's consumer", 30*time.Second, p.hasConsumer)
	time.Sleep(time.Second) // idle: every goroutine waits for a message
	const n = 30
	recs := tickets(n)
	p.publish(recs...)
	p.waitRows(n, 60*time.Second)
	p.waitSettled(30 * time.Second)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	// Two requests at most: twenty texts and ten. The fake fails the
	// third of every ten requests.
	if answered := p.count("SELECT count() FROM {db}.feedback FINAL WHERE tagger = 'llm'"); answered != n {
		t.Errorf("%d of %d answered by the LLM after %d requests (fell back: %v), want all", answered, n,
			len(llm.requests()), gatherLLM(t, reg))
	}
}

// Records that trickle in are gathered for llm.linger into one call, so
// that a request carries several texts and pays for the instructions once,
// not once a record.
func TestRecordsThatTrickleInShareRequests(t *testing.T) {
	llm := newFlakyLLM(t, 50*time.Millisecond)
	p := newPipeline(t, func(c *config.Config) {
		llmConfig(c, llm)
		c.LLM.BatchSize = 20
		c.LLM.Linger = time.Second
	})
	stop, _ := runWorker(t, p.cfg)
	p.waitFor("the worker's consumer", 30*time.Second, p.hasConsumer)
	const n = 12
	for i := range n {
		r := record(i)
		r.Body = fmt.Sprintf("Ticket %d: ", i) + r.Body
		p.publish(r)
		time.Sleep(100 * time.Millisecond)
	}
	p.waitRows(n, 60*time.Second)
	p.waitSettled(30 * time.Second)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	// 1.2 s of records in calls of 1 s: two calls, a request each, and
	// the fake's failures retried; a loaded machine's slower publishes
	// make a few more. A request a record, and its retries, make 12 or
	// more.
	asked := len(llm.requests())
	answered := p.count("SELECT count() FROM {db}.feedback FINAL WHERE tagger = 'llm'")
	if asked >= n || answered != n {
		t.Errorf("%d requests for %d records, %d answered: want fewer requests than records, every record answered", asked, n, answered)
	}
}

// Workers running at once count each other, and each keeps to its share
// of llm.tokens_per_minute.
func TestWorkersRunningTogetherShareTheTokensPerMinuteLimit(t *testing.T) {
	llm := newFlakyLLM(t, time.Millisecond)
	p := newPipeline(t, func(c *config.Config) { llmConfig(c, llm) })
	_, first := runWorker(t, p.cfg)
	_, second := runWorker(t, p.cfg)
	deadline := time.Now().Add(30 * time.Second)
	for {
		a, b := gatherLLM(t, first)["feedbackloop_llm_peers"], gatherLLM(t, second)["feedbackloop_llm_peers"]
		if a == 2 && b == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the two workers count %v and %v processes sharing llm.tokens_per_minute after 30 s, want 2 each", a, b)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
