package api

import (
	"context"
	"crypto/subtle"
	"html/template"
	"net/http"
	"slices"
	"strconv"

	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"github.com/feedbackloop/feedbackloop/insights"
)

// page is what the dashboard template shows.
type page struct {
	Trends     *insights.Trends
	Emerging   *insights.Emerging
	Bets       *insights.BetsReport
	Quotes     *insights.Quotes
	TrendSVG   template.HTML
	EmergeSVG  template.HTML
	BetsSVG    template.HTML
	QuoteTheme string
}

// NoEvidence reports whether the bet with this id is an active bet with
// too little evidence.
func (p page) NoEvidence(id string) bool {
	return slices.Contains(p.Bets.WithoutEvidence, id)
}

// WithoutEvidence names the active bets without evidence by title, as the
// bets table does.
func (p page) WithoutEvidence() []string {
	var titles []string
	for _, b := range p.Bets.Bets {
		if p.NoEvidence(b.ID) {
			titles = append(titles, b.Title)
		}
	}
	return titles
}

// dashboard renders the four views from the same queries the API runs.
// Browsers authenticate with the cookie /login sets.
func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request) {
	if !h.authorized(r) {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	weeks := 12
	if s := r.URL.Query().Get("weeks"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 2 || n > 104 {
			writeError(w, http.StatusBadRequest, "want 2 to 104", "weeks", s)
			return
		}
		weeks = n
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.opts.QueryTimeout)
	defer cancel()
	// The four views are independent: ask for them at once.
	var pg page
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		pg.Trends, err = h.store.Trends(gctx, insights.TrendsQuery{Grain: insights.Week, Periods: weeks})
		return err
	})
	g.Go(func() (err error) {
		pg.Bets, err = h.store.Bets(gctx, insights.BetsQuery{})
		return err
	})
	g.Go(func() (err error) {
		if pg.Emerging, err = h.store.Emerging(gctx, insights.EmergingQuery{}); err != nil {
			return err
		}
		// Quotes for what most needs a look: the top rising theme, else
		// the most mentioned theme of the last 90 days.
		if len(pg.Emerging.Rising) > 0 {
			pg.QuoteTheme = pg.Emerging.Rising[0].Theme
		} else {
			var top uint64
			for _, c := range pg.Emerging.Themes {
				if c.Recent+c.Baseline > top {
					top, pg.QuoteTheme = c.Recent+c.Baseline, c.Theme
				}
			}
		}
		if pg.QuoteTheme != "" {
			pg.Quotes, err = h.store.Quotes(gctx, insights.QuotesQuery{Theme: pg.QuoteTheme, Limit: 6})
		}
		return err
	})
	err := g.Wait()
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var rising []string
	for _, c := range pg.Emerging.Rising {
		rising = append(rising, c.Theme)
	}
	if pg.TrendSVG, err = trendChart(pg.Trends, 8, rising); err == nil {
		if pg.EmergeSVG, err = emergingChart(pg.Emerging, 10); err == nil {
			pg.BetsSVG, err = betsChart(pg.Bets)
		}
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
	if err := dashboardTemplate.Execute(w, pg); err != nil {
		h.opts.Log.Warn("render dashboard", zap.Error(err))
	}
}

func (h *Handler) loginForm(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = loginTemplate.Execute(w, r.URL.Query().Get("failed") != "")
}

// login checks a token typed into the form and keeps it in an HttpOnly
// cookie for the dashboard.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	tok := r.PostFormValue("token")
	if subtle.ConstantTimeCompare([]byte(tok), []byte(h.opts.Token)) != 1 {
		http.Redirect(w, r, "/login?failed=1", http.StatusSeeOther)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: tok, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

var funcs = template.FuncMap{
	"pct":   func(v float64) string { return strconv.FormatFloat(100*v, 'f', 1, 64) + "%" },
	"fixed": func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) },
	"day":   func(p interface{ Format(string) string }) string { return p.Format("2006-01-02") },
}

