package yamlerr

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestExplainNamesTheLineAndATabIndent(t *testing.T) {
	for _, tc := range []struct {
		src      string
		line     int
		msg, not string
	}{
		// A tab before a list item: the parser's own words do not say tab.
		{"themes:\n  - name: a\n    keywords:\n\t  - x\n", 4, "cannot start any token (the line is indented with a tab; YAML indents with spaces only)", ""},
		{"llm:\n\tenabled: true\n", 2, "(the line is indented with a tab", ""},
		// The parser says tab itself: no second word of it.
		{"themes:\n  - name: a\n\t- name: x\n", 3, "found a tab character", "spaces only"},
		// ... and names the line before the tab's.
		{"themes:\n  - name: billing\n    keywords:\n      - invoice\n\t- refund\n", 5, "found a tab character", "spaces only"},
		// A tab after the content is not indentation.
		{"a: [x\nb: 1\t\n", 1, "did not find expected", "tab"},
	} {
		var v any
		err := yaml.Unmarshal([]byte(tc.src), &v)
		if err == nil {
			t.Fatalf("%q parsed", tc.src)
		}
		line, msg := Explain([]byte(tc.src), err)
		if line != tc.line || !strings.Contains(msg, tc.msg) || tc.not != "" && strings.Contains(msg, tc.not) {
			t.Errorf("%q: line %d %q, want line %d with %q and without %q", tc.src, line, msg, tc.line, tc.msg, tc.not)
		}
	}
	if line, msg := Explain(nil, errors.New("yaml: unknown anchor 'x' referenced")); line != 0 || msg != "unknown anchor 'x' referenced" {
		t.Errorf("no line: %d %q", line, msg)
	}
}

// A key or list item one space off its siblings, far below where the block
// it breaks starts, is named by its own line, with the parser's beside it.
func TestExplainNamesAMisindentedLineBelowTheBlock(t *testing.T) {
	var b strings.Builder
	b.WriteString("themes:\n")
	for i := range 20 {
		fmt.Fprintf(&b, "  - name: t%d\n    description: Theme %d,\n      told over two lines.\n    keywords:\n      - a%d\n      - b%d\n", i, i, i, i)
	}
	good := b.String()
	for _, tc := range []struct {
		from, to string
		line     int
	}{
		{"    keywords:\n      - a15", "   keywords:\n      - a15", 95},            // a key one space left
		{"  - name: t17\n", " - name: t17\n", 104},                                 // an item one space left
		{"      - b18\n", "     - b18\n", 115},                                     // a list item one space left
		{"  - name: t17\n    description:", "  - name: t17\n   description:", 105}, // a key one space left, right under its item
	} {
		src := strings.Replace(good, tc.from, tc.to, 1)
		var v any
		err := yaml.Unmarshal([]byte(src), &v)
		if err == nil {
			t.Fatalf("%q parsed", tc.to)
		}
		line, msg := Explain([]byte(src), err)
		if line != tc.line || !strings.Contains(msg, "indented to no level") || !strings.Contains(msg, "the parser stopped at line") {
			t.Errorf("%q: line %d %q (%v), want line %d", tc.to, line, msg, err, tc.line)
		}
	}
	var v any
	if err := yaml.Unmarshal([]byte(good), &v); err != nil {
		t.Fatalf("the good file: %v", err)
	}

	// Values that go on over lines less indented than their first are no
	// mistake: a block scalar's, a flow list's.
	for _, src := range []string{
		"a:\n  k: [x,\n     y,\n    z]\n  list:\n    - 1\n    - 2\n   - 3\n",
		"a:\n  k: |\n    one\n      two\n   three\n  list:\n    - 1\n   - 2\n",
	} {
		err := yaml.Unmarshal([]byte(src), &v)
		if err == nil {
			t.Fatalf("%q parsed", src)
		}
		if line, msg := Explain([]byte(src), err); line != 8 {
			t.Errorf("%q: line %d %q, want 8, the item one space off", src, line, msg)
		}
	}
}
