package feedback_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/feedbackloop/feedbackloop/feedback"
)

const valid = `{"id":"zendesk:48213","source":"zendesk","kind":"ticket","created_at":"2026-03-01T09:30:00Z",
 "body":"Exports time out","title":"Export","url":"https://acme.zendesk.com/agent/tickets/48213","language":"en",
 "tags":["export"],"rating":4.5,"author":{"id":"u1","name":"Ann","email":"ann@example.com"},
 "account":{"id":"acme","name":"Acme","plan":"enterprise","arr":120000},"metadata":{"priority":"high"},
 "some_future_field":{"ignored":true}}`

// with replaces (or with a nil value, removes) one top-level field of valid.
func with(key string, value any) []byte {
	var m map[string]any
	if err := json.Unmarshal([]byte(valid), &m); err != nil {
		panic(err)
	}
	if value == nil {
		delete(m, key)
	} else {
		m[key] = value
	}
	b, _ := json.Marshal(m)
	return b
}

func TestDecodeAcceptsAValidRecordAndIgnoresUnknownFields(t *testing.T) {
	r, err := feedback.Decode([]byte(valid), 0)
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != "zendesk:48213" || r.Account.ARR != 120000 || *r.Rating != 4.5 || r.Metadata["priority"] != "high" ||
		!r.CreatedAt.Equal(time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)) || r.Author.Email != "ann@example.com" {
		t.Fatalf("decoded %+v", r)
	}
}

