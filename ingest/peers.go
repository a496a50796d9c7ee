package ingest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
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
	js  jetstream.JetStream
	cfg jetstream.KeyValueConfig
	id  string

	mu sync.Mutex
	kv jetstream.KeyValue
	// last is the count of the last beat; created is when NATS says the
	// bucket was created, as of that beat; remade is when this process
	// saw that the bucket had been made again (see Beat), zero when not
	// within a TTL.
	last    int
	created time.Time
	remade  time.Time
}

// EnsurePeers creates the peer bucket when it is missing, with entries
// that expire after ttl (PeerTTL), and returns a new process's entry in
// it. The bucket is in memory: a count is worth nothing after a restart,
// and Beat makes the bucket again when a restart of NATS lost it.
func EnsurePeers(ctx context.Context, js jetstream.JetStream, ttl time.Duration, replicas int) (*Peers, error) {
	cfg := jetstream.KeyValueConfig{
		Bucket:      PeerBucket,
		Description: "Feedback Loop: the processes asking the LLM now, which share llm.tokens_per_minute",
		History:     1,
		TTL:         ttl,
		Storage:     jetstream.MemoryStorage,
		Replicas:    replicas,
	}
	kv, err := js.CreateOrUpdateKeyValue(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("peer bucket %s: %w", PeerBucket, err)
	}
	var id [8]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, fmt.Errorf("peer bucket %s: %w", PeerBucket, err)
	}
	return &Peers{js: js, cfg: cfg, kv: kv, id: hex.EncodeToString(id[:])}, nil
}

// Beat says that this process asks the LLM and has booked the tokens
// booked in the last minute, and returns how many processes beat within
// the bucket's TTL, this one included, and the tokens the others said
// they had booked at their last beats. An entry is the time of its beat
// and those tokens ("1765148000 18250"); one written before the tokens
// were (the time alone) books none.
//
// A restart of NATS loses the bucket, which is in memory: Beat makes it
// again. The processes that beat before the restart then count again as
// they beat in the new bucket, each within a TTL; until a TTL has passed
// since a process saw the bucket made again, its Beat counts no fewer
// than before, so that no process takes a larger share on the count of
// those that happened to beat first.
func (p *Peers) Beat(ctx context.Context, booked int) (processes, othersBooked int, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	n, others, created, err := p.beat(ctx, booked)
	if err != nil && bucketGone(err) {
		kv, cerr := p.js.CreateOrUpdateKeyValue(ctx, p.cfg)
		if cerr != nil {
			return 0, 0, fmt.Errorf("%w; making it again: %w", err, cerr)
		}
		p.kv = kv
		n, others, created, err = p.beat(ctx, booked)
	}
	if err != nil {
		return 0, 0, err
	}
	now := time.Now()
	if !p.created.IsZero() && !created.Equal(p.created) {
		p.remade = now
	}
	p.created = created
	if !p.remade.IsZero() {
		if now.Sub(p.remade) < p.cfg.TTL {
			n = max(n, p.last)
		} else {
			p.remade = time.Time{}
		}
	}
	p.last = n
	return n, others, nil
}

// beat puts this process's entry and returns the bucket's live entries,
// the tokens the others booked, and when its stream was created.
func (p *Peers) beat(ctx context.Context, booked int) (n, others int, created time.Time, err error) {
	v := strconv.AppendInt(nil, time.Now().Unix(), 10)
	v = strconv.AppendInt(append(v, ' '), int64(max(booked, 0)), 10)
	if _, err := p.kv.Put(ctx, p.id, v); err != nil {
		return 0, 0, time.Time{}, fmt.Errorf("peer bucket %s: beat: %w", PeerBucket, err)
	}
	st, err := p.kv.Status(ctx)
	if err != nil {
		return 0, 0, time.Time{}, fmt.Errorf("peer bucket %s: count: %w", PeerBucket, err)
	}
	if bs, ok := st.(*jetstream.KeyValueBucketStatus); ok && bs.StreamInfo() != nil {
		created = bs.StreamInfo().Created
	}
	// With one value per key and no deletes, the bucket's values are its
	// live entries: what a watch of them all gives before its nil.
	w, err := p.kv.WatchAll(ctx, jetstream.IgnoreDeletes())
	if err != nil {
		return 0, 0, time.Time{}, fmt.Errorf("peer bucket %s: read: %w", PeerBucket, err)
	}
	defer w.Stop()
	for {
		select {
		case <-ctx.Done():
			return 0, 0, time.Time{}, fmt.Errorf("peer bucket %s: read: %w", PeerBucket, ctx.Err())
		case e, ok := <-w.Updates():
			if !ok {
				return 0, 0, time.Time{}, fmt.Errorf("peer bucket %s: read: the watch ended", PeerBucket)
			}
			if e == nil {
				return max(n, 1), others, created, nil
			}
			n++
			if e.Key() != p.id {
				others += bookedIn(e.Value())
			}
		}
	}
}

// bookedIn reads the tokens an entry says its process booked: 0 when it
// says none.
func bookedIn(v []byte) int {
	_, tokens, ok := bytes.Cut(v, []byte(" "))
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(string(tokens))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// bucketGone reports whether err says that the bucket's stream is not
// there (JetStream answers no publish to a subject no stream holds).
func bucketGone(err error) bool {
	return errors.Is(err, jetstream.ErrNoStreamResponse) || errors.Is(err, nats.ErrNoResponders) ||
		errors.Is(err, jetstream.ErrStreamNotFound) || errors.Is(err, jetstream.ErrBucketNotFound)
}
