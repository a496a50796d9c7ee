package llm_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/feedbackloop/feedbackloop/enrich"
	"github.com/feedbackloop/feedbackloop/enrich/llm/llmtest"
)

// fakeAPI is a local OpenAI-compatible chat completions server. It checks
// the shape of every request against what the Tagger must send (a tagging
// request, or a cluster-naming one when the schema is "cluster_names"), records
// the bodies, and answers as script says for each request in turn
// (numbered from 0); without a script entry it answers like a model that
// knows the test taxonomy.
type fakeAPI struct {
	t      testing.TB
	srv    *httptest.Server
	names  []string // the taxonomy's theme names the schema must allow
	script func(n int, req *chatRequest) reply
	// takes lists the response_format types the server accepts, "" for
	// none at all; nil means json_schema only. Others get the 400 that
	// OpenAI gives a model that lacks them.
	takes []string
	// azure, when set, is the api-version an Azure OpenAI deployment
	// must be asked with: the request then goes to the deployment named
	// model, with the key in an api-key header.
	azure string
	model string // the model (Azure: the deployment) asked for; "test-model" when empty

	mu     sync.Mutex
	bodies []string
	times  []time.Time
	bad    []string // shape problems found
}

// reply is one answer of the fake: a status with headers and a raw body,
// or, when body is empty and status is 200, a well-formed completion
// whose content is content (or the oracle's answer when content is empty).
type reply struct {
	status  int
	header  map[string]string
	body    string
	content string
	finish  string // the choice's finish_reason; "stop" when empty
	refusal string // when set, the message refuses: no content, this refusal
	// prompt is the prompt tokens the usage counts; 100 and 10 an item
	// (or cluster) when nil.
	prompt *int
	delay  time.Duration
}

type chatRequest struct {
	Model    string `json:"model"`
	Messages []struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	} `json:"messages"`
	ResponseFormat *struct {
		Type       string `json:"type"`
		JSONSchema *struct {
			Name   string          `json:"name"`
			Strict bool            `json:"strict"`
			Schema json.RawMessage `json:"schema"`
		} `json:"json_schema"`
	} `json:"response_format"`
	items []struct {
		ID   string `json:"id"`
		Text string `json:"text"`
	}
	clusters int // in a cluster-naming request
}

// units is what a request asks about: its items, or its clusters.
func (r *chatRequest) units() int { return len(r.items) + r.clusters }

func newFakeAPI(t testing.TB, names []string, script func(n int, req *chatRequest) reply) *fakeAPI {
	t.Helper()
	f := &fakeAPI{t: t, names: names, script: script}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) url() string {
	if f.azure != "" {
		return f.srv.URL // Azure's base URL is the resource's
	}
	return f.srv.URL + "/v1"
}

func (f *fakeAPI) wantModel() string {
	if f.model == "" {
		return "test-model"
	}
	return f.model
}

