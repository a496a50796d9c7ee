package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/feedbackloop/feedbackloop/feedback"
	"github.com/feedbackloop/feedbackloop/ingest/sample"
)

// sampleFlags choose a generated sample; dev shares them.
type sampleFlags struct {
	count int
	days  int
	seed  uint64
	end   string
}

func (f *sampleFlags) bind(cmd *cobra.Command, count int) {
	cmd.Flags().IntVar(&f.count, "count", count, "number of records")
	cmd.Flags().IntVar(&f.days, "days", 90, "length of the window in days, ending today")
	cmd.Flags().Uint64Var(&f.seed, "seed", 1, "the same seed gives the same records")
	cmd.Flags().StringVar(&f.end, "end", "", "last day of the window, YYYY-MM-DD (default today, UTC)")
}

func (f *sampleFlags) options() (sample.Options, error) {
	opts := sample.Options{Count: f.count, Days: f.days, Seed: f.seed}
	if f.count < 0 {
		return opts, fmt.Errorf("--count %d: must not be negative", f.count)
	}
	if f.days < 1 || f.days > 3650 {
		return opts, fmt.Errorf("--days %d: must be between 1 and 3650", f.days)
	}
	if f.end != "" {
		day, err := time.Parse(time.DateOnly, f.end)
		if err != nil {
			return opts, fmt.Errorf("--end %q: want a date such as 2026-03-31", f.end)
		}
		opts.End = day.AddDate(0, 0, 1)
	}
	return opts, nil
}

func newSampleCmd() *cobra.Command {
	var f sampleFlags
	var out string
	cmd := &cobra.Command{
		Use:   "sample [--count N] [--days D] [--out file.jsonl]",
		Short: "Write generated, realistic feedback as contract records (JSON lines)",
		Long: `Write generated feedback as JSON lines that follow the message contract:
tickets, chats, forum posts, interview notes, reviews and survey answers
from seven sources over the last --days days, from accounts with plans and
ARR. It has a weekly rhythm, a theme that spikes in the last two weeks (` + sample.SpikeTheme + `)
and one that falls after a fix shipped (` + sample.FallTheme + `). The same --seed and
--end give the same records, so publishing a sample twice stores nothing twice.
So that a sample made twice in a day is the same, the window covers the
whole of its last day: records of today may be dated later than now.`,
		Example: `  feedbackloop sample --count 50000 --out feedback.jsonl
  feedbackloop publish --file feedback.jsonl`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts, err := f.options()
			if err != nil {
				return err
			}
			var w io.Writer = cmd.OutOrStdout()
			if out != "" && out != "-" {
				file, err := os.Create(out)
				if err != nil {
					return err
				}
				defer file.Close()
				w = file
			}
			bw := bufio.NewWriterSize(w, 1<<16)
			enc := json.NewEncoder(bw)
			enc.SetEscapeHTML(false)
			ctx := cmd.Context()
			if err := sample.Generate(opts, func(r *feedback.Record) error {
				if err := ctx.Err(); err != nil {
					return err // Ctrl-C: stop writing
				}
				return enc.Encode(r)
			}); err != nil {
				return fmt.Errorf("write sample: %w", err)
			}
			if err := bw.Flush(); err != nil {
				return fmt.Errorf("write sample: %w", err)
			}
			if file, ok := w.(*os.File); ok && out != "" && out != "-" {
				if err := file.Close(); err != nil {
					return fmt.Errorf("write sample: %w", err)
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "wrote %d records to %s\n", opts.Count, out)
			}
			return nil
		},
	}
	f.bind(cmd, 20000)
	cmd.Flags().StringVar(&out, "out", "", "output file (default standard output)")
	return cmd
}
