// Package csvrow holds what every CSV reader of the project does beyond
// encoding/csv: reading the encodings spreadsheets save, finding the
// separator, checking a row's width, and saying where a quote went wrong.
package csvrow

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Overflow reports a row with a non-empty field beyond the header's width.
// That is nearly always a value holding the delimiter without quotes
// around it, which splits the value and shifts or cuts the fields after
// it; reading such a row would keep a part of it silently. Empty extra
// fields, as a trailing delimiter leaves, are harmless and allowed.
func Overflow(rec []string, width int) error {
	for i := width; i < len(rec); i++ {
		if rec[i] != "" {
			return fmt.Errorf("%d fields where the header has %d (field %d is %q): put a value that contains the delimiter in double quotes", len(rec), width, i+1, rec[i])
		}
	}
	return nil
}

// Delimiter returns the field separator of a CSV file from its first
// line: ',' unless the line, outside double quotes, holds more semicolons
// or more tabs than commas. Spreadsheets set to a language that writes
// decimal commas save "CSV" with semicolons, and some tools export tabs;
// reading such a file with commas would see one column named after the
// whole header.
func Delimiter(head []byte) rune {
	var commas, semis, tabs int
	quoted := false
	for _, c := range head {
		switch c {
		case '"':
			quoted = !quoted
		case '\n':
			if !quoted {
				return pick(commas, semis, tabs)
			}
		case ',':
			if !quoted {
				commas++
			}
		case ';':
			if !quoted {
				semis++
			}
		case '\t':
			if !quoted {
				tabs++
			}
		}
	}
	return pick(commas, semis, tabs)
}

func pick(commas, semis, tabs int) rune {
	switch {
	case semis > commas && semis >= tabs:
		return ';'
	case tabs > commas && tabs > semis:
		return '\t'
	}
	return ','
}

// NewReader returns a csv.Reader over r whose separator is the one r's
// header uses (see Delimiter). A UTF-8 byte order mark is dropped, and a
// file in UTF-16 with one, as spreadsheets save "Unicode text", is read
// as UTF-8: otherwise the mark would stick to the first column's name, or
// every character come with a NUL byte.
func NewReader(r io.Reader) *csv.Reader {
	br := bufio.NewReaderSize(r, 64<<10)
	if mark, _ := br.Peek(2); bytes.Equal(mark, []byte{0xFF, 0xFE}) || bytes.Equal(mark, []byte{0xFE, 0xFF}) {
		utf16 := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder() // the mark says which end
		br = bufio.NewReaderSize(transform.NewReader(br, utf16), 64<<10)
	}
	if mark, _ := br.Peek(3); bytes.Equal(mark, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
	}
	head, _ := br.Peek(br.Size()) // an error is the reader's again on the first Read
	cr := csv.NewReader(br)
	cr.Comma = Delimiter(head)
	return cr
}

// ParseError returns where a csv.ParseError starts and what went wrong.
// The reader reports the line it gave up on, which for a quote opened and
// never closed is the end of the file, or the line of the next quote; the
// record it was reading starts where the quote went wrong. Other errors
// come back as they are, with line 0.
func ParseError(err error) (line int, _ error) {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return 0, err
	}
	if pe.StartLine > 0 && pe.StartLine != pe.Line {
		return pe.StartLine, fmt.Errorf("%w (the record starting on this line runs on to line %d: a quoted field is not closed, or a quote inside a field is not doubled)", pe.Err, pe.Line)
	}
	return pe.Line, pe.Err
}
