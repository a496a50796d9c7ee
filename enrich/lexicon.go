package enrich

// The sentiment lexicon: words and phrases weighted by the feeling they
// carry in feedback about software, from -4 (furious) to +4 (delighted).
// It was written for this project from how customers talk about products
// (bugs, speed, price, support), not taken from a general-purpose list, so
// product words like "crash", "laggy" or "seamless" carry weight while
// everyday words that mislead in feedback do not: "like" is mostly "looks
// like", "fix" is both the complaint and the thanks, "please" introduces
// requests of any mood.
//
// Entries are stemmed like the text (see stem), so one form of a word
// stands for all of them: "crash" covers "crashes", "crashing", "crashed".
// Two entries that stem alike are a mistake, which a test catches.
// Phrases win over the words inside them: "would love" is a polite request
// (+0.5), not "love" (+3); "not worth" is one complaint, not a negated word.
var lexicon = []struct {
	weight float64
	terms  []string
}{
	{+3.5, []string{
		"excellent", "amazing", "awesome", "fantastic", "brilliant", "outstanding",
		"superb", "wonderful", "phenomenal", "flawless", "love it", "love this",
		"game changer", "lifesaver", "life saver", "worth every penny",
		"worth every cent",
	}},
	{+3, []string{
		"love", "great", "perfect", "incredible", "impressive", "impressed",
		"beautiful", "delighted", "delightful", "thrilled", "best", "kudos",
		"works great", "works perfectly", "great job", "big fan", "huge fan",
		"would recommend", "highly recommend", "keep up the good work", "a joy",
		"top notch", "above and beyond", "couldn't be happier", "could not be happier",
		"couldn't be better", "could not be better", "couldn't be easier", "could not be easier",
	}},
	{+2.5, []string{
		"helpful", "intuitive", "seamless", "elegant", "valuable", "happy",
		"recommend", "grateful", "excited", "favorite", "favourite", "user friendly",
		"works well", "just works", "well done", "nice work", "good job",
		"good value", "worth it", "worth the money", "worth the price",
		"thanks a lot", "saves time", "saves us",
		"big improvement", "easy to use", "fan of", "time saver", "timesaver",
		"won me over", "painless", "like a charm",
	}},
	{+2, []string{
		"good", "nice", "solid", "useful", "handy", "easy", "straightforward",
		"smooth", "fast", "snappy", "responsive", "reliable", "robust", "powerful",
		"flexible", "convenient", "polished", "sleek", "slick", "glad", "satisfied",
		"enjoy", "appreciate", "fun", "cool", "neat", "wow", "yay", "affordable",
		"friendly", "knowledgeable", "thank you for", "many thanks for", "much improved",
		"has improved", "no complaints", "can't wait", "must have", "clean",
		// Comparisons that report a change seen, not one asked for.
		"much faster", "so much faster", "way faster", "a lot faster", "faster now",
		"much easier", "so much easier", "a lot easier", "easier now",
		"generous", "trustworthy", "exactly what i", "exactly what we",
		"exactly what it", "exactly what they", "exactly what you",
		"does the job", "did the job", "gets the job done", "does what it says",
		"a pleasure",
	}},
	{+1.5, []string{
		"thanks for", "decent", "simple", "quick", "stable", "better",
		"answered my question", "that helped", "works now",
		"accurate", "fair price", "value for money", "works fine", "no problem",
		"no issues", "fortunately", "sweet", "instantly", "first try",
		"works as expected", "trust",
	}},
	{+1, []string{
		"fine", "okay", "ok", "improvement", "efficient", "consistent",
	}},
	{+0.5, []string{
		"would love", "i'd love", "we'd love", "would be great", "would be awesome",
		"would be nice", "would be helpful", "would be useful", "would be good",
	}},
	{-0.5, []string{
		"wish", "sorry", "confusing at first", "meh", "wait",
	}},
	{-1, []string{
		"issue", "problem", "error", "exception", "outdated", "refund", "downgrade",
		"missing", "limited", "concern", "inconvenient", "duplicate", "delay",
		"too many", "too much", "asap", "forever", "steep", "pain point", "risk",
		"no option", "gripe", "quirk", "too easy",
	}},
	{-1.5, []string{
		"slow", "lag", "bug", "glitch", "clunky", "messy", "clutter", "expensive",
		"pricey", "difficult", "complicated", "unable to", "not able to", "can't find", "not available",
		"hard to", "difficult to", "inconsistent", "clumsy", "awkward", "overwhelming",
		"lack", "leak", "drain", "urgent", "critical", "unfortunately", "worried",
		"needs improvement", "needs work", "not enough", "no way to", "out of sync",
		"cancel", "cancelled", "pain", "weird", "strange", "wonky", "pity",
		"cheapens", "takes long", "took long", "takes so long", "took so long",
		"takes too long", "took too long", "takes a long time", "took a long time",
		"takes longer", "took longer", "twice as long", "harder to", "more difficult",
		"less reliable", "less stable",
		"takes a while", "took a while", "overlap", "bloated", "still no", "regret",
		"is a joke", "could be better", "considering switching", "thinking of switching",
		"thinking about switching", "greyed out", "grayed out",
		// A change that makes work, and silence, told without a feeling.
		"now i have to", "now we have to", "now you have to", "now i need",
		"now we need", "no reply", "no response", "no answer", "without a reply",
		"without a response", "without an answer", "nothing special", "shame",
	}},
	{-2, []string{
		"bad", "poor", "annoying", "annoyance", "confusing", "confusion", "sluggish",
		"unavailable",
		"laggy", "buggy", "frozen", "unstable", "flaky", "outage", "downtime",
		// "Slower" reported, not asked for ("speak slower, please").
		"slower than", "much slower", "way slower", "even slower", "a lot slower",
		"so much slower", "got slower", "gets slower", "is slower",
		"are slower", "was slower", "is now slower", "became slower", "slower and slower",
		"made it slower", "makes it slower", "made everything slower", "runs slower",
		"loads slower", "slower now", "noticeably slower", "significantly slower",
		"buggier", "laggier", "clunkier", "harder to find", "harder to use",
		"fail", "failure", "wrong", "incorrect", "inaccurate", "dislike", "ugly",
		"tedious", "cumbersome", "lost", "lose", "stuck", "spam", "sad", "mediocre",
		"underwhelming", "impossible", "overpriced", "complain", "complaint",
		"refuse", "went wrong", "something went wrong", "hard to find", "gave up",
		"give up", "fell short", "falls short", "let down", "janky", "unsatisfied",
		"ignored", "broke", "breaks", "can't access", "can't log in", "can't login",
		"can't figure out", "blocker", "mess", "does nothing", "black screen",
		"blank screen", "nothing happens", "irritating", "shady", "abandoned", "glitchy", "dangerous",
		"takes ages", "took ages", "step backwards",
		"garbled", "corrupted", "truncated", "cut off", "misaligned", "flaw",
		"vanish", "disappear", "wiped", "overwritten", "discarded", "log me out",
		"logged out", "kick me out", "kicked out", "sign me out", "times out",
		"in a loop", "lead nowhere", "go nowhere", "goes nowhere", "falls apart",
		"fell apart", "riddled with", "reappear", "resurface",
		"nobody asked for", "no one asked for", "zero stars", "0 stars", "no stars",
		"one star", "1 star", "shame about", "a shame",
		// Support that did not do its part, told as a plain fact.
		"without reading", "without even reading", "without looking", "without even looking",
		"price hike",
	}},
	{-2.5, []string{
		"crash", "broken", "freeze", "frustrating", "frustration", "disappointed",
		"disappointment", "worse", "unreliable", "unresponsive", "unhelpful",
		"painful", "pointless", "ridiculous", "absurd", "upset", "unhappy",
		"dissatisfied", "not worth", "hard to use", "difficult to use", "letdown",
		"tired of", "takes forever", "took forever", "not working", "doesn't work",
		"don't work", "didn't work", "isn't working", "wasn't working", "won't work",
		"stopped working", "no longer works", "never works", "waste", "insecure",
		"vulnerable", "still waiting", "deal breaker", "dealbreaker", "showstopper",
		"stupid", "locks up", "force close", "uninstall", "thanks for nothing",
		"outrageous", "not what i expected", "not what we expected",
		"not as described", "not as advertised",
	}},
	// Customers tell what they were charged for when it is wrong: "we were
	// billed for 25 seats, we have 12", "I got charged for the annual plan"
	// (unless they praise it: see chargedFor).
	{-1.5, chargedFor},
	{-1.5, []string{"without notice", "without any notice", "without warning", "without any warning",
		"with no warning", "with no notice", "had to reinstall", "price increase"}},
	{-3, []string{
		"hate", "useless", "nightmare", "trash", "junk", "sucks", "unacceptable",
		"rude", "angry", "furious", "hacked", "breach", "overcharged",
		"charged twice", "double charged", "keeps crashing", "keeps freezing",
		"charged us twice", "charged me twice", "billed twice", "billed us twice",
		"billed me twice", "double billed",
		"keeps failing", "waste of time", "data loss", "sick of", "fed up",
		"wtf", "ugh", "argh",
	}},
	{-3.5, []string{
		"terrible", "horrible", "awful", "worst", "unusable", "garbage", "disaster",
		"hate it", "rip off", "ripoff", "waste of money", "lost my data",
		"lost all my", "scam", "never again",
	}},
}

