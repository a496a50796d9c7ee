package feedback

import (
	"strings"
)

// SubjectPrefix is the first token of every feedback subject.
const SubjectPrefix = "feedback"

// Subject is where a record is published: feedback.<kind>.<source>.
func Subject(r *Record) string {
	return SubjectPrefix + "." + r.Kind + "." + r.Source
}

// SourceOfSubject returns the <source> token of a feedback subject, or
// "unknown" when the subject does not have the contract's shape. It names
// the dead-letter subject of a message whose body cannot be read.
func SourceOfSubject(subject string) string {
	parts := strings.Split(subject, ".")
	if len(parts) == 3 && parts[0] == SubjectPrefix && ValidSource(parts[2]) {
		return parts[2]
	}
	return "unknown"
}

// CheckSubject reports a record published on a subject that does not match
// its own kind and source: routing and content disagree, so the producer has
// a bug that retrying will not fix.
func CheckSubject(subject string, r *Record) error {
	if want := Subject(r); subject != want {
		return &Error{Reason: ReasonSubjectMismatch, Field: "subject", Value: subject,
			Detail: "does not match the record's kind and source, want " + want}
	}
	return nil
}
