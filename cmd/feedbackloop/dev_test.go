package main

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/feedbackloop/feedbackloop/internal/testenv"
)

func TestDevPublishesTheSampleStoresItAndSummarisesThemesOnce(t *testing.T) {
	dsn := testenv.ClickHouse(t)
	t.Setenv("FEEDBACKLOOP_CLICKHOUSE_DSN", dsn)
	t.Setenv("FEEDBACKLOOP_METRICS_ADDR", "")
	dir := t.TempDir()
	ctx := context.Background()

	out, errOut, err := execute(t, ctx, "dev", "--once", "--dir", dir, "--count", "3000", "--days", "60", "--log-level", "warn")
	if err != nil {
		t.Fatalf("dev: %v\n%s%s", err, out, errOut)
	}
	for _, want := range []string{"Published 3000 sample records", "Items per theme per week", "sync-failures", "csv-export", "(all feedback)"} {
		if !strings.Contains(out, want) {
			t.Errorf("dev output lacks %q:\n%s", want, out)
		}
	}
	conn := testenv.Conn(t, dsn)
	db := dsn[strings.LastIndex(dsn, "/")+1:]
	if n := testenv.QueryUint64(t, conn, "SELECT count() FROM "+db+".feedback FINAL"); n != 3000 {
		t.Fatalf("%d records stored, want the 3000 of the sample", n)
	}

	// A second run keeps the embedded NATS data and finds the records,
	// each once: a record stored twice (a retag, a redelivery) is one.
	if err := conn.Exec(ctx, "INSERT INTO "+db+".feedback SELECT * FROM "+db+".feedback LIMIT 10"); err != nil {
		t.Fatal(err)
	}
	out, errOut, err = execute(t, ctx, "dev", "--once", "--dir", dir, "--count", "3000", "--log-level", "warn")
	if err != nil {
		t.Fatalf("second dev: %v\n%s%s", err, out, errOut)
	}
	if !strings.Contains(out, "Found 3000 records from an earlier run") || strings.Contains(out, "Published") {
		t.Errorf("second run did not reuse the first run's records:\n%s", out)
	}
	if n := testenv.QueryUint64(t, conn, "SELECT count() FROM "+db+".feedback"); n != 3010 {
		t.Fatalf("%d raw rows after the second run, want the 3010 before it", n)
	}
}

// With FEEDBACKLOOP_CLICKHOUSE_DSN set, as dev's own export line for
// another terminal sets it, dev uses that server; when it is not there,
// the error says why dev did not start its own.
func TestDevSaysWhyItUsedTheClickHouseTheEnvironmentNames(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	t.Setenv("FEEDBACKLOOP_CLICKHOUSE_DSN", "clickhouse://"+addr+"/feedbackloop")
	t.Setenv("FEEDBACKLOOP_METRICS_ADDR", "")
	t.Setenv("FEEDBACKLOOP_CLICKHOUSE_DIAL_TIMEOUT", "1s")
	out, _, err := execute(t, context.Background(), "dev", "--once", "--dir", t.TempDir(), "--count", "10", "--log-level", "warn")
	if err == nil || !strings.Contains(err.Error(), "FEEDBACKLOOP_CLICKHOUSE_DSN is set, so dev uses that ClickHouse") ||
		!strings.Contains(out, "(FEEDBACKLOOP_CLICKHOUSE_DSN)") {
		t.Errorf("dev with an unreachable ClickHouse in the environment: %v\n%s", err, out)
	}
}

func TestSampleWritesTheRequestedRecordsAndRejectsBadFlags(t *testing.T) {
	out, _, err := execute(t, context.Background(), "sample", "--count", "25", "--seed", "4")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out, "\n"); n != 25 {
		t.Fatalf("%d lines, want 25", n)
	}
	for _, args := range [][]string{
		{"sample", "--count", "-1"},
		{"sample", "--days", "0"},
		{"sample", "--end", "31/03/2026"},
	} {
		if _, _, err := execute(t, context.Background(), args...); err == nil {
			t.Errorf("%v accepted", args)
		} else if !strings.Contains(err.Error(), args[1]) {
			t.Errorf("%v: error %q does not name the flag", args, err)
		}
	}
}

func TestConfigPrintsTheEffectiveValuesWithSecretsMasked(t *testing.T) {
	t.Setenv("FEEDBACKLOOP_BATCH_MAX_WAIT", "750ms")
	t.Setenv("FEEDBACKLOOP_CLICKHOUSE_DSN", "clickhouse://app:s3cret@db.internal:9000/feedback")
	t.Setenv("FEEDBACKLOOP_ENRICH_EMAIL_HASH_KEY", "hush-hush")
	out, _, err := execute(t, context.Background(), "config")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"max_wait: 750ms", "db.internal:9000/feedback"} {
		if !strings.Contains(out, want) {
			t.Errorf("config output lacks %q:\n%s", want, out)
		}
	}
	for _, secret := range []string{"s3cret", "hush-hush"} {
		if strings.Contains(out, secret) {
			t.Errorf("config output shows the secret %q", secret)
		}
	}
	t.Setenv("FEEDBACKLOOP_BATCH_MAX_WAIT", "soon")
	if _, _, err := execute(t, context.Background(), "config"); err == nil || !strings.Contains(err.Error(), "FEEDBACKLOOP_BATCH_MAX_WAIT") {
		t.Errorf("a bad value gave %v, want an error naming the variable", err)
	}
}
