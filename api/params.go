package api

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/feedbackloop/feedbackloop/insights"
)

// params reads query parameters and remembers which were read, so that an
// unknown (misspelt) parameter is answered with 400 rather than ignored.
// The first problem is kept; later reads return zero values.
type params struct {
	v    url.Values
	used map[string]bool
	err  error
}

func newParams(v url.Values) *params { return &params{v: v, used: map[string]bool{"format": true}} }

func (p *params) fail(name, value, problem string) {
	if p.err == nil {
		p.err = &insights.InvalidError{Field: name, Value: value, Problem: problem}
	}
}

// str returns the parameter's single value.
func (p *params) str(name string) string {
	p.used[name] = true
	vs := p.v[name]
	if len(vs) > 1 {
		p.fail(name, strings.Join(vs, ","), "give it once")
	}
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

// list returns every value, repeated or comma-separated.
func (p *params) list(name string) []string {
	p.used[name] = true
	var out []string
	for _, v := range p.v[name] {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

func (p *params) integer(name string) int {
	s := p.str(name)
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		p.fail(name, s, "want a whole number")
	} else if n == 0 {
		// 0 stands for "not given" below, where the default takes its
		// place; every count here is 1 or more (api/openapi.yaml).
		p.fail(name, s, "want 1 or more")
	}
	return n
}

func (p *params) number(name string) float64 {
	s := p.str(name)
	if s == "" {
		return 0
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		p.fail(name, s, "want a number")
	} else if f == 0 {
		p.fail(name, s, "want more than 0") // 0 stands for "not given" below
	}
	return f
}

func (p *params) date(name string) time.Time {
	s := p.str(name)
	if s == "" {
		return time.Time{}
	}
	t, err := time.ParseInLocation("2006-01-02", s, time.UTC)
	if err != nil {
		p.fail(name, s, "want a date as YYYY-MM-DD")
	}
	return t
}

// filter reads the shared feedback filter.
func (p *params) filter() insights.Filter {
	return insights.Filter{
		From: p.date("from"), To: p.date("to"),
		Sources: p.list("source"), Kinds: p.list("kind"), Plans: p.list("plan"), Accounts: p.list("account"),
	}
}

// finish reports the first problem, or a parameter nothing read.
func (p *params) finish() error {
	if p.err != nil {
		return p.err
	}
	var unknown []string
	for name := range p.v {
		if !p.used[name] {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		known := make([]string, 0, len(p.used))
		for name := range p.used {
			known = append(known, name)
		}
		sort.Strings(known)
		return &insights.InvalidError{Field: unknown[0], Value: p.v.Get(unknown[0]), Problem: "unknown parameter; this endpoint takes " + strings.Join(known, ", ")}
	}
	return nil
}
