package bench

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/feedbackloop/feedbackloop/config"
	"github.com/feedbackloop/feedbackloop/feedback"
	"github.com/feedbackloop/feedbackloop/ingest"
	"github.com/feedbackloop/feedbackloop/ingest/sample"
	"github.com/feedbackloop/feedbackloop/internal/testenv"
)

const (
	throughputRecords = 200_000
	bodyChars         = 300
	latencyRate       = 2000 // records per second
	latencyDuration   = 60 * time.Second
)

// records returns n sample records whose bodies are about bodyChars long:
// generated bodies are joined until they are long enough.
func records(n int, seed uint64) []*feedback.Record {
	g, err := sample.New(sample.Options{Count: n * 3, Days: 90, Seed: seed})
	if err != nil {
		panic(err)
	}
	out := make([]*feedback.Record, 0, n)
	for len(out) < n {
		r := g.Next()
		for len(r.Body) < bodyChars {
			r.Body += " " + g.Next().Body
		}
		if len(r.Body) > bodyChars+40 {
			cut := strings.LastIndexByte(r.Body[:bodyChars+40], ' ')
			r.Body = r.Body[:cut]
		}
		out = append(out, r)
	}
	return out
}

type stack struct {
	natsURL string
	chAddr  string
	nc      *nats.Conn
	js      jetstream.JetStream
	cfg     config.Config
}

func newStack(b *testing.B) *stack {
	b.Helper()
	srv := testenv.NATS(b)
	s := &stack{natsURL: srv.ClientURL(), chAddr: testenv.ClickHouseServer(b), cfg: config.Default()}
	s.cfg.NATS.URL = s.natsURL
	var err error
	if s.nc, err = nats.Connect(s.natsURL); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.nc.Close)
	if s.js, err = jetstream.New(s.nc); err != nil {
		b.Fatal(err)
	}
	if err := ingest.EnsureStreams(context.Background(), s.js, s.cfg.NATS); err != nil {
		b.Fatal(err)
	}
	return s
}

// env configures a process to consume with consumer into database db.
func (s *stack) env(consumer, db string) []string {
	return []string{
		"FEEDBACKLOOP_NATS_URL=" + s.natsURL,
		"FEEDBACKLOOP_NATS_CONSUMER=" + consumer,
		"FEEDBACKLOOP_CLICKHOUSE_DSN=clickhouse://" + s.chAddr + "/" + db,
	}
}

func (s *stack) publish(b *testing.B, recs []*feedback.Record) {
	b.Helper()
	pub := ingest.NewPublisher(s.js, 0)
	for start := 0; start < len(recs); start += 5000 {
		outs, err := pub.Publish(context.Background(), recs[start:min(start+5000, len(recs))])
		if err != nil {
			b.Fatal(err)
		}
		for _, o := range outs {
			if o.Err != nil {
				b.Fatal(o.Err)
			}
		}
	}
}

// run is what one consuming run measured.
type run struct {
	took time.Duration // first delivery to the last ack
	rss  uint64        // the process's peak resident memory
	// CPU time over the run of the measured process, of ClickHouse, and of
	// this process, which runs the embedded NATS server.
	cpuProc, cpuClickHouse, cpuNATS time.Duration
}

