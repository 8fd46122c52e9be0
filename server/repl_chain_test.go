package server

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"sessiond/replication"
	"sessiond/storage"
)

// TestChainedReplicas: a replica of a replica gets the primary's stream
// relayed, as Redis relays it: a sessiond replica of a sessiond replica,
// attached during a load of every type (counters and lists among them,
// which a snapshot out of step with its offset would apply twice), and a
// redis-server replica of it when one is installed, end with the
// primary's digest, id and offset. A cut link continues partially, and
// with the primary gone and the middle one promoted, its replica
// continues partially from it (psync2) and follows its writes.
func TestChainedReplicas(t *testing.T) {
	p, mid, leaf, paddr, midaddr, cm, cl := startTrio(t)
	ctx := context.Background()
	now := func() int64 { return time.Now().UnixMilli() }
	mhost, mport, _ := strings.Cut(midaddr, ":")
	// a replica that has not synced yet refuses replicas of its own
	if err := cm.Do(ctx, "REPLICAOF", "127.0.0.1", "1").Err(); err != nil {
		t.Fatal(err)
	}
	if err := cl.Do(ctx, "REPLICAOF", mhost, mport).Err(); err != nil {
		t.Fatal(err)
	}
	if err := client(t, midaddr).Do(ctx, "PSYNC", "?", "-1").Err(); err == nil ||
		err.Error() != "NOMASTERLINK Can't SYNC while not connected with my master" {
		t.Fatalf("PSYNC to a replica without a link: %v", err)
	}
	done := followDuringLoad(t, cm, paddr)
	var rc *redis.Client
	if _, err := exec.LookPath("redis-server"); err == nil {
		rc = startRedisReplica(t, midaddr)
	} else {
		t.Log("redis-server not installed (Debian package redis-server): no redis-server replica of the replica")
	}
	<-done
	eventually(t, "the replica of the replica has the primary's data", func() bool {
		d := p.Store().Digest(now())
		return mid.Store().Digest(now()) == d && leaf.Store().Digest(now()) == d &&
			leaf.upstream.offset.Load() == streamOffset(p)
	})
	if rc != nil {
		eventually(t, "the redis-server replica of the replica has the primary's digest", func() bool {
			d, err := rc.Do(ctx, "DEBUG", "DIGEST").Text()
			return err == nil && d == p.Store().Digest(now()).Hex()
		})
	}
	leaf.upstream.mu.Lock()
	got := leaf.upstream.replid
	leaf.upstream.mu.Unlock()
	if want := p.replID(); got != want {
		t.Fatalf("the leaf follows history %s, the primary's is %s", got, want)
	}
	// a cut link continues partially
	mid.repl.mu.Lock()
	mid.repl.dropReplicas()
	mid.repl.mu.Unlock()
	mixedLoad(t, paddr, "after-cut:", 500)
	eventually(t, "the leaf continues after the cut", func() bool {
		return leaf.Store().Digest(now()) == p.Store().Digest(now()) && leaf.upstream.linkUp.Load() &&
			leaf.upstream.offset.Load() == streamOffset(p)
	})
	info, _ := cm.Info(ctx, "stats").Result()
	fulls := 1
	if rc != nil {
		fulls = 2 // the redis-server replica's first sync too
	}
	if !strings.Contains(info, "sync_partial_ok:") || strings.Contains(info, "sync_partial_ok:0\r") ||
		!strings.Contains(info, "sync_full:"+strconv.Itoa(fulls)) {
		t.Errorf("the middle replica's stats after a cut, want %d full syncs and partial ones:\n%s", fulls, info)
	}
	// the primary goes; the middle one is promoted and its replica
	// continues from it
	p.Close()
	if err := cm.Do(ctx, "REPLICAOF", "NO", "ONE").Err(); err != nil {
		t.Fatal(err)
	}
	mixedLoad(t, midaddr, "promoted:", 500)
	eventually(t, "the leaf follows the promoted replica", func() bool {
		return leaf.Store().Digest(now()) == mid.Store().Digest(now()) && leaf.upstream.linkUp.Load()
	})
	after, _ := cm.Info(ctx, "stats").Result()
	if !strings.Contains(after, "sync_full:"+strconv.Itoa(fulls)) {
		t.Errorf("a full sync after the promotion:\n%s", after)
	}
	if rc != nil {
		eventually(t, "the redis-server replica follows the promoted replica", func() bool {
			d, err := rc.Do(ctx, "DEBUG", "DIGEST").Text()
			return err == nil && d == mid.Store().Digest(now()).Hex()
		})
	}
}

