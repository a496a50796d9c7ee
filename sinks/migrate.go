package sinks

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/cenkalti/backoff/v5"
)

//go:embed schema/*.sql
var schemaFS embed.FS

// SchemaVersion is the newest migration this build knows.
var SchemaVersion = mustLatest()

// RebuildVersion is the migration that builds the feedback table again
// (0009, the version column) and keeps the table before it as
// feedback_v8. Every worker must be stopped while it runs: a row written
// meanwhile may land in the old table after the copy read it.
const RebuildVersion = 9

// ErrRebuildPending is what MigrateBesideWorkers returns for a database
// that holds data of a schema before RebuildVersion.
var ErrRebuildPending = errors.New("stop every worker, run feedbackloop migrate, then start them again")

// PendingRebuild reports whether db holds data of a schema before
// RebuildVersion: migrating it rebuilds the feedback table, which must run
// with every worker stopped. A database no migration has touched yet holds
// none.
func PendingRebuild(ctx context.Context, conn driver.Conn, db string) (bool, error) {
	v, err := AppliedVersion(ctx, conn, db)
	var ex *clickhouse.Exception
	if errors.As(err, &ex) && (ex.Code == codeUnknownTable || ex.Code == codeUnknownDatabase) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return v > 0 && v < RebuildVersion, nil
}

// MigrateBesideWorkers is Migrate for a process that other workers may run
// beside (a worker, the API): it applies what is safe to apply while they
// run, and refuses, with ErrRebuildPending, the rebuild (RebuildVersion) of
// a database that holds data, which feedbackloop migrate applies with the
// workers stopped. Several workers starting together on a schema before it
// would otherwise each run it, and copy old rows back over what the first
// to finish had started writing.
func MigrateBesideWorkers(ctx context.Context, conn driver.Conn, db string) ([]int, error) {
	pending, err := PendingRebuild(ctx, conn, db)
	if err != nil {
		return nil, err
	}
	if pending {
		return nil, fmt.Errorf("database %s is at a schema before version %d, which builds the feedback table again: %w",
			db, RebuildVersion, ErrRebuildPending)
	}
	return Migrate(ctx, conn, db)
}

// Migration is one versioned schema change, read from
// sinks/schema/NNNN_name.sql. Statements are separated by lines ending in
// ";" and name the database as {db}.
type Migration struct {
	Version    int
	Name       string
	Statements []Statement
	Checksum   string
}

// Statement is one statement of a migration. When, if not empty, is the
// condition of a line "-- when: <condition>" before it: a SQL expression
// the server evaluates (SELECT <condition>) just before the statement,
// which runs only if it is 1. A statement that changes the state it
// depends on (a RENAME) is guarded so that a migration stopped half way
// can be run again from its start, and so that two processes applying it
// at once do each step once: a guarded statement that fails while its
// condition no longer holds was done by the other process, and the
// failure is ignored.
type Statement struct {
	SQL, When string
}

// Migrations returns every migration in version order.
func Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(schemaFS, "schema")
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration file %s: want NNNN_name.sql", e.Name())
		}
		body, err := fs.ReadFile(schemaFS, path.Join("schema", e.Name()))
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(body)
		out = append(out, Migration{Version: v, Name: name, Statements: splitStatements(string(body)), Checksum: hex.EncodeToString(sum[:8])})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i := range out {
		if out[i].Version != i+1 {
			return nil, fmt.Errorf("migration versions must run 1, 2, 3...: found %d at position %d", out[i].Version, i+1)
		}
	}
	return out, nil
}

func mustLatest() int {
	ms, err := Migrations()
	if err != nil {
		panic(err) // the embedded files are part of the build; a bad name is a build defect
	}
	return len(ms)
}

var (
	comment = regexp.MustCompile(`(?m)^\s*--.*$`)
	guard   = regexp.MustCompile(`(?m)^\s*-- when: (.+)$`)
)

func splitStatements(sql string) []Statement {
	var out []Statement
	for _, s := range strings.Split(sql, ";\n") {
		var when string
		if m := guard.FindStringSubmatch(s); m != nil {
			when = strings.TrimSpace(m[1])
		}
		s = comment.ReplaceAllString(s, "")
		if s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), ";")); s != "" {
			out = append(out, Statement{SQL: s, When: when})
		}
	}
	return out
}

// ClickHouse error codes a re-applied migration may meet when two
// processes migrate at once: 18.16 has no ADD COLUMN IF NOT EXISTS.
const (
	codeColumnExists    = 44
	codeTableExists     = 57
	codeUnknownTable    = 60
	codeUnknownDatabase = 81
)

// Migrate brings database db up to SchemaVersion and returns the versions it
// applied. It is idempotent: applied versions are recorded in
// db.schema_migrations and skipped, and every statement tolerates having
// run before, so concurrent workers starting together are safe.
func Migrate(ctx context.Context, conn driver.Conn, db string) ([]int, error) {
	return MigrateTo(ctx, conn, db, SchemaVersion)
}

