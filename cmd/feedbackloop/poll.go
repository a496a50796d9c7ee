package main

import (
	"errors"
	"time"

	"github.com/spf13/cobra"

	"github.com/feedbackloop/feedbackloop/ingest/poll"
)

func newPollCmd(a *app) *cobra.Command {
	var once bool
	cmd := &cobra.Command{
		Use: "poll",
		Example: `  FEEDBACKLOOP_POLL_GITHUB_REPOS=acme/app feedbackloop poll
  feedbackloop --config feedbackloop.yaml poll --once   # from cron`,
		Annotations: map[string]string{service: ""},
		Short:       "Poll Discourse, Zendesk and GitHub for new feedback on a schedule",
		Long: `Poll sources without webhooks every poll.interval until SIGINT or SIGTERM:

  Discourse  latest posts              when poll.discourse_url is set
  Zendesk    incremental ticket export when poll.zendesk_url or poll.zendesk_subdomain is set
  GitHub     issues and issue comments of each of poll.github_repos

Each source's position is kept in the NATS key-value bucket
poll.checkpoint_bucket and written only after the records before it were
acknowledged by JetStream, so a restarted poller resumes where it stopped.
The first poll of a source reaches back poll.backfill. Only what customers
wrote is published; posts by staff, maintainers and bots are counted and
logged as skipped, unless poll.include_staff is true.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, log, err := a.configAndLogger()
			if err != nil {
				return err
			}
			if len(poll.Sources(cfg.Poll, log, time.Now())) == 0 {
				return errors.New("nothing to poll: set poll.discourse_url, poll.zendesk_url (or poll.zendesk_subdomain) or poll.github_repos")
			}
			return poll.Main(cmd.Context(), *cfg, log, once)
		},
	}
	cmd.Flags().BoolVar(&once, "once", false, "poll each source once and exit (for cron)")
	return cmd
}
