package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/feedbackloop/feedbackloop/feedback"
	"github.com/feedbackloop/feedbackloop/ingest"
	"github.com/feedbackloop/feedbackloop/ingest/sources"
)

// importFlags are the flags of `feedbackloop import`.
type importFlags struct {
	source, file, dir string
	columns           string
	sourceName, kind  string
	dateOrder         string
	idDateOrder       string
	dateLayout        string
	baseURL, parent   string
	dryRun            bool
	includeStaff      bool
	chunk             int
}

func newImportCmd(a *app) *cobra.Command {
	var f importFlags
	cmd := &cobra.Command{
		Use:   "import --source S (--file F | --dir D)",
		Short: "Import an export, API response or folder of interview notes",
		Long: `Import feedback from a file: a source's export or API response, a CSV file,
contract records as JSON lines, or a folder of interview notes.

Sources: ` + strings.Join(append(sources.Names(), "csv", "notes"), ", ") + `.
JSON inputs may be one object, a list response, an array, or JSON lines.
CSV needs a column map: --map body=Comment,created_at=Date,account.id=Customer.
Notes read every .md and .txt file under --dir (see docs/sources.md).

Only what customers wrote is imported: agent replies, internal notes, bot
messages and posts by staff, moderators and maintainers are skipped and
reported, where the source says who wrote them. --include-staff imports
them too, marked with metadata.author_role.

Items that cannot be mapped are reported on stderr with their position and
reason and do not stop the rest; the command then exits non-zero. Records
are published in chunks and each chunk waits for JetStream's
acknowledgement; ids are stable, so running an import again publishes
nothing twice within the stream's duplicate window and the store keeps one
row per id. --dry-run prints the records as JSON lines and needs no NATS.`,
		Example: `  feedbackloop import --source zendesk --file tickets.json --base-url https://acme.zendesk.com
  feedbackloop import --source csv --file nps.csv --map body=Comment,created_at=Date,rating=Score --source-name nps --kind survey
  feedbackloop import --source notes --dir interviews/ --dry-run`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runImport(cmd, a, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.source, "source", "", "what the input is: "+strings.Join(append(sources.Names(), "csv", "notes"), ", "))
	fl.StringVar(&f.file, "file", "", "input file; - reads standard input")
	fl.StringVar(&f.dir, "dir", "", "folder of interview notes (with --source notes)")
	fl.StringVar(&f.columns, "map", "", "CSV column map: field=Column,... (body and created_at are required)")
	fl.StringVar(&f.sourceName, "source-name", "", "source of the records for csv (default csv) and notes (default notes)")
	fl.StringVar(&f.kind, "kind", "", "kind of the CSV records: "+strings.Join(feedback.Kinds, ", ")+" (default other)")
	fl.StringVar(&f.dateOrder, "date-order", "", "how CSV dates with slashes read: mdy or dmy (unset: such dates are rejected)")
	fl.StringVar(&f.idDateOrder, "id-date-order", "", "for a CSV without an id column imported before with another --date-order: that order, from which its ids were derived (its records then move to the dates read now)")
	fl.StringVar(&f.dateLayout, "date-layout", "", "Go time layout of the CSV date column, e.g. 02.01.2006 15:04")
	fl.StringVar(&f.baseURL, "base-url", "", "where people see the items, for links the input lacks (Discourse forum, helpdesk URL, Intercom inbox)")
	fl.StringVar(&f.parent, "parent", "", "ticket id the comments in the file belong to, when the file does not say (Zendesk comment lists)")
	fl.BoolVar(&f.dryRun, "dry-run", false, "print the records as JSON lines on stdout and publish nothing")
	fl.BoolVar(&f.includeStaff, "include-staff", false, "also import what agents, bots, staff and maintainers wrote (replies, notes), marked with metadata.author_role")
	fl.IntVar(&f.chunk, "chunk", 500, "records per publish")
	_ = cmd.MarkFlagRequired("source")
	return cmd
}

// importTotals counts what happened to the items of an import. skipped
// counts items that are not feedback at all, staff those that someone
// other than a customer wrote (left out without --include-staff).
type importTotals struct {
	read, published, duplicates, skipped, staff, superseded, rejected, failed int
	publishable                                                               int // valid records, published or not
}

// skips is how the totals line reports the skipped items.
func (t importTotals) skips() string {
	s := fmt.Sprintf("skipped %d (not feedback), skipped %d (not customer feedback: agent replies, notes, bots, staff)", t.skipped, t.staff)
	if t.superseded > 0 {
		s += fmt.Sprintf(", skipped %d (a later version of the record follows)", t.superseded)
	}
	return s
}

func runImport(cmd *cobra.Command, a *app, f importFlags) error {
	if err := checkMins(minInt{"chunk", f.chunk, 1}); err != nil {
		return err
	}
	// The body limit is the publisher's in a dry run too, so that both
	// reject the same records.
	cfg, err := a.config()
	if err != nil {
		return err
	}
	if f.file == "-" && f.source == "jsonl" {
		if streamed, err := streamRecords(cmd, a, f, int(cfg.Worker.MaxBodyBytes)); streamed {
			return err
		}
	}
	items, err := untilStopped(cmd.Context(), func() ([]sources.Item, error) {
		return readImport(cmd, f, int(cfg.Worker.MaxBodyBytes))
	})
	if err != nil {
		return err
	}
	if f.source == "csv" {
		sources.RejectIDConflicts(items) // rows a team wrote or exported hold a record once
	} else {
		sources.KeepLastVersions(items) // an incremental export lists a ticket once per update
	}
	stderr := cmd.ErrOrStderr()
	var t importTotals
	recs, recPos := t.sort(items, stderr)
	if f.dryRun {
		if err := printRecords(cmd.OutOrStdout(), recs); err != nil {
			return err
		}
		return t.report(stderr, true)
	}
	if err := publishImport(cmd, a, f, recs, recPos, &t); err != nil {
		return err
	}
	return t.report(stderr, false)
}

// untilStopped returns what read returns, or ctx's error as soon as ctx
// is done: reading and mapping a large input (or a pipe that has not
// ended) takes no context, and Ctrl-C must not wait for it. The read
// goes on unwatched until the process exits.
func untilStopped(ctx context.Context, read func() ([]sources.Item, error)) ([]sources.Item, error) {
	type result struct {
		items []sources.Item
		err   error
	}
	done := make(chan result, 1)
	go func() {
		items, err := read()
		done <- result{items, err}
	}()
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case r := <-done:
		return r.items, r.err
	}
}

