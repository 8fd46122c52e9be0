package server

import (
	"bufio"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"sessiond/clock"
)

// testConfig is a settable Config for tests.
type testConfig struct {
	mu          sync.Mutex
	requirepass string
	databases   int
	maxclients  int
	timeout     int
	maxBulk     int64
	queryBuf    int64
	maxmemory   int64
	values      map[string]string
}

func newTestConfig() *testConfig {
	return &testConfig{databases: 16, maxclients: 10000, maxBulk: 512 << 20, queryBuf: 1 << 30, values: map[string]string{}}
}

func (c *testConfig) Requirepass() string { c.mu.Lock(); defer c.mu.Unlock(); return c.requirepass }
func (c *testConfig) Databases() int      { return c.databases }
func (c *testConfig) Shards() int         { return 4 }
func (c *testConfig) MaxClients() int     { c.mu.Lock(); defer c.mu.Unlock(); return c.maxclients }
func (c *testConfig) Timeout() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Duration(c.timeout) * time.Second
}
func (c *testConfig) ProtoMaxBulkLen() int64      { return c.maxBulk }
func (c *testConfig) QueryBufferLimit() int64     { return c.queryBuf }
func (c *testConfig) Hz() int                     { return 10 }
func (c *testConfig) TCPKeepalive() time.Duration { return 300 * time.Second }
func (c *testConfig) ProtectedMode() bool         { return true }
func (c *testConfig) Maxmemory() int64            { c.mu.Lock(); defer c.mu.Unlock(); return c.maxmemory }
func (c *testConfig) Get(patterns ...string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, p := range patterns {
		if v, ok := c.values[p]; ok {
			out = append(out, p, v)
		}
	}
	return out
}
func (c *testConfig) Set(pairs []string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := 0; i+1 < len(pairs); i += 2 {
		if _, ok := c.values[pairs[i]]; !ok {
			return errors.New("ERR Unknown option or number of arguments for CONFIG SET - '" + pairs[i] + "'")
		}
		c.values[pairs[i]] = pairs[i+1]
	}
	return nil
}

// startServer runs a server on 127.0.0.1:0 and returns it with its address.
func startServer(t *testing.T, cfg Config, clk clock.Clock) (*Server, string) {
	t.Helper()
	return startServerWith(t, cfg, Options{Clock: clk})
}

// startServerWith is startServer with every option.
func startServerWith(t *testing.T, cfg Config, o Options) (*Server, string) {
	t.Helper()
	if cfg == nil {
		cfg = newTestConfig()
	}
	s := New(cfg, o)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	t.Cleanup(func() {
		s.Close()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return s, ln.Addr().String()
}

// rawConn is a test client speaking raw bytes.
type rawConn struct {
	t  *testing.T
	c  net.Conn
	br *bufio.Reader
}

func dial(t *testing.T, addr string) *rawConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &rawConn{t: t, c: c, br: bufio.NewReader(c)}
}

func (r *rawConn) send(s string) {
	r.t.Helper()
	if _, err := r.c.Write([]byte(s)); err != nil {
		r.t.Fatal(err)
	}
}

// do sends a command as a RESP array and returns the raw reply.
func (r *rawConn) do(args ...string) string {
	r.t.Helper()
	var b strings.Builder
	b.WriteString("*" + itoa(int64(len(args))) + "\r\n")
	for _, a := range args {
		b.WriteString("$" + itoa(int64(len(a))) + "\r\n" + a + "\r\n")
	}
	r.send(b.String())
	return r.reply()
}

// reply reads one whole RESP2/RESP3 reply and returns its raw bytes.
func (r *rawConn) reply() string {
	r.t.Helper()
	r.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	var out strings.Builder
	if err := readReply(r.br, &out); err != nil {
		r.t.Fatalf("reading reply: %v (got %q)", err, out.String())
	}
	return out.String()
}

func readReply(br *bufio.Reader, out *strings.Builder) error {
	line, err := br.ReadString('\n')
	out.WriteString(line)
	if err != nil {
		return err
	}
	if len(line) < 3 {
		return errors.New("short line")
	}
	body := line[1 : len(line)-2]
	switch line[0] {
	case '+', '-', ':', '_', ',', '#', '(':
		return nil
	case '$', '=', '!':
		n, ok := parseInteger([]byte(body))
		if !ok {
			return errors.New("bad length")
		}
		if n < 0 {
			return nil
		}
		buf := make([]byte, n+2)
		if _, err := ioReadFull(br, buf); err != nil {
			return err
		}
		out.Write(buf)
		return nil
	case '*', '~', '>', '%', '|':
		n, ok := parseInteger([]byte(body))
		if !ok {
			return errors.New("bad count")
		}
		if line[0] == '%' || line[0] == '|' {
			n *= 2
		}
		for i := int64(0); i < n; i++ {
			if err := readReply(br, out); err != nil {
				return err
			}
		}
		return nil
	}
	return errors.New("unknown reply type " + string(line[0]))
}

func ioReadFull(br *bufio.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := br.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// replyStep is one command and its raw expected reply.
type replyStep struct {
	args []string
	want string
}

func step(want string, args ...string) replyStep { return replyStep{args: args, want: want} }

// runSteps sends each command and checks its raw reply.
func runSteps(t *testing.T, c *rawConn, steps []replyStep) {
	t.Helper()
	for _, s := range steps {
		if got := c.do(s.args...); got != s.want {
			t.Fatalf("%q: reply %q, want %q", s.args, got, s.want)
		}
	}
}

func mustReply(t *testing.T, got, want string) {
	t.Helper()
	if got != want {
		t.Fatalf("reply %q, want %q", got, want)
	}
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func (c *testConfig) MaxmemoryPolicy() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.values["maxmemory-policy"]; ok {
		return p
	}
	return "noeviction"
}
func (c *testConfig) MaxmemorySamples() int { return 5 }
