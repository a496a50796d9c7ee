package sources

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"

	"github.com/feedbackloop/feedbackloop/feedback"
)

// Zendesk maps Zendesk Support API v2 tickets and comments and Zendesk
// webhook events.
//
// Accepted inputs: a ticket ({"ticket": {...}} or bare), a list
// ({"tickets": [...]}, the incremental export, search {"results": [...]}),
// with users and organizations sideloads used for author and account; a
// comment list ({"comments": [...]}, optionally with its "ticket"); and
// event webhooks ({"type": "zen:event-type:ticket.created", "detail": ...}
// and ticket.comment_added). Other event types carry no feedback and are
// skipped.
//
// Ids: a ticket is zendesk:<ticket id>, a comment zendesk:<ticket
// id>/<comment id> with the ticket as parent. A comment list that does not
// say its ticket (GET /tickets/{id}/comments has no ticket id in it) needs
// Options.Parent; without it its comments get zendesk:comment-<comment id>
// and no parent.
type Zendesk struct{}

var _ Mapper = Zendesk{}

// Name implements Mapper.
func (Zendesk) Name() string { return "zendesk" }

// Map implements Mapper.
func (z Zendesk) Map(data []byte, opts Options) ([]Item, error) {
	return mapDocuments(data, func(raw json.RawMessage, pos Position) ([]Item, error) {
		return z.document(raw, pos, opts)
	})
}

type zdUser struct {
	ID             flexID `json:"id"`
	Name           string `json:"name"`
	Email          string `json:"email"`
	Role           string `json:"role"` // end-user, agent or admin
	OrganizationID flexID `json:"organization_id"`
}

type zdOrg struct {
	ID   flexID `json:"id"`
	Name string `json:"name"`
}

// zdVia is how a ticket or comment came in. A comment via rule (a trigger
// or automation) or an answer bot channel was written by no person.
type zdVia struct {
	Channel flexID `json:"channel"`
	Source  struct {
		From struct {
			Address string `json:"address"`
			Name    string `json:"name"`
			Title   string `json:"title"` // a trigger's or automation's name
		} `json:"from"`
		Rel string `json:"rel"` // trigger, automation, voicemail, ...
	} `json:"source"`
}

type zdTicket struct {
	URL                string          `json:"url"`
	ID                 flexID          `json:"id"`
	CreatedAt          flexTime        `json:"created_at"`
	Subject            string          `json:"subject"`
	RawSubject         string          `json:"raw_subject"`
	Description        string          `json:"description"`
	Status             string          `json:"status"`
	Priority           string          `json:"priority"`
	Type               string          `json:"type"`
	RequesterID        flexID          `json:"requester_id"`
	AssigneeID         flexID          `json:"assignee_id"`
	OrganizationID     flexID          `json:"organization_id"`
	ExternalID         flexID          `json:"external_id"`
	Tags               []string        `json:"tags"`
	Via                *zdVia          `json:"via"`
	SatisfactionRating json.RawMessage `json:"satisfaction_rating"`
	ResultType         string          `json:"result_type"`
	Requester          *zdUser         `json:"requester"`
	// Comments are embedded in the tickets of Zendesk's full JSON export.
	Comments []json.RawMessage `json:"comments"`
}

type zdComment struct {
	ID        flexID   `json:"id"`
	Type      string   `json:"type"`
	Body      *string  `json:"body"` // nil when the payload has none
	HTMLBody  string   `json:"html_body"`
	PlainBody string   `json:"plain_body"`
	Public    *bool    `json:"public"`
	IsPublic  *bool    `json:"is_public"`
	AuthorID  flexID   `json:"author_id"`
	TicketID  flexID   `json:"ticket_id"`
	CreatedAt flexTime `json:"created_at"`
	Via       *zdVia   `json:"via"`
	// Data holds a voice comment's call; its transcription is what the
	// customer said, where the body only names the caller.
	Data *struct {
		Transcription string `json:"transcription_text"`
	} `json:"data"`
	Author *struct {
		ID      flexID `json:"id"`
		Name    string `json:"name"`
		Email   string `json:"email"`
		IsStaff *bool  `json:"is_staff"`
	} `json:"author"`
}