// courtesies are greetings, sign-offs and openers that hold a word of
// the lexicon but no feeling about the product: without them every ticket
// signed "Best regards" or "Thanks, Jane" or opened "Good morning" would
// lean to praise, and "The export fails. Thanks" would score as such.
// They weigh nothing and, like any phrase, win over the words inside them.
// Thanks for something ("thanks for the quick fix") is praise, above.
var courtesies = []string{
	"gone through", // not a resolution (see resolutions): "has my card gone through"
	"best regards", "kind regards", "warm regards", "warmest regards", "best wishes",
	"all the best", "good morning", "good afternoon", "good evening", "good day",
	"have a great day", "have a good day", "have a nice day", "have a great weekend",
	"have a good weekend", "have a nice weekend", "hope all is good", "hope all is well",
	"hope you are well", "hope you're well", "hope you are doing well",
	"hope you're doing well", "quick question", "great question", "good question",
	"thanks for your time", "thank you for your time", "thanks", "thank you",
	"many thanks", "thanks in advance", "thank you in advance", "thx",
}

// resolution is the weight of a problem reported solved: a word of
// resolutions that is neither denied ("still not fixed" is a failure, see
// failure) nor asked for ("please fix", "can you fix it", "is it fixed
// yet?"; see scorer.asksFor). It also takes back what the negative words
// before it in the sentence, since its last contrast, added ("the sync
// issue is resolved now"), and the troubles up to resolvedScope words
// after it in its clause weigh nothing ("support fixed my billing
// problem"; not "what was fixed shows all the ways it crashes"). "Gone"
// is a resolution only after a trouble ("the crash is gone"); before any
// it is a loss ("my saved views are gone").
const (
	resolution    = 1.5
	lost          = -2
	resolvedScope = 4 // words
	removalScope  = 5 // words after a removal that say what it removed (see scorer.removesBad)
)

