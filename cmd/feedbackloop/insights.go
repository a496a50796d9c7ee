package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/feedbackloop/feedbackloop/insights"
)

// queryFlags are the flags every insight query shares: the output format
// and the feedback filter.
type queryFlags struct {
	format                          string
	from, to                        string
	sources, kinds, plans, accounts []string
}

func (f *queryFlags) bind(cmd *cobra.Command, withDates bool) {
	fl := cmd.Flags()
	fl.StringVar(&f.format, "format", "table", "output: table, json or csv")
	if withDates {
		fl.StringVar(&f.from, "from", "", "first day, YYYY-MM-DD (UTC)")
		fl.StringVar(&f.to, "to", "", "day after the last, YYYY-MM-DD (UTC)")
	}
	fl.StringSliceVar(&f.sources, "source", nil, "only these sources (repeat or comma-separate)")
	fl.StringSliceVar(&f.kinds, "kind", nil, "only these kinds")
	fl.StringSliceVar(&f.plans, "plan", nil, "only accounts on these plans")
	fl.StringSliceVar(&f.accounts, "account", nil, "only these account ids")
}

// filter turns the flags into an insights.Filter, naming the flag of a
// bad value.
func (f *queryFlags) filter() (insights.Filter, error) {
	flt := insights.Filter{Sources: f.sources, Kinds: f.kinds, Plans: f.plans, Accounts: f.accounts}
	var err error
	if f.from != "" {
		if flt.From, err = insights.ParseDate("--from", f.from); err != nil {
			return flt, err
		}
	}
	if f.to != "" {
		if flt.To, err = insights.ParseDate("--to", f.to); err != nil {
			return flt, err
		}
	}
	return flt, nil
}

func (f *queryFlags) output() (insights.Format, error) {
	format, err := insights.ParseFormat(f.format)
	if err != nil {
		return "", fmt.Errorf("--format: %w", err)
	}
	return format, nil
}

// withStore opens ClickHouse from the configuration, checks that its
// schema is current, and runs fn with an insights.Store over it, which
// reads the rollup after serve.settle as serve does.
func withStore(ctx context.Context, a *app, fn func(*insights.Store) error) error {
	cfg, err := a.config()
	if err != nil {
		return err
	}
	ch, err := a.clickhouse(ctx)
	if err != nil {
		return err
	}
	defer ch.Close()
	store, err := insights.New(ch.Conn(), ch.Database(), insights.WithSettle(cfg.Serve.Settle))
	if err != nil {
		return err
	}
	return fn(store)
}

// refreshFirst brings the insights rollup up to date when asked, telling
// what it did on stderr (stdout stays the report).
func refreshFirst(cmd *cobra.Command, s *insights.Store, refresh bool) error {
	if !refresh {
		return nil
	}
	stats, err := s.Refresh(cmd.Context())
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(cmd.ErrOrStderr(), "refreshed %d periods of the rollup in %s\n", stats.Periods, stats.Took.Round(time.Millisecond))
	return err
}

// refreshHelp is the --refresh flag's help.
const refreshHelp = "bring the insights rollup up to date first (what serve does every minute): slow once after a large import, then fast"

// render writes a report in the chosen format.
func render(w io.Writer, format insights.Format, r insights.Report) error {
	return insights.Write(w, format, r)
}

// reportFlags are what the window queries (emerging, bets, outcome,
// quotes) share besides their own: the format, where the window ends, and
// whether to refresh the rollup first.
type reportFlags struct {
	format, end string
	refresh     bool
}

func (f *reportFlags) bind(cmd *cobra.Command, endHelp string, withRefresh bool) {
	fl := cmd.Flags()
	if fl.Lookup("format") == nil {
		fl.StringVar(&f.format, "format", "table", "output: table, json or csv")
	}
	fl.StringVar(&f.end, "end", "", endHelp)
	if withRefresh {
		fl.BoolVar(&f.refresh, "refresh", false, refreshHelp)
	}
}

// positiveCounts refuses a count or rate flag given as 0 or less, before
// any server is asked: the queries take 0 for "not given" and put their
// default in its place, which QA saw answer `--last 0` and `--alpha 0` as
// if they were not there; and a negative one was refused by the query's
// name for it ("periods"), and only once ClickHouse answered.
func positiveCounts(cmd *cobra.Command) error {
	var err error
	cmd.Flags().Visit(func(fl *pflag.Flag) {
		if t := fl.Value.Type(); err == nil && (t == "int" || t == "float64") {
			if v, perr := strconv.ParseFloat(fl.Value.String(), 64); perr == nil && v <= 0 {
				err = fmt.Errorf("--%s %s: want more than 0", fl.Name, fl.Value)
			}
		}
	})
	return err
}

// run parses the shared flags, sets the window's end, and renders what
// query returns from a store over the configured ClickHouse.
func (f *reportFlags) run(cmd *cobra.Command, a *app, setEnd func(time.Time), query func(context.Context, *insights.Store) (insights.Report, error)) error {
	if err := positiveCounts(cmd); err != nil {
		return err
	}
	out, err := insights.ParseFormat(f.format)
	if err != nil {
		return fmt.Errorf("--format: %w", err)
	}
	if f.end != "" {
		end, err := insights.ParseDate("--end", f.end)
		if err != nil {
			return err
		}
		setEnd(end)
	}
	ctx := cmd.Context()
	return withStore(ctx, a, func(s *insights.Store) error {
		if err := refreshFirst(cmd, s, f.refresh); err != nil {
			return err
		}
		r, err := query(ctx, s)
		if err != nil {
			return asFlag(cmd, err)
		}
		return render(cmd.OutOrStdout(), out, r)
	})
}

// paramFlags are the query parameters whose flag is named otherwise than
// snake_case to kebab-case.
var paramFlags = map[string]string{"periods": "last"}

// asFlag names a bad value by the flag it came from. insights reports it
// under the API's parameter name (periods, recent_days), which a user of
// the CLI never typed (--last, --recent-days).
func asFlag(cmd *cobra.Command, err error) error {
	var ie *insights.InvalidError
	if !errors.As(err, &ie) {
		return err
	}
	name, ok := paramFlags[ie.Field]
	if !ok {
		name = strings.ReplaceAll(ie.Field, "_", "-")
	}
	if cmd.Flags().Lookup(name) == nil {
		return err
	}
	named := *ie // the same error, said as InvalidError says it
	named.Field = "--" + name
	return &named
}
