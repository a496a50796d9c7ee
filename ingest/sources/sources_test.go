package sources_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/feedbackloop/feedbackloop/feedback"
	"github.com/feedbackloop/feedbackloop/ingest/sources"
)

func read(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func mapFile(t *testing.T, source, name string, opts sources.Options) []sources.Item {
	t.Helper()
	m, ok := sources.Lookup(source)
	if !ok {
		t.Fatalf("no mapper %q", source)
	}
	items, err := m.Map(read(t, name), opts)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return items
}

// outline describes items as the test tables write them: the record id,
// "skip: <reason fragment>" or "error: <message fragment>".
func outline(items []sources.Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		switch {
		case errors.Is(it.Err, sources.ErrSkipped):
			out[i] = "skip: " + it.Err.Error()
		case it.Err != nil:
			out[i] = "error: " + it.Err.Error()
		default:
			out[i] = it.Record.ID
		}
	}
	return out
}

func checkOutline(t *testing.T, items []sources.Item, want []string) {
	t.Helper()
	got := outline(items)
	if len(got) != len(want) {
		t.Fatalf("got %d items, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(want[i], "skip: ") && !strings.HasPrefix(want[i], "error: ") {
			if got[i] != want[i] {
				t.Errorf("item %d (%s): got %q, want %q", i, items[i].Pos, got[i], want[i])
			}
			continue
		}
		kind, fragment, _ := strings.Cut(want[i], ": ")
		if !strings.HasPrefix(got[i], kind+": ") || !strings.Contains(got[i], fragment) {
			t.Errorf("item %d (%s): got %q, want %s containing %q", i, items[i].Pos, got[i], kind, fragment)
		}
	}
}

func record(t *testing.T, items []sources.Item, id string) *feedback.Record {
	t.Helper()
	for _, it := range items {
		if it.Record != nil && it.Record.ID == id {
			return it.Record
		}
	}
	t.Fatalf("no record %s in %v", id, outline(items))
	return nil
}

