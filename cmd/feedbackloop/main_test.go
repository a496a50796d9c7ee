package main

import (
	"bytes"
	"context"
	"testing"

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
