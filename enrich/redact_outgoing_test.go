package enrich_test

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/feedbackloop/feedbackloop/enrich"
)

// Contact details written in ways RedactText's rules do not read, since
// they keep what they cannot tell from an order number: RedactOutgoing,
// for text sent to a model, takes them all the same.
func TestRedactOutgoingTakesWhatStoredTextKeeps(t *testing.T) {
	for _, c := range []struct{ in, secret string }{
		// Digits with no cue, or a cue the rules do not know.
		{"my brand new number is 612 345 678", "345 678"},
		{"Backup number - 9123 4567", "9123 4567"},
		{"HP 9123 4567", "9123 4567"},
		{"Switchboard: 9123 4567", "9123 4567"},
		{"Llámenme urgente al 612 345 678", "345 678"},
		{"555 0134 (mobile)", "555 0134"},
		{"that's me = 415 555 0134", "555 0134"},
		{"to mój numer: 512 345 678", "345 678"},
		{"Customer: 4155550134", "4155550134"},
		{"reach me: 4 1 5 5 5 5\n\n0 1 3 4", "0 1 3 4"},
		// Letters for digits, and other scripts' digits.
		{"my number is 415-555-O134", "O134"},
		{"my number is 415 5S5 0134", "5S5 0134"},
		{"رقمي ٠ ٥ ٥ ١ ٢ ٣ ٤ ٥ ٦ ٧", "٤ ٥ ٦ ٧"},
		{"मेरा नंबर ९ ८ ७ ६ ५ ४ ३ २ १ ० है", "३ २ १"},
		// Numbers read out without the words the rules ask for, in
		// languages they do not read, or in pairs with no phone word.
		{"Name: Jane, Number: five five five zero one three four", "zero one three four"},
		{"my phone (the new one) is five five five zero one three four", "zero one three four"},
		{"call nought seven seven nought nought nine nought nought one two three", "nought one two three"},
		{"phone: four one five treble five oh one three four", "oh one three four"},
		{"chiamami al tre tre tre uno due tre quattro cinque sei sette", "cinque sei sette"},
		{"bel me op nul zes een twee drie vier vijf zes zeven acht", "zes zeven acht"},
		{"zadzwoń do mnie: sześć zero jeden dwa trzy cztery pięć sześć siedem", "sześć siedem"},
		{"beni ara: sıfır beş üç iki bir iki üç dört beş altı yedi", "altı yedi"},
		{"ring mig på fem fem fem noll ett tre fyra", "noll ett tre fyra"},
		{"hubungi saya di nol delapan satu dua tiga empat lima enam tujuh delapan", "enam tujuh"},
		{"позвоните: восемь девять один два три четыре пять шесть семь", "пять шесть семь"},
		{"five five five, twelve thirty", "twelve thirty"},
		{"mijn gsm: nul vier zeven vijf, een twee, drie vier, vijf zes", "vijf zes"},
		{"call five five five four thousand", "four thousand"},
		{"ring five five five o one three four", "one three four"},
		{"call five five five, twenty thirty forty", "thirty forty"}, // a tens word joins a digit, not a tens word
		// Glued together, in more languages, and laid out by a form or
		// by HTML (QA round 14).
		{"call me fivefivefive zeroonethreefour", "zeroonethreefour"},
		{"Nummer: nulleinssiebensechs dreivierfünf sechssiebenacht", "sechssiebenacht"},
		{"電話 ゼロキューゼロ いちにさんよん ごろくななはち", "ごろくななはち"},
		{"연락처: 공일공 일이삼사 오육칠팔", "오육칠팔"},
		{"मेरा नंबर नौ आठ सात छह पांच चार तीन दो एक है", "तीन दो एक"},
		{"το κινητό μου είναι έξι εννέα εννέα ένα δύο τρία τέσσερα πέντε", "τέσσερα πέντε"},
		{"soita: nolla neljä viisi yksi kaksi kolme neljä viisi kuusi", "viisi kuusi"},
		{"мій номер нуль дев'ять сім три два один чотири п'ять шість", "п'ять шість"},
		{"номер: восемьсот двенадцать триста сорок пять", "сорок пять"},
		{"số điện thoại: không chín một hai ba bốn năm sáu bảy", "sáu bảy"},
		{"Phone: 415 ---- 555 ---- 0134", "0134"},
		{"my number is five five five - - - - zero one three four", "one three four"},
		{"hívj: nulla hat egy kettő három négy öt hat hét", "hat hét"},
		{"sunați-mă: zero șapte doi trei patru cinci șase șapte", "șase șapte"},
		{"phone: 612                  345 678", "345 678"},
		{"612&nbsp;345&nbsp;678 is my mobile", "345&nbsp;678"},
		{"Call me: 612<br>345<br>678", "345<br>678"},
		{"Phone:\n\n612\n\n\n345\n678", "345\n678"},
		{"415 five five five 0134 anytime", "five five 0134"},
		// Addresses with "at" in words and nothing else to go on.
		{"jane at acmecorp.io", "jane"},
		{"Send the invoice to finance at acme.io please", "finance"},
		{"jane.doe « at » acme.io", "jane.doe"},
		{"jane.doe / at / acme.io", "jane.doe"},
		{"write to jane.doe at\nacme.io", "jane.doe"},
		{"jane [ at ] acmecorp [ dot ] io", "jane"},
		{"jan.novak zavináč seznam.cz", "jan.novak"},
		{"kovacs.anna kukac gmail.com", "kovacs.anna"},
		{"anna.svensson snabel-a telia.se", "anna.svensson"},
		{"mehmet.yilmaz et işareti gmail.com", "mehmet.yilmaz"},
		{"janeroe84 στο gmail.com", "janeroe84"},
		{"janeroe84 chez gmail point com", "janeroe84"},
		{"my email is sarah at gmail", "sarah"},
		{"contact jane.doe at acme.company", "jane.doe"},
		{"m.rossi at studio.design", "m.rossi"},
		{"jane.doe at acme[.]io", "jane.doe"},
		// "@" set apart, encoded, or the address's user name alone.
		{"jane.doe @ acme .io", "jane.doe"},
		{"jane.roe@acme .io", "jane.roe"},
		{"jane.doe&#064;acme.io", "jane.doe"},
		{"jane.doe&#x0040;acme.io", "jane.doe"},
		{"jane.doe&amp;#64;acme.io", "jane.doe"},
		{"jane.doe%2540acme%252Eio", "jane.doe"},
		{"jane.roe@ac=\nme.io", "jane.roe"},
		{`"jane doe"@example.com`, "jane doe"},
		{"Gmail: sarah_connor", "sarah_connor"},
		{"my hotmail is bigfan_maria", "bigfan_maria"},
		{"My Gmail is sarah.connor.lx.", "sarah.connor"},
		{"email = jane.roe", "jane.roe"},
		{"jane.doe @@ acme.io", "jane.doe"},
		{"jane.doe@ acme", "jane.doe"},
		{"jane.doe (@ sign) acme.io", "jane.doe"},
		{"jane.doe (at sign) acme.io", "jane.doe"},
		{"jane.doe atsign acme.io", "jane.doe"},
		{"my gmail account is sarah.connor84", "sarah.connor84"},
		{"My Gmail ID: sarah.connor84", "sarah.connor84"},
		{"Gmail (sarah.connor84)", "sarah.connor84"},
		{"correo: sarah.connor84", "sarah.connor84"},
		{"iCloud — sarah.connor84", "sarah.connor84"},
		{"sarah.connor84 via gmail", "sarah.connor84"},
		{"email saya budi.santoso et gmail.com", "budi.santoso"},
		{"email me: sarah.connor84 at wp", "sarah.connor84"},
		{"jane.doe at acme.travel is me", "jane.doe"},
		{"write jane.doe at acme,io", "jane.doe"},
		{"jane.doe at acme。io", "jane.doe"},
		{"skicka till anna.svensson snabel a telia.se", "anna.svensson"},
	} {
		if out := enrich.RedactOutgoing(c.in); strings.Contains(out, c.secret) {
			t.Errorf("RedactOutgoing(%q) = %q keeps %q", c.in, out, c.secret)
		}
	}
}

