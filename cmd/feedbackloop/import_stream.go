package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/feedbackloop/feedbackloop/ingest/sources"
)

// streamWait is how long a record read from a pipe waits for others to
// share its publish: a producer that writes a record now and then sees it
// published within about this long.
var streamWait = time.Second

// streamRecords publishes contract records from standard input as they
// arrive, in chunks of f.chunk or whatever came within streamWait, when
// the input is JSON lines: a producer piped into publish need not end
// before its first record is sent, and memory does not grow with what it
// wrote. It reports false, having read nothing that is lost, when the
// input is not JSON lines (a pretty-printed document): the caller then
// reads it whole.
func streamRecords(cmd *cobra.Command, a *app, f importFlags, maxBodyBytes int) (bool, error) {
	in := bufio.NewReaderSize(cmd.InOrStdin(), 64<<10)
	// The first line may be long in coming: Ctrl-C must not wait for it.
	type peeked struct {
		head   *bytes.Buffer // the lines read to decide, the first non-blank last
		first  []byte        // that line, when it starts JSON lines
		lineNo int
		err    error
	}
	got := make(chan peeked, 1)
	go func() {
		p := peeked{head: new(bytes.Buffer)}
		for {
			line, err := in.ReadBytes('\n')
			p.head.Write(line)
			if len(line) > 0 {
				p.lineNo++
			}
			if len(bytes.TrimSpace(line)) == 0 && err == nil {
				continue
			}
			if err != nil && !errors.Is(err, io.EOF) {
				p.err = fmt.Errorf("read input: %w", err)
			} else if sources.IsJSONLine(line) && err == nil {
				p.first = line
			}
			got <- p
			return
		}
	}()
	var p peeked
	select {
	case <-cmd.Context().Done():
		return true, cmd.Context().Err()
	case p = <-got:
	}
	if p.err != nil {
		return true, p.err
	}
	if p.first == nil {
		// Read whole, by the path that knows documents and a broken first
		// line; a short input loses nothing by it.
		cmd.SetIn(io.MultiReader(p.head, in))
		return false, nil
	}
	first, lineNo := p.first, p.lineNo
	var pub *importPublisher
	if !f.dryRun {
		var err error
		if pub, err = openImportPublisher(cmd, a); err != nil {
			return true, err
		}
		defer pub.close()
	}
	ctx := cmd.Context()
	lines := make(chan numberedLine)
	// The reader stops with the stream, however the stream ends.
	reading, stopReading := context.WithCancel(ctx)
	defer stopReading()
	go readLines(in, lineNo, lines, reading.Done())

	stderr := cmd.ErrOrStderr()
	m := sources.Records{MaxBodyBytes: maxBodyBytes}
	opts := sources.Options{IncludeStaff: f.includeStaff}
	var t importTotals
	pending := m.MapLine(first, lineNo, opts)
	// A record printed over several lines among JSON lines is gathered
	// whole, as the file path's reading of JSON values would.
	values := sources.Lines{Limit: 4*maxBodyBytes + 1<<20}
	take := func(vs []sources.LineValue) {
		for _, v := range vs {
			pending = append(pending, m.MapLine(v.Text, v.Line, opts)...)
		}
	}
	wait := time.NewTimer(streamWait)
	defer wait.Stop()
	flush := func(ctx context.Context) error {
		for i := range pending {
			pending[i].Pos.File = "stdin"
		}
		sources.KeepLastVersions(pending)
		recs, pos := t.sort(pending, stderr)
		pending = pending[:0]
		if len(recs) == 0 {
			return nil
		}
		if pub == nil {
			return printRecords(cmd.OutOrStdout(), recs)
		}
		// A line may hold an array of many records.
		for start := 0; start < len(recs); start += f.chunk {
			end := min(start+f.chunk, len(recs))
			if err := pub.send(ctx, recs[start:end], pos[start:end], &t); err != nil {
				return err
			}
		}
		return nil
	}
	for {
		select {
		case <-ctx.Done():
			// Ctrl-C is how a producer that runs for ever is stopped: what
			// was read from it is published (within a chunk's timeout) and
			// the totals said, though the command is still interrupted. A
			// value still being gathered is reported where it began, as
			// at the end of the input, not dropped without a word.
			take(values.End())
			if err := flush(context.WithoutCancel(ctx)); err != nil {
				return true, err
			}
			_ = t.report(stderr, f.dryRun)
			return true, ctx.Err()
		case <-wait.C:
			if err := flush(ctx); err != nil {
				return true, err
			}
		case l, ok := <-lines:
			if !ok {
				take(values.End())
				if err := flush(ctx); err != nil {
					return true, err
				}
				return true, t.report(stderr, f.dryRun)
			}
			if l.err != nil {
				return true, fmt.Errorf("read input: %w", l.err)
			}
			if len(pending) == 0 {
				wait.Reset(streamWait)
			}
			take(values.Add(l.text, l.n))
			if len(pending) >= f.chunk {
				if err := flush(ctx); err != nil {
					return true, err
				}
			}
		}
	}
}

// numberedLine is a line of input with its 1-based number, or the error
// that ended the input.
type numberedLine struct {
	n    int
	text []byte
	err  error
}

// readLines sends the lines of in, numbered on from after, and closes out
// at the end of the input; it gives up when done closes.
func readLines(in *bufio.Reader, after int, out chan<- numberedLine, done <-chan struct{}) {
	defer close(out)
	send := func(l numberedLine) bool {
		select {
		case out <- l:
			return true
		case <-done:
			return false
		}
	}
	for n := after + 1; ; n++ {
		line, err := in.ReadBytes('\n')
		if len(line) > 0 && !send(numberedLine{n: n, text: line}) {
			return
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				send(numberedLine{err: err})
			}
			return
		}
	}
}
