package sources

import (
	"encoding/json"
	"strings"

	"github.com/feedbackloop/feedbackloop/feedback"
)

// Intercom maps Intercom conversations (REST API 2.x: GET
// /conversations/{id}, the conversation list and search) and webhook
// notifications whose item is a conversation.
//
// A conversation becomes intercom:<conversation id>, its opening message
// as the body. Each of its parts that carries text (replies, notes,
// messages sent while assigning or closing) becomes intercom:<conversation
// id>/<part id> with the conversation as parent; parts without text (state
// changes, attribute updates, actions) are events, not items, and are not
// reported. Who wrote a part is in metadata author_role (customer, agent,
// bot); notes have visibility=private.
//
// Kind: conversations that came in by e-mail or are Intercom tickets are
// ticket; the others (Messenger and social channels) are chat.
type Intercom struct{}

var _ Mapper = Intercom{}

// Name implements Mapper.
func (Intercom) Name() string { return "intercom" }

type icAuthor struct {
	Type  string `json:"type"`
	ID    flexID `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

type icMessage struct {
	Type        string    `json:"type"`
	DeliveredAs string    `json:"delivered_as"`
	Subject     string    `json:"subject"`
	Body        string    `json:"body"`
	Author      *icAuthor `json:"author"`
	Attachments []struct {
		Name string `json:"name"`
	} `json:"attachments"`
}

type icConversation struct {
	Type                string          `json:"type"`
	ID                  flexID          `json:"id"`
	CreatedAt           flexTime        `json:"created_at"`
	Title               string          `json:"title"`
	State               string          `json:"state"`
	Priority            string          `json:"priority"`
	Source              *icMessage      `json:"source"`
	ConversationMessage *icMessage      `json:"conversation_message"` // API 1.x
	Ticket              json.RawMessage `json:"ticket"`
	Tags                struct {
		Tags []struct {
			Name string `json:"name"`
		} `json:"tags"`
	} `json:"tags"`
	Rating *struct {
		Rating json.Number `json:"rating"`
		Remark string      `json:"remark"`
	} `json:"conversation_rating"`
	Contacts struct {
		Contacts []struct {
			ID         flexID `json:"id"`
			ExternalID flexID `json:"external_id"`
			Email      string `json:"email"`
			Name       string `json:"name"`
		} `json:"contacts"`
	} `json:"contacts"`
	Company *struct {
		ID   flexID `json:"id"`
		Name string `json:"name"`
	} `json:"company"`
	Parts struct {
		Parts []json.RawMessage `json:"conversation_parts"`
	} `json:"conversation_parts"`
}

type icPart struct {
	ID        flexID    `json:"id"`
	PartType  string    `json:"part_type"`
	Body      *string   `json:"body"`
	CreatedAt flexTime  `json:"created_at"`
	Author    *icAuthor `json:"author"`
}

// Map implements Mapper.
func (ic Intercom) Map(data []byte, opts Options) ([]Item, error) {
	return mapDocuments(data, func(raw json.RawMessage, pos Position) ([]Item, error) {
		base := strings.TrimRight(opts.BaseURL, "/")
		top := keys(raw)
		if top == nil {
			els, isArray, err := elements(raw)
			if err != nil || !isArray {
				return nil, &mapError{detail: "want an Intercom conversation, conversation list or webhook notification"}
			}
			var items []Item
			for i, el := range els {
				items = append(items, ic.conversation(el, withPath(pos, indexPath("", i, true)), base, opts)...)
			}
			return items, nil
		}
		switch unquote(top["type"]) {
		case "notification_event":
			return ic.notification(top, pos, base, opts), nil
		case "conversation.list":
			els, isArray, err := elements(top["conversations"])
			if err != nil {
				return nil, &mapError{field: "conversations", detail: err.Error()}
			}
			var items []Item
			for i, el := range els {
				items = append(items, ic.conversation(el, withPath(pos, indexPath("conversations", i, isArray)), base, opts)...)
			}
			return items, nil
		}
		if r, ok := top["conversations"]; ok && first(r) == '[' {
			els, _, _ := elements(r)
			var items []Item
			for i, el := range els {
				items = append(items, ic.conversation(el, withPath(pos, indexPath("conversations", i, true)), base, opts)...)
			}
			return items, nil
		}
		return ic.conversation(raw, pos, base, opts), nil
	})
}

// notification maps a webhook notification: conversation topics carry a
// conversation; every other topic (ping, contacts, companies) carries no
// feedback.
func (ic Intercom) notification(top map[string]json.RawMessage, pos Position, base string, opts Options) []Item {
	topic := unquote(top["topic"])
	var data struct {
		Item json.RawMessage `json:"item"`
	}
	_ = json.Unmarshal(top["data"], &data)
	if !strings.HasPrefix(topic, "conversation.") || topic == "conversation.deleted" || unquote(keys(data.Item)["type"]) != "conversation" {
		return []Item{failed(pos, skip("notification %q carries no conversation", topic))}
	}
	if base == "" {
		if app := unquote(top["app_id"]); app != "" {
			base = "https://app.intercom.com/a/inbox/" + app
		}
	}
	return ic.conversation(data.Item, withPath(pos, "data.item"), base, opts)
}

func intercomRole(authorType string) string {
	switch authorType {
	case "user", "lead", "contact":
		return "customer"
	case "admin", "team":
		return "agent"
	case "bot":
		return "bot"
	}
	return authorType
}

func (ic Intercom) conversation(raw json.RawMessage, pos Position, base string, opts Options) []Item {
	var c icConversation
	if err := decodeItem(raw, &c); err != nil {
		return []Item{failed(pos, err)}
	}
	id := string(c.ID)
	if id == "" {
		return []Item{failed(pos, missingField("id"))}
	}
	if c.Type != "" && c.Type != "conversation" {
		return []Item{failed(pos, skip("%s %s is not a conversation", c.Type, id))}
	}
	at, err := created("created_at", c.CreatedAt)
	if err != nil {
		return []Item{failed(pos, err)}
	}
	src := c.Source
	if src == nil {
		src = c.ConversationMessage
	}
	if src == nil {
		src = &icMessage{}
	}
	subject := HTMLToText(src.Subject)
	title := firstNonEmpty(c.Title, subject)
	body := firstNonEmpty(HTMLToText(src.Body), title)
	opener := src.Author
	kind := "chat"
	if src.Type == "email" || src.DeliveredAs == "email" || !isNull(c.Ticket) {
		kind = "ticket"
	}
	url := ""
	if base != "" {
		url = base + "/inbox/conversation/" + id
	}
	var tags []string
	for _, t := range c.Tags.Tags {
		tags = append(tags, t.Name)
	}
	r := &feedback.Record{
		ID: "intercom:" + id, Source: "intercom", Kind: kind, CreatedAt: at, Title: title, Body: body,
		URL: url, Tags: tags, Metadata: meta("state", c.State, "channel", src.Type, "delivered_as", src.DeliveredAs),
	}
	if c.Priority != "" && c.Priority != "not_priority" {
		r.Metadata["priority"] = c.Priority
	}
	if a := opener; a != nil {
		r.Author = &feedback.Author{ID: string(a.ID), Name: a.Name, Email: a.Email}
		r.Metadata["author_role"] = intercomRole(a.Type)
	}
	if len(c.Contacts.Contacts) > 0 {
		ct := c.Contacts.Contacts[0]
		r.Metadata["contact_id"] = string(ct.ID)
		if ct.ExternalID != "" {
			r.Metadata["contact_external_id"] = string(ct.ExternalID)
		}
	}
	if c.Company != nil && string(c.Company.ID) != "" {
		r.Account = &feedback.Account{ID: string(c.Company.ID), Name: c.Company.Name}
	}
	if c.Rating != nil && c.Rating.Rating != "" {
		if v, err := c.Rating.Rating.Float64(); err == nil {
			r.Rating = &v
		}
		if c.Rating.Remark != "" {
			r.Metadata["rating_remark"] = c.Rating.Remark
		}
	}
	var items []Item
	switch reason := intercomOpenerReason(id, opener, src.DeliveredAs); {
	case strings.TrimSpace(body) == "" && r.Metadata["rating_remark"] != "":
		// Opened with only an attachment, and rated with a remark: the
		// remark is the customer's own text about the conversation, and
		// keeps its rating and tags on the conversation's record. The
		// customer wrote it, whoever opened the conversation.
		r.Body = r.Metadata["rating_remark"]
		r.Author = nil
		if id := r.Metadata["contact_id"]; id != "" {
			r.Author = &feedback.Author{ID: id}
		}
		r.Metadata["author_role"] = "customer"
		items = append(items, finish(pos, r))
	case strings.TrimSpace(body) == "" && r.Rating != nil && opts.skipStaff(reason):
		items = append(items, failed(pos, notCustomer(reason)))
	case strings.TrimSpace(body) == "" && r.Rating != nil:
		// Opened with only an attachment, and rated without a remark:
		// the rating (and the tags) are the conversation's and no part
		// carries them, so the conversation keeps its record, the
		// attachments named as its text. Webhooks and exports agree:
		// both carry the conversation's source and rating.
		r.Body = attachmentText(src)
		if reason != "" && r.Metadata["author_role"] == "" {
			r.Metadata["author_role"] = "agent"
		}
		items = append(items, finish(pos, r))
	case strings.TrimSpace(body) == "":
		// Opened with only an attachment: the text is in the parts,
		// each a record of its own. The conversation does not borrow
		// the first of them, since a reply notification carries only
		// the newest part: each would overwrite the one before, and
		// webhooks and exports would disagree.
		items = append(items, failed(pos, skip("conversation %s opens with no text (an attachment only); its parts are recorded one by one", id)))
	case opts.skipStaff(reason):
		items = append(items, failed(pos, notCustomer(reason)))
	default:
		if reason != "" && r.Metadata["author_role"] == "" {
			r.Metadata["author_role"] = "agent"
		}
		items = append(items, finish(pos, r))
	}
	for i, p := range c.Parts.Parts {
		if item, ok := ic.part(p, withPath(pos, indexPath("conversation_parts", i, true)), r, opts); ok {
			items = append(items, item)
		}
	}
	return items
}

// attachmentText stands for a message that is only attachments, the way
// HTMLToText writes an image: "[attachment: name]", one a line.
func attachmentText(m *icMessage) string {
	var lines []string
	for _, a := range m.Attachments {
		if name := strings.TrimSpace(a.Name); name != "" {
			lines = append(lines, "[attachment: "+name+"]")
		}
	}
	if len(lines) == 0 {
		return "[attachment]"
	}
	return strings.Join(lines, "\n")
}

// intercomOpenerReason says why a conversation's opening text is not
// customer feedback: an admin, team or bot wrote it (an outbound message,
// a campaign, an operator's greeting), as its author's type says or, when
// the message names no author, its delivered_as. Empty when a customer
// wrote it or nobody knows.
func intercomOpenerReason(id string, author *icAuthor, deliveredAs string) string {
	who := ""
	if author != nil {
		who = intercomTeammate(author.Type)
	} else {
		switch deliveredAs {
		case "admin_initiated", "automated", "campaigns_initiated", "operator_initiated":
			who = "the team (delivered_as " + deliveredAs + ")"
		}
	}
	if who == "" {
		return ""
	}
	return "conversation " + id + " was opened by " + who + ", an outbound message"
}

// intercomTeammate names an author who is not a customer the way a skip
// reason does ("an admin"); empty for customers and unknown types.
func intercomTeammate(authorType string) string {
	switch authorType {
	case "admin":
		return "an admin"
	case "team":
		return "a team"
	case "bot":
		return "a bot"
	}
	return ""
}

// part maps one conversation part; ok is false for parts without text.
func (ic Intercom) part(raw json.RawMessage, pos Position, conv *feedback.Record, opts Options) (Item, bool) {
	var p icPart
	if err := decodeItem(raw, &p); err != nil {
		return failed(pos, err), true
	}
	if p.Body == nil || strings.TrimSpace(HTMLToText(*p.Body)) == "" {
		return Item{}, false
	}
	id := string(p.ID)
	if id == "" {
		return failed(pos, missingField("id")), true
	}
	if reason := intercomPartReason(id, p); opts.skipStaff(reason) {
		return failed(pos, notCustomer(reason)), true
	}
	at, err := created("created_at", p.CreatedAt)
	if err != nil {
		return failed(pos, err), true
	}
	r := &feedback.Record{
		ID: conv.ID + "/" + id, Parent: conv.ID, Source: "intercom", Kind: conv.Kind, CreatedAt: at,
		Title: conv.Title, Body: HTMLToText(*p.Body), URL: conv.URL, Account: conv.Account,
		Metadata: meta("part_type", p.PartType),
	}
	if a := p.Author; a != nil {
		r.Author = &feedback.Author{ID: string(a.ID), Name: a.Name, Email: a.Email}
		r.Metadata["author_role"] = intercomRole(a.Type)
	}
	if p.PartType == "note" {
		r.Metadata["visibility"] = "private"
	}
	return finish(pos, r), true
}

// intercomPartReason says why a part is not customer feedback: a note
// (only teammates write them), or a reply by an admin, a team or a bot
// (Fin, custom bots, workflows). Empty for a customer's part and for one
// whose author the payload does not give.
func intercomPartReason(id string, p icPart) string {
	who := ""
	if p.Author != nil {
		who = intercomTeammate(p.Author.Type)
	}
	switch {
	case p.PartType == "note" && who != "":
		return "part " + id + " is a note by " + who
	case p.PartType == "note":
		return "part " + id + " is a note"
	case who != "":
		return "part " + id + " is a " + firstNonEmpty(p.PartType, "part") + " by " + who
	}
	return ""
}