// consume runs mode as a process on a fresh consumer and database until it
// acked every record.
func (s *stack) consume(b *testing.B, mode string, round, n int) run {
	b.Helper()
	consumer := fmt.Sprintf("bench-%s-%d", mode, round+1)
	db := fmt.Sprintf("bench_%s_%d_%d", mode, round+1, os.Getpid())
	chPID := testenv.ClickHousePID(b)
	chBefore, _ := cpuTime(chPID)
	selfBefore, _ := cpuTime(os.Getpid())
	p := start(b, mode, s.env(consumer, db)...)
	var first, last time.Time
	deadline := time.Now().Add(10 * time.Minute)
	for time.Now().Before(deadline) {
		// Often enough for a run of several seconds, rarely enough that
		// the consumer info requests cost NATS little.
		time.Sleep(25 * time.Millisecond)
		p.failIfExited(b)
		c, err := s.js.Consumer(context.Background(), s.cfg.NATS.Stream, consumer)
		if err != nil {
			continue
		}
		info, err := c.Info(context.Background())
		if err != nil {
			continue
		}
		now := time.Now()
		if first.IsZero() && info.Delivered.Consumer > 0 {
			first = now
		}
		if info.AckFloor.Consumer >= uint64(n) && info.NumAckPending == 0 && info.NumPending == 0 {
			last = now
			break
		}
	}
	if last.IsZero() {
		b.Fatalf("%s did not ack %d records within 10 minutes:\n%s", mode, n, p.logs.String())
	}
	r := run{took: last.Sub(first)}
	var err error
	if r.rss, err = p.peakRSS(); err != nil {
		b.Fatal(err)
	}
	r.cpuProc, _ = cpuTime(p.cmd.Process.Pid)
	chAfter, _ := cpuTime(chPID)
	selfAfter, _ := cpuTime(os.Getpid())
	r.cpuClickHouse, r.cpuNATS = chAfter-chBefore, selfAfter-selfBefore
	p.stop(b)
	conn := conn(b, s.chAddr)
	if got := testenv.QueryUint64(b, conn, "SELECT count() FROM "+db+".feedback FINAL"); got != uint64(n) {
		b.Fatalf("%s stored %d records, want %d", mode, got, n)
	}
	_ = conn.Exec(context.Background(), "DROP DATABASE "+db)
	quiesce(b, conn)
	return r
}

// quiesce waits until ClickHouse has no merge running, so that one run's
// background work is not charged to the next.
func quiesce(b *testing.B, c clickhouse.Conn) {
	b.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) && testenv.QueryUint64(b, c, "SELECT count() FROM system.merges") > 0 {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(time.Second)
}

