package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/feedbackloop/feedbackloop/sinks"
)

func newMigrateCmd(a *app) *cobra.Command {
	var retire bool
	cmd := &cobra.Command{
		Use: "migrate",
		Example: `  feedbackloop migrate
  FEEDBACKLOOP_CLICKHOUSE_DSN=clickhouse://ch.internal:9000/feedbackloop feedbackloop migrate
  feedbackloop migrate --retire-moved`,
		Short: "Create or upgrade the ClickHouse schema",
		Long: `Create or upgrade the ClickHouse schema (the database named in the DSN).

Migrations are versioned and recorded in <database>.schema_migrations;
running this again on an up-to-date database changes nothing. The worker
applies them at start too.

Schema version 9 builds the feedback table again, with a version column,
and copies every row into it: stop every worker (and any 'themes retag')
before running it, and start them once it is done. A row a worker writes
while it runs may be left in the old table. The old table stays as
<database>.feedback_v8; drop it once the upgrade is checked. Stopped half
way, it is run again from its start.

--retire-moved then finds the records stored under more than one
created_at, which databases written before schema version 8 may hold (a
CSV imported again with the other date order), keeps each one's newest
version and deletes the others, as the worker does for what it writes
now. It reads every stored id once: run it once after the upgrade.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.config()
			if err != nil {
				return err
			}
			ch, err := sinks.OpenConfig(cfg.ClickHouse)
			if err != nil {
				return err
			}
			defer ch.Close()
			out := cmd.OutOrStdout()
			rebuilds, err := sinks.PendingRebuild(cmd.Context(), ch.Conn(), ch.Database())
			if err != nil {
				return err
			}
			if rebuilds {
				_, _ = fmt.Fprintf(out, "schema version %d builds %s.feedback again and copies every row into it:"+
					" every worker must be stopped until this command has finished (a row written meanwhile may be left in the old table)\n",
					sinks.RebuildVersion, ch.Database())
			}
			applied, err := ch.Migrate(cmd.Context())
			if err != nil {
				if rebuilds {
					return fmt.Errorf("%w (run feedbackloop migrate again, workers still stopped: it resumes safely)", err)
				}
				return err
			}
			if len(applied) == 0 {
				_, err = fmt.Fprintf(out, "%s is up to date at schema version %d\n", ch.Database(), sinks.SchemaVersion)
			} else {
				_, err = fmt.Fprintf(out, "%s migrated to schema version %d (applied %v)\n", ch.Database(), sinks.SchemaVersion, applied)
			}
			if err == nil && rebuilds {
				_, err = fmt.Fprintf(out, "the table before it is kept as %s.feedback_v8: drop it (DROP TABLE %s.feedback_v8) once the upgrade is checked; workers may start\n",
					ch.Database(), ch.Database())
			}
			if err != nil || !retire {
				return err
			}
			n, err := ch.RetireMoved(cmd.Context())
			if err != nil {
				return fmt.Errorf("retire moved records: %w", err)
			}
			_, err = fmt.Fprintf(out, "%d records stored under more than one created_at now keep only their newest version's\n", n)
			return err
		},
	}
	cmd.Flags().BoolVar(&retire, "retire-moved", false, "then keep only the newest version of records stored under more than one created_at (once, after upgrading from schema version 7 or older)")
	return cmd
}