// resolutions report a problem solved, unless denied or asked for. Stems
// lose the tense, so "fix" is "fixed" too; asksFor tells them apart.
var resolutions = []string{"fix", "resolve", "solve", "gone"}

// fixers before a word of resolutions make it a thing ("the fix",
// "your latest fix") rather than a report that
// something was fixed: good news only if the rest of its sentence brings
// no bad ("the fix made the error worse", "since the fix the app is
// slower").
var fixers = []string{
	"the", "this", "that", "your", "their", "our", "latest", "last", "new",
	"recent",
}

// sarcasmTails are the words of a short praise that closes a sentence
// after a complaint, set apart by a comma: "Export has been broken for a
// week now, brilliant", "Support closed my ticket without reading it,
// great job", "Had to reinstall twice, super convenient". Praise of
// something named ("great support", "perfect now", "but brilliant") is
// no such tail.
var sarcasmTails = []string{
	"great", "good", "nice", "job", "work", "well", "done", "brilliant", "wonderful",
	"fantastic", "awesome", "amazing", "perfect", "lovely", "impressive", "excellent",
	"bravo", "genius", "super", "very", "really", "so", "just", "helpful",
	"convenient", "thanks", "thank", "you", "a", "lot", "much", "cool", "one",
}

// comeBack before "back" tell of a trouble that returned, where the
// sentence named one: "the notification bug is back", "the problem is
// gone after reinstalling, but it comes back". Such a return weighs as
// a loss does.
var comeBack = []string{"is", "are", "its", "was", "were", "be", "been", "come", "came"}