var loginTemplate = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Feedback Loop — sign in</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto}input{font-size:1rem;padding:.4rem;width:100%}</style></head>
<body><h1>Feedback Loop</h1>
{{if .}}<p role="alert">That token is not right.</p>{{end}}
<form method="post" action="/login"><label>API token (serve.token)<br><input type="password" name="token" autofocus></label>
<p><button type="submit">Open the dashboard</button></p></form></body></html>`))

var dashboardTemplate = template.Must(template.New("dashboard").Funcs(funcs).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Feedback Loop — voice of the customer</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:1rem;color:#222}
section{margin:2rem 0}figure{margin:0}figure svg{width:100%;height:auto;max-width:48rem}
table{border-collapse:collapse;font-size:.9rem}td,th{padding:.2rem .6rem;border-bottom:1px solid #ddd;text-align:left}
td.n{text-align:right}blockquote{margin:.8rem 0;padding:.4rem .8rem;border-left:4px solid #99c}
.muted{color:#666;font-size:.85rem}
</style></head>
<body>
<h1>Voice of the customer</h1>
<p class="muted">Every figure counts each record once. Weeks start on Monday (UTC).</p>

<section id="trends"><h2>Theme trends</h2>
<figure class="chart" data-chart="trends" data-series="{{len .Trends.Themes}}">{{.TrendSVG}}</figure>
</section>

<section id="emerging"><h2>Emerging and declining themes</h2>
<figure class="chart" data-chart="emerging" data-series="{{len .Emerging.Themes}}">{{.EmergeSVG}}</figure>
<table><thead><tr><th>theme</th><th>direction</th><th>recent</th><th>expected</th><th>ratio</th><th>p</th></tr></thead><tbody>
{{range .Emerging.Rising}}<tr class="rising"><td>{{.Theme}}</td><td>rising{{if eq .Baseline 0}} <span class="muted new">(none in the baseline: new to the taxonomy? <code>feedbackloop themes retag</code> tags stored feedback with it)</span>{{end}}</td><td class="n">{{.Recent}}</td><td class="n">{{fixed .Expected}}</td><td class="n">{{fixed .Ratio}}</td><td class="n">{{printf "%.2g" .P}}</td></tr>{{end}}
{{range .Emerging.Declining}}<tr class="declining"><td>{{.Theme}}</td><td>declining</td><td class="n">{{.Recent}}</td><td class="n">{{fixed .Expected}}</td><td class="n">{{fixed .Ratio}}</td><td class="n">{{printf "%.2g" .P}}</td></tr>{{end}}
{{if not (or .Emerging.Rising .Emerging.Declining)}}<tr><td colspan="6">No theme changed significantly.</td></tr>{{end}}
</tbody></table>
</section>

<section id="bets"><h2>Bets against their evidence</h2>
<figure class="chart" data-chart="bets" data-series="{{len .Bets.Bets}}">{{.BetsSVG}}</figure>
<table><thead><tr><th>bet</th><th>status</th><th>themes</th><th>items</th><th>accounts</th><th>ARR</th></tr></thead><tbody>
{{range .Bets.Bets}}<tr><td>{{.Title}}{{if $.NoEvidence .ID}} <span class="muted">(no evidence)</span>{{end}}</td><td>{{.Status}}</td><td>{{range $i, $t := .Themes}}{{if $i}}, {{end}}{{$t}}{{end}}</td><td class="n">{{.Items}}</td><td class="n">{{.Accounts}}</td><td class="n">{{printf "%.0f" .ARR}}</td></tr>{{end}}
{{range .Bets.Unaddressed}}<tr class="unaddressed"><td><em>no bet</em></td><td>unaddressed</td><td>{{.Theme}}</td><td class="n">{{.Items}}</td><td class="n">{{.Accounts}}</td><td class="n">{{printf "%.0f" .ARR}}</td></tr>{{end}}
</tbody></table>
{{with .WithoutEvidence}}<p>Active bets without evidence: {{range $i, $b := .}}{{if $i}}, {{end}}{{$b}}{{end}}</p>{{end}}
</section>

<section id="quotes"><h2>What customers say{{if .QuoteTheme}} about {{.QuoteTheme}}{{end}}</h2>
{{with .Quotes}}{{range .Quotes}}<blockquote class="quote">{{.Passage}}<br><span class="muted">{{.Source}} · {{if .AccountName}}{{.AccountName}}{{else}}{{.AccountID}}{{end}} · {{day .CreatedAt}} · {{if .Scored}}sentiment {{fixed .Sentiment}}{{else}}sentiment not scored ({{.Language}}){{end}}</span></blockquote>{{end}}{{else}}<p>No feedback yet.</p>{{end}}
</section>
</body></html>`))
