// Package csvrow holds what every CSV reader of the project does beyond
// encoding/csv: finding the separator, and checking a row's width.
package csvrow

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
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
// header uses (see Delimiter).
func NewReader(r io.Reader) *csv.Reader {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(br.Size()) // an error is the reader's again on the first Read
	cr := csv.NewReader(br)
	cr.Comma = Delimiter(head)
	return cr
}
