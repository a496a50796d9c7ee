// Package sources maps what feedback sources export, answer and post into
// feedback records: Zendesk, Freshdesk, Intercom, Discourse, GitHub and
// Reddit JSON, CSV with a column map, contract records as JSON lines, and
// interview notes. The importer, the intake server's webhooks and the
// pollers all go through these mappers, so one item gets the same record
// whichever way it arrives.
//
// # Ids
//
// A record's id is <source>:<native id> (zendesk:48213, discourse:9921,
// reddit:1abcd2), and a part of a larger item is <source>:<item
// id>/<part id> with the item as parent (zendesk:48213/9001 for a ticket
// comment, intercom:503/7 for a conversation part, notes:acme-2024/3 for
// a passage of an interview). GitHub issues are identified by repository
// and number (github:owner/repo#12), which every GitHub shape names. The
// ids are stable: mapping the same input again yields the same ids, and
// JetStream's duplicate window and the store drop the repeats.
//
// # Contract
//
// A mapper returns one Item per item it found, each a record that passed
// feedback validation or an error naming the item's position and the
// field at fault. Items that are not feedback (a pull request, a deleted
// comment, a webhook event about something else) come back with an error
// that matches ErrSkipped. Nothing here publishes: callers decide.
//
// # Customer voice
//
// Records are what customers said. Replies by agents, internal notes,
// bots and posts by the product's staff, moderators and maintainers are
// skipped with an error that matches ErrNotCustomer (and ErrSkipped) and
// says who wrote the item, unless Options.IncludeStaff keeps them as
// records marked with metadata.author_role. See ErrNotCustomer.
package sources
