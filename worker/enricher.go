package worker

import (
	"fmt"

	"go.uber.org/zap"

	"github.com/feedbackloop/feedbackloop/config"
	"github.com/feedbackloop/feedbackloop/enrich"
)

// BuildEnricher assembles the enrichment chain the configuration asks for:
// redaction first, so that no later stage (an LLM) sees personal data,
// then tagging, then sentiment, which scores the evidence the tagger chose.
func BuildEnricher(cfg config.Enrich, log *zap.Logger) (enrich.Stage, error) {
	tax := enrich.DefaultTaxonomy()
	if cfg.Taxonomy != "" {
		var err error
		if tax, err = enrich.LoadTaxonomy(cfg.Taxonomy); err != nil {
			return nil, fmt.Errorf("enrich.taxonomy: %w", err)
		}
	}
	if cfg.EmailHashKey == "" {
		log.Warn("enrich.email_hash_key is not set: author e-mail addresses are dropped without a pseudonymous key")
	}
	chain := enrich.Chain{enrich.NewRedactor([]byte(cfg.EmailHashKey))}
	chain = append(chain, enrich.TagStage(enrich.NewKeywordTagger(tax)), enrich.NewSentiment())
	return chain, nil
}
