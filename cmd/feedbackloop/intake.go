package main

import (
	"github.com/spf13/cobra"

	"github.com/feedbackloop/feedbackloop/ingest/intake"
)

func newIntakeCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use: "intake",
		Example: `  FEEDBACKLOOP_INTAKE_GITHUB_SECRET=... feedbackloop intake
  feedbackloop --config feedbackloop.yaml intake`,
		Annotations: map[string]string{service: ""},
		Short:       "Serve the HTTP intake: POST /v1/feedback and signed source webhooks",
		Long: `Serve the HTTP intake on intake.addr until SIGINT or SIGTERM.

  POST /v1/feedback              contract records: one, an array or JSON lines;
                                 Authorization: Bearer <intake.token>
  POST /webhooks/zendesk         signed with intake.zendesk_secret
  POST /webhooks/intercom        signed with intake.intercom_secret
  POST /webhooks/github          signed with intake.github_secret
  POST /webhooks/discourse       signed with intake.discourse_secret
  GET  /healthz

A 202 is sent only after JetStream acknowledged the records. A wrong or
missing signature or token gets 401 and publishes nothing; a webhook whose
secret is not set answers 404. Only what customers wrote is published:
agents' replies, internal notes, bots' and staff's posts are answered as
skipped with their reasons, unless intake.include_staff is true. See
docs/sources.md for each source's setup.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, log, err := a.configAndLogger()
			if err != nil {
				return err
			}
			return intake.Main(cmd.Context(), *cfg, log)
		},
	}
}
