package sources

import (
	"encoding/json"
	"html"
	"regexp"
	"strconv"
	"strings"

	"github.com/feedbackloop/feedbackloop/feedback"
)

// Reddit maps Reddit listings of posts (t3) and comments (t1): GET
// /r/{sub}/new.json and friends, a thread's GET /comments/{id}.json (an
// array of two listings, with nested replies), single things, and the
// bare objects of NDJSON dumps.
//
// A post becomes reddit:<post id> with its self text as body, or its title
// when it is a link post; a comment becomes reddit:<post id>/<comment id>
// with the post as parent. Deleted and removed comments are skipped;
// "more" stubs are not items. The score goes to metadata, not rating: it
// measures reach, not satisfaction.
//
// Reddit's JSON escapes &, < and > in every text (titles, texts, flair,
// links) as HTML entities unless the request asked for raw_json=1; they
// are unescaped, so both kinds of response give the same record. Self
// texts and comments are Markdown, whose character references (&#x200B;,
// which Reddit's editor writes for a blank line) are rendered.
type Reddit struct{}

var _ Mapper = Reddit{}

// Name implements Mapper.
func (Reddit) Name() string { return "reddit" }

type rdItem struct {
	ID          string          `json:"id"`
	Name        string          `json:"name"`
	Title       string          `json:"title"`
	LinkTitle   string          `json:"link_title"`
	Selftext    string          `json:"selftext"`
	Body        *string         `json:"body"`
	Author      string          `json:"author"`
	AuthorFull  string          `json:"author_fullname"`
	CreatedUTC  flexTime        `json:"created_utc"`
	Permalink   string          `json:"permalink"`
	URL         string          `json:"url"`
	Score       json.Number     `json:"score"`
	Subreddit   string          `json:"subreddit"`
	Flair       string          `json:"link_flair_text"`
	LinkID      string          `json:"link_id"`
	ParentID    string          `json:"parent_id"`
	Replies     json.RawMessage `json:"replies"`
	IsSelf      *bool           `json:"is_self"`
	NumComments json.Number     `json:"num_comments"`
	// Distinguished is "moderator" or "admin" when the author spoke in
	// that capacity (the green or red badge); null otherwise.
	Distinguished string `json:"distinguished"`
}

// Map implements Mapper.
func (rd Reddit) Map(data []byte, opts Options) ([]Item, error) {
	return mapDocuments(data, func(raw json.RawMessage, pos Position) ([]Item, error) {
		if first(raw) != '{' && first(raw) != '[' {
			return nil, &mapError{detail: "want a Reddit listing or thing (a JSON object or array)"}
		}
		var items []Item
		rd.value(raw, pos, "", opts, &items)
		if len(items) == 0 && keys(raw) != nil && unquote(keys(raw)["kind"]) == "" && keys(raw)["data"] == nil {
			return nil, &mapError{detail: "want a Reddit listing or thing: found no kind, data, id"}
		}
		return items, nil
	})
}

