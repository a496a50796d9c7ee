package enrich_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/feedbackloop/feedbackloop/enrich"
	"github.com/feedbackloop/feedbackloop/feedback"
)

func TestSentimentHasTheRightSign(t *testing.T) {
	const pos, neg, neutral = 1, -1, 0
	cases := []struct {
		text string
		sign int
	}{
		{"I love this product, the team is thrilled.", pos},
		{"Setup was quick and the docs are excellent.", pos},
		{"Works great, thank you!", pos},
		{"Support was incredibly helpful and solved it in minutes.", pos},
		{"The new editor is fast and intuitive.", pos},
		{"Honestly a game changer for our support team.", pos},
		{"Thanks, that answered my question.", pos},
		{"Thanks for the quick fix!", pos},
		{"It works now, thanks!", pos},
		{"Thanks for nothing.", neg},
		{"The app keeps crashing and I lost my data.", neg},
		{"Export is broken again, this is unacceptable.", neg},
		{"Terrible experience, the worst tool we have used.", neg},
		{"The dashboard is slow and the filters are confusing.", neg},
		{"We were charged twice and nobody replies.", neg},
		{"Way too expensive for what it does.", neg},
		{"It stopped working after the update.", neg},
		{"Why is my transfer taking so long?", neg},
		{"Still waiting for an answer after five days.", neg},
		{"I can't log in since this morning.", neg},
		// A setting's name is no complaint: "times out" is, "timeout" not.
		{"What is the session timeout for admins?", neutral},
		// Negation.
		{"The new search is not good.", neg},
		{"It never works on the first try.", neg},
		{"The export doesn't work.", neg},
		{"It doesn't crash any more.", pos},
		{"No issues since the last release.", pos},
		{"Not bad at all.", pos},
		{"Not very helpful, to be honest.", neg},
		{"It is not worth the money.", neg},
		// A denied action is a failure, though no word in it carries a
		// feeling; other negations and halts leave the rest alone.
		{"Images won't load.", neg},
		{"Can't search since the update.", neg},
		{"It stopped syncing with my phone.", neg},
		{"The thumbnails no longer load.", neg},
		{"It doesn't seem to work.", neg},
		{"My card hasn't arrived.", neg},
		{"When I press play nothing happens.", neg},
		{"I emailed support twice and nobody replied.", neg},
		{"They did not reply to my email.", neg},
		{"Since Monday nobody can log in.", neg},
		{"It no longer crashes.", pos},
		{"You never have to sign in again.", neutral},
		{"No need to log in twice.", neutral},
		{"I can't wait to show the team.", pos},
		// Found by QA on the sample's and Review-Pulse's complaints: more
		// things software should do, and what broken output looks like.
		{"The nightly backup never finishes.", neg},
		{"The app doesn't keep my last position.", neg},
		{"I can't remember my PIN.", neutral},
		{"My session doesn't stay open for more than an hour.", neg},
		{"The totals don't match the invoice.", neg},
		{"Umlauts come out garbled in the PDF.", neg},
		{"Long comments are truncated in the email digest.", neg},
		{"The sidebar is misaligned on tablets.", neg},
		{"It's too easy to delete a board by accident.", neg},
		{"Keep up the good work!", pos},
		{"Pros: simple to set up. Cons: the sync never finishes.", neg},
		// A wait that a number measures, before something the product
		// does, is slowness; a short one, or one for a chore, is not.
		{"The activity feed takes 35 seconds to load every morning.", neg},
		{"The report took 20 minutes to export.", neg},
		{"The page takes about 30-40 seconds to load.", neg},
		{"My card took three days to arrive.", neg},
		{"Support took 5 days to reply.", neg},
		{"It takes the app 30 seconds to start.", neg},
		{"It only takes 5 seconds to load.", neutral},
		{"It takes under 2 seconds to open.", neutral},
		{"It takes a few seconds to sync.", neutral},
		{"It takes seconds to load.", neutral},
		{"Sync takes 2 seconds to load the board.", neutral},
		{"It takes about 1.5 seconds to open.", neutral},
		{"It takes one second to load.", neutral},
		{"It takes 2 or 3 seconds to sync.", neutral},
		{"It takes 3 seconds to load.", neg},
		{"It takes 12 seconds to load.", neg},
		{"It takes 2 minutes to load.", neg},
		{"My card took two days to arrive.", neg},
		{"Setup took 10 minutes.", neutral},
		{"How long does it take to load?", neutral},
		{"It took 3 days. The export works now.", pos},
		// Contrast and concession.
		{"The UI is nice but it crashes every day.", neg},
		{"It crashed once, but support fixed it fast and was great.", pos},
		{"Although it is a bit pricey, we love it.", pos},
		{"Great features, however the app is painfully slow and buggy.", neg},
		// Greetings and sign-offs carry no feeling about the product.
		{"Good morning, quick question: how do I export? Best regards, Jane", neutral},
		{"The export fails every night. Best regards, Jane", neg},
		{"Hope you are well. Have a great day!", neutral},
		{"We got service unavailable errors all morning. Thanks, Elif", neg},
		{"The invoice is wrong. Thank you.", neg},
		{"Can you add a dark mode? Thanks in advance!", neutral},
		// Requests and plain statements.
		{"The meeting is at 10:30 on Tuesday.", neutral},
		{"Please send the invoice to our finance address.", neutral},
		{"We have 40 users in three teams.", neutral},
		{"", neutral},
	}
	s := enrich.NewSentiment()
	for _, tc := range cases {
		got := s.Score(tc.text)
		if sign(got) != tc.sign {
			t.Errorf("%q scored %.2f, want sign %+d", tc.text, got, tc.sign)
		}
	}
}

