package sources

import (
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/feedbackloop/feedbackloop/feedback"
	"github.com/feedbackloop/feedbackloop/internal/yamlerr"
)

// Notes maps interview notes: Markdown or plain-text files, one per
// interview, with optional YAML front matter between --- lines:
//
//	---
//	id: acme-2024-05            # default: the file's path without extension
//	date: 2024-05-02            # required here or as a YYYY-MM-DD file name prefix
//	title: Onboarding interview
//	account: Acme               # or account_id, account_name, plan, arr, or a map
//	interviewee: Dana Reyes     # or a map with name, email, id
//	email: dana@acme.example
//	interviewer: Sam
//	tags: [onboarding, exports]
//	url: https://docs.example.com/interviews/acme
//	---
//
// An interview is cut into passages: every heading starts a new section,
// a section's paragraphs are joined until a passage reaches MinPassage
// bytes, and no passage is longer than MaxPassage (a longer paragraph is cut
// at sentence ends). Each passage is one record, kind interview, with id
// notes:<interview id>/<n> and parent notes:<interview id>, so a theme
// found in a passage points at the quote that supports it.
//
// The interview as a whole is not published as a record of its own: its
// text is the sum of its passages, and storing it too would count every
// theme twice. Its id is the parent every passage names; its title, date,
// account and interviewee are on every passage. Front matter keys not
// listed above go to metadata.
type Notes struct {
	// Source names the records' source; "notes" when empty.
	Source string
	// MinPassage and MaxPassage bound a passage's size in bytes; 200 and
	// 1200 when 0.
	MinPassage, MaxPassage int
}

// Name is the --source name.
func (Notes) Name() string { return "notes" }

var noteExtensions = map[string]bool{".md": true, ".markdown": true, ".txt": true, ".text": true}

// MapDir maps every note file under dir, in path order. Other files are
// ignored. Positions name the file relative to dir.
func (n Notes) MapDir(dir string) ([]Item, error) {
	var paths []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != dir && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if !d.IsDir() && noteExtensions[strings.ToLower(filepath.Ext(path))] {
			paths = append(paths, path)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read notes: %w", err)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no .md or .txt files in %s", dir)
	}
	sort.Strings(paths)
	notes := make([]note, 0, len(paths))
	byID := map[string][]int{} // interview id → the notes that have it
	for _, path := range paths {
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			rel = path
		}
		rel = filepath.ToSlash(rel)
		data, err := os.ReadFile(path)
		if err != nil {
			notes = append(notes, note{name: rel, items: []Item{failed(Position{File: rel}, err)}})
			continue
		}
		nt := n.mapNote(rel, data)
		if nt.id != "" {
			byID[nt.id] = append(byID[nt.id], len(notes))
		}
		notes = append(notes, nt)
	}
	for _, same := range byID {
		if len(same) > 1 {
			rejectSharedID(notes, same)
		}
	}
	var items []Item
	for _, nt := range notes {
		items = append(items, nt.items...)
	}
	return items, nil
}

// note is one mapped note file: its interview id ("" when it has none,
// having failed), the line that sets it (0 when the file name does), and
// its items.
type note struct {
	name     string
	id       string
	idLine   int
	items    []Item
	explicit bool
}

// rejectSharedID turns into one failed item each of the notes (indexes
// into notes) that have the same interview id: their passages would have
// the same ids, and the later note's would replace the earlier's, as one
// interview's versions do. Which interview is the one to keep cannot be
// told, so neither is imported until the ids differ.
func rejectSharedID(notes []note, same []int) {
	for _, i := range same {
		var others []string
		for _, j := range same {
			if j != i {
				others = append(others, notes[j].name)
			}
		}
		from := "made from the file name"
		if notes[i].explicit {
			from = "set by id:"
		}
		notes[i].items = []Item{failed(Position{File: notes[i].name, Line: notes[i].idLine},
			&mapError{field: "id", detail: fmt.Sprintf("the interview's id %s (%s) is also that of %s: their passages would have the same ids and one interview would replace the other; "+
				"give each an id: of its own in its front matter, or rename one of the files",
				notes[i].id, from, strings.Join(others, ", "))})}
	}
}

