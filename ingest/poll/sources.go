package poll

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/feedbackloop/feedbackloop/feedback"
	"github.com/feedbackloop/feedbackloop/ingest/sources"
)

// Discourse polls a forum's latest posts (GET /posts.json, newest first,
// paged with before=<post id>). Its checkpoint is the highest post id
// published. A poll walks back to the checkpoint, then publishes the new
// posts oldest first, a page at a time, so the checkpoint never passes a
// post that was not stored. The first poll reaches back to Since or
// MaxPages pages, whichever comes first.
type Discourse struct {
	BaseURL  string
	Since    time.Time
	MaxPages int
	// IncludeStaff maps staff posts to records instead of skipping them
	// (sources.Options.IncludeStaff).
	IncludeStaff bool
	client       *client
	// reported are the posts without an id the last poll listed, all
	// reported, by postIdentity: one stays on the newest page, poll after
	// poll, and is reported once. Only the last poll's are kept, or a
	// forum that keeps serving such posts would grow the set for as long
	// as the poller runs.
	reported map[string]bool
}

// Key implements Source.
func (d *Discourse) Key() string { return "discourse" }

const discoursePage = 50

// Poll implements Source.
func (d *Discourse) Poll(ctx context.Context, checkpoint []byte, emit Emit) error {
	var last int64
	if len(checkpoint) > 0 {
		n, err := strconv.ParseInt(string(checkpoint), 10, 64)
		if err != nil {
			return fmt.Errorf("checkpoint %q is not a post id", checkpoint)
		}
		last = n
	}
	type post struct {
		id  int64
		raw json.RawMessage
	}
	seen := map[int64]bool{}
	listed := map[string]bool{} // the posts without an id this poll lists
	var posts []post
	var unread []sources.Item // posts without an id to page or checkpoint by
	next := d.BaseURL + "/posts.json"
	for pages := 0; next != ""; pages++ {
		if last == 0 && pages >= d.MaxPages {
			break
		}
		pg, err := d.client.get(ctx, next)
		if err != nil {
			return err
		}
		var body struct {
			LatestPosts []json.RawMessage `json:"latest_posts"`
		}
		if err := json.Unmarshal(pg.body, &body); err != nil {
			return fmt.Errorf("posts.json: %w", err)
		}
		next = ""
		oldest := int64(0)
		reached := false
		for i, raw := range body.LatestPosts {
			var head struct {
				ID        int64  `json:"id"`
				CreatedAt string `json:"created_at"`
			}
			if err := json.Unmarshal(raw, &head); err != nil || head.ID <= 0 {
				if err == nil {
					err = fmt.Errorf("id %d: want a positive post id", head.ID)
				}
				key := postIdentity(raw)
				if !d.reported[key] && !listed[key] {
					unread = append(unread, sources.Item{Pos: sources.Position{Path: fmt.Sprintf("page %d, latest_posts[%d]", pages+1, i)}, Err: err})
				}
				listed[key] = true
				continue
			}
			// A date it cannot read counts as recent: the mapper reports
			// the post with its bad created_at, rather than it vanish here.
			created, err := time.Parse(time.RFC3339Nano, head.CreatedAt)
			if err != nil {
				created = d.Since
			}
			if oldest == 0 || head.ID < oldest {
				oldest = head.ID
			}
			switch {
			case head.ID <= last:
				reached = true
			case last == 0 && created.Before(d.Since):
				reached = true
			case !seen[head.ID]:
				seen[head.ID] = true
				posts = append(posts, post{id: head.ID, raw: raw})
			}
		}
		if !reached && oldest > 1 && len(body.LatestPosts) > 0 {
			next = d.BaseURL + "/posts.json?before=" + strconv.FormatInt(oldest, 10)
		}
	}
	slices.SortFunc(posts, func(a, b post) int { return cmp.Compare(a.id, b.id) })
	d.reported = listed
	if len(unread) > 0 {
		// Reported, and the checkpoint left as it is: a post without an
		// id gives none to move it to.
		if err := emit(ctx, unread, nil); err != nil {
			return err
		}
	}
	for start := 0; start < len(posts); start += discoursePage {
		chunk := posts[start:min(start+discoursePage, len(posts))]
		var items []sources.Item
		for _, p := range chunk {
			got, err := sources.Discourse{}.Map(p.raw, sources.Options{BaseURL: d.BaseURL, IncludeStaff: d.IncludeStaff})
			if err != nil {
				got = []sources.Item{{Pos: sources.Position{Path: "post " + strconv.FormatInt(p.id, 10)}, Err: err}}
			}
			items = append(items, got...)
		}
		if err := emit(ctx, items, []byte(strconv.FormatInt(chunk[len(chunk)-1].id, 10))); err != nil {
			return err
		}
	}
	return nil
}

