package insights

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// Format is how a Report is written.
type Format string

// Formats every command and the API offer.
const (
	FormatTable Format = "table"
	FormatJSON  Format = "json"
	FormatCSV   Format = "csv"
)

// ParseFormat accepts table, json or csv.
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case FormatTable, FormatJSON, FormatCSV:
		return f, nil
	}
	return "", invalid("format", s, "want table, json or csv")
}

// Report is a query result that can be shown to people and to programs.
// JSON is the value itself (encoding/json).
type Report interface {
	// Table is the summary a person reads in a terminal.
	Table() (header []string, rows [][]string)
	// Records is the flat, complete form for spreadsheets: one line per
	// fact, every measure in its own column.
	Records() (header []string, rows [][]string)
}

// Write renders r to w in format f.
func Write(w io.Writer, f Format, r Report) error {
	switch f {
	case FormatJSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	case FormatCSV:
		header, rows := r.Records()
		cw := csv.NewWriter(w)
		if err := cw.Write(header); err != nil {
			return err
		}
		if err := cw.WriteAll(rows); err != nil {
			return err
		}
		return cw.Error()
	case FormatTable, "":
		header, rows := r.Table()
		t := tablewriter.NewTable(w,
			tablewriter.WithHeaderAutoFormat(tw.Off),
			tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: alignments(len(header), rows)}))
		t.Header(header)
		if err := t.Bulk(rows); err != nil {
			return err
		}
		return t.Render()
	}
	_, err := ParseFormat(string(f))
	return err
}

// alignments right-aligns the columns whose every cell is a number.
func alignments(n int, rows [][]string) []tw.Align {
	out := make([]tw.Align, n)
	for c := range out {
		out[c] = tw.AlignRight
		for _, r := range rows {
			if c >= len(r) {
				continue
			}
			if _, err := strconv.ParseFloat(strings.NewReplacer(",", "", "%", "").Replace(r[c]), 64); err != nil && r[c] != "" {
				out[c] = tw.AlignLeft
				break
			}
		}
	}
	return out
}

// formatFloat prints a measure without noise digits.
func formatFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