func TestDecodeRejectsBadRecordsNamingTheFieldAndValue(t *testing.T) {
	cases := []struct {
		name   string
		data   []byte
		max    int
		reason feedback.Reason
		field  string
		value  string
	}{
		{"not json", []byte("hello"), 0, feedback.ReasonMalformedJSON, "", ""},
		{"empty message", []byte(""), 0, feedback.ReasonMalformedJSON, "", ""},
		{"json array", []byte("[1,2]"), 0, feedback.ReasonMalformedJSON, "", ""},
		{"truncated json", []byte(valid[:40]), 0, feedback.ReasonMalformedJSON, "", ""},
		{"missing id", with("id", nil), 0, feedback.ReasonMissingField, "id", ""},
		{"empty id", with("id", ""), 0, feedback.ReasonMissingField, "id", ""},
		{"id with newline", with("id", "a\nb"), 0, feedback.ReasonInvalidField, "id", "a\nb"},
		{"missing source", with("source", nil), 0, feedback.ReasonMissingField, "source", ""},
		{"source with capitals", with("source", "Zendesk"), 0, feedback.ReasonInvalidField, "source", "Zendesk"},
		{"source too long", with("source", strings.Repeat("a", 65)), 0, feedback.ReasonInvalidField, "source", ""},
		{"missing kind", with("kind", nil), 0, feedback.ReasonMissingField, "kind", ""},
		{"unknown kind", with("kind", "complaint"), 0, feedback.ReasonInvalidField, "kind", "complaint"},
		{"missing created_at", with("created_at", nil), 0, feedback.ReasonMissingField, "created_at", ""},
		{"created_at not RFC 3339", with("created_at", "2026-03-01 09:30"), 0, feedback.ReasonInvalidField, "created_at", "2026-03-01 09:30"},
		{"created_at before 1970", with("created_at", "1969-12-31T23:00:00Z"), 0, feedback.ReasonInvalidField, "created_at", "1969-12-31T23:00:00Z"},
		{"created_at a number", with("created_at", 1700000000), 0, feedback.ReasonInvalidField, "created_at", ""},
		{"missing body", with("body", nil), 0, feedback.ReasonMissingField, "body", ""},
		{"blank body", with("body", "  \n "), 0, feedback.ReasonMissingField, "body", ""},
		{"body over the limit", with("body", strings.Repeat("x", 101)), 100, feedback.ReasonBodyTooLarge, "body", ""},
		{"body not a string", with("body", 42), 0, feedback.ReasonInvalidField, "body", ""},
		{"rating a string", with("rating", "five"), 0, feedback.ReasonInvalidField, "rating", ""},
		{"tags not strings", with("tags", []int{1}), 0, feedback.ReasonInvalidField, "tags", ""},
		{"empty tag", with("tags", []string{"ok", " "}), 0, feedback.ReasonInvalidField, "tags[1]", ""},
		{"negative arr", with("account", map[string]any{"id": "a", "arr": -5}), 0, feedback.ReasonInvalidField, "account.arr", "-5"},
		{"arr past any company's", with("account", map[string]any{"id": "a", "arr": 1.7e308}), 0, feedback.ReasonInvalidField, "account.arr", "1.7e+308"},
		{"arr a string", with("account", map[string]any{"id": "a", "arr": "lots"}), 0, feedback.ReasonInvalidField, "account.arr", "lots"},
		{"metadata value a number", with("metadata", map[string]any{"k": 1}), 0, feedback.ReasonInvalidField, "metadata", ""},
		{"rating a boolean", with("rating", true), 0, feedback.ReasonInvalidField, "rating", "true"},
		{"relative url", with("url", "/tickets/1"), 0, feedback.ReasonInvalidField, "url", "/tickets/1"},
		{"body invalid utf-8", []byte(strings.Replace(valid, "Exports time out", "Exports \xff\xfe out", 1)), 0, feedback.ReasonInvalidField, "body", ""},
		// Invalid UTF-8 anywhere is refused, not stored as U+FFFD.
		{"author name invalid utf-8", []byte(strings.Replace(valid, `"Ann"`, "\"J\xe9r\xf4me\"", 1)), 0, feedback.ReasonInvalidField, "author.name", ""},
		{"tag invalid utf-8", []byte(strings.Replace(valid, `"export"]`, "\"exp\xff\"]", 1)), 0, feedback.ReasonInvalidField, "tags[0]", ""},
		{"metadata value invalid utf-8", []byte(strings.Replace(valid, `"high"`, "\"h\xffgh\"", 1)), 0, feedback.ReasonInvalidField, "metadata.priority", ""},
		{"account plan invalid utf-8", []byte(strings.Replace(valid, `"enterprise"`, "\"ent\xc3\"", 1)), 0, feedback.ReasonInvalidField, "account.plan", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := feedback.Decode(tc.data, tc.max)
			if err == nil {
				t.Fatal("accepted")
			}
			verr, ok := feedback.AsError(err)
			if !ok {
				t.Fatalf("error %T is not a *feedback.Error", err)
			}
			if verr.Reason != tc.reason {
				t.Errorf("reason %q, want %q (%v)", verr.Reason, tc.reason, err)
			}
			if !strings.HasPrefix(verr.Field, tc.field) {
				t.Errorf("field %q, want %q (%v)", verr.Field, tc.field, err)
			}
			if tc.value != "" && verr.Value != tc.value {
				t.Errorf("value %q, want %q", verr.Value, tc.value)
			}
			if tc.field != "" && !strings.Contains(err.Error(), tc.field) {
				t.Errorf("message %q does not name field %q", err, tc.field)
			}
		})
	}
}

func TestEveryKindIsAccepted(t *testing.T) {
	for _, k := range feedback.Kinds {
		if _, err := feedback.Decode(with("kind", k), 0); err != nil {
			t.Errorf("kind %q: %v", k, err)
		}
	}
}

func TestSubjectsFollowTheContract(t *testing.T) {
	r, _ := feedback.Decode([]byte(valid), 0)
	if got := feedback.Subject(r); got != "feedback.ticket.zendesk" {
		t.Fatalf("Subject = %q", got)
	}
	if err := feedback.CheckSubject("feedback.ticket.zendesk", r); err != nil {
		t.Fatal(err)
	}
	err := feedback.CheckSubject("feedback.forum.zendesk", r)
	if verr, ok := feedback.AsError(err); !ok || verr.Reason != feedback.ReasonSubjectMismatch {
		t.Fatalf("mismatch not reported: %v", err)
	}
	for subject, want := range map[string]string{
		"feedback.ticket.zendesk": "zendesk", "feedback.ticket": "unknown", "other.x.y": "unknown", "feedback.a.B@d": "unknown",
	} {
		if got := feedback.SourceOfSubject(subject); got != want {
			t.Errorf("SourceOfSubject(%q) = %q, want %q", subject, got, want)
		}
	}
}

