package main

import (
	"github.com/spf13/cobra"
)

func newPublishCmd(a *app) *cobra.Command {
	var f importFlags
	cmd := &cobra.Command{
		Use:   "publish --file F.jsonl",
		Short: "Publish contract records (JSON lines) to the feedback stream",
		Long: `Publish records that already follow the message contract, one JSON object
per line (a JSON array works too), to feedback.<kind>.<source> with
Nats-Msg-Id set to each record's id and a hash of its message, so that
JetStream drops a record sent again unchanged but not a changed one.

Each line is validated first: a line that breaks the contract is reported
with its line number and reason and is not sent; the rest are. Totals at
the end say how many were published, how many JetStream skipped as
duplicates of records it already had, and how many lines were rejected.
From standard input (--file -), JSON lines are published as they arrive,
in chunks of --chunk or whatever came within a second, so a producer
that runs for ever can pipe into it; Ctrl-C publishes what was read.
It is ` + "`import --source jsonl`" + ` under a shorter name.`,
		Example: `  feedbackloop sample --count 1000 --out feedback.jsonl
  feedbackloop publish --file feedback.jsonl
  producer | feedbackloop publish --file -`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f.source = "jsonl"
			return runImport(cmd, a, f)
		},
	}
	cmd.Flags().StringVar(&f.file, "file", "", "JSON lines file; - reads standard input")
	cmd.Flags().IntVar(&f.chunk, "chunk", 1000, "records per publish")
	_ = cmd.MarkFlagRequired("file")
	return cmd
}
