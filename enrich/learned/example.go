package learned

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/feedbackloop/feedbackloop/feedback"
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
		var col *int
		switch strings.ToLower(strings.TrimSpace(h)) {
		case "text":
			col = &textCol
		case "labels":
			col = &labelsCol
		default:
			continue
		}
		if *col >= 0 { // which one is meant is a guess
			return nil, fmt.Errorf("%s:1: header %q: column %q appears twice (fields %d and %d)", name, strings.Join(header, ","), strings.TrimSpace(h), *col+1, i+1)
		}
		*col = i
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
		for _, c := range []struct {
			name  string
			value string
		}{{"text", rec[textCol]}, {"labels", rec[labelsCol]}} {
			if err := notUTF8(c.value); err != nil {
				return nil, fmt.Errorf("%s:%d: %s: %w", name, line, c.name, err)
			}
		}
		text := strings.TrimSpace(rec[textCol])
		if text == "" {
			return nil, fmt.Errorf("%s:%d: empty text", name, line)
		}
		if len(text) > MaxTextBytes {
			return nil, fmt.Errorf("%s:%d: text of %d bytes, over the %d a text may have (a record's body may have no more): is a quote missing, so that many rows became one?", name, line, len(text), MaxTextBytes)
		}
		labels := splitLabels(rec[labelsCol])
		for _, l := range labels {
			if i := strings.IndexFunc(l, unicode.IsControl); i >= 0 {
				// No taxonomy can define it, so no model could be used.
				return nil, fmt.Errorf("%s:%d: label %q holds the control character %q, which no theme's name may", name, line, l, l[i:i+1])
			}
		}
		out = append(out, Example{Text: text, Labels: labels, Line: line})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no examples after the header", name)
	}
	return out, nil
}

// MaxTextBytes is the longest text labelled data may have: the longest
// body a record may have (feedback.DefaultMaxBodyBytes). A longer one is
// nearly always many rows run together by a quote left open, and training
// on it costs gigabytes.
const MaxTextBytes = feedback.DefaultMaxBodyBytes

// CheckSpellings returns an error for the first label written two ways
// (by case) in the examples of the file name, naming both lines. Without
// a taxonomy the labels are the themes, and a taxonomy cannot define both
// spellings; with one, CheckLabels names the spelling it does not define.
func CheckSpellings(examples []Example, name string) error {
	type spelling struct {
		label string
		line  int
	}
	spelt := map[string]spelling{} // a label lower-cased → how it was first written
	for _, e := range examples {
		for _, l := range e.Labels {
			key := strings.ToLower(l) // as the taxonomy tells names apart
			if first, ok := spelt[key]; !ok {
				spelt[key] = spelling{l, e.Line}
			} else if first.label != l {
				return fmt.Errorf("%s:%d: label %q is written %q on line %d: a theme's name is one spelling (a taxonomy cannot define both)", name, e.Line, l, first.label, first.line)
			}
		}
	}
	return nil
}

// notUTF8 returns an error showing where s stops being UTF-8, nil when it
// is: a file saved in a legacy encoding (Windows-1252, Latin-1) would
// otherwise train on the replacement character where every accent was.
func notUTF8(s string) error {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return fmt.Errorf("not UTF-8 at byte %d (%q): save the file as UTF-8 (a spreadsheet's \"CSV UTF-8\")", i+1, s[max(0, i-20):min(len(s), i+4)])
			}
		}
	}
	return nil
}

func csvError(name string, err error) error {
	if line, err := csvrow.ParseError(err); line > 0 {
		return fmt.Errorf("%s:%d: %w", name, line, err)
	}
	return fmt.Errorf("%s: %w", name, err)
}

// splitLabels splits "a|b" into sorted, distinct, trimmed names, in
// Unicode's composed form (NFC), as the taxonomy's names are: "café"
// typed on a Mac may come as "e" and a combining accent.
func splitLabels(s string) []string {
	var labels []string
	for l := range strings.SplitSeq(s, "|") {
		if l = norm.NFC.String(strings.TrimSpace(l)); l != "" {
			labels = append(labels, l)
		}
	}
	slices.Sort(labels)
	return slices.Compact(labels)
}
