package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/feedbackloop/feedbackloop/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// execute runs the command line args in-process and returns what it
// printed on stdout and stderr.
func execute(t *testing.T, ctx context.Context, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	root := newRootCmd(&app{})
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(args)
	err = root.ExecuteContext(ctx)
	return out.String(), errOut.String(), err
}

// A signal ends a service well, and any other command as interrupted (exit
// 130), even one that returned nil on the way out: a script must not take
// a publish or a sample cut short for one that finished.
func TestASignalEndsServicesWellAndOtherCommandsAsInterrupted(t *testing.T) {
	root := newRootCmd(&app{})
	find := func(name string) *cobra.Command {
		c, _, err := root.Find([]string{name})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, c := range []struct {
		cmd         string
		err         error
		interrupted bool
	}{
		{"worker", context.Canceled, false},
		{"serve", nil, false},
		{"publish", nil, true},
		{"sample", context.Canceled, true},
	} {
		err := stopped(cancelled, find(c.cmd), c.err)
		if errors.Is(err, errInterrupted) != c.interrupted || !c.interrupted && err != nil {
			t.Errorf("%s returning %v after a signal: %v", c.cmd, c.err, err)
		}
	}
	if err := stopped(context.Background(), find("publish"), nil); err != nil {
		t.Errorf("without a signal: %v", err)
	}
	// poll --once is a batch run: cut short, it did not finish.
	poll := find("poll")
	if err := poll.Flags().Set("once", "true"); err != nil {
		t.Fatal(err)
	}
	if err := stopped(cancelled, poll, nil); !errors.Is(err, errInterrupted) {
		t.Errorf("poll --once after a signal: %v", err)
	}
}

// A bad --log-level or --log-format is refused by every command, not only
// by those that happen to log.
func TestBadLogFlagsAreRefusedByEveryCommand(t *testing.T) {
	for _, args := range [][]string{{"--log-level", "bogus", "config"}, {"--log-format", "xml", "version"}} {
		root := newRootCmd(&app{})
		root.SetArgs(args)
		root.SetOut(new(bytes.Buffer))
		if err := root.Execute(); err == nil {
			t.Errorf("%v: accepted", args)
		}
	}
}

// Help for a command that does not exist fails as running it does, and
// help for one that does still shows it.
func TestHelpForAnUnknownCommandFails(t *testing.T) {
	if _, _, err := execute(t, context.Background(), "help", "nosuch"); err == nil || !strings.Contains(err.Error(), `"nosuch"`) {
		t.Errorf("help nosuch: %v, want an error naming it", err)
	}
	out, _, err := execute(t, context.Background(), "help", "trends")
	if err != nil || !strings.Contains(out, "feedbackloop trends") {
		t.Errorf("help trends: %v, printed %q", err, out)
	}
}

// The README says every command's help has examples: each command that
// runs has some.
func TestEveryCommandHasExamples(t *testing.T) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Runnable() && c.Example == "" && c.Name() != "help" {
			t.Errorf("%s has no examples in its help", c.CommandPath())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCmd(&app{}))
}