// noteHead is what front matter and the file name say about an interview.
type noteHead struct {
	id, title, url, language string
	idFromName               bool // no id: key; the id is the file's path
	date                     time.Time
	author                   feedback.Author
	account                  feedback.Account
	tags                     []string
	metadata                 map[string]string
}

// MapFile maps one note; name is its path relative to the notes
// directory, used for the default id and in positions.
func (n Notes) MapFile(name string, data []byte) []Item { return n.mapNote(name, data).items }

func (n Notes) mapNote(name string, data []byte) note {
	nt := note{name: name}
	nt.items, nt.id, nt.idLine, nt.explicit = n.mapFile(name, data)
	return nt
}

// mapFile maps one note and says its interview's record id, the line of
// its id: key and whether it has one.
func (n Notes) mapFile(name string, data []byte) (items []Item, id string, idLine int, explicit bool) {
	source := n.Source
	if source == "" {
		source = "notes"
	}
	pos := Position{File: name}
	if !utf8.Valid(data) {
		return []Item{failed(pos, &mapError{detail: "is not UTF-8 text"})}, "", 0, false
	}
	text := strings.ReplaceAll(string(withoutBOM(data)), "\r\n", "\n")
	front, body, bodyLine, err := splitFrontMatter(text)
	if err != nil {
		return []Item{failed(Position{File: name, Line: 1}, err)}, "", 0, false
	}
	fm, lines, line, err := parseFrontMatter(front)
	if err != nil {
		return []Item{failed(Position{File: name, Line: line}, err)}, "", 0, false
	}
	head, line, err := noteHeader(name, fm, lines)
	if err != nil {
		return []Item{failed(Position{File: name, Line: line}, err)}, "", 0, false
	}
	blocks := noteBlocks(body, bodyLine)
	if head.title == "" && len(blocks) > 0 && blocks[0].level == 1 {
		head.title = blocks[0].text
		blocks = blocks[1:]
	}
	if head.title == "" {
		head.title = strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	}
	passages := n.passages(blocks)
	if len(passages) == 0 {
		return []Item{failed(pos, &mapError{detail: "has no text after its front matter"})}, "", 0, false
	}
	parent := prefixed(source, head.id)
	items = make([]Item, 0, len(passages))
	for i, p := range passages {
		r := &feedback.Record{
			ID: parent + "/" + strconv.Itoa(i+1), Parent: parent, Source: source, Kind: "interview",
			CreatedAt: head.date, Title: head.title, Body: p.text, URL: head.url, Language: head.language,
			Tags: head.tags, Metadata: map[string]string{"passage": fmt.Sprintf("%d/%d", i+1, len(passages)), "file": name},
		}
		if p.section != "" {
			r.Title += " — " + p.section
			r.Metadata["section"] = p.section
		}
		for k, v := range head.metadata {
			r.Metadata[k] = v
		}
		author, account := head.author, head.account
		r.Author, r.Account = &author, &account
		items = append(items, finish(Position{File: name, Line: p.line}, r))
	}
	if !head.idFromName {
		return items, parent, lines["id"], true
	}
	return items, parent, 0, false
}

// splitFrontMatter returns the YAML between a leading --- line and the
// next ---, the text after it and the line that text starts on.
func splitFrontMatter(text string) (front, body string, bodyLine int, err error) {
	if !strings.HasPrefix(text, "---\n") && text != "---" {
		return "", text, 1, nil
	}
	rest := text[4:]
	end := -1
	line := 2
	for off := 0; off <= len(rest); {
		nl := strings.IndexByte(rest[off:], '\n')
		l := rest[off:]
		if nl >= 0 {
			l = rest[off : off+nl]
		}
		if strings.TrimRight(l, " \t") == "---" || strings.TrimRight(l, " \t") == "..." {
			end = off
			break
		}
		if nl < 0 {
			break
		}
		off += nl + 1
		line++
	}
	if end < 0 {
		return "", "", 0, &mapError{field: "front matter", detail: "starts with --- but has no closing --- line"}
	}
	after := rest[end:]
	if nl := strings.IndexByte(after, '\n'); nl >= 0 {
		after = after[nl+1:]
	} else {
		after = ""
	}
	return rest[:end], after, line + 1, nil
}

