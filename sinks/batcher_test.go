package sinks_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/feedbackloop/feedbackloop/internal/testenv"
	"github.com/feedbackloop/feedbackloop/sinks"
)

// recorder writes through to ClickHouse and remembers batch sizes.
type recorder struct {
	sinks.Sink
	mu      sync.Mutex
	batches []int
	at      []time.Time
}

func (r *recorder) Write(ctx context.Context, rows []sinks.Row) error {
	err := r.Sink.Write(ctx, rows)
	r.mu.Lock()
	r.batches = append(r.batches, len(rows))
	r.at = append(r.at, time.Now())
	r.mu.Unlock()
	return err
}

func (r *recorder) sizes() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int(nil), r.batches...)
}

type results struct {
	mu   sync.Mutex
	errs map[string]error
	wg   sync.WaitGroup
}

func (res *results) entry(r sinks.Row) sinks.Entry {
	res.wg.Add(1)
	return sinks.Entry{Row: r, Done: func(err error) {
		res.mu.Lock()
		if _, twice := res.errs[r.ID]; twice {
			panic("Done called twice for " + r.ID)
		}
		res.errs[r.ID] = err
		res.mu.Unlock()
		res.wg.Done()
	}}
}

func TestBatchFlushesOnRows(t *testing.T) {
	ch, _ := openSink(t)
	rec := &recorder{Sink: ch}
	b := sinks.NewBatcher(rec, sinks.Policy{MaxRows: 100, MaxBytes: 1 << 30, MaxWait: time.Hour})
	res := &results{errs: map[string]error{}}
	for i := 0; i < 250; i++ {
		if err := b.Add(context.Background(), res.entry(row(fmt.Sprint("r", i), time.Now().UTC()))); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	res.wg.Wait()
	if got := fmt.Sprint(rec.sizes()); got != "[100 100 50]" {
		t.Fatalf("batches %s, want [100 100 50] (two full, the rest flushed by Close)", got)
	}
	for id, err := range res.errs {
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
	}
}

func TestBatchFlushesOnBytes(t *testing.T) {
	ch, _ := openSink(t)
	rec := &recorder{Sink: ch}
	big := row("x", time.Now().UTC())
	big.Body = strings.Repeat("slow dashboard ", 700) // ~10 KB
	b := sinks.NewBatcher(rec, sinks.Policy{MaxRows: 1000, MaxBytes: 3 * big.Size(), MaxWait: time.Hour})
	res := &results{errs: map[string]error{}}
	for i := 0; i < 7; i++ {
		r := big
		r.ID = fmt.Sprint("b", i)
		if err := b.Add(context.Background(), res.entry(r)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(rec.sizes()); got != "[3 3 1]" {
		t.Fatalf("batches %s, want [3 3 1]", got)
	}
}

func TestBatchFlushesOnMaxWaitWithoutMoreInput(t *testing.T) {
	ch, _ := openSink(t)
	rec := &recorder{Sink: ch}
	b := sinks.NewBatcher(rec, sinks.Policy{MaxRows: 1000, MaxBytes: 1 << 30, MaxWait: 50 * time.Millisecond})
	defer b.Close(context.Background())
	res := &results{errs: map[string]error{}}
	if err := b.Add(context.Background(), res.entry(row("w1", time.Now().UTC()))); err != nil {
		t.Fatal(err)
	}
	// Done is only called after a write; reaching it without Close or more
	// rows means the age trigger fired.
	res.wg.Wait()
	if got := fmt.Sprint(rec.sizes()); got != "[1]" {
		t.Fatalf("batches %s, want [1]", got)
	}
}

func TestFailedWritePassesTheErrorToEveryEntryOfTheBatch(t *testing.T) {
	ch, dsn := openSink(t)
	// A sink for a database that does not exist: the server refuses the insert.
	broken, err := sinks.Open(strings.Replace(dsn, ch.Database(), "no_such_database", 1), time.Second, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer broken.Close()
	b := sinks.NewBatcher(broken, sinks.Policy{MaxRows: 3, MaxWait: time.Hour})
	res := &results{errs: map[string]error{}}
	for i := 0; i < 3; i++ {
		if err := b.Add(context.Background(), res.entry(row(fmt.Sprint("f", i), time.Now().UTC()))); err != nil {
			t.Fatal(err)
		}
	}
	res.wg.Wait()
	b.Close(context.Background())
	for id, err := range res.errs {
		if err == nil {
			t.Fatalf("%s reported committed although the insert failed", id)
		}
	}
	if len(res.errs) != 3 {
		t.Fatalf("%d of 3 entries heard back", len(res.errs))
	}
	if err := b.Add(context.Background(), res.entry(row("late", time.Now().UTC()))); err != sinks.ErrClosed {
		t.Fatalf("Add after Close = %v, want ErrClosed", err)
	}
}

func TestOfTwoVersionsOfARecordInABatchOnlyTheNewerIsWritten(t *testing.T) {
	ch, dsn := openSink(t)
	rec := &recorder{Sink: ch}
	b := sinks.NewBatcher(rec, sinks.Policy{MaxRows: 100, MaxWait: time.Hour})
	var (
		mu   sync.Mutex
		done []string
		wg   sync.WaitGroup
	)
	entry := func(id, body string, version, seq uint64) sinks.Entry {
		r := row(id, time.Now().UTC())
		r.Body, r.Version = body, version
		wg.Add(1)
		return sinks.Entry{Row: r, Seq: seq, Done: func(err error) {
			mu.Lock()
			done = append(done, fmt.Sprintf("%s %v", body, err))
			mu.Unlock()
			wg.Done()
		}}
	}
	// The newer version first and a redelivered older one after it; two
	// of one version and unknown order, of which the later is kept; and
	// two whose stream sequences disagree with their versions, of which
	// the newer version is kept, as the table would keep it.
	err := b.Add(context.Background(),
		entry("v:1", "edited", 90, 9), entry("v:2", "other record", 80, 8), entry("v:1", "as first sent", 40, 4),
		entry("v:3", "unknown order, first", 50, 0), entry("v:3", "unknown order, later", 50, 0),
		entry("v:4", "newer version", 70, 2), entry("v:4", "older version", 60, 3))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if got := fmt.Sprint(rec.sizes()); got != "[4]" {
		t.Errorf("batches %s, want one of 4 rows", got)
	}
	conn := testenv.Conn(t, dsn)
	for id, want := range map[string]string{"v:1": "edited", "v:3": "unknown order, later", "v:4": "newer version"} {
		var bodies []string
		if err := conn.QueryRow(context.Background(), "SELECT groupArray(body) FROM "+ch.Database()+".feedback WHERE id = ?", id).Scan(&bodies); err != nil {
			t.Fatal(err)
		}
		if len(bodies) != 1 || bodies[0] != want {
			t.Errorf("%s stored as %q, want only %q", id, bodies, want)
		}
	}
	slices.Sort(done)
	if want := "[as first sent a newer version of the record was written instead edited <nil> newer version <nil> older version a newer version of the record was written instead other record <nil> unknown order, first a newer version of the record was written instead unknown order, later <nil>]"; fmt.Sprint(done) != want {
		t.Errorf("done %v, want every entry's Done called once: nil for the rows written, ErrSuperseded for the others", done)
	}
}

// A newer version that replaces a row counts towards the batch's bytes.
func TestVersionsReplacedInABatchCountTowardsItsSize(t *testing.T) {
	ch, _ := openSink(t)
	rec := &recorder{Sink: ch}
	small := row("s", time.Now().UTC())
	big := small
	big.Body = strings.Repeat("slow dashboard ", 700) // ~10 KB
	b := sinks.NewBatcher(rec, sinks.Policy{MaxRows: 1000, MaxBytes: 3 * big.Size(), MaxWait: time.Hour})
	res := &results{errs: map[string]error{}}
	for i := range 4 {
		s := small
		s.ID = fmt.Sprint("r", i)
		if err := b.Add(context.Background(), res.entry(s)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 4 { // each replaced by a big version of itself
		r := big
		r.ID = fmt.Sprint("r", i)
		if err := b.Add(context.Background(), sinks.Entry{Row: r, Seq: 1, Done: func(error) {}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The third replacement fills the batch, which still holds the fourth
	// row's small version; its big one starts the next.
	if got := fmt.Sprint(rec.sizes()); got != "[4 1]" {
		t.Fatalf("batches %s, want [4 1]", got)
	}
}

// gated holds each write until its gate opens, then writes through.
type gated struct {
	sinks.Sink
	gate chan struct{}
}

func (g *gated) Write(ctx context.Context, rows []sinks.Row) error {
	<-g.gate
	return g.Sink.Write(ctx, rows)
}

// While a write takes long, the batcher tells the entries of the batch
// being written, and of the one waiting behind it, that they are still
// being worked on (the worker extends their messages' ack wait), and stops
// once they are settled.
func TestEntriesOfABatchThatWaitsOrIsWrittenAreKeptAlive(t *testing.T) {
	ch, _ := openSink(t)
	g := &gated{Sink: ch, gate: make(chan struct{})}
	b := sinks.NewBatcher(g, sinks.Policy{MaxRows: 2, MaxBytes: 1 << 30, MaxWait: time.Hour, Heartbeat: 20 * time.Millisecond})
	res := &results{errs: map[string]error{}}
	var mu sync.Mutex
	beats := map[string]int{}
	for i := range 4 { // two batches: one written, one waiting behind it
		e := res.entry(row(fmt.Sprint("k", i), time.Now().UTC()))
		id := e.Row.ID
		e.Working = func() { mu.Lock(); beats[id]++; mu.Unlock() }
		if err := b.Add(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	// Both writes are held at the gate until every entry has had one.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		n := len(beats)
		mu.Unlock()
		if n == 4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("heartbeats for %d of 4 entries while their batches waited", n)
		}
	}
	close(g.gate)
	if err := b.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	res.wg.Wait()
	mu.Lock()
	after := fmt.Sprint(beats)
	mu.Unlock()
	time.Sleep(100 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	if fmt.Sprint(beats) != after {
		t.Errorf("heartbeats went on after the entries were settled: %v, then %v", after, beats)
	}
}