func conn(tb testing.TB, addr string) clickhouse.Conn {
	tb.Helper()
	c, err := clickhouse.Open(&clickhouse.Options{Addr: []string{addr}})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

// BenchmarkThroughput compares the worker with the bare loop on the same
// 200,000 records over several rounds. Each round runs both, in turns
// first, on a ClickHouse with no merge running; the figures are the
// medians over the rounds, and the ratio is the median of the rounds'
// ratios, each from two runs next to each other.
func BenchmarkThroughput(b *testing.B) {
	s := newStack(b)
	recs := records(throughputRecords, 11)
	s.publish(b, recs)
	quiesce(b, conn(b, s.chAddr))
	rounds := 4
	if v, err := strconv.Atoi(os.Getenv("FEEDBACKLOOP_BENCH_ROUNDS")); err == nil && v > 0 {
		rounds = v
	}
	var bare, work, ratios []float64
	var bareRuns, workRuns []run
	var peak uint64
	// A first run of each, not counted: the first consumer of a freshly
	// published stream and the first inserts into a fresh server ran
	// faster than any later run, whichever program made them.
	s.consume(b, "bare", -1, len(recs))
	s.consume(b, "worker", -1, len(recs))
	for round := 0; round < rounds; round++ {
		var bareRate, workRate float64
		runBare := func() {
			r := s.consume(b, "bare", round, len(recs))
			bareRate = float64(len(recs)) / r.took.Seconds()
			bareRuns = append(bareRuns, r)
		}
		runWorker := func() {
			r := s.consume(b, "worker", round, len(recs))
			workRate = float64(len(recs)) / r.took.Seconds()
			workRuns = append(workRuns, r)
			peak = max(peak, r.rss)
		}
		if round%2 == 0 {
			runBare()
			runWorker()
		} else {
			runWorker()
			runBare()
		}
		bare, work, ratios = append(bare, bareRate), append(work, workRate), append(ratios, workRate/bareRate)
		b.Logf("round %d: bare loop %.0f records/s, worker %.0f records/s (%.0f%%), worker peak RSS %.0f MB",
			round+1, bareRate, workRate, 100*workRate/bareRate, mb(peak))
	}
	medBare, medWorker, ratio := median(bare), median(work), median(ratios)
	// Where the machine's CPU went, per record: the measured process, the
	// ClickHouse server, and NATS (this process).
	perRecord := func(runs []run, part func(run) time.Duration) float64 {
		xs := make([]float64, len(runs))
		for i, r := range runs {
			xs[i] = float64(part(r).Microseconds()) / float64(len(recs))
		}
		return median(xs)
	}
	proc := func(r run) time.Duration { return r.cpuProc }
	ch := func(r run) time.Duration { return r.cpuClickHouse }
	nats := func(r run) time.Duration { return r.cpuNATS }
	cpu := fmt.Sprintf("| CPU per record, worker process / bare loop process | %.1f µs / %.1f µs | |\n"+
		"| CPU per record in ClickHouse during the worker's / the bare loop's runs | %.1f µs / %.1f µs | |\n"+
		"| CPU per record in NATS (and the benchmark's polling) during them | %.1f µs / %.1f µs | |\n",
		perRecord(workRuns, proc), perRecord(bareRuns, proc), perRecord(workRuns, ch), perRecord(bareRuns, ch),
		perRecord(workRuns, nats), perRecord(bareRuns, nats))
	b.Logf("CPU per record (µs), worker / bare: process %.1f / %.1f, ClickHouse %.1f / %.1f, NATS %.1f / %.1f",
		perRecord(workRuns, proc), perRecord(bareRuns, proc), perRecord(workRuns, ch), perRecord(bareRuns, ch),
		perRecord(workRuns, nats), perRecord(bareRuns, nats))
	b.ReportMetric(medWorker, "worker-records/s")
	b.ReportMetric(medBare, "bare-records/s")
	b.ReportMetric(100*ratio, "%-of-bare")
	b.ReportMetric(mb(peak), "worker-peak-MB")
	record(b, "throughput", fmt.Sprintf(
		"| Worker throughput, enrichment on (%d records, ~%d-character bodies), median of %d rounds | %.0f records/s (rounds: %s) | |\n"+
			"| Bare loop (fetch → JSON decode → batch insert → ack), same rounds | %.0f records/s (rounds: %s) | |\n"+
			"| Worker / bare loop, median of the rounds' ratios | %.0f%% (rounds: %s) | ≥ 70%% |\n"+
			"| Worker peak resident memory (VmHWM) during the throughput runs | %.0f MB | ≤ 300 MB |\n%s",
		len(recs), bodyChars, rounds, medWorker, list(work, 1, "%.0f"), medBare, list(bare, 1, "%.0f"),
		100*ratio, list(ratios, 100, "%.0f%%"), mb(peak), cpu))
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func list(xs []float64, scale float64, format string) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf(format, x*scale)
	}
	return strings.Join(parts, ", ")
}

