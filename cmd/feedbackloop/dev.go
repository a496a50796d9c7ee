package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/feedbackloop/feedbackloop/config"
	"github.com/feedbackloop/feedbackloop/feedback"
	"github.com/feedbackloop/feedbackloop/ingest"
	"github.com/feedbackloop/feedbackloop/ingest/sample"
	"github.com/feedbackloop/feedbackloop/insights"
	"github.com/feedbackloop/feedbackloop/internal/devstack"
	"github.com/feedbackloop/feedbackloop/sinks"
	"github.com/feedbackloop/feedbackloop/worker"
)

// selfName is how to run this binary again from the same directory: the
// path it was started by ("bin/feedbackloop", which is not on PATH after
// make demo), or its name when it was found on PATH or built by go run.
func selfName() string {
	if a := os.Args[0]; strings.Contains(a, "/") && !strings.HasPrefix(a, os.TempDir()) {
		return a
	}
	return "feedbackloop"
}

func newDevCmd(a *app) *cobra.Command {
	var (
		s     sampleFlags
		dir   string
		weeks int
		once  bool
		reset bool
	)
	cmd := &cobra.Command{
		Use:         "dev",
		Annotations: map[string]string{service: ""},
		Short:       "Run everything on this machine: embedded NATS, a local ClickHouse, a sample and the worker",
		Long: `Run the whole pipeline on this machine with nothing to set up:

  - an embedded NATS server with JetStream, data under --dir;
  - ClickHouse: FEEDBACKLOOP_CLICKHOUSE_DSN when set, else a private
    clickhouse-server child process, data under --dir;
  - the schema migrations;
  - a generated sample of --count records (first run only: a second run
    finds the records of the first);
  - the worker, which tags and stores them;
  - a theme summary: items per theme per week.

It then keeps running, so that other commands (publish, import, trends)
can use it, until Ctrl-C stops everything cleanly. --once stops after the
summary.`,
		Example: `  feedbackloop dev
  feedbackloop dev --once --count 50000
  FEEDBACKLOOP_CLICKHOUSE_DSN=clickhouse://127.0.0.1:9000/feedbackloop feedbackloop dev`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("log-format") {
				a.logFormat = "console"
			}
			opts, err := s.options()
			if err != nil {
				return err
			}
			if weeks < 1 || weeks > 104 {
				return fmt.Errorf("--weeks %d: must be between 1 and 104", weeks)
			}
			return runDev(cmd.Context(), cmd.OutOrStdout(), a, devFlags{dir: dir, sample: opts, weeks: weeks, once: once, reset: reset})
		},
	}
	s.bind(cmd, 20000)
	fl := cmd.Flags()
	fl.StringVar(&dir, "dir", ".feedbackloop", "where the embedded NATS and ClickHouse keep their data")
	fl.IntVar(&weeks, "weeks", 12, "weeks in the theme summary")
	fl.BoolVar(&once, "once", false, "stop after printing the summary")
	fl.BoolVar(&reset, "reset", false, "delete --dir first and start from nothing")
	return cmd
}

type devFlags struct {
	dir    string
	sample sample.Options
	weeks  int
	once   bool
	reset  bool
}

func runDev(ctx context.Context, out io.Writer, a *app, f devFlags) error {
	cfg, log, err := a.configAndLogger()
	if err != nil {
		return err
	}
	if f.reset {
		if err := os.RemoveAll(f.dir); err != nil {
			return fmt.Errorf("--reset: %w", err)
		}
	}
	abs, _ := filepath.Abs(f.dir)
	fmt.Fprintf(out, "Starting the embedded default (data in %s)...\n", abs)
	// A DSN in the environment names a ClickHouse to use instead of one of
	// dev's own; the export dev prints for another terminal sets one too.
	external := os.Getenv(config.EnvPrefix + "CLICKHOUSE_DSN")
	stack, err := devstack.Start(ctx, devstack.Options{
		Dir:            f.dir,
		NATSPort:       4222,
		ClickHousePort: 9000,
		ClickHouseDSN:  external,
	})
	if err != nil {
		return err
	}
	defer stack.Stop()

	dev := *cfg
	dev.NATS.URL = stack.NATSURL
	dev.ClickHouse.DSN = stack.ClickHouseDSN
	if dev.Enrich.EmailHashKey == "" {
		if dev.Enrich.EmailHashKey, err = devHashKey(f.dir); err != nil {
			return err
		}
	}
	if dev.Metrics.Addr != "" && !listenable(dev.Metrics.Addr) {
		log.Warn("metrics address in use; serving no metrics", zap.String("addr", dev.Metrics.Addr))
		dev.Metrics.Addr = ""
	}
	from := ""
	if external != "" {
		from = " (" + config.EnvPrefix + "CLICKHOUSE_DSN)"
	}
	fmt.Fprintf(out, "  NATS        %s\n  ClickHouse  %s%s\n", stack.NATSURL, config.RedactURL(stack.ClickHouseDSN), from)
	unreachable := func(err error) error {
		if external == "" {
			return err
		}
		return fmt.Errorf("%w\n%sCLICKHOUSE_DSN is set, so dev uses that ClickHouse instead of starting its own: unset it (dev's own \"export\" line for another terminal sets it) or start that server", err, config.EnvPrefix)
	}

	ch, err := sinks.Open(dev.ClickHouse.DSN, dev.ClickHouse.DialTimeout, dev.ClickHouse.InsertTimeout)
	if err != nil {
		return unreachable(err)
	}
	defer ch.Close()
	if _, err := ch.Migrate(ctx); err != nil {
		return unreachable(fmt.Errorf("migrate: %w", err))
	}
	nc, js, err := ingest.Connect(dev.NATS, "feedbackloop-dev", log)
	if err != nil {
		return err
	}
	defer nc.Close()
	if err := ingest.EnsureStreams(ctx, js, dev.NATS); err != nil {
		return err
	}

	// The worker outlives ctx by its own shutdown timeout; it is stopped
	// explicitly below so that the summary can be printed first.
	workerCtx, stopWorker := context.WithCancel(context.Background())
	defer stopWorker()
	workerDone := make(chan error, 1)
	go func() { workerDone <- worker.Main(workerCtx, dev, log) }()
	stop := func() error {
		stopWorker()
		err := <-workerDone
		if errors.Is(err, context.Canceled) {
			err = nil
		}
		return err
	}

	stored, err := countRecords(ctx, ch)
	if err != nil {
		_ = stop()
		return err
	}
	if stored == 0 && f.sample.Count > 0 {
		n, err := publishSample(ctx, js, dev, f.sample)
		if err != nil {
			_ = stop()
			return err
		}
		fmt.Fprintf(out, "Published %d sample records; the worker is tagging and storing them...\n", n)
	} else if stored > 0 {
		fmt.Fprintf(out, "Found %d records from an earlier run (--reset starts over).\n", stored)
	}
	if err := waitSettled(ctx, js, dev, workerDone); err != nil {
		_ = stop()
		return err
	}
	if err := printSummary(ctx, out, ch, f.weeks, dev.Serve.Settle); err != nil {
		_ = stop()
		return err
	}
	if f.once {
		return stop()
	}
	fmt.Fprintf(out, `
Running until Ctrl-C. In another terminal:
  export FEEDBACKLOOP_NATS_URL=%s FEEDBACKLOOP_CLICKHOUSE_DSN=%s
  %[3]s sample --count 1000 --seed 2 --out more.jsonl && %[3]s publish --file more.jsonl
  %[3]s trends --last 12
`, stack.NATSURL, stack.ClickHouseDSN, selfName())
	select {
	case <-ctx.Done():
		fmt.Fprintln(out, "Stopping...")
		return stop()
	case err := <-workerDone:
		return fmt.Errorf("worker stopped: %w", err)
	}
}

