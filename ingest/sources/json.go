package sources

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/feedbackloop/feedbackloop/feedback"
)

// document is one JSON value of an input and the line it starts on.
type document struct {
	line int
	raw  json.RawMessage
	err  error // a line of NDJSON that is not JSON
}

// documents splits an input into its JSON values: one for a plain JSON
// file, several for concatenated JSON or NDJSON. When the input as a whole
// is not a stream of JSON values but its first line is one, it is read as
// NDJSON line by line, and a broken line becomes a document with err set so
// that the lines after it are still read.
func documents(data []byte) ([]document, error) {
	data = withoutBOM(data)
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("input is empty")
	}
	var docs []document
	dec := json.NewDecoder(bytes.NewReader(data))
	// The line of each document is counted on from the one before, not
	// from the start of the input: counting from the start made a file of
	// n JSON lines take time in n², minutes for 100,000 lines.
	line, counted := 1, 0
	for {
		start := int(dec.InputOffset())
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if err == io.EOF {
			return docs, nil
		}
		if err != nil {
			if lines, ok := ndjson(data); ok {
				return lines, nil
			}
			return nil, jsonSyntax(data, err)
		}
		at := skipSpace(data, start)
		line += bytes.Count(data[counted:at], []byte("\n"))
		counted = at
		docs = append(docs, document{line: line, raw: raw})
	}
}

// ndjson reads data line by line when it looks like JSON lines: its first
// non-blank line is a JSON value on its own, or that line is broken but
// the next one is a JSON object or array on its own. A broken first line
// is then one bad line like any other, not a reason to refuse the file.
// A pretty-printed document, whose lines are not values on their own,
// opens with a lone { or [ and is never read as JSON lines.
func ndjson(data []byte) ([]document, bool) {
	lines := bytes.Split(data, []byte("\n"))
	var docs []document
	for i, line := range lines {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		var raw json.RawMessage
		err := json.Unmarshal(line, &raw)
		if err != nil && len(docs) == 0 && !brokenFirstLine(line, lines[i+1:]) {
			return nil, false
		}
		if err != nil {
			docs = append(docs, document{line: i + 1, err: fmt.Errorf("not JSON: %v", err)})
			continue
		}
		docs = append(docs, document{line: i + 1, raw: raw})
	}
	return docs, len(docs) > 0
}

// brokenFirstLine reports whether first, the first non-blank line of an
// input and not JSON, is a broken line of JSON lines rather than the
// start of a document: it is more than an opening bracket, and the next
// non-blank line of rest is a JSON object or array on its own.
func brokenFirstLine(first []byte, rest [][]byte) bool {
	// A line that ends opening a value ({"tickets": [) starts a document
	// that goes on below: a broken one is refused whole, naming the line
	// of its error, not read as JSON lines.
	if end := first[len(first)-1]; end == '{' || end == '[' || end == ',' || end == ':' {
		return false
	}
	for _, line := range rest {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		return (line[0] == '{' || line[0] == '[') && json.Valid(line)
	}
	return false
}

func jsonSyntax(data []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		// Offset is just past the byte in error: the line is that byte's,
		// not the next one's when the byte is a line break (a string
		// left open at the end of its line).
		return fmt.Errorf("line %d: not JSON: %v", lineAt(data, int(se.Offset)-1), se)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("not JSON: the input ends in the middle of a value")
	}
	return fmt.Errorf("not JSON: %w", err)
}

// withoutBOM is data without the UTF-8 byte order mark some editors and
// exports put first.
func withoutBOM(data []byte) []byte { return bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) }

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n') {
		i++
	}
	return i
}

func lineAt(data []byte, offset int) int {
	offset = min(max(offset, 0), len(data))
	return bytes.Count(data[:offset], []byte("\n")) + 1
}

// mapDocuments runs each JSON document of data through one, which returns
// the items of that document with paths relative to it.
func mapDocuments(data []byte, one func(raw json.RawMessage, pos Position) ([]Item, error)) ([]Item, error) {
	docs, err := documents(data)
	if err != nil {
		return nil, err
	}
	var items []Item
	for _, d := range docs {
		pos := Position{Line: d.line}
		if d.err != nil {
			items = append(items, failed(pos, d.err))
			continue
		}
		got, err := one(d.raw, pos)
		if err != nil {
			if len(docs) == 1 {
				return nil, err
			}
			items = append(items, failed(pos, err))
			continue
		}
		items = append(items, got...)
	}
	return items, nil
}

// elements returns the members of a JSON array, or the value itself when
// it is not an array.
func elements(raw json.RawMessage) ([]json.RawMessage, bool, error) {
	if first(raw) != '[' {
		return []json.RawMessage{raw}, false, nil
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, true, err
	}
	return list, true, nil
}

// first returns the first non-space byte of a JSON value.
func first(raw []byte) byte {
	i := skipSpace(raw, 0)
	if i < len(raw) {
		return raw[i]
	}
	return 0
}

// keys decodes the top level of a JSON object; nil when raw is not one.
func keys(raw json.RawMessage) map[string]json.RawMessage {
	if first(raw) != '{' {
		return nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil
	}
	return m
}

func isNull(raw json.RawMessage) bool {
	s := bytes.TrimSpace(raw)
	return len(s) == 0 || string(s) == "null"
}

// flexID is an id a source writes as a number in one API and as a string in
// another (Zendesk's REST API and its webhooks, Intercom part ids).
type flexID string

