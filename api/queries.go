package api

import (
	"context"

	"github.com/feedbackloop/feedbackloop/insights"
	"github.com/feedbackloop/feedbackloop/internal/tone"
)

// Each query reads its parameters first and returns the first bad one
// before touching the store.

func (h *Handler) trends(ctx context.Context, p *params) (insights.Report, error) {
	q := insights.TrendsQuery{Grain: insights.Grain(p.str("grain")), Periods: p.integer("periods"), Filter: p.filter(), Themes: p.list("theme")}
	if q.Grain != "" {
		if _, err := insights.ParseGrain(string(q.Grain)); err != nil {
			return nil, err
		}
	}
	if err := p.finish(); err != nil {
		return nil, err
	}
	return h.store.Trends(ctx, q)
}

func (h *Handler) emerging(ctx context.Context, p *params) (insights.Report, error) {
	q := insights.EmergingQuery{End: p.date("end"), RecentDays: p.integer("recent_days"), BaselineDays: p.integer("baseline_days"),
		MinItems: p.integer("min_items"), Alpha: p.number("alpha")}
	if err := p.finish(); err != nil {
		return nil, err
	}
	return h.store.Emerging(ctx, q)
}

func (h *Handler) bets(ctx context.Context, p *params) (insights.Report, error) {
	q := insights.BetsQuery{End: p.date("end"), Days: p.integer("days"), Top: p.integer("top"), MinItems: p.integer("min_items")}
	if err := p.finish(); err != nil {
		return nil, err
	}
	return h.store.Bets(ctx, q)
}

func (h *Handler) outcome(ctx context.Context, p *params) (insights.Report, error) {
	q := insights.OutcomeQuery{End: p.date("end"), Days: p.integer("days"), Alpha: p.number("alpha")}
	if err := p.finish(); err != nil {
		return nil, err
	}
	return h.store.Outcome(ctx, q)
}

func (h *Handler) quotes(ctx context.Context, p *params) (insights.Report, error) {
	// Not p.filter(): from and to are no parameters of quotes, and an
	// unknown parameter's error lists those read.
	for _, name := range []string{"from", "to"} {
		if p.v.Has(name) {
			return nil, &insights.InvalidError{Field: name, Value: p.v.Get(name), Problem: "quotes take end and days, not from and to"}
		}
	}
	q := insights.QuotesQuery{Theme: p.str("theme"), End: p.date("end"), Days: p.integer("days"), Limit: p.integer("limit"),
		Sentiment: tone.Tone(p.str("sentiment")),
		Filter:    insights.Filter{Sources: p.list("source"), Kinds: p.list("kind"), Plans: p.list("plan"), Accounts: p.list("account")}}
	if err := p.finish(); err != nil {
		return nil, err
	}
	return h.store.Quotes(ctx, q)
}
