package sources

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/feedbackloop/feedbackloop/feedback"
	"github.com/feedbackloop/feedbackloop/internal/csvrow"
)

// CSV maps the rows of a CSV file with a header line to records, with a
// mapping from record fields to column names such as
// body=Comment,created_at=Date,account.id=Customer.
//
// Mappable fields: id, created_at, body, title, url, language, tags (split
// on ; , or |), rating, parent, kind, author.id, author.name, author.email,
// account.id, account.name, account.plan, account.arr, and metadata.<key>.
// body and created_at are required. Without an id column, a row's id is
// <source>:<hash of its date, body, author e-mail and account>, so
// importing the same file again yields the same ids (see IDDateOrder for
// importing it again with another date order).
type CSV struct {
	// Source names the records' source; "csv" when empty.
	Source string
	// Kind is the records' kind unless a kind column is mapped; "other"
	// when empty.
	Kind string
	// Columns maps record fields to column names (see ParseColumnMap).
	Columns map[string]string
	// DateOrder reads dates written with slashes or dots: "mdy"
	// (03/04/2024 is March 4) or "dmy" (April 3). Empty rejects them as
	// ambiguous.
	DateOrder string
	// IDDateOrder, for a file without an id column, is the date order its
	// ids are derived with when it differs from DateOrder: the order the
	// file was first imported with. Importing it again with the right
	// DateOrder then gives its rows the ids they were stored under, and
	// each record moves to its new date instead of being added again.
	IDDateOrder string
	// DateLayout, when set, is the Go time layout of the date column and
	// replaces the built-in formats.
	DateLayout string
	// Location is the time zone of dates without one; UTC when nil.
	Location *time.Location
	// Comma is the field separator. When 0 it is read from the header:
	// ',' unless semicolons or tabs separate its names (csvrow.NewReader).
	Comma rune
}

var _ Mapper = CSV{}

// csvFields are the record fields a column can be mapped to.
var csvFields = []string{
	"id", "created_at", "body", "title", "url", "language", "tags", "rating", "parent", "kind",
	"author.id", "author.name", "author.email", "account.id", "account.name", "account.plan", "account.arr",
}

// ParseColumnMap reads field=Column pairs separated by commas.
func ParseColumnMap(spec string) (map[string]string, error) {
	m := map[string]string{}
	for _, pair := range strings.Split(spec, ",") {
		if strings.TrimSpace(pair) == "" {
			continue
		}
		field, column, ok := strings.Cut(pair, "=")
		field, column = strings.TrimSpace(field), strings.TrimSpace(column)
		if !ok || field == "" || column == "" {
			return nil, fmt.Errorf("column map %q: want field=Column", pair)
		}
		if !isCSVField(field) {
			return nil, fmt.Errorf("column map %q: unknown field %q, want one of %s or metadata.<key>", pair, field, strings.Join(csvFields, ", "))
		}
		if _, dup := m[field]; dup {
			return nil, fmt.Errorf("column map: field %q is mapped twice", field)
		}
		m[field] = column
	}
	for _, required := range []string{"body", "created_at"} {
		if _, ok := m[required]; !ok {
			return nil, fmt.Errorf("column map: %s is required, e.g. body=Comment,created_at=Date", required)
		}
	}
	return m, nil
}

func isCSVField(f string) bool {
	if strings.HasPrefix(f, "metadata.") && len(f) > len("metadata.") {
		return true
	}
	for _, k := range csvFields {
		if f == k {
			return true
		}
	}
	return false
}

// Name implements Mapper.
func (c CSV) Name() string { return "csv" }

