package ingest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// PeerBucket is the key-value bucket in which every process that asks the
// LLM (workers, retag runs) says so every few seconds, so that
// llm.tokens_per_minute holds for them together: each keeps to the limit
// divided by how many they are.
const PeerBucket = "feedbackloop_llm_peers"

// PeerTTL is how long a process that stopped beating still counts: three
// of the LLM tagger's beats, five seconds apart.
const PeerTTL = 15 * time.Second

// Peers is one process's entry in the peer bucket.
type Peers struct {
	kv jetstream.KeyValue
	id string
}

// EnsurePeers creates the peer bucket when it is missing, with entries
// that expire after ttl (PeerTTL), and returns a new process's entry in
// it. The bucket is in memory: a count is worth nothing after a restart.
func EnsurePeers(ctx context.Context, js jetstream.JetStream, ttl time.Duration, replicas int) (*Peers, error) {
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      PeerBucket,
		Description: "Feedback Loop: the processes asking the LLM now, which share llm.tokens_per_minute",
		History:     1,
		TTL:         ttl,
		Storage:     jetstream.MemoryStorage,
		Replicas:    replicas,
	})
	if err != nil {
		return nil, fmt.Errorf("peer bucket %s: %w", PeerBucket, err)
	}
	var id [8]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, fmt.Errorf("peer bucket %s: %w", PeerBucket, err)
	}
	return &Peers{kv: kv, id: hex.EncodeToString(id[:])}, nil
}

// Beat says that this process asks the LLM, and returns how many
// processes beat within the bucket's TTL, this one included. With one
// value per key and no deletes, the bucket's values are its live keys.
func (p *Peers) Beat(ctx context.Context) (int, error) {
	if _, err := p.kv.Put(ctx, p.id, strconv.AppendInt(nil, time.Now().Unix(), 10)); err != nil {
		return 0, fmt.Errorf("peer bucket %s: beat: %w", PeerBucket, err)
	}
	st, err := p.kv.Status(ctx)
	if err != nil {
		return 0, fmt.Errorf("peer bucket %s: count: %w", PeerBucket, err)
	}
	return max(int(st.Values()), 1), nil
}