// BenchmarkLatency publishes at a steady 2,000 records/s for 60 s to a
// running worker and times each record from the publish call until it can
// be queried.
func BenchmarkLatency(b *testing.B) {
	s := newStack(b)
	db := fmt.Sprintf("bench_latency_%d", os.Getpid())
	p := start(b, "worker", s.env("bench-latency", db)...)
	c := conn(b, s.chAddr)
	// Wait for the worker's schema before the clock starts.
	for {
		p.failIfExited(b)
		var n uint64
		if err := c.QueryRow(context.Background(), "SELECT count() FROM system.tables WHERE database = ? AND name = 'feedback'", db).Scan(&n); err == nil && n == 1 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	total := int(latencyDuration.Seconds()) * latencyRate
	recs := records(total, 12)
	for i, r := range recs {
		r.ID = "latency:" + strconv.Itoa(i)
		r.Source = "latency"
		r.CreatedAt = time.Now().UTC()
	}
	published := make([]time.Time, total)
	// seen is written by the watcher only; it is read after the watcher
	// stopped. seenCount lets the publisher side follow its progress.
	seen := make([]time.Time, total)
	var seenCount atomic.Int64

	ctx, stopWatch := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	var watchErr error
	go func() {
		defer wg.Done()
		watchErr = watch(ctx, c, db, seen, &seenCount)
	}()

	const tick = 10 * time.Millisecond
	perTick := latencyRate * int(tick) / int(time.Second)
	ticker := time.NewTicker(tick)
	var futures []jetstream.PubAckFuture
	for start := 0; start < total; start += perTick {
		<-ticker.C
		for i := start; i < min(start+perTick, total); i++ {
			msg, err := ingest.Message(recs[i])
			if err != nil {
				b.Fatal(err)
			}
			published[i] = time.Now()
			f, err := s.js.PublishMsgAsync(msg)
			if err != nil {
				b.Fatal(err)
			}
			futures = append(futures, f)
		}
	}
	ticker.Stop()
	for _, f := range futures {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			b.Fatal(err)
		}
	}
	// Let the last batch land, then stop watching.
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) && seenCount.Load() < int64(total) {
		time.Sleep(50 * time.Millisecond)
	}
	stopWatch()
	wg.Wait()
	if watchErr != nil && ctx.Err() == nil {
		b.Fatal(watchErr)
	}
	p.stop(b)

	var lat []time.Duration
	for i := range seen {
		if !seen[i].IsZero() {
			lat = append(lat, seen[i].Sub(published[i]))
		}
	}
	missed := total - len(lat)
	stored := testenv.QueryUint64(b, c, "SELECT count() FROM "+db+".feedback FINAL")
	if stored != uint64(total) {
		b.Fatalf("%d of %d records stored", stored, total)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	p50, p99, worst := lat[len(lat)/2], lat[len(lat)*99/100], lat[len(lat)-1]
	b.ReportMetric(p50.Seconds()*1000, "p50-ms")
	b.ReportMetric(p99.Seconds()*1000, "p99-ms")
	b.ReportMetric(worst.Seconds()*1000, "max-ms")
	b.Logf("%d records at %d/s: p50 %s, p99 %s, max %s; %d not caught by the watcher (stored, but their part was merged before it looked)",
		total, latencyRate, p50, p99, worst, missed)
	record(b, "latency", fmt.Sprintf(
		"| Publish-to-queryable latency at a steady %d records/s for %s, p50 | %d ms | |\n"+
			"| … p99 | %d ms | ≤ 2,000 ms |\n"+
			"| … max | %d ms | |\n",
		latencyRate, latencyDuration, p50.Milliseconds(), p99.Milliseconds(), worst.Milliseconds()))
}

// watch polls system.parts and records when each record's part first
// appears: a part is visible to queries once its insert committed. Parts
// made by merges (level > 0) hold records seen before and are skipped.
func watch(ctx context.Context, c clickhouse.Conn, db string, seen []time.Time, count *atomic.Int64) error {
	known := map[string]bool{}
	for ctx.Err() == nil {
		rows, err := c.Query(ctx, "SELECT name FROM system.parts WHERE database = ? AND table = 'feedback' AND level = 0", db)
		if err != nil {
			return err
		}
		var fresh []string
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				rows.Close()
				return err
			}
			if !known[name] {
				fresh = append(fresh, name)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		now := time.Now()
		for _, part := range fresh {
			known[part] = true
			ids, err := c.Query(ctx, "SELECT id FROM "+db+".feedback WHERE _part = ?", part)
			if err != nil {
				return err
			}
			for ids.Next() {
				var id string
				if err := ids.Scan(&id); err != nil {
					ids.Close()
					return err
				}
				if n, err := strconv.Atoi(strings.TrimPrefix(id, "latency:")); err == nil && n < len(seen) && seen[n].IsZero() {
					seen[n] = now
					count.Add(1)
				}
			}
			ids.Close()
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil
}

func mb(bytes uint64) float64 { return float64(bytes) / (1 << 20) }
