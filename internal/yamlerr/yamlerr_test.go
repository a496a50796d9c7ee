package yamlerr

import (
	"errors"
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
		{"themes:\n  - name: a\n\t- name: x\n", 2, "found a tab character", "spaces only"},
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