func TestARecordBuiltInGoRoundTripsThroughJSON(t *testing.T) {
	rating := 9.0
	r := &feedback.Record{ID: "typeform:1", Source: "typeform", Kind: "survey", Body: "Love it",
		CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 600, time.UTC), Rating: &rating, Parent: "typeform:form-7"}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	back, err := feedback.Decode(b, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !back.CreatedAt.Equal(r.CreatedAt) || *back.Rating != 9 || back.Parent != r.Parent {
		t.Fatalf("round trip changed the record: %+v", back)
	}
}

func FuzzDecodeNeverPanics(f *testing.F) {
	f.Add([]byte(valid))
	f.Add([]byte(`{"id":1}`))
	f.Add(with("body", "\u0000"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := feedback.Decode(data, 1024)
		if err == nil && (r.ID == "" || r.Body == "" || r.CreatedAt.IsZero()) {
			t.Fatalf("accepted an incomplete record: %+v", r)
		}
		if err != nil {
			if _, ok := feedback.AsError(err); !ok {
				t.Fatalf("error %T is not a *feedback.Error", err)
			}
		}
	})
}

// Decode uses a faster JSON decoder than encoding/json; whatever it
// accepts must be valid JSON that encoding/json reads the same way.
func FuzzDecodeAgreesWithEncodingJSON(f *testing.F) {
	f.Add([]byte(valid))
	f.Add(with("tags", []string{"a", "b"}))
	f.Add([]byte(`{"id":"a:1","source":"a","kind":"other","created_at":"2026-01-01T00:00:00+02:00","body":"x","ID":"a:2"}`))
	f.Add([]byte(`{"id":"a:1","source":"a","kind":"other","created_at":"2026-01-01T00:00:00Z","body":"\ud800 x","rating":1e2}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := feedback.Decode(data, 0)
		if err != nil {
			return
		}
		if !json.Valid(data) {
			t.Fatalf("accepted invalid JSON %q", data)
		}
		var want feedback.Record
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatalf("Decode accepted what encoding/json refuses (%v): %q", err, data)
		}
		if !got.CreatedAt.Equal(want.CreatedAt) {
			t.Fatalf("created_at %s, encoding/json reads %s", got.CreatedAt, want.CreatedAt)
		}
		want.CreatedAt = got.CreatedAt
		a, _ := json.Marshal(got)
		b, _ := json.Marshal(&want)
		if string(a) != string(b) {
			t.Fatalf("Decode read\n%s\nencoding/json reads\n%s\nfrom %q", a, b, data)
		}
	})
}

// A wrong-typed object or list is not echoed into the error, which goes
// to logs and dead-letter headers: it may hold an address.
func TestAWrongTypedObjectIsNotEchoedIntoTheError(t *testing.T) {
	_, err := feedback.Decode(with("author", []string{"ann@example.com"}), 0)
	verr, ok := feedback.AsError(err)
	if !ok || verr.Field != "author" || strings.Contains(err.Error(), "ann@") {
		t.Errorf("error %v", err)
	}
}

// A record built in Go can hold what JSON cannot: a NaN ARR is refused,
// not left to fail when the record is marshalled.
func TestARecordWithANaNARRIsInvalid(t *testing.T) {
	r, err := feedback.Decode([]byte(valid), 0)
	if err != nil {
		t.Fatal(err)
	}
	r.Account.ARR = math.NaN()
	if verr, ok := feedback.AsError(r.Validate()); !ok || verr.Field != "account.arr" {
		t.Errorf("Validate: %v", r.Validate())
	}
}
