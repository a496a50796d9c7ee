package sources

import (
	"errors"
	"fmt"

	"github.com/feedbackloop/feedbackloop/feedback"
)

// ErrNotCustomer marks items skipped because someone other than a
// customer wrote them; they match ErrSkipped too.
//
// Theme counts, emerging themes and bet evidence take every record for
// something a customer said, so by default the mappers publish only text
// written by customers and end users. Agent replies, internal and private
// notes, bot and automation messages, and posts by the product's own
// staff, moderators and maintainers are skipped with a reason that names
// the item and says who wrote it, wherever the source says so; an item
// whose author the source does not say is kept. docs/sources.md lists
// what each source says.
//
// Options.IncludeStaff keeps them as records instead, marked with
// metadata.author_role (see IsStaffRole) and, for notes,
// metadata.visibility=private, so that queries can still keep to what
// customers wrote. Skipping never changes an id: an item has the same id
// whether IncludeStaff is set or not, and the records of a mapping without
// it are those of a mapping with it, less the skipped ones.
var ErrNotCustomer = errors.New("not customer feedback")

type notCustomerError struct{ reason string }

func (e *notCustomerError) Error() string {
	return "skipped: not customer feedback: " + e.reason
}

func (e *notCustomerError) Is(target error) bool {
	return target == ErrSkipped || target == ErrNotCustomer
}

func notCustomer(reason string) error { return &notCustomerError{reason: reason} }

// staffRoles are the metadata.author_role values that name someone other
// than a customer.
var staffRoles = map[string]bool{
	"agent": true, "admin": true, "bot": true, "maintainer": true, "moderator": true, "staff": true, "team": true,
	// Neither the team nor the customer: Freshdesk's private note holding
	// the answer to a ticket an agent forwarded.
	"third_party": true,
}

// IsStaffRole reports whether a metadata.author_role value names someone
// other than a customer: agent, admin, bot, maintainer, moderator, staff,
// team or third_party. Any other value (customer, none, or a role a CSV
// column or a contract record spells its own way) counts as a customer's:
// a role nobody here knows is no evidence that staff wrote the text.
// Queries over records imported with IncludeStaff keep to customer voice
// by leaving out these roles.
func IsStaffRole(role string) bool {
	return staffRoles[role]
}

// skipStaff reports whether an item someone other than a customer wrote,
// as reason says (empty: a customer, or nobody knows), is left out. The
// mappers ask as soon as they know who wrote an item, before they check
// the rest of it: text nobody will count need not be valid.
func (o Options) skipStaff(reason string) bool { return reason != "" && !o.IncludeStaff }

// judge turns an item whose record says who wrote it in
// metadata.author_role into a skipped one when that is not a customer and
// opts leave staff text out. CSV rows and contract records (JSON lines, the
// intake API) are judged so.
func (o Options) judge(it Item) Item {
	if it.Record == nil {
		return it
	}
	if reason := roleReason(it.Record); o.skipStaff(reason) {
		return failed(it.Pos, notCustomer(reason))
	}
	return it
}

// roleReason is why a record that says who wrote it in
// metadata.author_role is not customer feedback; empty when it is, or
// when it does not say. Contract records (JSON lines, the intake API) and
// CSV rows are judged by it.
func roleReason(r *feedback.Record) string {
	role := r.Metadata["author_role"]
	if !IsStaffRole(role) {
		return ""
	}
	return fmt.Sprintf("%s has metadata.author_role=%s", r.ID, role)
}
