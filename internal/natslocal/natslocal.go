// Package natslocal runs a NATS server with JetStream inside this process:
// the tests use it, and `feedbackloop dev` makes it the embedded default.
package natslocal

import (
	"fmt"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Options tune Start.
type Options struct {
	// StoreDir holds JetStream's files.
	StoreDir string
	// Host and Port to listen on; Port -1 picks a free port.
	Host string
	Port int
}

// Start runs a server and waits until it accepts connections. The caller
// stops it with Shutdown and WaitForShutdown.
func Start(opts Options) (*server.Server, error) {
	host := opts.Host
	if host == "" {
		host = "127.0.0.1"
	}
	srv, err := server.NewServer(&server.Options{
		Host:      host,
		Port:      opts.Port,
		JetStream: true,
		StoreDir:  opts.StoreDir,
		NoSigs:    true,
		// Large enough for a record at the body limit plus its envelope.
		MaxPayload: 8 << 20,
	})
	if err != nil {
		return nil, fmt.Errorf("embedded NATS: %w", err)
	}
	srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		srv.Shutdown()
		return nil, fmt.Errorf("embedded NATS did not become ready within 10s")
	}
	return srv, nil
}
