// Package feedback defines the feedback record, the message contract every
// producer and the worker share: its JSON shape, its validation rules, the
// NATS subject it travels on and the reasons a message is dead-lettered.
//
// The contract is a public API and is versioned: [ContractVersion] changes
// only when a field changes meaning or a rule becomes stricter. New optional
// fields do not bump it; consumers ignore fields they do not know.
package feedback