func TestRedactOutgoingMarks(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Order 100234567 never arrived", "Order [number] never arrived"},
		{"Lost 2 500 000 coins", "Lost [number] coins"},
		{"call me on +1 415 555 0134 today", "call me on [phone] today"}, // RedactText's, as stored
		{"HP 9123 4567, after 6pm", "HP [number], after 6pm"},
		{"five five five zero one three four is me", "[number] is me"},
		{"call four one five, five five five, oh one thirty-four", "call [phone]"},
		{"jane at acmecorp.io wrote this", "[email] wrote this"},
		{"Gmail: sarah_connor.", "Gmail: [email]."},
		{"mail jane.doe@example.com", "mail [email]"},
		{"Call 1-877-DR-SMILE for the invoice", "Call [number] for the invoice"}, // QA round 15: vanity numbers
		{"My shop: (555) GET-PIZZA", "My shop: [number]"},
		{"Call 1 800 FLOWERS, or 1-866-MY-CLAIM", "Call [number], or [number]"},
	} {
		if out := enrich.RedactOutgoing(c.in); out != c.want {
			t.Errorf("RedactOutgoing(%q) = %q, want %q", c.in, out, c.want)
		}
	}
}

// What RedactOutgoing must leave: numbers shorter than a phone number,
// dates, and the words "at", "@" and number words where they join no
// address or long number.
func TestRedactOutgoingKeepsShortNumbersAndPlainWords(t *testing.T) {
	for _, in := range []string{
		"Version 5.20.1 crashes on start",
		"Charged $59.98 instead of $29.99",
		"Since the 2026-03-03 update sync fails",
		"Edit 8-31-2023: the play button is back",
		"I used it 2019-2021, then switched",
		"Export of 65 536 rows fails",
		"Meeting at 10.30 tomorrow",
		"The app crashes at index.html and at main.go",
		"The only complaint I have at this point is the font",
		"I used it at work.It crashed twice",
		"Fine at night.So slow in the morning",
		"It is not working at all. My money is gone",
		"between 8:00 and 10:00 am",
		"I have three kids and two dogs",
		"one two three four five six",
		"Outlook 2019 crashes, Gmail 2FA codes too",
		"Charged twice: $59.98, $59.98 and €12,99 + €14,99",
		"CPU at 95%, 97%, 99%, 100% while syncing",
		"My Gmail is broken since Outlook v16.0",
		"resolution 2556x1179, error 0x8007",
		"thanks @jane for the fix",
		"I'm @ home",
		"Sarah at Acme said it would be fixed",
		"Problems at Gmail again",
		"from 1,200 to 5,000 users",
		"treinta y cuatro, vierunddreißig",
		"Cinco o seis o siete o ocho veces lo intenté", // Spanish "o" is "or"
		"This is the basis of the whole app",           // "ba" and "sis" are digits, glued
		"Don't make me log in again, it's 2024",
		"Sent via gmail.com, twice, and nothing arrived",
		"Pierre et Marie.Curie use it every day",
		"java.lang.NullPointerException at com.example.Cart.total(Cart.java:142)",
		"It just isn't coming. At this point just give me my money back",
		"Great job @support-team, fixed in 2 hours!",
		"see you @ 5 . bye",
		`if (!email.includes("@")) return false;`,
		"npm ERR! peer dep react@18.2.0 conflicts with react@17.0.2", // QA round 15: a package's version
		"lodash@4.17.21 is flagged, npm i @types/node@20.11.5 fails",
		"icon@2x.png is blurry, icon@3x.png is fine",               // an image's scale
		"Photo is 4032×3024 but the upload shrinks it to 1024×768", // sizes
		"Error (500) NOT FOUND, HTTP 500-INTERNAL",                 // no vanity number
		"I HAVE 800 NEW USERS AND 800 NEW TEAMS",
		"The 4K option (3840 × 2160) is greyed out",
	} {
		if out := enrich.RedactOutgoing(in); out != in {
			t.Errorf("RedactOutgoing(%q) = %q, want it unchanged", in, out)
		}
	}
}