// Map implements Mapper. Positions are CSV lines; a row that cannot be
// mapped names its line, column and reason.
// A row whose metadata.author_role column names someone other than a
// customer (agent, bot, staff, ...) is skipped unless opts.IncludeStaff.
func (c CSV) Map(data []byte, opts Options) ([]Item, error) {
	source := c.Source
	if source == "" {
		source = "csv"
	}
	if !feedback.ValidSource(source) {
		return nil, fmt.Errorf("source %q must match [a-z0-9_-]{1,64}", source)
	}
	kind := c.Kind
	if kind == "" {
		kind = "other"
	}
	if !feedback.ValidKind(kind) {
		return nil, fmt.Errorf("kind %q must be one of %s", kind, strings.Join(feedback.Kinds, ", "))
	}
	for _, o := range []struct{ name, value string }{{"date order", c.DateOrder}, {"id date order", c.IDDateOrder}} {
		if o.value != "" && o.value != "mdy" && o.value != "dmy" {
			return nil, fmt.Errorf("%s %q: want mdy or dmy", o.name, o.value)
		}
	}
	columns := c.Columns
	if columns == nil {
		return nil, errors.New("no column map: give at least body=<column>,created_at=<column>")
	}
	if _, hasID := columns["id"]; hasID && c.IDDateOrder != "" {
		return nil, errors.New("an id date order is for a file without an id column: this one's ids come from its id column, and keep whatever the dates say")
	}
	if c.IDDateOrder != "" && c.DateLayout != "" {
		return nil, errors.New("an id date order cannot go with a date layout, which reads every date one way: the ids of the first import came from dates read by that import's layout or order")
	}
	r := csvrow.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true // a quote inside an unquoted field: 'a 27" screen'
	if c.Comma != 0 {
		r.Comma = c.Comma
	}
	open, openErr := unclosedQuote(data, r.Comma)
	header, err := r.Read()
	if err == io.EOF {
		return nil, errors.New("CSV is empty: want a header line")
	}
	if err != nil {
		return nil, fmt.Errorf("CSV header: %w", err)
	}
	index, err := columnIndex(header, columns)
	if err != nil {
		return nil, err
	}
	var items []Item
	for {
		row, err := r.Read()
		if err == io.EOF {
			return items, nil
		}
		line, _ := r.FieldPos(0)
		if at, perr := csvrow.ParseError(err); at > 0 {
			items = append(items, failed(Position{Line: at}, fmt.Errorf("not CSV: %w", perr)))
			continue
		}
		if err != nil {
			return items, fmt.Errorf("read CSV: %w", err)
		}
		if line == open && swallowed(row, len(header), r.Comma) {
			// Read lazily, the rows after it are this row's last field.
			items = append(items, failed(Position{Line: line}, openErr))
			continue
		}
		if err := csvrow.Overflow(row, len(header)); err != nil {
			items = append(items, failed(Position{Line: line}, err))
			continue
		}
		items = append(items, opts.judge(c.row(row, index, Position{Line: line}, source, kind)))
	}
}

// unclosedQuote returns the line of the row whose quoted field is never
// closed, and why, or 0. Read with lazy quotes, as the importer must for
// quotes inside unquoted fields, such a field runs on to the end of the
// file, and every row after it would be part of one record's text.
func unclosedQuote(data []byte, comma rune) (int, error) {
	strict := csvrow.NewReader(bytes.NewReader(data))
	strict.FieldsPerRecord = -1
	strict.Comma = comma
	for {
		_, err := strict.Read()
		if err == nil {
			continue
		}
		var pe *csv.ParseError
		if !errors.As(err, &pe) {
			return 0, nil // io.EOF, or an error the lazy reader reports too
		}
		// A bare quote, or a quote inside a quoted field that is not
		// doubled ('"He said "hi" to me"'), is an error on its own line,
		// which lazy quotes read as a character; only a field that runs on
		// takes rows.
		if errors.Is(pe.Err, csv.ErrQuote) && pe.Line > pe.StartLine {
			return pe.StartLine, fmt.Errorf("a quoted field opened on this line is not closed where its row ends (a parser reads on to line %d): the rows in between would be its text, so neither this row nor they are imported; close the quote, or double a quote inside it, and import again", pe.Line)
		}
	}
}

// swallowed reports whether a field of row runs on over a line that
// holds a row of its own: as many separators as a row of width fields
// has. A field of several lines of text (a ticket's paragraphs) does not.
func swallowed(row []string, width int, comma rune) bool {
	for _, f := range row {
		for _, l := range strings.Split(f, "\n")[1:] {
			if width > 1 && strings.Count(l, string(comma)) >= width-1 {
				return true
			}
		}
	}
	return false
}