var datePrefix = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2})`)

// parseFrontMatter reads front matter as YAML. A syntax error comes with
// the line of the file it is on: front matter starts on line 2. lines
// gives the file's line of each key, and of each key of a map under a
// key as "key.sub".
func parseFrontMatter(front string) (fm map[string]any, lines map[string]int, line int, err error) {
	fm, lines = map[string]any{}, map[string]int{}
	if strings.TrimSpace(front) == "" {
		return fm, lines, 0, nil
	}
	var doc yaml.Node
	err = yaml.Unmarshal([]byte(front), &doc)
	if err == nil && len(doc.Content) > 0 {
		err = doc.Content[0].Decode(&fm)
	}
	if err != nil {
		line, msg := yamlerr.Explain([]byte(front), err)
		return nil, nil, 1 + max(line, 1), &mapError{field: "front matter", detail: "is not YAML: " + msg}
	}
	if len(doc.Content) > 0 && doc.Content[0].Kind == yaml.MappingNode {
		top := doc.Content[0].Content
		for i := 0; i+1 < len(top); i += 2 {
			lines[top[i].Value] = 1 + top[i].Line
			if v := top[i+1]; v.Kind == yaml.MappingNode {
				for j := 0; j+1 < len(v.Content); j += 2 {
					lines[top[i].Value+"."+v.Content[j].Value] = 1 + v.Content[j].Line
				}
			}
		}
	}
	return fm, lines, 0, nil
}

// noteMaps are the front matter keys that may hold a map, and the keys
// that map may have.
var noteMaps = map[string][]string{
	"account":     {"id", "name", "plan", "arr"},
	"interviewee": {"id", "name", "email"},
}

// checkFrontMatter refuses what noteHeader would otherwise drop or
// garble without a word: a map where text belongs (metadata holds text;
// a list of text is joined), a list of lists, a key of the account or interviewee map that is not one
// of theirs, a map or list inside them or among the tags. It returns the
// file's line of the key at fault.
func checkFrontMatter(fm map[string]any, lines map[string]int) (int, error) {
	names := make([]string, 0, len(fm))
	for k := range fm {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		switch v := fm[k].(type) {
		case map[string]any:
			known, ok := noteMaps[k]
			if !ok {
				return lines[k], &mapError{field: k, detail: "is a map, and " + k + " holds text: write it as text, or leave it out"}
			}
			subs := make([]string, 0, len(v))
			for sub := range v {
				subs = append(subs, sub)
			}
			sort.Strings(subs)
			for _, sub := range subs {
				field := k + "." + sub
				if !slices.Contains(known, sub) {
					return lines[field], &mapError{field: field, detail: fmt.Sprintf("is not a key of %s: want %s", k, strings.Join(known, ", "))}
				}
				if what := nested(v[sub]); what != "" {
					return lines[field], &mapError{field: field, detail: "is " + what + ", want text"}
				}
			}
		case []any:
			// tags, or metadata ("attendees: [Sam, Dana]", kept as
			// "Sam, Dana"): a list of text either way.
			for _, t := range v {
				if what := nested(t); what != "" {
					return lines[k], &mapError{field: k, detail: "holds " + what + ", want a list of text"}
				}
			}
		}
	}
	return 0, nil
}

// nested names a YAML map or list; "" for anything else.
func nested(v any) string {
	switch v.(type) {
	case map[string]any:
		return "a map"
	case []any:
		return "a list"
	}
	return ""
}

// noteARR reads an annual revenue: a number that is not negative, and a
// number indeed (strconv.ParseFloat reads "NaN" and "Inf" too).
func noteARR(field, text string) (float64, error) {
	v, err := strconv.ParseFloat(text, 64)
	if err != nil || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, &mapError{field: field, detail: fmt.Sprintf("%q is not an amount", text)}
	}
	return v, nil
}

// noteHeader reads front matter and the file name. An error comes with
// the file's line it is about (1 when it is about none).
func noteHeader(name string, fm map[string]any, lines map[string]int) (noteHead, int, error) {
	h := noteHead{metadata: map[string]string{}}
	if line, err := checkFrontMatter(fm, lines); err != nil {
		return h, max(line, 1), err
	}
	at := func(key string) int { return max(lines[key], 1) }
	str := func(key string) string {
		v, ok := fm[key]
		if !ok || v == nil {
			return ""
		}
		delete(fm, key)
		switch t := v.(type) {
		case time.Time:
			return t.Format(time.RFC3339)
		case []any: // checkFrontMatter let only lists of text through
			parts := make([]string, 0, len(t))
			for _, e := range t {
				parts = append(parts, anyString(e))
			}
			return strings.Join(parts, ", ")
		default:
			return strings.TrimSpace(fmt.Sprint(t))
		}
	}
	h.id = str("id")
	if h.id == "" {
		h.id, h.idFromName = noteSlug(strings.TrimSuffix(name, filepath.Ext(name))), true
	}
	h.title = str("title")
	h.url = str("url")
	h.language = str("language")

	dateKey := "date"
	for _, k := range []string{"date", "created_at", "interviewed_at"} {
		if _, ok := fm[k]; ok {
			dateKey = k
			break
		}
	}
	dateText := firstNonEmpty(str("date"), str("created_at"), str("interviewed_at"))
	if dateText == "" {
		if m := datePrefix.FindStringSubmatch(filepath.Base(name)); m != nil {
			dateText = m[1]
		}
	}
	if dateText == "" {
		return h, 1, &mapError{field: "date", detail: "is missing: set date: YYYY-MM-DD in the front matter or start the file name with the date"}
	}
	t, err := parseTimeText(dateText)
	if err != nil {
		t, err = time.Parse("2006-01-02", dateText)
	}
	if err != nil {
		return h, at(dateKey), &mapError{field: dateKey, detail: fmt.Sprintf("%q is not a date such as 2024-05-02", dateText)}
	}
	h.date = t.UTC()

	switch v := fm["interviewee"].(type) {
	case map[string]any:
		delete(fm, "interviewee")
		h.author = feedback.Author{ID: anyString(v["id"]), Name: anyString(v["name"]), Email: anyString(v["email"])}
	default:
		h.author.Name = str("interviewee")
	}
	h.author.Email = firstNonEmpty(h.author.Email, str("email"))
	h.author.ID = firstNonEmpty(h.author.ID, str("interviewee_id"))

	switch v := fm["account"].(type) {
	case map[string]any:
		delete(fm, "account")
		h.account = feedback.Account{ID: anyString(v["id"]), Name: anyString(v["name"]), Plan: anyString(v["plan"])}
		if arr := anyString(v["arr"]); arr != "" {
			var err error
			if h.account.ARR, err = noteARR("account.arr", arr); err != nil {
				return h, at("account.arr"), err
			}
		}
	default:
		name := firstNonEmpty(str("account"), str("company"))
		h.account = feedback.Account{ID: noteSlug(name), Name: name}
	}
	if id := str("account_id"); id != "" {
		h.account.ID = id
	}
	h.account.Name = firstNonEmpty(str("account_name"), h.account.Name)
	h.account.Plan = firstNonEmpty(str("plan"), h.account.Plan)
	if arr := str("arr"); arr != "" {
		v, err := noteARR("arr", arr)
		if err != nil {
			return h, at("arr"), err
		}
		h.account.ARR = v
	}

	switch v := fm["tags"].(type) {
	case []any:
		for _, t := range v {
			h.tags = append(h.tags, anyString(t))
		}
		delete(fm, "tags")
	default:
		for _, t := range strings.Split(str("tags"), ",") {
			h.tags = append(h.tags, strings.TrimSpace(t))
		}
	}
	for k := range fm {
		if s := str(k); s != "" {
			h.metadata[k] = s
		}
	}
	return h, 0, nil
}

func anyString(v any) string {
	if v == nil {
		return ""
	}
	return strings.TrimSpace(fmt.Sprint(v))
}

// noteSlug makes an id out of a name or path: lower case, letters, digits,
// '-', '_' and '/'.
func noteSlug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '/':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.Trim(b.String(), "-")
}

// noteBlock is a heading or a paragraph of a note.
type noteBlock struct {
	level int // heading level; 0 for a paragraph
	text  string
	line  int
}

var atxHeading = regexp.MustCompile(`^(#{1,6})\s+(.*?)\s*#*\s*$`)

// noteBlocks cuts text into headings and paragraphs; fenced code stays
// one paragraph.
func noteBlocks(text string, firstLine int) []noteBlock {
	var blocks []noteBlock
	var para []string
	paraLine := 0
	fenced := false
	flush := func() {
		if t := strings.TrimSpace(strings.Join(para, "\n")); t != "" {
			blocks = append(blocks, noteBlock{text: t, line: paraLine})
		}
		para = nil
	}
	for i, l := range strings.Split(text, "\n") {
		line := firstLine + i
		trimmed := strings.TrimSpace(l)
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			if !fenced && len(para) == 0 {
				paraLine = line
			}
			fenced = !fenced
			para = append(para, l)
			continue
		}
		if fenced {
			para = append(para, l)
			continue
		}
		if m := atxHeading.FindStringSubmatch(l); m != nil {
			flush()
			blocks = append(blocks, noteBlock{level: len(m[1]), text: m[2], line: line})
			continue
		}
		if trimmed == "" {
			flush()
			continue
		}
		if len(para) == 0 {
			paraLine = line
		}
		para = append(para, l)
	}
	flush()
	return blocks
}

