package enrich

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/unicode/norm"
	"gopkg.in/yaml.v3"

	"github.com/feedbackloop/feedbackloop/internal/suggest"
	"github.com/feedbackloop/feedbackloop/internal/yamlerr"
)

// Taxonomy is the tree of themes feedback is tagged with. Every theme name
// is unique in the whole tree, so a name alone identifies a theme.
//
// A Taxonomy read by LoadTaxonomy or ParseTaxonomy has been validated. One
// built in Go is used as it is: taggers skip keywords that hold no word.
// Lookups walk the tree, which is small; taggers index it once when built.
type Taxonomy struct {
	Themes []ThemeDef `yaml:"themes"`
}

// ThemeDef defines one theme. Keywords are words or phrases that mark the
// theme in text; Examples are whole sentences that show it, for people and
// for taggers that learn from examples. Children are narrower themes; a
// record tagged with a child is tagged with all its ancestors too.
type ThemeDef struct {
	Name        string     `yaml:"name"`
	Description string     `yaml:"description"`
	Keywords    []string   `yaml:"keywords"`
	Examples    []string   `yaml:"examples"`
	Children    []ThemeDef `yaml:"children"`
}

//go:embed default_taxonomy.yaml
var defaultTaxonomyYAML []byte

// defaultTaxonomy parses the bundled file on first use rather than at
// start-up, and only once.
var defaultTaxonomy = sync.OnceValue(func() *Taxonomy {
	t, err := ParseTaxonomy(defaultTaxonomyYAML, "default_taxonomy.yaml")
	if err != nil {
		panic("enrich: the bundled taxonomy is invalid: " + err.Error())
	}
	return t
})

// DefaultTaxonomy returns the bundled taxonomy for SaaS product feedback.
// Each call returns a copy the caller may change.
func DefaultTaxonomy() *Taxonomy {
	t := defaultTaxonomy()
	return &Taxonomy{Themes: cloneThemes(t.Themes)}
}

func cloneThemes(themes []ThemeDef) []ThemeDef {
	if themes == nil {
		return nil
	}
	out := make([]ThemeDef, len(themes))
	for i, th := range themes {
		out[i] = ThemeDef{
			Name:        th.Name,
			Description: th.Description,
			Keywords:    append([]string(nil), th.Keywords...),
			Examples:    append([]string(nil), th.Examples...),
			Children:    cloneThemes(th.Children),
		}
	}
	return out
}

// LoadTaxonomy reads and validates the taxonomy file at path.
func LoadTaxonomy(path string) (*Taxonomy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseTaxonomy(data, path)
}

// ParseTaxonomy parses and validates a taxonomy in YAML. filename is used
// only in error messages. The error, if any, lists every problem found,
// one per line, each a *TaxonomyError naming the file and line, such as
//
//	taxonomy.yaml:14: theme "billing": duplicate theme name (first defined on line 3)
func ParseTaxonomy(data []byte, filename string) (*Taxonomy, error) {
	var doc, more yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, yamlError(filename, data, err)
	}
	p := &taxonomyParser{file: filename, seen: map[string]int{}}
	t := p.document(&doc)
	// yaml.Unmarshal would read the first document and ignore the rest:
	// themes after a "---" would be left out without a word.
	for {
		if err := dec.Decode(&more); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, yamlError(filename, data, err)
		}
		if len(more.Content) > 0 && !isNull(more.Content[0]) { // a lone "---" at the end is harmless
			p.fail(&more, "", `a second YAML document begins here; a taxonomy is one document with one "themes" list`)
			break
		}
	}
	if len(p.problems) > 0 {
		return nil, errors.Join(p.problems...)
	}
	return t, nil
}

// TaxonomyError is one problem in a taxonomy file.
type TaxonomyError struct {
	File  string
	Line  int
	Theme string // name of the theme the problem is in; empty when unknown
	Msg   string
}

func (e *TaxonomyError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if e.Theme != "" {
		fmt.Fprintf(&b, "theme %q: ", e.Theme)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// yamlError restates a YAML syntax error ("yaml: line 3: did not find
// expected key") in the file:line form of the other problems.
func yamlError(file string, data []byte, err error) error {
	line, msg := yamlerr.Explain(data, err)
	return &TaxonomyError{File: file, Line: line, Msg: msg}
}

var themeKeys = []string{"name", "description", "keywords", "examples", "children"}

// taxonomyParser walks the YAML node tree rather than decoding into structs,
// because only nodes carry the line numbers that make errors useful.
type taxonomyParser struct {
	file     string
	seen     map[string]int // lowercased name → line of its first definition
	problems []error
}

func (p *taxonomyParser) fail(n *yaml.Node, theme, format string, args ...any) {
	p.problems = append(p.problems, &TaxonomyError{File: p.file, Line: n.Line, Theme: theme, Msg: fmt.Sprintf(format, args...)})
}

func (p *taxonomyParser) document(doc *yaml.Node) *Taxonomy {
	t := &Taxonomy{}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		p.problems = append(p.problems, &TaxonomyError{File: p.file, Msg: `is empty, want a mapping with a "themes" list`})
		return t
	}
	root := resolve(doc.Content[0])
	if root.Kind != yaml.MappingNode {
		p.fail(root, "", `want a mapping with a "themes" list, found %s`, kindName(root))
		return t
	}
	var themes, themesKey *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch {
		case k.Value != "themes":
			p.fail(k, "", "unknown key %q%s", k.Value, didYouMean(k.Value, []string{"themes"}))
		case themes != nil:
			// The YAML library keeps the last; the first list's themes
			// would be gone without a word.
			p.fail(k, "", `key "themes" appears twice (first on line %d): put every theme in one list`, themesKey.Line)
		default:
			themes, themesKey = v, k
		}
	}
	if themes == nil {
		p.fail(root, "", `missing key "themes"`)
		return t
	}
	t.Themes = p.themeList(themesKey, themes, "")
	if len(t.Themes) == 0 && len(p.problems) == 0 {
		p.fail(themes, "", "defines no themes")
	}
	return t
}

