package insights

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Store runs the insight queries against one database. It is safe for
// concurrent use: it holds no state but the connection.
type Store struct {
	conn driver.Conn
	db   string
	// now is the clock that "the last N weeks" is counted back from.
	now func() time.Time
	// settle: see WithSettle.
	settle time.Duration
}

var databaseName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

// New returns a Store over database db, reached through conn. The schema
// must have been migrated (sinks.Migrate).
func New(conn driver.Conn, db string, opts ...Option) (*Store, error) {
	if !databaseName.MatchString(db) {
		return nil, fmt.Errorf("insights: database name %q must match [A-Za-z_][A-Za-z0-9_]*", db)
	}
	s := &Store{conn: conn, db: db, now: time.Now, settle: DefaultSettle}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

// table names a table of the store's database. Only names written in this
// package reach it.
func (s *Store) table(name string) string { return s.db + "." + name }

// InvalidError is a query parameter that cannot be used; the API answers
// it with 400 and the CLI prints it as is.
type InvalidError struct {
	Field, Value, Problem string
}

func (e *InvalidError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("%s: %s", e.Field, e.Problem)
	}
	return fmt.Sprintf("%s %q: %s", e.Field, e.Value, e.Problem)
}

func invalid(field, value, problem string, args ...any) error {
	return &InvalidError{Field: field, Value: value, Problem: fmt.Sprintf(problem, args...)}
}

// IsInvalid reports whether err is a bad parameter rather than a failure
// of the store.
func IsInvalid(err error) bool {
	var ie *InvalidError
	return errors.As(err, &ie)
}

// query runs a statement and hands each row to scan; it always checks the
// rows' final error, where ClickHouse reports failures met while streaming.
//
// A query that ctx stops (the API's deadline, a client that went away,
// Ctrl-C) is killed on the server too: ClickHouse carries on with a query
// whose client left until it is done (on 18.16, a GROUP BY over two
// billion numbers ran 5 s past its caller's deadline), so requests that
// time out would pile up work on a server already too slow for them.
func (s *Store) query(ctx context.Context, sql string, args []any, scan func(driver.Rows) error) error {
	id, err := queryID()
	if err != nil {
		return err
	}
	err = s.stream(clickhouse.Context(ctx, clickhouse.WithQueryID(id)), sql, args, scan)
	if stopped(ctx) {
		s.kill(id)
	}
	return err
}

// stopped reports whether ctx has ended, or reached its deadline (see
// PastDeadline): the query would be left running.
func stopped(ctx context.Context) bool {
	return ctx.Err() != nil || PastDeadline(ctx)
}

// PastDeadline reports whether ctx's deadline has passed, whether or not
// ctx says so yet: the driver sets the socket's deadline to ctx's, so a
// query can fail with a read that timed out a moment before ctx reports
// that it ran out. Such a failure is the deadline all the same.
func PastDeadline(ctx context.Context) bool {
	deadline, ok := ctx.Deadline()
	return ok && !time.Now().Before(deadline)
}

// killWait bounds the request that stops a query its caller gave up on.
const killWait = 5 * time.Second

// kill asks the server to stop the query id, without waiting for it to
// stop. A failure is not reported: the caller has its answer (its own
// context's error), and the server's max_execution_time, which the driver
// sets from the caller's deadline, still ends the query.
func (s *Store) kill(id string) {
	ctx, cancel := context.WithTimeout(context.Background(), killWait)
	defer cancel()
	_ = s.conn.Exec(ctx, "KILL QUERY WHERE query_id = '"+id+"' ASYNC")
}

// queryID names a query so that it can be killed: random hex, safe to
// quote.
func queryID() (string, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("insights: query id: %w", err)
	}
	return "feedbackloop-" + hex.EncodeToString(b[:]), nil
}

func (s *Store) stream(ctx context.Context, sql string, args []any, scan func(driver.Rows) error) error {
	rows, err := s.conn.Query(ctx, sql, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
