package worker_test

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"testing"

	"go.uber.org/zap"

	"github.com/feedbackloop/feedbackloop/config"
	"github.com/feedbackloop/feedbackloop/internal/testenv"
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
