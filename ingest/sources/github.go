package sources

import (
	"encoding/json"
	"net/url"
	"strings"

	"github.com/feedbackloop/feedbackloop/feedback"
)

// GitHub maps GitHub issues and issue comments: REST responses (GET
// /repos/{o}/{r}/issues, a single issue, GET .../issues/comments, search
// {"items": [...]}) and the issues and issue_comment webhooks. Pull
// requests and their comments are skipped, as are deletions and the ping
// event.
//
// Ids: an issue is github:<owner>/<repo>#<number>, a comment
// github:<owner>/<repo>#<number>/<comment id> with the issue as parent.
// The issue number is used rather than its database id because every shape
// an item arrives in names it (a REST comment only knows its issue_url),
// so a webhook, the poller and an import agree on the id. Kind is forum:
// issues are public threads customers write in.
type GitHub struct{}

var _ Mapper = GitHub{}

// Name implements Mapper.
func (GitHub) Name() string { return "github" }

type ghUser struct {
	Login string `json:"login"`
	ID    flexID `json:"id"`
	Type  string `json:"type"`
	Email string `json:"email"`
	Name  string `json:"name"`
}

type ghIssue struct {
	HTMLURL       string          `json:"html_url"`
	RepositoryURL string          `json:"repository_url"`
	Number        flexID          `json:"number"`
	Title         string          `json:"title"`
	Body          *string         `json:"body"`
	User          *ghUser         `json:"user"`
	Labels        json.RawMessage `json:"labels"`
	State         string          `json:"state"`
	CreatedAt     flexTime        `json:"created_at"`
	PullRequest   json.RawMessage `json:"pull_request"`
	Association   string          `json:"author_association"`
}

type ghComment struct {
	ID          flexID   `json:"id"`
	HTMLURL     string   `json:"html_url"`
	IssueURL    string   `json:"issue_url"`
	Body        *string  `json:"body"`
	User        *ghUser  `json:"user"`
	CreatedAt   flexTime `json:"created_at"`
	Association string   `json:"author_association"`
}

// Map implements Mapper.
func (g GitHub) Map(data []byte, opts Options) ([]Item, error) {
	switch opts.Event {
	case "", "issues", "issue_comment":
	default:
		return []Item{failed(Position{Line: 1}, skip("event %s carries no issue or comment", opts.Event))}, nil
	}
	return mapDocuments(data, func(raw json.RawMessage, pos Position) ([]Item, error) {
		top := keys(raw)
		if top == nil {
			els, isArray, err := elements(raw)
			if err != nil || !isArray {
				return nil, &mapError{detail: "want GitHub issues, issue comments or an issues/issue_comment webhook"}
			}
			return g.list(els, pos, "", opts), nil
		}
		if _, ok := top["zen"]; ok {
			return []Item{failed(pos, skip("ping event"))}, nil
		}
		if r, ok := top["items"]; ok && first(r) == '[' {
			els, _, _ := elements(r)
			return g.list(els, pos, "items", opts), nil
		}
		issueRaw, hasIssue := top["issue"]
		if hasIssue {
			return []Item{g.webhook(top, issueRaw, pos, opts)}, nil
		}
		if _, ok := top["issue_url"]; ok {
			return []Item{g.comment(raw, pos, nil, "", opts)}, nil
		}
		if _, ok := top["number"]; ok {
			return []Item{g.issue(raw, pos, "", opts)}, nil
		}
		if _, ok := top["action"]; ok {
			return []Item{failed(pos, skip("a webhook without an issue"))}, nil
		}
		return nil, &mapError{detail: "want GitHub issues or issue comments: found none of issue, number, issue_url, items"}
	})
}

func (g GitHub) list(els []json.RawMessage, pos Position, path string, opts Options) []Item {
	items := make([]Item, 0, len(els))
	for i, el := range els {
		p := withPath(pos, indexPath(path, i, true))
		if _, isComment := keys(el)["issue_url"]; isComment {
			items = append(items, g.comment(el, p, nil, "", opts))
		} else {
			items = append(items, g.issue(el, p, "", opts))
		}
	}
	return items
}

func (g GitHub) webhook(top map[string]json.RawMessage, issueRaw json.RawMessage, pos Position, opts Options) Item {
	action := unquote(top["action"])
	var repo struct {
		FullName string `json:"full_name"`
	}
	_ = json.Unmarshal(top["repository"], &repo)
	commentRaw, isComment := top["comment"]
	if action == "deleted" {
		what := "issue"
		if isComment {
			what = "comment"
		}
		return failed(pos, skip("%s deleted", what))
	}
	if !isComment {
		return g.issue(issueRaw, withPath(pos, "issue"), repo.FullName, opts)
	}
	var issue ghIssue
	if err := decodeItem(issueRaw, &issue); err != nil {
		return failed(withPath(pos, "issue"), err)
	}
	return g.comment(commentRaw, withPath(pos, "comment"), &issue, repo.FullName, opts)
}

