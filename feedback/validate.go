package feedback

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	fastjson "github.com/segmentio/encoding/json"
)

// DefaultMaxBodyBytes is the body size limit applied when none is configured.
const DefaultMaxBodyBytes = 256 << 10

// MaxARR bounds account.arr: beyond what any one account pays a vendor in
// a year, in any currency (10^15 rupiah is some 60 billion dollars), and
// low enough that sums over millions of accounts stay finite.
const MaxARR = 1e15

// maxIDBytes bounds the id: it is a key in NATS headers and in ClickHouse's
// sorting key, where a multi-kilobyte value is a producer bug, not an id.
const maxIDBytes = 512

// Reason is a machine-readable code for why a message can never be stored.
// It travels in the Feedback-Error header of dead-lettered messages.
type Reason string

// Reasons a message is rejected. They are part of the public contract.
const (
	ReasonMalformedJSON   Reason = "malformed_json"
	ReasonMissingField    Reason = "missing_field"
	ReasonInvalidField    Reason = "invalid_field"
	ReasonBodyTooLarge    Reason = "body_too_large"
	ReasonSubjectMismatch Reason = "subject_mismatch"
)

// Error reports why a record is invalid. It names the field and, where there
// is one, the offending value (shortened for display).
type Error struct {
	Reason Reason
	Field  string // JSON path of the field, e.g. "account.arr"; empty when the whole message is at fault
	Value  string // the offending value as text, shortened; may be empty
	Detail string // a sentence for people
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Detail)
	if e.Value != "" {
		fmt.Fprintf(&b, " (got %q)", e.Value)
	}
	b.WriteString(" [")
	b.WriteString(string(e.Reason))
	b.WriteString("]")
	return b.String()
}

// AsError returns the *Error in err's chain, if any.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

func invalid(field, value, detail string) *Error {
	return &Error{Reason: ReasonInvalidField, Field: field, Value: shorten(value), Detail: detail}
}

func missing(field string) *Error {
	return &Error{Reason: ReasonMissingField, Field: field, Detail: "is required"}
}

// shorten keeps error messages and headers readable when the bad value is large.
func shorten(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// wire mirrors Record with created_at as text, so a bad timestamp is
// reported against its field instead of as an opaque decoding failure.
type wire struct {
	ID        string            `json:"id"`
	Source    string            `json:"source"`
	Kind      string            `json:"kind"`
	CreatedAt string            `json:"created_at"`
	Body      string            `json:"body"`
	Title     string            `json:"title"`
	URL       string            `json:"url"`
	Language  string            `json:"language"`
	Tags      []string          `json:"tags"`
	Rating    *float64          `json:"rating"`
	Parent    string            `json:"parent"`
	Author    *Author           `json:"author"`
	Account   *Account          `json:"account"`
	Metadata  map[string]string `json:"metadata"`
}

// Decode parses and validates one message body. maxBodyBytes <= 0 means
// DefaultMaxBodyBytes. A returned error is always an *Error.
//
// Decoding uses segmentio/encoding/json, several times faster than
// encoding/json on records and the largest cost the worker has per
// message. Its errors do not say which field was wrong, so a message it
// refuses is decoded again with encoding/json, whose verdict and error
// stand: poison messages are rare and may be slow.
func Decode(data []byte, maxBodyBytes int) (*Record, error) {
	var w wire
	if err := fastjson.Unmarshal(data, &w); err != nil {
		w = wire{}
		if err := json.Unmarshal(data, &w); err != nil {
			return nil, jsonError(data, err)
		}
	}
	r := &Record{
		ID: w.ID, Source: w.Source, Kind: w.Kind, Body: w.Body, Title: w.Title,
		URL: w.URL, Language: w.Language, Tags: w.Tags, Rating: w.Rating,
		Parent: w.Parent, Author: w.Author, Account: w.Account, Metadata: w.Metadata,
	}
	if w.CreatedAt == "" {
		return nil, missing("created_at")
	}
	t, err := ParseTime(w.CreatedAt)
	if err != nil {
		return nil, invalid("created_at", w.CreatedAt, err.Error())
	}
	r.CreatedAt = t
	// encoding/json replaces invalid UTF-8 with U+FFFD without a word, so the
	// raw bytes are checked to tell a broken body from a legitimate U+FFFD.
	if !utf8.Valid(data) {
		if f := fieldWithReplacement(r); f != "" {
			return nil, &Error{Reason: ReasonInvalidField, Field: f, Detail: "is not valid UTF-8"}
		}
	}
	// Decoded text is valid UTF-8 by construction: checked above.
	if err := r.validate(maxBodyBytes, false); err != nil {
		return nil, err
	}
	return r, nil
}

func jsonError(data []byte, err error) *Error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		field := typeErr.Field
		if field == "" {
			return &Error{Reason: ReasonMalformedJSON, Detail: fmt.Sprintf("message is a JSON %s, want an object", typeErr.Value)}
		}
		return &Error{Reason: ReasonInvalidField, Field: field, Value: shorten(valueAt(data, field)),
			Detail: fmt.Sprintf("must be %s, not a JSON %s", jsonTypeName(typeErr.Type.String()), typeErr.Value)}
	}
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) {
		return &Error{Reason: ReasonMalformedJSON, Detail: fmt.Sprintf("not JSON: %v at byte %d", syntaxErr, syntaxErr.Offset)}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return &Error{Reason: ReasonMalformedJSON, Detail: "empty message"}
	}
	return &Error{Reason: ReasonMalformedJSON, Detail: "not JSON: " + err.Error()}
}

