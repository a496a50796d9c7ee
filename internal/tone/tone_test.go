package tone_test

import (
	"testing"

	"github.com/feedbackloop/feedbackloop/internal/tone"
)

func TestParseAndCondition(t *testing.T) {
	for _, tc := range []struct {
		word, cond string
	}{{"any", ""}, {"negative", "s < 0"}, {"positive", "s > 0"}} {
		got, err := tone.Parse(tc.word)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tc.word, err)
		}
		if cond, err := got.Condition("s"); err != nil || cond != tc.cond {
			t.Errorf("%q: condition %q, %v; want %q", tc.word, cond, err, tc.cond)
		}
	}
	for _, bad := range []string{"", "Negative", "angry"} {
		if _, err := tone.Parse(bad); err == nil || err.Error() != "want any, negative or positive" {
			t.Errorf("Parse(%q): %v, want the list of values", bad, err)
		}
	}
	if cond, err := tone.Tone("").Condition("s"); err != nil || cond != "" {
		t.Errorf("the zero Tone: %q, %v; want any", cond, err)
	}
	if _, err := tone.Tone("angry").Condition("s"); err == nil {
		t.Error("an unknown Tone made a condition")
	}
}