type passage struct {
	section string
	text    string
	line    int
}

func (n Notes) passages(blocks []noteBlock) []passage {
	minSize, maxSize := n.MinPassage, n.MaxPassage
	if minSize <= 0 {
		minSize = 200
	}
	if maxSize <= 0 {
		maxSize = 1200
	}
	if minSize > maxSize {
		minSize = maxSize
	}
	var out []passage
	var cur *passage
	section := ""
	closeCur := func() {
		if cur != nil && strings.TrimSpace(cur.text) != "" {
			out = append(out, *cur)
		}
		cur = nil
	}
	for _, b := range blocks {
		if b.level > 0 {
			closeCur()
			section = b.text
			continue
		}
		for _, piece := range cutToSize(b.text, maxSize) {
			if cur != nil && (len(cur.text) >= minSize || len(cur.text)+2+len(piece) > maxSize) {
				closeCur()
			}
			if cur == nil {
				cur = &passage{section: section, text: piece, line: b.line}
				continue
			}
			cur.text += "\n\n" + piece
		}
	}
	closeCur()
	return out
}

// cutToSize splits a paragraph longer than max bytes at sentence ends, or
// at spaces when a sentence alone is too long.
func cutToSize(text string, max int) []string {
	if len(text) <= max {
		return []string{text}
	}
	var out []string
	for len(text) > max {
		cut := lastBreak(text[:max+1], ".!?…", true)
		if cut <= 0 {
			cut = lastBreak(text[:max+1], " \n\t", false)
		}
		if cut <= 0 {
			cut = max
			for cut > 0 && !utf8.RuneStart(text[cut]) {
				cut--
			}
		}
		out = append(out, strings.TrimSpace(text[:cut]))
		text = strings.TrimSpace(text[cut:])
	}
	if text != "" {
		out = append(out, text)
	}
	return out
}

// lastBreak returns the byte offset just after the last break character
// in s (followed by a space when sentence is set), or -1.
func lastBreak(s, chars string, sentence bool) int {
	for i := len(s) - 1; i > 0; i-- {
		r, size := utf8.DecodeLastRuneInString(s[:i+1])
		end := i + 1
		i -= size - 1
		if !strings.ContainsRune(chars, r) {
			continue
		}
		if !sentence {
			return end
		}
		if end < len(s) && (s[end] == ' ' || s[end] == '\n') {
			return end
		}
	}
	return -1
}
