//go:build linux

package server

import (
	"io"
	"runtime"
	"strings"
	"testing"
	"time"
)

// inLoop reports whether client id is served by an event loop (it has an
// fd of its own) rather than a goroutine of its own.
func inLoop(t *testing.T, s *Server, id int64) bool {
	t.Helper()
	s.mu.Lock()
	c := s.clients[id]
	s.mu.Unlock()
	if c == nil {
		t.Fatalf("no client %d", id)
	}
	c.fdMu.Lock()
	defer c.fdMu.Unlock()
	return c.fd >= 0
}

func clientID(t *testing.T, c *rawConn) int64 {
	t.Helper()
	r := c.do("CLIENT", "ID")
	n, ok := parseInteger([]byte(strings.TrimSuffix(strings.TrimPrefix(r, ":"), "\r\n")))
	if !ok {
		t.Fatalf("CLIENT ID: %q", r)
	}
	return n
}

// dialMany connects n clients, enough to land on every loop.
func dialMany(t *testing.T, addr string, n int) []*rawConn {
	cs := make([]*rawConn, n)
	for i := range cs {
		cs[i] = dial(t, addr)
	}
	return cs
}

func TestLoopServesConnections(t *testing.T) {
	s, addr := startServer(t, nil, nil)
	if got, want := len(s.loops), runtime.GOMAXPROCS(0); got != want {
		t.Fatalf("%d event loops, want one per P (%d)", got, want)
	}
	for _, c := range dialMany(t, addr, 4) {
		mustReply(t, c.do("PING"), "+PONG\r\n")
		if id := clientID(t, c); !inLoop(t, s, id) {
			t.Fatalf("client %d has a goroutine of its own, want an event loop", id)
		}
	}
}

// A reply larger than the socket takes at once must not hold the loop: the
// client is detached and written to from its own goroutine, and every other
// client of the loop is still answered.
func TestLoopSlowReaderDetaches(t *testing.T) {
	s, addr := startServer(t, nil, nil)
	big := strings.Repeat("v", 32<<20) // far beyond loopback socket buffers
	slow := dial(t, addr)
	mustReply(t, slow.do("SET", "big", big), "+OK\r\n")
	id := clientID(t, slow)
	slow.sendCmd("GET", "big")
	waitFor(t, 10*time.Second, "the slow reader to be detached", func() bool { return !inLoop(t, s, id) })
	for _, c := range dialMany(t, addr, 2*len(s.loops)+2) {
		mustReply(t, c.do("PING"), "+PONG\r\n")
	}
	slow.c.SetReadDeadline(time.Now().Add(30 * time.Second))
	want := "$" + itoa(int64(len(big))) + "\r\n" + big + "\r\n"
	got := make([]byte, len(want))
	if _, err := io.ReadFull(slow.br, got); err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatal("the detached client's reply differs from the value")
	}
	mustReply(t, slow.do("ECHO", "after"), "$5\r\nafter\r\n")
}

// A blocking command parks on a goroutine of its own; the loop it came
// from goes on serving its other clients.
func TestLoopBlockedClientsDoNotStallLoops(t *testing.T) {
	s, addr := startServer(t, nil, fakeClock())
	n := 2*len(s.loops) + 2
	blocked := dialMany(t, addr, n)
	for i, c := range blocked {
		c.sendCmd("BLPOP", "k"+itoa(int64(i)), "0")
	}
	waitBlocked(t, s, int64(n))
	others := dialMany(t, addr, n)
	for _, c := range others {
		mustReply(t, c.do("PING"), "+PONG\r\n")
	}
	for i, c := range blocked {
		k := "k" + itoa(int64(i))
		mustReply(t, others[i].do("LPUSH", k, "x"), ":1\r\n")
		mustReply(t, c.reply(), "*2\r\n$"+itoa(int64(len(k)))+"\r\n"+k+"\r\n$1\r\nx\r\n")
		mustReply(t, c.do("PING"), "+PONG\r\n")
	}
}

// A client killed from another connection while its loop serves it is
// closed by the loop, and its slot freed.
func TestLoopClientKill(t *testing.T) {
	s, addr := startServer(t, nil, nil)
	victim, killer := dial(t, addr), dial(t, addr)
	id := clientID(t, victim)
	if !inLoop(t, s, id) {
		t.Fatal("victim is not in a loop")
	}
	mustReply(t, killer.do("CLIENT", "KILL", "ID", itoa(id)), ":1\r\n")
	victim.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if b, err := io.ReadAll(victim.br); err != nil || len(b) != 0 {
		t.Fatalf("killed client read %q, %v; want the end of the stream", b, err)
	}
	waitFor(t, 10*time.Second, "the killed client to leave", func() bool { return s.clientCount() == 1 })
}

// GoroutinePerConn (and platforms without epoll) serve each connection
// from its own goroutine: the same behaviour.
func TestGoroutinePerConn(t *testing.T) {
	cfg := newTestConfig()
	s, addr := startServerWith(t, cfg, Options{Clock: fakeClock(), GoroutinePerConn: true})
	if len(s.loops) != 0 {
		t.Fatalf("%d event loops, want none", len(s.loops))
	}
	a, b := dial(t, addr), dial(t, addr)
	if inLoop(t, s, clientID(t, a)) {
		t.Fatal("client in an event loop")
	}
	mustReply(t, a.do("SET", "k", "v"), "+OK\r\n")
	mustReply(t, b.do("GET", "k"), "$1\r\nv\r\n")
	a.sendCmd("BLPOP", "q", "0")
	waitBlocked(t, s, 1)
	mustReply(t, b.do("RPUSH", "q", "x"), ":1\r\n")
	mustReply(t, a.reply(), "*2\r\n$1\r\nq\r\n$1\r\nx\r\n")
	mustReply(t, b.do("CLIENT", "KILL", "ID", itoa(clientID(t, a))), ":1\r\n")
	a.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if rest, err := io.ReadAll(a.br); err != nil || len(rest) != 0 {
		t.Fatalf("killed client read %q, %v", rest, err)
	}
}
