// Package suggest finds the name a user most likely meant when the one
// they gave is unknown: a taxonomy key, a label, a theme.
package suggest

import (
	"slices"
	"strings"
	"unicode"
)

// Closest returns the one of known that s most likely means: one equal to
// it ignoring case, else the nearest (ignoring case) within
// max(2, len(s)/4) edits, the first of equals, else the only one that
// ends s's words or whose words s ends ("billing-invoices" means
// "invoices", "invoices" means "billing-invoices"); "" when none is that
// near.
func Closest(s string, known []string) string {
	if k := closestByEdits(s, known); k != "" {
		return k
	}
	return endingWords(s, known)
}

func closestByEdits(s string, known []string) string {
	ls := strings.ToLower(s)
	best, bestDist := "", max(2, len(s)/4)+1
	for _, k := range known {
		lk := strings.ToLower(k)
		if lk == ls {
			return k
		}
		if d := Distance(ls, lk); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

// endingWords returns the only one of known whose words, ignoring case,
// are the last words of s, or of which s's words are the last; "" when
// none or several are.
func endingWords(s string, known []string) string {
	sw := words(s)
	if len(sw) == 0 {
		return ""
	}
	found := ""
	for _, k := range known {
		kw := words(k)
		if len(kw) == 0 || len(kw) == len(sw) || !endsWith(sw, kw) && !endsWith(kw, sw) {
			continue
		}
		if found != "" && found != k {
			return ""
		}
		found = k
	}
	return found
}

// words splits s, lowercased, at every byte that is not a letter or digit.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

func endsWith(long, short []string) bool {
	return len(short) < len(long) && slices.Equal(long[len(long)-len(short):], short)
}

// Distance is the Levenshtein distance between a and b, counted in bytes:
// the insertions, deletions and substitutions that turn one into the
// other.
func Distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
