// Package config loads and validates Feedback Loop's configuration: a YAML
// file whose every key can be overridden by an environment variable
// FEEDBACKLOOP_<SECTION>_<KEY> (FEEDBACKLOOP_NATS_URL sets nats.url,
// FEEDBACKLOOP_BATCH_MAX_WAIT sets batch.max_wait). It only loads and
// checks; the packages that use a section decide what it means.
package config

import (
	"runtime"
	"time"
)

// Config is the whole configuration. Zero values are replaced by defaults
// in Load; see Default for them.
type Config struct {
	NATS       NATS       `yaml:"nats"`
	ClickHouse ClickHouse `yaml:"clickhouse"`
	Batch      Batch      `yaml:"batch"`
	Worker     Worker     `yaml:"worker"`
	Enrich     Enrich     `yaml:"enrich"`
	Metrics    Metrics    `yaml:"metrics"`
	LLM        LLM        `yaml:"llm"`
	Intake     Intake     `yaml:"intake"`
	Poll       Poll       `yaml:"poll"`
	Serve      Serve      `yaml:"serve"`
}

// EnrichGoroutines is how many goroutines a worker enriches with:
// worker.concurrency when set. Otherwise one per CPU, and, when the LLM
// is on, llm.max_waiting more: a goroutine that waits for the LLM uses no
// CPU, so the CPUs stay busy with the rest while that many wait.
func (c Config) EnrichGoroutines() int {
	if c.Worker.Concurrency > 0 {
		return c.Worker.Concurrency
	}
	n := runtime.GOMAXPROCS(0)
	if c.LLM.Enabled {
		n += c.LLM.MaxWaiting
	}
	return n
}

// NATS is where records come from and how the worker consumes them.
type NATS struct {
	URL string `yaml:"url"`
	// Token, User and Password authenticate; CredsFile points at a .creds file.
	Token     string `yaml:"token" secret:"true"`
	User      string `yaml:"user"`
	Password  string `yaml:"password" secret:"true"`
	CredsFile string `yaml:"creds_file"`

	Stream          string        `yaml:"stream"`
	DLQStream       string        `yaml:"dlq_stream"`
	Consumer        string        `yaml:"consumer"`
	AckWait         time.Duration `yaml:"ack_wait"`
	MaxAckPending   int           `yaml:"max_ack_pending"`
	FetchBatch      int           `yaml:"fetch_batch"`
	DuplicateWindow time.Duration `yaml:"duplicate_window"`
	MaxAge          time.Duration `yaml:"max_age"`
	DLQMaxAge       time.Duration `yaml:"dlq_max_age"`
	Replicas        int           `yaml:"replicas"`
}

// ClickHouse is where enriched records are stored.
type ClickHouse struct {
	// DSN such as clickhouse://user:password@127.0.0.1:9000/feedbackloop;
	// its path names the database.
	DSN           string        `yaml:"dsn" secret:"url"`
	InsertTimeout time.Duration `yaml:"insert_timeout"`
	DialTimeout   time.Duration `yaml:"dial_timeout"`
}

// Batch is the one batching policy: a batch is flushed when it holds
// MaxRows rows or MaxBytes bytes, or its oldest row waited MaxWait.
type Batch struct {
	MaxRows  int           `yaml:"max_rows"`
	MaxBytes ByteSize      `yaml:"max_bytes"`
	MaxWait  time.Duration `yaml:"max_wait"`
}

// Worker tunes the consume → enrich → store loop.
type Worker struct {
	MaxBodyBytes    ByteSize      `yaml:"max_body_bytes"`
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
	// Concurrency is the number of enrichment goroutines; 0 means one
	// per CPU, and llm.max_waiting more when the LLM is on (see
	// Config.EnrichGoroutines).
	Concurrency int `yaml:"concurrency"`
	// RetryInitial and RetryMax bound the backoff between attempts to
	// reach ClickHouse after a failed insert.
	RetryInitial time.Duration `yaml:"retry_initial"`
	RetryMax     time.Duration `yaml:"retry_max"`
}

// Enrich configures enrichment.
type Enrich struct {
	// Taxonomy is a taxonomy YAML file; empty means the bundled default.
	Taxonomy string `yaml:"taxonomy"`
	// Model is a trained offline tagger model; empty means keyword tagging only.
	Model string `yaml:"model"`
	// Redact removes e-mail addresses, phone numbers and card numbers from
	// titles and bodies before storage.
	Redact bool `yaml:"redact"`
	// EmailHashKey keys the hash stored instead of the author's e-mail
	// address. Without it no author key is stored at all.
	EmailHashKey string `yaml:"email_hash_key" secret:"true"`
}

// Metrics is the operations endpoint: /metrics, /healthz and /readyz.
type Metrics struct {
	// Addr to listen on; empty turns the endpoint off.
	Addr string `yaml:"addr"`
}

// Default returns the configuration used when nothing is set.
func Default() Config {
	return Config{
		NATS: NATS{
			URL:             "nats://127.0.0.1:4222",
			Stream:          "FEEDBACK",
			DLQStream:       "FEEDBACK_DLQ",
			Consumer:        "feedbackloop-worker",
			AckWait:         30 * time.Second,
			MaxAckPending:   20000,
			FetchBatch:      1000,
			DuplicateWindow: 2 * time.Minute,
			MaxAge:          7 * 24 * time.Hour,
			DLQMaxAge:       30 * 24 * time.Hour,
			Replicas:        1,
		},
		ClickHouse: ClickHouse{
			DSN:           "clickhouse://127.0.0.1:9000/feedbackloop",
			InsertTimeout: 10 * time.Second,
			DialTimeout:   5 * time.Second,
		},
		Batch: Batch{
			MaxRows:  10000,
			MaxBytes: 16 << 20,
			MaxWait:  time.Second,
		},
		Worker: Worker{
			MaxBodyBytes:    256 << 10,
			ShutdownTimeout: 15 * time.Second,
			RetryInitial:    500 * time.Millisecond,
			RetryMax:        30 * time.Second,
		},
		Enrich: Enrich{
			Redact: true,
		},
		Metrics: Metrics{
			Addr: ":9464",
		},
		LLM:    defaultLLM(),
		Intake: defaultIntake(),
		Poll:   defaultPoll(),
		Serve:  defaultServe(),
	}
}
