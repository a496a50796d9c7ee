// Package testenv gives tests the real servers they need: an embedded NATS
// server with JetStream per test, and one private clickhouse-server per test
// binary with a fresh database per test. Under CI=true a server that cannot
// start fails the test; elsewhere the test is skipped with the reason.
package testenv

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/feedbackloop/feedbackloop/internal/chlocal"
	"github.com/feedbackloop/feedbackloop/internal/natslocal"
	"github.com/feedbackloop/feedbackloop/sinks"
)

// DSNVariable names a ClickHouse to use instead of starting one.
const DSNVariable = "FEEDBACKLOOP_TEST_CLICKHOUSE_DSN"

// Unavailable fails the test under CI=true and skips it elsewhere: CI must
// never report green for a test that did not run.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true and a required server is unavailable: "+format, args...)
	}
	t.Skipf("skipped, server unavailable: "+format, args...)
}

// NATS starts an embedded NATS server with JetStream in a temporary
// directory; it is shut down when the test ends.
func NATS(t testing.TB) *server.Server {
	t.Helper()
	srv, err := natslocal.Start(natslocal.Options{StoreDir: t.TempDir(), Port: -1})
	if err != nil {
		Unavailable(t, "%v", err)
	}
	t.Cleanup(func() {
		srv.Shutdown()
		srv.WaitForShutdown()
	})
	return srv
}

// JetStream connects to the NATS server at url with opts and returns the
// connection, closed when the test ends, and its JetStream context.
func JetStream(t testing.TB, url string, opts ...nats.Option) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return nc, js
}

var shared struct {
	once   sync.Once
	server *chlocal.Server
	addr   string // host:port of the native protocol
	err    error
}

var dbCounter atomic.Int64

// ClickHouse returns the DSN of a new, empty database on the test binary's
// ClickHouse server; the database is dropped when the test ends.
func ClickHouse(t testing.TB) string {
	t.Helper()
	base := ClickHouseServer(t)
	db := fmt.Sprintf("test_%d_%d", os.Getpid(), dbCounter.Add(1))
	if err := Exec(base, "CREATE DATABASE "+db); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		if err := Exec(base, "DROP DATABASE IF EXISTS "+db); err != nil {
			t.Logf("drop test database %s: %v", db, err)
		}
	})
	return "clickhouse://" + base + "/" + db
}

// Migrated returns a sink writing to a new, empty test database (see
// ClickHouse) that has the current schema, as after `feedbackloop
// migrate`, and the database's DSN. The sink is closed when the test ends.
func Migrated(t testing.TB) (*sinks.ClickHouse, string) {
	t.Helper()
	dsn := ClickHouse(t)
	ch, err := sinks.Open(dsn, 5*time.Second, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ch.Close() })
	if _, err := ch.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate the test database: %v", err)
	}
	return ch, dsn
}

// ClickHouseServer returns host:port of the test binary's ClickHouse,
// starting it on first use.
func ClickHouseServer(t testing.TB) string {
	t.Helper()
	shared.once.Do(startShared)
	if shared.err != nil {
		Unavailable(t, "clickhouse: %v", shared.err)
	}
	return shared.addr
}

// ClickHousePID is the process id of the server ClickHouseServer started,
// 0 when the tests use one named by FEEDBACKLOOP_TEST_CLICKHOUSE_DSN.
func ClickHousePID(t testing.TB) int {
	t.Helper()
	ClickHouseServer(t)
	if shared.server == nil {
		return 0
	}
	return shared.server.PID()
}

func startShared() {
	if dsn := os.Getenv(DSNVariable); dsn != "" {
		opts, err := clickhouse.ParseDSN(dsn)
		if err != nil {
			shared.err = fmt.Errorf("%s: %w", DSNVariable, err)
			return
		}
		shared.addr = opts.Addr[0]
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	// A port taken between choosing and binding is the likely failure; try again.
	for attempt := 0; attempt < 3; attempt++ {
		shared.server, shared.err = chlocal.Start(ctx, chlocal.Options{})
		if shared.err == nil || shared.err == chlocal.ErrNotInstalled {
			break
		}
	}
	if shared.err == nil {
		shared.addr = shared.server.Addr()
	}
}

// Main runs the tests of a package and then stops the ClickHouse server
// they shared. Call it from TestMain: os.Exit(testenv.Main(m)) is implied.
func Main(m *testing.M) {
	code := m.Run()
	if shared.server != nil {
		shared.server.Stop()
	}
	os.Exit(code)
}

// Exec runs one statement against the server at addr (host:port).
func Exec(addr, query string) error {
	conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{addr}, DialTimeout: 5 * time.Second})
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	return conn.Exec(ctx, query)
}

// StopMerges keeps ClickHouse from merging the parts of table in the
// database of dsn for the rest of the test, so that the copies of a record
// a test planted (a redelivery, a republish) stay apart until its queries
// run: a query that forgets to count each record once then fails, rather
// than passing because a background merge happened to remove the copy.
func StopMerges(t testing.TB, dsn, table string) {
	t.Helper()
	opts, err := clickhouse.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	if err := Exec(opts.Addr[0], "SYSTEM STOP MERGES "+opts.Auth.Database+"."+table); err != nil {
		t.Fatalf("stop merges of %s.%s: %v", opts.Auth.Database, table, err)
	}
}

// Conn opens a connection to dsn for assertions; closed when the test ends.
func Conn(t testing.TB, dsn string) clickhouse.Conn {
	t.Helper()
	opts, err := clickhouse.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := clickhouse.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// QueryUint64 runs a query returning one UInt64 (count(), uniqExact()...).
func QueryUint64(t testing.TB, conn clickhouse.Conn, query string, args ...any) uint64 {
	t.Helper()
	var n uint64
	if err := conn.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// InsertRow inserts one row of values through insert, an INSERT naming its
// columns: the way to plant a row the sink would not write, such as one
// an older build wrote without a column added since.
func InsertRow(t testing.TB, conn clickhouse.Conn, insert string, values ...any) {
	t.Helper()
	batch, err := conn.PrepareBatch(context.Background(), insert)
	if err == nil {
		err = batch.Append(values...)
	}
	if err == nil {
		err = batch.Send()
	}
	if err != nil {
		t.Fatalf("%s: %v", insert, err)
	}
}