// parseAmount reads an amount as spreadsheets in any locale write it: with
// a currency sign or code ("$1,200", "EUR 1.200"), spaces, apostrophes or
// underscores between thousands ("1 200", "1'200"), and either a point or
// a comma for decimals. When both appear, the last is the decimal
// separator ("1.234,56" and "1,234.56" are 1234.56); when one appears more
// than once, it separates thousands ("1.234.567"); once, before exactly
// three digits and after a digit other than a lone 0, it separates
// thousands too ("12.000" and "12,000" are twelve thousand: an ARR is not
// written to the thousandth), and otherwise it is the decimal separator
// ("1234,5"). A negative amount is refused.
func parseAmount(s string) (float64, error) {
	t := strings.TrimFunc(s, func(r rune) bool { return unicode.Is(unicode.Sc, r) || unicode.IsSpace(r) })
	if len(t) > 3 && isCurrencyCode(t[:3]) {
		t = t[3:]
	} else if len(t) > 3 && isCurrencyCode(t[len(t)-3:]) {
		t = t[:len(t)-3]
	}
	t = strings.TrimFunc(t, func(r rune) bool { return unicode.Is(unicode.Sc, r) || unicode.IsSpace(r) })
	t = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "", "'", "", "’", "", "_", "").Replace(t)
	dot, comma := strings.LastIndexByte(t, '.'), strings.LastIndexByte(t, ',')
	switch {
	case dot >= 0 && comma >= 0:
		dec, thou := ".", ","
		if comma > dot {
			dec, thou = ",", "."
		}
		t = strings.Replace(strings.ReplaceAll(t, thou, ""), dec, ".", 1)
	case dot >= 0 || comma >= 0:
		sep := "."
		if comma >= 0 {
			sep = ","
		}
		at := max(dot, comma)
		if strings.Count(t, sep) > 1 || len(t)-at-1 == 3 && !strings.HasPrefix(t, "0"+sep) && !strings.HasPrefix(t, "-0"+sep) {
			t = strings.ReplaceAll(t, sep, "")
		} else {
			t = strings.Replace(t, sep, ".", 1)
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, errors.New("is not an amount")
	}
	if v < 0 {
		return 0, errors.New("is negative: an ARR is an amount of money a year")
	}
	return v, nil
}

// isCurrencyCode reports whether s is three ASCII letters, as ISO 4217
// codes are ("EUR", "usd"). "12k" is no amount with a code.
func isCurrencyCode(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return len(s) == 3
}

