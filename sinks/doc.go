// Package sinks stores enriched records: the one batching component of the
// pipeline ([Batcher], flushing on rows, bytes or age), the ClickHouse
// writer ([ClickHouse]) and the versioned schema it writes to ([Migrate]).
//
// Who acks: nobody in this package touches NATS. A Batcher calls each
// entry's done function with the result of the insert that held it; the
// worker acks on nil and naks otherwise.
package sinks