// zdContext is what a document says besides its items: sideloaded users
// and organizations, the ticket its comments belong to, and where the
// helpdesk is.
type zdContext struct {
	users    map[string]zdUser
	orgs     map[string]zdOrg
	ticketID string
	subject  string
	base     string
	// description is the ticket's description when the document has it.
	// Zendesk makes a ticket's first comment its description, so the
	// comment with this text is already published as the ticket.
	description string
	// ticketAccount is the ticket's account, for its comments.
	ticketAccount *feedback.Account
	// assignee is the ticket's assignee when the document has it. Only
	// agents can be assigned a ticket, so a comment by the assignee is an
	// agent's even without the users sideload.
	assignee string
	opts     Options
}

func (z Zendesk) document(raw json.RawMessage, pos Position, opts Options) ([]Item, error) {
	top := keys(raw)
	if top == nil {
		list, isArray, err := elements(raw)
		if err != nil {
			return nil, err
		}
		if !isArray {
			return nil, &mapError{detail: "want a Zendesk ticket, ticket list, comment list or webhook event (a JSON object or array)"}
		}
		ctx := zdContext{ticketID: opts.Parent, base: strings.TrimRight(opts.BaseURL, "/"), opts: opts}
		var items []Item
		for i, el := range list {
			p := withPath(pos, indexPath("", i, true))
			if k := keys(el); k != nil && isZendeskComment(k) {
				items = append(items, z.comment(el, p, ctx))
			} else {
				items = append(items, z.ticket(el, p, ctx)...)
			}
		}
		return items, nil
	}
	ctx := zdContext{
		users: map[string]zdUser{}, orgs: map[string]zdOrg{},
		ticketID: opts.Parent, base: strings.TrimRight(opts.BaseURL, "/"), opts: opts,
	}
	var users []zdUser
	var orgs []zdOrg
	if r, ok := top["users"]; ok {
		_ = json.Unmarshal(r, &users)
	}
	if r, ok := top["organizations"]; ok {
		_ = json.Unmarshal(r, &orgs)
	}
	for _, u := range users {
		ctx.users[string(u.ID)] = u
	}
	for _, o := range orgs {
		ctx.orgs[string(o.ID)] = o
	}

	if t, ok := top["type"]; ok && strings.HasPrefix(unquote(t), "zen:event-type:") {
		return []Item{z.event(raw, pos, ctx)}, nil
	}

	var items []Item
	if t, ok := top["ticket"]; ok && !isNull(t) {
		var head struct {
			ID          flexID `json:"id"`
			Subject     string `json:"subject"`
			URL         string `json:"url"`
			Description string `json:"description"`
			AssigneeID  flexID `json:"assignee_id"`
		}
		_ = json.Unmarshal(t, &head)
		if ctx.ticketID == "" {
			ctx.ticketID = string(head.ID)
		}
		ctx.assignee = zendeskID(head.AssigneeID)
		ctx.subject = head.Subject
		ctx.description = head.Description
		if ctx.base == "" {
			ctx.base = zendeskBase(head.URL)
		}
		items = append(items, z.ticket(t, withPath(pos, "ticket"), ctx)...)
	}
	found := len(items) > 0
	// A ticket that embeds its comments (the full JSON export) is a
	// ticket, not a comment list.
	if !found && isZendeskTicket(top) {
		return z.ticket(raw, pos, ctx), nil
	}
	for _, list := range []string{"tickets", "results", "comments"} {
		r, ok := top[list]
		if !ok || isNull(r) {
			continue
		}
		found = true
		els, isArray, err := elements(r)
		if err != nil {
			return nil, &mapError{field: list, detail: "is not a list: " + err.Error()}
		}
		if list == "comments" && ctx.ticketID == "" {
			ctx.ticketID = zendeskTicketFromLinks(top)
		}
		for i, el := range els {
			p := withPath(pos, indexPath(list, i, isArray))
			switch {
			case list == "comments":
				items = append(items, z.comment(el, p, ctx))
			case list == "results" && !isZendeskTicketResult(el):
				items = append(items, failed(p, skip("search result that is not a ticket")))
			default:
				items = append(items, z.ticket(el, p, ctx)...)
			}
		}
	}
	if found {
		return items, nil
	}
	if isZendeskComment(top) {
		return []Item{z.comment(raw, pos, ctx)}, nil
	}
	if _, ok := top["id"]; ok {
		return z.ticket(raw, pos, ctx), nil
	}
	return nil, &mapError{detail: "want a Zendesk ticket, ticket list, comment list or webhook event; found none of ticket, tickets, results, comments, type"}
}

