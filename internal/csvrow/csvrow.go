// Package csvrow holds the checks that every CSV reader of the project
// makes of a row beyond what encoding/csv does.
package csvrow

import "fmt"

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