func sign(x float64) int {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

func TestIntensifiersScaleAndNegationsSoften(t *testing.T) {
	s := enrich.NewSentiment()
	order := []struct{ weaker, stronger string }{
		{"It is slow.", "It is very slow."},
		{"It is a bit slow.", "It is slow."},
		{"It is slightly confusing.", "It is confusing."},
		{"Good.", "Extremely good."},
		{"Not good.", "Bad."}, // a negated word is milder than its opposite
		{"Not bad.", "Good."}, // and the other way round
		{"It crashes.", "It keeps crashing."},
		{"Would love a dark mode.", "Love the dark mode."}, // a request is not praise
		// A wait a number measures is slowness, whether it takes or one waits.
		{"I have to wait for the page.", "I have to wait 30 seconds for it to load."},
		{"Just wait a few seconds for it to sync.", "We waited two weeks for a reply."},
	}
	for _, o := range order {
		w, st := math.Abs(s.Score(o.weaker)), math.Abs(s.Score(o.stronger))
		if !(w < st) {
			t.Errorf("|%q| = %.3f should be weaker than |%q| = %.3f", o.weaker, w, o.stronger, st)
		}
	}
	// Negation stops at punctuation: the second clause keeps its sign.
	if got := s.Score("Not that I mind, it is great."); got <= 0 {
		t.Errorf("negation leaked into the next clause: %.2f", got)
	}
}

func TestSentimentStaysWithinMinusOneAndOne(t *testing.T) {
	s := enrich.NewSentiment()
	bad := strings.Repeat("Terrible, awful, useless, broken garbage. ", 50)
	good := strings.Repeat("Excellent, amazing, fantastic, perfect. ", 50)
	if got := s.Score(bad); got <= -1 || got > -0.99 {
		t.Errorf("a wall of complaints scored %v, want just above -1", got)
	}
	if got := s.Score(good); got >= 1 || got < 0.99 {
		t.Errorf("a wall of praise scored %v, want just below 1", got)
	}
	if got := s.Score("good"); got <= 0 || got >= 0.6 {
		t.Errorf("one mild word scored %v, want a modest positive", got)
	}
}

func TestEnrichScoresTheRecordAndEachThemeEvidence(t *testing.T) {
	rec := &feedback.Record{
		Title: "Mixed feelings",
		Body:  "Your support team is fantastic and always helpful. But the billing page is broken and I was charged twice.",
	}
	it := &enrich.Item{Record: rec}
	tagger := enrich.NewKeywordTagger(enrich.DefaultTaxonomy())
	s := enrich.NewSentiment()
	if err := (enrich.Chain{enrich.TagStage(tagger), s}).Enrich(context.Background(), []*enrich.Item{it}); err != nil {
		t.Fatal(err)
	}
	byName := map[string]enrich.Theme{}
	for _, th := range it.Themes {
		byName[th.Name] = th
	}
	support, billing := byName["support-experience"], byName["billing"]
	if support.Sentiment <= 0.3 {
		t.Errorf("support-experience evidence %q scored %.2f, want clearly positive", support.Evidence, support.Sentiment)
	}
	if billing.Sentiment >= -0.3 {
		t.Errorf("billing evidence %q scored %.2f, want clearly negative", billing.Evidence, billing.Sentiment)
	}
	for _, th := range it.Themes {
		if want := s.Score(th.Evidence); th.Sentiment != want {
			t.Errorf("%s: Enrich gave %v, Score of its evidence %v", th.Name, th.Sentiment, want)
		}
	}
	if want := s.Score(rec.Title + "\n" + rec.Body); it.Sentiment != want {
		t.Errorf("record sentiment %v, want the score of title and body %v", it.Sentiment, want)
	}
}

func TestSentimentScoresOnlyEnglishAndUnknownLanguages(t *testing.T) {
	// "fast" is praise in English and "almost" in German.
	const body = "Die App ist fast unbrauchbar."
	for lang, wantScored := range map[string]bool{"": true, "en": true, "en-GB": true, "EN_us": true, "de": false, "de-AT": false, "fr": false} {
		it := &enrich.Item{
			Record: &feedback.Record{Body: body, Language: lang},
			Themes: []enrich.Theme{{Name: "usability", Evidence: body}},
		}
		if err := enrich.NewSentiment().Enrich(context.Background(), []*enrich.Item{it}); err != nil {
			t.Fatal(err)
		}
		if scored := it.Sentiment != 0 && it.Themes[0].Sentiment != 0; scored != wantScored {
			t.Errorf("language %q: sentiment %v, theme %v; want scored %v", lang, it.Sentiment, it.Themes[0].Sentiment, wantScored)
		}
	}
}

// A record that does not say its language, but whose words are plainly
// German, Spanish, French, Portuguese, Italian or Dutch, gets that language
// and no English score; short and mixed texts, and records that say their
// language, are left as they are.
func TestSentimentGuessesTheLanguageOfARecordThatDoesNotSay(t *testing.T) {
	for _, tc := range []struct{ body, lang, want string }{
		{"Die App ist fast immer langsam.", "", "de"}, // "fast" would be praise
		{"La aplicación se cierra cuando subo una foto. Perfecto.", "", "es"},
		{"L'export ne fonctionne pas depuis hier, c'est super.", "", "fr"},
		{"Não consigo exportar o relatório, já tentei muito. Great.", "", "pt"},
		{"Questo è perfetto, grazie! Il download funziona.", "", "it"},
		{"Het exporteren werkt niet meer, perfect.", "", "nl"},
		{"Danke! The export is great.", "", ""},          // one German word: English
		{"Die Hard is great, I love this film.", "", ""}, // "die" is on no list
		{"Great app, sehr gut, it is fast.", "", ""},     // as many English words
		{"Die App ist fast immer langsam.", "en", "en"},  // the record's word stands
		{"The app is fast and great.", "de-AT", "de-AT"}, // even when it looks wrong
	} {
		it := &enrich.Item{Record: &feedback.Record{Body: tc.body, Language: tc.lang}}
		if err := enrich.NewSentiment().Enrich(context.Background(), []*enrich.Item{it}); err != nil {
			t.Fatal(err)
		}
		if it.Record.Language != tc.want {
			t.Errorf("%q: language %q, want %q", tc.body, it.Record.Language, tc.want)
		}
		if scored := it.Sentiment != 0; scored != enrich.ScoresLanguage(tc.want) {
			t.Errorf("%q in %q: sentiment %v", tc.body, it.Record.Language, it.Sentiment)
		}
	}
}

// A record the lexicon does not read keeps the sentiment the LLM judged
// for it and its themes; one it reads is scored by the lexicon whatever
// the LLM said, so that every English record is scored one way.
func TestTheLLMsSentimentCountsWhereTheLexiconCannotRead(t *testing.T) {
	judged := func(body, lang string) *enrich.Item {
		return &enrich.Item{
			Record: &feedback.Record{Body: body, Language: lang},
			Themes: []enrich.Theme{
				{Name: "refunds", Evidence: "Die Rückerstattung fehlt", Sentiment: -0.6},
				{Name: "billing", Evidence: "Die Rückerstattung fehlt", Sentiment: -0.6}, // refunds' parent
				{Name: "support", Evidence: "der Support war super", Sentiment: 0.8},
			},
			Sentiment:   0.2,
			SentimentBy: "llm",
		}
	}
	german := judged("Die Rückerstattung fehlt, aber der Support war super.", "")
	english := judged("The refund is missing, but support was great.", "en")
	unjudged := judged("Die Rückerstattung fehlt, aber der Support war super.", "de")
	unjudged.SentimentBy = ""
	// Too short to guess its language, and nothing in it English.
	short := judged("La factura está mal.", "")
	shortEnglish := judged("Invoice wrong.", "")
	if err := enrich.NewSentiment().Enrich(context.Background(), []*enrich.Item{german, english, unjudged, short, shortEnglish}); err != nil {
		t.Fatal(err)
	}
	if short.Record.Language != "" || short.SentimentBy != "llm" || short.Sentiment != 0.2 || short.Themes[0].Sentiment != -0.6 {
		t.Errorf("short Spanish, judged by the LLM: language %q, by %q, sentiment %v, themes %+v; want none guessed and the LLM's scores",
			short.Record.Language, short.SentimentBy, short.Sentiment, short.Themes)
	}
	if shortEnglish.SentimentBy != "" || shortEnglish.Sentiment >= 0 {
		t.Errorf("short English: by %q, %v; want the lexicon's negative score", shortEnglish.SentimentBy, shortEnglish.Sentiment)
	}
	if german.Record.Language != "de" || german.SentimentBy != "llm" || german.Sentiment != 0.2 || german.Themes[2].Sentiment != 0.8 {
		t.Errorf("German, judged by the LLM: language %q, by %q, sentiment %v, themes %+v; want de, llm, the LLM's 0.2",
			german.Record.Language, german.SentimentBy, german.Sentiment, german.Themes)
	}
	if english.SentimentBy != "" || english.Themes[0].Sentiment == -0.6 {
		t.Errorf("English: by %q, themes %+v; want the lexicon's scores", english.SentimentBy, english.Themes)
	}
	if unjudged.SentimentBy != "" || unjudged.Sentiment != 0 || unjudged.Themes[0].Sentiment != 0 {
		t.Errorf("German, not judged: by %q, %v, %+v; want no sentiment", unjudged.SentimentBy, unjudged.Sentiment, unjudged.Themes)
	}
}

// An LLM quotes the shortest passage that shows a theme, which may be
// neutral alone ("Export to CSV"); the theme gets the score of the
// sentence that holds it, as words ("app" is not in "happy"). A passage
// that is a sentence of its own is that sentence, not a longer one that
// also holds its words; one that two sentences hold is scored alone.
func TestAPassageIsScoredAsTheSentenceItIsIn(t *testing.T) {
	s := enrich.NewSentiment()
	it := &enrich.Item{
		Record: &feedback.Record{Body: "So happy with the team, great people. The app is great and not slow. Export to CSV is painfully slow and broken. Slow. I love the refund policy. Still no refund, terrible."},
		Themes: []enrich.Theme{
			{Name: "data-export", Evidence: "Export to CSV"},
			{Name: "performance", Evidence: "Slow."},
			{Name: "mobile-app", Evidence: "app"},
			{Name: "refunds", Evidence: "refund"},
		},
	}
	if err := s.Enrich(context.Background(), []*enrich.Item{it}); err != nil {
		t.Fatal(err)
	}
	if got, want := it.Themes[0].Sentiment, s.Score("Export to CSV is painfully slow and broken."); got != want || got >= -0.3 {
		t.Errorf("passage scored %v, want its sentence's score %v, clearly negative", got, want)
	}
	if got, want := it.Themes[1].Sentiment, s.Score("Slow."); got != want {
		t.Errorf("a sentence of its own scored %v, want %v", got, want)
	}
	if got, want := it.Themes[2].Sentiment, s.Score("The app is great and not slow."); got != want {
		t.Errorf("a word scored %v, want the score of the sentence with the word %v, not of the one with %q", got, want, "happy")
	}
	if got, want := it.Themes[3].Sentiment, s.Score("refund"); got != want {
		t.Errorf("a passage in two sentences scored %v, want its own score %v", got, want)
	}
}

func TestEvidenceFromAnotherTaggerIsScoredToo(t *testing.T) {
	it := &enrich.Item{
		Record: &feedback.Record{Body: "Short body."},
		Themes: []enrich.Theme{
			{Name: "a", Evidence: "The import is painfully slow."},
			{Name: "b", Evidence: ""},
			{Name: "c", Evidence: "Short body."},
		},
	}
	if err := enrich.NewSentiment().Enrich(context.Background(), []*enrich.Item{it}); err != nil {
		t.Fatal(err)
	}
	if it.Themes[0].Sentiment >= 0 {
		t.Errorf("evidence not in the record scored %v, want negative", it.Themes[0].Sentiment)
	}
	if it.Themes[1].Sentiment != 0 || it.Themes[2].Sentiment != 0 {
		t.Errorf("empty and neutral evidence scored %v, %v; want 0", it.Themes[1].Sentiment, it.Themes[2].Sentiment)
	}
}

// Bug reports often name what went wrong with a verb of loss or of being
// thrown out rather than with a feeling ("my filters vanished", "it signs
// me out"), and praise often comes as an idiom ("top notch", "a real time
// saver"). Each sentence below scored 0, or the wrong sign, before these
// words were in the lexicon.
func TestPlainBugReportsAndIdiomaticPraiseHaveTheRightSign(t *testing.T) {
	s := enrich.NewSentiment()
	wantScore(t, s, below,
		"My saved views vanished overnight.",
		"Two weeks of comments disappeared from the board.",
		"The import wiped the notes field on every contact.",
		"Her edits were overwritten when I pressed publish.",
		"Unsaved changes are discarded without a prompt.",
		"The portal signs me out whenever I open a second tab.",
		"I keep getting logged out on the tablet.",
		"The report times out for any range longer than a quarter.",
		"Password reset sends me round in a loop.",
		"The help links go nowhere.",
		"The editor falls apart with more than a few hundred rows.",
		"The admin console is bloated.",
		"Still no way to merge duplicate accounts.",
		"The filter panel overlaps the table on a small laptop.",
		"We regret moving our team onto it.",
		"The billing portal is a joke.",
		"Reporting could be better.",
		"We are considering switching after the renewal.",
		"The invoice charged us twice.", // the README's example
		"We were double billed in March.",
	)
	wantScore(t, s, above,
		"Their onboarding team is top notch.",
		"Migrating our old boards was painless.",
		"Maria went above and beyond on our ticket.",
		"The bulk editor is a real time saver.",
		"I doubted it at first but the calendar view won me over.",
		"It does exactly what we asked for.",
		"The free plan is generous.",
		"We could not be happier with the new inbox.",
		"A Jira connector would be good to have.",
	)
}

// A word of praise that opens a sentence on its own ("Great, ...",
// "Love how ...") counts for less than the rest of the sentence, which
// says whether it was meant: in a complaint it is sarcasm.
func TestAnExclamationThatOpensASentenceDefersToTheRest(t *testing.T) {
	s := enrich.NewSentiment()
	wantScore(t, s, below,
		"Perfect, the sync timed out again.",
		"Oh wonderful - another release that logs me out.",
		"Awesome, the invoice page is broken for the third day.",
	)
	wantScore(t, s, above,
		"Great, the fix works.",
		"Perfect, thanks for the quick reply.",
		"Love how simple the new editor is.",
		"Great app, one small issue with the widget.",
	)
}

// Some negations deny nothing: "can't recommend it enough" and
// "couldn't be more pleased" are the strongest praise, "never been so
// let down" the strongest blame.
func TestNegationsThatSayTheMostDoNotFlip(t *testing.T) {
	s := enrich.NewSentiment()
	wantScore(t, s, above,
		"I cannot recommend this tool enough.",
		"Can't say enough good things about their support.",
		"We couldn't be more happy with the rollout.",
		"I have never been so impressed by a vendor.",
	)
	wantScore(t, s, below,
		"I couldn't be more disappointed with the renewal.",
		"Never been so frustrated with an update.",
		"The search is not good enough.",
		"The docs are not helpful enough for new admins.",
		"The sidebar shouldn't be so slow.",
	)
}

// A wait that a number measures is a complaint when the thing waited for
// comes before the wait too ("exporting takes 30 seconds"), and "a" or
// "an" is number enough for minutes and longer ("takes an hour to
// generate"). Viewing, editing and clicking are things software is
// expected to let people do: denied, they are failures ("see" and "pay"
// are not on the list: "I don't see any problems", "you don't pay extra").
func TestWaitsAndDeniedActionsWithoutFeelingWords(t *testing.T) {
	s := enrich.NewSentiment()
	wantScore(t, s, below,
		"Exporting the board takes 30 seconds.",
		"Syncing my calendar took over an hour yesterday.",
		"The audit report takes a minute to generate.",
		"Guests can't view the shared folder.",
		"Since Friday I can no longer edit my own comments.",
		"The checkout page won't let customers pay by invoice.",
		"Nothing happens when I click the export button, I can't click anything.",
	)
	wantScore(t, s, atLeast,
		"Exporting the board only takes a few seconds.",
		"Search takes a second to load.",
		"Setup took an hour and we were live.",
		"I don't see how any other tool compares.",
		"Please add a way to view archived projects.",
	)
}

// What the rules for the strongest negations must not catch: "not been
// so good" denies the praise, "aren't enough helpful guides" counts
// guides, and a negated "see" or "pay" is no failure of the product.
func TestNegationsThatOnlyLookLikeTheStrongest(t *testing.T) {
	s := enrich.NewSentiment()
	wantScore(t, s, below,
		"Support has not been so good lately.",
		"The app hasn't been so reliable since the update.",
		"There aren't enough helpful guides.",
	)
	wantScore(t, s, atLeast,
		"I don't see any problems with it.",
		"You don't pay extra for seats.",
	)
}

type scoreWanted int

const (
	below   scoreWanted = iota // below 0: a complaint
	above                      // above 0: praise
	atLeast                    // 0 or above: no complaint
)

// wantScore checks that each text scores as wanted.
func wantScore(t *testing.T, s *enrich.Sentiment, want scoreWanted, texts ...string) {
	t.Helper()
	for _, text := range texts {
		switch got := s.Score(text); {
		case want == below && got >= 0:
			t.Errorf("Score(%q) = %.2f, want below 0", text, got)
		case want == above && got <= 0:
			t.Errorf("Score(%q) = %.2f, want above 0", text, got)
		case want == atLeast && got < 0:
			t.Errorf("Score(%q) = %.2f, want at least 0", text, got)
		}
	}
}

// Customers ask how to cancel, downgrade or get a refund as often as they
// complain about it: a question names these without a complaint. Outside
// a question they keep their weight.
func TestAQuestionAboutCancellingOrARefundIsNoComplaint(t *testing.T) {
	s := enrich.NewSentiment()
	wantScore(t, s, atLeast,
		"How do I cancel the annual plan?",
		"Where can I check the status of my refund?",
		"Can I downgrade to the starter plan mid-cycle?",
		"Hi there, how do we get a refund for unused seats?",
		"What happens to our boards if we cancel?",
		"Will the price increase apply to annual plans too?",
	)
	wantScore(t, s, below,
		"I want a refund.",
		"The price increase is too much for a team of four.",
		"We cancelled the renewal.",
		"How do I get a refund for this broken app?", // "broken" still counts
		"Why is my refund taking so long?",
		"Where is my refund? It has been three weeks.", // chasing what is owed
		"Where's my refund?",
	)
	wantScore(t, s, atLeast,
		"Where is my cancel button?",
		"Where is my refund status page?",
		"Where are my downgrade options in settings?",
	)
}

// A problem reported solved is good news, though it names the problem:
// the trouble before a resolution in the sentence, and the one right
// after it, weigh nothing. A fix that is denied, asked for, hoped for or
// a workaround solves nothing, and "gone" without a trouble is a loss.
func TestAProblemReportedSolvedIsNoComplaint(t *testing.T) {
	s := enrich.NewSentiment()
	wantScore(t, s, above,
		"The sync issue is fixed now.",
		"Support resolved my billing problem within the hour.",
		"The crash on startup is gone since 5.2.",
		"That timeout error no longer happens.",
		"All the bugs from the beta have been fixed by now.",
		"Export was failing all week, but it got fixed this morning.",
	)
	wantScore(t, s, below,
		"The bug is still not fixed.",
		"Please fix the sync issue.",
		"Can you fix the export error?",
		"The error is supposed to be fixed in the next version.",
		"I would use it daily if the sync issue was fixed.",
		"Instead of fixing bugs they add features nobody asked for.",
		"The crash is fixed by restarting the app every morning.",
		"My saved filters are gone.",
		"The crash still happens on every launch.",
		"The bug you said was fixed is still there.",
		"They told me the sync issue was resolved last week.",
		"Support resolved nothing.",
	)
	wantScore(t, s, atLeast,
		"Has my transfer gone through yet?",
	)
}

// Praise in the past tense is a complaint about the present: "used to"
// negates and denies as "not" does.
func TestWhatUsedToBeGoodIsAComplaint(t *testing.T) {
	s := enrich.NewSentiment()
	wantScore(t, s, below,
		"The mobile app used to be fast.",
		"I used to love the weekly digest.",
		"The board used to load instantly.",
		"This used to be my favourite tool.",
	)
	wantScore(t, s, above,
		"It used to crash, now it is solid.",
		"It took a week to get used to, but I love it now.",
		"Took me a while to get used to but love it now.",
		"This feature is used to load reports quickly.",
	)
	wantScore(t, s, atLeast,
		"I got used to the new layout.",
		"The tool is used to track our inventory.",
	)
}

// What the product keeps doing is a complaint ("keeps asking me to log
// in"); what it keeps, or keeps getting, is not, nor is a request.
func TestWhatItKeepsDoingIsAComplaint(t *testing.T) {
	s := enrich.NewSentiment()
	wantScore(t, s, below,
		"The banner keeps reappearing after I dismiss it.",
		"The app kept resetting my filters.",
		"It keeps prompting me for the password.",
	)
	wantScore(t, s, above,
		"The app keeps getting better.",
	)
	wantScore(t, s, below,
		"Support keeps being unhelpful.",
		"Great app, it keeps logging me out every hour.", // praise, and blame besides
	)
	// What it keeps being is what it is.
	if kept, is := s.Score("Support keeps being helpful."), s.Score("Support is helpful."); kept < is {
		t.Errorf("keeps being helpful %.2f, below is helpful %.2f", kept, is)
	}
	wantScore(t, s, atLeast,
		"It keeps me organised.",
		"Please keep the compact view.",
		"Keep it up!",
		"Do you keep backups of deleted boards?",
		"I keep coming back to it.",
		"We hope they keep adding integrations.",
	)
}

// A thing done twice, or a number of times, is a complaint told flatly;
// how often something is meant to happen, or how much faster it is, is
// not.
func TestARepeatToldFlatlyIsAComplaint(t *testing.T) {
	s := enrich.NewSentiment()
	wantScore(t, s, below,
		"The welcome email went out twice.",
		"The webhook is delivered 3 times for each event.",
		"Our standup reminder pops up four times.",
	)
	wantScore(t, s, atLeast,
		"The digest goes out twice a week.",
		"Backups run three times per day.",
		"The new importer is five times faster.",
		"We work across three time zones.",
		"How many times can I retry a payment?",
		"You never have to enter the code twice.",
		"No need to approve it three times any more.",
	)
	// Beside praise a number of times is how much it is liked: it takes
	// nothing from the praise. After a sarcastic opener or a contrast the
	// repeat still tells.
	for _, pair := range [][2]string{
		{"I used it five times this week and love it.", "I used it this week and love it."},
		{"The app keeps delivering great updates.", "The app delivers great updates."},
		{"I have recommended it to colleagues three times already.", "I have recommended it to colleagues already."},
	} {
		if with, without := s.Score(pair[0]), s.Score(pair[1]); with < without {
			t.Errorf("%q %.2f, below %q %.2f", pair[0], with, pair[1], without)
		}
	}
	wantScore(t, s, below,
		"Great, the reminder fires three times.",
		"Love the app, but the reminder fires three times.",
	)
}

// A control that cannot be used is a complaint told without feeling.
func TestAGreyedOutControlIsAComplaint(t *testing.T) {
	s := enrich.NewSentiment()
	wantScore(t, s, below,
		"The Publish button is greyed out for editors.",
		"Merge is grayed out on shared boards.",
		"The renewal price is outrageous.",
	)
	wantScore(t, s, above,
		"The new importer works like a charm.",
	)
}

// A denied action's negation goes on to praise of how it should happen
// ("doesn't load quickly"), not to blame that follows it ("don't log in
// and it crashes").
func TestADeniedActionNegatesHowItShouldHappen(t *testing.T) {
	s := enrich.NewSentiment()
	wantScore(t, s, below,
		"The board doesn't load quickly any more.",
		"It used to sync smoothly.",
		"When I don't sign in it crashes.",
		"Thumbnails never load or take forever to load.",
	)
	wantScore(t, s, above,
		"It didn't load at first but the support was excellent.",
	)
}

// Idioms of praise and disappointment that no word of them carries.
func TestIdiomsOfValueAndDisappointment(t *testing.T) {
	s := enrich.NewSentiment()
	wantScore(t, s, below,
		"Honestly not what we expected from a paid plan.",
		"The template pack is not as advertised.",
	)
	wantScore(t, s, above,
		"Pricey, but worth every cent.",
		"Search results appear instantly.",
		"The import finished on the first try.",
		"The team plan is worth the money.",
	)
}

// Being charged for something is told when the charge is wrong; how
// billing works is not.
func TestWhatACustomerWasChargedForIsAComplaint(t *testing.T) {
	s := enrich.NewSentiment()
	wantScore(t, s, below,
		"They charged us for seats we removed in March.",
		"We were billed for 30 users, we have 9.",
		"They raised the price without notice.",
		"Great, we were billed for 40 seats.",
	)
	wantScore(t, s, atLeast,
		"You are billed for active users only.",
		"How much will I be charged for extra seats?",
		"Can you change the billing date without notice?",
	)
	// Told beside praise, a charge is no complaint.
	if with, without := s.Score("We were billed for the annual plan, great value."), s.Score("We took the annual plan, great value."); with < without {
		t.Errorf("a charge beside praise %.2f, below the praise alone %.2f", with, without)
	}
}

// A flat repeat that a resolution already took back is not taken back
// again beside praise: the praise adds no more than it does without the
// repeat.
func TestSentimentTakesAFlatRepeatBackOnce(t *testing.T) {
	s := enrich.NewSentiment()
	with := s.Score("The export error that kept logging me out no longer happens, nice.")
	without := s.Score("The export error that logged me out no longer happens, nice.")
	if with > without+1e-9 {
		t.Errorf("with the repeat %.3f, above %.3f without it", with, without)
	}
}

// Praise in a clause a concession makes little of does not excuse a
// charge told in the main clause: the charge still takes from the score.
func TestSentimentConcededPraiseExcusesNoCharge(t *testing.T) {
	s := enrich.NewSentiment()
	for _, pair := range [][2]string{
		{"Although the support team is lovely, we were charged for the annual plan.", "Although the support team is lovely, we took the annual plan."},
		{"Despite the nice new dashboard, I got charged for two extra seats.", "Despite the nice new dashboard, I got two extra seats."},
	} {
		if with, without := s.Score(pair[0]), s.Score(pair[1]); with >= without {
			t.Errorf("%q %.2f, not below %q %.2f", pair[0], with, pair[1], without)
		}
	}
	wantScore(t, s, below, "Despite the nice new dashboard, I got charged for two extra seats.")
}

// Customers say much without words: an emoji, an emoticon, a sentence
// shouted in capitals. Each below scored 0, or the wrong sign, while the
// scorer read words only.
func TestEmojiEmoticonsAndShoutingCount(t *testing.T) {
	s := enrich.NewSentiment()
	wantScore(t, s, below,
		"The new icons 👎",
		"Update ate my notes 😢",
		"the reminder went off at 3am 😩",
		"Another outage today 😠",
		"Still nothing from support :(",
		"FIX THE SYNC ALREADY",
		"I WANT MY MONEY BACK",
		"PLEASE RESPOND TO MY TICKET.",
		// 🔥 is a fire where the sentence complains.
		"Prod has been on fire since your release 🔥 nothing loads",
	)
	wantScore(t, s, above,
		"Offline mode 😍",
		"The new widgets ❤️",
		"new update is 🔥🔥🔥",
		"Finally a calendar that syncs 🎉",
		"Export works again :)",
		"Thanks so much! :D",
		"Thanks for the help 🙏",
		"👍",
	)
	wantScore(t, s, atLeast,
		"Please add Outlook sync 🙏", // a plea, not thanks
		"THANK YOU SO MUCH",         // shouted thanks are no complaint
		"We use SSO via AD.",        // two words in capitals are no shout
		"The call is at 10:30: see https://example.com/a:b (Pros: fast)",
		"Note:Do not forget the VAT ID.",
	)
	// Some write all in capitals: a shouted question is no complaint by
	// itself, an imperative is.
	wantScore(t, s, atLeast,
		"HOW DO I TRANSFER MONEY FROM MY ACCOUNT?",
		"WHAT ARE YOUR OPENING HOURS",
	)
	wantScore(t, s, below, "DO NOT BUY THIS", "WHY DOES IT LOG ME OUT EVERY HOUR")
	// Shouting stresses what the words say.
	if shouted, said := s.Score("THE APP IS SLOW"), s.Score("The app is slow"); shouted >= said {
		t.Errorf("shouted %.2f, not below said %.2f", shouted, said)
	}
	// The mark counts in its sentence, for the theme whose evidence that
	// sentence is, as for the record.
	it := &enrich.Item{
		Record: &feedback.Record{Title: "Icons", Body: "I like the colours. The new icons 👎"},
		Themes: []enrich.Theme{{Name: "visual-design", Evidence: "The new icons 👎"}},
	}
	if err := s.Enrich(context.Background(), []*enrich.Item{it}); err != nil {
		t.Fatal(err)
	}
	if got, want := it.Themes[0].Sentiment, s.Score("The new icons 👎"); got != want || got >= 0 {
		t.Errorf("theme scored %.2f, want the score of its sentence %.2f, below 0", got, want)
	}
}

// "The fix" names a thing, not a problem solved: it is good news only if
// nothing bad follows it in the sentence, and the trouble after it is no
// target of it unless "for" says so.
func TestAFixNamedAsAThingIsGoodNewsOnlyIfNothingBadFollows(t *testing.T) {
	s := enrich.NewSentiment()
	wantScore(t, s, below,
		"The latest fix introduced a new bug.",
		"Since the fix the app crashes on launch.",
		"Your fix made the sync issue worse.",
	)
	wantScore(t, s, above,
		"The fix works, thanks!",
		"The fix for the login bug works great.",
		"The latest fix solved our sync problem.",
		"Thanks for the quick fix!",
	)
	if worse, bad := s.Score("The fix made the error worse."), s.Score("The error got worse."); worse > bad {
		t.Errorf("a fix that made it worse %.2f, above the bad news alone %.2f", worse, bad)
	}
}

// A trouble that comes back is a complaint, though the sentence reported
// it gone; something good that is back is not.
func TestATroubleThatComesBackIsAComplaint(t *testing.T) {
	s := enrich.NewSentiment()
	wantScore(t, s, below,
		"The problem is gone after reinstalling, but it comes back.",
		"The crash was fixed in 2.1 but it is back in 2.2.",
		"The login bug was gone for a week, but now it's back.",
		"After the update my deleted cards reappeared.",
	)
	wantScore(t, s, above,
		"The crash is gone and hasn't come back.",
		"The bug is fixed and the old speed is back, great.",
		"Support fixed my billing problem and the dark mode toggle is back.",
	)
	wantScore(t, s, atLeast,
		"I keep coming back to it.",
		"The dark mode toggle is back.",
		"Support came back to me within an hour.",
	)
}

// What the product or its makers took away is a loss, and thanks for it
// are sarcasm: thanks that open a sentence defer to what they are for.
// What customers remove themselves, or ask to have removed, is not.
func TestWhatWasTakenAwayIsALossAndThanksForItSarcasm(t *testing.T) {
	s := enrich.NewSentiment()
	wantScore(t, s, below,
		"Thanks for removing the only feature I used.",
		"Thank you for the update that deleted all my tags.",
		"You removed the list view.",
		"The sync deleted my notes again.",
		"They killed the free plan.",
		"You removed the list view and now I have to scroll through cards.",
	)
	wantScore(t, s, above,
		"Thanks for the quick reply!",
		"Thank you for the new calendar view, it is great.",
		// A nuisance taken away is no loss.
		"Thanks for removing the ads!",
		"They removed the limit on exports, great.",
	)
	wantScore(t, s, atLeast,
		"You removed the watermark from exports.",
		"The update deleted the popup on launch.",
		// The blame is of what is gone.
		"Thanks for removing the annoying popup!",
		"The update removed the bug that logged me out.",
		"I removed the widget and added it again.",
		"Can you delete my old account?",
		"Please remove the banner from the login page.",
		"How do I delete a board?",
		"When I remove a channel its stats go too.",
	)
}

// A figure the product shows that the customer's own figure contradicts
// is a complaint, though no word of it carries a feeling.
func TestAFigureTheCustomerContradictsIsAComplaint(t *testing.T) {
	s := enrich.NewSentiment()
	wantScore(t, s, below,
		"The dashboard shows 12 users, we have 40.",
		"Report says 3 open tickets but there are at least 20 in the queue.",
		"Analytics reports 1,200 visits while Google shows 300.",
		"Our team page lists 8 members, there are 5 of us.",
		"It says I have 2 seats left, we bought 10.",
		"Sprint velocity shows 0 even though we closed 14 stories.",
	)
	wantScore(t, s, atLeast,
		"The dashboard shows 12 users and 3 admins.",
		"The export lists 1,200 rows.",
		"The report shows 3 charts, 2 of them new.",
		"We have 12 seats, 3 of us are admins.",
		"It shows 40 users. We have 40 users.",
		"The dashboard shows 12 users, we have 12 users too.",
		"The report shows 3 open tickets, and we closed 2 of them today.",
	)
}

// Idioms of churn, silence, ratings and plain praise that no word of
// them carries, and "renew" as something a customer may refuse to do.
func TestIdiomsOfChurnSilenceAndPlainPraise(t *testing.T) {
	s := enrich.NewSentiment()
	wantScore(t, s, below,
		"Great, another redesign nobody asked for.",
		"Cool, so now I have to pay to export my own data?",
		"Now we need three clicks to archive a card.",
		"Two weeks and still no reply.",
		"They closed the ticket without an answer.",
		"Would give zero stars if I could.",
		"One star, it logs me out daily.",
		"We will not be renewing.",
		"Nothing special.",
		"Beautiful icons, shame about the battery drain.",
	)
	wantScore(t, s, above,
		"Does the job.",
		"It does what it says.",
		"The API is a pleasure to work with.",
	)
	wantScore(t, s, atLeast,
		"When do I need to renew the plan?",
		"You don't need to renew anything, it renews itself.",
	)
}

// One word of praise alone after a complaint is sarcasm.
func TestAWordOfPraiseAloneAfterAComplaintIsSarcasm(t *testing.T) {
	s := enrich.NewSentiment()
	wantScore(t, s, below,
		"A whole week without a reply. Impressive.",
		"The app crashed during my demo. Brilliant.",
	)
	wantScore(t, s, above,
		"The export works again. Brilliant.",
		"Support fixed it. Great.",
		"The app crashed once. Support was great.",
	)
}

// A short praise closing a sentence after a strong complaint, set apart
// by a comma, is sarcasm; praise of something named, after a contrast or
// a mild complaint is not.
func TestAPraiseClosingAComplaintIsSarcasm(t *testing.T) {
	s := enrich.NewSentiment()
	wantScore(t, s, below,
		"The export has been broken since Monday, brilliant.",
		"Sync wiped my contacts again, nice work.",
		"The app crashed twice in the meeting, very helpful.",
		"My invoice was wrong again, just perfect.",
		// The complaint is a plain fact of what support or pricing did.
		"The agent closed my case without even reading it, great job.",
		"Yet another price increase with no warning, lovely.",
		"Had to reinstall three times before it opened, super convenient.",
	)
	wantScore(t, s, above,
		"The login bug is fixed, great job.",
		"The agent answered before I finished typing, great job.",
		"A bit expensive, very useful.",
		"Search was broken last week, perfect now.",
		"Onboarding is confusing, great support though.",
		"Dark mode is missing, otherwise great.",
	)
}

// A comparison that reports a change weighs as what it reports; one asked
// for is a request.
func TestAComparisonReportsAChange(t *testing.T) {
	s := enrich.NewSentiment()
	wantScore(t, s, below,
		"Your last fix made it slower.",
		"Reports load slower than they did in March.",
		"Since 4.2 syncing takes twice as long.",
		"The new menu is harder to use.",
	)
	wantScore(t, s, above,
		"Search is way faster since the update.",
		"Invoicing is so much easier now.",
	)
	wantScore(t, s, atLeast,
		"Can the voice speak slower, please?",
		"Please make the animation slower.",
	)
}
