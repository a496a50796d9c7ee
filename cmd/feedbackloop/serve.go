package main

import (
	"github.com/spf13/cobra"

	"github.com/feedbackloop/feedbackloop/api"
)

func newServeCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:         "serve",
		Annotations: map[string]string{service: ""},
		Short:       "Serve the insights API and the dashboard",
		Long: `Serve the insight queries as a JSON API under /api/v1/ (OpenAPI description
at /api/v1/openapi.yaml) and a dashboard at /: theme trends, emerging
themes, bets against their evidence, and quotes.

Every request needs the bearer token serve.token (FEEDBACKLOOP_SERVE_TOKEN);
the dashboard asks for it once and keeps it in a cookie. The server applies
ClickHouse migrations at start and refreshes the insights rollup every
serve.refresh_interval; figures are exact either way, the rollup only makes
them fast. Stops cleanly on SIGINT or SIGTERM.`,
		Example: `  FEEDBACKLOOP_SERVE_TOKEN=$(openssl rand -hex 24) feedbackloop serve
  curl -H "Authorization: Bearer $FEEDBACKLOOP_SERVE_TOKEN" 'localhost:8090/api/v1/trends?grain=month&periods=6'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, log, err := a.configAndLogger()
			if err != nil {
				return err
			}
			return api.Main(cmd.Context(), *cfg, log, nil)
		},
	}
}