// Phone numbers drawn at random, written in the shapes people use, and
// put in sentences that give RedactText nothing to go on: none of their
// digits or digit words may go out.
func TestRedactOutgoingRandomPhoneShapes(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	words := map[string][10]string{
		"en": {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"},
		"it": {"zero", "uno", "due", "tre", "quattro", "cinque", "sei", "sette", "otto", "nove"},
		"nl": {"nul", "een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen"},
		"es": {"cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve"},
	}
	templates := []string{"so it's %s now", "%s (new)", "HP %s", "my brand new line is %s, thanks",
		"%s", "ok: %s.", "Name: Jane / %s / Berlin", "questions? %s!!"}
	isNumberWord := map[string]bool{}
	for _, ws := range words {
		for _, w := range ws {
			isNumberWord[w] = true
		}
	}
	for trial := range 2000 {
		n := 7 + rng.IntN(6)
		digits := make([]int, n)
		for i := range digits {
			digits[i] = rng.IntN(10)
		}
		var b strings.Builder
		if rng.IntN(4) == 0 {
			b.WriteString("+")
		}
		seps := []string{" ", "-", ".", "/", " - ", "", ", "}
		sep := seps[rng.IntN(len(seps))]
		lang := ""
		if rng.IntN(3) == 0 {
			langs := []string{"en", "it", "nl", "es"}
			lang, sep = langs[rng.IntN(len(langs))], " "
		}
		group, arabic := 2+rng.IntN(3), rng.IntN(10) == 0 // Arabic-Indic digits

		for i, d := range digits {
			if i > 0 && (lang != "" || i%group == 0) {
				b.WriteString(sep)
			}
			switch {
			case lang != "":
				b.WriteString(words[lang][d])
			case d == 0 && rng.IntN(8) == 0:
				b.WriteByte('O')
			case arabic:
				b.WriteRune('٠' + rune(d))
			default:
				b.WriteByte(byte('0' + d))
			}
		}
		in := fmt.Sprintf(templates[rng.IntN(len(templates))], b.String())
		out := enrich.RedactOutgoing(in)
		// A piece RedactText's mark leaves after it ("[phone]-O3") is
		// no number anyone could call: at most two digits may stay.
		kept := 0
		for _, r := range out {
			if unicode.IsDigit(r) || r == 'O' {
				kept++
			}
		}
		for _, w := range strings.FieldsFunc(out, func(r rune) bool { return !unicode.IsLetter(r) }) {
			if isNumberWord[strings.ToLower(w)] {
				kept++
			}
		}
		if kept > 2 {
			t.Fatalf("trial %d: RedactOutgoing(%q) = %q keeps %d of its digits", trial, in, out, kept)
		}
	}
}

// longDigits is seven digits in a row: RedactOutgoing never sends them.
var longDigits = regexp.MustCompile(`[0-9]{7,}`)

func FuzzRedactOutgoing(f *testing.F) {
	for _, s := range []string{
		"my brand new number is 612 345 678", "jane at acmecorp.io", "HP 9123 4567",
		"five five five zero one three four", "415-555-O134", "jane.doe%2540acme%252Eio",
		"Gmail: sarah_connor", "et işareti", "snabel-a", "at", "@", "a@", "@b", "O", "5S", "S5",
		"2019-2021 2026-03-03 8/31/2023 1/2/3/4", "thirty-four y und et and", "vierunddreißig",
		"x at y dot", "x at y.", "\"a\"@", "=40", "%40", "&#064;", "1\n\n\n2", "٠١٢٣٤٥٦٧",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := enrich.RedactOutgoing(s)
		if m := longDigits.FindString(out); m != "" {
			t.Fatalf("RedactOutgoing(%q) = %q keeps %q", s, out, m)
		}
		for _, email := range emailLike.FindAllString(s, -1) {
			if !strings.HasPrefix(email, "git@") && strings.Contains(out, email) {
				t.Fatalf("RedactOutgoing(%q) = %q keeps %q", s, out, email)
			}
		}
	})
}

