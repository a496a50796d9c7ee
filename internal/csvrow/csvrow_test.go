package csvrow

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf16"
)

func TestOverflow(t *testing.T) {
	for _, tc := range []struct {
		rec  []string
		want string
	}{
		{[]string{"a", "b"}, ""},
		{[]string{"a"}, ""},
		{[]string{"a", "b", "", ""}, ""},
		{[]string{"it is slow", " very slow", "bugs"}, `3 fields where the header has 2 (field 3 is "bugs")`},
		{[]string{"a", "b", "", "x"}, `4 fields where the header has 2 (field 4 is "x")`},
	} {
		err := Overflow(tc.rec, 2)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("Overflow(%q, 2) = %v, want %q", tc.rec, err, tc.want)
		}
	}
}

func TestDelimiter(t *testing.T) {
	for _, tc := range []struct {
		head string
		want rune
	}{
		{"text,labels\nx;y;z,a\n", ','},
		{"text;labels\nx,y,z;a\n", ';'},
		{"Date\tComment\tScore\n", '\t'},
		{"text\n", ','},
		{"", ','},
		{`"a;b;c",labels` + "\n", ','},
		{`"text, as written";labels` + "\n", ';'},
		{"\"a\nb;c;d\",e\n", ','},
	} {
		if got := Delimiter([]byte(tc.head)); got != tc.want {
			t.Errorf("Delimiter(%q) = %q, want %q", tc.head, got, tc.want)
		}
	}
}

// A byte order mark does not stick to the first column's name, and a
// UTF-16 file (a spreadsheet's "Unicode text", tabs between columns) reads
// as UTF-8, either end first.
func TestNewReaderReadsWhatSpreadsheetsSave(t *testing.T) {
	const text = "text\tlabels\n\"caf\u00e9, \u201cquoted\u201d\"\tBilling\n"
	utf16le, utf16be := []byte{0xFF, 0xFE}, []byte{0xFE, 0xFF}
	for _, u := range utf16.Encode([]rune(text)) {
		utf16le = append(utf16le, byte(u), byte(u>>8))
		utf16be = append(utf16be, byte(u>>8), byte(u))
	}
	for name, in := range map[string][]byte{
		"UTF-8":              []byte(text),
		"UTF-8 with a mark":  append([]byte("\xef\xbb\xbf"), text...),
		"a quoted header":    append([]byte("\xef\xbb\xbf"), strings.Replace(text, "text\tlabels", "\"text\"\t\"labels\"", 1)...),
		"UTF-16, little end": utf16le,
		"UTF-16, big end":    utf16be,
	} {
		recs, err := NewReader(bytes.NewReader(in)).ReadAll()
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(recs) != 2 || recs[0][0] != "text" || recs[1][0] != "caf\u00e9, \u201cquoted\u201d" || recs[1][1] != "Billing" {
			t.Errorf("%s: read %q", name, recs)
		}
	}
}

// A quote left open is reported where its record starts, not at the end
// of the file where the reader gave up.
func TestParseErrorNamesWhereTheRecordStarts(t *testing.T) {
	_, err := NewReader(strings.NewReader("a,b\n1,2\n\"3,4\n5,6\n7,8\n")).ReadAll()
	line, perr := ParseError(err)
	if line != 3 || !strings.Contains(perr.Error(), "runs on to line 5") {
		t.Errorf("ParseError(%v) = %d, %v; want line 3, running on to line 5", err, line, perr)
	}
	if line, _ := ParseError(bytes.ErrTooLarge); line != 0 {
		t.Errorf("a non-CSV error got line %d", line)
	}
}
