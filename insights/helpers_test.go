package insights_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/feedbackloop/feedbackloop/insights"
	"github.com/feedbackloop/feedbackloop/internal/testenv"
	"github.com/feedbackloop/feedbackloop/sinks"
)

// env is a migrated test database with a sink to load rows and a store to
// query them.
type env struct {
	sink  *sinks.ClickHouse
	store *insights.Store
	conn  clickhouse.Conn
	db    string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ch, dsn := testenv.Migrated(t)
	testenv.StopMerges(t, dsn, "feedback") // planted redeliveries stay until queried
	store, err := insights.New(ch.Conn(), ch.Database())
	if err != nil {
		t.Fatal(err)
	}
	return &env{sink: ch, store: store, conn: testenv.Conn(t, dsn), db: ch.Database()}
}

// settledStore is a store over e that reads the rollup as soon as a
// period was computed (settle 0): nothing is inserted while it refreshes.
func (e *env) settledStore(t *testing.T) *insights.Store {
	t.Helper()
	store, err := insights.New(e.sink.Conn(), e.db, insights.WithSettle(0))
	if err != nil {
		t.Fatal(err)
	}
	return store
}

// write stores rows in one insert; call it twice with the same rows to
// plant redeliveries in separate parts, as a redelivery would.
func (e *env) write(t *testing.T, rows []sinks.Row) {
	t.Helper()
	if err := e.sink.Write(context.Background(), rows); err != nil {
		t.Fatal(err)
	}
}

// count runs a query returning one UInt64 against the test database;
// {db} names it.
func (e *env) count(t *testing.T, query string, args ...any) uint64 {
	t.Helper()
	return testenv.QueryUint64(t, e.conn, replaceDB(query, e.db), args...)
}

func replaceDB(q, db string) string { return strings.ReplaceAll(q, "{db}", db) }

// item builds a row; accounts' ARR and plan follow from their id so that
// every version of an account agrees.
func item(id, source string, created time.Time, account string, sentiment float32, themes ...string) sinks.Row {
	r := sinks.Row{
		ID: id, Source: source, Kind: "ticket", CreatedAt: created, IngestedAt: time.Now().UTC(),
		Title: "title " + id, Body: "body of " + id, AccountID: account, Sentiment: sentiment, Tagger: "keywords",
	}
	if account != "" {
		r.AccountName = "Account " + account
		r.AccountPlan = "pro"
		r.AccountARR = float64(1000 * (len(account) + int(account[len(account)-1]%7)))
	}
	for _, th := range themes {
		r.Themes = append(r.Themes, th)
		r.ThemeConfidence = append(r.ThemeConfidence, 0.9)
		r.ThemeEvidence = append(r.ThemeEvidence, fmt.Sprintf("%s says %s", id, th))
		r.ThemeSentiment = append(r.ThemeSentiment, sentiment)
	}
	return r
}

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}
