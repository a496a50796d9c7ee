package enrich_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"regexp"
	"strings"
	"testing"

	"github.com/feedbackloop/feedbackloop/enrich"
	"github.com/feedbackloop/feedbackloop/feedback"
)

func TestRedactTextReplacesContactDetailsAndCardNumbers(t *testing.T) {
	cases := []struct{ in, want string }{
		// A phone number beside other numbers, which stay (the second
		// adversarial QA of 2026-12-07).
		{"Phone: 0612345678\n3 items are missing from my order", "Phone: [phone]\n3 items are missing from my order"},
		{"Call us: 020 7946 0018\n40 minutes on hold!", "Call us: [phone]\n40 minutes on hold!"},
		{"Tel: 612345678, 20240501, refund pending", "Tel: [phone], 20240501, refund pending"},
		{"Phones: 555-0134, 555-0199", "Phones: [phone], [phone]"},
		// E-mail addresses.
		{"mail jane.doe@example.com please", "mail [email] please"},
		{"Jane.Doe+billing@Example.CO.UK", "[email]"},
		{"<ops_team@acme-corp.io>", "<[email]>"},
		{"(contact: a.b-c@sub.domain.example.org)", "(contact: [email])"},
		{"mailto:help@example.com?subject=x", "mailto:[email]?subject=x"},
		{"sent to jane@example.com.", "sent to [email]."},
		{"o'brien@example.ie wrote", "[email] wrote"},
		{"jörg.müller@exämple.de", "[email]"},
		{"two: a@b.io, c@d.io", "two: [email], [email]"},
		{"https://app.example.com/?u=jane@example.com&x=1", "https://app.example.com/?u=[email]&x=1"},
		{"5551234567@sms.example.net", "[email]"},
		{"jane@example.com.1", "[email].1"},
		{"jane@example.com2024 wrote", "[email] wrote"},
		// Addresses written around spam filters, with a bracketed "at".
		{"jane(at)example.com", "[email]"},
		{"mail jane [at] example [dot] com please", "mail [email] please"},
		{"Jane.Doe {at} mail.example.org", "[email]"},
		{"ops (AT) acme-corp (DOT) io.", "[email]."},
		{"j.doe[at]example[dot]co[dot]uk", "[email]"},
		{"write to jane (at) example dot com", "write to [email]"},
		// ... and with bare words, ending in a top-level domain.
		{"email me: jane at example dot com", "email me: [email]"},
		{"Jane.Doe AT Example DOT Org, thanks", "[email], thanks"},
		{"reach ops_team at mail dot acme-corp dot co dot uk.", "reach [email]."},
		{"jane at example.mail dot com", "[email]"},
		{"first jane at a1 dot io then bob at b2 dot de", "first [email] then [email]"},
		// The local part's dots may be spelled too.
		{"email jane dot doe at outlook dot com", "email [email]"},
		{"write jane [dot] doe [at] example [dot] com", "write [email]"},
		{"Jane(dot)Doe(at)example(dot)com", "[email]"},
		{"see the dot jane at example dot com", "see the dot [email]"}, // an article names no mailbox
		// ... or with the word "at" alone, when the local part looks like
		// an address's, the domain is a mail provider's, or a word before
		// says that an address follows.
		{"email j.doe at acme.com please", "email [email] please"},
		{"cc bob_99 at corp.example.org", "cc [email]"},
		{"Jane at gmail.com", "[email]"},
		{"mike.jones AT yahoo.co.uk.", "[email]."},
		{"my email is jane at example.com", "my email is [email]"},
		{"My e-mail address: jane at acme.io.", "My e-mail address: [email]."},
		{"write to me at jane at example.com", "write to me at [email]"},
		{"contact jane at acme.io for access", "contact [email] for access"},
		// A space beside the @, and an @ percent-encoded in a link.
		{"mail jane @ example.com or jane@ example.org", "mail [email] or [email]"},
		{"https://app.example.com/users?email=jane%40example.com&x=1", "https://app.example.com/users?email=[email]&x=1"},
		// Phone numbers.
		{"call +1 (555) 010-9999 today", "call [phone] today"},
		{"call (555) 010-9999", "call [phone]"},
		{"call (555)010-9999", "call [phone]"},
		{"555-010-9999", "[phone]"},
		{"555.010.9999", "[phone]"},
		{"5550109999", "[phone]"},
		{"+44 20 7946 0958", "[phone]"},
		{"+447700900123", "[phone]"},
		// A country code, then groups a date's shape would take in
		// (the tenth adversarial QA).
		{"+44-20-7946-0958", "[phone]"},
		{"[Call](tel:+81-3-1234-5678)", "[Call](tel:[phone])"},
		{"+44.20.7946.0958", "[phone]"},
		{"+44(0)7700 900123", "[phone]"},
		// A comma right after a phone number, as a CSV's next field or a
		// list's next item follows it: no amount is written so.
		{"415-555-0134,2026-03-03", "[phone],2026-03-03"},
		{"4471,Jane Roe,+44 7700 900123,2026-03-03", "4471,Jane Roe,[phone],2026-03-03"},
		{"07700900123,4471", "[phone],4471"},
		{"Phones: 415-555-0134,415-555-0199", "Phones: [phone],[phone]"},
		// A date after a space is a column or a field of its own.
		{"Jane Roe 0612345678 2026-03-03", "Jane Roe [phone] 2026-03-03"},
		{"Callback: 415-555-0134 03/03/2026 09:12", "Callback: [phone] 03/03/2026 09:12"},
		{"+44 7700 900123 03.03.2026", "[phone] 03.03.2026"},
		// A link's encoded '+' and the spaces, dashes and brackets after
		// it.
		{"https://acme.io/cb?phone=%2B44%207700%20900123&x=1", "https://acme.io/cb?phone=[phone]&x=1"},
		{"?phone=%2B44+7700+900123", "?phone=[phone]"},
		{"?tel=%2B1%20%28415%29%20555%2D0134x204&y", "?tel=[phone]&y"},
		{"[Call](tel:+1%20415%20555%200134)", "[Call](tel:[phone])"},
		{"phone=+44+7700+900123&name=Jane", "phone=[phone]&name=Jane"},
		// Phone words of German, Swedish and Korean.
		{"Rückruf unter 123 45 67", "Rückruf unter [phone]"},
		{"mitt nummer är 123 45 67", "mitt nummer är [phone]"},
		{"전화번호 1234-5678", "전화번호 [phone]"},
		// A spaced number a hard-wrapped e-mail broke, after a phone word.
		{"Tel: 06 12 34\n56 78, merci", "Tel: [phone], merci"},
		{"My number: +44 7700\n900123", "My number: [phone]"},
		// After three groups as well, with a space or a quoted reply's "> "
		// at the break, or the dash or dot that set the groups apart.
		{"Phone: 415 555\n0134", "Phone: [phone]"},
		{"call me at 415 555 \n0134 tomorrow", "call me at [phone] tomorrow"},
		{"> call me at 415 555\n> 0134", "> call me at [phone]"},
		{"cell: 415.555.\n0134", "cell: [phone]"},
		{"Phone: (415) 555-\n0134", "Phone: [phone]"},
		{`<a href="tel://4155550134">`, `<a href="tel://[phone]">`},
		// An extension glued to a spaced number.
		{"call +1 415 555 0134x204 after 5", "call [phone] after 5"},
		{"Tel 020 7946 0958x12", "Tel [phone]"},
		// "ext" glued as "x" is: the number must not stay whole or in
		// part.
		{"call +1 415 555 0134ext204 after 5", "call [phone] after 5"},
		{"call 020 7946 0958ext12", "call [phone]"},
		{"Tel 020 7946 0958Ext.12, thanks", "Tel [phone], thanks"},
		// A query's or a "tel:" link's number with its spaces encoded.
		{"https://acme.io/cb?phone=(415)%20555-0134&x=1", "https://acme.io/cb?phone=[phone]&x=1"},
		{"tel:07700%20900123", "tel:[phone]"},
		{"?phone=555%200134", "?phone=[phone]"},
		// Russian writes '@' as "собака", a dog.
		{"пишите: ivan.petrov собака mail.ru", "пишите: [email]"},
		{"ivan(собака)mail.ru", "[email]"},
		// A noun for an id does not hide a phone number a word announces.
		{"pipeline failed, call me 4155550134", "pipeline failed, call me [phone]"},
		// A country code, then groups set apart by dots, a single digit
		// or three digits each.
		{"Tél : +33.6.12.34.56.78", "Tél : [phone]"},
		{"+34.612.345.678 (WhatsApp)", "[phone] (WhatsApp)"},
		{"+351.912.345.678, +31.6.12345678", "[phone], [phone]"},
		// Dots spaced as the '@' is, in the domain and the local part.
		{"jane . doe @ acme . io", "[email]"},
		{"write to jane.roe @ acme . co . uk please", "write to [email] please"},
		{"jane . roe@acme.io", "[email]"},
		{"Mail: j . doe @ gmail . com", "Mail: [email]"},
		// Capitalised, which changes the first byte of a Cyrillic word,
		// its diminutive, and a dot spelled in Russian.
		{"Почта: ivan.petrov Собака mail.ru", "Почта: [email]"},
		{"ivan.petrov СОБАКА mail.ru", "[email]"},
		{"ivan.petrov собачка mail.ru, звоните", "[email], звоните"},
		{"ivan.petrov Собака mail точка ru", "[email]"},
		{"ivan(Собачка)mail.ru", "[email]"},
		{"020 7946 0958", "[phone]"},
		{"07700 900123", "[phone]"},
		{"+49 30 123456", "[phone]"},
		{"+33 6 12 34 56 78", "[phone]"},
		{"+33 (0)6 12 34 56 78", "[phone]"},
		{"+44 (0)20 7946 0958", "[phone]"},
		{"06 12 34 56 78", "[phone]"},
		{"1-800-555-0199", "[phone]"},
		{"tel:+15550109999", "tel:[phone]"},
		{"phone=5550109999", "phone=[phone]"},
		{"call 555 010 9999.", "call [phone]."},
		{"0044 7911 123456", "[phone]"}, // Luhn-valid, but no card number starts with 0
		{"text 555 010 9999 5551234@sms.example.net", "text [phone] [email]"},
		{"555 010 9999/5551234@sms.example.net", "[phone]/[email]"},
		{"555 010 9999 55.51234@sms.example.net", "[phone] [email]"},
		{"555 010 9999,5551234 (at) sms.example.net", "[phone],[email]"},
		{"call 555 010 9999 @jane", "call [phone] @jane"},
		{"Telefon 030/1234567,5551234@sms.example.net", "Telefon [phone],[email]"},
		{"call 555 010 9999 2fa code", "call [phone] 2fa code"},
		{"5550109999,+4930123456", "[phone],[phone]"},
		// A trunk code and a slash, as German-speaking countries write them.
		{"Telefon: 030/1234567", "Telefon: [phone]"},
		{"0171/12345678 (mobil)", "[phone] (mobil)"},
		{"ruf an: 0891/234567.", "ruf an: [phone]."},
		// Shorter local numbers, where a word says a phone number follows.
		{"call 555 1234", "call [phone]"},
		{"ph: 555-1234", "ph: [phone]"},
		{"Tel.: 555.1234 or mobile 0612 3456", "Tel.: [phone] or mobile [phone]"},
		// Spanish and Portuguese numbers have nine digits, grouped as
		// thousands are; the words before them have accents, or not.
		{"Mi teléfono 612 345 678, llámeme al 612345678.", "Mi teléfono [phone], llámeme al [phone]."},
		{"call me on 612 345 678 or phone 612-345-678", "call me on [phone] or phone [phone]"},
		{"TELÉFONO: 612345678; telefone: 912345678; meu telemóvel 912 345 678", "TELÉFONO: [phone]; telefone: [phone]; meu telemóvel [phone]"},
		{"mi número es 612 345 678", "mi número es [phone]"},
		{"Meu telemóvel é 912 345 678; il mio numero è 3123456789", "Meu telemóvel é [phone]; il mio numero è [phone]"},
		// The spaces and dashes of typography, as word processors, phones
		// and Japanese input methods put them in.
		{"Mon portable\u00a0: 06\u00a012\u00a034\u00a056\u00a078", "Mon portable : [phone]"},
		{"Call me at 415\u2013555\u20130134 or 415\u2011555\u20110134", "Call me at [phone] or [phone]"},
		{"Tel: \uff10\uff13\u2212\uff11\uff12\uff13\uff14\u2212\uff15\uff16\uff17\uff18, 090\u30fc1234\u30fc5678 \u30b3\u30fc\u30d2\u30fc", "Tel: [phone], [phone] \u30b3\u30fc\u30d2\u30fc"},
		{"jdoe77\u200b@gmail.com", "[email]"},
		// Extensions, single digits after "+", a phone word glued on, and
		// a German trunk code with a spaced slash.
		{"Our main number is 646-555-0123x204.", "Our main number is [phone]."},
		{"+55 11 9 1234-5678 or Zentrale +49 30 1234567-0", "[phone] or Zentrale [phone]"},
		{"Tel.030-1234567, Phone #4155550134, https://wa.me/5511912345678", "Tel.[phone], Phone #[phone], https://wa.me/[phone]"},
		{"Tel.: 0171/123 45 67, Telefon 030 / 123 456 78", "Tel.: [phone], Telefon [phone]"},
		{"Puede localizarme en el 612 345 678", "Puede localizarme en el [phone]"},
		{"Contacto: (+34) 612 345 678; Telefone fixo 21 123 4567", "Contacto: [phone]; Telefone fixo [phone]"},
		{"my line is 4155550134", "my line is [phone]"},
		{"text me at 555-0134, you can reach me at 555-0199, contact us on 555 0123", "text me at [phone], you can reach me at [phone], contact us on [phone]"},
		// Addresses with <at>, [@], a provider's name after a mistyped
		// rest, and mail words in other languages.
		{"jdoe77 <at> gmail <dot> com, jdoe77(@)gmail.com", "[email], [email]"},
		{"jdoe77&#64;gmail.com, jdoe77&#x40;gmail.com, jdoe77 [at] gmail [.] com, jdoe77 at gmail period com", "[email], [email], [email], [email]"},
		{"jane@example[.]com or jane@example dot com", "[email] or [email]"},
		{"jdoe77@gmail .com, jdoe77@gmail,com, jdoe77@@gmail.com, jdoe77@gmail", "[email], [email], [email], [email]"},
		{"mi correo es bob at acme.com; E-Mail-Adresse: max at acme.de", "mi correo es [email]; E-Mail-Adresse: [email]"},
		{"Escríbeme: juan.perez arroba hotmail punto com o joao arroba gmail.com; jean arobase orange point fr", "Escríbeme: [email] o [email]; [email]"},
		// Accents composed or combining (as macOS writes them), "nº", "ß".
		{"Tele\u0301fono 612 345 678, Móvil nº 612345678", "Tele\u0301fono [phone], Móvil nº [phone]"},
		{"Appelez-moi au 06 12 34 56 78, Handy: 0171 2345678, bel me op 06-12345678", "Appelez-moi au [phone], Handy: [phone], bel me op [phone]"},
		{"phone=5551234", "phone=[phone]"},
		{"call or text me at 555-1234!", "call or text me at [phone]!"},
		{"my number is 555 12 34", "my number is [phone]"},
		{"Phone number: 5551234", "Phone number: [phone]"},
		{"fax no. 555-1234", "fax no. [phone]"},
		{"WhatsApp +49 1512345", "WhatsApp [phone]"},
		// Card numbers: Luhn-valid, 13 to 19 digits.
		{"card 4242 4242 4242 4242 exp 12/29", "card [card] exp 12/29"},
		{"4111-1111-1111-1111", "[card]"},
		{"4111111111111111", "[card]"},
		{"amex 378282246310005", "amex [card]"},
		{"amex 3782 822463 10005", "amex [card]"},
		{"6011000990139424.", "[card]."},
		{"4222222222222", "[card]"}, // 13 digits
		// IBANs, printed in groups of four or unbroken, in either case.
		{"please refund to DE89 3704 0044 0532 0130 00, thanks", "please refund to [iban], thanks"},
		{"IBAN: GB82WEST12345698765432.", "IBAN: [iban]."},
		{"fr14 2004 1010 0505 0001 3m02 606", "[iban]"},
		{"(NL91 ABNA 0417 1643 00)", "([iban])"},
		{"NO93 8601 1117 947 is mine", "[iban] is mine"},
		{"BE68 5390 0754 7034 / CH93 0076 2011 6238 5295 7", "[iban] / [iban]"},
		// Full-width forms, as CJK keyboards type them: the text comes back
		// with them in ASCII when something in it is replaced.
		{"電話は０９０－１２３４－５６７８です", "電話は[phone]です"},
		{"ｊａｎｅ＠ｅｘａｍｐｌｅ．ｃｏｍ まで", "[email] まで"},
		{"jane＠example.com（Ｂ２Ｂ）", "[email](B2B)"},
		{"ＤＥ８９ ３７０４ ００４４ ０５３２ ０１３０ ００", "[iban]"},
		{"\xff ０３－１２３４－５６７８ \xfe", "\xff [phone] \xfe"},
		// Scripts without spaces between words, and Korean particles.
		{"メールはjane@example.comです", "メールは[email]です"},
		{"请拨打13812345678联系我", "请拨打[phone]联系我"},
		{"010-1234-5678로 연락주세요", "[phone]로 연락주세요"},
		{"jane@example.com으로 보내주세요", "[email]으로 보내주세요"},
		{"โทร 081-234-5678 ค่ะ", "โทร [phone] ค่ะ"},
		// A reference word before a phone number that is written as one,
		// or with a phone word nearer, does not keep it.
		{"Order 555-010-9999 please", "Order [phone] please"},
		{"Order late, call 5550109999", "Order late, call [phone]"},
		{"my whatsapp id 5550109999", "my whatsapp id [phone]"},
		{"account 5550109999", "account [phone]"},
		// Mixed.
		{"jane@example.com / +1 555 010 9999 / 4242424242424242", "[email] / [phone] / [card]"},
		// A number listed right after an address is no part of a word.
		{"contact jane@example.com,5550109999", "contact [email],[phone]"},
		// After a phone number or an address, a number written otherwise,
		// or in another sentence, or after a word, is something else.
		{"Call 555-0134. Order 555-0199 was late.", "Call [phone]. Order 555-0199 was late."},
		{"Call 555-0134, order 1234567 was late", "Call [phone], order 1234567 was late"},
		{"Phone 612 345 678; build 2024 05 01 broke", "Phone [phone]; build 2024 05 01 broke"},
		{"Mail jane@acme.io about ticket 1234567", "Mail [email] about ticket 1234567"},
		{"jane@acme.io, order 12345678 is late", "[email], order 12345678 is late"},
		{"jane@acme.io 2024-05-01", "[email] 2024-05-01"},
		// And what the sixth QA round found them taking.
		{"7,jane@acme.io,10023456,premium", "7,[email],10023456,premium"},
		{"jane@acme.io | Order: 12345678", "[email] | Order: 12345678"},
		{"audit: jane@acme.io 20240501 login ok", "audit: [email] 20240501 login ok"},
		{"Call me at 4155550134 about invoice 4155559876", "Call me at [phone] about invoice 4155559876"},
		{"Llámame al 612345678 por el pedido 123456789", "Llámame al [phone] por el pedido 123456789"},
		{"Ring me on 612 345 678 about refund 612 345 999", "Ring me on [phone] about refund 612 345 999"},
		{"App 4155550134 support line never answers", "App [phone] support line never answers"},
		{"Customer support app: 4155550134", "Customer support app: [phone]"},
		// An extension written apart goes with its number; "x" and one
		// digit count calls (the ninth adversarial QA of 2026-12-07).
		{"Call 646-555-0123 x204 for billing", "Call [phone] for billing"},
		{"Called 415-555-0134 x 3 times and nobody picked up", "Called [phone] x 3 times and nobody picked up"},
		{"Rang 020 7946 0100 x5 this week, always engaged", "Rang [phone] x5 this week, always engaged"},
		// A number read out in pairs ends before a word English has too,
		// or a number with a count after it (QA round 13).
		{"my number is five five five zero one three four once again", "my number is [phone] once again"},
		{"call five five five, twelve thirty-four ten times a day", "call [phone] ten times a day"},
		{"call five five five, twelve thirty-four, twelve days ago", "call [phone], twelve days ago"},
		{"my number is four one five, five five five, oh one thirty-four (twelve)", "my number is [phone] (twelve)"},
		{"Tel: seis uno dos, tres cuatro cinco, seis siete ocho, twelve days ago", "Tel: [phone], twelve days ago"},
		{"ring me on five five five zero one three four twenty minutes later", "ring me on [phone] twenty minutes later"},
		// The digits before a number of two digits in words, when it
		// turns the run into a list, are read alone.
		{"four one five five five five zero one three four, twelve days ago", "[phone], twelve days ago"},
		{"Room twelve four one five five five five zero one three four", "Room twelve [phone]"},
	}
	for _, tc := range cases {
		if got := enrich.RedactText(tc.in); got != tc.want {
			t.Errorf("RedactText(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

func TestRedactTextLeavesOtherNumbersAlone(t *testing.T) {
	for _, s := range []string{
		"",
		"No contact details here, just feedback.",
		"Released on 2024-05-01, fixed on 2024-05-03.",
		"Since 01/05/2024 and 1/5/24 it fails.",
		"At 2024-05-01 10:30:00 the export stopped.",
		"At 01-05-2024 10:30 the export stopped.",
		"ISO time 2024-05-01T10:30:00Z in the log.",
		"Meeting at 10:30 or 14:45:59.",
		"We run v2.3.14, then 2.3.15 and 10.0.0.1-beta.",
		"Server 192.168.100.200 and 10.20.30.40 are ours.",
		"It costs $1,299.00 a year, or €1.299,00, or £129.",
		"Paid 1 234 567,89 € on 2024-05-01,2024-05-02; pages 12-14,18.",
		"4471 2026-03-03 09:12 login ok; total 1 234 567 2026-03-03.",
		"?q=%2B12%20items&r=%2B44+is+the+code&d=%2B2024-05-01",
		"Votes: +1+1+1+1+1+1+1+1+1+1, +12+34 more, A+%20grade, C++17+20.",
		"주문번호 1234-5678 배송이 안 와요; Rückruf nach 2 Tagen, Ticket 12345678.",
		"SMS sent 2026: 123 456\n78 failed; phone calls: 1 234\n56 dropped",
		"https://4155550134, ftp://1234567890/x and https://acme.io/4155550134",
		"Screens 1920 1080x2 and 2560 1440x3, 12 34 56x7 px.",
		"?q=12%20items&date=2026%2D03%2D03&range=100%20200&o=100234567%20100234568&a=1%20234%20567",
		"у меня собака и кошка, а сайт acme.io не открывается",
		"Моя Собака съела коробку. Собака mail.ru не грузится, точка ru.",
		"+192.168.101.234 db01\n+10.0.0.12 db02\nrevenue +12.345.678 €, grew +12.500.000, ver +4.12.0.1",
		"Order 415 555\n0134 shipped; build 415 555\n0134; Ticket 415\n555 0134",
		"Pipeline 4155550134 failed; random seed 4155550134; checksum 4155550134; Xbox gamertag 1234567890; NPI 1234567893",
		"stuck @ home . it crashes; we use Sentry @ work . io is fine; meet @ 5 . Thanks . Jane",
		"Revenue grew to 1,234,567,890 last year.",
		"We have 1 000 000 000 rows and 12.345.678.901 events.",
		"Ticket #48213 and #1234567890 are related.",
		"Order 12345678 and order 987654321 never arrived.",
		"Invoice INV-2024-000123 and ref ABC1234567890.",
		"Request id 550e8400-e29b-41d4-a716-446655440000 failed.",
		"Sizes 3 4 5 6 7 8 9 10 11 12 are listed.",
		"A card-like 4242 4242 4242 4241 that fails Luhn.",
		"A long id 12345678901234567890123 is not a card.",
		"Version 1.2.3.4.5.6.7.8.9.10 is odd.",
		"ISBN 978-3-16-148410-0 is a book.",
		"The user@localhost account and @mentions and a@b.",
		"Meet (at) noon, prices [at] the store, look at example dot com.",
		"Tap at the dot in the corner, click at top dot right, arrive at noon dot.",
		"We are at version dot 3 and aim at speed dot fast.",
		"Visit us at example dot com, it is hosted at acme dot io.",
		"Tap (at) the top [at] 3.5 seconds; (at)example.com and [at].",
		"Sign up at example.com; I work at acme.io; we're at acme.io.",
		"Email us at example.com, contact us at acme.io, write to me at acme.io, my email is at example.com.",
		"Login at app.example.com fails and the team at acme.com knows.",
		"Look at gmail.com, stuck at step2.html, crashed at main.go, at 10.30 today.",
		"Support at acme.com never replied; we are at v2.3.",
		"Thanks @ acme.com team, meet @ 5pm, costs @ 3.5 GB, 50% off, 100%40.",
		"Ratio 16:9 and score 4.5/5 and 99.9% uptime.",
		"Path /api/v2/orders/12345678901 returned 404.",
		"x=5550109999y",
		// Short numbers without a word saying they are phone numbers, and
		// such words before numbers that are something else.
		"Order 5551234 and ticket 555-1234 are open.",
		"Order 12345678 2nd time, and 1234 5678 90ab is a key.",
		"My order number is 5551234, my account number 7654321.",
		"Ticket no. 1234567 was closed.",
		"Phone support took 20 minutes; call 911 or call 3 times.",
		"Call on 2024-05-01 at 10:30.",
		"The phone app has 1 000 000 users.",
		"We have 612 345 678 rows; el móvil costó 612 345 euros; telefonía 612 345 678.",
		"Call 1 000 000 customers, Mobile: 1 000 000 users, phone 2 500 000 units sold, my no. 1234567 fan.",
		"Chrome 124.0.6367.91 on Windows 10.0.19045.4291.",
		"Invoice 2024-000123, Rechnung 2024-0012345, Bestellnummer 1234567890, mi número de pedido es 1234567890.",
		"Backup 20240501103000 and 20240501-103000.",
		"EU sizes 38 39 40 41 42, seasons 2021 2022 2023, scores 85 90 78 92 88.",
		"ISBN 9783161484100, EAN 4006381333931, errno 2147483647.",
		"Factura nro. 123456, pedido nro 1234567890.",
		"Since 03/2024 1500 customers complained; from 01/2023 to 06/2024 2000 orders.",
		"Thanks to everyone @ gmail, and @gmail on Twitter.",
		"bought 3@126 each, ordered 10 units @ 163 each, login@web fails, priced at 2@web.",
		"Fish &amp; chips &#64; noon; R&D at the end of the period . Done.",
		"La app está a punto de fallar; the point is we meet at noon point blank; ella estaba arroba la mesa.",
		"We called 1234567 customers.",
		"We want to reach 250000 users and contact 120000 customers.",
		"Pages 012/3456 and 0/100 and 01/05/2024 and 05/2024.",
		"Build 0123/4567890/1 is a path.",
		// Unbroken runs of ten or more digits that a word names as a
		// reference.
		"Order 1234567890 is late, and my order number is 5551234567.",
		"Ticket ID: 4155550134 was closed; customer 4155550199 and case no. 2015550123 too.",
		"Error code 5550109999 on build 20240501123.",
		"全角のＡＢＣと１２３はそのまま、ｖ２．３も。",
		// IBAN-shaped text that fails the check, is cut short, runs on or
		// is glued to a word, and country-like codes before numbers.
		"DE89 3704 0044 0532 0130 01 fails the check.",
		"DE89 3704 0044 0532 0130 is cut short.",
		"XDE89370400440532013000 and DE89370400440532013000X.",
		"DE12 tickets, GB 82 rows, NL91 builds, es2024 and de89 3704.",
		"Error AB12 3456 7890 1234 5678 in QA12 build.",
	} {
		if got := enrich.RedactText(s); got != s {
			t.Errorf("RedactText(%q) changed it to %q", s, got)
		}
	}
}

func TestRedactTextDoesNotAllocateWhenThereIsNothingToRedact(t *testing.T) {
	s := "The dashboard took 30 seconds to load on 2024-05-01 with v2.3.14, order 12345678."
	allocs := testing.AllocsPerRun(100, func() {
		if enrich.RedactText(s) != s {
			t.Fatal("changed")
		}
	})
	if allocs != 0 {
		t.Errorf("RedactText allocated %v times on text with nothing to redact", allocs)
	}
}

// A metadata value is read after its key, as a value after a label in
// text: a CSV's "phone" column holds phone numbers that nothing in the
// value itself announces, and its "order_id" column holds references.
func TestRedactorReadsAMetadataValueAfterItsKey(t *testing.T) {
	cases := []struct{ key, value, want string }{
		{"phone", "612345678", "[phone]"},
		{"customer_phone", "555-0134", "[phone]"},
		{"mobileNumber", "612 345 678", "[phone]"},
		{"WhatsApp", "+34612345678", "[phone]"},
		{"order_id", "1234567890", "1234567890"},
		{"orderNumber", "4155550134", "4155550134"},
		{"seats", "612345678", "612345678"},
		{"comment", "call me on 555-0134", "call me on [phone]"},
		// Keys the second adversarial QA found read wrong.
		{"wa_id", "34612345678", "[phone]"},
		{"mobilephone", "612345678", "[phone]"},
		{"phone1", "612345678", "[phone]"},
		{"telefono_cliente", "612345678", "[phone]"},
		{"callerNumber", "612345678", "[phone]"},
		{"created_at", "1715000000", "1715000000"},
		{"createdAt", "1715000000", "1715000000"},
		{"external_id", "1234567890", "1234567890"},
		{"sessions_mobile", "1234567", "1234567"},
		{"sms", "1250000", "1250000"},
		{"phone_count", "1234567", "1234567"},
		{"t", "1234567", "1234567"},
		{"___", "4155550134", "[phone]"},
		// And the third.
		{"user_phone", "612345678", "[phone]"},
		{"userPhone", "612345678", "[phone]"},
		{"phone_2", "612345678", "[phone]"},
		{"verified_phone", "612345678", "[phone]"},
		{"recipient_id", "919876543210", "[phone]"},
		{"mobile_orders", "12345678", "12345678"},
		{"whatsapp_messages", "12345678", "12345678"},
		{"phone_minutes", "1234567", "1234567"},
		// And the fourth: quantities after their keys.
		{"size_bytes", "2147483648", "2147483648"},
		{"duration_ms", "1234567890", "1234567890"},
		{"uptime_seconds", "1234567890", "1234567890"},
		{"revenue", "1234567890", "1234567890"},
		{"arr", "1250000000", "1250000000"},
		{"sms_count", "1234567890", "1234567890"},
		{"phone_seconds", "call 555-0134", "call [phone]"},
		// Keys of messaging and telephony, and an address with its "at"
		// spelled under a key that names one.
		{"To", "612345678", "[phone]"},
		{"ani", "5550134", "[phone]"},
		{"natel", "791234567", "[phone]"},
		{"telegram", "612345678", "[phone]"},
		{"email", "jane at acme.io", "[email]"},
		{"customer_email", "jane at acme.io", "[email]"},
		{"assigned_to", "12345678", "12345678"},
		// The fifth: quantities only in the plural where the singular
		// names a phone's id.
		{"whatsapp_user", "14155550134", "[phone]"},
		{"phone_second", "612345678", "[phone]"},
		{"whatsapp_users", "1234567890", "1234567890"},
		// The sixth: Telegram's ids.
		{"telegram_id", "412345678", "412345678"},
		{"status", "sent at acme.io", "sent at acme.io"},
		// A device's own codes under a key that names the device.
		{"phone_imei", "490154203237518", "490154203237518"},
		{"mobile_serial", "3569381234", "3569381234"},
		{"phone_number", "3569381234", "[phone]"},
	}
	rec := &feedback.Record{Metadata: map[string]string{}}
	for _, c := range cases {
		rec.Metadata[c.key] = c.value
	}
	if err := enrich.NewRedactor(nil).Enrich(context.Background(), []*enrich.Item{{Record: rec}}); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if got := rec.Metadata[c.key]; got != c.want {
			t.Errorf("%s: %q became %q, want %q", c.key, c.value, got, c.want)
		}
	}
}

func TestRedactorRedactsTitleBodyAndMetadataButNotTheAuthorName(t *testing.T) {
	rec := &feedback.Record{
		Title:  "Call me on 555-010-9999",
		Body:   "Reach me at jane@example.com, card 4242 4242 4242 4242.",
		Author: &feedback.Author{ID: "u1", Name: "Jane jane@example.com", Email: "jane@example.com"},
		// Sources keep customers' own words in metadata too: a satisfaction
		// comment, a rating remark, a CSV's extra columns.
		Metadata: map[string]string{
			"satisfaction_comment": "fine, but call me on +44 20 7946 0958",
			"external_id":          "jane@example.com",
			"author_role":          "customer",
			"topic_id":             "5120",
			"link":                 "https://example.com/r/app/comments/1abc",
		},
	}
	if err := enrich.NewRedactor([]byte("k")).Enrich(context.Background(), []*enrich.Item{{Record: rec}}); err != nil {
		t.Fatal(err)
	}
	wantMeta := map[string]string{
		"satisfaction_comment": "fine, but call me on [phone]",
		"external_id":          "[email]",
		"author_role":          "customer",
		"topic_id":             "5120",
		"link":                 "https://example.com/r/app/comments/1abc",
	}
	if !maps.Equal(rec.Metadata, wantMeta) {
		t.Errorf("metadata = %v\nwant %v", rec.Metadata, wantMeta)
	}
	if rec.Title != "Call me on [phone]" {
		t.Errorf("title = %q", rec.Title)
	}
	if rec.Body != "Reach me at [email], card [card]." {
		t.Errorf("body = %q", rec.Body)
	}
	if rec.Author.Name != "Jane jane@example.com" || rec.Author.ID != "u1" {
		t.Errorf("author changed: %+v", rec.Author)
	}
}

func TestAuthorEmailIsReplacedByAKeyedHash(t *testing.T) {
	key := []byte("secret-key")
	want := func(k []byte, email string) string {
		m := hmac.New(sha256.New, k)
		m.Write([]byte(email))
		return hex.EncodeToString(m.Sum(nil))
	}
	hashOf := func(r *enrich.Redactor, email string) (string, *feedback.Author) {
		t.Helper()
		a := &feedback.Author{Name: "Jane", Email: email}
		it := &enrich.Item{Record: &feedback.Record{Body: "hi", Author: a}}
		if err := r.Enrich(context.Background(), []*enrich.Item{it}); err != nil {
			t.Fatal(err)
		}
		return it.AuthorEmailHash, a
	}
	r := enrich.NewRedactor(key)

	got, author := hashOf(r, "Jane.Doe@Example.com")
	if got != want(key, "jane.doe@example.com") {
		t.Errorf("hash = %q, want HMAC-SHA256 of the lowercased address", got)
	}
	if author.Email != "" {
		t.Errorf("author e-mail kept: %q", author.Email)
	}
	if again, _ := hashOf(r, "  jane.doe@example.COM \n"); again != got {
		t.Errorf("the same address hashed differently after trimming and lowercasing: %q vs %q", again, got)
	}
	if other, _ := hashOf(r, "john@example.com"); other == got {
		t.Error("two addresses share a hash")
	}
	if otherKey, _ := hashOf(enrich.NewRedactor([]byte("another-key")), "jane.doe@example.com"); otherKey == got {
		t.Error("the hash does not depend on the key")
	}
	if r.HashEmail("JANE.DOE@example.com") != got {
		t.Error("HashEmail disagrees with Enrich")
	}

	// Without a key no hash is stored, and the address is still removed.
	none, author := hashOf(enrich.NewRedactor(nil), "jane@example.com")
	if none != "" || author.Email != "" {
		t.Errorf("without a key: hash %q, e-mail %q; want both empty", none, author.Email)
	}
}

func TestRedactorCopiesItsKey(t *testing.T) {
	key := []byte("secret-key")
	r := enrich.NewRedactor(key)
	before := r.HashEmail("jane@example.com")
	copy(key, "XXXXXXXXXX")
	if after := r.HashEmail("jane@example.com"); after != before {
		t.Error("changing the caller's key slice changed the hashes")
	}
}

func TestRedactorSkipsItemsWithoutARecordOrAuthor(t *testing.T) {
	items := []*enrich.Item{nil, {}, {Record: &feedback.Record{Body: "no author"}}, {Record: &feedback.Record{Body: "x", Author: &feedback.Author{Name: "n"}}}}
	if err := enrich.NewRedactor([]byte("k")).Enrich(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	if items[3].AuthorEmailHash != "" {
		t.Error("an author without an address got a hash")
	}
}

// emailLike is an independent, deliberately simple idea of an e-mail
// address for the fuzz test: RedactText must remove at least these. A
// local part needs a letter or digit: ".@example.com" names nobody.
var emailLike = regexp.MustCompile(`[A-Za-z0-9._%+'-]*[A-Za-z0-9][A-Za-z0-9._%+'-]*@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`)

func FuzzRedactText(f *testing.F) {
	for _, s := range []string{
		"mail jane.doe@example.com or +1 (555) 010-9999",
		"card 4242 4242 4242 4242, 2024-05-01 10:30, v2.3.14",
		"a@b.cc@d.ee x@y.z1 ..a@b.cc",
		"((((+++@@@....----",
		"\xff@\xfe.com jörg@exämple.de",
		"12345678901234567890 1-2-3-4-5-6-7-8-9",
		"jane [at] example [dot] com, b(at)c.io, call 555 1234, 030/1234567",
		"jane at example dot com and x at y dot z at w dot io",
		"j.doe at acme.com, jane at gmail.com, a @ b.io, c%40d.io, e%40f@g.io",
		"DE89 3704 0044 0532 0130 00, gb82west12345698765432x, NO9386011117947",
		"電話は０９０－１２３４－５６７８、ｊａｎｅ＠ｅｘａｍｐｌｅ．ｃｏｍ\xef\xbc",
		// Texts that end right after a character that starts a look.
		"+", "rating: A+", "(+", "(+3", "call (", "x <", "a &", "b @", "3/", "555-0134x",
		"06\u00a012\u00a034 \u30fc", "jane&#6", "see [.", "arroba",
		// The forms added with the slash, the labels and the encoded '+'.
		"Tel. +49 (0) 30 / 123 456 78, Fon (0 89) 12 34 56 - 7, Home: 555-0134",
		"?tel=%2B14155550134&e=a%2540b%2Eio, a\\u0040b.io, https://u:p@h.io/",
		"03(1234)5678, 1714557600, +12 000 000, 2024 05 01, x ät y punkt de, z (a) w.ru",
		"%2b", "%2B1", "Tel 1/", "call 12 - ", "(0 ", "a:b@", "\\u004",
		"jane@example.com%2B14155550134", "Tel 0161 496 0000/07700 900456 - 5pm (a) x.io",
		"?p=%2B44%207700%20900123%20&q=%2B1+(415)+555%2D0134%2", "%2B1%2", "%2B1+",
		"tel:+1%20415%20555%200134, +44+7700+900123", "+1%20", "+1+", "+1+22",
		"?p=(415)%20555-0134&t=tel:07700%20900123", "=1%20", "=(1)%2", ":(12)%20",
		// Numbers read out.
		"call four one five, five five five, zero one three four", "(4 1 5) 5 5 5 - 0 1 3 4",
		"one eight hundred double five triple zero one", "5 4 5 3 4 5 5 4 5 5 1.2.3 9,8 fünf zéro",
		"hundred", "double", "4 ", " 4", "four-", "oh oh oh oh oh oh oh oh oh oh",
		// Numbers read out, QA round 12: dates, nulls, "o", capitals,
		// a trunk's five digits, a wrap, scores, layouts.
		"6/7/2024, 6/8/2024 1/2/", "null,3,null,8,null,6 null", "five o two o", "o", "five o",
		"ZÉRO SIX UN FÜNF TRÊS \xc3", "07700 nine double oh 0", "call me at four one five\nfive five\n",
		"3-1, 2-0, 4-2-", "(2 1 3) 5 5 5 - 1 2 3 4", "six hundred, eight hundred", "7, 8, 6, 9, 10",
		// A link's run of groups turned down whole, not read again from
		// its last group (the second pass read the rest as a number).
		"+0%200000000+0000000001", "%2B0%200000000+0000000001", "=0%200000000%200000000001",
		// A run turned down is skipped only as far as it was read: a
		// number after it in the same link is read on its own.
		"?v=%2B1%20000%20+4155550134", "%2B1%20000%20+0000000001", "+1%20000%20%2B0%200000000+0",
		"+0%200000000 0000000001", "%2B0%200000000 0000000001",
		// Numbers of two digits in words, QA round 13: compounds cut
		// short, times, and French pairs.
		"call five five five, twelve thirty-four", "quatre-vingt", "quatre-vingts-", "soixante et",
		"vingt et un", "treinta y", "dix-", "vierunddreißig", "einundUNDzwanzig", "zwölf\xc3",
		"zéro six, douze, trente-quatre, cinquante-six, soixante-dix-huit", "nine fifteen, ten, ten thirty",
		"call five five five zero one three four once", "ZÉRO SIX DOUZE TRENTE-QUATRE QUATRE-VINGTS DIX-SEPT",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := enrich.RedactText(s)
		for _, email := range emailLike.FindAllString(s, -1) {
			// A git remote's "git@github.com:acme/app.git" and
			// "ssh://git@host/…" stay: their git user is nobody's mailbox.
			if strings.HasPrefix(email, "git@") {
				continue
			}
			if strings.Contains(out, email) {
				t.Fatalf("RedactText(%q) = %q still holds %q", s, out, email)
			}
		}
		if again := enrich.RedactText(out); again != out {
			t.Fatalf("redacting twice changes the text: %q then %q", out, again)
		}
	})
}

// A metadata value is read after its key (redactValue): whatever the key,
// reading never fails, an address never stays, and a second reading keeps
// the first's result.
func FuzzRedactMetadataValue(f *testing.F) {
	for _, kv := range [][2]string{
		{"phone", "612345678"}, {"wa_id", "34612345678"}, {"order_id", "1234567890"},
		{"createdAt", "1715000000"}, {"___", "4155550134"}, {"t", "1234567"}, {"phone_2", "612 345 678"},
		{"", "jane@example.com"}, {"Id", "x"}, {"aB", "+1 (555) 010-9999"}, {"é_phone", "555-0134"},
	} {
		f.Add(kv[0], kv[1])
	}
	redact := func(t *testing.T, key, value string) string {
		rec := &feedback.Record{Metadata: map[string]string{key: value}}
		if err := enrich.NewRedactor(nil).Enrich(context.Background(), []*enrich.Item{{Record: rec}}); err != nil {
			t.Fatal(err)
		}
		return rec.Metadata[key]
	}
	f.Fuzz(func(t *testing.T, key, value string) {
		out := redact(t, key, value)
		for _, email := range emailLike.FindAllString(value, -1) {
			if strings.Contains(out, email) {
				t.Fatalf("%q: %q became %q, which still holds %q", key, value, out, email)
			}
		}
		if again := redact(t, key, out); again != out {
			t.Fatalf("%q: redacting twice changes the value: %q then %q", key, out, again)
		}
	})
}

func TestKeepTextLeavesTheTextButStillHashesTheAuthor(t *testing.T) {
	rec := &feedback.Record{
		Body:     "Call me on +1 415 555 0134",
		Author:   &feedback.Author{Email: "ann@example.com"},
		Metadata: map[string]string{"rating_remark": "ann@example.com"},
	}
	r := enrich.NewRedactor([]byte("k"))
	r.KeepText = true
	it := &enrich.Item{Record: rec}
	if err := r.Enrich(context.Background(), []*enrich.Item{it}); err != nil {
		t.Fatal(err)
	}
	if rec.Body != "Call me on +1 415 555 0134" {
		t.Errorf("body changed to %q with KeepText", rec.Body)
	}
	if rec.Metadata["rating_remark"] != "ann@example.com" {
		t.Errorf("metadata changed to %v with KeepText", rec.Metadata)
	}
	if rec.Author.Email != "" || it.AuthorEmailHash == "" {
		t.Errorf("author address kept (%q) or not hashed (%q)", rec.Author.Email, it.AuthorEmailHash)
	}
}

// Every process builds the table of digit words when it starts: the seed
// init settles on must come within a few tries. A plain multiplier tried
// in turn took twelve million, 3.6 s at every start (24 s under the race
// detector).
func TestTheDigitWordTableIsBuiltInAFewTries(t *testing.T) {
	if seed := enrich.SpokenSeed(); seed > 1000 {
		t.Errorf("init tried %d seeds for the table of digit words", seed)
	}
}