// removals, done by one of removers or thanked for, are a loss, weighed
// as lost: "you removed the list view", "the update deleted all my
// tags", "thanks for removing the only feature I used" (see
// scorer.takesAway). Asked for ("can you delete it?", "please remove
// the banner") or done by the customer ("I removed the widget") they are
// not.
var removals = []string{"remove", "removed", "delete", "deleted", "erase", "erased", "kill", "killed"}

// nuisances are what a customer is glad to see removed: "thanks for
// removing the ads", "they removed the export limit". A removal of one of
// them, or of anything a word of the lexicon blames ("the update removed
// the annoying banner"), is no loss (see scorer.takesAway).
var nuisances = []string{
	"ad", "ads", "advert", "adverts", "advertising", "popup", "popups", "banner", "banners",
	"limit", "limits", "cap", "paywall", "watermark", "nag", "nags", "spam", "tracking",
	"trackers", "clutter", "bloat", "bloatware", "bug", "bugs", "glitch", "glitches",
	"lag", "captcha", "captchas", "restriction", "restrictions", "fee", "fees",
}

var removers = []string{
	"you", "they", "update", "upgrade", "release", "version", "migration",
	"sync", "app", "it", "that", "which",
}

// shows give a figure a customer may say is wrong ("the dashboard shows
// 12 users, we have 40"); turns, or a comma, lead to the figure that
// contradicts it, which a word of ownFigures or of shows comes with ("we
// have 40", "there are 5 of us", "Google shows 300"). See
// scorer.contradicted; "shows 12 users and 3 admins" is no mismatch.
var (
	shows      = []string{"show", "say", "list", "report", "display", "count"}
	turns      = []string{"but", "while", "whereas", "though", "although", "yet", "however"}
	ownFigures = []string{"we", "i", "there", "our", "us", "actually", "really", "real", "should"}
)

// happens, denied after a trouble, report it solved as a resolution does:
// "the export error no longer happens", "the crash hasn't happened since".
var happens = []string{"happen", "occur", "recur"}

// troubles are the entries that name a problem a resolution can solve.
var troubles = []string{
	"issue", "problem", "error", "exception", "bug", "glitch", "crash",
	"freeze", "outage", "downtime", "lag", "leak", "delay", "blocker",
	"flaw", "quirk", "gripe", "concern", "complaint",
}

// thanksFor open a sentence that says what the thanks are for, and
// that decides: "Thanks for the quick reply" is praise, "Thank you for
// the update that deleted all my tags" sarcasm. Such an opener is
// weighed like an exclamation (see scorer.exclaims).
var thanksFor = []string{"thanks for", "thank you for", "many thanks for"}

// chargedFor tells a charge flatly: a complaint, unless the sentence
// praises something ("we were billed for exactly what the quote said,
// very transparent"), as a repeat is (see scorer.flat).
var chargedFor = []string{
	"was charged for", "were charged for", "got charged for", "been charged for",
	"was billed for", "were billed for", "got billed for", "been billed for",
	"charged me for", "charged us for", "billed me for", "billed us for",
}