func (f *fakeAPI) problem(format string, args ...any) {
	f.mu.Lock()
	f.bad = append(f.bad, fmt.Sprintf(format, args...))
	f.mu.Unlock()
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	n := len(f.bodies)
	f.bodies = append(f.bodies, string(body))
	f.times = append(f.times, time.Now())
	f.mu.Unlock()

	path, keyHeader, key := "/v1/chat/completions", "Authorization", "Bearer test-key"
	if f.azure != "" {
		path, keyHeader, key = "/openai/deployments/"+f.wantModel()+"/chat/completions", "api-key", "test-key"
		if got := r.URL.Query().Get("api-version"); got != f.azure {
			f.problem("api-version %q, want %q", got, f.azure)
		}
	}
	if r.Method != http.MethodPost || r.URL.Path != path {
		f.problem("request %s %s, want POST %s", r.Method, r.URL.Path, path)
	}
	if got := r.Header.Get(keyHeader); got != key {
		f.problem("%s %q, want %q", keyHeader, got, key)
	}
	req, err := f.check(body)
	var refused errRefusedFormat
	if errors.As(err, &refused) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"error":{"message":"Invalid parameter: 'response_format' of type '%s' is not supported with this model.","type":"invalid_request_error","param":"response_format"}}`, string(refused))
		return
	}
	if err != nil {
		f.problem("request %d: %v", n, err)
		http.Error(w, `{"error":{"message":"bad request","type":"invalid_request_error"}}`, http.StatusBadRequest)
		return
	}
	rep := reply{status: 200}
	if f.script != nil {
		rep = f.script(n, req)
	}
	if rep.delay > 0 {
		select {
		case <-time.After(rep.delay):
		case <-r.Context().Done():
			return
		}
	}
	for k, v := range rep.header {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json")
	if rep.status == 0 {
		rep.status = 200
	}
	if rep.status != 200 || rep.body != "" {
		w.WriteHeader(rep.status)
		_, _ = io.WriteString(w, rep.body)
		return
	}
	var content any = rep.content
	if rep.content == "" {
		content = oracle(req)
	}
	if rep.refusal != "" {
		content = nil
	}
	if rep.finish == "" {
		rep.finish = "stop"
	}
	prompt := 100 + 10*req.units()
	if rep.prompt != nil {
		prompt = *rep.prompt
	}
	resp := map[string]any{
		"id": fmt.Sprintf("chatcmpl-%d", n), "object": "chat.completion", "created": time.Now().Unix(), "model": req.Model,
		"choices": []any{map[string]any{"index": 0, "finish_reason": rep.finish,
			"message": map[string]any{"role": "assistant", "content": content, "refusal": nilIfEmpty(rep.refusal)}}},
		"usage": map[string]any{"prompt_tokens": prompt, "completion_tokens": 7 * req.units(),
			"total_tokens": prompt + 7*req.units()},
	}
	_ = json.NewEncoder(w).Encode(resp)
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// check verifies the request shape: the model, a system and a user
// message, and a strict JSON schema; then checkThemes or checkNames what
// the schema's name says the request is.
func (f *fakeAPI) check(body []byte) (*chatRequest, error) {
	var req chatRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, fmt.Errorf("body is not JSON: %v", err)
	}
	if req.Model != f.wantModel() {
		return nil, fmt.Errorf("model %q, want %q", req.Model, f.wantModel())
	}
	if len(req.Messages) != 2 || req.Messages[0].Role != "system" || req.Messages[1].Role != "user" {
		return nil, fmt.Errorf("messages %+v, want system then user", req.Messages)
	}
	rf := req.ResponseFormat
	typ := ""
	if rf != nil {
		typ = rf.Type
	}
	takes := f.takes
	if takes == nil {
		takes = []string{"json_schema"}
	}
	if !slices.Contains(takes, typ) {
		return &req, errRefusedFormat(typ)
	}
	names := strings.Contains(req.Messages[1].Content, `"clusters"`)
	switch typ {
	case "json_schema":
		if rf.JSONSchema == nil || !rf.JSONSchema.Strict {
			return nil, fmt.Errorf("response_format %+v, want a strict json_schema", rf)
		}
		names = rf.JSONSchema.Name == "cluster_names"
	case "json_object", "":
		// Without a schema the prompt must show the answer's shape.
		shape := `{"items":[{"id":"0","sentiment":-0.4,"themes":[{"name":`
		if names {
			shape = `{"clusters":[{"id":"0","name":`
		}
		if !strings.Contains(req.Messages[0].Content, shape) {
			return nil, fmt.Errorf("response_format %q and a system prompt without the answer's shape %s", typ, shape)
		}
	default:
		return nil, fmt.Errorf("response_format type %q", typ)
	}
	if names {
		return &req, f.checkNames(&req)
	}
	return &req, f.checkThemes(&req)
}

// errRefusedFormat is a response_format type the fake does not take.
type errRefusedFormat string

func (e errRefusedFormat) Error() string { return "response_format " + string(e) + " refused" }

// checkNames verifies a cluster-naming request: a user message holding
// the taxonomy's theme names and at least one cluster, as JSON.
func (f *fakeAPI) checkNames(req *chatRequest) error {
	var user struct {
		Taxonomy []string `json:"taxonomy"`
		Clusters []struct {
			ID     string   `json:"id"`
			Terms  []string `json:"terms"`
			Quotes []string `json:"quotes"`
		} `json:"clusters"`
	}
	if err := json.Unmarshal([]byte(req.Messages[1].Content), &user); err != nil || len(user.Clusters) == 0 {
		return fmt.Errorf("user message %q is not {\"taxonomy\":[...],\"clusters\":[...]}", req.Messages[1].Content)
	}
	if !sameNames(user.Taxonomy, f.names) {
		return fmt.Errorf("user message names themes %v, want the taxonomy's %v", user.Taxonomy, f.names)
	}
	req.clusters = len(user.Clusters)
	return nil
}

// checkThemes verifies a tagging request: a system prompt naming the
// themes, a user message holding the items as JSON, and a schema whose
// theme names are exactly the taxonomy's.
func (f *fakeAPI) checkThemes(req *chatRequest) error {
	for _, n := range f.names {
		if !strings.Contains(req.Messages[0].Content, n) {
			return fmt.Errorf("system prompt does not name theme %q", n)
		}
	}
	var schema struct {
		Properties struct {
			Items struct {
				Items struct {
					Properties struct {
						Themes struct {
							Items struct {
								Properties struct {
									Name struct {
										Enum []string `json:"enum"`
									} `json:"name"`
								} `json:"properties"`
							} `json:"items"`
						} `json:"themes"`
					} `json:"properties"`
				} `json:"items"`
			} `json:"items"`
		} `json:"properties"`
	}
	if rf := req.ResponseFormat; rf != nil && rf.JSONSchema != nil {
		if err := json.Unmarshal(rf.JSONSchema.Schema, &schema); err != nil {
			return fmt.Errorf("schema: %v", err)
		}
		if enum := schema.Properties.Items.Items.Properties.Themes.Items.Properties.Name.Enum; !sameNames(enum, f.names) {
			return fmt.Errorf("schema allows %v, want the taxonomy's %v", enum, f.names)
		}
	}
	var user struct {
		Items []struct {
			ID   string `json:"id"`
			Text string `json:"text"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(req.Messages[1].Content), &user); err != nil || len(user.Items) == 0 {
		return fmt.Errorf("user message %q is not {\"items\":[...]}", req.Messages[1].Content)
	}
	req.items = user.Items
	return nil
}

// sameNames reports whether two lists hold the same names in any order.
func sameNames(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// oracle answers like a model that knows the test taxonomy: a theme for
// each of its words in the text, quoting the word, with the sentiment of
// a complaint (-0.5), or a liking (0.8) for a text that says "love", for
// the themes and the whole text alike.
func oracle(req *chatRequest) string {
	words := map[string]string{"refund": "refunds", "invoice": "billing", "slow": "performance", "password": "login"}
	answers := make([]llmtest.Answer, len(req.items))
	for i, it := range req.items {
		answers[i].ID = it.ID
		lower := strings.ToLower(it.Text)
		felt := -0.5
		if strings.Contains(lower, "love") {
			felt = 0.8
		}
		answers[i].Sentiment = llmtest.Felt(felt)
		for _, w := range []string{"refund", "invoice", "slow", "password"} {
			if at := strings.Index(lower, w); at >= 0 {
				answers[i].Themes = append(answers[i].Themes, llmtest.Theme{Name: words[w], Evidence: it.Text[at : at+len(w)], Confidence: 0.9, Sentiment: llmtest.Felt(felt)})
			}
		}
	}
	return llmtest.Content(answers)
}

func (f *fakeAPI) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.bodies)
}

// requestSizes returns how many texts each request asked about, in the
// order they came.
func (f *fakeAPI) requestSizes() []int {
	f.t.Helper()
	var sizes []int
	for _, body := range f.requests() {
		items, err := llmtest.Items([]byte(body))
		if err != nil {
			f.t.Fatal(err)
		}
		sizes = append(sizes, len(items))
	}
	return sizes
}

func (f *fakeAPI) requestTimes() []time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.times)
}

// verify fails the test for every shape problem the fake saw.
func (f *fakeAPI) verify() {
	f.t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range f.bad {
		f.t.Error(p)
	}
}

const testTaxonomy = `themes:
  - name: billing
    description: Money, invoices and charges.
    keywords: [invoice, charge]
    children:
      - name: refunds
        description: Getting money back.
        keywords: [refund]
  - name: performance
    description: Speed.
    keywords: [slow, lag]
  - name: login
    description: Signing in.
    keywords: [password, sign in]
  - name: data-export
    description: Getting data out.
    keywords: [export]
`

func taxonomy(t testing.TB) *enrich.Taxonomy {
	t.Helper()
	tax, err := enrich.ParseTaxonomy([]byte(testTaxonomy), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return tax
}