// valueAt is the value at a dotted path of fields in a JSON object, as
// text: a string as written, anything else as compact JSON; empty when the
// path leads nowhere. Only refused messages are read so, twice over.
func valueAt(data []byte, path string) string {
	var v any
	if json.Unmarshal(data, &v) != nil {
		return ""
	}
	for _, key := range strings.Split(path, ".") {
		obj, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		if v, ok = obj[key]; !ok {
			return ""
		}
	}
	switch v := v.(type) {
	case string:
		return v
	case map[string]any, []any:
		// An object or a list may hold an address or a name: the
		// value goes to logs and dead-letter headers, so it is left out.
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func jsonTypeName(goType string) string {
	switch {
	case goType == "string":
		return "a string"
	case strings.HasPrefix(goType, "float"), strings.HasPrefix(goType, "int"):
		return "a number"
	case strings.HasPrefix(goType, "[]"):
		return "an array of strings"
	case strings.HasPrefix(goType, "map["):
		return "an object of strings"
	default:
		return "an object"
	}
}

func fieldWithReplacement(r *Record) string {
	return r.firstText(func(s string) bool { return strings.Contains(s, "\uFFFD") })
}

// firstText is the JSON path of the first text field of r that is bad,
// in the order of texts; "" when none is.
func (r *Record) firstText(bad func(string) bool) string {
	for field, s := range r.texts() {
		if bad(s) {
			return field.String()
		}
	}
	return ""
}

// textField is the JSON path of a text field, built only when named:
// name, name[index] (tags) or name.key (metadata).
type textField struct {
	name, key string
	index     int
}

func (f textField) String() string {
	switch {
	case f.key != "":
		return f.name + "." + f.key
	case f.index >= 0:
		return fmt.Sprintf("%s[%d]", f.name, f.index)
	}
	return f.name
}

// texts yields every text field of r with its JSON path, the ones most
// often at fault first. Metadata comes in the map's order: of two bad
// entries, either may be named.
func (r *Record) texts() iter.Seq2[textField, string] {
	return func(yield func(textField, string) bool) {
		f := func(name string) textField { return textField{name: name, index: -1} }
		if !(yield(f("body"), r.Body) && yield(f("title"), r.Title) && yield(f("id"), r.ID) &&
			yield(f("source"), r.Source) && yield(f("kind"), r.Kind) && yield(f("url"), r.URL) &&
			yield(f("language"), r.Language) && yield(f("parent"), r.Parent)) {
			return
		}
		for i, tag := range r.Tags {
			if !yield(textField{name: "tags", index: i}, tag) {
				return
			}
		}
		if a := r.Author; a != nil && !(yield(f("author.id"), a.ID) && yield(f("author.name"), a.Name) && yield(f("author.email"), a.Email)) {
			return
		}
		if a := r.Account; a != nil && !(yield(f("account.id"), a.ID) && yield(f("account.name"), a.Name) && yield(f("account.plan"), a.Plan)) {
			return
		}
		for k, v := range r.Metadata {
			if !yield(f("metadata"), k) || !yield(textField{name: "metadata", key: k, index: -1}, v) {
				return
			}
		}
	}
}

// ParseTime parses an RFC 3339 timestamp and checks that ClickHouse's
// DateTime (seconds since 1970 in 32 bits) can hold it.
func ParseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, errors.New("is not an RFC 3339 timestamp such as 2024-05-01T09:30:00Z")
	}
	if t.Year() < 1970 || t.Year() > 2105 {
		return time.Time{}, errors.New("is outside the supported range 1970–2105")
	}
	return t.UTC(), nil
}

