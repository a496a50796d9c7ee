package insights_test

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// A query its caller stops waiting for (the API's deadline) does not run
// on in ClickHouse: left alone, this one would take minutes.
func TestAQueryItsCallerGaveUpOnIsStoppedOnTheServer(t *testing.T) {
	e := newEnv(t)
	mark := fmt.Sprintf("given-up-%d", time.Now().UnixNano())
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	err := e.store.RunQuery(ctx, "SELECT '"+mark+"', count() FROM numbers(1000000000000) WHERE sipHash64(number) = 0")
	if err == nil { // ctx may not say so yet: the driver's read can time out first
		t.Fatal("the query finished; want it stopped by the deadline")
	}
	waitStopped(t, e, mark)
}

// waitStopped fails the test unless the query holding mark stops running
// within 30 s. The kill is asynchronous: the query stops at its next
// block; left alone, it would run for minutes.
func waitStopped(t *testing.T, e *env, mark string) {
	t.Helper()
	for range 300 {
		if e.count(t, "SELECT count() FROM system.processes WHERE query LIKE ? AND query NOT LIKE '%system.processes%'", "%"+mark+"%") == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the query %s still runs 30 s after its caller gave up", mark)
}

// expiredCtx is the moment after its deadline when a context has not yet
// said so: its Err is still nil. The driver sets the socket's deadline to
// the context's, so the read can time out ("i/o timeout") in that moment,
// and api/server.go already treats such an error as the deadline.
type expiredCtx struct {
	context.Context
	deadline time.Time
}

func (c expiredCtx) Deadline() (time.Time, bool) { return c.deadline, true }

// A query stopped by its deadline is killed even when the driver reports
// the deadline as a read that timed out before the context ran out: that
// race is the common case under load.
func TestAQueryStoppedByItsDeadlineBeforeTheContextSaysSoIsStoppedOnTheServer(t *testing.T) {
	e := newEnv(t)
	mark := fmt.Sprintf("read-timed-out-%d", time.Now().UnixNano())
	t.Cleanup(func() { // the query left running, when the test fails
		_ = e.conn.Exec(context.Background(), "KILL QUERY WHERE query LIKE '%"+mark+"%' AND query NOT LIKE '%KILL%' ASYNC")
	})
	ctx := expiredCtx{Context: context.Background(), deadline: time.Now().Add(300 * time.Millisecond)}
	if err := e.store.RunQuery(ctx, "SELECT '"+mark+"', count() FROM numbers(1000000000000) WHERE sipHash64(number) = 0"); err == nil {
		t.Fatal("the query finished; want it stopped by the deadline")
	}
	waitStopped(t, e, mark)
}
