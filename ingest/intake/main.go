package intake

import (
	"context"

	"go.uber.org/zap"

	"github.com/feedbackloop/feedbackloop/config"
	"github.com/feedbackloop/feedbackloop/ingest"
)

// Main runs the intake server from the configuration until ctx ends: it
// connects to NATS, creates the streams when missing and serves. It is what
// `feedbackloop intake` runs.
func Main(ctx context.Context, cfg config.Config, log *zap.Logger) error {
	nc, js, err := ingest.Connect(cfg.NATS, "feedbackloop-intake", log)
	if err != nil {
		return err
	}
	defer nc.Close()
	if err := ingest.EnsureStreams(ctx, js, cfg.NATS); err != nil {
		return err
	}
	s, err := New(Options{
		Config:         cfg.Intake,
		Publisher:      ingest.NewPublisher(js, int(cfg.Worker.MaxBodyBytes)),
		Connected:      nc.IsConnected,
		Log:            log,
		MaxRecordBytes: int(cfg.Worker.MaxBodyBytes),
	})
	if err != nil {
		return err
	}
	var hooks []string
	for name, h := range s.webhooks {
		if h.secret != "" {
			hooks = append(hooks, name)
		}
	}
	log.Info("intake started", zap.String("addr", cfg.Intake.Addr), zap.Bool("api", cfg.Intake.Token != ""),
		zap.Strings("webhooks", hooks), zap.String("nats", nc.ConnectedUrlRedacted()))
	err = s.Run(ctx)
	log.Info("intake stopped")
	return err
}
