package enrich_test

import (
	"context"
	"math/rand/v2"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/feedbackloop/feedbackloop/enrich"
	"github.com/feedbackloop/feedbackloop/feedback"
)

// Sentence parts for generated feedback. They mix themed complaints, praise,
// neutral detail, contact details and numbers that must survive redaction,
// so that every stage does its real work.
var (
	benchOpeners = []string{
		"Hi team,", "Hello,", "Quick note from our ops lead.", "Long-time customer here.",
		"We rolled this out to 40 people last quarter.", "Following up on ticket #48213.",
		"Not sure who to ask about this.", "Good morning!",
	}
	benchIssues = []string{
		"The dashboard takes forever to load every morning, sometimes over 30 seconds.",
		"We were charged twice for the March invoice and still have no refund.",
		"The iOS app keeps crashing when I open a large project.",
		"Exporting to CSV silently drops the last column of the report.",
		"Our Salesforce sync has been failing since version 4.2.1 with a timeout error.",
		"The new navigation is confusing and the settings are buried three menus deep.",
		"SSO through Okta logs everyone out after an hour.",
		"The API returns 429 errors long before we reach the documented rate limit.",
		"Search never finds tickets by their title, only by the id.",
		"Support took five days to reply and the answer did not address the question.",
		"The price increase at renewal was 40% with no new features for us.",
		"Notifications arrive hours late, so my team misses mentions.",
		"Two days of notes vanished after the update on 2024-05-01 10:30.",
		"The Android app drains my battery even when it is closed.",
		"Screen reader users cannot reach the toolbar buttons with the keyboard.",
		"The site was down for most of Monday and the status page said nothing.",
	}
	benchPraise = []string{
		"Otherwise the product is great and the team loves it.",
		"Onboarding was smooth and the help center articles are excellent.",
		"The Slack integration works really well for us.",
		"Honestly it has been a huge time saver.",
		"Your support agent Maria was very helpful last week.",
		"The dark mode looks fantastic.",
	}
	benchRequests = []string{
		"It would be great to have scheduled exports to Google Sheets.",
		"Please add an option to share dashboards with guests.",
		"Is there a way to bulk edit records? Any plans for that?",
		"We would love a proper audit log for compliance.",
		"I wish the mobile app worked offline.",
	}
	benchDetails = []string{
		"You can reach me at jane.doe@example.com or +1 (555) 010-9999.",
		"My number is 020 7946 0958 if a call is easier.",
		"Order 12345678 was placed on 01/05/2024 for $1,299.00.",
		"We run v2.3.14 behind a proxy at 10.20.30.40.",
		"The card ending 4242 was used, full number 4242 4242 4242 4242.",
		"Account id is acme-prod, workspace 7.",
		"This happens on Chrome 124 and Firefox 125.",
	}
	benchClosers = []string{
		"Thanks!", "Cheers, Sam", "Let me know if you need more details.",
		"Thanks in advance.", "Regards, the finance team", "",
	}
	benchTitles = []string{
		"Dashboard slow", "Double charge", "Crash on open", "CSV export broken",
		"Feature request: scheduled exports", "Login issues", "Great product", "",
	}
)

// benchRecords returns n varied feedback records of about 300 characters.
func benchRecords(n int) []feedback.Record {
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(list []string) string { return list[rng.IntN(len(list))] }
	recs := make([]feedback.Record, n)
	for i := range recs {
		var b strings.Builder
		b.WriteString(pick(benchOpeners))
		for b.Len() < 260 {
			b.WriteByte(' ')
			switch rng.IntN(6) {
			case 0, 1:
				b.WriteString(pick(benchIssues))
			case 2:
				b.WriteString(pick(benchPraise))
			case 3:
				b.WriteString(pick(benchRequests))
			default:
				b.WriteString(pick(benchDetails))
			}
		}
		if c := pick(benchClosers); c != "" {
			b.WriteByte(' ')
			b.WriteString(c)
		}
		recs[i] = feedback.Record{
			ID: "bench:" + string(rune('a'+i%26)), Source: "bench", Kind: "ticket",
			CreatedAt: time.Date(2024, 5, 1, 9, 30, 0, 0, time.UTC),
			Title:     pick(benchTitles), Body: b.String(),
		}
		if rng.IntN(2) == 0 {
			recs[i].Author = &feedback.Author{Name: "Jane Doe", Email: "Jane.Doe@Example.com"}
		}
	}
	return recs
}

// BenchmarkEnrichChain measures the offline enrichment a worker runs on
// every record: redaction, keyword tagging with the default taxonomy and
// sentiment, in batches of 64. One op is one item.
func BenchmarkEnrichChain(b *testing.B) {
	chain := enrich.Chain{
		enrich.NewRedactor([]byte("bench-key")),
		enrich.TagStage(enrich.NewKeywordTagger(enrich.DefaultTaxonomy())),
		enrich.NewSentiment(),
	}
	benchStage(b, chain)
}

func BenchmarkRedactor(b *testing.B) { benchStage(b, enrich.NewRedactor([]byte("bench-key"))) }