// devHashKey returns the key that pseudonymises author e-mail addresses
// in dev, made on the first run and kept with the data so that an author's
// hash stays the same from run to run.
func devHashKey(dir string) (string, error) {
	path := filepath.Join(dir, "email-hash.key")
	if b, err := os.ReadFile(path); err == nil && len(b) > 0 {
		return string(b), nil
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return "", err
	}
	s := hex.EncodeToString(key)
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		return "", fmt.Errorf("e-mail hash key: %w", err)
	}
	return s, nil
}

func listenable(addr string) bool {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return false
	}
	l.Close()
	return true
}

// countRecords counts the stored records, each once however often it was
// stored (FINAL): every retag and redelivery adds a row.
func countRecords(ctx context.Context, ch *sinks.ClickHouse) (uint64, error) {
	var n uint64
	if err := ch.Conn().QueryRow(ctx, "SELECT count() FROM "+ch.Database()+".feedback FINAL").Scan(&n); err != nil {
		return 0, fmt.Errorf("count stored records: %w", err)
	}
	return n, nil
}

// publishSample generates the sample and publishes it, chunk by chunk,
// each chunk acknowledged by JetStream before the next.
func publishSample(ctx context.Context, js jetstream.JetStream, cfg config.Config, opts sample.Options) (int, error) {
	pub := ingest.NewPublisher(js, int(cfg.Worker.MaxBodyBytes))
	var chunk []*feedback.Record
	published := 0
	flush := func() error {
		outcomes, err := pub.Publish(ctx, chunk)
		if err != nil {
			return err
		}
		for i, o := range outcomes {
			if o.Err != nil {
				return fmt.Errorf("publish sample record %s: %w", chunk[i].ID, o.Err)
			}
		}
		published += len(chunk)
		chunk = chunk[:0]
		return nil
	}
	err := sample.Generate(opts, func(r *feedback.Record) error {
		chunk = append(chunk, r)
		if len(chunk) == 1000 {
			return flush()
		}
		return nil
	})
	if err == nil && len(chunk) > 0 {
		err = flush()
	}
	return published, err
}

// waitSettled returns once the worker's consumer has nothing left to
// deliver or to ack.
func waitSettled(ctx context.Context, js jetstream.JetStream, cfg config.Config, workerDone <-chan error) error {
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-workerDone:
			return fmt.Errorf("worker stopped: %w", err)
		case <-tick.C:
		}
		c, err := js.Consumer(ctx, cfg.NATS.Stream, cfg.NATS.Consumer)
		if err != nil {
			continue // the worker has not created it yet
		}
		info, err := c.Info(ctx)
		if err == nil && info.NumPending == 0 && info.NumAckPending == 0 {
			return nil
		}
	}
}

func printSummary(ctx context.Context, out io.Writer, ch *sinks.ClickHouse, weeks int, settle time.Duration) error {
	store, err := insights.New(ch.Conn(), ch.Database(), insights.WithSettle(settle))
	if err != nil {
		return err
	}
	t, err := store.Trends(ctx, insights.TrendsQuery{Grain: insights.Week, Periods: weeks})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nItems per theme per week (the last %d weeks; weeks start on Monday):\n\n", weeks)
	return insights.Write(out, insights.FormatTable, t)
}