// pleas up to three words before a resolution ask for it rather than
// report it.
var pleas = []string{
	"please", "pls", "plz", "can", "could", "would", "will", "should",
	"must", "need", "want", "hope", "try", "going", "a", "an", "any", "for",
	"how", "why", "unable", "fail", "tried", "what", "instead", "be",
	"supposed",
}

// conditions anywhere before a resolution in its clause make it a hope
// or someone else's claim: "I would use it daily if the sync issue was
// fixed", "the bug you said was fixed is still there".
var conditions = []string{
	"if", "unless", "until", "once", "when", "hope", "wish",
	"said", "claimed", "claim", "told", "supposedly", "apparently", "allegedly",
}

// agents are who or what solves a problem after "fixed by"; any other word
// there names a workaround (see scorer.worksAround).
var agents = []string{
	"the", "a", "an", "this", "that", "their", "your", "our", "you", "them",
	"support", "team", "dev", "devs", "developer", "developers", "staff",
	"update", "version", "release", "patch", "latest", "new", "last",
	"now", "then",
}

// asks are entries that name what a customer may ask how to do, as well
// as complain of: "How do I cancel my plan?" and "Where can I see my
// refund status?" are questions, not complaints. In a sentence where a
// clause opens with a word of questions they weigh nothing; elsewhere
// they keep their weight ("I want a refund", "we cancelled the renewal").
var asks = []string{
	"cancel", "cancelled", "refund", "downgrade",
	"without notice", "without any notice", "without warning", "without any warning",
	"price increase", "price hike", // "Will the price increase apply to annual plans?"
}

// questions open a question when they open a clause. "Why" is not one of
// them: "why is my refund taking so long" is most often a complaint.
var questions = []string{
	"how", "where", "what", "which", "who", "can", "could", "do", "does",
	"is", "are", "will", "would",
}

// negations flip and soften the next sentiment within negationScope words
// of the same clause: "not good" is mildly negative, "doesn't crash" mildly
// positive. Apostrophes are gone by the time words are compared, so "don't"
// and the common "dont" are one entry.
var negations = []string{
	"not", "no", "never", "nothing", "nobody", "neither", "nor", "without",
	"cannot", "cant", "dont", "doesnt", "didnt", "isnt", "wasnt", "arent",
	"werent", "wont", "wouldnt", "shouldnt", "couldnt", "havent", "hasnt",
	"hadnt", "aint", "barely",
}

// failure is the weight of a denied action, a word of functions after a
// negation: "won't load", "can't search", "doesn't sync" are complaints
// though no word in them carries a feeling. Only the negations that deny
// an action count (softNegations do not: "no need to sign in" is not a
// failure), and so do halts, which say that something stopped: "stopped
// loading", "no longer syncs". A function word carries no weight unless
// one of these comes within negationScope words before it in the same
// clause.
const failure = -1.5

// functions are what people expect software (or a delivery) to do.
var functions = []string{
	"load", "reload", "open", "launch", "start", "restart", "run", "work",
	"function", "respond", "play", "stream", "show", "display", "appear",
	"render", "save", "download", "upload", "sync", "synch", "connect", "send",
	"receive", "update", "refresh", "search", "log", "login", "sign", "install",
	"clear", "close", "let", "allow", "support", "import", "export",
	"print", "scroll", "submit", "post", "report", "interact", "resume", "pause",
	"notify", "accept", "recognize", "recognise", "detect", "arrive",
	"verify", "unlock", "pair", "reply", "finish", "keep",
	"mark", "track", "stay", "match", "charge", "generate", "view",
	"edit", "click", "kept", "renew",
}

// repeat is the weight of something the product keeps doing: "it keeps
// asking me to log in", "the sidebar kept collapsing", "the reminder
// fires three times" (see scorer.repeats). "Keep" or "kept" before a
// verb says it happens again and again, and in feedback what happens
// again and again is a complaint. Before a word of keptObjects it says no
// such thing, and asked for ("please keep adding") or opening its clause
// ("Keep it up") it is a request.
const repeat = -1.5