func TestEverySourceMapsEachItemOfItsFixturesOrSaysWhyNot(t *testing.T) {
	// staff is the outline with IncludeStaff where it differs from want.
	cases := []struct {
		source, file string
		opts         sources.Options
		want, staff  []string
	}{
		{"zendesk", "zendesk_tickets.json", sources.Options{}, []string{
			"zendesk:4821", "zendesk:4822", "skip: ticket 4790 is deleted", "error: created_at"}, nil},
		{"zendesk", "zendesk_ticket.json", sources.Options{}, []string{"zendesk:4830"}, nil},
		// Without the users sideload, the agent's public reply cannot be
		// told from a customer's; the private comment is an internal note.
		{"zendesk", "zendesk_comments.json", sources.Options{}, []string{
			"zendesk:4821/70001", "zendesk:4821/70002", "skip: not customer feedback: comment 70003 is private", "skip: comment 70004 has no text"}, []string{
			"zendesk:4821/70001", "zendesk:4821/70002", "zendesk:4821/70003", "skip: comment 70004 has no text"}},
		{"zendesk", "zendesk_comments.json", sources.Options{Parent: "999"}, []string{
			"zendesk:999/70001", "zendesk:999/70002", "skip: comment 70003 is private", "skip: comment 70004 has no text"}, []string{
			"zendesk:999/70001", "zendesk:999/70002", "zendesk:999/70003", "skip: comment 70004 has no text"}},
		{"zendesk", "zendesk_event_comment.json", sources.Options{}, []string{"zendesk:4830/70100"}, nil},
		{"zendesk", "zendesk_event_created.json", sources.Options{}, []string{"zendesk:4840"}, nil},
		{"zendesk", "zendesk_event_status.json", sources.Options{}, []string{"skip: ticket.status_changed"}, nil},
		{"freshdesk", "freshdesk_tickets.json", sources.Options{}, []string{
			"freshdesk:612", "freshdesk:613", `error: created_at: "not a date"`}, nil},
		{"freshdesk", "freshdesk_conversations.json", sources.Options{}, []string{
			"skip: not customer feedback: conversation 9101 is an agent's reply", "freshdesk:612/9102",
			"skip: not customer feedback: conversation 9103 is a private note"}, []string{
			"freshdesk:612/9101", "freshdesk:612/9102", "freshdesk:612/9103"}},
		{"intercom", "intercom_conversation.json", sources.Options{}, []string{
			"intercom:88120", "skip: not customer feedback: part 302 is a comment by an admin", "intercom:88120/303",
			"skip: not customer feedback: part 304 is a note by an admin"}, []string{
			"intercom:88120", "intercom:88120/302", "intercom:88120/303", "intercom:88120/304"}},
		{"intercom", "intercom_notification.json", sources.Options{}, []string{"intercom:88200"}, nil},
		{"intercom", "intercom_ping.json", sources.Options{}, []string{"skip: ping"}, nil},
		{"discourse", "discourse_posts.json", sources.Options{}, []string{
			"discourse:5120", "discourse:5121", "skip: small action", "discourse:5123"}, nil},
		{"discourse", "discourse_topic.json", sources.Options{}, []string{
			"discourse:7001", "discourse:7002", "skip: not customer feedback: post 7003 is a whisper"}, []string{
			"discourse:7001", "discourse:7002", "discourse:7003"}},
		{"discourse", "discourse_webhook_post.json", sources.Options{Event: "post_created"}, []string{"discourse:7010"}, nil},
		{"discourse", "discourse_webhook_post.json", sources.Options{Event: "post_destroyed"}, []string{"skip: post_destroyed"}, nil},
		{"github", "github_issues.json", sources.Options{}, []string{
			"github:tidepool-hq/desktop#214", "skip: pull request", "github:tidepool-hq/desktop#216"}, nil},
		{"github", "github_comments.json", sources.Options{}, []string{
			"github:tidepool-hq/desktop#214/990001", "skip: pull request"}, nil},
		{"github", "github_issue_comment_webhook.json", sources.Options{Event: "issue_comment"}, []string{
			"github:tidepool-hq/desktop#214/990010"}, nil},
		{"github", "github_ping.json", sources.Options{}, []string{"skip: ping"}, nil},
		{"reddit", "reddit_listing.json", sources.Options{}, []string{"reddit:1q2w3e", "reddit:4r5t6y", "reddit:7u8i9o"}, nil},
		{"reddit", "reddit_thread.json", sources.Options{}, []string{
			"reddit:1q2w3e", "skip: not customer feedback: comment k1a2b3 is distinguished as a moderator's", "reddit:1q2w3e/k4d5e6", "skip: deleted"}, []string{
			"reddit:1q2w3e", "reddit:1q2w3e/k1a2b3", "reddit:1q2w3e/k4d5e6", "skip: deleted"}},
		{"jsonl", "records.jsonl", sources.Options{}, []string{
			"typeform:r-1", "typeform:r-2", "error: created_at", "error: source", "error: not JSON", "typeform:r-5"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.file+tc.opts.Event+tc.opts.Parent, func(t *testing.T) {
			items := mapFile(t, tc.source, tc.file, tc.opts)
			checkOutline(t, items, tc.want)
			m, _ := sources.Lookup(tc.source)
			checkOnlyStaffDiffers(t, m, read(t, tc.file), tc.opts)
			if tc.staff != nil {
				opts := tc.opts
				opts.IncludeStaff = true
				checkOutline(t, mapFile(t, tc.source, tc.file, opts), tc.staff)
			}
			for _, it := range items {
				if it.Record != nil {
					if err := it.Record.Validate(); err != nil {
						t.Errorf("%s: invalid record: %v", it.Record.ID, err)
					}
					if it.Record.Source != tc.source && tc.source != "jsonl" {
						t.Errorf("%s: source %q", it.Record.ID, it.Record.Source)
					}
				}
				if it.Err != nil && it.Pos.String() == "input" {
					t.Errorf("error without a position: %v", it.Err)
				}
			}
		})
	}
}

func TestZendeskTicketsCarryRequesterOrganizationRatingTagsAndLink(t *testing.T) {
	items := mapFile(t, "zendesk", "zendesk_tickets.json", sources.Options{})
	r := record(t, items, "zendesk:4821")
	if r.Kind != "ticket" || r.Title != "CSV export stops at 10 000 rows" || !strings.Contains(r.Body, "~14k invoices") {
		t.Errorf("text: %+v", r)
	}
	if !r.CreatedAt.Equal(time.Date(2025, 11, 3, 8, 14, 22, 0, time.UTC)) {
		t.Errorf("created_at %v", r.CreatedAt)
	}
	if r.Author == nil || r.Author.Email != "mara.ito@orchard.example" || r.Author.Name != "Mara Ito" || r.Author.ID != "9001" {
		t.Errorf("author %+v", r.Author)
	}
	if r.Account == nil || r.Account.ID != "501" || r.Account.Name != "Orchard Analytics" {
		t.Errorf("account %+v", r.Account)
	}
	if r.Rating == nil || *r.Rating != 1 || r.Metadata["satisfaction_comment"] == "" {
		t.Errorf("rating %v metadata %v", r.Rating, r.Metadata)
	}
	if r.URL != "https://lumen.zendesk.com/agent/tickets/4821" {
		t.Errorf("url %q", r.URL)
	}
	if strings.Join(r.Tags, ",") != "export,billing" {
		t.Errorf("tags %v (duplicates must go)", r.Tags)
	}
	// A ticket without an organization takes its requester's.
	r = record(t, items, "zendesk:4822")
	if r.Account == nil || r.Account.Name != "Weber Bau GmbH" || r.Rating != nil {
		t.Errorf("account %+v rating %v", r.Account, r.Rating)
	}
	if !strings.Contains(r.Body, "„Fehler 500“") {
		t.Errorf("unicode body %q", r.Body)
	}
	bad := record(t, mapFile(t, "zendesk", "zendesk_ticket.json", sources.Options{}), "zendesk:4830")
	if bad.Rating == nil || *bad.Rating != 0 {
		t.Errorf("a bad satisfaction rating is 0, got %v", bad.Rating)
	}
}

func TestZendeskCommentsTurnHTMLIntoTextAndKeepTheirTicket(t *testing.T) {
	items := mapFile(t, "zendesk", "zendesk_comments.json", sources.Options{BaseURL: "https://lumen.zendesk.com"})
	r := record(t, items, "zendesk:4821/70002")
	if r.Body != "Thanks Mara & team — we're raising the limit to 50 000." {
		t.Errorf("body %q", r.Body)
	}
	if r.Parent != "zendesk:4821" || r.URL != "https://lumen.zendesk.com/agent/tickets/4821" {
		t.Errorf("parent %q url %q", r.Parent, r.URL)
	}
	staff := mapFile(t, "zendesk", "zendesk_comments.json", sources.Options{IncludeStaff: true})
	if record(t, staff, "zendesk:4821/70003").Metadata["visibility"] != "private" {
		t.Error("a private comment is not marked")
	}
	ev := record(t, mapFile(t, "zendesk", "zendesk_event_comment.json", sources.Options{}), "zendesk:4830/70100")
	if ev.Author == nil || ev.Author.Name != "Pat Quinn" || ev.Account == nil || ev.Account.ID != "510" ||
		!ev.CreatedAt.Equal(time.Date(2025, 11, 6, 9, 12, 45, 0, time.UTC)) || ev.Metadata["author_role"] != "customer" {
		t.Errorf("webhook comment %+v %+v %+v", ev, ev.Author, ev.Account)
	}
}

func TestFreshdeskMapsRequesterCompanyAndConversationRoles(t *testing.T) {
	items := mapFile(t, "freshdesk", "freshdesk_tickets.json", sources.Options{BaseURL: "https://alpenkraft.freshdesk.com/"})
	r := record(t, items, "freshdesk:612")
	if r.Author.Email != "lena.hofer@alpenkraft.example" || r.Account.Name != "Alpenkraft AG" || r.Account.ID != "8801" {
		t.Errorf("author %+v account %+v", r.Author, r.Account)
	}
	if r.URL != "https://alpenkraft.freshdesk.com/a/tickets/612" || r.Metadata["priority"] != "high" || r.Metadata["channel"] != "email" {
		t.Errorf("url %q metadata %v", r.URL, r.Metadata)
	}
	if got := record(t, items, "freshdesk:613").Body; got != "Love the new dashboard <3 – could it remember my filters?" {
		t.Errorf("HTML description: %q", got)
	}
	conv := mapFile(t, "freshdesk", "freshdesk_conversations.json", sources.Options{IncludeStaff: true})
	if c := record(t, conv, "freshdesk:612/9102"); c.Metadata["author_role"] != "customer" || c.Author.Email != "lena.hofer@alpenkraft.example" {
		t.Errorf("customer reply %+v %+v", c, c.Author)
	}
	if c := record(t, conv, "freshdesk:612/9101"); c.Author.Email != "help@lumen.example" || c.Author.Name != "Support Team" {
		t.Errorf("from_email not parsed: %+v", c.Author)
	}
}

// The conversations included with a ticket that is spam or deleted are
// skipped with it, each reported with the ticket's reason: they used to
// vanish from the import's counts.
func TestFreshdeskConversationsOfASpamOrDeletedTicketAreSkippedWithIt(t *testing.T) {
	in := `{"id":614,"subject":"s","description_text":"cheap pills","created_at":"2024-03-12T08:00:00Z","spam":true,
	 "conversations":[{"id":9301,"body_text":"more","incoming":true,"created_at":"2024-03-12T09:00:00Z"},{"body_text":"no id"}]}
{"id":615,"subject":"s","description_text":"oops","created_at":"2024-03-12T08:00:00Z","deleted":true,
	 "conversations":[{"id":"9302","body_text":"reply","incoming":true,"created_at":"2024-03-12T09:00:00Z"}]}`
	items, err := sources.Freshdesk{}.Map([]byte(in), sources.Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkOutline(t, items, []string{
		"skip: ticket 614 is marked as spam",
		"skip: conversation 9301 is on ticket 614, which is marked as spam",
		"skip: a conversation is on ticket 614, which is marked as spam",
		"skip: ticket 615 is deleted",
		"skip: conversation 9302 is on ticket 615, which is deleted",
	})
	if items[1].Pos.Path != "conversations[0]" || items[4].Pos.Line != 3 {
		t.Errorf("positions %s, %s", items[1].Pos, items[4].Pos)
	}
}

// The last version of an item in an input is the item as it is, also
// when that version is skipped: a ticket marked as spam in its last
// update, a post deleted since. Only items with records used to take
// part, so the earlier version was published as if nothing had happened.
func TestALaterVersionThatIsSkippedSupersedesTheEarlierRecord(t *testing.T) {
	in := `{"id":801,"subject":"s","description_text":"cheap stuff","created_at":"2024-03-10T10:00:00Z",
	 "conversations":[{"id":9401,"body_text":"buy now","incoming":true,"created_at":"2024-03-10T11:00:00Z"}]}
{"id":802,"subject":"s","description_text":"deleted, then restored","created_at":"2024-03-10T10:00:00Z","deleted":true}
{"id":801,"subject":"s","description_text":"cheap stuff","created_at":"2024-03-10T10:00:00Z","spam":true,
	 "conversations":[{"id":9401,"body_text":"buy now","incoming":true,"created_at":"2024-03-10T11:00:00Z"}]}
{"id":802,"subject":"s","description_text":"deleted, then restored","created_at":"2024-03-10T10:00:00Z"}
`
	items, err := sources.Freshdesk{}.Map([]byte(in), sources.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sources.KeepLastVersions(items)
	checkOutline(t, items, []string{
		"error: a later version of this record comes after it in the input (line 4), and is skipped: ticket 801 is marked as spam",
		"error: a later version of this record comes after it in the input (line 4, conversations[0]), and is skipped: conversation 9401",
		"skip: ticket 802 is deleted",
		"skip: ticket 801 is marked as spam", "skip: conversation 9401 is on ticket 801",
		"freshdesk:802", // a record after a skip is the last version
	})
	for _, it := range items[:2] {
		if !errors.Is(it.Err, sources.ErrSuperseded) {
			t.Errorf("%s: %v is not ErrSuperseded", it.Pos, it.Err)
		}
	}

	// A Discourse post deleted in a later copy of the input.
	post := `{"id":7001,"user_id":61,"post_type":1,"created_at":"2024-03-05T10:00:00Z","cooked":"<p>first</p>"%s}` + "\n"
	items, err = sources.Discourse{}.Map([]byte(fmt.Sprintf(post, "")+fmt.Sprintf(post, `,"deleted_at":"2024-03-06T00:00:00Z"`)), sources.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sources.KeepLastVersions(items)
	checkOutline(t, items, []string{"error: and is skipped: post 7001 is deleted", "skip: post 7001 is deleted"})

	// A Zendesk ticket deleted in a later page of the export.
	items, err = sources.Zendesk{}.Map([]byte(`{"tickets":[{"id":5,"subject":"Refund","description":"please","created_at":"2024-03-05T10:00:00Z"},
		{"id":5,"subject":"Refund","description":"please","created_at":"2024-03-05T10:00:00Z","status":"deleted"}]}`), sources.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sources.KeepLastVersions(items)
	checkOutline(t, items, []string{"error: and is skipped: ticket 5 is deleted", "skip: ticket 5 is deleted"})
}

func TestIntercomConversationAndPartsKeepAuthorsRatingAndRoles(t *testing.T) {
	items := mapFile(t, "intercom", "intercom_conversation.json", sources.Options{BaseURL: "https://app.intercom.com/a/inbox/k7x9p2"})
	c := record(t, items, "intercom:88120")
	if c.Kind != "chat" || c.Body != "Hi! The iOS widget shows NaN for today's total & crashes when I tap it.\n\nSee this screenshot." {
		t.Errorf("kind %q body %q", c.Kind, c.Body)
	}
	if c.Rating == nil || *c.Rating != 4 || c.Author.Email != "noor@tidepool.example" || strings.Join(c.Tags, ",") != "ios,widget" {
		t.Errorf("rating %v author %+v tags %v", c.Rating, c.Author, c.Tags)
	}
	if !c.CreatedAt.Equal(time.Unix(1762416000, 0)) || c.URL != "https://app.intercom.com/a/inbox/k7x9p2/inbox/conversation/88120" {
		t.Errorf("created %v url %q", c.CreatedAt, c.URL)
	}
	p := record(t, items, "intercom:88120/303")
	if p.Parent != "intercom:88120" || p.Metadata["author_role"] != "customer" || p.Body != "iOS 18.1 — and it also happens on my iPad 🙁" {
		t.Errorf("part %+v", p)
	}
	staff := mapFile(t, "intercom", "intercom_conversation.json", sources.Options{IncludeStaff: true})
	if record(t, staff, "intercom:88120/304").Metadata["visibility"] != "private" {
		t.Error("a note is not private")
	}
	n := record(t, mapFile(t, "intercom", "intercom_notification.json", sources.Options{}), "intercom:88200")
	if n.Kind != "ticket" || n.Title != "Refund for duplicate charge" || n.URL != "https://app.intercom.com/a/inbox/k7x9p2/inbox/conversation/88200" {
		t.Errorf("notification %+v", n)
	}
}

func TestDiscoursePostsBecomePlainTextWithTopicTitleAndLink(t *testing.T) {
	items := mapFile(t, "discourse", "discourse_posts.json", sources.Options{BaseURL: "https://forum.tidepool.example/"})
	r := record(t, items, "discourse:5120")
	want := "Exporting to Parquet fails with:\n\nerror: schema mismatch <col 3>\n  at writer.go:88\n\nSteps are in this thread & the docs."
	if r.Body != want {
		t.Errorf("body\n%q\nwant\n%q", r.Body, want)
	}
	if r.Title != "Parquet export fails" || r.URL != "https://forum.tidepool.example/t/parquet-export-fails/901/1" || r.Kind != "forum" {
		t.Errorf("title %q url %q", r.Title, r.URL)
	}
	if d := record(t, items, "discourse:5121"); d.Author != nil || d.Metadata["user_deleted"] != "true" || d.Body != "Same here since 3.2 :frowning:" {
		t.Errorf("deleted user's post %+v", d)
	}
	if j := record(t, items, "discourse:5123"); j.Body != "ダッシュボードの読み込みが遅いです。\n\n[image: slow-dashboard]" ||
		!j.CreatedAt.Equal(time.Date(2025, 11, 2, 16, 0, 0, 0, time.UTC)) {
		t.Errorf("lightbox or offset: %q %v", j.Body, j.CreatedAt)
	}
	topic := mapFile(t, "discourse", "discourse_topic.json", sources.Options{})
	if p := record(t, topic, "discourse:7002"); p.Title != "Dark mode for reports" || strings.Join(p.Tags, ",") != "feature-request,ui" {
		t.Errorf("topic fields not carried to posts: %+v", p)
	}
}

// A topic's JSON holds its first 20 or so posts, and post_stream.stream
// lists them all: an import of the topic alone used to take the fraction
// for the whole without a word. The posts it lacks are an error naming
// them and where to get them, unless another document of the input (the
// posts.json page fetched for them) holds them.
func TestDiscourseTopicLackingPostsItsStreamListsSaysSo(t *testing.T) {
	post := func(id int, extra string) string {
		return fmt.Sprintf(`{"id":%d,"user_id":61,"post_type":1,"created_at":"2024-03-05T10:00:00Z","cooked":"<p>post %d</p>"%s}`, id, id, extra)
	}
	topic := `{"id":57,"title":"T","slug":"t","post_stream":{"posts":[` + post(7001, "") + `,` + post(7004, `,"deleted_at":"2024-03-06T00:00:00Z"`) +
		`],"stream":[7001,7002,7003,7004]}}` + "\n"
	items, err := sources.Discourse{}.Map([]byte(topic), sources.Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkOutline(t, items, []string{"discourse:7001", "skip: post 7004 is deleted",
		"error: lists 4 posts, 2 of which are not in the input (7002, 7003): a topic's JSON holds about the first 20; fetch the others with GET /t/57/posts.json?post_ids[]=7002&post_ids[]=7003"})
	if items[2].Pos.Path != "post_stream.stream" {
		t.Errorf("path %q", items[2].Pos.Path)
	}
	rest := `{"post_stream":{"posts":[` + post(7002, "") + `,` + post(7003, "") + `]},"id":57}` + "\n"
	items, err = sources.Discourse{}.Map([]byte(topic+rest), sources.Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkOutline(t, items, []string{"discourse:7001", "skip: post 7004 is deleted", "discourse:7002", "discourse:7003"})
}

// A quote is another post's words. A post whose cooked text is only a
// quote used to be published with the quote as its body, through the
// fallback to raw; it has no text of its own and is skipped. A payload
// with raw only leaves its [quote] blocks out too.
func TestDiscoursePostThatOnlyQuotesHasNoTextOfItsOwn(t *testing.T) {
	post := func(id int, fields string) string {
		return fmt.Sprintf(`{"id":%d,"user_id":47,"post_type":1,"topic_id":57,"created_at":"2024-03-05T10:19:00Z",%s}`, id, fields)
	}
	in := `{"latest_posts":[` + strings.Join([]string{
		post(1, `"cooked":"<aside class=\"quote\"><blockquote><p>only a quote</p></blockquote></aside>","raw":"[quote=\"bob, post:1, topic:57\"]\nonly a quote\n[/quote]"`),
		post(2, `"raw":"[quote=\"bob, post:1, topic:57\"]\nonly a quote\n[/quote]"`),
		post(3, `"raw":"[quote=\"bob\"]\nouter [quote=\"ann\"]inner[/quote]\n[/quote]\n\nMy own words."`),
		post(4, `"cooked":"","raw":""`),
		post(5, `"cooked":"","raw":"from raw"`),
	}, ",") + `]}`
	items, err := sources.Discourse{}.Map([]byte(in), sources.Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkOutline(t, items, []string{
		"skip: post 1 has no text of its own: it only quotes other posts",
		"skip: post 2 has no text of its own",
		"discourse:3", "skip: post 4 has no text", "discourse:5",
	})
	if r := record(t, items, "discourse:3"); r.Body != "My own words." {
		t.Errorf("body %q", r.Body)
	}
	if r := record(t, items, "discourse:5"); r.Body != "from raw" {
		t.Errorf("body %q", r.Body)
	}
}

func TestGitHubIssuesAndCommentsShareTheirIssueID(t *testing.T) {
	issues := mapFile(t, "github", "github_issues.json", sources.Options{})
	is := record(t, issues, "github:tidepool-hq/desktop#214")
	if is.URL != "https://github.com/tidepool-hq/desktop/issues/214" || strings.Join(is.Tags, ",") != "bug,sync" ||
		is.Author.Name != "quietfox" || is.Title != "Sync stalls on large vaults" {
		t.Errorf("issue %+v", is)
	}
	if r := record(t, issues, "github:tidepool-hq/desktop#216"); r.Body != r.Title || r.Author != nil {
		t.Errorf("issue without body or user: %+v", r)
	}
	rest := record(t, mapFile(t, "github", "github_comments.json", sources.Options{}), "github:tidepool-hq/desktop#214/990001")
	hook := record(t, mapFile(t, "github", "github_issue_comment_webhook.json", sources.Options{}), "github:tidepool-hq/desktop#214/990010")
	if rest.Parent != is.ID || hook.Parent != is.ID {
		t.Errorf("parents %q %q, want %q", rest.Parent, hook.Parent, is.ID)
	}
	if hook.Title != is.Title {
		t.Errorf("webhook comment title %q", hook.Title)
	}
}

func TestRedditPostsAndNestedCommentsMap(t *testing.T) {
	items := mapFile(t, "reddit", "reddit_listing.json", sources.Options{})
	if r := record(t, items, "reddit:4r5t6y"); r.Body != "Made a heatmap of my notes with the API 🎉" || r.Author != nil {
		t.Errorf("link post by a deleted user: %+v", r)
	}
	if r := record(t, items, "reddit:7u8i9o"); r.Body != "Why is sync so slow??" {
		t.Errorf("removed self text must fall back to the title: %q", r.Body)
	}
	thread := mapFile(t, "reddit", "reddit_thread.json", sources.Options{})
	c := record(t, thread, "reddit:1q2w3e/k4d5e6")
	if c.Parent != "reddit:1q2w3e" || c.Metadata["reply_to"] != "t1_k1a2b3" || c.Rating != nil ||
		c.URL != "https://www.reddit.com/r/tidepool/comments/1q2w3e/does_team_include_sso/k4d5e6/" {
		t.Errorf("nested comment %+v", c)
	}
	if !c.CreatedAt.Equal(time.Unix(1761993600, 0)) {
		t.Errorf("created %v", c.CreatedAt)
	}
}

// Every child of a Reddit listing is an item: a record, a skip or an
// error with its path. A child without a kind, one that is no object, and
// children that are no array used to vanish without a word.
func TestEveryChildOfARedditListingIsAnItem(t *testing.T) {
	in := `{"kind":"Listing","data":{"children":[
	 {"data":{"id":"a1","title":"t","selftext":"no kind","created_utc":1710000000}},
	 {"kind":"t3","data":{"id":"a2","title":"t","selftext":"a post","created_utc":1710000000}},
	 17,
	 {"kind":"more","data":{"children":["x"]}}]}}`
	items, err := sources.Reddit{}.Map([]byte(in), sources.Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkOutline(t, items, []string{"error: kind: is missing", "reddit:a2", "error: is a JSON number, want a Reddit thing"})
	if items[0].Pos.Path != "data.children[0]" || items[2].Pos.Path != "data.children[2]" {
		t.Errorf("paths %q and %q", items[0].Pos.Path, items[2].Pos.Path)
	}
	items, err = sources.Reddit{}.Map([]byte(`{"kind":"Listing","data":{"children":{"kind":"t3","data":{"id":"x"}}}}`), sources.Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkOutline(t, items, []string{"error: is a JSON object, want an array of things"})
	if items[0].Pos.Path != "data.children" {
		t.Errorf("path %q", items[0].Pos.Path)
	}
	// An empty listing is no item, and no error.
	items, err = sources.Reddit{}.Map([]byte(`{"kind":"Listing","data":{"children":[]}}`), sources.Options{})
	if err != nil || len(items) != 0 {
		t.Errorf("empty listing: %v %v", outline(items), err)
	}
}

// Unix timestamps keep their milliseconds. Milliseconds were divided into
// float seconds and seconds' fractions read as floats, and both truncated
// to a millisecond below: 1710064800123 became .122.
func TestUnixTimestampsKeepTheirMilliseconds(t *testing.T) {
	for _, tc := range []struct {
		created string
		ms      int
	}{
		{"1710064800123", 123},
		{"1710064800.987", 987},
		{"1710064800.1239", 123}, // below the millisecond is cut off
		{"1710064800", 0},
		{"1.710064800987e9", 987},
		{`"1710064800.987"`, 987},
		{`"1710064800001"`, 1},
	} {
		in := `{"kind":"t3","data":{"id":"p","title":"t","selftext":"s","created_utc":` + tc.created + `}}`
		items, err := sources.Reddit{}.Map([]byte(in), sources.Options{})
		if err != nil || len(items) != 1 || items[0].Record == nil {
			t.Fatalf("%s: %v %v", tc.created, err, outline(items))
		}
		want := time.Date(2024, 3, 10, 10, 0, 0, tc.ms*1e6, time.UTC)
		if got := items[0].Record.CreatedAt; !got.Equal(want) {
			t.Errorf("%s: created_at %s, want %s", tc.created, got.Format(time.RFC3339Nano), want.Format(time.RFC3339Nano))
		}
	}
}

func TestInputsThatAreNotTheSourcesShapeFailAsAWhole(t *testing.T) {
	cases := []struct{ source, input, want string }{
		{"zendesk", `{"hello": "world"}`, "want a Zendesk"},
		{"zendesk", "{\n  \"ticket\": {\n    \"id\": 1,\n", "not JSON"},
		{"discourse", `{"users": []}`, "want Discourse posts"},
		{"intercom", `"text"`, "want an Intercom"},
		{"github", `{"name": "x"}`, "want GitHub"},
		{"reddit", `42`, "want a Reddit"},
		{"freshdesk", ``, "empty"},
	}
	for _, tc := range cases {
		m, _ := sources.Lookup(tc.source)
		_, err := m.Map([]byte(tc.input), sources.Options{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %q: error %v, want one containing %q", tc.source, tc.input, err, tc.want)
		}
	}
}

func TestNDJSONWithABrokenLineReportsTheLineAndMapsTheRest(t *testing.T) {
	input := `{"ticket":{"id":1,"created_at":"2025-01-01T00:00:00Z","subject":"a","description":"first"}}
{"ticket":{"id":2,"created_at":"2025-01-02T00:00:00Z","subject":"b","description":"second"}
{"ticket":{"id":3,"created_at":"2025-01-03T00:00:00Z","subject":"c","description":"third"}}
`
	m, _ := sources.Lookup("zendesk")
	items, err := m.Map([]byte(input), sources.Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkOutline(t, items, []string{"zendesk:1", "error: not JSON", "zendesk:3"})
	if items[1].Pos.Line != 2 || items[2].Pos.Line != 3 {
		t.Errorf("lines %d and %d, want 2 and 3", items[1].Pos.Line, items[2].Pos.Line)
	}
}

// A mapper rejects a body over the default limit, as the webhooks and
// polls that publish with it need; an import judges its records by the
// limit it publishes with instead, larger or smaller.
func TestABodyIsJudgedByTheLimitRecordsArePublishedWith(t *testing.T) {
	ticket := func(id, size int) string {
		return fmt.Sprintf(`{"id":%d,"subject":"Export","description_text":%q,"created_at":"2025-03-01T09:00:00Z"}`+"\n",
			id, strings.Repeat("x", size))
	}
	input := []byte(ticket(1, 2000) + ticket(2, feedback.DefaultMaxBodyBytes+1))
	items, err := sources.Freshdesk{}.Map(input, sources.Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkOutline(t, items, []string{"freshdesk:1", "error: over the limit of 262144"})
	if fe, ok := feedback.AsError(items[1].Err); !ok || fe.Reason != feedback.ReasonBodyTooLarge || sources.Field(items[1].Err) != "body" {
		t.Errorf("not the contract's error: %#v", items[1].Err)
	}
	sources.WithBodyLimit(items, 1<<20)
	checkOutline(t, items, []string{"freshdesk:1", "freshdesk:2"})
	items, _ = sources.Freshdesk{}.Map(input, sources.Options{})
	sources.WithBodyLimit(items, 1024)
	checkOutline(t, items, []string{"error: is 2000 bytes, over the limit of 1024", "error: over the limit of 1024"})
}

// A broken first line of JSON lines is one bad line, as a broken line
// further down is: it used to make the whole file "not JSON", named as
// line 2 because the string it leaves open ends with the line break.
func TestNDJSONWithABrokenFirstLineRejectsOnlyThatLine(t *testing.T) {
	input := "{\"id\": 1, \"subject\": \"cut off\n" +
		`{"id":2,"subject":"b","description_text":"second","created_at":"2025-01-02T00:00:00Z"}` + "\n" +
		`{"id":3,"subject":"c","description_text":"third","created_at":"2025-01-03T00:00:00Z"}` + "\n"
	items, err := sources.Freshdesk{}.Map([]byte(input), sources.Options{})
	if err != nil {
		t.Fatalf("the whole input was refused: %v", err)
	}
	checkOutline(t, items, []string{"error: not JSON", "freshdesk:2", "freshdesk:3"})
	if items[0].Pos.Line != 1 || items[1].Pos.Line != 2 {
		t.Errorf("lines %d and %d, want 1 and 2", items[0].Pos.Line, items[1].Pos.Line)
	}
}

// A document that is not JSON lines is still refused as a whole, and the
// error names the line of the character in error, also when that
// character is the line break that ends a string left open.
func TestABrokenDocumentIsRefusedNamingTheLineOfTheError(t *testing.T) {
	for _, tc := range []struct {
		input string
		line  string
	}{
		{"{\n  \"ticket\": {\n    \"subject\": \"cut off\n  }\n}\n", "line 3: not JSON"},
		{"[\n  {\"id\": 1},\n  {\"id\": 2} x\n]\n", "line 3: not JSON"},
		// One line of JSON lines broken, and the next as well: not JSON lines.
		{"{\"id\": 1, \"subject\": \"a\n{\"id\": 2\n", "line 1: not JSON"},
	} {
		_, err := sources.Freshdesk{}.Map([]byte(tc.input), sources.Options{})
		if err == nil || !strings.Contains(err.Error(), tc.line) {
			t.Errorf("%q: error %v, want one containing %q", tc.input, err, tc.line)
		}
	}
}

// ndjsonTickets is n Freshdesk tickets as JSON lines.
func ndjsonTickets(n int) []byte {
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, `{"id":%d,"subject":"Export stops","description_text":"The export of my reports stops after a while, %s","created_at":"2024-01-01T10:00:00Z"}`+"\n",
			1000+i, strings.Repeat("again and again ", 6))
	}
	return b.Bytes()
}

// The line each JSON-lines document starts on is counted on from the one
// before it (it used to be counted from the start of the file for every
// document: 50,000 lines took 24 s, 100,000 over two minutes; see
// BenchmarkMapNDJSON), and still right across blank lines.
func TestNDJSONNamesTheLineOfEachDocument(t *testing.T) {
	items, err := sources.Freshdesk{}.Map([]byte("\n\n"+`{"id":1,"subject":"a","created_at":"2024-01-01T10:00:00Z"}`+"\n\n"+
		`{"id":2,"subject":"b","created_at":"2024-01-01T10:00:00Z"}`+"\n"), sources.Options{})
	if err != nil || len(items) != 2 || items[0].Pos.Line != 3 || items[1].Pos.Line != 5 {
		t.Errorf("items %+v, %v; want lines 3 and 5", items, err)
	}
	data := ndjsonTickets(3000)
	items, err = sources.Freshdesk{}.Map(data, sources.Options{})
	if err != nil || len(items) != 3000 || items[2999].Pos.Line != 3000 {
		t.Errorf("%d items, %v; want the last on line 3000", len(items), err)
	}
}

// BenchmarkMapNDJSON reports the time per line at two sizes, about equal
// when reading grows in proportion to the input: 2,500 and 20,000 lines
// 13 and 11 µs per line on the development machine (2026-12-07); before
// the fix, eight times the lines took 38 times as long.
func BenchmarkMapNDJSON(b *testing.B) {
	for _, n := range []int{2500, 20000} {
		data := ndjsonTickets(n)
		b.Run(fmt.Sprintf("lines=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := (sources.Freshdesk{}).Map(data, sources.Options{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/line")
		})
	}
}

func TestHTMLToText(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"entities", "<p>Fish &amp; chips &lt;3 &quot;ok&quot; &#x1F600;</p>", "Fish & chips <3 \"ok\" 😀"},
		{"paragraphs and breaks", "<p>one</p><p>two<br>three</p>", "one\n\ntwo\nthree"},
		{"lists", "<ul><li>a</li><li><p>b</p></li></ul><ol start=\"3\"><li>c</li><li>d</li></ol>", "- a\n- b\n\n3. c\n4. d"},
		{"code block kept verbatim", "<p>run</p><pre><code>if x {\n    y()\n}</code></pre><p>done</p>", "run\n\nif x {\n    y()\n}\n\ndone"},
		{"inline code and links", "use <code>--dry-run</code> and <a href=\"https://x.example\">the docs</a>", "use --dry-run and the docs"},
		{"link without text is its address", "<a href=\"https://x.example/a\"></a>", "https://x.example/a"},
		{"images", "<img class=\"emoji\" alt=\":tada:\"> <img alt=\"chart\"> <img src=\"x.png\">", ":tada: [image: chart] [image]"},
		{"scripts and styles vanish", "<style>p{}</style><p>hi<script>alert(1)</script></p>", "hi"},
		{"whitespace collapses", "<div>\n   a \n\t b   </div>", "a b"},
		{"table rows", "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>", "a | b\nc | d"},
		{"plain text keeps its indentation", "no markup here\n\n  really  ", "no markup here\n\n  really"},
		{"broken markup", "<p>unclosed <b>bold", "unclosed bold"},
		{"discourse quotes are another post's words", `<aside class="quote" data-post="2"><div class="title"><img class="avatar" alt=""> ana:</div><blockquote><p>is it fixed?</p></blockquote></aside><p>Not yet &lt;sigh&gt;</p>`, "Not yet <sigh>"},
		{"link previews are their address", `<p>see</p><aside class="onebox allowlistedgeneric" data-onebox-src="https://docs.example.com/limits"><header class="source"><a href="https://docs.example.com/limits">docs.example.com</a></header><article class="onebox-body"><h3>Limits</h3><p>All about limits.</p></article></aside>`, "see\n\nhttps://docs.example.com/limits"},
		{"a poll keeps its options, not its count of voters", `<div class="poll" data-poll-name="poll"><div><div class="poll-container"><ul><li data-poll-option-id="a1">Weekly</li><li data-poll-option-id="b2">Monthly</li></ul></div><div class="poll-info"><div class="poll-info_counts"><div class="poll-info_counts-count"><span class="info-number">14</span><span class="info-label">voters</span></div></div></div></div></div><p>How often do you export?</p>`, "- Weekly\n- Monthly\n\nHow often do you export?"},
		{"avatars vanish", `<p><img class="avatar" src="/a.png" alt=""> said hi</p>`, "said hi"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := sources.HTMLToText(tc.in); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// An item of the wrong JSON type is named in JSON's words, not by the Go
// type the mapper reads it into.
func TestAnItemOfTheWrongTypeIsDescribedInJSONTerms(t *testing.T) {
	for _, tc := range []struct{ source, input, want string }{
		{"github", `[1, 2]`, "is a JSON number, want an object"},
		{"github", `[{"number": 5, "title": ["a"], "body": "x", "created_at": "2025-10-01T00:00:00Z", "updated_at": "2025-10-01T00:00:00Z"}]`, "title: is a JSON array, want a string"},
		{"zendesk", `{"tickets": [{"id": 7, "subject": {"text": "x"}, "created_at": "2025-10-01T00:00:00Z"}]}`, "subject: is a JSON object, want a string"},
		// An id that may be a string or a number is named by its field,
		// not as "id".
		{"freshdesk", `[{"id": 7, "subject": "s", "created_at": "2025-10-01T00:00:00Z", "requester_id": {"id": 5}}]`, "requester_id: is a JSON object, want a string or a number"},
		{"freshdesk", `[{"id": 7, "subject": "s", "created_at": "2025-10-01T00:00:00Z", "requester": {"id": true}}]`, "requester.id: is a JSON bool, want a string or a number"},
	} {
		m, _ := sources.Lookup(tc.source)
		items, err := m.Map([]byte(tc.input), sources.Options{})
		var got []string
		for _, it := range items {
			if it.Err != nil {
				got = append(got, it.Err.Error())
			}
		}
		if err != nil {
			got = append(got, err.Error())
		}
		joined := strings.Join(got, "; ")
		if !strings.Contains(joined, tc.want) || strings.Contains(joined, "sources.") || strings.Contains(joined, "int64") {
			t.Errorf("%s %s: %q, want %q in JSON's words", tc.source, tc.input, joined, tc.want)
		}
	}
}

// An id written as a whole number with a fraction or an exponent (1.0,
// 1e3: a spreadsheet or a script's floats) is the same id as the whole
// number. It used to become another id ("freshdesk:1.0"), so importing
// the same ticket written both ways stored it twice.
func TestIDsWrittenAsFloatsAreTheWholeNumbers(t *testing.T) {
	in := `[{"id": 1.0, "subject": "s", "description_text": "a", "created_at": "2025-10-01T00:00:00Z", "requester_id": 5.00},
	 {"id": 1e3, "subject": "s", "description_text": "b", "created_at": "2025-10-01T00:00:00Z"},
	 {"id": 12.5E1, "subject": "s", "description_text": "c", "created_at": "2025-10-01T00:00:00Z"},
	 {"id": 1.5, "subject": "s", "description_text": "d", "created_at": "2025-10-01T00:00:00Z"},
	 {"id": -2.0, "subject": "s", "description_text": "e", "created_at": "2025-10-01T00:00:00Z"},
	 {"id": 1e400, "subject": "s", "description_text": "f", "created_at": "2025-10-01T00:00:00Z"}]`
	items, err := sources.Freshdesk{}.Map([]byte(in), sources.Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkOutline(t, items, []string{"freshdesk:1", "freshdesk:1000", "freshdesk:125", "freshdesk:1.5", "freshdesk:-2", "freshdesk:1e400"})
	if a := items[0].Record.Author; a == nil || a.ID != "5" {
		t.Errorf("requester %+v", a)
	}
}

// A broken document whose first line opens it ({"tickets": [) and whose
// next holds one object is not JSON lines: it is refused whole, naming the
// line of its error, not published in part.
func TestABrokenWrapperIsNotReadAsJSONLines(t *testing.T) {
	data := []byte("{\"tickets\": [\n" +
		`{"id": 1, "subject": "Export fails", "description": "The export times out", "created_at": "2025-01-01T00:00:00Z", "status": "open"}` +
		"\n], \"count\": 1,}\n")
	_, err := sources.Zendesk{}.Map(data, sources.Options{})
	if err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("error %v, want the document refused naming line 3", err)
	}
}
