// Package sample generates realistic customer feedback that follows the
// message contract: tickets, chats, forum posts, interview notes, reviews
// and survey answers from several sources, over a window of days, from
// accounts with plans and ARR. `feedbackloop sample` writes it as JSON
// lines, `feedbackloop dev` publishes it, and the benchmarks load it.
//
// The output has patterns a product leader should be able to see:
//   - a weekly rhythm (fewer items at weekends);
//   - [SpikeTheme] grows several-fold in the last [SpikeDays] days;
//   - [FallTheme] drops to a fraction of its volume after [Options.FixShipped],
//     the day a fix shipped.
//
// Generation is deterministic: the same Options give the same records,
// byte for byte, so ids are stable across runs and re-publishing a sample
// stores nothing twice.
package sample

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/feedbackloop/feedbackloop/feedback"
)

// The planted patterns.
const (
	// SpikeTheme is the theme that spikes in the last SpikeDays days.
	SpikeTheme = "sync-failures"
	SpikeDays  = 14
	// spikeFactor multiplies its weight during the spike.
	spikeFactor = 6.0

	// FallTheme is the theme whose problem a shipped fix made go away.
	FallTheme = "csv-export"
	// fallFactor multiplies its weight after the fix shipped.
	fallFactor = 0.15
	// fixShippedDaysBeforeEnd places the fix when Options.FixShippedAt is zero.
	fixShippedDaysBeforeEnd = 35

	// accounts is how many customer accounts the sample has.
	accounts = 600
)

// Options say what to generate.
type Options struct {
	// Count is the number of records.
	Count int
	// Days is the length of the window, ending at End.
	Days int
	// Seed picks one of many possible samples; the same seed gives the same records.
	Seed uint64
	// End is the end of the window (exclusive). Zero means the start of
	// tomorrow, UTC, so that the window ends today.
	End time.Time
	// FixShippedAt is when the fix for FallTheme shipped; zero means 35
	// days before End (or the middle of a shorter window).
	FixShippedAt time.Time
}

// Defaults fills zero fields.
func (o Options) withDefaults() Options {
	if o.Days <= 0 {
		o.Days = 90
	}
	if o.End.IsZero() {
		o.End = time.Now().UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	}
	o.End = o.End.UTC()
	if o.FixShippedAt.IsZero() {
		back := min(fixShippedDaysBeforeEnd, o.Days/2)
		o.FixShippedAt = o.End.AddDate(0, 0, -back)
	}
	return o
}

// FixShipped returns when the FallTheme fix shipped for these options.
func (o Options) FixShipped() time.Time { return o.withDefaults().FixShippedAt }

// source is one place feedback comes from, with the kind it produces.
type source struct {
	name, kind string
	share      float64
	idBase     int
	url        string // fmt pattern taking the native id
}

var sources = []source{
	{"zendesk", "ticket", 0.32, 40000, "https://help.example.com/agent/tickets/%d"},
	{"intercom", "chat", 0.18, 7100000, "https://app.example-chat.com/inbox/conversation/%d"},
	{"discourse", "forum", 0.14, 1200, "https://community.example.com/t/%d"},
	{"g2", "review", 0.09, 880000, "https://reviews.example.com/products/timely/reviews/%d"},
	{"nps", "survey", 0.15, 1, "https://survey.example.com/responses/%d"},
	{"notes", "interview", 0.07, 1, ""},
	{"reddit", "forum", 0.05, 0, "https://www.reddit.com/r/timelyapp/comments/%s/"},
}

type account struct {
	id, name, plan, domain string
	arr                    float64
	weight                 float64 // how much feedback it sends
}

// Generator produces the records of one sample.
type Generator struct {
	opts     Options
	rng      *rand.Rand
	accounts []account
	accCum   []float64
	dayCum   []float64
	srcCum   []float64
	next     map[string]int
	emitted  int
}

// New returns a generator for opts.
func New(opts Options) (*Generator, error) {
	opts = opts.withDefaults()
	if opts.Count < 0 {
		return nil, fmt.Errorf("count %d: must not be negative", opts.Count)
	}
	if opts.Days > 3650 {
		return nil, fmt.Errorf("days %d: at most 3650", opts.Days)
	}
	g := &Generator{
		opts: opts,
		rng:  rand.New(rand.NewPCG(opts.Seed, 0x5eed_f00d)),
		next: map[string]int{},
	}
	g.makeAccounts()
	start := g.start()
	for d := 0; d < opts.Days; d++ {
		w := 1.0
		switch start.AddDate(0, 0, d).Weekday() {
		case time.Saturday:
			w = 0.3
		case time.Sunday:
			w = 0.22
		}
		w *= 1 + 0.25*float64(d)/float64(opts.Days) // a slowly growing customer base
		g.dayCum = appendCum(g.dayCum, w)
	}
	for _, s := range sources {
		g.srcCum = appendCum(g.srcCum, s.share)
	}
	return g, nil
}

