package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/feedbackloop/feedbackloop/sinks"
)

func newMigrateCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Create or upgrade the ClickHouse schema",
		Long: `Create or upgrade the ClickHouse schema (the database named in the DSN).

Migrations are versioned and recorded in <database>.schema_migrations;
running this again on an up-to-date database changes nothing. The worker
applies them at start too.`,
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
			applied, err := ch.Migrate(cmd.Context())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if len(applied) == 0 {
				_, err = fmt.Fprintf(out, "%s is up to date at schema version %d\n", ch.Database(), sinks.SchemaVersion)
				return err
			}
			_, err = fmt.Fprintf(out, "%s migrated to schema version %d (applied %v)\n", ch.Database(), sinks.SchemaVersion, applied)
			return err
		},
	}
}