// postIdentity names a post without an id by what stays the same while
// it is listed: its topic and number in it, its author and when it was
// written. Its JSON as a whole changes from poll to poll (reads, score,
// reply and like counts), which made each poll report it again. A post
// that has none of them is named by its JSON.
func postIdentity(raw json.RawMessage) string {
	var p struct {
		ID         json.RawMessage `json:"id"`
		TopicID    json.RawMessage `json:"topic_id"`
		PostNumber json.RawMessage `json:"post_number"`
		UserID     json.RawMessage `json:"user_id"`
		Username   json.RawMessage `json:"username"`
		CreatedAt  json.RawMessage `json:"created_at"`
	}
	if json.Unmarshal(raw, &p) != nil {
		return string(raw)
	}
	fields := [][]byte{p.ID, p.TopicID, p.PostNumber, p.UserID, p.Username, p.CreatedAt}
	if !slices.ContainsFunc(fields[1:], func(f []byte) bool { return len(f) > 0 && string(f) != "null" }) {
		return string(raw)
	}
	return string(bytes.Join(fields, []byte{0}))
}

// Zendesk polls the incremental ticket export (cursor based), with the
// users and organizations sideloads for author and account. Its checkpoint
// is the export's after_cursor; the first poll starts at Since.
type Zendesk struct {
	BaseURL  string
	Since    time.Time
	MaxPages int
	// IncludeStaff maps tickets agents requested to records instead of
	// skipping them (sources.Options.IncludeStaff).
	IncludeStaff bool
	client       *client
}

// Key implements Source.
func (z *Zendesk) Key() string { return "zendesk" }

// Poll implements Source.
func (z *Zendesk) Poll(ctx context.Context, checkpoint []byte, emit Emit) error {
	base := z.BaseURL + "/api/v2/incremental/tickets/cursor.json?include=users,organizations&"
	next := base + "cursor=" + url.QueryEscape(string(checkpoint))
	if len(checkpoint) == 0 {
		start := z.Since
		if limit := time.Now().Add(-time.Minute); start.After(limit) {
			start = limit // the export refuses a start time in the last minute
		}
		next = base + "start_time=" + strconv.FormatInt(start.Unix(), 10)
	}
	for pages := 0; pages < z.MaxPages; pages++ {
		pg, err := z.client.get(ctx, next)
		if err != nil {
			return err
		}
		var head struct {
			AfterCursor string `json:"after_cursor"`
			EndOfStream bool   `json:"end_of_stream"`
		}
		if err := json.Unmarshal(pg.body, &head); err != nil {
			return fmt.Errorf("incremental export: %w", err)
		}
		items, err := sources.Zendesk{}.Map(pg.body, sources.Options{BaseURL: z.BaseURL, IncludeStaff: z.IncludeStaff})
		if err != nil {
			return fmt.Errorf("incremental export: %w", err)
		}
		// The export lists a ticket once per update, oldest first;
		// published together, the store could keep any of them.
		sources.KeepLastVersions(items)
		var cp []byte
		if head.AfterCursor != "" {
			cp = []byte(head.AfterCursor)
		}
		if err := emit(ctx, items, cp); err != nil {
			return err
		}
		if head.EndOfStream || head.AfterCursor == "" {
			return nil
		}
		next = base + "cursor=" + url.QueryEscape(head.AfterCursor)
	}
	return nil
}