// A mark that is too far from the run before it to be part of it starts
// its own run: it does not excuse seven digits of the run before.
func TestRedactOutgoingMarkAfterAGapStartsItsOwnRun(t *testing.T) {
	for _, c := range []struct{ in, secret string }{
		{"Jane Roe, 555-0134 ----- +1 415 555 0199", "555-0134"},
		{"Jane Roe\n555-0134\n\n\n+1 415 555 0199", "555-0134"},
		{"desk 555-0134               +1 415 555 0199 (cell)", "555-0134"},
		{"Ref 2233445 \n\n\n +1 415 555 0134, call Ben", "2233445"},
	} {
		if out := enrich.RedactOutgoing(c.in); strings.Contains(out, c.secret) {
			t.Errorf("RedactOutgoing(%q) = %q keeps %q", c.in, out, c.secret)
		}
	}
}

// Times of day, alone, in lists, in spans and after a date, and spans of
// dates, are no phone number: they go out as they are. A run with a
// colon that is no time, or with digits that are no date or time, goes.
func TestRedactOutgoingKeepsTimesAndSpansOfDates(t *testing.T) {
	for _, in := range []string{
		"Support is only open 9:00-17:30, which is useless",
		"Our meeting slot 14:00 – 15:30 CET keeps getting double booked",
		"Alarm set for 06:30, 06:45, 07:00 never rang",
		"Outage 2026-03-03 14:05 to 2026-03-03 16:40, again",
		"Crashed 31.12.2025 18:00 and 01.01.2026 09:00",
		"Last sync 2025-12-31 23:59:59 then nothing",
		"Trial ran 2026-03-03 – 2026-03-17 but I was billed early",
		"Offer valid 01/06/2025-30/06/2025 was not applied",
		// QA round 15: logs' and mail headers' timestamps.
		"Logs: 2026-03-12 14:05:33.412 WARN retry 3/5 after 1500 ms",
		"2026-03-12 14:05:33,412 ERROR [main] sync failed",
		"ISO timestamps like 2026-03-12T14:05:33.412+01:00 show as Invalid Date",
		"The event came at 09:15:02.5 and the alert at 09:17:44.1",
		`[12/Mar/2026:14:05:33 +0000] "GET /api/v1/health HTTP/1.1" 503 0`,
		"Date: Tue, 3 Mar 2026 14:05:33 +0100",
		"Sent: Monday, March 2, 2026 9:41 AM",
		"On March 2, 2026, 9:41 AM the export stopped",
		"Seit dem Update am 12.03.2026 um 14:05 Uhr geht der Login nicht",
	} {
		if out := enrich.RedactOutgoing(in); out != in {
			t.Errorf("RedactOutgoing(%q) = %q, want it unchanged", in, out)
		}
	}
	for _, c := range []struct{ in, want string }{
		{"call 12:34:56:78 now", "call [number] now"},
		{"call 0:61 23:45", "call [number]"},
		{"12:30 555 0134", "[number]"},
		{"2026-03-03 555 0134", "[number]"},
		{"14:05 +0100 555 0134", "[number]"},
		{"2, 2026 555 0134", "[number]"},
		{"12:30:00,4155550134", "[number]"},
		{"9:00-1234567", "[number]"},
	} {
		if out := enrich.RedactOutgoing(c.in); out != c.want {
			t.Errorf("RedactOutgoing(%q) = %q, want %q", c.in, out, c.want)
		}
	}
}