func isZendeskComment(k map[string]json.RawMessage) bool {
	switch unquote(k["type"]) {
	case "Comment", "VoiceComment":
		return true
	}
	_, hasBody := k["body"]
	_, hasSubject := k["subject"]
	_, hasDescription := k["description"]
	return hasBody && !hasSubject && !hasDescription
}

func isZendeskTicket(k map[string]json.RawMessage) bool {
	_, hasID := k["id"]
	_, hasDescription := k["description"]
	_, hasRequester := k["requester_id"]
	return hasID && (hasDescription || hasRequester)
}

func isZendeskTicketResult(raw json.RawMessage) bool {
	k := keys(raw)
	rt := unquote(k["result_type"])
	return rt == "" || rt == "ticket"
}

func unquote(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// zendeskBase turns https://acme.zendesk.com/api/v2/tickets/2.json into
// https://acme.zendesk.com.
func zendeskBase(apiURL string) string {
	u, err := url.Parse(apiURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// zendeskTicketFromLinks finds the ticket id of a comment list in its
// pagination links (.../tickets/123/comments.json?page=2).
func zendeskTicketFromLinks(top map[string]json.RawMessage) string {
	var candidates []string
	for _, k := range []string{"next_page", "previous_page", "url"} {
		candidates = append(candidates, unquote(top[k]))
	}
	var links map[string]string
	if r, ok := top["links"]; ok {
		_ = json.Unmarshal(r, &links)
	}
	for _, v := range links {
		candidates = append(candidates, v)
	}
	for _, c := range candidates {
		u, err := url.Parse(c)
		if err != nil {
			continue
		}
		parts := strings.Split(strings.Trim(u.Path, "/"), "/")
		for i := 0; i+2 < len(parts); i++ {
			if parts[i] == "tickets" && strings.HasPrefix(parts[i+2], "comments") {
				if _, err := strconv.ParseUint(parts[i+1], 10, 64); err == nil {
					return parts[i+1]
				}
			}
		}
	}
	return ""
}

func zendeskID(id flexID) string {
	s := strings.TrimSpace(string(id))
	if s == "0" {
		return ""
	}
	return s
}

// ticket maps a ticket and, when it embeds them (the full JSON export),
// its comments.
func (z Zendesk) ticket(raw json.RawMessage, pos Position, ctx zdContext) []Item {
	var t zdTicket
	if err := decodeItem(raw, &t); err != nil {
		return []Item{failed(pos, err)}
	}
	id := zendeskID(t.ID)
	if id == "" {
		return []Item{failed(pos, missingField("id"))}
	}
	if strings.EqualFold(t.Status, "deleted") {
		// Named by the id its record had, so that a deletion later in
		// an export supersedes the ticket published before it.
		return []Item{failed(pos, skipVersion("zendesk:"+id, "ticket %s is deleted", id))}
	}
	subject := firstNonEmpty(t.Subject, t.RawSubject)
	base := zendeskBase(t.URL)
	if base == "" {
		base = ctx.base
	}
	account := ctx.account(t.OrganizationID, t.RequesterID)
	// A ticket an agent requested for themselves is the team's own (an
	// internal request), not a customer's. A ticket an agent opened for a
	// customer names the customer as requester and is kept: it carries
	// what the customer asked, even when an agent typed it.
	role := ctx.role(t.RequesterID)
	if t.Requester != nil && t.Requester.Role != "" {
		role = zendeskRole(t.Requester.Role)
	}
	reason := ""
	if role == "agent" {
		reason = "ticket " + id + " was requested by an agent"
	}
	var first Item
	if ctx.opts.skipStaff(reason) {
		first = failed(pos, notCustomer(reason))
	} else {
		first = z.ticketRecord(t, pos, ctx, id, subject, base, account, role)
	}
	items := []Item{first}
	if len(t.Comments) > 0 {
		cctx := ctx
		cctx.ticketID, cctx.subject, cctx.description, cctx.ticketAccount = id, subject, t.Description, account
		cctx.assignee = zendeskID(t.AssigneeID)
		if cctx.base == "" {
			cctx.base = base
		}
		for i, c := range t.Comments {
			items = append(items, z.comment(c, withPath(pos, indexPath("comments", i, true)), cctx))
		}
	}
	return items
}

// ticketRecord maps the ticket itself; role is its requester's, when known.
func (z Zendesk) ticketRecord(t zdTicket, pos Position, ctx zdContext, id, subject, base string, account *feedback.Account, role string) Item {
	at, err := created("created_at", t.CreatedAt)
	if err != nil {
		return failed(pos, err)
	}
	// The description is the first comment's plain text, not HTML: text
	// such as "<error 402>" is what the customer typed.
	body := firstNonEmpty(tidy(t.Description), subject)
	if strings.TrimSpace(body) == "" {
		return failed(pos, missingField("description"))
	}
	r := &feedback.Record{
		ID: "zendesk:" + id, Source: "zendesk", Kind: "ticket", CreatedAt: at,
		Title: subject, Body: body, Tags: t.Tags,
		// Webhooks spell these in capitals (OPEN, HIGH), the REST API in
		// lower case; one spelling keeps them comparable.
		Metadata: meta("status", strings.ToLower(t.Status), "priority", strings.ToLower(t.Priority),
			"type", strings.ToLower(t.Type), "external_id", string(t.ExternalID), "author_role", role),
	}
	if base != "" {
		r.URL = base + "/agent/tickets/" + id
	}
	author := ctx.user(t.RequesterID)
	if t.Requester != nil {
		author = mergeAuthor(author, feedback.Author{ID: zendeskID(t.Requester.ID), Name: t.Requester.Name, Email: t.Requester.Email})
	}
	if t.Via != nil {
		r.Metadata["channel"] = string(t.Via.Channel)
		author = mergeAuthor(author, feedback.Author{Name: t.Via.Source.From.Name, Email: t.Via.Source.From.Address})
	}
	r.Author = &author
	r.Account = account
	if score, comment := zendeskSatisfaction(t.SatisfactionRating); score != nil {
		r.Rating = score
		if comment != "" {
			r.Metadata["satisfaction_comment"] = comment
		}
	}
	if r.Metadata["channel"] == "" {
		delete(r.Metadata, "channel")
	}
	return finish(pos, r)
}

func (z Zendesk) comment(raw json.RawMessage, pos Position, ctx zdContext) Item {
	var c zdComment
	if err := decodeItem(raw, &c); err != nil {
		return failed(pos, err)
	}
	id := zendeskID(c.ID)
	if id == "" {
		return failed(pos, missingField("id"))
	}
	public := c.Public
	if public == nil {
		public = c.IsPublic
	}
	private := public != nil && !*public
	role := zendeskCommentRole(c, ctx)
	if reason := zendeskCommentReason(id, role, private, c.Type == "VoiceComment", c.Via); ctx.opts.skipStaff(reason) {
		return failed(pos, notCustomer(reason))
	}
	at, err := created("created_at", c.CreatedAt)
	if err != nil {
		return failed(pos, err)
	}
	var plain string
	if c.Body != nil {
		plain = *c.Body
	}
	body := firstNonEmpty(c.PlainBody, plain, HTMLToText(c.HTMLBody))
	if c.Data != nil && strings.TrimSpace(c.Data.Transcription) != "" {
		body = c.Data.Transcription
	}
	switch {
	case strings.TrimSpace(body) == "" && c.Body == nil && c.PlainBody == "" && c.HTMLBody == "":
		return failed(pos, missingField("body"))
	case strings.TrimSpace(body) == "":
		// An attachment alone: Zendesk sends the event as for any
		// comment, with nothing to read.
		return failed(pos, skip("comment %s has no text (an attachment only)", id))
	}
	ticket := firstNonEmpty(zendeskID(c.TicketID), ctx.ticketID)
	if ctx.description != "" && sameText(body, ctx.description) {
		return failed(pos, skip("comment %s is the description of ticket %s, published as the ticket", id, ticket))
	}
	r := &feedback.Record{Source: "zendesk", Kind: "ticket", CreatedAt: at, Body: body, Metadata: meta("author_role", role)}
	if ticket != "" {
		r.ID = "zendesk:" + ticket + "/" + id
		r.Parent = "zendesk:" + ticket
		if ctx.base != "" {
			r.URL = ctx.base + "/agent/tickets/" + ticket
		}
		if ctx.subject != "" {
			r.Title = ctx.subject
		}
	} else {
		r.ID = "zendesk:comment-" + id
	}
	if private {
		r.Metadata["visibility"] = "private"
	}
	author := ctx.user(c.AuthorID)
	if c.Author != nil {
		author = mergeAuthor(author, feedback.Author{ID: zendeskID(c.Author.ID), Name: c.Author.Name, Email: c.Author.Email})
	}
	if c.Via != nil {
		author = mergeAuthor(author, feedback.Author{Name: c.Via.Source.From.Name, Email: c.Via.Source.From.Address})
		r.Metadata["channel"] = string(c.Via.Channel)
	}
	r.Author = &author
	if u, ok := ctx.users[string(c.AuthorID)]; ok {
		r.Account = ctx.account(u.OrganizationID, "")
	}
	// A customer's comment belongs to the ticket's account even when the
	// document does not say the customer's organization.
	if r.Account == nil && !IsStaffRole(role) && ctx.ticketAccount != nil {
		acc := *ctx.ticketAccount
		r.Account = &acc
	}
	return finish(pos, r)
}

// zendeskCommentRole says who wrote a comment, as far as the document
// tells: the webhook's is_staff, else the users sideload's role, else
// agent for the ticket's assignee. A comment added by a trigger,
// automation or answer bot is a bot's, whoever it is attributed to.
func zendeskCommentRole(c zdComment, ctx zdContext) string {
	if c.Via != nil {
		ch := strings.ToLower(string(c.Via.Channel))
		if ch == "rule" || strings.HasPrefix(ch, "answer_bot") {
			return "bot"
		}
	}
	if c.Author != nil && c.Author.IsStaff != nil {
		return map[bool]string{true: "agent", false: "customer"}[*c.Author.IsStaff]
	}
	if role := ctx.role(c.AuthorID); role != "" {
		return role
	}
	author := zendeskID(c.AuthorID)
	if author == "" && c.Author != nil {
		author = zendeskID(c.Author.ID)
	}
	if author != "" && author == ctx.assignee {
		return "agent"
	}
	return ""
}

// zendeskCommentReason says why a comment is not customer feedback; empty
// when it is or nobody knows. A private comment whose author the document
// does not name is an internal note: end users do not write private
// comments, except the calls Zendesk Talk records as private voice
// comments, which are the customer's words. A customer's private comment
// (a voicemail, a CC'd reply Zendesk made private) is kept.
func zendeskCommentReason(id, role string, private, voice bool, via *zdVia) string {
	switch {
	case role == "bot" && via != nil && strings.EqualFold(string(via.Channel), "rule"):
		rule := firstNonEmpty(via.Source.Rel, "trigger or automation")
		if t := via.Source.From.Title; t != "" {
			rule += " " + strconv.Quote(t)
		}
		return "comment " + id + " was added by the " + rule
	case role == "bot":
		return "comment " + id + " is an answer bot's reply"
	case role == "agent" && private:
		return "comment " + id + " is an agent's internal note"
	case role == "agent":
		return "comment " + id + " is an agent's reply"
	case role == "" && private && !voice:
		return "comment " + id + " is private, an internal note"
	}
	return ""
}

// zendeskRole names a user role the way every source's author_role does.
func zendeskRole(role string) string {
	switch role {
	case "end-user":
		return "customer"
	case "agent", "admin":
		return "agent"
	}
	return ""
}

// sameText compares two texts ignoring how their whitespace is laid out.
func sameText(a, b string) bool {
	return strings.Join(strings.Fields(a), " ") == strings.Join(strings.Fields(b), " ")
}

// event maps a Zendesk event webhook: ticket.created becomes the ticket,
// ticket.comment_added the comment; other events carry no feedback. The
// comment that opens a ticket is its description and arrives as both
// events: it is published once, as the ticket.
func (z Zendesk) event(raw json.RawMessage, pos Position, ctx zdContext) Item {
	var ev struct {
		Type   string          `json:"type"`
		Time   flexTime        `json:"time"`
		Detail json.RawMessage `json:"detail"`
		Event  struct {
			Comment json.RawMessage `json:"comment"`
		} `json:"event"`
	}
	if err := decodeItem(raw, &ev); err != nil {
		return failed(pos, err)
	}
	kind := strings.TrimPrefix(ev.Type, "zen:event-type:")
	switch kind {
	case "ticket.created":
		if isNull(ev.Detail) {
			return failed(pos, missingField("detail"))
		}
		return z.ticket(ev.Detail, withPath(pos, "detail"), ctx)[0]
	case "ticket.comment_added":
		var ticket struct {
			ID             flexID `json:"id"`
			Subject        string `json:"subject"`
			Description    string `json:"description"`
			RequesterID    flexID `json:"requester_id"`
			AssigneeID     flexID `json:"assignee_id"`
			OrganizationID flexID `json:"organization_id"`
		}
		if err := json.Unmarshal(ev.Detail, &ticket); err != nil || zendeskID(ticket.ID) == "" {
			return failed(pos, missingField("detail.id"))
		}
		if isNull(ev.Event.Comment) {
			return failed(pos, missingField("event.comment"))
		}
		var c map[string]any
		if err := json.Unmarshal(ev.Event.Comment, &c); err != nil {
			return failed(pos, &mapError{field: "event.comment", detail: "is not an object"})
		}
		if _, ok := c["created_at"]; !ok {
			c["created_at"] = ev.Time.raw
		}
		c["ticket_id"] = string(ticket.ID)
		b, _ := json.Marshal(c)
		ctx.ticketID = zendeskID(ticket.ID)
		ctx.subject = ticket.Subject
		ctx.description = ticket.Description
		ctx.assignee = zendeskID(ticket.AssigneeID)
		if org := zendeskID(ticket.OrganizationID); org != "" {
			ctx.ticketAccount = &feedback.Account{ID: org, Name: ctx.orgs[org].Name}
		}
		return z.comment(b, withPath(pos, "event.comment"), ctx)
	}
	return failed(pos, skip("event %s carries no feedback", kind))
}

// role is a user's author_role from the users sideload; empty when the
// document does not list the user.
func (ctx zdContext) role(id flexID) string {
	if u, ok := ctx.users[string(id)]; ok {
		return zendeskRole(u.Role)
	}
	return ""
}

func (ctx zdContext) user(id flexID) feedback.Author {
	a := feedback.Author{ID: zendeskID(id)}
	if u, ok := ctx.users[string(id)]; ok {
		a.Name, a.Email = u.Name, u.Email
	}
	return a
}

// account is the ticket's organization, or else its requester's.
func (ctx zdContext) account(org, requester flexID) *feedback.Account {
	id := zendeskID(org)
	if id == "" {
		if u, ok := ctx.users[string(requester)]; ok {
			id = zendeskID(u.OrganizationID)
		}
	}
	if id == "" {
		return nil
	}
	return &feedback.Account{ID: id, Name: ctx.orgs[id].Name}
}

// mergeAuthor fills the blanks of a with b.
func mergeAuthor(a, b feedback.Author) feedback.Author {
	if a.ID == "" {
		a.ID = b.ID
	}
	if a.Name == "" {
		a.Name = b.Name
	}
	if a.Email == "" {
		a.Email = b.Email
	}
	return a
}

// zendeskSatisfaction reads a satisfaction rating: "good" is 1 and "bad"
// is 0; a rating only offered, or none, is no rating. A numeric score
// (newer CSAT surveys) is kept as it is.
func zendeskSatisfaction(raw json.RawMessage) (*float64, string) {
	if isNull(raw) {
		return nil, ""
	}
	var sr struct {
		Score   json.RawMessage `json:"score"`
		Comment string          `json:"comment"`
	}
	if json.Unmarshal(raw, &sr) != nil {
		return nil, ""
	}
	var score float64
	switch s := strings.ToLower(unquote(sr.Score)); s {
	case "good":
		score = 1
	case "bad":
		score = 0
	case "":
		n, err := strconv.ParseFloat(strings.TrimSpace(string(sr.Score)), 64)
		if err != nil {
			return nil, ""
		}
		score = n
	default:
		return nil, ""
	}
	return &score, sr.Comment
}
