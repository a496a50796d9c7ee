package enrich

import (
	"strings"
	"testing"
)

func TestLexiconEntriesAreDistinctAfterStemming(t *testing.T) {
	seen := map[string]string{} // stemmed key → entry
	key := func(term string) string { return strings.Join(stems(term), " ") }
	for _, g := range lexicon {
		if g.weight < -4 || g.weight > 4 || g.weight == 0 {
			t.Errorf("weight %v is outside [-4, 4] or zero", g.weight)
		}
		for _, term := range g.terms {
			k := key(term)
			if k == "" {
				t.Errorf("lexicon entry %q has no words", term)
			}
			if prev, ok := seen[k]; ok {
				t.Errorf("lexicon entries %q and %q stem alike (%q)", prev, term, k)
			}
			seen[k] = term
		}
	}
	for _, term := range courtesies {
		k := key(term)
		if prev, ok := seen[k]; ok {
			t.Errorf("courtesy %q stems like lexicon entry %q (%q)", term, prev, k)
		}
		seen[k] = term
	}
	if len(seen) < 300 {
		t.Errorf("lexicon has %d entries, want a few hundred", len(seen))
	}
	// A word with a role must not also carry a weight of its own: the
	// weight would win and the role would never apply.
	// Nor may a word have two roles: the last one set would win.
	roles := map[string]string{}
	addRole := func(w, what string) {
		if prev, ok := roles[key(w)]; ok && prev != what {
			t.Errorf("%q is both %s and %s", w, prev, what)
		}
		roles[key(w)] = what
	}
	for _, w := range negations {
		addRole(w, "a negation")
	}
	for _, g := range intensifiers {
		for _, w := range g.words {
			addRole(w, "an intensifier")
		}
	}
	for _, w := range append(append([]string{}, contrasts...), concessions...) {
		addRole(w, "a contrast")
	}
	for _, w := range functions {
		addRole(w, "a function")
	}
	for _, w := range halts {
		addRole(w, "a halt")
	}
	for _, w := range obligations {
		addRole(w, "an obligation")
	}
	for _, list := range []struct {
		words []string
		what  string
	}{{takes, "a word of takes"}, {counts, "a count"}, {durations, "a duration"}, {quick, "a word of quick"}} {
		for _, w := range list.words {
			addRole(w, list.what)
		}
	}
	for _, w := range softNegations {
		if roles[key(w)] != "a negation" {
			t.Errorf("soft negation %q is not in negations", w)
		}
	}
	for k, term := range seen {
		// A word of takes may weigh too ("wait"): sum starts the wait
		// after adding the weight. Every other role would be shadowed.
		if role, ok := roles[k]; ok && role != "a word of takes" {
			t.Errorf("lexicon entry %q is also %s", term, role)
		}
	}
}
