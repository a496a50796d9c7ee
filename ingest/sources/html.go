package sources

import (
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// HTMLToText turns an HTML fragment (Discourse's cooked, Intercom's body,
// Freshdesk's description) into the plain text a person reads: entities
// decoded, tags gone, paragraphs and list items on their own lines, code
// blocks kept verbatim, links as their text, images as their alt text.
// Text that is not HTML comes back with its whitespace tidied.
//
// Discourse quotes (aside.quote) are left out: the quoted words belong to
// another post, which is a record of its own, and keeping them would count
// them twice. Link previews (aside.onebox) become their address, and
// avatars and a poll's count of voters vanish.
func HTMLToText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return tidy(s)
	}
	nodes, err := html.ParseFragment(strings.NewReader(s), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
	if err != nil {
		return tidy(s)
	}
	w := &textWriter{}
	for _, n := range nodes {
		w.node(n)
	}
	return tidy(w.b.String())
}

// textWriter accumulates text, collapsing whitespace outside <pre> and
// turning block boundaries into line breaks.
type textWriter struct {
	b       strings.Builder
	pending int  // line breaks owed before the next text: 1 or 2
	space   bool // a space is owed before the next text
	pre     int  // depth of <pre>
	started bool
	marked  bool // a list marker was just written: the item's first block starts on its line
}

func (w *textWriter) text(s string) {
	if w.pre > 0 {
		w.flush()
		w.b.WriteString(s)
		w.marked = false
		return
	}
	if s == "" {
		return
	}
	if isHTMLSpace(rune(s[0])) {
		w.space = true
	}
	for _, f := range strings.FieldsFunc(s, isHTMLSpace) {
		w.word(f) // leaves a space owed before the next field
	}
	w.space = isHTMLSpace(rune(s[len(s)-1])) || w.space && len(strings.TrimFunc(s, isHTMLSpace)) == 0
}

// word writes text that must stay together (an image's alt text, a list
// marker) after the owed separator.
func (w *textWriter) word(s string) {
	if s == "" {
		return
	}
	if w.started && w.pending == 0 && w.space {
		w.b.WriteByte(' ')
	}
	w.flush()
	w.b.WriteString(s)
	w.space = true
	w.marked = false
}

func (w *textWriter) flush() {
	if w.started {
		for ; w.pending > 0; w.pending-- {
			w.b.WriteByte('\n')
		}
	}
	w.pending = 0
	w.started = true
}

func (w *textWriter) breakLines(n int) {
	if w.marked {
		return
	}
	if n > w.pending {
		w.pending = n
	}
	w.space = false
}

func isHTMLSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' || r == '\u00a0'
}

// blocks end a paragraph; lineBlocks end a line.
var (
	blocks = map[atom.Atom]bool{
		atom.P: true, atom.Div: true, atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true,
		atom.H5: true, atom.H6: true, atom.Ul: true, atom.Ol: true, atom.Blockquote: true,
		atom.Pre: true, atom.Table: true, atom.Section: true, atom.Article: true, atom.Aside: true,
		atom.Header: true, atom.Footer: true, atom.Figure: true, atom.Details: true, atom.Dl: true,
		atom.Hr: true, atom.Form: true, atom.Fieldset: true, atom.Nav: true, atom.Main: true,
	}
	lineBlocks = map[atom.Atom]bool{
		atom.Li: true, atom.Tr: true, atom.Dt: true, atom.Dd: true, atom.Figcaption: true,
		atom.Summary: true, atom.Caption: true,
	}
	invisible = map[atom.Atom]bool{
		atom.Script: true, atom.Style: true, atom.Head: true, atom.Template: true,
		atom.Noscript: true, atom.Iframe: true, atom.Svg: true, atom.Button: true,
	}
)

func (w *textWriter) node(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		w.text(n.Data)
		return
	case html.ElementNode:
	case html.DocumentNode:
		w.children(n)
		return
	default:
		return
	}
	a := n.DataAtom
	switch {
	case invisible[a] || hasClass(n, "meta") && hasAncestorClass(n, "lightbox-wrapper"):
		return
	case hasClass(n, "poll-info") && hasAncestorClass(n, "poll"):
		// A Discourse poll's vote count ("12 voters"), which Discourse
		// writes and every vote changes: not the post's text.
		return
	case a == atom.Aside && hasClass(n, "quote"):
		w.breakLines(2)
		return
	case a == atom.Aside && hasClass(n, "onebox"):
		w.breakLines(2)
		w.word(firstNonEmpty(attr(n, "data-onebox-src"), firstHref(n)))
		w.breakLines(2)
		return
	case a == atom.Img && hasClass(n, "avatar"):
		return
	case a == atom.Br:
		w.breakLines(1)
		return
	case a == atom.Img:
		w.word(imageText(n))
		return
	case a == atom.Pre:
		w.breakLines(2)
		w.pre++
		w.children(n)
		w.pre--
		w.breakLines(2)
		return
	case a == atom.Li:
		w.breakLines(1)
		w.word(listMarker(n))
		w.marked = true
		w.children(n)
		w.marked = false
		w.breakLines(1)
		return
	case a == atom.Td || a == atom.Th:
		if n.PrevSibling != nil {
			w.word("|")
		}
		w.children(n)
		w.space = true
		return
	case a == atom.A:
		before := w.b.Len()
		w.children(n)
		if w.b.Len() == before {
			w.word(attr(n, "href"))
		}
		return
	}
	switch {
	case blocks[a]:
		w.breakLines(2)
		w.children(n)
		w.breakLines(2)
	case lineBlocks[a]:
		w.breakLines(1)
		w.children(n)
		w.breakLines(1)
	default:
		w.children(n)
	}
}

func (w *textWriter) children(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.node(c)
	}
}

func listMarker(li *html.Node) string {
	if li.Parent == nil || li.Parent.DataAtom != atom.Ol {
		return "-"
	}
	i := 1
	if start, err := strconv.Atoi(attr(li.Parent, "start")); err == nil {
		i = start
	}
	for s := li.PrevSibling; s != nil; s = s.PrevSibling {
		if s.Type == html.ElementNode && s.DataAtom == atom.Li {
			i++
		}
	}
	return strconv.Itoa(i) + "."
}

// imageText is an emoji's alt text (":wrench:"), or [image] with the alt
// text when it says more than "image".
func imageText(n *html.Node) string {
	alt := strings.TrimSpace(attr(n, "alt"))
	if hasClass(n, "emoji") {
		return alt
	}
	if alt == "" || strings.EqualFold(alt, "image") {
		return "[image]"
	}
	return "[image: " + alt + "]"
}

// firstHref is the address of the first link inside n.
func firstHref(n *html.Node) string {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.DataAtom == atom.A {
			if h := attr(c, "href"); h != "" {
				return h
			}
		}
		if h := firstHref(c); h != "" {
			return h
		}
	}
	return ""
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *html.Node, class string) bool {
	for _, c := range strings.Fields(attr(n, "class")) {
		if c == class {
			return true
		}
	}
	return false
}

func hasAncestorClass(n *html.Node, class string) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if hasClass(p, class) {
			return true
		}
	}
	return false
}

var manyBreaks = regexp.MustCompile(`\n{3,}`)

// tidy trims trailing spaces from lines and keeps at most one blank line
// between paragraphs.
func tidy(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t\u00a0")
	}
	return strings.TrimSpace(manyBreaks.ReplaceAllString(strings.Join(lines, "\n"), "\n\n"))
}
