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
	line = bytes.TrimSpace(bytes.TrimPrefix(line, []byte("\xef\xbb\xbf")))
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
	line = bytes.TrimSpace(bytes.TrimPrefix(line, []byte("\xef\xbb\xbf")))
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
