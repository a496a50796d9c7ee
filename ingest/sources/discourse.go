package sources

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/feedbackloop/feedbackloop/feedback"
)

// Discourse maps Discourse posts: the latest posts (GET /posts.json), a
// topic's post stream (GET /t/{id}.json), a single post, and post webhooks
// ({"post": {...}} with X-Discourse-Event post_created or post_edited).
// Topic, user and ping webhooks carry no post and are skipped: a new
// topic's first post arrives as its own post_created.
//
// A post becomes discourse:<post id>, kind forum, its cooked HTML as plain
// text (raw when cooked is missing), its topic's title as title. Links
// need Options.BaseURL (https://forum.example.com); webhooks give it in
// X-Discourse-Instance.
type Discourse struct{}

var _ Mapper = Discourse{}

// Name implements Mapper.
func (Discourse) Name() string { return "discourse" }

type dcPost struct {
	ID          flexID   `json:"id"`
	Name        string   `json:"name"`
	Username    string   `json:"username"`
	UserID      flexID   `json:"user_id"`
	CreatedAt   flexTime `json:"created_at"`
	Cooked      *string  `json:"cooked"` // nil when the payload has none
	Raw         string   `json:"raw"`
	PostNumber  flexID   `json:"post_number"`
	PostType    int      `json:"post_type"`
	TopicID     flexID   `json:"topic_id"`
	TopicSlug   string   `json:"topic_slug"`
	TopicTitle  string   `json:"topic_title"`
	CategoryID  flexID   `json:"category_id"`
	UserDeleted bool     `json:"user_deleted"`
	DeletedAt   *string  `json:"deleted_at"`
	ReplyTo     flexID   `json:"reply_to_post_number"`
	Archetype   string   `json:"topic_archetype"`
	Staff       bool     `json:"staff"`
	Admin       bool     `json:"admin"`
	Moderator   bool     `json:"moderator"`
}

// dcTopic is what a topic document says about all of its posts.
type dcTopic struct {
	ID         flexID          `json:"id"`
	Title      string          `json:"title"`
	Slug       string          `json:"slug"`
	CategoryID flexID          `json:"category_id"`
	Tags       json.RawMessage `json:"tags"`
}

// Map implements Mapper.
func (d Discourse) Map(data []byte, opts Options) ([]Item, error) {
	base := strings.TrimRight(opts.BaseURL, "/")
	switch opts.Event {
	case "", "post_created", "post_edited", "post_recovered":
	default:
		return []Item{failed(Position{Line: 1}, skip("event %s carries no new post", opts.Event))}, nil
	}
	seen := map[string]bool{} // the posts of the input, by id
	items, err := mapDocuments(data, func(raw json.RawMessage, pos Position) ([]Item, error) {
		items, err := d.document(raw, pos, base, opts)
		for _, it := range items {
			if id := dcPostID(it); id != "" {
				seen[id] = true
			}
		}
		return items, err
	})
	if err != nil {
		return nil, err
	}
	// A topic's posts another document of the input holds (a posts.json
	// page beside the topic) are not missing.
	out := items[:0]
	for _, it := range items {
		var m *dcMissing
		if errors.As(it.Err, &m) {
			m.ids = slices.DeleteFunc(m.ids, func(id string) bool { return seen[id] })
			if len(m.ids) == 0 {
				continue
			}
		}
		out = append(out, it)
	}
	return out, nil
}

// dcPostID is the id of the post an item is, when it says.
func dcPostID(it Item) string {
	if it.Record != nil {
		return strings.TrimPrefix(it.Record.ID, "discourse:")
	}
	var p *dcPostErr
	if errors.As(it.Err, &p) {
		return p.id
	}
	return ""
}

// dcPostErr is the error of a post that has an id but no record; it
// tells the post is in the input.
type dcPostErr struct {
	id  string
	err error
}

func (e *dcPostErr) Error() string { return e.err.Error() }
func (e *dcPostErr) Unwrap() error { return e.err }

// dcMissing is the posts a topic's post_stream.stream lists and the
// input does not hold: Discourse's GET /t/{id}.json includes the first 20
// or so, and an import of it alone would take a fraction of the topic for
// all of it.
type dcMissing struct {
	topic  string
	listed int
	ids    []string
}

func (e *dcMissing) Error() string {
	shown, more := e.ids, ""
	if len(shown) > 5 {
		shown, more = shown[:5], ", …"
	}
	topic := e.topic
	if topic == "" {
		topic = "<topic id>"
	}
	query := "post_ids[]=" + strings.Join(shown, "&post_ids[]=")
	if more != "" {
		query += "&…"
	}
	return fmt.Sprintf("lists %d posts, %d of which are not in the input (%s%s): a topic's JSON holds about the first 20; "+
		"fetch the others with GET /t/%s/posts.json?%s and import them too",
		e.listed, len(e.ids), strings.Join(shown, ", "), more, topic, query)
}

