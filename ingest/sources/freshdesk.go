package sources

import (
	"encoding/json"
	"net/mail"
	"strconv"
	"strings"

	"github.com/feedbackloop/feedbackloop/feedback"
)

// Freshdesk maps Freshdesk API v2 tickets and conversations.
//
// Accepted inputs: a ticket (GET /api/v2/tickets/{id}, with the requester,
// company and conversations includes when present), a ticket list (an
// array, or search's {"results": [...]}), and conversations (GET
// /tickets/{id}/conversations, an array, or {"conversations": [...]}).
//
// Ids: a ticket is freshdesk:<ticket id>, a conversation
// freshdesk:<ticket id>/<conversation id> with the ticket as parent. Links
// need Options.BaseURL (https://acme.freshdesk.com): the API does not say
// which helpdesk it is.
type Freshdesk struct{}

var _ Mapper = Freshdesk{}

// Name implements Mapper.
func (Freshdesk) Name() string { return "freshdesk" }

type fdContact struct {
	ID    flexID `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

type fdTicket struct {
	ID              flexID            `json:"id"`
	Subject         string            `json:"subject"`
	DescriptionText string            `json:"description_text"`
	Description     string            `json:"description"`
	CreatedAt       flexTime          `json:"created_at"`
	RequesterID     flexID            `json:"requester_id"`
	Requester       *fdContact        `json:"requester"`
	Email           string            `json:"email"`
	Name            string            `json:"name"`
	CompanyID       flexID            `json:"company_id"`
	Company         *fdContact        `json:"company"`
	Tags            []string          `json:"tags"`
	Status          flexID            `json:"status"`
	Priority        flexID            `json:"priority"`
	Source          flexID            `json:"source"`
	Type            string            `json:"type"`
	Spam            bool              `json:"spam"`
	Deleted         bool              `json:"deleted"`
	Conversations   []json.RawMessage `json:"conversations"`
}

type fdConversation struct {
	ID       flexID `json:"id"`
	TicketID flexID `json:"ticket_id"`
	BodyText string `json:"body_text"`
	Body     string `json:"body"`
	Incoming *bool  `json:"incoming"`
	Private  *bool  `json:"private"`
	Source   flexID `json:"source"` // 0 reply, 2 note, others: created from a channel
	// AutoResponse and AutomationID mark what an automation sent.
	AutoResponse bool     `json:"auto_response"`
	AutomationID flexID   `json:"automation_id"`
	UserID       flexID   `json:"user_id"`
	FromEmail    string   `json:"from_email"`
	CreatedAt    flexTime `json:"created_at"`
}

// Map implements Mapper.
func (f Freshdesk) Map(data []byte, opts Options) ([]Item, error) {
	base := strings.TrimRight(opts.BaseURL, "/")
	return mapDocuments(data, func(raw json.RawMessage, pos Position) ([]Item, error) {
		list, path := raw, ""
		// A ticket viewed with include=conversations has a conversations
		// list too: only an object without an id of its own is a wrapper.
		if top := keys(raw); top != nil && top["id"] == nil {
			for _, k := range []string{"results", "tickets", "conversations"} {
				if r, ok := top[k]; ok && first(r) == '[' {
					list, path = r, k
					break
				}
			}
		}
		els, isArray, err := elements(list)
		if err != nil {
			return nil, err
		}
		var items []Item
		for i, el := range els {
			p := withPath(pos, indexPath(path, i, isArray))
			k := keys(el)
			if k == nil {
				items = append(items, failed(p, &mapError{detail: "is not a JSON object"}))
				continue
			}
			if _, isConv := k["ticket_id"]; isConv || (k["body_text"] != nil && k["subject"] == nil) {
				items = append(items, f.conversation(el, p, "", base, nil, opts))
				continue
			}
			items = append(items, f.ticket(el, p, base, opts)...)
		}
		return items, nil
	})
}

var (
	fdStatus   = map[string]string{"2": "open", "3": "pending", "4": "resolved", "5": "closed"}
	fdPriority = map[string]string{"1": "low", "2": "medium", "3": "high", "4": "urgent"}
	fdSource   = map[string]string{"1": "email", "2": "portal", "3": "phone", "4": "forum", "5": "twitter", "6": "facebook",
		"7": "chat", "8": "mobihelp", "9": "feedback_widget", "10": "outbound_email", "11": "ecommerce", "12": "bot"}
)

// fdOutbound is the ticket source of an outbound e-mail: a ticket an
// agent opened by writing to a customer, whose description is the agent's.
const fdOutbound = "10"

func (f Freshdesk) ticket(raw json.RawMessage, pos Position, base string, opts Options) []Item {
	var t fdTicket
	if err := decodeItem(raw, &t); err != nil {
		return []Item{failed(pos, err)}
	}
	id := string(t.ID)
	if id == "" {
		return []Item{failed(pos, missingField("id"))}
	}
	gone := ""
	switch {
	case t.Spam:
		gone = "is marked as spam"
	case t.Deleted:
		gone = "is deleted"
	}
	if gone != "" {
		// Its conversations go with it, each reported: an include of
		// conversations is items of the input too.
		items := []Item{failed(pos, skipVersion("freshdesk:"+id, "ticket %s %s", id, gone))}
		for i, c := range t.Conversations {
			what, recordID := "a conversation", ""
			var conv struct {
				ID flexID `json:"id"`
			}
			if json.Unmarshal(c, &conv) == nil && conv.ID != "" {
				what, recordID = "conversation "+string(conv.ID), "freshdesk:"+id+"/"+string(conv.ID)
			}
			items = append(items, failed(withPath(pos, indexPath("conversations", i, true)), skipVersion(recordID, "%s is on ticket %s, which %s", what, id, gone)))
		}
		return items
	}
	var account *feedback.Account
	if t.Company != nil && string(t.Company.ID) != "" {
		account = &feedback.Account{ID: string(t.Company.ID), Name: t.Company.Name}
	} else if string(t.CompanyID) != "" {
		account = &feedback.Account{ID: string(t.CompanyID)}
	}
	reason := ""
	if string(t.Source) == fdOutbound {
		reason = "ticket " + id + " is an outbound e-mail an agent wrote"
	}
	var first Item
	if opts.skipStaff(reason) {
		first = failed(pos, notCustomer(reason))
	} else {
		first = f.ticketRecord(t, pos, id, base, account)
	}
	items := []Item{first}
	for i, c := range t.Conversations {
		items = append(items, f.conversation(c, withPath(pos, indexPath("conversations", i, true)), id, base, account, opts))
	}
	return items
}

// ticketRecord maps the ticket itself.
func (f Freshdesk) ticketRecord(t fdTicket, pos Position, id, base string, account *feedback.Account) Item {
	at, err := created("created_at", t.CreatedAt)
	if err != nil {
		return failed(pos, err)
	}
	body := firstNonEmpty(t.DescriptionText, HTMLToText(t.Description), t.Subject)
	if strings.TrimSpace(body) == "" {
		return failed(pos, missingField("description_text"))
	}
	r := &feedback.Record{
		ID: "freshdesk:" + id, Source: "freshdesk", Kind: "ticket", CreatedAt: at,
		Title: t.Subject, Body: body, Tags: t.Tags,
		Metadata: meta("status", lookupOr(fdStatus, string(t.Status)), "priority", lookupOr(fdPriority, string(t.Priority)),
			"channel", lookupOr(fdSource, string(t.Source)), "type", t.Type),
	}
	if base != "" {
		r.URL = base + "/a/tickets/" + id
	}
	author := feedback.Author{ID: string(t.RequesterID), Name: t.Name, Email: t.Email}
	if t.Requester != nil {
		author = mergeAuthor(feedback.Author{ID: string(t.Requester.ID), Name: t.Requester.Name, Email: t.Requester.Email}, author)
	}
	r.Author = &author
	r.Account = account
	if string(t.Source) == fdOutbound {
		r.Metadata["author_role"] = "agent"
	}
	return finish(pos, r)
}

// conversation maps a reply or note; account is its ticket's, given to the
// customer's replies when the input includes the ticket.
func (f Freshdesk) conversation(raw json.RawMessage, pos Position, ticket, base string, account *feedback.Account, opts Options) Item {
	var c fdConversation
	if err := decodeItem(raw, &c); err != nil {
		return failed(pos, err)
	}
	id := string(c.ID)
	if id == "" {
		return failed(pos, missingField("id"))
	}
	role, reason := freshdeskRole(id, c)
	if opts.skipStaff(reason) {
		return failed(pos, notCustomer(reason))
	}
	ticket = firstNonEmpty(string(c.TicketID), ticket)
	if ticket == "" {
		return failed(pos, missingField("ticket_id"))
	}
	at, err := created("created_at", c.CreatedAt)
	if err != nil {
		return failed(pos, err)
	}
	body := firstNonEmpty(c.BodyText, HTMLToText(c.Body))
	if strings.TrimSpace(body) == "" {
		return failed(pos, missingField("body_text"))
	}
	r := &feedback.Record{
		ID: "freshdesk:" + ticket + "/" + id, Parent: "freshdesk:" + ticket,
		Source: "freshdesk", Kind: "ticket", CreatedAt: at, Body: body, Metadata: map[string]string{},
	}
	if base != "" {
		r.URL = base + "/a/tickets/" + ticket
	}
	author := feedback.Author{ID: string(c.UserID)}
	if addr, err := mail.ParseAddress(c.FromEmail); err == nil {
		author.Name, author.Email = addr.Name, addr.Address
	} else if strings.Contains(c.FromEmail, "@") {
		author.Email = strings.TrimSpace(c.FromEmail)
	}
	r.Author = &author
	if role != "" {
		r.Metadata["author_role"] = role
	}
	if role == "customer" && account != nil {
		acc := *account
		r.Account = &acc
	}
	if c.Private != nil && *c.Private {
		r.Metadata["visibility"] = "private"
	}
	return finish(pos, r)
}

// freshdeskRole says who wrote a conversation and, when that is not a
// customer, why it is not feedback. Customers can only reply; notes,
// public or private, are the team's. incoming marks what came from
// outside Freshdesk: a customer's reply, or (as a private note) the answer
// of someone outside the team to a ticket an agent forwarded.
func freshdeskRole(id string, c fdConversation) (role, reason string) {
	private := c.Private != nil && *c.Private
	incoming := c.Incoming != nil && *c.Incoming
	switch {
	case private && incoming:
		return "third_party", "conversation " + id + " is a private note from outside the team (an answer to a forwarded ticket)"
	case private:
		return "agent", "conversation " + id + " is a private note"
	case c.Incoming == nil:
		return "", ""
	case incoming:
		return "customer", ""
	case c.AutoResponse || string(c.AutomationID) != "":
		return "bot", "conversation " + id + " was sent by an automation"
	case string(c.Source) == "2":
		return "agent", "conversation " + id + " is an agent's public note"
	}
	return "agent", "conversation " + id + " is an agent's reply"
}

func lookupOr(m map[string]string, k string) string {
	if v, ok := m[k]; ok {
		return v
	}
	if _, err := strconv.Atoi(k); err == nil || k == "" {
		return k
	}
	return strings.ToLower(k)
}