// GitHub polls one repository's issues, or its issue comments, updated
// since the checkpoint (sort=updated, direction=asc; each page asked again
// from the newest updated_at read, see Poll). Pull requests and their
// comments are skipped by the mapper. The checkpoint is the last
// updated_at published and the versions (id and content hash) published
// at that instant, so the boundary item, which since= returns again, is
// not published twice, and one edited again within that second is.
type GitHub struct {
	APIURL   string
	Repo     string // owner/repo
	Comments bool   // poll issue comments instead of issues
	Since    time.Time
	MaxPages int
	// IncludeStaff maps what maintainers and bots wrote to records instead
	// of skipping it (sources.Options.IncludeStaff).
	IncludeStaff bool
	client       *client
}

// Key implements Source.
func (g *GitHub) Key() string {
	what := "issues"
	if g.Comments {
		what = "comments"
	}
	return "github/" + g.Repo + "/" + what
}

type githubCheckpoint struct {
	Since time.Time `json:"since"`
	Seen  []string  `json:"seen,omitempty"`
	// Run is how far the poller got through a run of items sharing Since
	// longer than a page, which only pages by number reach; nil outside
	// one. A checkpoint written before it held a "page" instead, which is
	// ignored: the run is read again from its first page.
	Run *githubRun `json:"run,omitempty"`

	seen map[string]bool // Seen as a set, for the lookups of a long run
}

// githubRun is a run read by page number, and pages by number shift: an
// item of the run updated between two requests leaves it for the end of
// the list and the items after it move back one, so the one that slid
// onto the page already read is listed by no page. The poller therefore
// reads the run in passes, from its first page to the first item after
// it, and moves past Since only once a pass lists the same items as the
// pass before. An item a pass missed was passed over because another item
// left the run during that pass; that one was listed by the pass and
// cannot be by the next, so two passes that agree missed nothing. The
// pass before counts only if it began after the second Since had ended:
// until then items may join the run, and a join and a departure in one
// pass can hide each other.
type githubRun struct {
	Page int     `json:"page"`           // the next page of this pass
	Pass runSum  `json:"pass"`           // what this pass listed so far
	Last *runSum `json:"last,omitempty"` // what the pass before listed
}

// runSum stands for the items of the run a pass listed, in the same few
// bytes however long the run: their number and the sum of a hash of each
// one's GitHub id.
type runSum struct {
	N   int    `json:"n"`
	Sum uint64 `json:"sum"`
	// Closed: the pass began after the second of the run was over.
	Closed bool `json:"closed,omitempty"`
}

func (s *runSum) add(id string) {
	h := fnv.New64a()
	h.Write([]byte(id))
	s.N++
	s.Sum += h.Sum64()
}

func (s runSum) same(o runSum) bool { return s.N == o.N && s.Sum == o.Sum }

// versions returns Seen as a set: the versions published at Since.
func (cp *githubCheckpoint) versions() map[string]bool {
	if cp.seen == nil {
		cp.seen = make(map[string]bool, len(cp.Seen))
		for _, k := range cp.Seen {
			cp.seen[k] = true
		}
	}
	return cp.seen
}

// published reports whether the version named key was published at Since.
func (cp *githubCheckpoint) published(key string) bool { return cp.versions()[key] }

// publish notes the version named key, updated at at (Since or later),
// as published.
func (cp *githubCheckpoint) publish(at time.Time, key string) {
	if at.After(cp.Since) {
		cp.Since, cp.Seen, cp.seen = at, nil, nil
	}
	if !cp.published(key) {
		cp.Seen = append(cp.Seen, key)
		cp.seen[key] = true
	}
}

