package csvrow

import (
	"strings"
	"testing"
)

func TestOverflow(t *testing.T) {
	for _, tc := range []struct {
		rec  []string
		want string
	}{
		{[]string{"a", "b"}, ""},
		{[]string{"a"}, ""},
		{[]string{"a", "b", "", ""}, ""},
		{[]string{"it is slow", " very slow", "bugs"}, `3 fields where the header has 2 (field 3 is "bugs")`},
		{[]string{"a", "b", "", "x"}, `4 fields where the header has 2 (field 4 is "x")`},
	} {
		err := Overflow(tc.rec, 2)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("Overflow(%q, 2) = %v, want %q", tc.rec, err, tc.want)
		}
	}
}

func TestDelimiter(t *testing.T) {
	for _, tc := range []struct {
		head string
		want rune
	}{
		{"text,labels\nx;y;z,a\n", ','},
		{"text;labels\nx,y,z;a\n", ';'},
		{"Date\tComment\tScore\n", '\t'},
		{"text\n", ','},
		{"", ','},
		{`"a;b;c",labels` + "\n", ','},
		{`"text, as written";labels` + "\n", ';'},
		{"\"a\nb;c;d\",e\n", ','},
	} {
		if got := Delimiter([]byte(tc.head)); got != tc.want {
			t.Errorf("Delimiter(%q) = %q, want %q", tc.head, got, tc.want)
		}
	}
}