// streamOffset is a primary's master_repl_offset.
func streamOffset(s *Server) int64 {
	s.repl.mu.Lock()
	lg := s.repl.log
	s.repl.mu.Unlock()
	if lg == nil {
		return -1
	}
	return lg.Offset()
}

// A stream that is not in canonical RESP (here a header ended by a bare
// LF, which the parser takes) cannot be relayed byte for byte from the
// parsed commands: the replica applies it, starts its relayed log afresh
// at the offset after it, and its log and offset stay in step.
func TestRelayRestartsOnOddStream(t *testing.T) {
	s, addr := startReplServer(t)
	ln, rdb := fakePrimary(t)
	stream := "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n" +
		"*3\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n" +
		"*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$1\r\n3\r\n"
	go serveFakePrimary(ln, 1, func(conn net.Conn, _ int, _ []string) bool {
		fullResync(conn, strings.Repeat("ab", 20), rdb, stream)
		return true
	})
	c := followFake(t, addr, ln)
	want := int64(100 + len(stream))
	eventually(t, "the three SETs applied", func() bool { return s.upstream.offset.Load() == want })
	for k, v := range map[string]string{"a": "1", "b": "2", "c": "3"} {
		if got, _ := c.Get(context.Background(), k).Result(); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if got := streamOffset(s); got != want {
		t.Fatalf("relayed log at %d, the stream at %d", got, want)
	}
}

// TestStreamTransaction: a MULTI ... EXEC of the stream is applied at its
// EXEC, whole. A link that breaks inside one leaves none of it applied,
// relayed or counted, so the replica resumes from MULTI and gets it all.
func TestStreamTransaction(t *testing.T) {
	s, addr := startReplServer(t)
	ln, rdb := fakePrimary(t)
	cmd := func(args ...string) string {
		var b [][]byte
		for _, a := range args {
			b = append(b, []byte(a))
		}
		return string(replication.AppendCommand(nil, b...))
	}
	replid := strings.Repeat("ab", 20)
	first := cmd("SET", "a", "1")
	cut := first + cmd("MULTI") + cmd("SET", "b", "2") // the link breaks here
	whole := cmd("MULTI") + cmd("SET", "b", "2") + cmd("SET", "c", "3") + cmd("EXEC")
	resumed := make(chan string, 1) // the offset of the second PSYNC
	proceed := make(chan struct{})
	go serveFakePrimary(ln, 2, func(conn net.Conn, i int, args []string) bool {
		if i == 0 {
			fullResync(conn, replid, rdb, cut)
			return false // the replica reads all of cut before it sees the end
		}
		resumed <- args[2]
		<-proceed
		conn.Write([]byte("+CONTINUE " + replid + "\r\n" + whole))
		return true
	})
	c := followFake(t, addr, ln)
	ctx := context.Background()
	var off string
	select {
	case off = <-resumed:
	case <-time.After(30 * time.Second):
		t.Fatal("no second PSYNC")
	}
	// the first link has ended: all of cut was read
	if want := strconv.Itoa(100 + len(first) + 1); off != want {
		t.Errorf("resumed at %s, want %s (just before MULTI)", off, want)
	}
	if got := streamOffset(s); got != int64(100+len(first)) {
		t.Errorf("relayed log at %d, want %d", got, 100+len(first))
	}
	if n, _ := c.Exists(ctx, "b").Result(); n != 0 {
		t.Error("b applied from a transaction without its EXEC")
	}
	close(proceed)
	want := int64(100 + len(first) + len(whole))
	eventually(t, "the transaction applied", func() bool { return s.upstream.offset.Load() == want })
	for k, v := range map[string]string{"a": "1", "b": "2", "c": "3"} {
		if got, _ := c.Get(ctx, k).Result(); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if got := streamOffset(s); got != want {
		t.Fatalf("relayed log at %d, the stream at %d", got, want)
	}
}

// TestStreamTransactionIsolated: while a replica applies its primary's
// transactions, its clients see each one whole or not at all, as on a
// Redis replica: MGET of the two keys every transaction sets never finds
// them apart.
func TestStreamTransactionIsolated(t *testing.T) {
	s, addr := startReplServer(t)
	const txs = 20000
	var stream []byte
	for i := range txs {
		v := []byte(strconv.Itoa(i + 1))
		stream = replication.AppendCommand(stream, []byte("MULTI"))
		stream = replication.AppendCommand(stream, []byte("SET"), []byte("a"), v)
		stream = replication.AppendCommand(stream, []byte("SET"), []byte("b"), v)
		stream = replication.AppendCommand(stream, []byte("EXEC"))
	}
	start, _ := followFakeLater(t, s, addr, stream)
	end := int64(100 + len(stream))
	ctx := context.Background()
	type result struct{ reads, apart, between int }
	results := make(chan result, 2)
	for range 2 {
		c := client(t, addr)
		go func() {
			var r result
			for s.upstream.offset.Load() < end {
				pipe := c.Pipeline()
				cmds := make([]*redis.SliceCmd, 16)
				for i := range cmds {
					cmds[i] = pipe.MGet(ctx, "a", "b")
				}
				if _, err := pipe.Exec(ctx); err != nil && err != redis.Nil {
					t.Error(err)
					break
				}
				for _, cmd := range cmds {
					v := cmd.Val()
					r.reads++
					if v[0] != v[1] {
						r.apart++
					}
					if v[0] != nil && v[0] != strconv.Itoa(txs) {
						r.between++
					}
				}
			}
			results <- r
		}()
	}
	close(start)
	var total result
	for range 2 {
		r := <-results
		total.reads += r.reads
		total.apart += r.apart
		total.between += r.between
	}
	t.Logf("%d MGETs during %d transactions: %d saw a transaction under way elsewhere, %d saw its keys apart", total.reads, txs, total.between, total.apart)
	if total.apart > 0 {
		t.Errorf("%d of %d reads saw part of a transaction", total.apart, total.reads)
	}
	if total.between == 0 {
		t.Error("no read ran while the transactions were applied: the test proves nothing")
	}
}

// TestStreamTransactionParkedClient: a client parked in BLPOP on a
// writable replica does not hold up the primary's transactions, and the
// one that pushes to its key serves it.
func TestStreamTransactionParkedClient(t *testing.T) {
	s, addr := startReplServer(t, "--replica-read-only", "no")
	var stream []byte
	stream = replication.AppendCommand(stream, []byte("MULTI"))
	stream = replication.AppendCommand(stream, []byte("RPUSH"), []byte("q"), []byte("x"))
	stream = replication.AppendCommand(stream, []byte("SET"), []byte("z"), []byte("1"))
	stream = replication.AppendCommand(stream, []byte("EXEC"))
	start, c := followFakeLater(t, s, addr, stream)
	ctx := context.Background()
	// a plain connection: a client library would time out and retry,
	// which hides a stall
	bc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer bc.Close()
	const wantPop = "*2\r\n$1\r\nq\r\n$1\r\nx\r\n"
	popped := make(chan string, 1)
	go func() {
		bc.Write([]byte("*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n"))
		reply := make([]byte, 64)
		n, _ := io.ReadAtLeast(bc, reply, len(wantPop))
		popped <- string(reply[:n])
	}()
	eventually(t, "BLPOP parked", func() bool { return s.blocked.count.Load() == 1 })
	close(start)
	select {
	case v := <-popped:
		if v != wantPop {
			t.Errorf("BLPOP = %q, want %q", v, wantPop)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("BLPOP not served: the transaction waits for the parked client")
	}
	eventually(t, "the transaction applied", func() bool { return s.upstream.offset.Load() == int64(100+len(stream)) })
	if got, _ := c.Get(ctx, "z").Result(); got != "1" {
		t.Errorf("z = %q, want 1", got)
	}
}

// readCommand reads a command a replica sends its (fake) primary.
func readCommand(br *bufio.Reader) ([]string, error) {
	line, err := br.ReadString('\n')
	if err != nil {
		return nil, err
	}
	n, _ := strconv.Atoi(strings.TrimSpace(line[1:]))
	var args []string
	for range n {
		br.ReadString('\n')
		a, err := br.ReadString('\n')
		if err != nil {
			return nil, err
		}
		args = append(args, strings.TrimSpace(a))
	}
	if len(args) == 0 {
		return nil, io.ErrUnexpectedEOF
	}
	return args, nil
}

// fakePrimary listens for a replica on loopback (closed at the test's
// end), and returns the RDB of an empty dataset to send it.
func fakePrimary(t *testing.T) (net.Listener, *bytes.Buffer) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var rdb bytes.Buffer
	if err := replication.WriteRDB(&rdb, storage.New(storage.Options{}), 0, nil); err != nil {
		t.Fatal(err)
	}
	return ln, &rdb
}

// TestStreamTransactionBounded: a primary that opens a transaction and
// never ends it cannot fill the replica's memory: past
// client-query-buffer-limit the replica drops the link, and comes back at
// the offset before MULTI.
func TestStreamTransactionBounded(t *testing.T) {
	s, addr := startReplServer(t, "--client-query-buffer-limit", "1mb")
	ln, rdb := fakePrimary(t)
	replid := strings.Repeat("cd", 20)
	big := string(replication.AppendCommand(nil, []byte("MULTI"))) +
		string(replication.AppendCommand(nil, []byte("SET"), []byte("big"), bytes.Repeat([]byte("x"), 3<<19)))
	resumed := make(chan string, 1)
	go serveFakePrimary(ln, 2, func(conn net.Conn, i int, args []string) bool {
		if i == 1 {
			resumed <- args[2]
			return false
		}
		fullResync(conn, replid, rdb, big) // and no EXEC, ever
		return true
	})
	followFake(t, addr, ln)
	select {
	case off := <-resumed:
		if off != "101" {
			t.Errorf("resumed at %s, want 101 (before MULTI)", off)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the replica kept the link of an endless transaction")
	}
	if got := s.upstream.offset.Load(); got != 100 {
		t.Errorf("offset %d, want 100", got)
	}
}

// serveFakePrimary accepts conns connections of a replica on ln, one
// after another, and answers each one's handshake. At PSYNC it calls
// psync with the connection's number, which writes the reply and says
// whether to go on with that connection.
func serveFakePrimary(ln net.Listener, conns int, psync func(conn net.Conn, i int, args []string) bool) {
	for i := range conns {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		br := bufio.NewReader(conn)
		for more := true; more; {
			args, err := readCommand(br)
			if err != nil {
				break
			}
			switch strings.ToUpper(args[0]) {
			case "PING":
				conn.Write([]byte("+PONG\r\n"))
			case "PSYNC":
				more = psync(conn, i, args)
			default: // REPLCONF, ACKs
				if args[0] != "REPLCONF" || args[1] != "ACK" {
					conn.Write([]byte("+OK\r\n"))
				}
			}
		}
		conn.Close()
	}
}

// fullResync writes a full resync of rdb at offset 100, then stream.
func fullResync(conn net.Conn, replid string, rdb *bytes.Buffer, stream string) {
	conn.Write([]byte("+FULLRESYNC " + replid + " 100\r\n$" + strconv.Itoa(rdb.Len()) + "\r\n"))
	conn.Write(rdb.Bytes())
	conn.Write([]byte(stream))
}

// TestStreamTransactionKeepalive: a keepalive newline inside a stream
// transaction is counted, not queued as a command.
func TestStreamTransactionKeepalive(t *testing.T) {
	s, addr := startReplServer(t)
	ln, rdb := fakePrimary(t)
	stream := "*1\r\n$5\r\nMULTI\r\n\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n*1\r\n$4\r\nEXEC\r\n"
	go serveFakePrimary(ln, 1, func(conn net.Conn, _ int, _ []string) bool {
		fullResync(conn, strings.Repeat("ef", 20), rdb, stream)
		return true
	})
	c := followFake(t, addr, ln)
	ctx := context.Background()
	want := int64(100 + len(stream))
	eventually(t, "the transaction applied", func() bool { return s.upstream.offset.Load() == want })
	if got, _ := c.Get(ctx, "a").Result(); got != "1" {
		t.Fatalf("a = %q, want 1", got)
	}
	if got := streamOffset(s); got != want {
		t.Fatalf("relayed log at %d, the stream at %d", got, want)
	}
}

// followFakeLater makes s, at addr, a replica of a fake primary that
// syncs it empty and sends stream once start is closed; it returns when
// the link is up, with a client of s.
func followFakeLater(t *testing.T, s *Server, addr string, stream []byte) (start chan struct{}, c *redis.Client) {
	t.Helper()
	ln, rdb := fakePrimary(t)
	start = make(chan struct{})
	go serveFakePrimary(ln, 1, func(conn net.Conn, _ int, _ []string) bool {
		fullResync(conn, strings.Repeat("12", 20), rdb, "")
		<-start
		conn.Write(stream)
		return true
	})
	c = followFake(t, addr, ln)
	eventually(t, "the link up", func() bool { return s.upstream.linkUp.Load() })
	return start, c
}

// followFake makes the server at addr a replica of the fake primary
// listening on ln, and returns a client of the server.
func followFake(t *testing.T, addr string, ln net.Listener) *redis.Client {
	t.Helper()
	host, port, _ := strings.Cut(ln.Addr().String(), ":")
	c := client(t, addr)
	if err := c.Do(context.Background(), "REPLICAOF", host, port).Err(); err != nil {
		t.Fatal(err)
	}
	return c
}