func (g GitHub) issue(raw json.RawMessage, pos Position, repo string, opts Options) Item {
	var is ghIssue
	if err := decodeItem(raw, &is); err != nil {
		return failed(pos, err)
	}
	number := string(is.Number)
	if number == "" {
		return failed(pos, missingField("number"))
	}
	if !isNull(is.PullRequest) {
		return failed(pos, skip("#%s is a pull request", number))
	}
	if reason := githubReason("issue #"+number+" was opened by", is.User, is.Association); opts.skipStaff(reason) {
		return failed(pos, notCustomer(reason))
	}
	repo = firstNonEmpty(repo, githubRepo(is.RepositoryURL), githubRepo(is.HTMLURL))
	if repo == "" {
		return failed(pos, missingField("repository_url"))
	}
	at, err := created("created_at", is.CreatedAt)
	if err != nil {
		return failed(pos, err)
	}
	body := ""
	if is.Body != nil {
		body = *is.Body
	}
	body = firstNonEmpty(body, is.Title)
	if strings.TrimSpace(body) == "" {
		return failed(pos, missingField("body"))
	}
	r := &feedback.Record{
		ID: "github:" + repo + "#" + number, Source: "github", Kind: "forum", CreatedAt: at,
		Title: is.Title, Body: body, URL: is.HTMLURL, Tags: githubLabels(is.Labels),
		Metadata: meta("repository", repo, "number", number, "state", is.State, "author_association", is.Association),
	}
	githubAuthor(r, is.User, is.Association)
	return finish(pos, r)
}

// comment maps an issue comment; issue is the issue it belongs to when the
// input includes it (webhooks).
func (g GitHub) comment(raw json.RawMessage, pos Position, issue *ghIssue, repo string, opts Options) Item {
	var c ghComment
	if err := decodeItem(raw, &c); err != nil {
		return failed(pos, err)
	}
	id := string(c.ID)
	if id == "" {
		return failed(pos, missingField("id"))
	}
	if strings.Contains(c.HTMLURL, "/pull/") || issue != nil && !isNull(issue.PullRequest) {
		return failed(pos, skip("comment %s is on a pull request", id))
	}
	if reason := githubReason("comment "+id+" was written by", c.User, c.Association); opts.skipStaff(reason) {
		return failed(pos, notCustomer(reason))
	}
	number := ""
	if issue != nil {
		number = string(issue.Number)
		repo = firstNonEmpty(repo, githubRepo(issue.RepositoryURL), githubRepo(issue.HTMLURL))
	}
	if number == "" {
		number = githubNumber(c.IssueURL)
	}
	repo = firstNonEmpty(repo, githubRepo(c.IssueURL), githubRepo(c.HTMLURL))
	if number == "" || repo == "" {
		return failed(pos, missingField("issue_url"))
	}
	at, err := created("created_at", c.CreatedAt)
	if err != nil {
		return failed(pos, err)
	}
	body := ""
	if c.Body != nil {
		body = *c.Body
	}
	if strings.TrimSpace(body) == "" {
		return failed(pos, missingField("body"))
	}
	parent := "github:" + repo + "#" + number
	r := &feedback.Record{
		ID: parent + "/" + id, Parent: parent, Source: "github", Kind: "forum", CreatedAt: at,
		Body: body, URL: c.HTMLURL,
		Metadata: meta("repository", repo, "number", number, "author_association", c.Association),
	}
	if issue != nil {
		r.Title = issue.Title
		r.Tags = githubLabels(issue.Labels)
	}
	githubAuthor(r, c.User, c.Association)
	return finish(pos, r)
}

// githubAuthor sets the author and author_role: bot for GitHub Apps,
// maintainer for the repository's owners, members and collaborators, whose
// words are answers rather than feedback.
func githubAuthor(r *feedback.Record, u *ghUser, association string) {
	switch association {
	case "OWNER", "MEMBER", "COLLABORATOR":
		r.Metadata["author_role"] = "maintainer"
	}
	if u == nil || u.Login == "" {
		return
	}
	r.Author = &feedback.Author{ID: string(u.ID), Name: firstNonEmpty(u.Name, u.Login), Email: u.Email}
	r.Metadata["login"] = u.Login
	if u.Type == "Bot" {
		r.Metadata["author_role"] = "bot"
	}
}

// githubReason says why an issue or comment is not customer feedback:
// a bot wrote it, or an owner, member or collaborator of the repository
// did (author_association). Contributors and everyone else are kept: they
// are users, even when they once sent a patch.
func githubReason(what string, u *ghUser, association string) string {
	switch {
	case u != nil && u.Type == "Bot":
		return what + " a bot (" + u.Login + ")"
	case association == "OWNER" || association == "MEMBER" || association == "COLLABORATOR":
		return what + " a maintainer (" + association + ")"
	}
	return ""
}

func githubLabels(raw json.RawMessage) []string {
	if isNull(raw) {
		return nil
	}
	var objs []struct {
		Name string `json:"name"`
	}
	if json.Unmarshal(raw, &objs) == nil {
		var out []string
		for _, o := range objs {
			out = append(out, o.Name)
		}
		return out
	}
	var names []string
	_ = json.Unmarshal(raw, &names)
	return names
}

// githubRepo finds owner/repo in an API URL (…/repos/{owner}/{repo}/…) or a
// web URL (https://github.com/{owner}/{repo}/issues/1).
func githubRepo(s string) string {
	parts := githubPath(s)
	for i := 0; i+2 < len(parts); i++ {
		if parts[i] == "repos" {
			return parts[i+1] + "/" + parts[i+2]
		}
	}
	if len(parts) >= 2 && !strings.Contains(s, "/api/") && !strings.HasPrefix(hostOf(s), "api.") {
		return parts[0] + "/" + parts[1]
	}
	return ""
}

// githubNumber reads the issue number at the end of an issue URL.
func githubNumber(s string) string {
	parts := githubPath(s)
	for i := 0; i+1 < len(parts); i++ {
		if parts[i] == "issues" || parts[i] == "pull" {
			return parts[i+1]
		}
	}
	return ""
}

func githubPath(s string) []string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return nil
	}
	return strings.Split(strings.Trim(u.Path, "/"), "/")
}

func hostOf(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	return u.Host
}
