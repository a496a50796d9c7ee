// Command feedbackloop is the one binary of Feedback Loop: the worker, the
// embedded default, the importers, the intake server, the poller, the tagger
// tools and the insight queries are its subcommands.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "feedbackloop:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRootCmd(&app{})
	err := root.ExecuteContext(ctx)
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		return nil // interrupted by the user: the command already stopped cleanly
	}
	return err
}

// newRootCmd builds the command tree around a.
func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:           "feedbackloop",
		Short:         "Turn customer feedback into theme trends product leaders can act on",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPostRun: func(*cobra.Command, []string) {
			a.close()
		},
	}
	a.bindFlags(root)
	// Each subcommand lives in its own file as newXxxCmd(a); each area of
	// the product lists its commands in one place (commands_*.go).
	root.AddCommand(pipelineCommands(a)...)
	root.AddCommand(sourceCommands(a)...)
	root.AddCommand(taggingCommands(a)...)
	root.AddCommand(insightCommands(a)...)
	root.AddCommand(newVersionCmd())
	return root
}

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(cmd.OutOrStdout(), "feedbackloop", version)
			return err
		},
	}
}