// columnIndex finds each mapped column in the header, exactly or else
// ignoring case and surrounding spaces.
func columnIndex(header []string, columns map[string]string) (map[string]int, error) {
	index := map[string]int{}
	fields := make([]string, 0, len(columns))
	for f := range columns {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	for _, f := range fields {
		col := columns[f]
		at := -1
		for i, h := range header {
			if h == col {
				at = i
				break
			}
		}
		if at < 0 {
			for i, h := range header {
				if strings.EqualFold(strings.TrimSpace(h), strings.TrimSpace(col)) {
					at = i
					break
				}
			}
		}
		if at < 0 {
			return nil, fmt.Errorf("column %q (mapped to %s) is not in the header; columns are %s", col, f, quoteAll(header))
		}
		index[f] = at
	}
	return index, nil
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

// csvError names the line's column and the field it feeds.
type csvError struct {
	column, field, detail string
}

func (e *csvError) Error() string {
	return fmt.Sprintf("column %q (%s): %s", e.column, e.field, e.detail)
}

func (c CSV) row(row []string, index map[string]int, pos Position, source, kind string) Item {
	get := func(field string) string {
		i, ok := index[field]
		if !ok || i >= len(row) {
			return ""
		}
		return strings.TrimSpace(row[i])
	}
	bad := func(field, format string, args ...any) Item {
		return failed(pos, &csvError{column: c.Columns[field], field: field, detail: fmt.Sprintf(format, args...)})
	}
	body := get("body")
	if body == "" {
		return bad("body", "is empty")
	}
	dateText := get("created_at")
	if dateText == "" {
		return bad("created_at", "is empty")
	}
	at, err := c.parseDate(dateText)
	if err != nil {
		return bad("created_at", "%v", err)
	}
	r := &feedback.Record{
		Source: source, Kind: kind, CreatedAt: at, Body: body,
		Title: get("title"), URL: get("url"), Language: get("language"),
		Author:   &feedback.Author{ID: get("author.id"), Name: get("author.name"), Email: get("author.email")},
		Account:  &feedback.Account{ID: get("account.id"), Name: get("account.name"), Plan: get("account.plan")},
		Metadata: map[string]string{},
	}
	if k := get("kind"); k != "" {
		r.Kind = strings.ToLower(k)
	}
	if p := get("parent"); p != "" {
		r.Parent = prefixed(source, p)
	}
	if t := get("tags"); t != "" {
		r.Tags = strings.FieldsFunc(t, func(r rune) bool { return r == ';' || r == ',' || r == '|' })
	}
	if s := get("rating"); s != "" {
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			// A decimal comma: "4,5" from a spreadsheet in German.
			if whole, frac, ok := strings.Cut(strings.TrimSpace(s), ","); ok && !strings.Contains(frac, ",") {
				v, err = strconv.ParseFloat(whole+"."+frac, 64)
			}
		}
		if err != nil {
			return bad("rating", "%q is not a number", s)
		}
		r.Rating = &v
	}
	if s := get("account.arr"); s != "" {
		v, err := parseAmount(s)
		if err != nil {
			return bad("account.arr", "%q %v", s, err)
		}
		r.Account.ARR = v
	}
	for field := range index {
		if key, ok := strings.CutPrefix(field, "metadata."); ok {
			if v := get(field); v != "" {
				r.Metadata[key] = v
			}
		}
	}
	if id := get("id"); id != "" {
		r.ID = prefixed(source, id)
	} else {
		idAt := at
		if c.IDDateOrder != "" && c.IDDateOrder != c.DateOrder {
			first := c
			first.DateOrder = c.IDDateOrder
			if t, err := first.parseDate(dateText); err == nil {
				idAt = t
			} // else that order refused the row, so it was never stored
		}
		sum := sha256.Sum256([]byte(idAt.Format(time.RFC3339Nano) + "\x00" + body + "\x00" + r.Author.Email + "\x00" + r.Account.ID))
		r.ID = source + ":" + hex.EncodeToString(sum[:8])
	}
	item := finish(pos, r)
	if fe, ok := feedback.AsError(item.Err); ok {
		if col, mapped := c.Columns[fe.Field]; mapped {
			item.Err = &csvError{column: col, field: fe.Field, detail: fe.Error()}
		}
	}
	return item
}

// prefixed adds "<source>:" to an id that does not start with it.
func prefixed(source, id string) string {
	if strings.HasPrefix(id, source+":") {
		return id
	}
	return source + ":" + id
}

var (
	isoLayouts = []string{
		time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02 15:04:05Z07:00",
		"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02", "2006/01/02", "2006/01/02 15:04:05",
	}
	// The day-first and month-first layouts are the same strings read in
	// two ways: which one applies is the caller's choice, never a guess.
	mdyLayouts = []string{"1/2/2006", "1/2/2006 15:04", "1/2/2006 15:04:05", "1/2/2006 3:04 PM", "1/2/2006 3:04:05 PM", "1/2/06", "1.2.2006", "1-2-2006"}
	dmyLayouts = []string{"2/1/2006", "2/1/2006 15:04", "2/1/2006 15:04:05", "2/1/2006 3:04 PM", "2/1/2006 3:04:05 PM", "2/1/06", "2.1.2006", "2-1-2006"}
)

func (c CSV) parseDate(s string) (time.Time, error) {
	loc := c.Location
	if loc == nil {
		loc = time.UTC
	}
	if c.DateLayout != "" {
		t, err := time.ParseInLocation(c.DateLayout, s, loc)
		if err != nil {
			return time.Time{}, fmt.Errorf("%q does not match the date layout %q", s, c.DateLayout)
		}
		return checkRange(s, t)
	}
	for _, l := range isoLayouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return checkRange(s, t)
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 1e8 {
		return checkRange(s, unixTime(float64(n)))
	}
	layouts := mdyLayouts
	switch c.DateOrder {
	case "dmy":
		layouts = dmyLayouts
	case "":
		for _, l := range mdyLayouts {
			if _, err := time.Parse(l, s); err == nil {
				return time.Time{}, fmt.Errorf("%q could be month/day or day/month: set the date order (mdy or dmy)", s)
			}
		}
		for _, l := range dmyLayouts {
			if _, err := time.Parse(l, s); err == nil {
				return time.Time{}, fmt.Errorf("%q could be month/day or day/month: set the date order (mdy or dmy)", s)
			}
		}
	}
	for _, l := range layouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return checkRange(s, t)
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date: want RFC 3339 (2024-05-01T09:30:00Z), 2024-05-01, 2024-05-01 09:30:00, or with a date order set 05/01/2024", s)
}

func checkRange(s string, t time.Time) (time.Time, error) {
	if y := t.Year(); y < 1970 || y > 2105 {
		return time.Time{}, fmt.Errorf("%q is outside the supported range 1970–2105", s)
	}
	return t.UTC(), nil
}