// seenKey names a published version of a record in a checkpoint's Seen:
// its id and the first 8 bytes of the SHA-256 of its JSON.
func seenKey(r *feedback.Record) string {
	b, err := json.Marshal(r)
	if err != nil {
		return r.ID
	}
	sum := sha256.Sum256(b)
	return r.ID + "#" + hex.EncodeToString(sum[:8])
}

// githubItem is one item of a page: where it is placed, and what it maps
// to.
type githubItem struct {
	updated time.Time // zero when it has no updated_at to place it by
	id      string    // GitHub's id and number
	key     string    // the version, as Seen names it
	items   []sources.Item
}

// Poll implements Source.
func (g *GitHub) Poll(ctx context.Context, checkpoint []byte, emit Emit) error {
	cp := githubCheckpoint{Since: g.Since.UTC().Truncate(time.Second)}
	if len(checkpoint) > 0 {
		if err := json.Unmarshal(checkpoint, &cp); err != nil {
			return fmt.Errorf("checkpoint %q: %w", checkpoint, err)
		}
	}
	path := "/issues?state=all&"
	if g.Comments {
		path = "/issues/comments?"
	}
	base := g.APIURL + "/repos/" + g.Repo + path + "sort=updated&direction=asc&per_page=100&since="
	// Each request asks again from the newest updated_at published, not
	// for the next ?page=N of the first request: an item updated while
	// the poll pages moves to the end of the list and the rest shift back
	// one, so the item that slid onto a page already read would be
	// skipped, and the checkpoint would pass it. An item updated between
	// two such requests is listed by the next one, as it is newer than
	// anything read. Only a run of items sharing one updated_at longer
	// than a page is read by page number (see githubRun).
	for pages := 0; pages < g.MaxPages; pages++ {
		page := 1
		if cp.Run != nil {
			page = cp.Run.Page
		}
		next := base + url.QueryEscape(cp.Since.Format(time.RFC3339))
		if page > 1 {
			next += "&page=" + strconv.Itoa(page)
		}
		pg, err := g.client.get(ctx, next)
		if err != nil {
			return err
		}
		var raws []json.RawMessage
		if err := json.Unmarshal(pg.body, &raws); err != nil {
			return fmt.Errorf("%s: %w", g.Key(), err)
		}
		more := nextLink(pg.header)
		if more != "" && !strings.HasPrefix(more, g.APIURL) {
			return fmt.Errorf("%s: next page %s is not on %s", g.Key(), redactQuery(more), g.APIURL)
		}
		listed := g.read(raws)
		// after is where the items updated after Since begin: the end of
		// the run, if this page reaches it.
		after := slices.IndexFunc(listed, func(it githubItem) bool { return it.updated.After(cp.Since) })
		if page == 1 && (after >= 0 || more == "") {
			// Whatever shares Since is on this page, listed by one request.
			cp.Run = nil
			items := cp.advance(listed)
			if err := emitCheckpoint(ctx, emit, items, &cp); err != nil || more == "" {
				return err
			}
			continue
		}
		if page == 1 {
			run := &githubRun{Page: 1, Pass: runSum{Closed: secondOver(pg.header, cp.Since)}}
			if cp.Run != nil {
				run.Last = cp.Run.Last
			}
			cp.Run = run
		}
		rest := listed[len(listed):]
		if after >= 0 {
			listed, rest = listed[:after], listed[after:]
		}
		var items []sources.Item
		for _, it := range listed {
			switch {
			case it.updated.IsZero():
				// No updated_at to place it by: published (or reported by
				// the mapper) every time it is listed, never dropped.
			case it.updated.Before(cp.Since):
				continue
			default:
				cp.Run.Pass.add(it.id)
				if cp.published(it.key) {
					continue
				}
				cp.publish(it.updated, it.key)
			}
			items = append(items, it.items...)
		}
		run, done := cp.Run, false
		switch {
		case after < 0 && more != "":
			run.Page++ // the run goes on
		case after >= 0 && run.Last != nil && run.Last.same(run.Pass):
			// The pass missed nothing: the poller moves past the run.
			cp.Run = nil
			items = append(items, cp.advance(rest)...)
			done = more == ""
		default:
			// The run is read again from its first page: at once if this
			// pass can vouch for the next; at the next poll if the list
			// ends with the run, or its second was not over when the pass
			// began (a second or so, during which items may still join).
			cp.Run = &githubRun{Page: 1}
			if run.Pass.Closed {
				cp.Run.Last = &run.Pass
			}
			done = after < 0 || !run.Pass.Closed
		}
		if err := emitCheckpoint(ctx, emit, items, &cp); err != nil || done {
			return err
		}
	}
	return nil
}

