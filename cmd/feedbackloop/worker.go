package main

import (
	"github.com/spf13/cobra"

	"github.com/feedbackloop/feedbackloop/worker"
)

func newWorkerCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use: "worker",
		Example: `  feedbackloop worker
  feedbackloop --config feedbackloop.yaml --log-format console worker
  FEEDBACKLOOP_LLM_ENABLED=true FEEDBACKLOOP_LLM_API_KEY=sk-... feedbackloop worker`,
		Annotations: map[string]string{service: ""},
		Short:       "Consume feedback from NATS, enrich it and store it in ClickHouse",
		Long: `Consume feedback from NATS, enrich it and store it in ClickHouse.

The worker creates the FEEDBACK and FEEDBACK_DLQ streams and its durable
consumer when they are missing, applies ClickHouse migrations, and then
runs until SIGINT or SIGTERM, when it stops fetching, writes and acks what
it holds, and exits. Several workers on one consumer share the load.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, log, err := a.configAndLogger()
			if err != nil {
				return err
			}
			return worker.Main(cmd.Context(), *cfg, log)
		},
	}
}
