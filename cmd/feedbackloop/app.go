package main

import (
	"context"
	"fmt"

	"github.com/feedbackloop/feedbackloop/config"
	"github.com/feedbackloop/feedbackloop/sinks"

	"github.com/spf13/cobra"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// app holds what subcommands share: the global flags, and the logger and
// configuration built from them on first use.
type app struct {
	configPath string
	logFormat  string
	logLevel   string

	log *zap.Logger
	cfg *config.Config
}

func (a *app) bindFlags(root *cobra.Command) {
	f := root.PersistentFlags()
	f.StringVar(&a.configPath, "config", "", "YAML configuration file (every key can also be set as FEEDBACKLOOP_<SECTION>_<KEY>)")
	f.StringVar(&a.logFormat, "log-format", "json", "log format: json or console")
	f.StringVar(&a.logLevel, "log-level", "info", "log level: debug, info, warn or error")
}

// logger returns the process logger, building it on first use.
func (a *app) logger() (*zap.Logger, error) {
	if a.log != nil {
		return a.log, nil
	}
	level, err := zapcore.ParseLevel(a.logLevel)
	if err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", a.logLevel)
	}
	var cfg zap.Config
	switch a.logFormat {
	case "json":
		cfg = zap.NewProductionConfig()
	case "console":
		cfg = zap.NewDevelopmentConfig()
		cfg.DisableStacktrace = true
	default:
		return nil, fmt.Errorf("--log-format %q: want json or console", a.logFormat)
	}
	cfg.Level = zap.NewAtomicLevelAt(level)
	cfg.OutputPaths = []string{"stderr"}
	log, err := cfg.Build()
	if err != nil {
		return nil, fmt.Errorf("build logger: %w", err)
	}
	a.log = log
	return log, nil
}

// config loads the configuration (file from --config, then environment)
// on first use.
func (a *app) config() (*config.Config, error) {
	if a.cfg != nil {
		return a.cfg, nil
	}
	cfg, err := config.Load(a.configPath, nil)
	if err != nil {
		return nil, err
	}
	a.cfg = cfg
	return cfg, nil
}

// configAndLogger is what most commands start with.
func (a *app) configAndLogger() (*config.Config, *zap.Logger, error) {
	cfg, err := a.config()
	if err != nil {
		return nil, nil, err
	}
	log, err := a.logger()
	if err != nil {
		return nil, nil, err
	}
	return cfg, log, nil
}

// clickhouse opens the ClickHouse of the configuration and checks that its
// schema is the one this build writes and reads; the caller closes it.
func (a *app) clickhouse(ctx context.Context) (*sinks.ClickHouse, error) {
	cfg, err := a.config()
	if err != nil {
		return nil, err
	}
	ch, err := sinks.OpenConfig(cfg.ClickHouse)
	if err != nil {
		return nil, err
	}
	v, err := sinks.AppliedVersion(ctx, ch.Conn(), ch.Database())
	switch {
	case sinks.IsUnavailable(err):
		err = fmt.Errorf("clickhouse %s: %w (is the server running, and is clickhouse.dsn or FEEDBACKLOOP_CLICKHOUSE_DSN its address?)", ch.Database(), err)
	case err != nil:
		err = fmt.Errorf("clickhouse %s: %w (run `feedbackloop migrate` first?)", ch.Database(), err)
	case v < sinks.SchemaVersion:
		err = fmt.Errorf("clickhouse %s is at schema version %d, this build needs %d: run `feedbackloop migrate`", ch.Database(), v, sinks.SchemaVersion)
	}
	if err != nil {
		ch.Close()
		return nil, err
	}
	return ch, nil
}

func (a *app) close() {
	if a.log != nil {
		_ = a.log.Sync()
	}
}
