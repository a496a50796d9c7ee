package sinks

import (
	"context"
	"time"
)

// WriteObserver learns the outcome of every write: metrics, health.
type WriteObserver interface {
	ObserveWrite(rows int, took time.Duration, err error)
}

// Observed wraps a sink so that obs hears about every write.
func Observed(s Sink, obs WriteObserver) Sink { return observed{s, obs} }

type observed struct {
	Sink
	obs WriteObserver
}

func (o observed) Write(ctx context.Context, rows []Row) error {
	start := time.Now()
	err := o.Sink.Write(ctx, rows)
	o.obs.ObserveWrite(len(rows), time.Since(start), err)
	return err
}