// sort counts items by what happened to them, reports on w each that is
// not published and why, and returns the records to publish with their
// positions.
func (t *importTotals) sort(items []sources.Item, stderr io.Writer) ([]*feedback.Record, []sources.Position) {
	t.read += len(items)
	var recs []*feedback.Record
	var recPos []sources.Position
	for _, it := range items {
		switch {
		case errors.Is(it.Err, sources.ErrNotCustomer):
			t.staff++
			fmt.Fprintf(stderr, "%s: %v\n", it.Pos, it.Err)
		case errors.Is(it.Err, sources.ErrSkipped):
			t.skipped++
			fmt.Fprintf(stderr, "%s: %v\n", it.Pos, it.Err)
		case errors.Is(it.Err, sources.ErrSuperseded):
			t.superseded++
			fmt.Fprintf(stderr, "%s: %v\n", it.Pos, it.Err)
		case it.Err != nil:
			t.rejected++
			fmt.Fprintf(stderr, "%s: rejected: %v\n", it.Pos, it.Err)
		default:
			recs = append(recs, it.Record)
			recPos = append(recPos, it.Pos)
		}
	}
	t.publishable += len(recs)
	return recs, recPos
}

// printRecords writes recs as JSON lines: what a dry run would publish.
func printRecords(w io.Writer, recs []*feedback.Record) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, r := range recs {
		if err := enc.Encode(r); err != nil {
			return fmt.Errorf("write records: %w", err)
		}
	}
	return nil
}

