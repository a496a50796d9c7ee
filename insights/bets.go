package insights

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/feedbackloop/feedbackloop/internal/csvrow"
	"github.com/feedbackloop/feedbackloop/internal/yamlerr"
	"gopkg.in/yaml.v3"
)

// Bet is a roadmap bet: what the team decided to build and which feedback
// themes it answers.
type Bet struct {
	ID        string     `json:"id" yaml:"id"`
	Title     string     `json:"title" yaml:"title"`
	Status    string     `json:"status" yaml:"status"`
	Owner     string     `json:"owner,omitempty" yaml:"owner"`
	Themes    []string   `json:"themes" yaml:"themes"`
	ShippedAt *time.Time `json:"shipped_at,omitempty" yaml:"-"`
	Notes     string     `json:"notes,omitempty" yaml:"notes"`
}

// BetStatuses in the order a bet moves through them.
var BetStatuses = []string{"exploring", "committed", "in_progress", "shipped", "dropped"}

// active reports whether a bet still promises to address its themes.
func (b *Bet) active() bool {
	return b.Status == "exploring" || b.Status == "committed" || b.Status == "in_progress"
}

var betID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// BetError is a bet in an import file that cannot be used.
type BetError struct {
	File  string
	Line  int
	Field string
	Value string
	Msg   string
}

func (e *BetError) Error() string {
	where := e.File
	if e.Line > 0 {
		where = fmt.Sprintf("%s line %d", e.File, e.Line)
	}
	if e.Field == "" {
		return where + ": " + e.Msg
	}
	return fmt.Sprintf("%s: %s %q: %s", where, e.Field, e.Value, e.Msg)
}

// validate checks one bet; line is where it starts in its file.
func (b *Bet) validate(file string, line int) error {
	bad := func(field, value, msg string, args ...any) error {
		return &BetError{File: file, Line: line, Field: field, Value: value, Msg: fmt.Sprintf(msg, args...)}
	}
	switch {
	case !betID.MatchString(b.ID):
		return bad("id", b.ID, "want 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit")
	case strings.TrimSpace(b.Title) == "":
		return bad("title", b.Title, "is required")
	case !slices.Contains(BetStatuses, b.Status):
		return bad("status", b.Status, "want one of %s", strings.Join(BetStatuses, ", "))
	case b.Status == "shipped" && b.ShippedAt == nil:
		return bad("shipped_at", "", "is required when status is shipped")
	case len(b.Themes) == 0:
		return bad("themes", "", "name at least one theme")
	}
	for _, th := range b.Themes {
		if strings.TrimSpace(th) == "" || len(th) > 128 {
			return bad("themes", th, "each theme must be a non-empty name of at most 128 characters")
		}
	}
	return nil
}

// yamlBet is a bet as written in YAML; shipped_at is read as text so that
// a bad date is reported with its line.
type yamlBet struct {
	Bet       `yaml:",inline"`
	ShippedAt string `yaml:"shipped_at"`
}

// ParseBetsYAML reads bets from YAML: either a list of bets or a mapping
// with a "bets" list. Every problem names the file, line and field.
func ParseBetsYAML(file string, r io.Reader) ([]Bet, error) {
	src, err := io.ReadAll(r)
	if err != nil {
		return nil, &BetError{File: file, Msg: err.Error()}
	}
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(src)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &BetError{File: file, Msg: "no bets in the file"}
		}
		line, msg := yamlerr.Explain(src, err)
		return nil, &BetError{File: file, Line: line, Msg: msg}
	}
	list := &doc
	if list.Kind == yaml.DocumentNode && len(list.Content) == 1 {
		list = list.Content[0]
	}
	if list.Kind == yaml.MappingNode {
		var found *yaml.Node
		for i := 0; i+1 < len(list.Content); i += 2 {
			if list.Content[i].Value == "bets" {
				found = list.Content[i+1]
			}
		}
		if found == nil {
			return nil, &BetError{File: file, Line: list.Line, Msg: `want a list of bets or a "bets:" list`}
		}
		list = found
	}
	if list.Kind != yaml.SequenceNode {
		return nil, &BetError{File: file, Line: list.Line, Msg: "want a list of bets"}
	}
	var out []Bet
	for _, n := range list.Content {
		var yb yamlBet
		if err := n.Decode(&yb); err != nil {
			return nil, &BetError{File: file, Line: n.Line, Msg: err.Error()}
		}
		b := yb.Bet
		if yb.ShippedAt != "" {
			t, err := time.ParseInLocation("2006-01-02", yb.ShippedAt, time.UTC)
			if err != nil {
				return nil, &BetError{File: file, Line: keyLine(n, "shipped_at"), Field: "shipped_at", Value: yb.ShippedAt, Msg: "want a date as YYYY-MM-DD"}
			}
			b.ShippedAt = &t
		}
		if err := b.validate(file, n.Line); err != nil {
			// A bad field's own line; a missing one's is the bet's.
			if be, ok := err.(*BetError); ok && be.Field != "" {
				be.Line = keyLine(n, be.Field)
			}
			return nil, err
		}
		out = append(out, b)
	}
	return out, checkUnique(file, out)
}

