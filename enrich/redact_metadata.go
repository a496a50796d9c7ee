package enrich

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The Redactor's reading of metadata values: each after its key, as a
// value in text is read after its label.

// redactValue is RedactText for a metadata value, read after its key as
// after a label: "phone: 612345678" is a phone number where "612345678"
// alone is not, and "order id: 1234567890" is a reference.
//   - A key that names a phone ("mobilephone", "phone1", "wa_id",
//     "telefono_cliente"; see phoneKey) is the label "phone", unless it
//     names a count or a kind of something ("phone_count",
//     "sessions_mobile"), which is no label at all, or a code of the
//     device's ("phone_imei").
//   - A key that names an id or a time ("external_id", "createdAt") is
//     read as a key is in text ("external_id=").
//   - Any other key's words are split as a label's are ("order_number").
func redactValue(key, v string) string {
	if key == "" || !strings.ContainsAny(v, "0123456789") && !mailKey(key) {
		return RedactText(v) // the key announces numbers, and addresses
	}
	words := keyLabel(key)
	last := strings.TrimRightFunc(words, unicode.IsSpace)
	if k := strings.LastIndexFunc(last, unicode.IsSpace); k >= 0 { // the last word, as strings.Fields splits
		_, size := utf8.DecodeRuneInString(last[k:])
		last = last[k+size:]
	}
	var label string
	switch phone := phoneKey(key) && !deviceCodes[strings.ToLower(last)]; {
	case quantityKey(key) && plainNumber(v):
		return v // "size_bytes", "duration_ms", "sms_count": a quantity, whatever its digits
	case len(last) == 0 || len(last) == 1 && isASCIILetter(last[0]):
		return RedactText(v) // "t", "size_h": no label, whatever the letter is in a card
	case isIDKey(key) || isTimeKey(key):
		label = key + "="
	case phone && countKey(key):
		return RedactText(v)
	case phone:
		label = "phone: "
	default:
		label = words + ": "
	}
	red := RedactText(label + v)
	if rest, ok := strings.CutPrefix(red, label); ok {
		return rest
	}
	return RedactText(v) // the key itself was taken for part of a detail
}

// mailKey reports whether a key names an e-mail address ("email",
// "customer_email", "correo"), whose value is read after it as after the
// label "email:": "jane at acme.io" is an address there.
func mailKey(raw string) bool {
	for _, w := range strings.Fields(strings.ToLower(keyLabel(raw))) {
		if w == "email" || w == "mail" || w == "correo" || w == "courriel" { // "e-mail" is "e mail"
			return true
		}
	}
	return false
}

// countKey reports whether a key names a count, or phones of a kind, or
// something of a phone's that is no number: "phone_count", "sms_sent",
// "sessions_mobile", "mobile_app_version".
func countKey(raw string) bool {
	for _, w := range strings.Fields(strings.ToLower(keyLabel(raw))) {
		if countWords[w] || countWords[strings.TrimSuffix(w, "s")] {
			return true
		}
	}
	return false
}

// quantityKey reports whether a key's last word names a quantity:
// "size_bytes", "duration_ms", "revenue", "sms_count", "arr".
func quantityKey(raw string) bool {
	words := strings.Fields(strings.ToLower(keyLabel(raw)))
	if len(words) == 0 {
		return false
	}
	last := words[len(words)-1]
	return quantityWords[last] || len(last) > 3 && quantityWords[strings.TrimSuffix(last, "s")]
}

// quantityWords are the last words of keys whose values are quantities.
// Of some only the plural: "whatsapp_user" and "phone_second" hold phone
// numbers, "whatsapp_users" and "uptime_seconds" quantities.
var quantityWords = setOf("count", "total", "sum", "amount", "revenue", "arr", "mrr", "size", "byte",
	"kb", "mb", "gb", "ms", "sec", "seconds", "minute", "hour", "duration", "cost", "price", "spend",
	"users", "sessions", "view", "visits", "click", "install", "download", "attempt", "rate", "percent",
	"length", "balance", "budget")

// plainNumber reports whether v is a number and nothing else: digits,
// with a sign, a decimal point or thousands' commas.
func plainNumber(v string) bool {
	v = strings.TrimPrefix(v, "-")
	if v == "" || !isDigit(v[0]) {
		return false
	}
	for i := 0; i < len(v); i++ {
		if !isDigit(v[i]) && v[i] != '.' && v[i] != ',' {
			return false
		}
	}
	return true
}

// countWords are the words of keys, in the singular or as written, that
// name no phone number, though a phone word is among them: "phone_count",
// "mobile_users", "tel_campaign"; but "user_phone" is a user's phone.
var countWords = setOf("count", "total", "session", "visit", "view", "attempt", "click", "sent",
	"version", "app", "reason", "type", "status", "country", "model", "os", "brand", "share",
	"build", "campaign", "plan", "tower", "rate", "percent", "revenue", "install", "download",
	"spend", "cost", "price", "amount", "size", "order", "message", "minute", "optin", "opt", "call",
	"users")

// keyLabel writes a metadata key as words: '_', '-' and '.' as spaces,
// and a space before each capital that follows a small letter.
func keyLabel(key string) string {
	var b strings.Builder
	b.Grow(len(key) + 4)
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c == '_' || c == '-' || c == '.':
			c = ' '
		case 'A' <= c && c <= 'Z' && i > 0 && 'a' <= key[i-1] && key[i-1] <= 'z':
			b.WriteByte(' ')
		}
		b.WriteByte(c)
	}
	return b.String()
}
