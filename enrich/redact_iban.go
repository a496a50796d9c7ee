package enrich

import (
	"unicode/utf8"
)

// RedactText's rule for bank account numbers written as IBANs, which
// customers paste into billing tickets ("please refund to DE89 3704 0044
// 0532 0130 00").

// ibanLength is the length of an IBAN, in characters, in each country
// that issues them.
var ibanLength = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22,
	"BH": 22, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22,
	"DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27,
	"GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28,
	"IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
	"LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24,
	"ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24,
	"PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SC": 31,
	"SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24,
	"TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}

// ibanAt reports whether an IBAN starts at s[start], and where it ends:
// a country's code, two check digits and the rest of the country's length
// in letters and digits, in either case, unbroken or in groups of four
// separated by single spaces (as it is printed), that passes the ISO 7064
// mod-97 check, with no letter or digit right before or after it. A
// number that fails the check is left to the other rules.
func ibanAt(s string, start int) (end int, ok bool) {
	if start+4 > len(s) || !isDigit(s[start+2]) || !isDigit(s[start+3]) || wordBefore(s, start) {
		return 0, false
	}
	country := [2]byte{upper(s[start]), upper(s[start+1])}
	want := ibanLength[string(country[:])]
	if want == 0 {
		return 0, false
	}
	var chars [34]byte // the IBAN without spaces, upper-cased
	n := 0
	end = start
	for n < want {
		if end >= len(s) {
			return 0, false
		}
		c := s[end]
		if c == ' ' && n%4 == 0 && s[end-1] != ' ' { // n > 0 here: s[start] is a letter
			end++
			continue
		}
		if !isASCIIWordByte(c) {
			return 0, false
		}
		chars[n] = upper(c)
		n++
		end++
	}
	if end < len(s) && (isASCIIWordByte(s[end]) || s[end] >= utf8.RuneSelf && wordRuneAt(s, end)) {
		return 0, false
	}
	return end, ibanChecks(chars[:n])
}

// ibanChecks computes ISO 7064 mod 97 over the IBAN with its first four
// characters moved to the end and letters counted as 10 to 35; a valid
// IBAN leaves 1.
func ibanChecks(iban []byte) bool {
	rem := 0
	for k := range iban {
		c := iban[(k+4)%len(iban)]
		switch {
		case isDigit(c):
			rem = (rem*10 + int(c-'0')) % 97
		case 'A' <= c && c <= 'Z':
			rem = (rem*100 + int(c-'A') + 10) % 97
		default:
			return false
		}
	}
	return rem == 1
}

func upper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

// wordBefore reports whether a letter or digit comes right before s[i].
func wordBefore(s string, i int) bool {
	if i == 0 {
		return false
	}
	if c := s[i-1]; c < utf8.RuneSelf {
		return isASCIIWordByte(c)
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return wordRune(r)
}

func wordRuneAt(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return wordRune(r)
}