// keyLine is the line of key in the mapping n, or n's own line when n
// has no such key.
func keyLine(n *yaml.Node, key string) int {
	if line := yamlerr.KeyLine(n, key); line > 0 {
		return line
	}
	return n.Line
}

// betColumns are the CSV header names; themes are separated by ";" or "|".
var betColumns = []string{"id", "title", "status", "owner", "themes", "shipped_at", "notes"}

// ParseBetsCSV reads bets from CSV with a header row naming the columns
// id, title, status, owner, themes, shipped_at and notes (any order; owner,
// shipped_at and notes may be absent). Columns are separated by commas, or
// by semicolons or tabs when the header is (see csvrow.NewReader).
func ParseBetsCSV(file string, r io.Reader) ([]Bet, error) {
	cr := csvrow.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, &BetError{File: file, Line: 1, Msg: "want a header row: " + strings.Join(betColumns, ",")}
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if !slices.Contains(betColumns, h) {
			return nil, &BetError{File: file, Line: 1, Field: "column", Value: h, Msg: "want one of " + strings.Join(betColumns, ", ")}
		}
		col[h] = i
	}
	for _, need := range []string{"id", "title", "status", "themes"} {
		if _, ok := col[need]; !ok {
			return nil, &BetError{File: file, Line: 1, Field: "column", Value: need, Msg: "is missing from the header"}
		}
	}
	var out []Bet
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			if at, perr := csvrow.ParseError(err); at > 0 {
				line, err = at, perr
			}
			return nil, &BetError{File: file, Line: line, Msg: err.Error()}
		}
		if err := csvrow.Overflow(rec, len(header)); err != nil {
			return nil, &BetError{File: file, Line: line, Msg: err.Error()}
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		b := Bet{ID: get("id"), Title: get("title"), Status: get("status"), Owner: get("owner"), Notes: get("notes")}
		for _, th := range strings.FieldsFunc(get("themes"), func(r rune) bool { return r == ';' || r == '|' }) {
			b.Themes = append(b.Themes, strings.TrimSpace(th))
		}
		if s := get("shipped_at"); s != "" {
			t, err := time.ParseInLocation("2006-01-02", s, time.UTC)
			if err != nil {
				return nil, &BetError{File: file, Line: line, Field: "shipped_at", Value: s, Msg: "want a date as YYYY-MM-DD"}
			}
			b.ShippedAt = &t
		}
		if err := b.validate(file, line); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	if len(out) == 0 {
		return nil, &BetError{File: file, Msg: "no bets in the file"}
	}
	return out, checkUnique(file, out)
}

func checkUnique(file string, bets []Bet) error {
	seen := map[string]bool{}
	for _, b := range bets {
		if seen[b.ID] {
			return &BetError{File: file, Field: "id", Value: b.ID, Msg: "appears twice"}
		}
		seen[b.ID] = true
	}
	return nil
}

// ImportBets stores bets as a new version of each: a bet imported again
// replaces its earlier version, and bets absent from the import are kept.
// It returns the version written.
func (s *Store) ImportBets(ctx context.Context, bets []Bet) (uint64, error) {
	if len(bets) == 0 {
		return 0, nil
	}
	version := uint64(time.Now().UnixNano())
	batch, err := s.conn.PrepareBatch(ctx, "INSERT INTO "+s.table("bets")+" (id, title, status, owner, themes, shipped_at, notes, version, imported_at)")
	if err != nil {
		return 0, fmt.Errorf("import bets: %w", err)
	}
	defer func() {
		if !batch.IsSent() {
			_ = batch.Abort()
		}
	}()
	now := time.Now().UTC().Truncate(time.Second)
	for _, b := range bets {
		if err := batch.Append(b.ID, b.Title, b.Status, b.Owner, b.Themes, b.ShippedAt, b.Notes, version, now); err != nil {
			return 0, fmt.Errorf("import bet %s: %w", b.ID, err)
		}
	}
	if err := batch.Send(); err != nil {
		return 0, fmt.Errorf("import bets: %w", err)
	}
	return version, nil
}

// ListBets returns the newest version of every bet, by id. (shipped_at is
// wrapped in a tuple because argMax skips NULLs, which would resurrect an
// old ship date that a newer version removed.)
//
// ListBets returns the newest version of every bet, by id.
func (s *Store) ListBets(ctx context.Context) ([]Bet, error) {
	var out []Bet
	err := s.query(ctx, `SELECT id, argMax(title, version), argMax(status, version), argMax(owner, version),
	argMax(themes, version), tupleElement(argMax(tuple(shipped_at), version), 1), argMax(notes, version)
FROM `+s.table("bets")+` GROUP BY id ORDER BY id`, nil, func(r driver.Rows) error {
		var b Bet
		if err := r.Scan(&b.ID, &b.Title, &b.Status, &b.Owner, &b.Themes, &b.ShippedAt, &b.Notes); err != nil {
			return err
		}
		if b.ShippedAt != nil {
			t := b.ShippedAt.UTC()
			b.ShippedAt = &t
		}
		out = append(out, b)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list bets: %w", err)
	}
	return out, nil
}
