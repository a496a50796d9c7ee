package poll

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"github.com/feedbackloop/feedbackloop/feedback"
	"github.com/feedbackloop/feedbackloop/ingest"
	"github.com/feedbackloop/feedbackloop/ingest/sources"
)

// Source is one upstream the poller reads.
type Source interface {
	// Key names the source's checkpoint in the bucket, e.g. "discourse"
	// or "github/owner/repo/issues".
	Key() string
	// Poll reads what the source has after checkpoint (nil on the first
	// poll) and hands it to emit one page at a time, oldest first. It
	// stops at the first error emit returns and returns it.
	Poll(ctx context.Context, checkpoint []byte, emit Emit) error
}

// Emit takes a page of mapped items and the checkpoint that is true once
// they are stored. It returns only after the page's records were
// acknowledged by JetStream and the checkpoint was written.
type Emit func(ctx context.Context, items []sources.Item, checkpoint []byte) error

// Publisher stores records durably; ingest.Publisher is one.
type Publisher interface {
	Publish(ctx context.Context, recs []*feedback.Record) ([]ingest.Outcome, error)
}

// Poller polls its sources on a schedule and keeps their checkpoints in a
// NATS key-value bucket. A checkpoint is written only after every record
// before it was acknowledged, so a poller stopped at any point resumes
// without a gap, and repeats at most the page it was publishing (whose
// records JetStream or the store deduplicates by id).
type Poller struct {
	sources        []Source
	pub            Publisher
	kv             jetstream.KeyValue
	interval       time.Duration
	publishTimeout time.Duration
	maxBodyBytes   int
	log            *zap.Logger
}

// Options build a Poller.
type Options struct {
	Sources   []Source
	Publisher Publisher
	// Checkpoints is the bucket; see Bucket.
	Checkpoints jetstream.KeyValue
	Interval    time.Duration
	// MaxBodyBytes is the body limit records are published with
	// (worker.max_body_bytes; 0 for the default): the mapped items are
	// judged by it, as an import's are.
	MaxBodyBytes int
	Log          *zap.Logger
}

// New returns a Poller.
func New(o Options) (*Poller, error) {
	switch {
	case len(o.Sources) == 0:
		return nil, errors.New("poll: no sources configured")
	case o.Publisher == nil || o.Checkpoints == nil:
		return nil, errors.New("poll: a publisher and a checkpoint bucket are required")
	case o.Interval <= 0:
		return nil, errors.New("poll: interval must be positive")
	}
	log := o.Log
	if log == nil {
		log = zap.NewNop()
	}
	return &Poller{sources: o.Sources, pub: o.Publisher, kv: o.Checkpoints, interval: o.Interval,
		publishTimeout: 30 * time.Second, maxBodyBytes: o.MaxBodyBytes, log: log}, nil
}

// Bucket creates the checkpoint bucket when it is missing and returns it.
func Bucket(ctx context.Context, js jetstream.JetStream, name string) (jetstream.KeyValue, error) {
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      name,
		Description: "Feedback Loop poller checkpoints: where each source was read up to",
		History:     5,
		Storage:     jetstream.FileStorage,
	})
	if err != nil {
		return nil, fmt.Errorf("checkpoint bucket %s: %w", name, err)
	}
	return kv, nil
}

// Run polls every source now and then every interval until ctx ends. A
// failed poll is logged and tried again at the next interval; Run returns
// nil when ctx ends.
func (p *Poller) Run(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	for _, src := range p.sources {
		g.Go(func() error {
			for {
				if err := p.PollOnce(ctx, src); err != nil && ctx.Err() == nil {
					p.log.Error("poll failed; trying again at the next interval", zap.String("source", src.Key()), zap.Error(err))
				}
				select {
				case <-ctx.Done():
					return nil
				case <-time.After(p.interval):
				}
			}
		})
	}
	return g.Wait()
}

// PollOnce reads src from its checkpoint to what it has now.
func (p *Poller) PollOnce(ctx context.Context, src Source) error {
	key := src.Key()
	var checkpoint []byte
	entry, err := p.kv.Get(ctx, key)
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound):
	case err != nil:
		return fmt.Errorf("read checkpoint %s: %w", key, err)
	default:
		checkpoint = entry.Value()
	}
	var published, duplicates, rejected, skipped, notCustomer, superseded int
	started := time.Now()
	// written is the checkpoint the bucket holds: a page that leaves it
	// as it was (a poll that found nothing new) does not write it again,
	// which would add a revision to the bucket at every poll of every
	// source for nothing.
	written := checkpoint
	err = src.Poll(ctx, checkpoint, func(ctx context.Context, items []sources.Item, next []byte) error {
		sources.WithBodyLimit(items, p.maxBodyBytes)
		var recs []*feedback.Record
		for _, it := range items {
			switch {
			case it.Record != nil:
				recs = append(recs, it.Record)
			case errors.Is(it.Err, sources.ErrNotCustomer):
				// Agents', bots' and staff's text, left out unless
				// poll.include_staff: counted in the summary below.
				notCustomer++
				p.log.Debug("item skipped", zap.String("source", key), zap.Stringer("position", it.Pos), zap.Error(it.Err))
			case errors.Is(it.Err, sources.ErrSuperseded):
				// An earlier version of a record the same page holds
				// again, later: only the last is published.
				superseded++
			case errors.Is(it.Err, sources.ErrSkipped):
				skipped++
				p.log.Debug("item skipped", zap.String("source", key), zap.Stringer("position", it.Pos), zap.Error(it.Err))
			default:
				// An item the source will always send this way: report it
				// and move past it, or it would block the source forever.
				rejected++
				p.log.Warn("item cannot be mapped; skipped", zap.String("source", key), zap.Stringer("position", it.Pos), zap.Error(it.Err))
			}
		}
		if len(recs) > 0 {
			pctx, cancel := context.WithTimeout(ctx, p.publishTimeout)
			outcomes, err := p.pub.Publish(pctx, recs)
			cancel()
			if err != nil {
				return fmt.Errorf("publish: %w", err)
			}
			for i, o := range outcomes {
				switch {
				case o.Err != nil && isContract(o.Err):
					rejected++
					p.log.Warn("record refused by the contract; skipped", zap.String("source", key), zap.String("id", recs[i].ID), zap.Error(o.Err))
				case o.Err != nil:
					return fmt.Errorf("publish %s: %w", recs[i].ID, o.Err)
				case o.Duplicate:
					duplicates++
				default:
					published++
				}
			}
		}
		if next == nil || bytes.Equal(next, written) {
			return nil
		}
		if _, err := p.kv.Put(ctx, key, next); err != nil {
			return fmt.Errorf("write checkpoint %s: %w", key, err)
		}
		written = bytes.Clone(next)
		return nil
	})
	p.log.Info("poll done", zap.String("source", key), zap.Int("published", published), zap.Int("duplicates", duplicates),
		zap.Int("skipped", skipped), zap.Int("not_customer", notCustomer), zap.Int("superseded", superseded), zap.Int("rejected", rejected),
		zap.Duration("took", time.Since(started)), zap.Bool("ok", err == nil))
	if err != nil {
		return fmt.Errorf("poll %s: %w", key, err)
	}
	return nil
}

func isContract(err error) bool {
	_, ok := feedback.AsError(err)
	return ok
}
