// Package chlocal runs a private clickhouse-server as a child process: a
// temporary data directory, loopback only, free ports, a passwordless
// default user. The tests and `feedbackloop dev` use it; production points
// at a ClickHouse the team runs.
package chlocal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"text/template"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// ErrNotInstalled is returned when no clickhouse-server binary can be found.
var ErrNotInstalled = errors.New("clickhouse-server is not installed (on Debian or Ubuntu: sudo apt-get install -y clickhouse-server clickhouse-client; or set FEEDBACKLOOP_CLICKHOUSE_DSN to a running server)")

// Server is a running private ClickHouse server.
type Server struct {
	cmd     *exec.Cmd
	dir     string
	ownsDir bool
	tcpPort int
	done    chan struct{}
	waitErr error
}

// Options tune Start.
type Options struct {
	// Dir holds data and logs; a temporary directory, removed by Stop, when empty.
	Dir string
	// TCPPort for the native protocol; a free port when 0.
	TCPPort int
	// StartTimeout bounds how long Start waits for the server to answer; 60s when 0.
	StartTimeout time.Duration
}

// Binary returns the path of the clickhouse-server executable.
func Binary() (string, error) {
	for _, name := range []string{"clickhouse-server", "/usr/sbin/clickhouse-server", "/usr/bin/clickhouse-server"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNotInstalled
}

// Start launches a server and waits until it answers queries.
func Start(ctx context.Context, opts Options) (*Server, error) {
	bin, err := Binary()
	if err != nil {
		return nil, err
	}
	s := &Server{dir: opts.Dir, done: make(chan struct{})}
	if s.dir == "" {
		if s.dir, err = os.MkdirTemp("", "feedbackloop-clickhouse-"); err != nil {
			return nil, fmt.Errorf("clickhouse data directory: %w", err)
		}
		s.ownsDir = true
	}
	// The server runs in its directory and reads paths from its config:
	// they must not depend on where we were started.
	if s.dir, err = filepath.Abs(s.dir); err != nil {
		return nil, fmt.Errorf("clickhouse data directory: %w", err)
	}
	ports, err := freePorts(2)
	if err != nil {
		return nil, err
	}
	s.tcpPort = ports[0]
	if opts.TCPPort != 0 {
		s.tcpPort = opts.TCPPort
	}
	cfgPath, err := s.writeConfig(ports[1])
	if err != nil {
		return nil, err
	}
	s.cmd = exec.Command(bin, "--config-file="+cfgPath)
	s.cmd.Dir = s.dir
	// The server dies with us even if we are killed: tests and `dev` must
	// never leave a ClickHouse behind.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	logFile, err := os.Create(filepath.Join(s.dir, "stdout.log"))
	if err != nil {
		return nil, err
	}
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	if err := s.cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() {
		s.waitErr = s.cmd.Wait()
		logFile.Close()
		close(s.done)
	}()
	timeout := opts.StartTimeout
	if timeout == 0 {
		timeout = 60 * time.Second
	}
	if err := s.waitReady(ctx, timeout); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// Addr is host:port of the native protocol.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.tcpPort)) }

// DSN returns a clickhouse:// DSN for database db.
func (s *Server) DSN(db string) string { return "clickhouse://" + s.Addr() + "/" + db }

// Dir is the server's data directory.
func (s *Server) Dir() string { return s.dir }

// PID is the server's process id.
func (s *Server) PID() int { return s.cmd.Process.Pid }

// Stop terminates the server and waits for it; it removes the data
// directory when Start created it.
func (s *Server) Stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
			<-s.done
		}
	}
	if s.ownsDir {
		_ = os.RemoveAll(s.dir)
	}
}

func (s *Server) waitReady(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var lastErr error
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("clickhouse-server exited during start-up (%v): %s", s.waitErr, s.logTail())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		if lastErr = ping(ctx, s.Addr()); lastErr == nil {
			return nil
		}
	}
	return fmt.Errorf("clickhouse-server did not answer within %s (last error: %v): %s", timeout, lastErr, s.logTail())
}

func ping(ctx context.Context, addr string) error {
	conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{addr}, DialTimeout: time.Second})
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return conn.Ping(ctx)
}

func (s *Server) logTail() string {
	var out []byte
	for _, name := range []string{"clickhouse-server.err.log", "stdout.log"} {
		b, _ := os.ReadFile(filepath.Join(s.dir, name))
		if len(b) > 2000 {
			b = b[len(b)-2000:]
		}
		out = append(out, bytes.TrimSpace(b)...)
	}
	if len(out) == 0 {
		return "(no log output)"
	}
	return string(out)
}

var configTemplate = template.Must(template.New("config").Parse(`<yandex>
    <listen_host>127.0.0.1</listen_host>
    <tcp_port>{{.TCPPort}}</tcp_port>
    <http_port>{{.HTTPPort}}</http_port>
    <path>{{.Dir}}/data/</path>
    <tmp_path>{{.Dir}}/tmp/</tmp_path>
    <user_files_path>{{.Dir}}/user_files/</user_files_path>
    <format_schema_path>{{.Dir}}/format_schemas/</format_schema_path>
    <mark_cache_size>268435456</mark_cache_size>
    <max_concurrent_queries>100</max_concurrent_queries>
    <users_config>{{.Dir}}/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <logger>
        <level>warning</level>
        <log>{{.Dir}}/clickhouse-server.log</log>
        <errorlog>{{.Dir}}/clickhouse-server.err.log</errorlog>
        <size>100M</size>
        <count>1</count>
    </logger>
</yandex>
`))

const usersXML = `<yandex>
    <profiles>
        <default>
            <max_memory_usage>4000000000</max_memory_usage>
            <load_balancing>random</load_balancing>
        </default>
    </profiles>
    <users>
        <default>
            <password></password>
            <networks>
                <ip>127.0.0.1</ip>
                <ip>::1</ip>
            </networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
    </users>
    <quotas>
        <default>
            <interval>
                <duration>3600</duration>
                <queries>0</queries>
                <errors>0</errors>
                <result_rows>0</result_rows>
                <read_rows>0</read_rows>
                <execution_time>0</execution_time>
            </interval>
        </default>
    </quotas>
</yandex>
`

func (s *Server) writeConfig(httpPort int) (string, error) {
	for _, sub := range []string{"data", "tmp", "user_files", "format_schemas"} {
		if err := os.MkdirAll(filepath.Join(s.dir, sub), 0o755); err != nil {
			return "", err
		}
	}
	if err := os.WriteFile(filepath.Join(s.dir, "users.xml"), []byte(usersXML), 0o644); err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := configTemplate.Execute(&buf, map[string]any{"TCPPort": s.tcpPort, "HTTPPort": httpPort, "Dir": s.dir}); err != nil {
		return "", err
	}
	path := filepath.Join(s.dir, "config.xml")
	return path, os.WriteFile(path, buf.Bytes(), 0o644)
}

// freePorts asks the kernel for n distinct free ports. Another process can
// take one before the server binds it; Start then fails and the caller may retry.
func freePorts(n int) ([]int, error) {
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
