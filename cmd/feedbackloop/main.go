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
		if errors.Is(err, errInterrupted) {
			os.Exit(130) // as a shell reports a command Ctrl-C stopped
		}
		os.Exit(1)
	}
}

// errInterrupted is a command that Ctrl-C or SIGTERM stopped before it was
// done: a script must not take it for one that finished.
var errInterrupted = errors.New("interrupted before it finished")

// service marks a command that runs until it is stopped (the worker, the
// servers, the poller): for it, a stop is the normal end.
const service = "service"

func run() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRootCmd(&app{})
	cmd, err := root.ExecuteContextC(ctx)
	return stopped(ctx, cmd, err)
}

// stopped is what a command that ran under ctx ends with: a service
// stopped by a signal ends well; any other command so stopped is
// interrupted, even when it returned nil on the way out.
func stopped(ctx context.Context, cmd *cobra.Command, err error) error {
	if ctx.Err() == nil || cmd == nil {
		return err
	}
	// A service run --once is a batch: stopped before its end, it did
	// not finish.
	once, _ := cmd.Flags().GetBool("once")
	if _, ok := cmd.Annotations[service]; ok && !once && (err == nil || errors.Is(err, context.Canceled)) {
		return nil // stopped cleanly, as asked
	}
	if err == nil || errors.Is(err, context.Canceled) {
		return fmt.Errorf("%s: %w", cmd.CommandPath(), errInterrupted)
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
		// The logger is built on first use; a bad --log-level or
		// --log-format is refused up front all the same, not only by the
		// commands that log.
		PersistentPreRunE: func(*cobra.Command, []string) error {
			_, err := a.logger()
			return err
		},
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
	strictHelp(root)
	return root
}

// strictHelp makes `feedbackloop help nosuch` fail as `feedbackloop
// nosuch` does: cobra's own help prints "Unknown help topic" and ends
// well, which a script takes for help shown.
func strictHelp(root *cobra.Command) {
	root.InitDefaultHelpCmd()
	help, _, err := root.Find([]string{"help"})
	if err != nil || help == root || help.Run == nil {
		return
	}
	show := help.Run
	help.Run = nil
	help.RunE = func(cmd *cobra.Command, args []string) error {
		if _, _, err := root.Find(args); err != nil {
			return fmt.Errorf("help: %w", err)
		}
		show(cmd, args)
		return nil
	}
}

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the version",
		Example: "  feedbackloop version",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(cmd.OutOrStdout(), "feedbackloop", version)
			return err
		},
	}
}