// themeList reads a list of themes, the value n of key; parent names the
// theme it belongs to. A theme is defined once, so an alias may name no
// theme nor list of them: an alias of one would repeat it, and under its
// own children it would never end.
func (p *taxonomyParser) themeList(key, n *yaml.Node, parent string) []ThemeDef {
	if n.Kind == yaml.AliasNode {
		p.fail(key, parent, "a YAML alias (*%s) repeats a theme; define each theme once", n.Value)
		return nil
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.fail(n, parent, "want a list of themes, found %s", kindName(n))
		return nil
	}
	themes := make([]ThemeDef, 0, len(n.Content))
	for _, item := range n.Content {
		if item.Kind == yaml.AliasNode {
			p.fail(item, parent, "a YAML alias (*%s) repeats a theme; define each theme once", item.Value)
			continue
		}
		if th, ok := p.theme(item, parent); ok {
			themes = append(themes, th)
		}
	}
	return themes
}

func (p *taxonomyParser) theme(n *yaml.Node, parent string) (ThemeDef, bool) {
	var th ThemeDef
	if n.Kind != yaml.MappingNode {
		p.fail(n, "", "want a theme (a mapping with a name), found %s%s", kindName(n), under(parent))
		return th, false
	}
	// The name comes first so that every other problem can say which theme
	// it is in, wherever the name appears in the mapping.
	var nameNode *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "name" {
			nameNode = resolve(n.Content[i+1])
			break
		}
	}
	label := "" // how problems refer to this theme
	switch {
	case nameNode == nil:
		p.fail(n, "", `theme has no "name"%s`, under(parent))
	case !isString(nameNode):
		p.fail(nameNode, "", "theme name must be a string, found %s%s", kindName(nameNode), under(parent))
	default:
		// One spelling of "café" whichever way the editor composed it,
		// as labels are read (learned.ReadCSV).
		th.Name = norm.NFC.String(strings.TrimSpace(nameNode.Value))
		label = th.Name
		if th.Name == "" {
			p.fail(nameNode, "", "theme name is empty%s", under(parent))
			break
		}
		if strings.Contains(th.Name, "|") {
			p.fail(nameNode, th.Name, `theme name holds "|", which joins the labels of labelled data, so no label could name it`)
		} else if i := strings.IndexFunc(th.Name, unicode.IsControl); i >= 0 {
			p.fail(nameNode, th.Name, "theme name holds the control character %q", th.Name[i:i+1])
		}
		key := strings.ToLower(th.Name)
		if first, ok := p.seen[key]; ok {
			p.fail(nameNode, th.Name, "duplicate theme name (first defined on line %d)", first)
		} else {
			p.seen[key] = nameNode.Line
		}
	}

	keyLines := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		if line, dup := keyLines[k.Value]; dup {
			p.fail(k, label, "key %q appears twice (first on line %d)", k.Value, line)
			continue
		}
		keyLines[k.Value] = k.Line
		switch k.Value {
		case "name":
		case "description":
			if !isString(v) && !isNull(v) {
				p.fail(v, label, "description must be a string, found %s", kindName(v))
				continue
			}
			th.Description = strings.TrimSpace(v.Value)
		case "keywords":
			th.Keywords = p.stringList(v, label, "keyword", true)
		case "examples":
			th.Examples = p.stringList(v, label, "example", false)
		case "children":
			th.Children = p.themeList(k, n.Content[i+1], label)
		default:
			p.fail(k, label, "unknown key %q%s", k.Value, didYouMean(k.Value, themeKeys))
		}
	}
	return th, true
}

