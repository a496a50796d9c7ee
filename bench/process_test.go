package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	fastjson "github.com/segmentio/encoding/json"
	"go.uber.org/zap"

	"github.com/feedbackloop/feedbackloop/config"
	"github.com/feedbackloop/feedbackloop/feedback"
	"github.com/feedbackloop/feedbackloop/ingest"
	"github.com/feedbackloop/feedbackloop/internal/testenv"
	"github.com/feedbackloop/feedbackloop/sinks"
	"github.com/feedbackloop/feedbackloop/worker"
)

// processVar makes the test binary run one of the measured programs
// instead of the benchmarks: "worker" or "bare".
const processVar = "FEEDBACKLOOP_BENCH_PROCESS"

func TestMain(m *testing.M) {
	switch os.Getenv(processVar) {
	case "worker":
		os.Exit(runProcess(runWorker))
	case "bare":
		os.Exit(runProcess(runBare))
	}
	testenv.Main(m)
}

func runProcess(run func(context.Context, config.Config) error) int {
	cfg, err := config.Load("", nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if path := os.Getenv(profileVar); path != "" {
		stop, err := profile(path + "." + os.Getenv(processVar))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		defer stop()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *cfg); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func runWorker(ctx context.Context, cfg config.Config) error {
	log, err := zap.NewProduction()
	if err != nil {
		return err
	}
	return worker.Main(ctx, cfg, log)
}

// profileVar names where the measured processes write their CPU profiles
// (PATH.worker, PATH.bare) and allocation profiles (with ".mem"): how the
// figures in BENCHMARKS.md were investigated.
const profileVar = "FEEDBACKLOOP_BENCH_PROFILE"

func profile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
		if mf, err := os.Create(path + ".mem"); err == nil {
			_ = pprof.Lookup("allocs").WriteTo(mf, 0)
			mf.Close()
		}
	}, nil
}

// runBare is the baseline: fetch, decode the JSON with the decoder the
// worker uses, insert in batches with the same ClickHouse writer, ack. No
// validation beyond decoding, no enrichment, no dead-lettering, one
// goroutine.
func runBare(ctx context.Context, cfg config.Config) error {
	nc, js, err := ingest.Connect(cfg.NATS, "feedbackloop-bench-bare", zap.NewNop())
	if err != nil {
		return err
	}
	defer nc.Close()
	cons, err := ingest.EnsureConsumer(ctx, js, cfg.NATS)
	if err != nil {
		return err
	}
	ch, err := sinks.OpenConfig(cfg.ClickHouse)
	if err != nil {
		return err
	}
	defer ch.Close()
	if _, err := ch.Migrate(ctx); err != nil {
		return err
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(cfg.NATS.FetchBatch))
	if err != nil {
		return err
	}
	context.AfterFunc(ctx, it.Stop)
	var (
		msgs     []jetstream.Msg
		rows     []sinks.Row
		deadline time.Time
	)
	flush := func() error {
		if len(rows) == 0 {
			return nil
		}
		if err := ch.Write(context.Background(), rows); err != nil {
			return err
		}
		for _, m := range msgs {
			if err := m.Ack(); err != nil {
				return err
			}
		}
		msgs, rows = msgs[:0], rows[:0]
		return nil
	}
	for {
		if len(rows) > 0 && time.Now().After(deadline) {
			if err := flush(); err != nil {
				return err
			}
		}
		m, err := it.Next()
		if err != nil {
			if errors.Is(err, jetstream.ErrMsgIteratorClosed) {
				return flush()
			}
			return err
		}
		var r feedback.Record
		if err := fastjson.Unmarshal(m.Data(), &r); err != nil {
			return fmt.Errorf("bare loop: %w", err)
		}
		if len(rows) == 0 {
			deadline = time.Now().Add(cfg.Batch.MaxWait)
		}
		msgs = append(msgs, m)
		rows = append(rows, bareRow(&r))
		if len(rows) >= cfg.Batch.MaxRows {
			if err := flush(); err != nil {
				return err
			}
		}
	}
}

func bareRow(r *feedback.Record) sinks.Row {
	stored := time.Now().UTC()
	row := sinks.Row{
		ID: r.ID, Source: r.Source, Kind: r.Kind, CreatedAt: r.CreatedAt.UTC(),
		IngestedAt: stored.Truncate(time.Second), Version: uint64(stored.UnixNano()),
		Title: r.Title, Body: r.Body, URL: r.URL, Language: r.Language, Tags: r.Tags, Rating: r.Rating,
	}
	if a := r.Account; a != nil {
		row.AccountID, row.AccountName, row.AccountPlan, row.AccountARR = a.ID, a.Name, a.Plan, a.ARR
	}
	return row
}

// proc is a measured program running in its own process.
type proc struct {
	cmd    *exec.Cmd
	logs   bytes.Buffer
	exited chan struct{}
	err    error
}

// start runs the test binary as the program named by mode, configured by
// FEEDBACKLOOP_ variables as an operator would configure it.
func start(tb testing.TB, mode string, env ...string) *proc {
	tb.Helper()
	p := &proc{exited: make(chan struct{})}
	p.cmd = exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	p.cmd.Env = append(append(os.Environ(), processVar+"="+mode, "FEEDBACKLOOP_METRICS_ADDR="), env...)
	p.cmd.Stdout, p.cmd.Stderr = &p.logs, &p.logs
	if err := p.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	tb.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.exited
	})
	return p
}

// stop asks the program to stop and waits for it.
func (p *proc) stop(tb testing.TB) {
	tb.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(60 * time.Second):
		tb.Fatalf("%s did not stop within 60s:\n%s", p.cmd.Env[len(p.cmd.Env)-1], p.logs.String())
	}
}

func (p *proc) failIfExited(tb testing.TB) {
	tb.Helper()
	select {
	case <-p.exited:
		tb.Fatalf("process exited (%v):\n%s", p.err, p.logs.String())
	default:
	}
}

// cpuTime is the user and system CPU time a process has used so far.
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	// The command name, in parentheses, may hold spaces: count fields
	// after it. utime and stime are fields 14 and 15, in clock ticks
	// (100 a second on Linux).
	fields := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(fields) < 13 {
		return 0, errors.New("short /proc stat")
	}
	utime, err1 := strconv.ParseUint(fields[11], 10, 64)
	stime, err2 := strconv.ParseUint(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errors.New("unreadable /proc stat")
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}

// peakRSS is the process's high-water mark of resident memory, in bytes.
func (p *proc) peakRSS() (uint64, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(p.cmd.Process.Pid) + "/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmHWM in /proc status")
}
