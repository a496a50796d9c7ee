package main

import (
	"fmt"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"
)

func newConfigCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "config",
		Short: "Print the configuration in effect, secrets masked",
		Long: `Print the configuration in effect as YAML: the defaults, then the file
given with --config, then FEEDBACKLOOP_<SECTION>_<KEY> environment
variables. Secrets are masked (xxxxx) and DSN passwords hidden, so the
output can be shared. Without secrets it loads back as a configuration;
a masked secret loaded back is refused, naming its key and line, until
the secret is put back. An invalid value stops here with the same error
the worker would give.`,
		Example: `  FEEDBACKLOOP_BATCH_MAX_WAIT=500ms feedbackloop config
  feedbackloop --config feedbackloop.yaml config > effective.yaml   # to read or share`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.config()
			if err != nil {
				return err
			}
			out, err := yaml.Marshal(cfg.Redacted())
			if err != nil {
				return fmt.Errorf("print configuration: %w", err)
			}
			_, err = cmd.OutOrStdout().Write(out)
			return err
		},
	}
}