// BenchmarkRedactTextEncodedPluses measures a text full of
// percent-encoded '+' signs before digits, as a pasted tracking link or
// log can be: each is read as a number on a copy, which must be of the
// number and a few words around it, not of the rest of the text.
func BenchmarkRedactTextEncodedPluses(b *testing.B) {
	s := strings.Repeat("%2B12 ", 4000) + strings.Repeat("?a=1%2012 ", 2000)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		enrich.RedactText(s)
	}
}

// BenchmarkRedactTextLongRuns redacts bodies of the worker's largest
// default size (256 KB) made of one short piece again and again: digits
// or digit words ("1 2 1 2 …", "one one …", "4-1-4-1-…"), which the rule
// for numbers read out read from each word to the end of the run, and a
// run of name bytes with digits ("%2B1%2B1…"), which the rule for a mail
// user's name read whole for each digit; and pieces whose runs of an
// address's bytes or of a cue's separators were read to their end for
// each "at", "%40", number or '(' in them ("at-at-…", "%40%40…",
// "4.-4.-…", "(.(.…"). Each took time the square of its length: 12 s for
// 62 KB of "1 2 ", 13 s for 256 KB of "at-".
func BenchmarkRedactTextLongRuns(b *testing.B) {
	for _, piece := range []string{"1 2 ", "one ", "4-1-", "zéro six douze ", "%2B1", "at-", "%40", "4.-", "(."} {
		s := strings.Repeat(piece, 256<<10/len(piece))
		b.Run(strings.TrimSpace(piece), func(b *testing.B) {
			b.SetBytes(int64(len(s)))
			for b.Loop() {
				enrich.RedactText(s)
			}
		})
	}
}

func BenchmarkKeywordTagger(b *testing.B) {
	benchStage(b, enrich.TagStage(enrich.NewKeywordTagger(enrich.DefaultTaxonomy())))
}

func BenchmarkSentiment(b *testing.B) { benchStage(b, enrich.NewSentiment()) }

// BenchmarkSentimentLongBodies scores bodies of the worker's largest
// default size (256 KB) made of one piece again and again, each of which
// once took time the square of its length: short sentences each ending in
// an emoji (each mark looked for its sentence and for a "please" from the
// start), and words with no mark between them, "FIX IT FIX IT …" (each
// resolution looked back to the clause's start for a word of conditions).
func BenchmarkSentimentLongBodies(b *testing.B) {
	s := enrich.NewSentiment()
	for name, piece := range map[string]string{"marks": "Nice. 🙏 ", "one-clause": "FIX IT "} {
		text := strings.Repeat(piece, 256<<10/len(piece))
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				s.Score(text)
			}
		})
	}
}

func benchStage(b *testing.B, stage enrich.Stage) {
	const batchSize = 64
	recs := benchRecords(1024)
	var bytes int
	for _, r := range recs {
		bytes += len(r.Title) + len(r.Body)
	}
	// Each pass restores the records, since redaction rewrites them, from
	// storage allocated up front so that only the stage allocates.
	work := make([]feedback.Record, len(recs))
	authors := make([]feedback.Author, len(recs))
	items := make([]enrich.Item, len(recs))
	batch := make([]*enrich.Item, 0, batchSize)
	ctx := context.Background()

	b.SetBytes(int64(bytes / len(recs)))
	b.ReportAllocs()
	cpu := processCPU()
	b.ResetTimer()
	for done := 0; done < b.N; {
		batch = batch[:0]
		for len(batch) < batchSize && done < b.N {
			k := done % len(recs)
			work[k] = recs[k]
			if recs[k].Author != nil {
				authors[k] = *recs[k].Author
				work[k].Author = &authors[k]
			}
			items[k] = enrich.Item{Record: &work[k]}
			batch = append(batch, &items[k])
			done++
		}
		if err := stage.Enrich(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	// One op is one item, so ns/op and allocs/op are per item already;
	// ns/item says so in the output. Wall time is what a busy shared machine
	// makes of the code; processor time per item, garbage collection on
	// other cores included, is what the code costs a worker's cores.
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/item")
	b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/item")
}

// processCPU returns the processor time the process has used, user and
// system, in nanoseconds.
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// BenchmarkRedactOutgoingLongRuns sends bodies of the worker's largest
// default size (256 KB) of one piece again and again through
// RedactOutgoing: runs of digits and number words, "at" and "@" between
// words, and dotted names, which its rules read forward and back from.
func BenchmarkRedactOutgoingLongRuns(b *testing.B) {
	for _, piece := range []string{"1 2 ", "one ", "O1", "O", "1OOOO", "x at y.", "a@", "at ", "at-", "gmail-", "a.", "[phone] 1 ", "Gmail: a_"} {
		s := strings.Repeat(piece, 256<<10/len(piece))
		b.Run(strings.TrimSpace(piece), func(b *testing.B) {
			b.SetBytes(int64(len(s)))
			for b.Loop() {
				enrich.RedactOutgoing(s)
			}
		})
	}
}