func (f *flexID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case string(b) == "null":
		*f = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexID(s)
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			// encoding/json names the field of a type error: the
			// message is about requester_id, not some id.
			return &json.UnmarshalTypeError{Value: jsonType(b), Type: reflect.TypeFor[flexID]()}
		}
		*f = flexID(integral(n.String()))
	}
	return nil
}

// integral writes a number that is a whole number as one: an id written
// as 1.0 or 1e3 is the id 1 or 1000, not another id that reads "1.0". A
// number with a fraction, or an exponent too large to be an id, is kept as
// written.
func integral(num string) string {
	if !strings.ContainsAny(num, ".eE") {
		return num
	}
	if i := strings.IndexAny(num, "eE"); i >= 0 {
		if exp, err := strconv.Atoi(num[i+1:]); err != nil || exp > 30 || exp < -30 {
			return num
		}
	}
	r, ok := new(big.Rat).SetString(num)
	if !ok || !r.IsInt() {
		return num
	}
	return r.Num().String()
}

// jsonType names the type of a JSON value in JSON's words.
func jsonType(raw json.RawMessage) string {
	switch first(raw) {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "bool" // as encoding/json says
	case 'n', 0:
		return "null"
	}
	return "number"
}

// flexTime is a timestamp written as RFC 3339 text, as a few other common
// layouts, or as Unix seconds (Intercom, Reddit). A value it cannot read is
// kept in err and reported by created against the field that held it.
type flexTime struct {
	t   time.Time
	raw string
	err error
}

var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02 15:04:05.999999999 -0700", // Zendesk audits
	"2006-01-02 15:04:05 -0700 MST",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02T15:04:05.999999999", // no zone: UTC
	"2006-01-02 15:04:05",
	time.RFC1123Z,
	time.RFC1123,
}

func (f *flexTime) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*f = flexTime{raw: string(b)}
	switch {
	case string(b) == "null":
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		f.raw = s
		if strings.TrimSpace(s) != "" {
			f.t, f.err = parseTimeText(s)
		}
	default:
		t, ok := unixText(string(b))
		if !ok {
			f.err = fmt.Errorf("%s is neither a timestamp nor a number", b)
			return nil
		}
		f.t = t
	}
	return nil
}

func parseTimeText(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	if t, ok := unixText(s); ok {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a timestamp", s)
}

var plainDecimal = regexp.MustCompile(`^([0-9]{1,18})(?:\.([0-9]*))?$`)

// unixText reads a number of Unix seconds or milliseconds as unixTime
// does, from its decimal digits when it has no exponent: a float64 holds
// 1710064800.987 as 1710064800.98699998…, which truncates to .986.
func unixText(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if m := plainDecimal.FindStringSubmatch(s); m != nil {
		whole, _ := strconv.ParseInt(m[1], 10, 64)
		if whole > 1e11 {
			return time.UnixMilli(whole).UTC(), true // the fraction is below a millisecond
		}
		ns, _ := strconv.ParseInt((m[2] + "000000000")[:9], 10, 64)
		return time.Unix(whole, ns).UTC().Truncate(time.Millisecond), true
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
		return time.Time{}, false
	}
	return unixTime(n), true
}

// unixTime reads seconds, or milliseconds when the number is too large to
// be seconds before the year 5000, to the millisecond, cutting off what is
// below. Milliseconds are counted in whole numbers: dividing them into
// float seconds made 1710064800123 .122.
func unixTime(n float64) time.Time {
	ms := n
	if n <= 1e11 {
		// n*1000 is off by less than a microsecond: enough to lift
		// 1710064800.987 (…986.9999 ms in floats) to its millisecond,
		// too little to move one that is not so close.
		ms = n*1000 + 1e-3
	}
	return time.UnixMilli(int64(math.Floor(ms))).UTC()
}

// created checks a source's creation time is usable and returns it.
func created(field string, f flexTime) (time.Time, error) {
	if f.err != nil {
		return time.Time{}, &mapError{field: field, detail: f.err.Error()}
	}
	if f.t.IsZero() {
		return time.Time{}, missingField(field)
	}
	if _, err := feedback.ParseTime(f.t.Format(time.RFC3339)); err != nil {
		return time.Time{}, &mapError{field: field, detail: err.Error() + " (got " + f.raw + ")"}
	}
	return f.t, nil
}

// decodeItem unmarshals one item and turns a type mismatch into an error
// that names the source's field.
func decodeItem(raw json.RawMessage, v any) error {
	err := json.Unmarshal(raw, v)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return &mapError{field: te.Field, detail: fmt.Sprintf("is a JSON %s, want %s", te.Value, jsonKind(te.Type))}
	}
	return &mapError{detail: err.Error()}
}

// jsonKind names what a Go type reads in JSON's words ("an object", not
// the mapper's own "sources.ghIssue").
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "another value"
	}
	if t == reflect.TypeFor[flexID]() {
		return "a string or a number"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}

	return "an object"
}

// indexPath names the i-th member of list inside a document.
func indexPath(list string, i int, wasArray bool) string {
	if !wasArray {
		return list
	}
	if list == "" {
		return fmt.Sprintf("[%d]", i)
	}
	return fmt.Sprintf("%s[%d]", list, i)
}

func withPath(pos Position, path string) Position {
	switch {
	case path == "":
		return pos
	case pos.Path == "":
		pos.Path = path
	default:
		pos.Path += "." + path
	}
	return pos
}
