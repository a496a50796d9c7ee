package sources

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/feedbackloop/feedbackloop/feedback"
)

// Mapper turns what one source exports, returns from its API or posts to a
// webhook into feedback records.
//
// Map is given the raw bytes of one input (a file, an HTTP response body, a
// webhook request body). It returns one Item per item it found, in input
// order: a valid record, or the reason the item could not be mapped. The
// error is non-nil only when the input as a whole cannot be read (not JSON,
// not the source's shape); the items of a readable input never stop at the
// first bad one. Mappers hold no state and are safe for concurrent use.
type Mapper interface {
	// Name is the source name used on the command line (--source) and,
	// for the built-in sources, in the records' source field.
	Name() string
	Map(data []byte, opts Options) ([]Item, error)
}

// Options tell a mapper what its input does not say about itself.
type Options struct {
	// BaseURL is where items are seen by people, for sources whose
	// payloads carry no link: the Discourse forum (https://forum.example.com),
	// the Freshdesk or Zendesk helpdesk (https://acme.freshdesk.com), the
	// Intercom workspace inbox (https://app.intercom.com/a/inbox/<app id>).
	BaseURL string
	// Parent is the native id of the ticket the items belong to, for
	// inputs that list comments without naming their ticket (Zendesk's
	// GET /tickets/{id}/comments).
	Parent string
	// Event is the event name a webhook request carried in a header
	// (X-GitHub-Event, X-Discourse-Event); empty for files.
	Event string
	// IncludeStaff maps what agents, bots, staff, moderators and
	// maintainers wrote (replies, internal notes, automated answers) to
	// records marked with metadata.author_role, instead of skipping it
	// with ErrNotCustomer. See ErrNotCustomer for what each source says.
	IncludeStaff bool
}

// Item is one item of an input: a record, or why there is none.
type Item struct {
	Pos    Position
	Record *feedback.Record
	// Err says why the item could not be mapped. errors.Is(Err,
	// ErrSkipped) for items that are not feedback (a pull request, a
	// deleted comment) and were left out on purpose.
	Err error
}

// Position locates an item in its input.
type Position struct {
	// File is the file the item came from, when an input spans files
	// (interview notes); empty otherwise.
	File string
	// Line is the 1-based line where the item's JSON document or CSV row
	// starts; 0 when unknown.
	Line int
	// Path is the item inside its document, e.g. "tickets[3]"; empty when
	// the document is the item.
	Path string
}

func (p Position) String() string {
	if p.File != "" {
		inner := Position{Line: p.Line, Path: p.Path}
		if p.Line > 0 {
			inner.Line = 0
			if p.Path == "" {
				return fmt.Sprintf("%s:%d", p.File, p.Line)
			}
			return fmt.Sprintf("%s:%d: %s", p.File, p.Line, inner)
		}
		if p.Path == "" {
			return p.File
		}
		return p.File + ": " + inner.String()
	}
	switch {
	case p.Line > 0 && p.Path != "":
		return fmt.Sprintf("line %d, %s", p.Line, p.Path)
	case p.Line > 0:
		return fmt.Sprintf("line %d", p.Line)
	case p.Path != "":
		return p.Path
	}
	return "input"
}

// ErrSkipped marks items that are deliberately not mapped because they are
// not customer feedback.
var ErrSkipped = errors.New("skipped")

type skipError struct {
	reason string
	id     string // the record id the item would have had, when known
}

func (e *skipError) Error() string        { return "skipped: " + e.reason }
func (e *skipError) Is(target error) bool { return target == ErrSkipped }

func skip(format string, args ...any) error {
	return &skipError{reason: fmt.Sprintf(format, args...)}
}

// skipVersion is skip for an item that is a version of record id, one
// that is no longer feedback (a ticket marked as spam, a deleted post):
// KeepLastVersions lets it supersede the input's earlier versions.
func skipVersion(id, format string, args ...any) error {
	return &skipError{reason: fmt.Sprintf(format, args...), id: id}
}

// mapError is an item that has the source's shape but lacks what a record
// needs. Field names the source's field, not the record's.
type mapError struct {
	field, detail string
}