func (g *Generator) start() time.Time { return g.opts.End.AddDate(0, 0, -g.opts.Days) }

func appendCum(cum []float64, w float64) []float64 {
	last := 0.0
	if len(cum) > 0 {
		last = cum[len(cum)-1]
	}
	return append(cum, last+w)
}

func (g *Generator) pickCum(cum []float64) int {
	x := g.rng.Float64() * cum[len(cum)-1]
	return sort.SearchFloat64s(cum, x)
}

func (g *Generator) pick(list []string) string { return list[g.rng.IntN(len(list))] }

func (g *Generator) makeAccounts() {
	seen := map[string]bool{}
	for len(g.accounts) < accounts {
		name := g.pick(companyFirst) + " " + g.pick(companySecond)
		if seen[name] {
			// Sister companies: "Amber Labs Europe". There are more
			// combinations than accounts, so this ends.
			name += " " + g.pick(companyRegion)
		}
		if seen[name] {
			continue
		}
		seen[name] = true
		a := account{name: name, domain: strings.ToLower(strings.ReplaceAll(name, " ", "")) + ".example"}
		a.id = fmt.Sprintf("acct-%04d", len(g.accounts)+1)
		switch p := g.rng.Float64(); {
		case p < 0.40:
			a.plan, a.arr, a.weight = "free", 0, 0.5
		case p < 0.70:
			a.plan, a.arr, a.weight = "starter", roundTo(1200+g.rng.Float64()*4800, 100), 0.8
		case p < 0.92:
			a.plan, a.arr, a.weight = "pro", roundTo(8000+g.rng.Float64()*52000, 100), 1.4
		default:
			a.plan, a.arr, a.weight = "enterprise", roundTo(80000+g.rng.Float64()*370000, 1000), 2.5
		}
		// A few accounts write most of the feedback: a heavy tail.
		a.weight *= math.Exp(1.2 * g.rng.NormFloat64())
		g.accounts = append(g.accounts, a)
		g.accCum = appendCum(g.accCum, a.weight)
	}
}

func roundTo(x, unit float64) float64 { return math.Round(x/unit) * unit }

// themeWeight is a theme's weight for an account's plan on a given day:
// the planted patterns live here.
func (g *Generator) themeWeight(t *themeText, plan string, at time.Time) float64 {
	w := t.weight
	if f, ok := t.plans[plan]; ok {
		w *= f
	}
	switch t.theme {
	case SpikeTheme:
		if at.After(g.opts.End.AddDate(0, 0, -SpikeDays)) {
			w *= spikeFactor
		}
	case FallTheme:
		if !at.Before(g.opts.FixShippedAt) {
			w *= fallFactor
		}
	}
	return w
}

func (g *Generator) pickTheme(plan string, at time.Time, not *themeText) *themeText {
	total := 0.0
	for i := range catalog {
		if &catalog[i] != not {
			total += g.themeWeight(&catalog[i], plan, at)
		}
	}
	x := g.rng.Float64() * total
	for i := range catalog {
		t := &catalog[i]
		if t == not {
			continue
		}
		if x -= g.themeWeight(t, plan, at); x < 0 {
			return t
		}
	}
	return &catalog[len(catalog)-1]
}

// Next returns the next record, or nil after Count records.
func (g *Generator) Next() *feedback.Record {
	if g.emitted >= g.opts.Count {
		return nil
	}
	g.emitted++
	day := g.pickCum(g.dayCum)
	// Business hours, mostly: a record's time of day clusters around 14:00 UTC.
	secs := int(math.Max(0, math.Min(86399, 14*3600+g.rng.NormFloat64()*4*3600)))
	at := g.start().AddDate(0, 0, day).Add(time.Duration(secs) * time.Second)
	src := sources[g.pickCum(g.srcCum)]
	acc := g.accounts[g.pickCum(g.accCum)]
	first, last := g.pick(firstNames), g.pick(lastNames)

	var main, second *themeText
	if g.rng.Float64() >= 0.08 { // 8% say nothing a theme would catch
		main = g.pickTheme(acc.plan, at, nil)
		if g.rng.Float64() < 0.18 {
			second = g.pickTheme(acc.plan, at, main)
		}
	}
	body, title := g.compose(src.kind, main, second, first)
	r := &feedback.Record{
		Source:    src.name,
		Kind:      src.kind,
		CreatedAt: at,
		Body:      body,
		Author: &feedback.Author{
			ID:    fmt.Sprintf("%s-%s-%s", acc.id, strings.ToLower(first), strings.ToLower(last)),
			Name:  first + " " + last,
			Email: strings.ToLower(first+"."+last) + "@" + acc.domain,
		},
		Account:  &feedback.Account{ID: acc.id, Name: acc.name, Plan: acc.plan, ARR: acc.arr},
		Language: "en",
	}
	if src.kind == "ticket" || src.kind == "forum" {
		r.Title = title
	}
	g.identify(r, src)
	g.rate(r, main)
	return r
}

