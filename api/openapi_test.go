package api_test

import (
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/feedbackloop/feedbackloop/insights/insightstest"
)

// openAPIDoc is the part of openapi.yaml the drift test reads.
type openAPIDoc struct {
	Paths map[string]map[string]struct {
		Parameters []struct {
			Ref    string `yaml:"$ref"`
			Name   string `yaml:"name"`
			Schema struct {
				Type   string   `yaml:"type"`
				Format string   `yaml:"format"`
				Enum   []string `yaml:"enum"`
			} `yaml:"schema"`
		} `yaml:"parameters"`
	} `yaml:"paths"`
}

// Every parameter openapi.yaml documents is one the endpoint takes, with a
// value of the documented type; an undocumented one is refused (see
// TestAPIAnswersBadParametersWith400NamingThem).
func TestOpenAPIDocumentsWhatTheEndpointsTake(t *testing.T) {
	raw, err := os.ReadFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc openAPIDoc
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	s := newSite(t)
	for path, ops := range doc.Paths {
		if !strings.HasPrefix(path, "/api/v1/") || strings.HasSuffix(path, ".yaml") {
			continue
		}
		for _, p := range ops["get"].Parameters {
			name, sample := p.Name, "x"
			if p.Ref != "" {
				name = p.Ref[strings.LastIndex(p.Ref, "/")+1:]
			}
			switch {
			case len(p.Schema.Enum) > 0:
				sample = p.Schema.Enum[0]
			case p.Schema.Type == "integer":
				sample = "1"
			case p.Schema.Type == "number":
				sample = "0.05"
			case p.Schema.Format == "date" || name == "from" || name == "to":
				sample = "2025-05-01"
			}
			if name == "format" {
				sample = "json"
			}
			// A theme, source, kind or plan no row has is refused.
			switch name {
			case "theme":
				sample = insightstest.UncoveredTheme
			case "source":
				sample = "zendesk"
			case "kind":
				sample = "ticket"
			case "plan":
				sample = "enterprise"
			}
			q := url.Values{name: {sample}}
			if path == "/api/v1/quotes" && name != "theme" {
				q.Set("theme", insightstest.UncoveredTheme)
			}
			if name == "to" {
				q.Set("from", "2025-04-01")
			}
			status, body := s.get(t, path+"?"+q.Encode())
			if status != http.StatusOK {
				t.Errorf("GET %s?%s (documented): %d %s", path, q.Encode(), status, body)
			}
		}
	}
	if len(doc.Paths) < 6 {
		t.Fatalf("openapi.yaml documents %d paths", len(doc.Paths))
	}
}
