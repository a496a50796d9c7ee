package config_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/feedbackloop/feedbackloop/config"
)

func TestDefaultsAreValid(t *testing.T) {
	c := config.Default()
	if err := c.Validate(); err != nil {
		t.Fatalf("Default() does not validate: %v", err)
	}
}

func TestEnvironmentOverridesFileWhichOverridesDefaults(t *testing.T) {
	path := writeFile(t, "nats:\n  url: nats://file:4222\n  stream: FROMFILE\nbatch:\n  max_rows: 500\n")
	c, err := config.Load(path, []string{
		"FEEDBACKLOOP_NATS_URL=nats://env:4222",
		"FEEDBACKLOOP_CLICKHOUSE_DSN=clickhouse://10.0.0.1:9000/voc",
		"FEEDBACKLOOP_BATCH_MAX_WAIT=250ms",
		"FEEDBACKLOOP_BATCH_MAX_BYTES=4MiB",
		"FEEDBACKLOOP_NATS_MAX_ACK_PENDING=600",
		"FEEDBACKLOOP_ENRICH_REDACT=false",
		"FEEDBACKLOOP_TEST_CLICKHOUSE_DSN=ignored",
		"UNRELATED=1",
	})
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"nats.url from env", c.NATS.URL, "nats://env:4222"},
		{"nats.stream from file", c.NATS.Stream, "FROMFILE"},
		{"nats.consumer default", c.NATS.Consumer, "feedbackloop-worker"},
		{"batch.max_rows from file", c.Batch.MaxRows, 500},
		{"batch.max_wait from env", c.Batch.MaxWait, 250 * time.Millisecond},
		{"batch.max_bytes with unit", c.Batch.MaxBytes, config.ByteSize(4 << 20)},
		{"nats.max_ack_pending", c.NATS.MaxAckPending, 600},
		{"enrich.redact", c.Enrich.Redact, false},
		{"database from DSN", c.ClickHouse.Database(), "voc"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s: got %v, want %v", ch.name, ch.got, ch.want)
		}
	}
}

