package worker_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/feedbackloop/feedbackloop/config"
	"github.com/feedbackloop/feedbackloop/internal/testenv"
	"github.com/feedbackloop/feedbackloop/sinks"
	"github.com/feedbackloop/feedbackloop/worker"
)

// runAsWorker makes the test binary a worker process when the crash test
// starts it with this variable set: a real process that can be killed with
// SIGKILL, configured from the environment like `feedbackloop worker`.
const runAsWorker = "FEEDBACKLOOP_TEST_RUN_WORKER"

func TestMain(m *testing.M) {
	if os.Getenv(runAsWorker) == "1" {
		os.Exit(workerProcess())
	}
	testenv.Main(m)
}

func workerProcess() int {
	cfg, err := config.Load("", nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	log, _ := zap.NewProduction()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := worker.Main(ctx, *cfg, log); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// A worker started on a database that needs the rebuild of schema version
// 9 leaves it to feedbackloop migrate and exits at once saying so, rather
// than waiting for the database as if it were unreachable.
func TestAWorkerOnASchemaBeforeTheRebuildExitsSayingToMigrate(t *testing.T) {
	srv := testenv.NATS(t)
	dsn := testenv.ClickHouse(t)
	ch, err := sinks.Open(dsn, 5*time.Second, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ch.Close() })
	if _, err := sinks.MigrateTo(context.Background(), ch.Conn(), ch.Database(), sinks.RebuildVersion-1); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.NATS.URL, cfg.ClickHouse.DSN, cfg.Metrics.Addr = srv.ClientURL(), dsn, ""
	cfg.Worker.RetryInitial, cfg.Worker.RetryMax = 50*time.Millisecond, 200*time.Millisecond
	// Bounds the test should the worker retry: it would wait for ever.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err = worker.Main(ctx, cfg, zaptest.NewLogger(t))
	if !errors.Is(err, sinks.ErrRebuildPending) || !strings.Contains(err.Error(), "feedbackloop migrate") {
		t.Fatalf("worker returned %v, want it to say to stop the workers and run feedbackloop migrate", err)
	}
	if v, err := sinks.AppliedVersion(context.Background(), ch.Conn(), ch.Database()); err != nil || v != sinks.RebuildVersion-1 {
		t.Errorf("schema version %d (%v) after the worker, want %d, untouched", v, err, sinks.RebuildVersion-1)
	}
}
