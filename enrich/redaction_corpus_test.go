package enrich_test

import (
	"bufio"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/feedbackloop/feedbackloop/enrich"
)

var markGaps = flag.Bool("mark-redaction-gaps", false, "rewrite testdata/redaction, marking with ~ the lines RedactText gets wrong today")

// The redaction corpus is sentences written for this project in the ways
// customers write contact details (phones.txt, emails.txt: "sentence ⟫
// what must go"), and numbers that must stay (keep.txt), in groups; "⏎"
// stands for a line break in the text, as a hard-wrapped e-mail has. A line
// marked "~ " is a known gap: a contact detail left in, or a number
// replaced. Every other line must come out right, and a gap that now does
// must lose its mark, so that the figures this logs stay true:
//
//	go test -run TestRedactionCorpus -v ./enrich/
//
// After a change to the rules, -mark-redaction-gaps rewrites the marks.
func TestRedactionCorpus(t *testing.T) {
	for _, name := range []string{"phones.txt", "emails.txt", "keep.txt"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", "redaction", name)
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var rewritten strings.Builder
			total, right := 0, 0
			sc := bufio.NewScanner(f)
			for n := 1; sc.Scan(); n++ {
				line := sc.Text()
				gap := strings.HasPrefix(line, "~ ")
				text := strings.TrimPrefix(line, "~ ")
				if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
					rewritten.WriteString(line + "\n")
					continue
				}
				parts := strings.Split(text, " ⟫ ")
				in := strings.ReplaceAll(parts[0], "⏎", "\n")
				out := enrich.RedactText(in)
				wrong := out != in // keep.txt: nothing may change
				if len(parts) > 1 {
					wrong = false
					for _, pii := range parts[1:] {
						wrong = wrong || survives(out, pii)
					}
				}
				total++
				if !wrong {
					right++
				}
				switch {
				case *markGaps:
				case wrong && !gap:
					t.Errorf("%s:%d: %q\n\tbecame %q", path, n, parts[0], out)
				case !wrong && gap:
					t.Errorf("%s:%d: a known gap that now comes out right; remove its ~ (or run with -mark-redaction-gaps): %q", path, n, parts[0])
				}
				if wrong {
					rewritten.WriteString("~ ")
				}
				rewritten.WriteString(text + "\n")
			}
			if err := sc.Err(); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %d of %d right", name, right, total)
			if *markGaps {
				if err := os.WriteFile(path, []byte(rewritten.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// survives reports whether what must go is still in out. A phone number
// survives when its last six digits (five for a short one) are still
// there once the characters numbers are written with are dropped; an
// address, or a word unique to it, when it is still there as written.
func survives(out, pii string) bool {
	digits := onlyDigits(pii)
	if len(digits) >= 6 && !strings.Contains(pii, "@") && 2*len(digits) >= len([]rune(pii)) {
		tail := 6
		if len(digits) < 8 {
			tail = 5
		}
		return strings.Contains(withoutSeparators(out), digits[len(digits)-tail:])
	}
	return strings.Contains(strings.ToLower(out), strings.ToLower(pii))
}

// onlyDigits returns the digits of s, full-width ones as ASCII.
func onlyDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case '0' <= r && r <= '9':
			b.WriteRune(r)
		case '０' <= r && r <= '９':
			b.WriteRune(r - '０' + '0')
		}
	}
	return b.String()
}

// withoutSeparators returns s without spaces, dashes, dots (middle dots too), slashes,
// brackets and invisible characters, full-width digits as ASCII.
func withoutSeparators(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsSpace(r), unicode.In(r, unicode.Zs, unicode.Pd, unicode.Cf), strings.ContainsRune("-./()−ー（）．·・", r):
		case '０' <= r && r <= '９':
			b.WriteRune(r - '０' + '0')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
