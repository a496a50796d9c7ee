package api

import (
	"bytes"
	"fmt"
	"html/template"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/feedbackloop/feedbackloop/insights"
)

// Charts are drawn by gonum/plot into SVG on the server and inlined in the
// page: nothing to download, nothing to build, and the chart is in the DOM
// where a test can see it.

const (
	chartWidth  = 16 * vg.Centimeter
	chartHeight = 8 * vg.Centimeter
)

// svg renders a plot and returns the <svg> element alone, ready to inline.
func svg(p *plot.Plot, w, h vg.Length) (template.HTML, error) {
	c := vgsvg.New(w, h)
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return "", err
	}
	b := buf.Bytes()
	if i := bytes.Index(b, []byte("<svg")); i >= 0 {
		b = b[i:]
	}
	return template.HTML(b), nil // gonum/plot escapes the text it writes
}

// trendChart draws the items per period of the first themes named in
// first, then of the most mentioned others, up to top lines.
func trendChart(t *insights.Trends, top int, first []string) (template.HTML, error) {
	p := plot.New()
	p.Title.Text = "Items per theme per " + string(t.Grain)
	p.Y.Label.Text = "items"
	p.Y.Min = 0
	p.Legend.Top = true
	p.Legend.Left = true
	labels := make([]string, len(t.Periods))
	for i, per := range t.Periods {
		labels[i] = per.Format("Jan 2")
		if len(t.Periods) > 8 && i%2 == 1 {
			labels[i] = ""
		}
	}
	p.NominalX(labels...)
	var chosen []insights.ThemeTrend
	for _, name := range first {
		for _, th := range t.Themes {
			if th.Theme == name && len(chosen) < top {
				chosen = append(chosen, th)
			}
		}
	}
	for _, th := range t.Themes {
		if len(chosen) < top && !slices.Contains(first, th.Theme) {
			chosen = append(chosen, th)
		}
	}
	highest := 0.0
	for i, th := range chosen {
		for _, pt := range th.Points {
			highest = max(highest, float64(pt.Items))
		}
		xys := make(plotter.XYs, len(th.Points))
		for j, pt := range th.Points {
			xys[j].X, xys[j].Y = float64(j), float64(pt.Items)
		}
		// A period not over yet is drawn dotted from the one before it:
		// its lower count is not a fall.
		done := xys
		if t.Partial && len(xys) > 1 {
			done = xys[:len(xys)-1]
		}
		line, err := plotter.NewLine(done)
		if err != nil {
			return "", err
		}
		line.Width = vg.Points(2)
		line.Color = lineColor(i)
		p.Add(line)
		p.Legend.Add(th.Theme, line)
		if len(done) < len(xys) {
			sofar, err := plotter.NewLine(xys[len(xys)-2:])
			if err != nil {
				return "", err
			}
			sofar.LineStyle = line.LineStyle
			sofar.Dashes = []vg.Length{vg.Points(2), vg.Points(3)}
			p.Add(sofar)
		}
	}
	switch {
	case len(t.Themes) == 0:
		p.Title.Text += " (no feedback yet)"
	case t.Partial && len(t.Periods) > 1:
		p.Title.Text += " (dotted: the " + string(t.Grain) + " so far)"
	case t.Partial:
		p.Title.Text += " (so far)"
	}
	// Head room above the lines for the legend.
	p.Y.Max = highest * (1 + 0.07*float64(len(chosen)))
	return svg(p, chartWidth, chartHeight+2*vg.Centimeter)
}

// lineColor is the i-th line's colour: the soft colours, then the dark
// ones, all solid. Dashes were once the way to tell the eighth line from
// the first; now a dotted stroke means a period not over.
func lineColor(i int) color.Color {
	if n := len(plotutil.SoftColors); i >= n {
		return plotutil.DarkColors[(i-n)%len(plotutil.DarkColors)]
	}
	return plotutil.SoftColors[i]
}

// emergingChart draws, for the most significant themes, recent items
// against the items the baseline rate predicts.
func emergingChart(e *insights.Emerging, top int) (template.HTML, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Last %d days against the %d before", e.RecentDays, e.BaselineDays)
	p.Y.Label.Text = "items"
	p.Legend.Top = true
	themes := e.Themes
	if len(themes) > top {
		themes = themes[:top]
	}
	recent := make(plotter.Values, len(themes))
	expected := make(plotter.Values, len(themes))
	names := make([]string, len(themes))
	for i, c := range themes {
		recent[i], expected[i], names[i] = float64(c.Recent), c.Expected, c.Theme
		if c.Significant {
			names[i] = map[string]string{"rising": "▲ ", "declining": "▼ "}[c.Direction] + c.Theme
		}
	}
	if len(themes) == 0 {
		p.Title.Text += " (no feedback yet)"
		return svg(p, chartWidth, chartHeight)
	}
	return barChart(p, names, vg.Points(14), true,
		barSeries{"recent", recent, plotutil.Color(0)},
		barSeries{"expected at baseline rate", expected, color.Gray{Y: 170}})
}

// betsChart draws each bet's evidence next to the unaddressed themes.
func betsChart(r *insights.BetsReport) (template.HTML, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Evidence behind bets, last %d days", int(r.End.Sub(r.From).Hours()/24))
	p.Y.Label.Text = "items"
	p.Legend.Top = true
	var names []string
	var bets, gaps plotter.Values
	for _, b := range r.Bets {
		names = append(names, b.ID)
		bets, gaps = append(bets, float64(b.Items)), append(gaps, 0)
	}
	for i, d := range r.Unaddressed {
		if i == 5 {
			break
		}
		names = append(names, d.Theme+" (no bet)")
		bets, gaps = append(bets, 0), append(gaps, float64(d.Items))
	}
	if len(names) == 0 {
		p.Title.Text += " (no bets imported yet)"
		return svg(p, chartWidth, chartHeight)
	}
	return barChart(p, names, vg.Points(16), false,
		barSeries{"bet", bets, plotutil.Color(2)},
		barSeries{"unaddressed theme", gaps, plotutil.Color(0)})
}

// barSeries is one colour of bars in a bar chart, with its legend entry.
type barSeries struct {
	name string
	v    plotter.Values
	c    color.Color
}

// barChart adds the series to p as bars of width w over the names, side by
// side when sideBySide (else each name has a bar in one series only), and
// draws it with the names slanted below.
func barChart(p *plot.Plot, names []string, w vg.Length, sideBySide bool, series ...barSeries) (template.HTML, error) {
	for i, sr := range series {
		bars, err := plotter.NewBarChart(sr.v, w)
		if err != nil {
			return "", err
		}
		bars.Color = sr.c
		bars.LineStyle.Width = 0
		if sideBySide {
			bars.Offset = vg.Length(float64(i)-float64(len(series)-1)/2) * w
		}
		p.Add(bars)
		p.Legend.Add(sr.name, bars)
	}
	p.NominalX(names...)
	p.X.Tick.Label.Rotation = math.Pi / 6
	p.X.Tick.Label.XAlign = draw.XRight
	return svg(p, chartWidth, chartHeight+2*vg.Centimeter)
}
