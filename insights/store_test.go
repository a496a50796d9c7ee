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
	if err == nil || ctx.Err() == nil {
		t.Fatalf("query error %v, context %v; want it stopped by the deadline", err, ctx.Err())
	}
	running := func() uint64 {
		return e.count(t, "SELECT count() FROM system.processes WHERE query LIKE ? AND query NOT LIKE '%system.processes%'", "%"+mark+"%")
	}
	// The kill is asynchronous; the query stops at its next block.
	for range 300 {
		if running() == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the query still runs 30 s after its caller gave up")
}
