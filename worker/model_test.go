package worker_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/feedbackloop/feedbackloop/config"
	"github.com/feedbackloop/feedbackloop/enrich"
	"github.com/feedbackloop/feedbackloop/enrich/learned"
	"github.com/feedbackloop/feedbackloop/feedback"
	"github.com/feedbackloop/feedbackloop/worker"
)

// trainModel trains a small model on themes of the bundled taxonomy
// (invoices, load-times, and texts with none), saves it and returns its
// path and id.
func trainModel(t *testing.T, themes map[string][]string) (path, id string) {
	t.Helper()
	var ex []learned.Example
	for theme, texts := range themes {
		for i, s := range texts {
			for _, variant := range []string{"", "Hi, ", "Again: ", "Honestly, "} {
				e := learned.Example{Text: fmt.Sprintf("%s%s (%d)", variant, s, i)}
				if theme != "" {
					e.Labels = []string{theme}
				}
				ex = append(ex, e)
			}
		}
	}
	m, err := learned.Train(context.Background(), ex, learned.TrainOptions{
		Ancestors: enrich.DefaultTaxonomy().Ancestors, NoNetwork: true})
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(t.TempDir(), "themes.model")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	return path, m.ID()
}

var modelThemes = map[string][]string{
	"invoices": {"the invoice has the wrong VAT number", "I need a copy of last month's invoice",
		"invoice totals do not match the order", "where do I download my invoices", "the invoice PDF is blank"},
	"load-times": {"the dashboard takes ages to load", "pages load so slowly in the morning",
		"loading the report takes a minute", "the board view is slow to open", "everything loads slowly since Monday"},
	"": {"thanks for the quick reply", "great work team", "love the new release", "all good here, cheers",
		"nice job on the redesign"},
}

// A worker whose enrich.model names a trained model tags with it: rows
// carry tagger "learned", the model's id and its themes with their
// parents from the taxonomy. With the LLM on, a record the model is sure
// has no theme stays offline and never reaches the LLM.
func TestWorkerTagsWithATrainedModelAndRoutesOnItsCertainty(t *testing.T) {
	path, id := trainModel(t, modelThemes)
	llm := newFlakyLLM(t, 0)
	p := newPipeline(t, func(c *config.Config) {
		c.Enrich.Model = path
		llmConfig(c, llm)
		c.LLM.Threshold = 0.8
	})
	runWorker(t, p.cfg)
	recs := []*feedback.Record{record(1), record(2), record(3)}
	recs[0].Body = "Our invoice shows the wrong VAT number again"
	recs[1].Body = "The dashboard takes ages to load every morning"
	// No keyword of the bundled taxonomy is in it: a keyword theme added
	// on top would leave the model's certainty unknown.
	recs[2].Body = "All good here, cheers, great work team"
	for _, r := range recs {
		r.Title = ""
	}
	p.publish(recs...)
	p.waitRows(3, 60*time.Second)
	p.waitSettled(30 * time.Second)

	for _, tc := range []struct {
		rec  *feedback.Record
		want []string
	}{
		{recs[0], []string{"billing", "invoices"}},
		{recs[1], []string{"load-times", "performance"}},
		{recs[2], nil},
	} {
		var themes []string
		var tagger, model string
		err := p.conn.QueryRow(context.Background(), "SELECT themes, tagger, model FROM "+p.db+".feedback FINAL WHERE id = ?", tc.rec.ID).
			Scan(&themes, &tagger, &model)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(themes)
		if tagger == "learned" && model != id {
			t.Errorf("%s: model %q, want %q", tc.rec.ID, model, id)
		}
		// The taxonomy's keyword rules may add a theme ("dashboard" is
		// reporting-analytics); the model's must be there.
		for _, w := range tc.want {
			if tagger == "learned" && !slices.Contains(themes, w) {
				t.Errorf("%s: themes %v, want %v among them", tc.rec.ID, themes, tc.want)
			}
		}
		if tc.want == nil && len(themes) != 0 {
			t.Errorf("%s: themes %v, want none", tc.rec.ID, themes)
		}
		if tc.want == nil && tagger != "learned" {
			t.Errorf("%s, which no theme fits: tagged by %q, want learned, kept offline", tc.rec.ID, tagger)
		}
	}
	for _, body := range llm.requests() {
		if strings.Contains(body, "All good here") {
			t.Errorf("the LLM was asked about the record the model was sure had no theme: %.300s", body)
		}
	}
}

// A model that predicts a theme the worker's taxonomy does not define is
// refused at start, naming the theme, before the worker connects anywhere:
// here no NATS server listens, and the model is still the error.
func TestWorkerRefusesAModelOfAnotherTaxonomy(t *testing.T) {
	path, _ := trainModel(t, map[string][]string{
		"astrology": {"the stars say my invoice is late", "mercury is in retrograde", "my horoscope crashed"},
		"invoices":  modelThemes["invoices"],
	})
	cfg := config.Default()
	cfg.Enrich.Model = path
	cfg.NATS.URL = "nats://127.0.0.1:1"
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := worker.Main(ctx, cfg, zap.NewNop())
	if err == nil || !strings.Contains(err.Error(), `"astrology"`) || !strings.Contains(err.Error(), "enrich.model") {
		t.Fatalf("error %v, want enrich.model refused for the theme astrology", err)
	}
}