// document maps one JSON document of posts.
func (d Discourse) document(raw json.RawMessage, pos Position, base string, opts Options) ([]Item, error) {
	top := keys(raw)
	if top == nil {
		els, isArray, err := elements(raw)
		if err != nil || !isArray {
			return nil, &mapError{detail: "want Discourse posts (latest_posts, post_stream, post)"}
		}
		return d.posts(els, pos, "", dcTopic{}, base, opts), nil
	}
	if r, ok := top["latest_posts"]; ok {
		els, _, err := elements(r)
		if err != nil {
			return nil, &mapError{field: "latest_posts", detail: err.Error()}
		}
		return d.posts(els, pos, "latest_posts", dcTopic{}, base, opts), nil
	}
	if r, ok := top["post_stream"]; ok {
		var stream struct {
			Posts  []json.RawMessage `json:"posts"`
			Stream []flexID          `json:"stream"`
		}
		if err := json.Unmarshal(r, &stream); err != nil {
			return nil, &mapError{field: "post_stream", detail: err.Error()}
		}
		var topic dcTopic
		_ = json.Unmarshal(raw, &topic)
		items := d.posts(stream.Posts, pos, "post_stream.posts", topic, base, opts)
		here := map[string]bool{}
		for _, it := range items {
			here[dcPostID(it)] = true
		}
		missing := &dcMissing{topic: string(topic.ID), listed: len(stream.Stream)}
		for _, id := range stream.Stream {
			if !here[string(id)] {
				missing.ids = append(missing.ids, string(id))
			}
		}
		if len(missing.ids) > 0 {
			items = append(items, failed(withPath(pos, "post_stream.stream"), missing))
		}
		return items, nil
	}
	if r, ok := top["posts"]; ok && first(r) == '[' {
		els, _, _ := elements(r)
		return d.posts(els, pos, "posts", dcTopic{}, base, opts), nil
	}
	if r, ok := top["post"]; ok {
		return []Item{d.post(r, withPath(pos, "post"), dcTopic{}, base, opts)}, nil
	}
	for _, k := range []string{"topic", "ping", "user", "category", "tag", "like", "user_badge"} {
		if _, ok := top[k]; ok {
			return []Item{failed(pos, skip("a %s event carries no post", k))}, nil
		}
	}
	if _, ok := top["cooked"]; ok {
		return []Item{d.post(raw, pos, dcTopic{}, base, opts)}, nil
	}
	if _, ok := top["raw"]; ok {
		return []Item{d.post(raw, pos, dcTopic{}, base, opts)}, nil
	}
	return nil, &mapError{detail: "want Discourse posts: found none of latest_posts, post_stream, post, cooked"}
}

func (d Discourse) posts(els []json.RawMessage, pos Position, path string, topic dcTopic, base string, opts Options) []Item {
	items := make([]Item, 0, len(els))
	for i, el := range els {
		items = append(items, d.post(el, withPath(pos, indexPath(path, i, true)), topic, base, opts))
	}
	return items
}

// post maps one post. A post with an id that is no record says its id
// in a dcPostErr: it is in the input.
func (d Discourse) post(raw json.RawMessage, pos Position, topic dcTopic, base string, opts Options) Item {
	it, id := d.mapPost(raw, pos, topic, base, opts)
	if it.Err != nil && id != "" {
		it.Err = &dcPostErr{id: id, err: it.Err}
	}
	return it
}

