// Package yamlerr makes the YAML parser's syntax errors say where and
// why: gopkg.in/yaml.v3 reports "yaml: line 2: found character that cannot
// start any token" for a line indented with a tab, which says neither.
package yamlerr

import (
	"strconv"
	"strings"
)

// Explain splits a yaml.v3 error into the line it names (0 when none) and
// its message without the "yaml: line N:" prefix, adding what the source
// shows: a tab in the indentation of that line, which YAML does not allow.
// src is the text that was parsed; nil when the caller does not have it.
func Explain(src []byte, err error) (line int, msg string) {
	msg = strings.TrimPrefix(err.Error(), "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, tail, ok := strings.Cut(rest, ": "); ok {
			if n, err := strconv.Atoi(num); err == nil {
				line, msg = n, tail
			}
		}
	}
	if line > 0 && !strings.Contains(msg, "tab") && tabIndented(src, line) {
		msg += " (the line is indented with a tab; YAML indents with spaces only)"
	}
	return line, msg
}

// tabIndented reports whether line n (from 1) of src has a tab before its
// first other character, or, as the parser sometimes names the line
// before, whether line n+1 has.
func tabIndented(src []byte, n int) bool {
	lines := strings.Split(string(src), "\n")
	for _, i := range []int{n - 1, n} {
		if i >= 0 && i < len(lines) {
			lead := lines[i][:len(lines[i])-len(strings.TrimLeft(lines[i], " \t"))]
			if strings.Contains(lead, "\t") {
				return true
			}
		}
	}
	return false
}
