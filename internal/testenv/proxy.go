package testenv

import (
	"io"
	"net"
	"sync"
	"testing"
)

// Proxy is a TCP forwarder a test can cut to break a real connection
// mid-flight: Cut closes every open connection and refuses new ones until
// Restore. It injects network faults; it does not imitate the server.
type Proxy struct {
	target string
	ln     net.Listener

	mu       sync.Mutex
	cut      bool
	conns    map[net.Conn]struct{}
	wg       sync.WaitGroup
	upstream int64 // bytes sent towards the target since the last arm
	cutAfter int64 // when > 0, Cut once upstream passes it
	onCut    chan struct{}
}

// NewProxy listens on a free loopback port and forwards to target.
func NewProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{target: target, ln: ln, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

// Addr is the proxy's host:port.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Cut drops every connection and refuses new ones.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = true
	for c := range p.conns {
		c.Close()
	}
}

// CutAfter arms the proxy to cut every connection once n more bytes went
// from clients to the target: a way to break a request in the middle. The
// returned channel is closed when the cut happened.
func (p *Proxy) CutAfter(n int64) <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.upstream, p.cutAfter = 0, n
	p.onCut = make(chan struct{})
	return p.onCut
}

// Restore accepts connections again.
func (p *Proxy) Restore() {
	p.mu.Lock()
	p.cut = false
	p.mu.Unlock()
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.cut {
			p.mu.Unlock()
			client.Close()
			continue
		}
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			p.mu.Unlock()
			client.Close()
			continue
		}
		p.conns[client] = struct{}{}
		p.conns[server] = struct{}{}
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(server, client, true)
		go p.pipe(client, server, false)
	}
}

func (p *Proxy) pipe(dst, src net.Conn, upstream bool) {
	defer p.wg.Done()
	if upstream {
		_, _ = io.Copy(dst, &countingReader{r: src, p: p})
	} else {
		_, _ = io.Copy(dst, src)
	}
	dst.Close()
	src.Close()
	p.mu.Lock()
	delete(p.conns, dst)
	delete(p.conns, src)
	p.mu.Unlock()
}

func (p *Proxy) close() {
	p.ln.Close()
	p.Cut()
	p.wg.Wait()
}

type countingReader struct {
	r io.Reader
	p *Proxy
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	p := c.p
	p.mu.Lock()
	p.upstream += int64(n)
	trip := p.cutAfter > 0 && p.upstream >= p.cutAfter
	if trip {
		p.cutAfter = 0
	}
	p.mu.Unlock()
	if trip {
		p.Cut()
		close(p.onCut)
		return 0, io.ErrClosedPipe
	}
	return n, err
}
