package sinks

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/feedbackloop/feedbackloop/config"
	"github.com/feedbackloop/feedbackloop/feedback"
)

// Sink stores rows. Write returns nil only when every row is committed; on
// error any subset may have been stored, which is safe because the table
// deduplicates by id. Implementations must be safe for concurrent use.
type Sink interface {
	Write(ctx context.Context, rows []Row) error
}

// Pinger reports whether a sink can take writes now.
type Pinger interface {
	Ping(ctx context.Context) error
}

var _ Sink = (*ClickHouse)(nil)

// columns of the feedback table in the order Write appends them. The list
// is explicit because ClickHouse 18.16 rejects an INSERT without one.
var columns = []string{
	"id", "source", "kind", "created_at", "ingested_at", "title", "body", "url", "language", "parent",
	"tags", "rating", "author_id", "author_name", "author_email_hash",
	"account_id", "account_name", "account_plan", "account_arr",
	"metadata_keys", "metadata_values",
	"themes", "theme_confidence", "theme_evidence", "theme_sentiment",
	"sentiment", "tagger", "model", "prompt_tokens", "completion_tokens", "contract_version",
	"routed", "sentiment_by", "version",
}

// The values of the Nullable column routed: every row this build writes
// knows whether it was routed; NULL is left for rows written before
// migration 0005.
var notRouted, wasRouted uint8 = 0, 1

// maxPartitionsPerInsert stays under current ClickHouse's default
// max_partitions_per_insert_block (100): an import of old records that
// spans more months is written in several inserts.
const maxPartitionsPerInsert = 90

// ClickHouse writes rows to the feedback table of one database.
type ClickHouse struct {
	conn driver.Conn
	// lookups is a one-connection pool of its own for the moved-record
	// lookup after each insert (moves.go). In the shared pool the two took
	// turns on two connections, and each connection keeps a buffer the size
	// of the largest block it sent: the worker's peak memory grew by 37 MB
	// in the throughput benchmark.
	lookups       driver.Conn
	db            string
	insertTimeout time.Duration
	insertSQL     string
}

// Open connects to the ClickHouse named by dsn
// (clickhouse://user:password@host:9000/database). The connection does not
// select the database: every statement names it, so Open works before the
// database exists and Migrate can create it.
func Open(dsn string, dialTimeout, insertTimeout time.Duration) (*ClickHouse, error) {
	opts, err := clickhouse.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("clickhouse dsn: %w", err)
	}
	db := opts.Auth.Database
	if db == "" {
		db = "default"
	}
	if !validIdentifier(db) {
		return nil, fmt.Errorf("clickhouse dsn: database %q must match [A-Za-z_][A-Za-z0-9_]*", db)
	}
	opts.Auth.Database = ""
	if dialTimeout > 0 {
		opts.DialTimeout = dialTimeout
	}
	conn, err := clickhouse.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("clickhouse open: %w", err)
	}
	one := *opts
	one.MaxOpenConns, one.MaxIdleConns = 1, 1
	lookups, err := clickhouse.Open(&one)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("clickhouse open: %w", err)
	}
	if insertTimeout <= 0 {
		insertTimeout = 10 * time.Second
	}
	return &ClickHouse{
		conn:          conn,
		lookups:       lookups,
		db:            db,
		insertTimeout: insertTimeout,
		insertSQL:     "INSERT INTO " + db + ".feedback (" + strings.Join(columns, ", ") + ")",
	}, nil
}

// OpenConfig is Open with the settings of the configuration's clickhouse
// section.
func OpenConfig(c config.ClickHouse) (*ClickHouse, error) {
	return Open(c.DSN, c.DialTimeout, c.InsertTimeout)
}

// Conn is the underlying connection, for migrations and queries.
func (c *ClickHouse) Conn() driver.Conn { return c.conn }

// Database is the database the sink writes to.
func (c *ClickHouse) Database() string { return c.db }

// Close closes the connection.
func (c *ClickHouse) Close() error { return errors.Join(c.conn.Close(), c.lookups.Close()) }

// Ping checks that the server answers.
func (c *ClickHouse) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, c.insertTimeout)
	defer cancel()
	return c.conn.Ping(ctx)
}

// Migrate applies the schema migrations to the sink's database.
func (c *ClickHouse) Migrate(ctx context.Context) ([]int, error) {
	return Migrate(ctx, c.conn, c.db)
}

// MigrateBesideWorkers applies the schema's migrations that are safe with
// workers running (see MigrateBesideWorkers).
func (c *ClickHouse) MigrateBesideWorkers(ctx context.Context) ([]int, error) {
	return MigrateBesideWorkers(ctx, c.conn, c.db)
}

// Write inserts rows, in more than one insert when they span more months
// than one insert may touch, then retires the versions of records whose
// created_at changed (see moves.go). It returns nil only when all were
// committed.
func (c *ClickHouse) Write(ctx context.Context, rows []Row) error {
	if len(rows) == 0 {
		return nil
	}
	for _, group := range byPartitionGroups(rows) {
		if err := c.insert(ctx, group); err != nil {
			return err
		}
	}
	return c.retireMoved(ctx, rows)
}