// value walks a listing, an array of listings or a thing.
func (rd Reddit) value(raw json.RawMessage, pos Position, path string, opts Options, items *[]Item) {
	if first(raw) == '[' {
		els, _, _ := elements(raw)
		for i, el := range els {
			rd.value(el, pos, indexPath(path, i, true), opts, items)
		}
		return
	}
	top := keys(raw)
	if top == nil {
		// A listing's child or a member of an array that is no thing
		// is an item that cannot be read, not nothing.
		*items = append(*items, failed(withPath(pos, path), &mapError{detail: "is a JSON " + jsonType(raw) + ", want a Reddit thing (an object with kind and data)"}))
		return
	}
	kind := unquote(top["kind"])
	switch {
	case kind == "Listing":
		data := keys(top["data"])
		if data == nil && !isNull(top["data"]) {
			*items = append(*items, failed(withPath(pos, joinPath(path, "data")), &mapError{detail: "is a JSON " + jsonType(top["data"]) + ", want an object with children"}))
			return
		}
		children := data["children"]
		if isNull(children) {
			return // an empty listing
		}
		if first(children) != '[' {
			*items = append(*items, failed(withPath(pos, joinPath(path, "data.children")), &mapError{detail: "is a JSON " + jsonType(children) + ", want an array of things"}))
			return
		}
		list, _, err := elements(children)
		if err != nil {
			*items = append(*items, failed(withPath(pos, joinPath(path, "data.children")), &mapError{detail: err.Error()}))
			return
		}
		for i, c := range list {
			rd.value(c, pos, joinPath(path, "data.children["+strconv.Itoa(i)+"]"), opts, items)
		}
	case kind == "t3" || kind == "t1":
		rd.thing(kind, top["data"], withPath(pos, joinPath(path, "data")), opts, items)
	case kind == "more":
	case kind != "":
		*items = append(*items, failed(withPath(pos, path), skip("a %s is neither a post nor a comment", kind)))
	default:
		// A bare object, as in dumps: a comment has a body and a link_id.
		_, hasLink := top["link_id"]
		_, hasBody := top["body"]
		if _, ok := top["id"]; !ok {
			if path != "" || top["data"] != nil {
				// A child or an element that is no thing; an input
				// that is none at all is refused by Map as a whole.
				*items = append(*items, failed(withPath(pos, path), missingKind))
			}
			return
		}
		if hasLink && hasBody {
			rd.thing("t1", raw, withPath(pos, path), opts, items)
		} else {
			rd.thing("t3", raw, withPath(pos, path), opts, items)
		}
	}
}

var missingKind = &mapError{field: "kind", detail: "is missing: want t3 (a post), t1 (a comment), more or Listing, or a bare post or comment with an id"}

func joinPath(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}

func (rd Reddit) thing(kind string, raw json.RawMessage, pos Position, opts Options, items *[]Item) {
	var it rdItem
	if err := decodeItem(raw, &it); err != nil {
		*items = append(*items, failed(pos, err))
		return
	}
	it.Title, it.LinkTitle = redditUnescape.Replace(it.Title), redditUnescape.Replace(it.LinkTitle)
	it.Flair, it.URL = redditUnescape.Replace(it.Flair), redditUnescape.Replace(it.URL)
	it.Selftext = redditMarkdown(it.Selftext)
	if it.Body != nil {
		b := redditMarkdown(*it.Body)
		it.Body = &b
	}
	if kind == "t1" {
		*items = append(*items, rd.comment(it, pos, opts))
		if !isNull(it.Replies) && first(it.Replies) == '{' {
			rd.value(it.Replies, Position{Line: pos.Line}, joinPath(pos.Path, "replies"), opts, items)
		}
		return
	}
	*items = append(*items, rd.post(it, pos, opts))
}

// redditUnescape undoes the escaping of Reddit's JSON without
// raw_json=1, which writes &, < and > of every text (titles, flair,
// links) as &amp;, &lt; and &gt;, and nothing else.
var redditUnescape = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">")

// markdownEntity is a character reference as Reddit's Markdown renders
// it: with its semicolon ("&notes" stays as typed).
var markdownEntity = regexp.MustCompile(`&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});`)

// redditMarkdown is a self text or comment body as people read it: its
// JSON escaping undone, then the character references of the Markdown
// itself rendered, the way Reddit shows them. Reddit's rich text editor
// writes each blank line as &#x200B;, a zero-width space, which is left
// out, so that a post holding only an image has no text and takes its
// title, and webhooks, raw_json=1 responses and escaped ones agree.
func redditMarkdown(s string) string {
	s = markdownEntity.ReplaceAllStringFunc(redditUnescape.Replace(s), html.UnescapeString)
	if !strings.Contains(s, "\u200b") {
		return s
	}
	return manyBreaks.ReplaceAllString(strings.ReplaceAll(s, "\u200b", ""), "\n\n")
}

func redditGone(s string) bool {
	s = strings.TrimSpace(s)
	return s == "[deleted]" || s == "[removed]"
}

