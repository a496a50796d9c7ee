// Package tone is the sentiment filter that commands and queries share:
// any, negative (below zero) or positive (above zero), as
// `themes suggest --sentiment` and `quotes --sentiment` take it.
package tone

import (
	"errors"
	"fmt"
)

// Tone selects feedback by the sign of its sentiment. The zero value is
// Any.
type Tone string

const (
	Any      Tone = "any"
	Negative Tone = "negative"
	Positive Tone = "positive"
)

// errUnknown is what Parse says of any other word.
var errUnknown = errors.New("want any, negative or positive")

// Parse accepts any, negative or positive.
func Parse(s string) (Tone, error) {
	switch t := Tone(s); t {
	case Any, Negative, Positive:
		return t, nil
	}
	return "", errUnknown
}

// Condition returns the SQL that keeps the rows whose sentiment, the SQL
// expression expr, has this tone: "" for Any, which keeps all. expr comes
// from the caller's code, never from input.
func (t Tone) Condition(expr string) (string, error) {
	switch t {
	case "", Any:
		return "", nil
	case Negative:
		return expr + " < 0", nil
	case Positive:
		return expr + " > 0", nil
	}
	return "", fmt.Errorf("tone %q: %w", string(t), errUnknown)
}
