// Package devstack runs the embedded default of `feedbackloop dev`: a NATS
// server with JetStream inside the process and a ClickHouse server, either
// the one FEEDBACKLOOP_CLICKHOUSE_DSN names or a private clickhouse-server
// child process, both keeping their data under one directory so that a
// second run finds the first one's records.
package devstack

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/feedbackloop/feedbackloop/internal/chlocal"
	"github.com/feedbackloop/feedbackloop/internal/natslocal"
)

// Options say where the stack keeps its data and which ports it prefers.
type Options struct {
	// Dir holds nats/ and clickhouse/; created when missing.
	Dir string
	// NATSPort and ClickHousePort are tried first; a free port is used when
	// one is taken (another stack, or a real server on the machine).
	NATSPort, ClickHousePort int
	// ClickHouseDSN, when set, is used instead of starting a server.
	ClickHouseDSN string
	// Database is the ClickHouse database of a started server.
	Database string
}

// Stack is a running embedded default.
type Stack struct {
	NATS          *server.Server
	ClickHouse    *chlocal.Server // nil when Options.ClickHouseDSN was used
	NATSURL       string
	ClickHouseDSN string
}

// Start brings the stack up. On error nothing is left running.
func Start(ctx context.Context, opts Options) (*Stack, error) {
	if opts.Dir == "" {
		return nil, errors.New("devstack: a data directory is required")
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	ns, err := natslocal.Start(natslocal.Options{
		StoreDir: filepath.Join(opts.Dir, "nats"),
		Port:     portOrFree(opts.NATSPort),
	})
	if err != nil {
		return nil, err
	}
	s := &Stack{NATS: ns, NATSURL: ns.ClientURL(), ClickHouseDSN: opts.ClickHouseDSN}
	if s.ClickHouseDSN == "" {
		chDir := filepath.Join(opts.Dir, "clickhouse")
		if err := os.MkdirAll(chDir, 0o755); err != nil {
			s.Stop()
			return nil, fmt.Errorf("clickhouse data directory: %w", err)
		}
		port := opts.ClickHousePort
		if port != 0 && !free(port) {
			port = 0
		}
		ch, err := chlocal.Start(ctx, chlocal.Options{Dir: chDir, TCPPort: port})
		if err != nil {
			s.Stop()
			if errors.Is(err, chlocal.ErrNotInstalled) {
				return nil, err
			}
			return nil, fmt.Errorf("start clickhouse-server (its logs are in %s): %w", chDir, err)
		}
		s.ClickHouse = ch
		db := opts.Database
		if db == "" {
			db = "feedbackloop"
		}
		s.ClickHouseDSN = ch.DSN(db)
	}
	return s, nil
}

// Stop shuts ClickHouse and NATS down and waits for both.
func (s *Stack) Stop() {
	if s.ClickHouse != nil {
		s.ClickHouse.Stop()
	}
	if s.NATS != nil {
		s.NATS.Shutdown()
		s.NATS.WaitForShutdown()
	}
}

// portOrFree returns port when nothing listens on it, else -1 (any free port).
func portOrFree(port int) int {
	if port > 0 && free(port) {
		return port
	}
	return -1
}

func free(port int) bool {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return false
	}
	l.Close()
	return true
}
