package api_test

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/feedbackloop/feedbackloop/insights/insightstest"
	"github.com/feedbackloop/feedbackloop/internal/testenv"
)

// chromium returns the path of a headless-capable Chromium, or marks the
// test unavailable (a failure under CI=true).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "/usr/bin/chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	testenv.Unavailable(t, "no chromium found (Debian: apt-get install chromium; `make deps` installs it)")
	return ""
}

// chartInfo is what the page's charts hold, read in the browser.
type chartInfo struct {
	Name   string   `json:"name"`
	Paths  int      `json:"paths"`
	Width  float64  `json:"width"`
	Height float64  `json:"height"`
	Texts  []string `json:"texts"`
}

func TestDashboardRendersChartsWithDataInHeadlessChromium(t *testing.T) {
	bin := chromium(t)
	s := newSite(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 2400),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	// The first call starts the browser; it must not carry the timeout,
	// which would stop the browser with it.
	if err := chromedp.Do(ctx); err != nil {
		testenv.Unavailable(t, "start chromium: %v", err)
	}
	tctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()

	err := chromedp.Do(tctx,
		chromedp.Navigate(s.url+"/"), // redirected to the login form
		chromedp.WaitVisible(chromedp.CSS(`input[name=token]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=token]`), token),
		chromedp.Submit(chromedp.CSS(`input[name=token]`)),
		chromedp.WaitVisible(chromedp.CSS(`figure.chart svg`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	title, err := chromedp.Run(tctx, chromedp.Title())
	if err != nil {
		t.Fatal(err)
	}
	charts, err := chromedp.Run(tctx, chromedp.Evaluate[[]chartInfo](`[...document.querySelectorAll('figure.chart')].map(f => {
		const svg = f.querySelector('svg');
		const box = svg.getBoundingClientRect();
		return {name: f.dataset.chart, paths: svg.querySelectorAll('path').length,
			width: box.width, height: box.height,
			texts: [...svg.querySelectorAll('text')].map(t => t.textContent)};
	})`))
	if err != nil {
		t.Fatal(err)
	}
	quotes, err := chromedp.Run(tctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('blockquote.quote')].map(q => q.textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(tctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("FEEDBACKLOOP_SCREENSHOT_DIR"); dir != "" {
		_ = os.WriteFile(dir+"/dashboard.png", shot, 0o644)
	}
	if !strings.Contains(title, "Feedback Loop") {
		t.Fatalf("page title %q: the login did not reach the dashboard", title)
	}
	if len(charts) != 3 {
		t.Fatalf("%d charts, want trends, emerging and bets: %+v", len(charts), charts)
	}
	// Each chart is drawn (has size and shapes) and shows the data it is
	// about: the legend or axis names what the planted data holds.
	want := map[string]string{
		"trends":   insightstest.UncoveredTheme,
		"emerging": "▲ " + insightstest.SpikeTheme,
		"bets":     insightstest.ShippedBet,
	}
	for _, c := range charts {
		if c.Width < 200 || c.Height < 100 || c.Paths < 10 {
			t.Errorf("chart %s is not drawn: %.0fx%.0f with %d paths", c.Name, c.Width, c.Height, c.Paths)
		}
		if !strings.Contains(strings.Join(c.Texts, "|"), want[c.Name]) {
			t.Errorf("chart %s does not show %q; its texts: %v", c.Name, want[c.Name], c.Texts)
		}
	}
	if len(quotes) == 0 {
		t.Error("no quotes on the page")
	}
	for _, q := range quotes {
		if !quoteSentiment.MatchString(q) {
			t.Errorf("quote %q does not show its sentiment", q)
		}
	}
}

var quoteSentiment = regexp.MustCompile(`sentiment -?[01]\.\d\d$`)