// An address RedactText took leaves its mark after "at": the mark's
// word is no mail service, and the words before "at" stay.
func TestRedactOutgoingLeavesTheWordsBeforeAMarkedAddress(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Please email me at jane.doe@gmail.com about the refund", "Please email me at [email] about the refund"},
		{"Email us at support@acme.io, nobody answers", "Email us at [email], nobody answers"},
		{"I emailed you at help@acme.io three times", "I emailed you at [email] three times"},
		{"Email me at [email] if needed", "Email me at [email] if needed"},
		{"That's the point jane@acme.io made", "That's the point [email] made"},                    // QA round 15: no user name before "point"
		{"Log in at app.acmecorp.io, go to Settings", "Log in at app.acmecorp.io, go to Settings"}, // QA round 15: a verb's particle
		{"Sign up at accounts.acmecorp.io fails", "Sign up at accounts.acmecorp.io fails"},
		{"Checked out at shop.acmecorp.io twice", "Checked out at shop.acmecorp.io twice"},
	} {
		if out := enrich.RedactOutgoing(c.in); out != c.want {
			t.Errorf("RedactOutgoing(%q) = %q, want %q", c.in, out, c.want)
		}
	}
}

// Digits written as superscripts, in circles, or as Chinese and Japanese
// digits inside a word are digits all the same; Chinese prose with a
// digit in its words, and a lone superscript, go out as they are.
func TestRedactOutgoingTakesDigitsOfOtherForms(t *testing.T) {
	for _, c := range []struct{ in, secret string }{
		{"Hi, my new mobile is ⁴¹⁵⁵⁵⁵⁰¹³⁴ (sorry)", "⁵⁵⁰¹³⁴"},
		{"Text me on ①②③④⑤⑥⑦⑧ after work", "④⑤⑥⑦⑧"},
		{"WhatsApp ➊➋➌➍➎➏➐➑", "➍➎➏➐➑"},
		{"电话：一三八一二三四五六七八，谢谢", "二三四五六七八"},
		{"電話番号は〇九〇 一二三四 五六七八です", "五六七八"},
		{"我的手机号码是幺三八 零零幺三 八零零零", "八零零零"},
	} {
		if out := enrich.RedactOutgoing(c.in); strings.Contains(out, c.secret) {
			t.Errorf("RedactOutgoing(%q) = %q keeps %q", c.in, out, c.secret)
		}
	}
	for _, in := range []string{
		"我等了一个星期，一直没有回复，一共三次",
		"二〇二五年三月三日更新以后一直闪退",
		"m² and x² and 10²³ molecules, ½ of the users",
	} {
		if out := enrich.RedactOutgoing(in); out != in {
			t.Errorf("RedactOutgoing(%q) = %q, want it unchanged", in, out)
		}
	}
}