// often after "twice" or "N times" make it a frequency or a comparison,
// not a repeat: "twice a week", "three times per day", "twice as fast".
var often = []string{
	"a", "an", "per", "as", "the", "each", "every", "daily", "weekly",
	"monthly", "yearly", "faster", "quicker", "cheaper", "better", "more",
	"less", "bigger", "larger", "higher", "longer", "over", "what",
}

// keptObjects after "keep" or "kept" make it no repeat.
var keptObjects = []string{
	"the", "a", "an", "my", "your", "our", "their", "his", "her", "its",
	"it", "me", "us", "them", "you", "him", "this", "that", "these", "those",
	"everything", "all", "things", "up", "in", "on", "track", "going",
	"getting", "improving", "working", "growing", "coming", "being",
}

// softNegations are the negations that do not deny an action (see
// failure).
var softNegations = []string{"no", "neither", "nor", "without", "barely"}

// halts make a following function word a failure without negating
// anything else: "no longer crashes" is still praise.
var halts = []string{"stop", "longer"}

// obligations end a denial: "you never have to sign in again" is praise.
var obligations = []string{"have", "need"}

// slowness is the weight of a wait that a number measures: "takes 35
// seconds to load", "took 3 days to arrive", "waited two weeks for a
// reply". It needs a word of takes (which may weigh too: "wait"),
// then a number (digits, or a word of counts) and a word of durations
// within durationScope words, then a word of functions within
// durationScope words after that, all in one sentence; a word of quick
// on the way ("only takes 5 seconds to load", "under a minute") cancels
// it. Without a function word the wait is no complaint: "setup took 10
// minutes". Nor is a wait of one or two seconds ("takes 2 seconds to
// sync"): a word of few before seconds makes none, though it does before
// minutes or days ("took 2 days to arrive"), as does "a" or "an" right
// before one ("takes an hour to load"). A function word up to
// durationScope words before the word of takes serves as well as one
// after the duration: "exporting the board takes 30 seconds".
const slowness = -1.5

// durationScope is how many words may come between a word of takes and
// the duration, and between the duration and the function word.
const durationScope = 4

var (
	takes     = []string{"take", "took", "taken", "wait"}
	counts    = []string{"3", "4", "5", "6", "7", "8", "9", "10", "20", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "fifteen", "twenty", "thirty", "forty", "fifty", "sixty", "ninety", "hundred", "several", "multiple"}
	few       = []string{"1", "2", "one", "two"}
	seconds   = []string{"second", "sec", "secs"}
	durations = []string{"minute", "min", "mins", "hour", "hr", "hrs", "day", "week", "month"}
	quick     = []string{"only", "just", "under", "less", "few", "couple", "within", "mere"}
)

// intensifiers scale the next sentiment within two words; below 1 they
// soften it ("a bit slow").
var intensifiers = []struct {
	factor float64
	words  []string
}{
	{1.8, []string{"extremely", "incredibly", "insanely", "utterly"}},
	{1.6, []string{"completely", "absolutely", "massively", "hugely", "terribly", "constantly"}},
	{1.5, []string{"very", "super", "totally", "highly", "deeply"}},
	{1.4, []string{"really", "too", "seriously", "truly"}},
	{1.3, []string{"so", "much", "way", "always", "especially", "literally", "genuinely"}},
	{1.2, []string{"quite", "pretty"}},
	{0.7, []string{"somewhat", "bit", "little", "kinda", "sorta", "fairly"}},
	{0.6, []string{"slightly", "mildly"}},
}

// contrasts mark a turn: what follows in the sentence outweighs what came
// before it ("fast, but crashes daily" is a complaint).
var contrasts = []string{"but", "however", "except", "cons"}

// concessions open a clause that counts for less ("although it is pricey,
// we love it" is praise).
var concessions = []string{"although", "though", "despite", "while", "whilst"}