// read maps the items of a page.
func (g *GitHub) read(raws []json.RawMessage) []githubItem {
	out := make([]githubItem, 0, len(raws))
	for i, raw := range raws {
		var head struct {
			UpdatedAt time.Time `json:"updated_at"`
			ID        int64     `json:"id"`
			Number    int64     `json:"number"`
		}
		if json.Unmarshal(raw, &head) != nil {
			head.UpdatedAt = time.Time{}
		}
		got, err := sources.GitHub{}.Map(raw, sources.Options{IncludeStaff: g.IncludeStaff})
		if err != nil {
			got = []sources.Item{{Err: err}}
		}
		it := githubItem{updated: head.UpdatedAt, id: fmt.Sprintf("id:%d/%d", head.ID, head.Number)}
		// The checkpoint names items by record id and a hash of the
		// record: updated_at counts seconds, so an item edited again in
		// the second a poll read it is listed again at the same
		// updated_at, and by its id alone it would be taken for the
		// version published. One that maps to no record (a pull request,
		// a bad item) is named by GitHub's own id.
		it.key = it.id
		if len(got) == 1 && got[0].Record != nil {
			it.key = seenKey(got[0].Record)
		}
		for _, m := range got {
			// Where the item is: its place in the page, and for one that
			// maps to no record its issue number, so that a warning says
			// which ("[3] (#31)"), not "line 1".
			m.Pos = sources.Position{Path: fmt.Sprintf("[%d]", i)}
			if head.Number != 0 && m.Record == nil {
				m.Pos.Path += fmt.Sprintf(" (#%d)", head.Number)
			}
			it.items = append(it.items, m)
		}
		out = append(out, it)
	}
	return out
}

// advance takes the items a request from cp.Since listed, outside a run
// read by page number: it returns those not published yet and moves cp
// to the newest updated_at among them. An item listed out of order
// (updated later than the ones after it) is published, and so are the
// ones after it: the checkpoint only says where the next request starts.
func (cp *githubCheckpoint) advance(listed []githubItem) []sources.Item {
	since, done := cp.Since, cp.versions() // done stays since's when cp moves on
	var items []sources.Item
	for _, it := range listed {
		switch {
		case it.updated.IsZero():
			// No updated_at to place it by: published (or reported by the
			// mapper) every time it is listed, never dropped.
		case it.updated.Before(since) || it.updated.Equal(since) && done[it.key]:
			continue // published by an earlier request
		case !it.updated.Before(cp.Since):
			cp.publish(it.updated, it.key)
		}
		items = append(items, it.items...)
	}
	return items
}

// emitCheckpoint hands items to emit with cp as their checkpoint.
func emitCheckpoint(ctx context.Context, emit Emit, items []sources.Item, cp *githubCheckpoint) error {
	b, err := json.Marshal(cp)
	if err != nil {
		return err
	}
	return emit(ctx, items, b)
}

// secondOver reports whether the second at is over, and no item can be
// updated at it any more, by the clock of the server that answered (its
// Date header, else this one's), give or take a second.
func secondOver(h http.Header, at time.Time) bool {
	now, err := http.ParseTime(h.Get("Date"))
	if err != nil {
		now = time.Now()
	}
	return now.Sub(at) >= 2*time.Second
}