// A number's mark may set apart a word its last digit was joined to: the
// address after it goes too, and a second pass changes nothing.
func TestRedactOutgoingReadsAddressesAfterNumbersGo(t *testing.T) {
	for _, c := range []struct{ in, secret string }{
		{"Phone 555 0134Gmail: sarah_connor84", "sarah_connor84"},
		{"tel 612345678email sarah.connor84", "sarah.connor84"},
	} {
		out := enrich.RedactOutgoing(c.in)
		if strings.Contains(out, c.secret) {
			t.Errorf("RedactOutgoing(%q) = %q keeps %q", c.in, out, c.secret)
		}
		if again := enrich.RedactOutgoing(out); again != out {
			t.Errorf("RedactOutgoing(%q) = %q, but RedactOutgoing of that = %q", c.in, out, again)
		}
	}
}

// More words for "@" (Polish, Dutch and Swedish spellings, Japanese,
// Chinese) and for a dot (Hungarian, Czech, Turkish, Finnish,
// Norwegian).
func TestRedactOutgoingTakesMoreWordsForAtAndDot(t *testing.T) {
	for _, c := range []struct{ in, secret string }{
		{"write to jan.kowalski malpa wp.pl", "jan.kowalski"},
		{"pisz do jan.kowalski małpka o2.pl", "jan.kowalski"},
		{"stuur naar piet.jansen apestaart ziggo.nl", "piet.jansen"},
		{"skicka till anna.svensson snabela telia.se", "anna.svensson"},
		{"メールは yuki.tanaka あっと gmail.com です", "yuki.tanaka"},
		{"メール yuki.tanaka アットマーク gmail.com", "yuki.tanaka"},
		{"邮箱 wang.wei 艾特 qq.com", "wang.wei"},
		{"írj: eva.nagy kukac freemail pont hu", "eva.nagy"},
		{"pište na jan.novak zavinac seznam tecka cz", "jan.novak"},
		{"kirjoita: matti.virtanen ät suomi piste fi", "matti.virtanen"},
		{"skriv til ole.hansen snabel-a online prikk no", "ole.hansen"},
		// QA round 15: the user name's parts before a word for a dot.
		{"Mon email : camille point dubois arobase orange point fr", "camille"},
		{"mi correo: carmen punto ruiz arroba gmail punto com", "carmen"},
		{"meu email: joao ponto pereira arroba gmail ponto com", "joao"},
		{"mijn e-mail: sanne punt devries apenstaartje ziggo punt nl", "sanne"},
		{"meine E-Mail ist juergen punkt mueller ät web punkt de", "juergen"},
		{"mail: jean point pierre point dupont arobase free point fr", "pierre"},
	} {
		if out := enrich.RedactOutgoing(c.in); strings.Contains(out, c.secret) {
			t.Errorf("RedactOutgoing(%q) = %q keeps %q", c.in, out, c.secret)
		}
	}
}