func (d Discourse) mapPost(raw json.RawMessage, pos Position, topic dcTopic, base string, opts Options) (Item, string) {
	var p dcPost
	if err := decodeItem(raw, &p); err != nil {
		return failed(pos, err), ""
	}
	id := string(p.ID)
	if id == "" {
		return failed(pos, missingField("id")), ""
	}
	if p.DeletedAt != nil && *p.DeletedAt != "" {
		return failed(pos, skipVersion("discourse:"+id, "post %s is deleted", id)), id
	}
	at, err := created("created_at", p.CreatedAt)
	if err != nil {
		return failed(pos, err), id
	}
	// Moderator actions ("This topic is now pinned") and small actions
	// (closed, split, assigned) are notices Discourse writes, not posts
	// anyone wrote.
	switch p.PostType {
	case 2:
		return failed(pos, skip("post %s is a moderator action, written by Discourse", id)), id
	case 3:
		return failed(pos, skip("post %s is a small action, written by Discourse", id)), id
	}
	role, reason := discourseRole(id, p)
	if opts.skipStaff(reason) {
		return failed(pos, notCustomer(reason)), id
	}
	var cooked string
	if p.Cooked != nil {
		cooked = *p.Cooked
	}
	// cooked's text is the post's own, without the quotes of other posts.
	// raw is read only when cooked is empty: a cooked post whose text
	// is only quotes has none of its own, and raw would repeat them.
	body := HTMLToText(cooked)
	if strings.TrimSpace(cooked) == "" {
		body = strings.TrimSpace(withoutBBQuotes(p.Raw))
	}
	switch {
	case body == "" && p.Cooked == nil && p.Raw == "":
		return failed(pos, missingField("cooked")), id
	case body == "" && (strings.Contains(cooked, `class="quote"`) || bbQuoteOpen.MatchString(p.Raw)):
		return failed(pos, skip("post %s has no text of its own: it only quotes other posts", id)), id
	case body == "":
		// An event Discourse sends as a matter of course (an upload
		// not yet processed), with nothing to read.
		return failed(pos, skip("post %s has no text", id)), id
	}
	topicID := firstNonEmpty(string(p.TopicID), string(topic.ID))
	slug := firstNonEmpty(p.TopicSlug, topic.Slug)
	r := &feedback.Record{
		ID: "discourse:" + id, Source: "discourse", Kind: "forum", CreatedAt: at,
		Title: firstNonEmpty(p.TopicTitle, topic.Title), Body: body, Tags: discourseTags(topic.Tags),
		Metadata: meta("topic_id", topicID, "post_number", string(p.PostNumber),
			"category_id", firstNonEmpty(string(p.CategoryID), string(topic.CategoryID)),
			"reply_to_post_number", string(p.ReplyTo), "username", p.Username),
	}
	if p.PostType == 4 {
		r.Metadata["post_type"] = "whisper"
		r.Metadata["visibility"] = "private"
	}
	if role != "" {
		r.Metadata["author_role"] = role
	}
	if p.Archetype == "private_message" {
		r.Metadata["visibility"] = "private"
	}
	if base != "" && topicID != "" {
		r.URL = base + "/t/"
		if slug != "" {
			r.URL += slug + "/"
		}
		r.URL += topicID
		if n := string(p.PostNumber); n != "" {
			r.URL += "/" + n
		}
	}
	if p.UserDeleted {
		r.Metadata["user_deleted"] = "true"
	} else {
		r.Author = &feedback.Author{ID: string(p.UserID), Name: firstNonEmpty(p.Name, p.Username)}
	}
	return finish(pos, r), id
}

var (
	bbQuoteOpen  = regexp.MustCompile(`(?i)\[quote(?:=[^\]]*)?\]`)
	bbQuoteClose = regexp.MustCompile(`(?i)\[/quote\]`)
)

// withoutBBQuotes removes the [quote]…[/quote] blocks of a post's raw
// Markdown, innermost first; the quoted text is another post's.
func withoutBBQuotes(raw string) string {
	for {
		opens := bbQuoteOpen.FindAllStringIndex(raw, -1)
		cut := false
		for i := len(opens) - 1; i >= 0 && !cut; i-- {
			open := opens[i]
			if end := bbQuoteClose.FindStringIndex(raw[open[1]:]); end != nil {
				raw, cut = raw[:open[0]]+raw[open[1]+end[1]:], true
			}
		}
		if !cut {
			return raw // a quote left open is text as written
		}
	}
}

// discourseRole says who wrote a post when that is not a customer, and
// why it is not feedback: Discourse's own users (system, discobot: ids
// below 1), the forum's staff (admins and moderators, as the post's staff,
// admin and moderator flags say), and whispers, which only staff can
// write or read. Members of other groups (a "team" group without
// moderation rights) are not flagged and are kept.
func discourseRole(id string, p dcPost) (role, reason string) {
	switch {
	case strings.HasPrefix(string(p.UserID), "-") || string(p.UserID) == "0":
		return "bot", "post " + id + " is by Discourse's own user " + firstNonEmpty(p.Username, string(p.UserID))
	case p.Admin:
		return "staff", "post " + id + " is by an admin"
	case p.Moderator:
		return "staff", "post " + id + " is by a moderator"
	case p.Staff:
		return "staff", "post " + id + " is by staff"
	case p.PostType == 4:
		return "staff", "post " + id + " is a whisper, which only staff write"
	}
	return "", ""
}

// discourseTags reads a topic's tags, which are names in older versions
// and objects with a name in newer ones.
func discourseTags(raw json.RawMessage) []string {
	if isNull(raw) {
		return nil
	}
	var names []string
	if json.Unmarshal(raw, &names) == nil {
		return names
	}
	var objs []struct {
		Name string `json:"name"`
	}
	if json.Unmarshal(raw, &objs) == nil {
		for _, o := range objs {
			names = append(names, o.Name)
		}
	}
	return names
}
