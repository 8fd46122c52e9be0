package server

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Hostile clients against the real listener. These tests are not parallel:
// the memory bounds measure this process.

// sendAndDrain writes in, then reads until the server closes the
// connection, and returns what it replied. A reset after the reply counts
// as a close: the server may close with our bytes unread.
func sendAndDrain(addr, in string) (string, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := io.WriteString(c, in); err != nil && !isReset(err) {
		return "", err
	}
	b, err := io.ReadAll(c)
	if err != nil && !isReset(err) {
		return string(b), err
	}
	return string(b), nil
}

func isReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

func mustCloseAfter(t *testing.T, addr, in, want string) {
	t.Helper()
	got, err := sendAndDrain(addr, in)
	if err != nil {
		t.Fatalf("%q: %v (got %q)", in, err, got)
	}
	if got != want {
		t.Fatalf("%q: server sent %q before closing, want %q", in, got, want)
	}
}

func TestHostileHugeBulkLength(t *testing.T) {
	_, addr := startServer(t, nil, nil)
	mustCloseAfter(t, addr, "*1\r\n$9223372036854775807\r\n", "-ERR Protocol error: invalid bulk length\r\n")
	mustCloseAfter(t, addr, "*1\r\n$9223372036854775808\r\n", "-ERR Protocol error: invalid bulk length\r\n")
	// replies to earlier commands in the pipeline come first
	mustCloseAfter(t, addr, "PING\r\n*1\r\n$9223372036854775807\r\n", "+PONG\r\n-ERR Protocol error: invalid bulk length\r\n")
}

func TestHostileHugeMultibulkCount(t *testing.T) {
	_, addr := startServer(t, nil, nil)
	mustCloseAfter(t, addr, "*9223372036854775807\r\n", "-ERR Protocol error: invalid multibulk length\r\n")
	mustCloseAfter(t, addr, "*1\r\nx\r\n", "-ERR Protocol error: expected '$', got 'x'\r\n")
	mustCloseAfter(t, addr, "SET \"a\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n")
	mustCloseAfter(t, addr, "PING\r\nPOST / HTTP/1.1\r\nHost: x\r\n\r\n", "")
}

// A large argument trickled in (one byte per write, then small writes) is
// stored whole: no recursion per read, no re-parsing from the start.
func TestHostileLargeArgumentTrickled(t *testing.T) {
	_, addr := startServer(t, nil, nil)
	const size = 8 << 20
	var in bytes.Buffer
	in.WriteString("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$" + strconv.Itoa(size) + "\r\n")
	for i := 0; i < size; i++ {
		in.WriteByte('a' + byte(i%26))
	}
	in.WriteString("\r\n")
	data := in.Bytes()
	c := dial(t, addr)
	c.c.SetWriteDeadline(time.Now().Add(60 * time.Second))
	writes := 0
	for len(data) > 0 {
		n := 1
		if writes >= 2000 {
			n = min(4<<10, len(data))
		}
		if _, err := c.c.Write(data[:n]); err != nil {
			t.Fatal(err)
		}
		data = data[n:]
		writes++
	}
	mustReply(t, c.reply(), "+OK\r\n")
	got := c.do("GET", "big")
	if want := "$" + strconv.Itoa(size) + "\r\n" + string(in.Bytes()[len(in.Bytes())-size-2:]); got != want {
		t.Fatalf("GET big: %d bytes, want %d", len(got), len(want))
	}
	mustReply(t, c.do("PING"), "+PONG\r\n")
	t.Logf("%d writes", writes)
}

// memWatch samples this process's resident set until stop, and reports the
// peak growth over the level at start.
type memWatch struct {
	base, peak atomic.Int64
	done       chan struct{}
	wg         sync.WaitGroup
}

func watchMemory(t *testing.T) *memWatch {
	t.Helper()
	if _, err := os.Stat("/proc/self/statm"); err != nil {
		t.Skip("no /proc/self/statm: memory bounds need Linux")
	}
	runtime.GC()
	debug.FreeOSMemory()
	m := &memWatch{done: make(chan struct{})}
	m.base.Store(rss())
	m.peak.Store(m.base.Load())
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			if r := rss(); r > m.peak.Load() {
				m.peak.Store(r)
			}
			select {
			case <-m.done:
				return
			case <-tick.C:
			}
		}
	}()
	return m
}

// stop ends sampling and returns the peak growth in bytes.
func (m *memWatch) stop() int64 {
	close(m.done)
	m.wg.Wait()
	if r := rss(); r > m.peak.Load() {
		m.peak.Store(r)
	}
	return m.peak.Load() - m.base.Load()
}

func rss() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

const hostileMemBound = 32 << 20

// 1,000 clients each announcing a 2 GB bulk get the error and are closed;
// the server answers a fresh client afterwards and holds no extra memory.
func TestHostileManyHugeBulks(t *testing.T) {
	s, addr := startServer(t, nil, nil)
	mustReply(t, dial(t, addr).do("PING"), "+PONG\r\n")
	mem := watchMemory(t)
	const clients, inFlight = 1000, 50 // in waves: each live connection costs a buffer and two goroutines
	var wg sync.WaitGroup
	var failures atomic.Int64
	var firstErr atomic.Pointer[string]
	sem := make(chan struct{}, inFlight)
	for i := 0; i < clients; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			got, err := sendAndDrain(addr, "*1\r\n$2000000000\r\n")
			if want := "-ERR Protocol error: invalid bulk length\r\n"; err != nil || got != want {
				failures.Add(1)
				msg := fmt.Sprintf("got %q, error %v", got, err)
				firstErr.CompareAndSwap(nil, &msg)
			}
		}()
	}
	wg.Wait()
	grew := mem.stop()
	if n := failures.Load(); n > 0 {
		t.Fatalf("%d of %d clients: first %s", n, clients, *firstErr.Load())
	}
	waitFor(t, 10*time.Second, "the rejected clients to be removed", func() bool { return s.clientCount() <= 1 })
	mustReply(t, dial(t, addr).do("PING"), "+PONG\r\n")
	t.Logf("RSS grew by %.1f MiB at peak; live heap now %.1f MiB", float64(grew)/(1<<20), float64(liveHeap())/(1<<20))
	if grew > hostileMemBound {
		t.Fatalf("RSS grew by %d bytes, bound %d", grew, hostileMemBound)
	}
}