// report writes the totals line, and returns the import's error, if any.
func (t importTotals) report(stderr io.Writer, dryRun bool) error {
	if dryRun {
		fmt.Fprintf(stderr, "dry run: read %d, would publish %d, %s, rejected %d\n",
			t.read, t.publishable, t.skips(), t.rejected)
	} else {
		fmt.Fprintf(stderr, "read %d, published %d, duplicates skipped by JetStream %d, %s, rejected %d, failed %d\n",
			t.read, t.published, t.duplicates, t.skips(), t.rejected, t.failed)
	}
	t.staffHint(stderr)
	return t.err()
}

// staffHint says how to import what was skipped as staff text, when
// anything was.
func (t importTotals) staffHint(w io.Writer) {
	if t.staff > 0 {
		fmt.Fprintln(w, "--include-staff imports what agents, bots, staff and maintainers wrote too, marked with metadata.author_role")
	}
}

func (t importTotals) err() error {
	switch {
	case t.failed > 0:
		return fmt.Errorf("%d records were not published; run the import again (ids are stable, nothing is stored twice)", t.failed)
	case t.rejected > 0:
		return fmt.Errorf("%d of %d items rejected (listed above)", t.rejected, t.read)
	}
	return nil
}

// readsDates reports whether a flag says how to read CSV dates.
func (f importFlags) readsDates() bool {
	return f.dateOrder != "" || f.idDateOrder != "" || f.dateLayout != ""
}

// readImport maps the input named by the flags and judges its records by
// maxBodyBytes, the body limit they are published with.
func readImport(cmd *cobra.Command, f importFlags, maxBodyBytes int) ([]sources.Item, error) {
	items, err := mapImport(cmd, f, maxBodyBytes)
	if err != nil {
		return nil, err
	}
	sources.WithBodyLimit(items, maxBodyBytes)
	return items, nil
}

// mapImport maps the input named by the flags.
func mapImport(cmd *cobra.Command, f importFlags, maxBodyBytes int) ([]sources.Item, error) {
	if f.source == "notes" {
		if f.dir == "" {
			return nil, errors.New("--source notes needs --dir")
		}
		if f.readsDates() {
			return nil, errors.New("--date-order, --id-date-order and --date-layout are for --source csv, not notes")
		}
		return sources.Notes{Source: f.sourceName}.MapDir(f.dir)
	}
	if f.dir != "" {
		return nil, errors.New("--dir is for --source notes; give --file")
	}
	if f.file == "" {
		return nil, errors.New("give --file (or - for standard input)")
	}
	var m sources.Mapper
	switch f.source {
	case "csv":
		columns, err := sources.ParseColumnMap(f.columns)
		if err != nil {
			return nil, fmt.Errorf("--map: %w", err)
		}
		m = sources.CSV{Source: f.sourceName, Kind: f.kind, Columns: columns, DateOrder: f.dateOrder, IDDateOrder: f.idDateOrder, DateLayout: f.dateLayout}
	default:
		var ok bool
		if m, ok = sources.Lookup(f.source); !ok {
			return nil, fmt.Errorf("--source %q: want one of %s", f.source, strings.Join(append(sources.Names(), "csv", "notes"), ", "))
		}
		if _, ok := m.(sources.Records); ok {
			m = sources.Records{MaxBodyBytes: maxBodyBytes} // validates as it decodes
		}
		if f.columns != "" || f.sourceName != "" || f.kind != "" || f.readsDates() {
			return nil, fmt.Errorf("--map, --source-name, --kind, --date-order, --id-date-order and --date-layout are for --source csv, not %s", f.source)
		}
	}
	var data []byte
	var err error
	name := f.file
	if f.file == "-" {
		name = "stdin"
		data, err = io.ReadAll(cmd.InOrStdin())
	} else {
		data, err = os.ReadFile(f.file)
	}
	if err != nil {
		return nil, fmt.Errorf("read input: %w", err)
	}
	items, err := m.Map(data, sources.Options{BaseURL: f.baseURL, Parent: f.parent, IncludeStaff: f.includeStaff})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	for i := range items {
		if items[i].Pos.File == "" {
			items[i].Pos.File = name
		}
	}
	return items, nil
}

