package sources

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/feedbackloop/feedbackloop/feedback"
)

// Records reads records that already follow the message contract: JSON
// lines (one record per line), a JSON array of records, or one record. Each
// is decoded and validated with feedback.Decode, so a bad line is reported
// with the contract's reason and field. A record whose metadata.author_role
// names someone other than a customer (agent, bot, staff, maintainer, ...)
// is skipped with ErrNotCustomer unless Options.IncludeStaff.
type Records struct {
	// MaxBodyBytes is the body limit records are validated against, the
	// publisher's; feedback.DefaultMaxBodyBytes when 0.
	MaxBodyBytes int
}

var _ Mapper = Records{}

// Name implements Mapper.
func (Records) Name() string { return "jsonl" }

// Map implements Mapper.
func (rs Records) Map(data []byte, opts Options) ([]Item, error) {
	return mapDocuments(data, func(raw json.RawMessage, pos Position) ([]Item, error) {
		return rs.value(raw, pos, opts)
	})
}

// MapLine maps line n of JSON lines that arrive a line at a time (a
// producer piped into publish), as Map maps the line in a whole input: a
// blank line holds no item, a line that is not JSON is one failed item.
func (rs Records) MapLine(line []byte, n int, opts Options) []Item {
	line = bytes.TrimSpace(withoutBOM(line))
	if len(line) == 0 {
		return nil
	}
	pos := Position{Line: n}
	var raw json.RawMessage
	if err := json.Unmarshal(line, &raw); err != nil {
		return []Item{failed(pos, fmt.Errorf("not JSON: %v", err))}
	}
	items, err := rs.value(raw, pos, opts)
	if err != nil {
		return []Item{failed(pos, err)}
	}
	return items
}

// IsJSONLine reports whether line is a JSON object or array on its own,
// as the first line of JSON lines is and a pretty-printed document's is
// not.
func IsJSONLine(line []byte) bool {
	line = bytes.TrimSpace(withoutBOM(line))
	return len(line) > 0 && (line[0] == '{' || line[0] == '[') && json.Valid(line)
}

// value maps one JSON value at pos: a record, or an array of them.
func (rs Records) value(raw json.RawMessage, pos Position, opts Options) ([]Item, error) {
	els, isArray, err := elements(raw)
	if err != nil {
		return nil, err
	}
	items := make([]Item, 0, len(els))
	for i, el := range els {
		p := withPath(pos, indexPath("", i, isArray))
		r, err := feedback.Decode(el, rs.MaxBodyBytes)
		if err != nil {
			items = append(items, failed(p, err))
			continue
		}
		items = append(items, opts.judge(Item{Pos: p, Record: r}))
	}
	return items, nil
}

// Lines gathers JSON that arrives a line at a time into values, for
// Records.MapLine: a line that holds a value is one, and a value printed
// over several lines (a pretty-printed record among JSON lines) is
// gathered until it is whole. A value left open is given back, broken,
// when a line that is a value on its own starts at the left margin, when
// a line of it ends inside a string (a JSON string never spans lines: a
// record cut short), when it outgrows Limit bytes, or at End: MapLine then
// reports it where it began. Each line is read once, so gathering a large
// value takes time in its size, not in its size times its lines.
type Lines struct {
	// Limit bounds a value being gathered; 0 is 16 MiB.
	Limit int
	buf   []byte
	from  int
	depth int // brackets open in buf, outside strings
}

// LineValue is a value's text and the number of the line it begins on.
type LineValue struct {
	Text []byte
	Line int
}

// Add takes line n and returns the values it completes: none while a
// value is gathered, two when it gives a broken one back along with the
// line.
func (ls *Lines) Add(line []byte, n int) []LineValue {
	trimmed := bytes.TrimSpace(line)
	if len(ls.buf) == 0 {
		if len(trimmed) == 0 {
			return nil
		}
		// A line that opens no value, or closes what it opens, is one
		// on its own, whole or broken: MapLine judges it, and each line
		// of JSON lines is parsed once, there.
		ls.depth = 0
		if (trimmed[0] != '{' && trimmed[0] != '[') || !ls.scan(trimmed) {
			return []LineValue{{trimmed, n}}
		}
		ls.buf, ls.from = append(ls.buf, trimmed...), n
		return nil
	}
	if len(line) > 0 && (line[0] == '{' || line[0] == '[') && json.Valid(trimmed) {
		return append(ls.End(), LineValue{trimmed, n})
	}
	ls.buf = append(append(ls.buf, '\n'), trimmed...)
	limit := ls.Limit
	if limit <= 0 {
		limit = 16 << 20
	}
	if !ls.scan(trimmed) || len(ls.buf) > limit {
		return ls.End()
	}
	return nil
}

// scan follows the brackets of a line of the value being gathered and
// reports whether the value is still open after it: not when its
// brackets all closed (it is whole, or broken by what follows), nor when
// the line ends inside a string.
func (ls *Lines) scan(line []byte) bool {
	inString, escaped := false, false
	for _, c := range line {
		switch {
		case escaped:
			escaped = false
		case inString:
			switch c {
			case '\\':
				escaped = true
			case '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			ls.depth++
		case c == '}' || c == ']':
			ls.depth--
		}
	}
	return !inString && ls.depth > 0
}

// End returns the value being gathered, if any: at the end of the input
// it is broken.
func (ls *Lines) End() []LineValue {
	if len(ls.buf) == 0 {
		return nil
	}
	v := LineValue{ls.buf, ls.from}
	ls.buf, ls.depth = nil, 0
	return []LineValue{v}
}
