package learned

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/feedbackloop/feedbackloop/internal/csvrow"
)

// Example is one labelled text.
type Example struct {
	Text string
	// Labels are the themes that apply, none when no theme does.
	Labels []string
	// Line is where the example starts in its CSV file, 0 when it did not
	// come from one.
	Line int
}

// ReadCSVFile reads labelled examples from the CSV file at path, as ReadCSV
// does; errors name the path.
func ReadCSVFile(path string) ([]Example, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadCSV(f, path)
}

// ReadCSV reads labelled examples from CSV with a header naming the columns
// text and labels (in either order, other columns ignored; a row may not
// have more fields than the header). labels holds
// theme names joined by "|"; empty means that no theme applies. Errors name
// the file and line as "name:line: ...". Columns are separated by commas,
// or by semicolons or tabs when the header is (see csvrow.NewReader).
func ReadCSV(r io.Reader, name string) ([]Example, error) {
	cr := csvrow.NewReader(r)
	cr.FieldsPerRecord = -1 // a short row gets an error that says which column is missing
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: empty file: want a header text,labels", name)
	}
	if err != nil {
		return nil, csvError(name, err)
	}
	textCol, labelsCol := -1, -1
	for i, h := range header {
		switch strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))) {
		case "text":
			textCol = i
		case "labels":
			labelsCol = i
		}
	}
	if textCol < 0 || labelsCol < 0 {
		return nil, fmt.Errorf("%s:1: header %q: want columns text and labels", name, strings.Join(header, ","))
	}
	var out []Example
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && rec[0] == "" {
			continue // a blank line
		}
		if len(rec) <= max(textCol, labelsCol) {
			missing := "labels"
			if len(rec) <= textCol {
				missing = "text"
			}
			return nil, fmt.Errorf("%s:%d: %d field(s), no %s column", name, line, len(rec), missing)
		}
		if err := csvrow.Overflow(rec, len(header)); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		text := strings.TrimSpace(rec[textCol])
		if text == "" {
			return nil, fmt.Errorf("%s:%d: empty text", name, line)
		}
		out = append(out, Example{Text: text, Labels: splitLabels(rec[labelsCol]), Line: line})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no examples after the header", name)
	}
	return out, nil
}

func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s:%d: %w", name, pe.Line, pe.Err)
	}
	return fmt.Errorf("%s: %w", name, err)
}

// splitLabels splits "a|b" into sorted, distinct, trimmed names.
func splitLabels(s string) []string {
	var labels []string
	for l := range strings.SplitSeq(s, "|") {
		if l = strings.TrimSpace(l); l != "" {
			labels = append(labels, l)
		}
	}
	slices.Sort(labels)
	return slices.Compact(labels)
}