func (rd Reddit) base(it rdItem, at feedback.Record) *feedback.Record {
	r := &at
	r.Source, r.Kind = "reddit", "forum"
	if it.Permalink != "" {
		r.URL = "https://www.reddit.com" + it.Permalink
	}
	if it.Author != "" && !redditGone(it.Author) {
		r.Author = &feedback.Author{ID: it.AuthorFull, Name: it.Author}
	}
	r.Metadata = meta("subreddit", it.Subreddit, "score", it.Score.String())
	if it.Flair != "" {
		r.Tags = []string{it.Flair}
	}
	return r
}

func (rd Reddit) post(it rdItem, pos Position, opts Options) Item {
	id := strings.TrimPrefix(firstNonEmpty(it.ID, it.Name), "t3_")
	if id == "" {
		return failed(pos, missingField("id"))
	}
	role, reason := redditRole("post "+id, it)
	if opts.skipStaff(reason) {
		return failed(pos, notCustomer(reason))
	}
	at, err := created("created_utc", it.CreatedUTC)
	if err != nil {
		return failed(pos, err)
	}
	body := it.Selftext
	if redditGone(body) {
		body = ""
	}
	body = firstNonEmpty(body, it.Title)
	if strings.TrimSpace(body) == "" {
		return failed(pos, missingField("selftext"))
	}
	r := rd.base(it, feedback.Record{ID: "reddit:" + id, CreatedAt: at, Title: it.Title, Body: body})
	if it.IsSelf != nil && !*it.IsSelf && it.URL != "" {
		r.Metadata["link"] = it.URL
	}
	if role != "" {
		r.Metadata["author_role"] = role
	}
	return finish(pos, r)
}

func (rd Reddit) comment(it rdItem, pos Position, opts Options) Item {
	id := strings.TrimPrefix(firstNonEmpty(it.ID, it.Name), "t1_")
	if id == "" {
		return failed(pos, missingField("id"))
	}
	body := ""
	if it.Body != nil {
		body = *it.Body
	}
	if redditGone(body) {
		recordID := ""
		if post := strings.TrimPrefix(it.LinkID, "t3_"); post != "" {
			recordID = "reddit:" + post + "/" + id
		}
		return failed(pos, skipVersion(recordID, "comment %s was deleted or removed", id))
	}
	role, reason := redditRole("comment "+id, it)
	if opts.skipStaff(reason) {
		return failed(pos, notCustomer(reason))
	}
	if strings.TrimSpace(body) == "" {
		return failed(pos, missingField("body"))
	}
	post := strings.TrimPrefix(it.LinkID, "t3_")
	if post == "" {
		return failed(pos, missingField("link_id"))
	}
	at, err := created("created_utc", it.CreatedUTC)
	if err != nil {
		return failed(pos, err)
	}
	r := rd.base(it, feedback.Record{
		ID: "reddit:" + post + "/" + id, Parent: "reddit:" + post, CreatedAt: at,
		Title: it.LinkTitle, Body: body,
	})
	if it.ParentID != "" && !strings.HasPrefix(it.ParentID, "t3_") {
		r.Metadata["reply_to"] = it.ParentID
	}
	if role != "" {
		r.Metadata["author_role"] = role
	}
	return finish(pos, r)
}

// redditRole says who wrote a post or comment when that is not a customer,
// and why it is not feedback: AutoModerator, the bot every subreddit runs,
// and authors who distinguished the item as a moderator's or a Reddit
// admin's (rules, announcements, removals). A moderator or a member of
// the product's team who writes without distinguishing looks like anyone
// else, and is kept.
func redditRole(what string, it rdItem) (role, reason string) {
	switch {
	case it.Author == "AutoModerator":
		return "bot", what + " is by AutoModerator, a bot"
	case it.Distinguished == "moderator":
		return "moderator", what + " is distinguished as a moderator's"
	case it.Distinguished == "admin":
		return "admin", what + " is distinguished as a Reddit admin's"
	}
	return "", ""
}