// publishImport sends recs in chunks, each acknowledged before the next.
func publishImport(cmd *cobra.Command, a *app, f importFlags, recs []*feedback.Record, pos []sources.Position, t *importTotals) error {
	if len(recs) == 0 {
		return nil
	}
	pub, err := openImportPublisher(cmd, a)
	if err != nil {
		return err
	}
	defer pub.close()
	bar := progressBar(pub.stderr, len(recs), "publishing")
	err = pub.sendChunks(cmd.Context(), recs, pos, f.chunk, t, func(n int) {
		if bar != nil {
			_ = bar.Add(n)
		}
	})
	if err != nil {
		return err
	}
	if bar != nil {
		_ = bar.Finish()
		fmt.Fprintln(pub.stderr)
	}
	return nil
}

// importPublisher publishes an import's records to JetStream.
type importPublisher struct {
	pub    *ingest.Publisher
	close  func()
	stderr io.Writer
}

func openImportPublisher(cmd *cobra.Command, a *app) (*importPublisher, error) {
	cfg, log, err := a.configAndLogger()
	if err != nil {
		return nil, err
	}
	nc, js, err := ingest.Connect(cfg.NATS, "feedbackloop-import", log)
	if err != nil {
		return nil, err
	}
	if err := ingest.EnsureStreams(cmd.Context(), js, cfg.NATS); err != nil {
		nc.Close()
		return nil, err
	}
	return &importPublisher{pub: ingest.NewPublisher(js, int(cfg.Worker.MaxBodyBytes)), close: nc.Close, stderr: cmd.ErrOrStderr()}, nil
}

// sendChunks publishes recs in chunks of chunk records, each
// acknowledged before the next, and calls sent after each.
func (p *importPublisher) sendChunks(ctx context.Context, recs []*feedback.Record, pos []sources.Position, chunk int, t *importTotals, sent func(n int)) error {
	for start := 0; start < len(recs); start += chunk {
		end := min(start+chunk, len(recs))
		if err := p.send(ctx, recs[start:end], pos[start:end], t); err != nil {
			return err
		}
		sent(end - start)
	}
	return nil
}

// send publishes one chunk of records and waits for its
// acknowledgements, counting each record's outcome in t and reporting
// those not published.
func (p *importPublisher) send(ctx context.Context, recs []*feedback.Record, pos []sources.Position, t *importTotals) error {
	stderr := p.stderr
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	outcomes, err := p.pub.Publish(cctx, recs)
	cancel()
	if err != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	for i, o := range outcomes {
		at := pos[i]
		switch {
		case o.Err != nil && isContract(o.Err):
			t.rejected++
			fmt.Fprintf(stderr, "%s: rejected: %v\n", at, o.Err)
		case o.Err != nil:
			t.failed++
			fmt.Fprintf(stderr, "%s: not published: %v\n", at, o.Err)
		case err != nil:
			// The wait for acknowledgements timed out: whether this
			// one was stored is unknown, so it counts as not published.
			t.failed++
		case o.Duplicate:
			t.duplicates++
		default:
			t.published++
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s..%s: %v\n", pos[0], pos[len(pos)-1], err)
	}
	return nil
}

func isContract(err error) bool {
	_, ok := feedback.AsError(err)
	return ok
}

// progressBar draws on w only when it is a terminal; total -1 when it
// is not known.
func progressBar(w io.Writer, total int, description string, more ...progressbar.Option) *progressbar.ProgressBar {
	file, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(file.Fd())) {
		return nil
	}
	return progressbar.NewOptions(total, append([]progressbar.Option{
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(description),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100 * time.Millisecond),
	}, more...)...)
}