// A 256 MiB inline line, streamed: the server stops at 64 KiB.
func TestHostileHugeInlineLine(t *testing.T) {
	_, addr := startServer(t, nil, nil)
	mem := watchMemory(t)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(60 * time.Second))
	replied := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(c) // ends at the close (or its reset)
		replied <- string(b)
	}()
	chunk := bytes.Repeat([]byte("a"), 64<<10)
	sent := 0
	var werr error
	for sent < 256<<20 {
		n, err := c.Write(chunk)
		sent += n
		if err != nil {
			werr = err
			break
		}
	}
	got := <-replied
	grew := mem.stop()
	if want := "-ERR Protocol error: too big inline request\r\n"; got != want {
		t.Fatalf("reply %q, want %q", got, want)
	}
	if werr == nil {
		t.Fatalf("sent all %d bytes without the connection closing", sent)
	}
	t.Logf("sent %.1f MiB before the close (%v); RSS grew by %.1f MiB at peak", float64(sent)/(1<<20), werr, float64(grew)/(1<<20))
	if grew > hostileMemBound {
		t.Fatalf("RSS grew by %d bytes, bound %d", grew, hostileMemBound)
	}
}

func TestHostileMaxClients(t *testing.T) {
	cfg := newTestConfig()
	cfg.maxclients = 2
	s, addr := startServer(t, cfg, nil)
	a, b := dial(t, addr), dial(t, addr)
	mustReply(t, a.do("PING"), "+PONG\r\n")
	mustReply(t, b.do("PING"), "+PONG\r\n")
	mustCloseAfter(t, addr, "PING\r\n", "-ERR max number of clients reached\r\n")
	if n := s.stats.rejected.Load(); n != 1 {
		t.Fatalf("rejected %d, want 1", n)
	}
	// a slot freed is a slot available
	a.c.Close()
	waitFor(t, 10*time.Second, "the closed client to be removed", func() bool { return s.clientCount() == 1 })
	mustReply(t, dial(t, addr).do("PING"), "+PONG\r\n")
	mustReply(t, b.do("PING"), "+PONG\r\n")
}

func TestHostileIdleTimeout(t *testing.T) {
	cfg := newTestConfig()
	cfg.timeout = 1
	_, addr := startServer(t, cfg, nil)
	c := dial(t, addr)
	mustReply(t, c.do("PING"), "+PONG\r\n")
	c.c.SetReadDeadline(time.Now().Add(30 * time.Second))
	b, err := io.ReadAll(c.br)
	if err != nil || len(b) != 0 {
		t.Fatalf("idle client: read %q, %v; want a close with no reply", b, err)
	}
}

func TestHostilePanicClosesOnlyItsConnection(t *testing.T) {
	s, addr := startServer(t, nil, nil)
	// Registered before any client dials, under the lock the accept path
	// takes: every connection goroutine starts after this write.
	s.mu.Lock()
	s.table.add(&Command{Name: "debug-panic", Arity: 1, Handler: func(*Client, [][]byte) { panic("boom") }})
	s.mu.Unlock()
	other := dial(t, addr)
	mustReply(t, other.do("SET", "k", "v"), "+OK\r\n")
	mustCloseAfter(t, addr, "*1\r\n$11\r\ndebug-panic\r\n", "")
	if n := s.stats.panics.Load(); n != 1 {
		t.Fatalf("panics %d, want 1", n)
	}
	mustReply(t, other.do("GET", "k"), "$1\r\nv\r\n")
	mustReply(t, dial(t, addr).do("GET", "k"), "$1\r\nv\r\n")
}

func TestHostileQueryBufferLimit(t *testing.T) {
	cfg := newTestConfig()
	cfg.queryBuf = 1 << 20
	_, addr := startServer(t, cfg, nil)
	c := dial(t, addr)
	small := strings.Repeat("x", 512<<10)
	mustReply(t, c.do("SET", "k", small), "+OK\r\n")
	// announced past the limit: closed without a reply, as Redis does
	mustCloseAfter(t, addr, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n"+strings.Repeat("y", 64<<10), "")
	mustReply(t, c.do("STRLEN", "k"), ":"+strconv.Itoa(len(small))+"\r\n")
}

func TestHostilePipelineOfPings(t *testing.T) {
	_, addr := startServer(t, nil, nil)
	c := dial(t, addr)
	const n = 10000
	go c.c.Write(bytes.Repeat([]byte("*1\r\n$4\r\nPING\r\n"), n)) // one write; we read meanwhile
	c.c.SetReadDeadline(time.Now().Add(30 * time.Second))
	br := bufio.NewReader(c.c)
	for i := 0; i < n; i++ {
		line, err := br.ReadString('\n')
		if err != nil || line != "+PONG\r\n" {
			t.Fatalf("reply %d: %q, %v", i, line, err)
		}
	}
	mustReply(t, c.do("ECHO", "done"), "$4\r\ndone\r\n")
}