func (c *ClickHouse) insert(ctx context.Context, rows []Row) (err error) {
	ctx, cancel := context.WithTimeout(ctx, c.insertTimeout)
	defer cancel()
	batch, err := c.conn.PrepareBatch(ctx, c.insertSQL)
	if err != nil {
		return fmt.Errorf("prepare insert: %w", err)
	}
	defer func() {
		if !batch.IsSent() {
			_ = batch.Abort()
		}
	}()
	n := len(rows)
	var (
		ids, sources, kinds, titles, bodies, urls, langs, parents = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		authorIDs, authorNames, emailHashes                       = make([]string, n), make([]string, n), make([]string, n)
		accountIDs, accountNames, plans, taggers, models          = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		created, ingested                                         = make([]time.Time, n), make([]time.Time, n)
		tags, metaKeys, metaValues, themes, evidence              = make([][]string, n), make([][]string, n), make([][]string, n), make([][]string, n), make([][]string, n)
		confidence, themeSentiment                                = make([][]float32, n), make([][]float32, n)
		ratings                                                   = make([]*float64, n)
		arr                                                       = make([]float64, n)
		sentiment                                                 = make([]float32, n)
		promptTokens, completionTokens                            = make([]uint32, n), make([]uint32, n)
		contract                                                  = make([]uint8, n)
		routed                                                    = make([]*uint8, n)
		sentimentBy                                               = make([]string, n)
		versions                                                  = make([]uint64, n)
	)
	for i := range rows {
		r := &rows[i]
		ids[i], sources[i], kinds[i] = r.ID, r.Source, r.Kind
		created[i], ingested[i] = r.CreatedAt, r.IngestedAt
		titles[i], bodies[i], urls[i], langs[i], parents[i] = r.Title, r.Body, r.URL, r.Language, r.Parent
		tags[i], ratings[i] = nonNil(r.Tags), r.Rating
		authorIDs[i], authorNames[i], emailHashes[i] = r.AuthorID, r.AuthorName, r.AuthorEmailHash
		accountIDs[i], accountNames[i], plans[i], arr[i] = r.AccountID, r.AccountName, r.AccountPlan, r.AccountARR
		metaKeys[i], metaValues[i] = nonNil(r.MetadataKeys), nonNil(r.MetadataValues)
		themes[i], evidence[i] = nonNil(r.Themes), nonNil(r.ThemeEvidence)
		confidence[i], themeSentiment[i] = nonNilF(r.ThemeConfidence), nonNilF(r.ThemeSentiment)
		sentiment[i], taggers[i], models[i], sentimentBy[i] = r.Sentiment, r.Tagger, r.Model, r.SentimentBy
		promptTokens[i], completionTokens[i] = r.PromptTokens, r.CompletionTokens
		versions[i] = r.version()
		contract[i] = r.ContractVersion
		if contract[i] == 0 {
			contract[i] = feedback.ContractVersion
		}
		switch {
		case r.RoutingUnknown:
			routed[i] = nil
		case r.Routed:
			routed[i] = &wasRouted
		default:
			routed[i] = &notRouted
		}
	}
	values := []any{
		ids, sources, kinds, created, ingested, titles, bodies, urls, langs, parents,
		tags, ratings, authorIDs, authorNames, emailHashes,
		accountIDs, accountNames, plans, arr,
		metaKeys, metaValues,
		themes, confidence, evidence, themeSentiment,
		sentiment, taggers, models, promptTokens, completionTokens, contract,
		routed, sentimentBy, versions,
	}
	for i, v := range values {
		if err := appendColumn(batch.Column(i), v); err != nil {
			return fmt.Errorf("append column %s: %w", columns[i], err)
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("insert %d rows: %w", n, err)
	}
	return nil
}

// Scan reads the feedback table's rows created at or after since, each
// record once in its latest version (FINAL), and hands them to fn in
// chunks of up to chunk rows, in no particular order. The rows are read
// as one stream, so rows written meanwhile, by fn or a worker, are not
// read again. It stops at fn's first error. Each row carries its
// Fingerprint, for Superseded.
func (c *ClickHouse) Scan(ctx context.Context, since time.Time, chunk int, fn func([]Row) error) error {
	q := "SELECT " + strings.Join(columns, ", ") + ", " + fingerprint + " FROM " + c.db + ".feedback FINAL WHERE created_at >= toDateTime(?)"
	rows, err := c.conn.Query(ctx, q, max(since.Unix(), 0)) // DateTime starts at 1970
	if err != nil {
		return fmt.Errorf("query %s.feedback: %w", c.db, err)
	}
	defer rows.Close()
	buf := make([]Row, 0, chunk)
	for rows.Next() {
		var r Row
		var routed *uint8
		if err := rows.Scan(&r.ID, &r.Source, &r.Kind, &r.CreatedAt, &r.IngestedAt, &r.Title, &r.Body, &r.URL, &r.Language, &r.Parent,
			&r.Tags, &r.Rating, &r.AuthorID, &r.AuthorName, &r.AuthorEmailHash,
			&r.AccountID, &r.AccountName, &r.AccountPlan, &r.AccountARR,
			&r.MetadataKeys, &r.MetadataValues,
			&r.Themes, &r.ThemeConfidence, &r.ThemeEvidence, &r.ThemeSentiment,
			&r.Sentiment, &r.Tagger, &r.Model, &r.PromptTokens, &r.CompletionTokens, &r.ContractVersion,
			&routed, &r.SentimentBy, &r.Version, &r.Fingerprint); err != nil {
			return fmt.Errorf("read %s.feedback: %w", c.db, err)
		}
		r.Routed, r.RoutingUnknown = routed != nil && *routed == wasRouted, routed == nil
		if buf = append(buf, r); len(buf) == chunk {
			if err := fn(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read %s.feedback: %w", c.db, err)
	}
	if len(buf) > 0 {
		return fn(buf)
	}
	return nil
}

// fingerprint hashes what a stored row holds from its record, not what
// enrichment added: versions of a record with other content differ in it.
const fingerprint = "cityHash64(source, kind, created_at, title, body, url, parent, tags, ifNull(rating, nan)," +
	" author_id, author_name, author_email_hash, account_id, account_name, account_plan, account_arr," +
	" metadata_keys, metadata_values, contract_version)"

// Superseded returns the ids of rows read by Scan of which another
// version has been stored since: the record's latest version (FINAL) is
// no longer the one read, by its version or its content (two versions
// stored before migration 0009 in the same second have one version). A
// rewrite of such a row, a version newer, would replace a version its
// writer never read.
func (c *ClickHouse) Superseded(ctx context.Context, read []*Row) (map[string]bool, error) {
	if len(read) == 0 {
		return nil, nil
	}
	ctx, err := withIDs(ctx, "read_ids", len(read), func(i int) string { return read[i].ID })
	if err != nil {
		return nil, fmt.Errorf("look up newer versions: %w", err)
	}
	byID := make(map[string]*Row, len(read))
	for _, r := range read {
		if byID[r.ID] == nil {
			byID[r.ID] = r
		}
	}
	ctx, cancel := context.WithTimeout(ctx, c.insertTimeout)
	defer cancel()
	// Only the key is filtered on: FINAL sees every version.
	res, err := c.lookups.Query(ctx, "SELECT id, version, "+fingerprint+" FROM "+c.db+".feedback FINAL WHERE id IN read_ids")
	if err != nil {
		return nil, fmt.Errorf("look up newer versions: %w", err)
	}
	defer res.Close()
	out := map[string]bool{}
	for res.Next() {
		var (
			id          string
			version, fp uint64
		)
		if err := res.Scan(&id, &version, &fp); err != nil {
			return nil, fmt.Errorf("look up newer versions: %w", err)
		}
		if r := byID[id]; version != r.Version || fp != r.Fingerprint {
			out[id] = true
		}
	}
	if err := res.Err(); err != nil {
		return nil, fmt.Errorf("look up newer versions: %w", err)
	}
	return out, nil
}

// appendColumn appends a whole column. Array columns go row by row: the
// driver appends a []string or []float32 row without reflection, but a
// [][]string column through reflection per element, which the worker's
// profile showed at a seventh of its CPU.
func appendColumn(col driver.BatchColumn, v any) error {
	switch rows := v.(type) {
	case [][]string:
		for _, r := range rows {
			if err := col.AppendRow(r); err != nil {
				return err
			}
		}
		return nil
	case [][]float32:
		for _, r := range rows {
			if err := col.AppendRow(r); err != nil {
				return err
			}
		}
		return nil
	}
	return col.Append(v)
}

// byPartitionGroups splits rows so that no group spans more than
// maxPartitionsPerInsert months. The common case, one group, does not copy.
func byPartitionGroups(rows []Row) [][]Row {
	byMonth := map[int][]int{}
	for i := range rows {
		k := monthKey(rows[i].CreatedAt)
		byMonth[k] = append(byMonth[k], i)
	}
	if len(byMonth) <= maxPartitionsPerInsert {
		return [][]Row{rows}
	}
	keys := make([]int, 0, len(byMonth))
	for k := range byMonth {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	var groups [][]Row
	for start := 0; start < len(keys); start += maxPartitionsPerInsert {
		var g []Row
		for _, k := range keys[start:min(start+maxPartitionsPerInsert, len(keys))] {
			for _, i := range byMonth[k] {
				g = append(g, rows[i])
			}
		}
		groups = append(groups, g)
	}
	return groups
}

func monthKey(t time.Time) int {
	y, m, _ := t.Date()
	return y*100 + int(m)
}

func nonNilF(s []float32) []float32 {
	if s == nil {
		return []float32{}
	}
	return s
}

// IsUnavailable reports whether err means the server could not be reached
// or did not answer in time, as opposed to the server refusing a statement.
func IsUnavailable(err error) bool {
	var ex *clickhouse.Exception
	return err != nil && !errors.As(err, &ex) && !errors.Is(err, ErrRebuildPending)
}
