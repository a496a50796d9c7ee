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
	ctx := cmd.Context()
	lines := make(chan numberedLine)
	reading, stopReading := context.WithCancel(ctx)
	go readLines(bufio.NewReaderSize(cmd.InOrStdin(), 64<<10), 0, lines, reading.Done())
	// The first line that is not blank decides, and may be long in coming:
	// Ctrl-C must not wait for it.
	var head bytes.Buffer // the lines read to decide
	var first numberedLine
	for first.text == nil {
		select {
		case <-ctx.Done():
			stopReading()
			return true, ctx.Err()
		case l, ok := <-lines:
			switch {
			case l.err != nil:
				stopReading()
				return true, fmt.Errorf("read input: %w", l.err)
			case !ok:
				first.text = []byte{} // empty input: the whole read says so
			case len(bytes.TrimSpace(l.text)) > 0:
				first = l
			}
			head.Write(l.text)
		}
	}
	// Not JSON lines, or a last line (no line break after it): read whole,
	// by the path that knows documents and a broken first line; a short
	// input loses nothing by it.
	if !bytes.HasSuffix(first.text, []byte("\n")) || !sources.IsJSONLine(first.text) {
		cmd.SetIn(io.MultiReader(&head, &lineReader{lines: lines, stop: stopReading}))
		return false, nil
	}
	// The reader stops with the stream, however the stream ends.
	defer stopReading()
	var pub *importPublisher
	if !f.dryRun {
		var err error
		if pub, err = openImportPublisher(cmd, a); err != nil {
			return true, err
		}
		defer pub.close()
	}

	stderr := cmd.ErrOrStderr()
	m := sources.Records{MaxBodyBytes: maxBodyBytes}
	opts := sources.Options{IncludeStaff: f.includeStaff}
	var t importTotals
	pending := m.MapLine(first.text, first.n, opts)
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
		return pub.sendChunks(ctx, recs, pos, f.chunk, &t, func(int) {})
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

// lineReader reads the rest of what readLines sends, for the path that
// reads the input whole; it stops the reader at the end.
type lineReader struct {
	lines <-chan numberedLine
	rest  []byte
	stop  func()
}

func (r *lineReader) Read(p []byte) (int, error) {
	for len(r.rest) == 0 {
		l, ok := <-r.lines
		if !ok {
			r.stop()
			return 0, io.EOF
		}
		if l.err != nil {
			r.stop()
			return 0, l.err
		}
		r.rest = l.text
	}
	n := copy(p, r.rest)
	r.rest = r.rest[n:]
	return n, nil
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