// MigrateTo is Migrate stopping at version upTo: the tests build the
// database an older build left behind with it.
func MigrateTo(ctx context.Context, conn driver.Conn, db string, upTo int) ([]int, error) {
	if !validIdentifier(db) {
		return nil, fmt.Errorf("database name %q must match [A-Za-z_][A-Za-z0-9_]*", db)
	}
	if err := conn.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+db); err != nil {
		return nil, fmt.Errorf("create database %s: %w", db, err)
	}
	if err := conn.Exec(ctx, "CREATE TABLE IF NOT EXISTS "+db+`.schema_migrations
		(version UInt32, name String, checksum String, applied_at DateTime)
		ENGINE = ReplacingMergeTree(applied_at) ORDER BY version`); err != nil {
		return nil, fmt.Errorf("create %s.schema_migrations: %w", db, err)
	}
	done, err := appliedVersions(ctx, conn, db)
	if err != nil {
		return nil, err
	}
	ms, err := Migrations()
	if err != nil {
		return nil, err
	}
	var applied []int
	for _, m := range ms {
		if done[m.Version] || m.Version > upTo {
			continue
		}
		for i, stmt := range m.Statements {
			if err := apply(ctx, conn, db, stmt); err != nil {
				return applied, fmt.Errorf("migration %d (%s) statement %d: %w", m.Version, m.Name, i+1, err)
			}
		}
		if err := conn.Exec(ctx, "INSERT INTO "+db+".schema_migrations (version, name, checksum, applied_at) SELECT ?, ?, ?, now()",
			uint32(m.Version), m.Name, m.Checksum); err != nil {
			return applied, fmt.Errorf("record migration %d: %w", m.Version, err)
		}
		applied = append(applied, m.Version)
	}
	return applied, nil
}

// apply runs stmt in database db if its condition holds (see Statement).
func apply(ctx context.Context, conn driver.Conn, db string, stmt Statement) error {
	if stmt.When != "" {
		if run, err := holds(ctx, conn, db, stmt.When); err != nil || !run {
			return err
		}
	}
	err := conn.Exec(ctx, strings.ReplaceAll(stmt.SQL, "{db}", db))
	if err == nil || alreadyApplied(err) {
		return nil
	}
	var ex *clickhouse.Exception
	if stmt.When != "" && errors.As(err, &ex) {
		if again, cerr := holds(ctx, conn, db, stmt.When); cerr == nil && !again {
			return nil // another process did this step meanwhile
		}
	}
	return err
}

// holds evaluates a statement's condition. ClickHouse 18.16 lists
// system.tables by reading every table's definition, and fails the whole
// listing with "Table … doesn't exist" when another process drops a table
// of the database meanwhile (as one applying the same migration does): the
// condition is asked again then.
func holds(ctx context.Context, conn driver.Conn, db, cond string) (bool, error) {
	query := "SELECT toUInt8(" + strings.ReplaceAll(cond, "{db}", db) + ")"
	bo := backoff.NewExponentialBackOff()
	bo.InitialInterval = 10 * time.Millisecond
	v, err := backoff.Retry(ctx, func() (uint8, error) {
		var v uint8
		err := conn.QueryRow(ctx, query).Scan(&v)
		var ex *clickhouse.Exception
		if err != nil && !(errors.As(err, &ex) && ex.Code == codeUnknownTable) {
			return 0, backoff.Permanent(err)
		}
		return v, err
	}, backoff.WithBackOff(bo), backoff.WithMaxTries(10))
	if err != nil {
		return false, fmt.Errorf("condition %s: %w", cond, err)
	}
	return v == 1, nil
}

// AppliedVersion returns the newest migration recorded in db, 0 for none.
func AppliedVersion(ctx context.Context, conn driver.Conn, db string) (int, error) {
	done, err := appliedVersions(ctx, conn, db)
	if err != nil {
		return 0, err
	}
	v := 0
	for k := range done {
		if k > v {
			v = k
		}
	}
	return v, nil
}

func appliedVersions(ctx context.Context, conn driver.Conn, db string) (map[int]bool, error) {
	rows, err := conn.Query(ctx, "SELECT DISTINCT version FROM "+db+".schema_migrations")
	if err != nil {
		return nil, fmt.Errorf("read %s.schema_migrations: %w", db, err)
	}
	defer rows.Close()
	done := map[int]bool{}
	for rows.Next() {
		var v uint32
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		done[int(v)] = true
	}
	return done, rows.Err()
}

func alreadyApplied(err error) bool {
	var ex *clickhouse.Exception
	if errors.As(err, &ex) {
		return ex.Code == codeColumnExists || ex.Code == codeTableExists
	}
	return false
}

func validIdentifier(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i, c := range s {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