func TestInvalidValuesNameTheKeyTheValueAndWhereItWasSet(t *testing.T) {
	cases := []struct {
		name    string
		file    string
		env     []string
		wantAll []string
	}{
		{"bad duration from env", "", []string{"FEEDBACKLOOP_BATCH_MAX_WAIT=soon"},
			[]string{"batch.max_wait", `"soon"`, "FEEDBACKLOOP_BATCH_MAX_WAIT"}},
		{"bad size from file", "batch:\n  max_bytes: lots\n", nil,
			[]string{"batch.max_bytes", `"lots"`, "config.yaml"}},
		{"unknown key from env", "", []string{"FEEDBACKLOOP_NATS_URLL=x"},
			[]string{"nats.urll", "unknown key", "FEEDBACKLOOP_NATS_URLL"}},
		{"unknown key in file", "batch:\n  max_row: 5\n", nil,
			[]string{"batch.max_row", "unknown key"}},
		{"zero rows", "", []string{"FEEDBACKLOOP_BATCH_MAX_ROWS=0"},
			[]string{"batch.max_rows", `"0"`, "at least 1"}},
		{"bool that is not", "", []string{"FEEDBACKLOOP_ENRICH_REDACT=maybe"},
			[]string{"enrich.redact", `"maybe"`}},
		{"ack wait too short for batch and insert", "", []string{"FEEDBACKLOOP_NATS_ACK_WAIT=5s"},
			[]string{"nats.ack_wait", "batch.max_wait + clickhouse.insert_timeout"}},
		{"max ack pending below batch rows", "", []string{"FEEDBACKLOOP_NATS_MAX_ACK_PENDING=100"},
			[]string{"nats.max_ack_pending", `"100"`, "batch.max_rows"}},
		{"bad DSN", "", []string{"FEEDBACKLOOP_CLICKHOUSE_DSN=clickhouse://h:9000/bad-db"},
			[]string{"clickhouse.dsn", "bad-db"}},
		{"missing taxonomy file", "", []string{"FEEDBACKLOOP_ENRICH_TAXONOMY=/nonexistent/t.yaml"},
			[]string{"enrich.taxonomy", "/nonexistent/t.yaml", "no such file"}},
		{"same stream twice", "", []string{"FEEDBACKLOOP_NATS_DLQ_STREAM=FEEDBACK"},
			[]string{"nats.dlq_stream", "must differ"}},
		{"bad listen address", "", []string{"FEEDBACKLOOP_METRICS_ADDR=9464"},
			[]string{"metrics.addr", `"9464"`}},
		{"listen address without a port number", "", []string{"FEEDBACKLOOP_METRICS_ADDR=127.0.0.1:notaport"},
			[]string{"metrics.addr", "notaport", "port"}},
		{"linger and LLM wait past the ack wait", "", []string{"FEEDBACKLOOP_LLM_ENABLED=true", "FEEDBACKLOOP_LLM_API_KEY=k", "FEEDBACKLOOP_LLM_LINGER=9s"},
			[]string{"llm.max_wait", "llm.linger (9s)", "nats.ack_wait"}},
		{"linger too long", "", []string{"FEEDBACKLOOP_LLM_ENABLED=true", "FEEDBACKLOOP_LLM_API_KEY=k", "FEEDBACKLOOP_LLM_LINGER=1m"},
			[]string{"llm.linger", `"1m0s"`, "between 0s and 10s"}},
		{"rate limit not a number", "", []string{"FEEDBACKLOOP_POLL_RATE_LIMIT=NaN"},
			[]string{"poll.rate_limit", "more than 0"}},
		{"threshold not a number", "", []string{"FEEDBACKLOOP_LLM_ENABLED=true", "FEEDBACKLOOP_LLM_API_KEY=k", "FEEDBACKLOOP_LLM_THRESHOLD=NaN"},
			[]string{"llm.threshold", `"NaN"`, "between 0 and 1"}},
		{"context window too small to be one", "llm:\n  enabled: true\n  api_key: k\n  context_tokens: 512\n", nil,
			[]string{"llm.context_tokens", `"512"`, "0 (not known)"}},
		// An empty value is no false and no 0: "${VAR:-}" in a compose
		// file must not turn redaction or the LLM's budget off.
		{"empty bool from env", "", []string{"FEEDBACKLOOP_ENRICH_REDACT="},
			[]string{"enrich.redact", "FEEDBACKLOOP_ENRICH_REDACT", "empty"}},
		{"empty number from env", "", []string{"FEEDBACKLOOP_LLM_DAILY_TOKEN_BUDGET="},
			[]string{"llm.daily_token_budget", "FEEDBACKLOOP_LLM_DAILY_TOKEN_BUDGET", "empty"}},
		{"empty bool in file", "enrich:\n  redact: \"\"\n", nil,
			[]string{"enrich.redact", "config.yaml", "empty"}},
		// A bare number is no duration: 60 would be 60 nanoseconds.
		{"duration without a unit in file", "serve:\n  refresh_interval: 60\n", nil,
			[]string{"serve.refresh_interval", "config.yaml", "unit"}},
		{"fraction for a count", "batch:\n  max_rows: 1.5\n", nil,
			[]string{"batch.max_rows", "1.5", "whole number"}},
		// A section that does not exist, named as written, with its line.
		{"unknown section in file", "nats:\n  url: nats://127.0.0.1:4222\nclickhose:\n  dsn: x\n", nil,
			[]string{"config: clickhose (set by ", "config.yaml:3", "unknown key"}},
		{"unknown key in file names its line", "batch:\n  max_rows: 10\n  max_row: 5\n", nil,
			[]string{"batch.max_row", "config.yaml:3"}},
		{"unknown section from env", "", []string{"FEEDBACKLOOP_CONFIG=x.yaml"},
			[]string{"config: config (set by FEEDBACKLOOP_CONFIG)", "unknown"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := ""
			if tc.file != "" {
				path = writeFile(t, tc.file)
			}
			_, err := config.Load(path, append([]string{}, tc.env...))
			if err == nil {
				t.Fatal("Load accepted an invalid configuration")
			}
			for _, want := range tc.wantAll {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
		})
	}
}

func TestSecretsNeverAppearInErrorsOrRedactedConfig(t *testing.T) {
	_, err := config.Load("", []string{"FEEDBACKLOOP_CLICKHOUSE_DSN=clickhouse://u:hunter2@h:9000/bad-db"})
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("error leaks or is missing: %v", err)
	}
	llm := []string{"FEEDBACKLOOP_LLM_ENABLED=true", "FEEDBACKLOOP_LLM_MODEL=m", "FEEDBACKLOOP_LLM_API_KEY=x"}
	_, err = config.Load("", append(llm, "FEEDBACKLOOP_LLM_BASE_URL=ftp://u:hunter2@h/v1"))
	if err == nil || strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "u:xxxxx@h") {
		t.Fatalf("error leaks or is missing: %v", err)
	}
	c, err := config.Load("", append(llm,
		"FEEDBACKLOOP_CLICKHOUSE_DSN=clickhouse://u:hunter2@h:9000/db",
		"FEEDBACKLOOP_NATS_TOKEN=s3cret",
		"FEEDBACKLOOP_ENRICH_EMAIL_HASH_KEY=k3y",
		"FEEDBACKLOOP_LLM_BASE_URL=http://u:hunter2@127.0.0.1:11434/v1",
	))
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"clickhouse://u:p@h:9000/db?password=zzz&dial_timeout=5s": "clickhouse://u:xxxxx@h:9000/db?dial_timeout=5s&password=xxxxx",
		"https://h/openai?api-key=zzz":                            "https://h/openai?api-key=xxxxx",
		"http://h:11434/v1":                                       "http://h:11434/v1",
	} {
		if got := config.RedactURL(in); got != want || strings.Contains(got, "zzz") {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
	if got := config.RedactURL("http://u:zzz@h:port/"); strings.Contains(got, "zzz") || !strings.Contains(got, "port") {
		t.Errorf("RedactURL of a URL that does not parse = %q, want the reason without the password", got)
	}
	r := c.Redacted()
	if r.LLM.BaseURL != "http://u:xxxxx@127.0.0.1:11434/v1" {
		t.Errorf("llm.base_url shown as %q, want its password masked and the rest kept", r.LLM.BaseURL)
	}
	for _, s := range []string{r.ClickHouse.DSN, r.NATS.Token, r.Enrich.EmailHashKey, r.LLM.BaseURL} {
		for _, secret := range []string{"hunter2", "s3cret", "k3y"} {
			if strings.Contains(s, secret) {
				t.Errorf("redacted value %q contains %q", s, secret)
			}
		}
	}
}

func TestKeysListsEveryKeyWithItsVariable(t *testing.T) {
	found := false
	for _, kv := range config.Keys() {
		if kv[0] == "batch.max_wait" && kv[1] == "FEEDBACKLOOP_BATCH_MAX_WAIT" {
			found = true
		}
	}
	if !found {
		t.Fatal("batch.max_wait is missing from Keys()")
	}
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestAListFromTheEnvironmentIsCommaSeparated(t *testing.T) {
	cfg, err := config.Load("", []string{"FEEDBACKLOOP_POLL_GITHUB_REPOS=acme/app,acme/web"})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(cfg.Poll.GitHubRepos); got != "[acme/app acme/web]" {
		t.Fatalf("poll.github_repos = %s, want [acme/app acme/web]", got)
	}
}

// The offline tagger reads English unless told otherwise; the list comes
// from YAML or the environment, and a value that is no language tag is
// refused by name.
func TestOfflineLanguages(t *testing.T) {
	def := config.Default()
	if got := def.LLM.Languages(); fmt.Sprint(got) != "[en]" {
		t.Errorf("default offline languages %v, want [en]", got)
	}
	cfg, err := config.Load("", []string{"FEEDBACKLOOP_LLM_OFFLINE_LANGUAGES=en,de-AT"})
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.LLM.Languages(); fmt.Sprint(got) != "[en de-AT]" {
		t.Errorf("from the environment: %v, want [en de-AT]", got)
	}
	path := writeFile(t, "llm:\n  enabled: true\n  base_url: http://127.0.0.1:11434/v1\n  offline_languages: [en, german]\n")
	if _, err := config.Load(path, nil); err == nil || !strings.Contains(err.Error(), `llm.offline_languages = "german"`) ||
		!strings.Contains(err.Error(), "is not a language tag") {
		t.Errorf("offline_languages [en, german]: %v", err)
	}
}

// A YAML syntax error names the file's line and, for a tab, says so.
func TestAFileIndentedWithATabNamesTheLine(t *testing.T) {
	path := writeFile(t, "batch:\n  max_rows: 500\nnats:\n\turl: nats://x:4222\n")
	_, err := config.Load(path, nil)
	if err == nil || !strings.Contains(err.Error(), path+":4: ") || !strings.Contains(err.Error(), "indented with a tab") {
		t.Fatalf("error %v, want %s:4 and the tab named", err, path)
	}
}

// A goroutine waiting for the LLM uses no CPU: by default the worker runs
// one per CPU for the work and one more for each call that may wait, so
// that waiting calls do not idle the CPUs. A concurrency that is set is
// kept as it is.
func TestTheWorkerAddsAGoroutineForEachCallThatMayWaitForTheLLM(t *testing.T) {
	c := config.Default()
	cpus := runtime.GOMAXPROCS(0)
	if got := c.EnrichGoroutines(); got != cpus {
		t.Errorf("offline: %d goroutines, want one per CPU (%d)", got, cpus)
	}
	c.LLM.Enabled = true
	if got, want := c.EnrichGoroutines(), cpus+c.LLM.MaxWaiting; got != want {
		t.Errorf("with the LLM: %d goroutines, want %d", got, want)
	}
	c.Worker.Concurrency = 3
	if got := c.EnrichGoroutines(); got != 3 {
		t.Errorf("set to 3: %d goroutines", got)
	}
}

// The variables the tests and make tagging-figures read are not keys: a
// shell that exports one still runs every command.
func TestTheTestsOwnVariablesAreNotConfiguration(t *testing.T) {
	if _, err := config.Load("", []string{"FEEDBACKLOOP_THEMES_DATA=../shared/data/themes", "FEEDBACKLOOP_TAG_MODEL=m", "FEEDBACKLOOP_TEST_CLICKHOUSE_DSN=x"}); err != nil {
		t.Error(err)
	}
}

// What feedbackloop config prints loads back as it is when no secret is
// set; a masked secret is refused naming its key and line, not used as
// the password "xxxxx".
func TestPrintedConfigurationLoadsBackOrNamesTheMaskedSecret(t *testing.T) {
	printed := func(environ ...string) string {
		t.Helper()
		c, err := config.Load("", environ)
		if err != nil {
			t.Fatal(err)
		}
		out, err := yaml.Marshal(c.Redacted())
		if err != nil {
			t.Fatal(err)
		}
		return writeFile(t, string(out))
	}
	plain := []string{"FEEDBACKLOOP_BATCH_MAX_WAIT=500ms", "FEEDBACKLOOP_CLICKHOUSE_DSN=clickhouse://u@h:9000/db"}
	c, err := config.Load(printed(plain...), []string{})
	if err != nil {
		t.Fatalf("the printed configuration does not load back: %v", err)
	}
	if c.Batch.MaxWait != 500*time.Millisecond || c.ClickHouse.DSN != "clickhouse://u@h:9000/db" {
		t.Errorf("loaded back batch.max_wait %s, clickhouse.dsn %q", c.Batch.MaxWait, c.ClickHouse.DSN)
	}
	for secret, key := range map[string]string{
		"FEEDBACKLOOP_CLICKHOUSE_DSN=clickhouse://u:hunter2@h:9000/db":        "clickhouse.dsn",
		"FEEDBACKLOOP_CLICKHOUSE_DSN=clickhouse://h:9000/db?password=hunter2": "clickhouse.dsn",
		"FEEDBACKLOOP_NATS_TOKEN=hunter2":                                     "nats.token",
		"FEEDBACKLOOP_ENRICH_EMAIL_HASH_KEY=hunter2":                          "enrich.email_hash_key",
	} {
		path := printed(secret)
		_, err := config.Load(path, []string{})
		var fe *config.FieldError
		if !errors.As(err, &fe) || fe.Key != key || !strings.HasPrefix(fe.Origin, path+":") || !strings.Contains(err.Error(), "put the secret back") {
			t.Errorf("%s printed and loaded back: %v, want %s refused at its line", secret, err, key)
		}
	}
	// A query parameter that merely reads xxxxx is not a secret.
	if _, err := config.Load("", []string{"FEEDBACKLOOP_CLICKHOUSE_DSN=clickhouse://h:9000/db?client_name=xxxxx"}); err != nil {
		t.Errorf("a DSN whose client_name is xxxxx: %v", err)
	}
}
