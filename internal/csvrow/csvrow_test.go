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
