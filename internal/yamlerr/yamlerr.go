// Package yamlerr makes the YAML parser's syntax errors say where and
// why: gopkg.in/yaml.v3 reports "yaml: line 2: found character that cannot
// start any token" for a line indented with a tab, which says neither.
package yamlerr

import (
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
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
	if line > 0 && strings.Contains(msg, "tab character") && !leadingTab(src, line) && leadingTab(src, line+1) {
		line++ // the parser names the line before the tab's
	}
	if line > 0 && !strings.Contains(msg, "tab") && tabIndented(src, line) {
		msg += " (the line is indented with a tab; YAML indents with spaces only)"
		return line, msg
	}
	if line > 0 && strings.HasPrefix(msg, "did not find expected") {
		// The parser names the line the block it was reading starts on,
		// which in a long file is far above the mistake.
		if n := misindented(src, line); n > 0 {
			return n, fmt.Sprintf("%s (this line is indented to no level of the lines above it; the parser stopped at line %d)", msg, line)
		}
	}
	return line, msg
}

// misindented returns the first line after line from (counting from 1)
// that is indented less than the line before it, but to no level a block
// above it opened, or 0. Such a line is nearly always the mistake behind a
// "did not find expected key" or "'-' indicator": a key or list item one
// space off its siblings. An item's mapping ("- name: a") opens two levels,
// the dash's and its keys'.
func misindented(src []byte, from int) int {
	var open []int // indents of the blocks open at the line read, growing
	lines := strings.Split(string(src), "\n")
	for n := 1; n <= len(lines); n++ {
		text := strings.TrimRight(lines[n-1], " \r")
		content := strings.TrimLeft(text, " ")
		if content == "" || content[0] == '#' || !startsEntry(content) {
			continue // a continuation: of a scalar, a block scalar, a flow list
		}
		indent := len(text) - len(content)
		popped := -1 // the deepest level this line closed
		for len(open) > 0 && open[len(open)-1] > indent {
			popped = open[len(open)-1]
			open = open[:len(open)-1]
		}
		switch {
		case len(open) > 0 && open[len(open)-1] == indent:
		case popped > indent && n > from:
			// Between two levels: "   keywords:" under "  - name: a",
			// whose keys are at 4.
			return n
		case len(open) > 0 && indent < prevIndent(lines, n):
			if n > from {
				return n
			}
			open = append(open, indent) // above where the parser stopped: not this mistake
		default:
			open = append(open, indent)
		}
		if rest, ok := strings.CutPrefix(content, "- "); ok && strings.Contains(rest, ":") {
			open = append(open, indent+2)
		}
	}
	return 0
}

// prevIndent is the indent of the last entry (see startsEntry) before
// line n (from 1).
func prevIndent(lines []string, n int) int {
	for i := n - 2; i >= 0; i-- {
		content := strings.TrimLeft(lines[i], " ")
		if c := strings.TrimSpace(content); c != "" && c[0] != '#' && startsEntry(c) {
			return len(lines[i]) - len(content)
		}
	}
	return 0
}

// startsEntry reports whether a line's content starts a list item ("- x")
// or a key ("name: x", "keywords:"), rather than going on with a value.
func startsEntry(content string) bool {
	if content == "-" || strings.HasPrefix(content, "- ") {
		return true
	}
	i := strings.Index(content, ":")
	return i > 0 && (i == len(content)-1 || content[i+1] == ' ') && !strings.ContainsAny(content[:i], "[]{}\"'")
}

// tabIndented reports whether line n (from 1) of src has a tab before its
// first other character, or, as the parser sometimes names the line
// before, whether line n+1 has.
func tabIndented(src []byte, n int) bool {
	return leadingTab(src, n) || leadingTab(src, n+1)
}

// leadingTab reports whether line n (from 1) of src has a tab before its
// first other character.
func leadingTab(src []byte, n int) bool {
	lines := strings.Split(string(src), "\n")
	if n < 1 || n > len(lines) {
		return false
	}
	line := lines[n-1]
	return strings.Contains(line[:len(line)-len(strings.TrimLeft(line, " \t"))], "\t")
}

// KeyLine is the line of a dotted key ("nats.url") in a parsed YAML
// document or mapping, 0 when the key is not there.
func KeyLine(n *yaml.Node, key string) int {
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := 0
	for _, name := range strings.Split(key, ".") {
		if n.Kind != yaml.MappingNode {
			return 0
		}
		found := false
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == name {
				line, n, found = n.Content[i].Line, n.Content[i+1], true
				break
			}
		}
		if !found {
			return 0
		}
	}
	return line
}