// identify gives r a stable id, a link back and, for interview passages,
// their parent interview.
func (g *Generator) identify(r *feedback.Record, src source) {
	n := g.next[src.name]
	g.next[src.name] = n + 1
	// Samples with different seeds are different records: their ids must
	// not collide, or publishing a second sample would overwrite the first.
	n += int(g.opts.Seed%1000) * 10_000_000
	native := src.idBase + n
	switch src.name {
	case "reddit":
		id := base36(uint64(46_000_000 + n*7))
		r.ID = "reddit:" + id
		r.URL = fmt.Sprintf(src.url, id)
	case "notes":
		// A passage of an interview note points at its interview: the
		// account and the day it was held.
		interview := fmt.Sprintf("notes:%s-%s", r.CreatedAt.Format("2006-01-02"), r.Account.ID)
		r.ID = fmt.Sprintf("%s#%d", interview, n)
		r.Parent = interview
		r.Metadata = map[string]string{"interviewee": r.Author.Name, "interviewer": "Product team"}
	default:
		r.ID = fmt.Sprintf("%s:%d", src.name, native)
		r.URL = fmt.Sprintf(src.url, native)
	}
}

// rate adds a score where the source has one: stars for reviews, 0-10 for NPS.
func (g *Generator) rate(r *feedback.Record, main *themeText) {
	unhappy := main != nil
	var x float64
	switch r.Kind {
	case "review":
		x = 5
		if unhappy {
			x = float64(2 + g.rng.IntN(3))
		}
	case "survey":
		x = float64(9 + g.rng.IntN(2))
		if unhappy {
			x = float64(g.rng.IntN(9))
		}
	default:
		return
	}
	r.Rating = &x
}

func (g *Generator) compose(kind string, main, second *themeText, first string) (body, title string) {
	var parts []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	add(g.pick(openers[kind]))
	quoteFrom := len(parts)
	if main == nil {
		add(g.pick(praise))
		title = "Feedback"
	} else {
		add(g.fill(g.pick(main.says)))
		title = g.pick(main.titles)
		if second != nil {
			add(g.fill(g.pick(second.says)))
		}
		add(g.pick(details))
	}
	if kind == "interview" { // notes quote the interviewee
		quote := strings.Join(parts[quoteFrom:], " ")
		parts = append(parts[:quoteFrom], first+" said: \u201c"+quote+"\u201d")
	}
	if g.rng.Float64() < 0.04 { // some people leave contact details in the text
		add(fmt.Sprintf("You can reach me at %s or on +1 415 555 %04d.", strings.ToLower(first)+"@example.net", g.rng.IntN(10000)))
	}
	add(strings.ReplaceAll(g.pick(closings[kind]), "{first}", first))
	return strings.Join(parts, " "), title
}

func (g *Generator) fill(s string) string {
	if strings.Contains(s, "{page}") {
		s = strings.ReplaceAll(s, "{page}", g.pick(pages))
	}
	if strings.Contains(s, "{n}") {
		s = strings.ReplaceAll(s, "{n}", fmt.Sprint(3+g.rng.IntN(40)))
	}
	if strings.Contains(s, "{weekday}") {
		s = strings.ReplaceAll(s, "{weekday}", g.pick(weekdays))
	}
	return s
}

func base36(n uint64) string {
	const digits = "0123456789abcdefghijklmnopqrstuvwxyz"
	var b []byte
	for {
		b = append([]byte{digits[n%36]}, b...)
		n /= 36
		if n == 0 {
			return string(b)
		}
	}
}

// Generate calls emit with every record of the sample, stopping at the
// first error emit returns.
func Generate(opts Options, emit func(*feedback.Record) error) error {
	g, err := New(opts)
	if err != nil {
		return err
	}
	for r := g.Next(); r != nil; r = g.Next() {
		if err := emit(r); err != nil {
			return err
		}
	}
	return nil
}