// splitCommas splits a comma-separated string into its trimmed, non-empty
// parts.
func splitCommas(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// stringList reads a list of strings. Keywords must also hold a word once
// normalised, or they could never match anything.
func (p *taxonomyParser) stringList(n *yaml.Node, theme, what string, needWord bool) []string {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		hint := ""
		if isString(n) && strings.TrimSpace(n.Value) != "" {
			// "keywords: invoice, charge" is one string; a list is written
			// in brackets or one item a line.
			hint = fmt.Sprintf(" (write a list: [%s])", strings.Join(splitCommas(n.Value), ", "))
		}
		p.fail(n, theme, "%ss must be a list of strings, found %s%s", what, kindName(n), hint)
		return nil
	}
	out := make([]string, 0, len(n.Content))
	for _, item := range n.Content {
		item = resolve(item)
		if !isString(item) {
			hint := ""
			if item.Kind == yaml.ScalarNode && !isNull(item) {
				hint = fmt.Sprintf(" (quote it: %q)", item.Value)
			}
			p.fail(item, theme, "%s must be a string, found %s%s", what, kindName(item), hint)
			continue
		}
		s := strings.TrimSpace(item.Value)
		if needWord && !hasWord(s) {
			p.fail(item, theme, "%s %q has no letters or digits, so it can never match", what, item.Value)
			continue
		}
		if s == "" {
			p.fail(item, theme, "%s is empty", what)
			continue
		}
		out = append(out, s)
	}
	return out
}

func hasWord(s string) bool {
	_, start, _, _ := nextWord(s, 0, nil)
	return start >= 0
}

func under(parent string) string {
	if parent == "" {
		return ""
	}
	return " (in the children of " + strconv.Quote(parent) + ")"
}

// resolve follows an alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isString(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!str" }

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "nothing"
		case "!!int", "!!float":
			return "a number"
		case "!!bool":
			return "a boolean"
		case "!!str":
			return "a string"
		}
		return "a " + strings.TrimPrefix(n.Tag, "!!")
	}
	return "something else"
}

// didYouMean returns ` (did you mean "keywords"?)` when key is a small
// typo away from one of the known keys.
func didYouMean(key string, known []string) string {
	if k := suggest.Closest(key, known); k != "" {
		return fmt.Sprintf(" (did you mean %q?)", k)
	}
	return fmt.Sprintf(" (want one of %s)", strings.Join(known, ", "))
}

// Names returns the name of every theme, children included, depth first
// in file order.
func (t *Taxonomy) Names() []string {
	var names []string
	t.walk(func(th *ThemeDef, _ []string) bool {
		names = append(names, th.Name)
		return true
	})
	return names
}

// ByNameKey maps every theme's NameKey to its name, for matching tags and
// proposed names, written in any case or punctuation, to themes. The map
// is the caller's to extend.
func (t *Taxonomy) ByNameKey() map[string]string {
	names := t.Names()
	m := make(map[string]string, len(names))
	for _, name := range names {
		m[NameKey(name)] = name
	}
	return m
}

// WithKeyword returns the name of the first theme, depth first, that
// lists word among its keywords, both folded by NameKey ("Log_In" and
// "log in" are both "log-in"); "" when none does. It helps someone who labelled data
// with a keyword or a ticket tag ("login") find the theme's name
// ("authentication").
func (t *Taxonomy) WithKeyword(word string) string {
	key, found := NameKey(word), ""
	if key == "" {
		return ""
	}
	t.walk(func(th *ThemeDef, _ []string) bool {
		for _, k := range th.Keywords {
			if NameKey(k) == key {
				found = th.Name
				return false
			}
		}
		return true
	})
	return found
}

// Lookup returns the theme called name.
func (t *Taxonomy) Lookup(name string) (*ThemeDef, bool) {
	def, _ := t.find(name)
	return def, def != nil
}

// Parent returns the name of the theme that name is a child of. ok is false
// for a top-level theme and for a name the taxonomy does not have.
func (t *Taxonomy) Parent(name string) (parent string, ok bool) {
	if _, path := t.find(name); len(path) > 0 {
		return path[len(path)-1], true
	}
	return "", false
}

// Ancestors returns the names of the themes above name, nearest first; nil
// for a top-level theme or an unknown name.
func (t *Taxonomy) Ancestors(name string) []string {
	_, path := t.find(name)
	if len(path) == 0 {
		return nil
	}
	out := make([]string, len(path))
	for i, p := range path {
		out[len(path)-1-i] = p
	}
	return out
}

// find returns the theme called name and the names on the path to it from
// the top, nearest last.
func (t *Taxonomy) find(name string) (def *ThemeDef, path []string) {
	t.walk(func(th *ThemeDef, p []string) bool {
		if th.Name == name {
			def, path = th, slices.Clone(p)
			return false
		}
		return true
	})
	return def, path
}

// walk calls fn for every theme depth first with the names of its
// ancestors, top first, until fn returns false.
func (t *Taxonomy) walk(fn func(th *ThemeDef, ancestors []string) bool) {
	if t == nil {
		return
	}
	var visit func(themes []ThemeDef, path []string) bool
	visit = func(themes []ThemeDef, path []string) bool {
		for i := range themes {
			th := &themes[i]
			if !fn(th, path) {
				return false
			}
			if !visit(th.Children, append(path, th.Name)) {
				return false
			}
		}
		return true
	}
	visit(t.Themes, nil)
}

// NameKey folds a theme name, or a tag or a proposed name, into the
// taxonomy's style: lower case, with every run of characters other than
// letters and digits made one hyphen ("UI / Design" is "ui-design").
func NameKey(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), "-")
}