func (e *mapError) Error() string {
	if e.field == "" {
		return e.detail
	}
	return e.field + ": " + e.detail
}

func missingField(field string) error { return &mapError{field: field, detail: "is missing or empty"} }

// Field returns the input field an item error names, if any: the source's
// field for mapping errors, the record's field for contract violations.
func Field(err error) string {
	var me *mapError
	if errors.As(err, &me) {
		return me.field
	}
	if fe, ok := feedback.AsError(err); ok {
		return fe.Field
	}
	return ""
}

// registry lists the built-in mappers by name. CSV and notes are not here:
// they need more than bytes (a column mapping, a directory).
var registry = map[string]Mapper{
	"zendesk":   Zendesk{},
	"freshdesk": Freshdesk{},
	"intercom":  Intercom{},
	"discourse": Discourse{},
	"github":    GitHub{},
	"reddit":    Reddit{},
	"jsonl":     Records{},
}

// Lookup returns the mapper registered under name.
func Lookup(name string) (Mapper, bool) {
	m, ok := registry[name]
	return m, ok
}

// Names lists the registered mappers, sorted.
func Names() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// finish validates a mapped record and turns it into an item.
func finish(pos Position, r *feedback.Record) Item {
	r.Body = strings.TrimSpace(r.Body)
	r.Title = strings.TrimSpace(r.Title)
	r.Tags = cleanTags(r.Tags)
	if r.Author != nil && *r.Author == (feedback.Author{}) {
		r.Author = nil
	}
	if r.Account != nil && *r.Account == (feedback.Account{}) {
		r.Account = nil
	}
	if len(r.Metadata) == 0 {
		r.Metadata = nil
	}
	if err := r.Validate(); err != nil {
		if r.ValidateLimit(math.MaxInt) == nil {
			// Valid but for its body's length, which another limit
			// than the default may allow: see WithBodyLimit.
			return Item{Pos: pos, Err: &overDefaultLimit{record: r, err: err}}
		}
		return Item{Pos: pos, Err: err}
	}
	return Item{Pos: pos, Record: r}
}

// overDefaultLimit is the error of an item whose record is valid but for
// its body, longer than feedback.DefaultMaxBodyBytes: a rejected item with
// the contract's error to every caller, until WithBodyLimit judges it by
// the limit records are published with.
type overDefaultLimit struct {
	record *feedback.Record
	err    error
}

func (e *overDefaultLimit) Error() string { return e.err.Error() }
func (e *overDefaultLimit) Unwrap() error { return e.err }

// WithBodyLimit judges the records of items by maxBodyBytes, the body
// limit they are published with (worker.max_body_bytes), instead of
// feedback.DefaultMaxBodyBytes, which mappers check: a record longer
// than the default but within maxBodyBytes is a record again, and one
// longer than maxBodyBytes is rejected naming that limit. A dry run that
// applies it rejects what the publisher would. maxBodyBytes <= 0 is the
// default.
func WithBodyLimit(items []Item, maxBodyBytes int) {
	if maxBodyBytes <= 0 {
		maxBodyBytes = feedback.DefaultMaxBodyBytes
	}
	for i, it := range items {
		r := it.Record
		var over *overDefaultLimit
		if errors.As(it.Err, &over) {
			r = over.record
		} else if r != nil && maxBodyBytes >= feedback.DefaultMaxBodyBytes {
			continue // valid under the default limit, so under this one
		}
		if r == nil {
			continue
		}
		if err := r.ValidateLimit(maxBodyBytes); err != nil {
			items[i] = failed(it.Pos, err)
			continue
		}
		items[i] = Item{Pos: it.Pos, Record: r}
	}
}

func cleanTags(tags []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range tags {
		t = strings.TrimSpace(t)
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	return out
}

func failed(pos Position, err error) Item { return Item{Pos: pos, Err: err} }

// meta builds a metadata map from key/value pairs, leaving out empty values.
func meta(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			m[kv[i]] = kv[i+1]
		}
	}
	return m
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}
