package suggest_test

import (
	"testing"

	"github.com/feedbackloop/feedbackloop/internal/suggest"
)

func TestClosest(t *testing.T) {
	known := []string{"billing", "invoices", "refunds", "UI / Design Issues", "keywords"}
	for _, tc := range []struct{ in, want string }{
		{"Billing", "billing"},                       // case
		{"biling", "billing"},                        // one edit
		{"invoice", "invoices"},                      // one edit
		{"ui / design issues", "UI / Design Issues"}, // case, keeps the known spelling
		{"keyword", "keywords"},
		{"refnuds", "refunds"}, // two edits
		{"pricing", ""},        // nothing near
		{"", ""},
		{"sso", ""},
		{"billing-invoices", "invoices"},   // a parent's name before the theme's
		{"Billing / Invoices", "invoices"}, // any separator, any case
		{"design-issues", "UI / Design Issues"},
	} {
		if got := suggest.Closest(tc.in, known); got != tc.want {
			t.Errorf("Closest(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// A name that ends several known names' words is not taken for any.
func TestClosestByEndingWordsOnlyWhenOne(t *testing.T) {
	for _, tc := range []struct {
		in    string
		known []string
		want  string
	}{
		{"export", []string{"csv-export", "pdf-export"}, ""},
		{"export", []string{"csv-export", "billing"}, "csv-export"},
		{"invoices", []string{"billing-invoices", "refunds"}, "billing-invoices"},
		{"big-invoices", []string{"billing-invoices"}, ""},
	} {
		if got := suggest.Closest(tc.in, tc.known); got != tc.want {
			t.Errorf("Closest(%q, %q) = %q, want %q", tc.in, tc.known, got, tc.want)
		}
	}
}

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{{"", "", 0}, {"abc", "", 3}, {"kitten", "sitting", 3}, {"flaw", "lawn", 2}, {"same", "same", 0}} {
		if got := suggest.Distance(tc.a, tc.b); got != tc.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := suggest.Distance(tc.b, tc.a); got != tc.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tc.b, tc.a, got, tc.want)
		}
	}
}