// Validate checks a record built in Go against the contract with the
// default body limit. Producers call it before publishing.
func (r *Record) Validate() error { return r.validate(DefaultMaxBodyBytes, true) }

// ValidateLimit is Validate with a configured body limit.
func (r *Record) ValidateLimit(maxBodyBytes int) error { return r.validate(maxBodyBytes, true) }

// validate checks r; checkUTF8 checks every text is valid UTF-8, which a
// record decoded from JSON needs not (Decode checked the bytes).
func (r *Record) validate(maxBodyBytes int, checkUTF8 bool) error {
	if maxBodyBytes <= 0 {
		maxBodyBytes = DefaultMaxBodyBytes
	}
	switch {
	case r.ID == "":
		return missing("id")
	case len(r.ID) > maxIDBytes:
		return invalid("id", r.ID, fmt.Sprintf("is longer than %d bytes", maxIDBytes))
	case !utf8.ValidString(r.ID) || hasControl(r.ID):
		return invalid("id", r.ID, "must be printable UTF-8")
	}
	if r.Source == "" {
		return missing("source")
	}
	if !ValidSource(r.Source) {
		return invalid("source", r.Source, "must match [a-z0-9_-]{1,64}")
	}
	if r.Kind == "" {
		return missing("kind")
	}
	if !ValidKind(r.Kind) {
		return invalid("kind", r.Kind, "must be one of "+strings.Join(Kinds, ", "))
	}
	if r.CreatedAt.IsZero() {
		return missing("created_at")
	}
	if y := r.CreatedAt.Year(); y < 1970 || y > 2105 {
		return invalid("created_at", r.CreatedAt.Format(time.RFC3339), "is outside the supported range 1970–2105")
	}
	if strings.TrimSpace(r.Body) == "" {
		return missing("body")
	}
	if len(r.Body) > maxBodyBytes {
		return &Error{Reason: ReasonBodyTooLarge, Field: "body",
			Detail: fmt.Sprintf("is %d bytes, over the limit of %d", len(r.Body), maxBodyBytes)}
	}
	if checkUTF8 {
		if f := r.firstText(func(s string) bool { return !utf8.ValidString(s) }); f != "" {
			return &Error{Reason: ReasonInvalidField, Field: f, Detail: "is not valid UTF-8"}
		}
	}
	if r.URL != "" {
		u, err := url.Parse(r.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return invalid("url", r.URL, "must be an absolute http or https URL")
		}
	}
	if r.Rating != nil && (*r.Rating != *r.Rating) {
		return invalid("rating", "NaN", "must be a number")
	}
	if a := r.Account; a != nil && !(a.ARR >= 0 && a.ARR <= MaxARR) { // NaN too
		// Sums of figures past the bound overflow to +Inf, which no JSON
		// answer holds.
		return invalid("account.arr", fmt.Sprint(a.ARR), fmt.Sprintf("must be a number from 0 to %g", MaxARR))
	}
	for i, tag := range r.Tags {
		if strings.TrimSpace(tag) == "" {
			return invalid(fmt.Sprintf("tags[%d]", i), tag, "must not be empty")
		}
	}
	return nil
}

// ValidSource reports whether s matches [a-z0-9_-]{1,64}.
func ValidSource(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// ValidKind reports whether k is one of Kinds.
func ValidKind(k string) bool {
	for _, v := range Kinds {
		if k == v {
			return true
		}
	}
	return false
}

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return true
		}
	}
	return false
}
