package api

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/feedbackloop/feedbackloop/config"
	"github.com/feedbackloop/feedbackloop/insights"
	"github.com/feedbackloop/feedbackloop/sinks"
)

// Main runs `feedbackloop serve` until ctx ends: it applies migrations,
// keeps the insights rollup fresh every serve.refresh_interval, and serves
// the API and dashboard on serve.addr. ready, when not nil, receives the
// listening address once the server accepts connections.
func Main(ctx context.Context, cfg config.Config, log *zap.Logger, ready chan<- string) error {
	sc := cfg.Serve
	if sc.Token == "" {
		return errors.New("serve.token is required (set it in the config file or FEEDBACKLOOP_SERVE_TOKEN)")
	}
	ch, err := sinks.OpenConfig(cfg.ClickHouse)
	if err != nil {
		return err
	}
	defer ch.Close()
	if _, err := ch.MigrateBesideWorkers(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	store, err := insights.New(ch.Conn(), ch.Database(), insights.WithSettle(sc.Settle))
	if err != nil {
		return err
	}
	h, err := NewHandler(store, Options{Token: sc.Token, QueryTimeout: sc.QueryTimeout, Log: log})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", sc.Addr)
	if err != nil {
		return fmt.Errorf("serve.addr %s: %w", sc.Addr, err)
	}
	srv := &http.Server{Handler: h, ReadTimeout: sc.ReadTimeout, WriteTimeout: sc.WriteTimeout, IdleTimeout: sc.IdleTimeout,
		ReadHeaderTimeout: sc.ReadTimeout}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	if sc.RefreshInterval > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			refreshLoop(ctx, store, sc.RefreshInterval, log)
		}()
	}
	errc := make(chan error, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		errc <- srv.Serve(ln)
	}()
	log.Info("serving insights", zap.String("addr", ln.Addr().String()), zap.String("database", ch.Database()))
	if ready != nil {
		ready <- ln.Addr().String()
	}
	select {
	case err = <-errc:
		cancel()
	case <-ctx.Done():
		shutdownCtx, stop := context.WithTimeout(context.Background(), 10*time.Second)
		err = srv.Shutdown(shutdownCtx)
		stop()
		if serveErr := <-errc; !errors.Is(serveErr, http.ErrServerClosed) && err == nil {
			err = serveErr
		}
	}
	wg.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// refreshLoop brings the rollup up to date now and then every interval.
// A failed refresh is logged and tried again at the next tick: queries
// stay exact without it.
func refreshLoop(ctx context.Context, store *insights.Store, every time.Duration, log *zap.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		stats, err := store.Refresh(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			log.Warn("insights refresh failed", zap.Error(err))
		case stats.Periods > 0:
			log.Info("insights refreshed", zap.Int("periods", stats.Periods), zap.Duration("took", stats.Took))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
