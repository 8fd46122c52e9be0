package server

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"sessiond/clock"
	"sessiond/storage"
)

// Most list semantics are checked against redis-server by difftest; these
// tests cover what one connection cannot show: blocking, waking, timeouts on
// the fake clock, cleanup, and effects.

func fakeClock() *clock.Fake { return clock.NewFake(time.Unix(1_700_000_000, 0)) }

// waitBlocked waits until n commands are parked.
func waitBlocked(t *testing.T, s *Server, n int64) {
	t.Helper()
	waitFor(t, 5*time.Second, fmt.Sprintf("%d blocked clients", n), func() bool { return s.blocked.count.Load() == n })
}

// sendCmd writes a command without reading its reply.
func (r *rawConn) sendCmd(args ...string) {
	r.t.Helper()
	var b strings.Builder
	b.WriteString("*" + itoa(int64(len(args))) + "\r\n")
	for _, a := range args {
		b.WriteString("$" + itoa(int64(len(a))) + "\r\n" + a + "\r\n")
	}
	r.send(b.String())
}

func TestListBlockingWakesOnPush(t *testing.T) {
	s, addr := startServer(t, nil, fakeClock())
	c1, c2 := dial(t, addr), dial(t, addr)
	c1.sendCmd("BLPOP", "a", "k", "0")
	waitBlocked(t, s, 1)
	if info := c2.do("INFO", "clients"); !strings.Contains(info, "blocked_clients:1\r\n") {
		t.Fatalf("INFO clients while one client blocks: %q", info)
	}
	mustReply(t, c2.do("RPUSH", "k", "x", "y"), ":2\r\n")
	mustReply(t, c1.reply(), "*2\r\n$1\r\nk\r\n$1\r\nx\r\n")
	mustReply(t, c2.do("LRANGE", "k", "0", "-1"), "*1\r\n$1\r\ny\r\n")
	waitBlocked(t, s, 0)
}

func TestListBlockingFIFO(t *testing.T) {
	s, addr := startServer(t, nil, fakeClock())
	c1, c2, c3, p := dial(t, addr), dial(t, addr), dial(t, addr), dial(t, addr)
	c1.sendCmd("BRPOP", "k", "0")
	waitBlocked(t, s, 1)
	c2.sendCmd("BLPOP", "other", "k", "0")
	waitBlocked(t, s, 2)
	c3.sendCmd("BLMPOP", "0", "1", "k", "LEFT", "COUNT", "5")
	waitBlocked(t, s, 3)
	// one push of two elements serves the first two waiters, in order
	mustReply(t, p.do("RPUSH", "k", "a", "b"), ":2\r\n")
	mustReply(t, c1.reply(), "*2\r\n$1\r\nk\r\n$1\r\nb\r\n")
	mustReply(t, c2.reply(), "*2\r\n$1\r\nk\r\n$1\r\na\r\n")
	waitBlocked(t, s, 1)
	mustReply(t, p.do("EXISTS", "k"), ":0\r\n")
	mustReply(t, p.do("LPUSH", "k", "c", "d"), ":2\r\n")
	mustReply(t, c3.reply(), "*2\r\n$1\r\nk\r\n*2\r\n$1\r\nd\r\n$1\r\nc\r\n")
	waitBlocked(t, s, 0)
}

func TestListBlockingTimeoutOnFakeClock(t *testing.T) {
	clk := fakeClock()
	s, addr := startServer(t, nil, clk)
	c1, c2 := dial(t, addr), dial(t, addr)
	c1.sendCmd("BLPOP", "k", "1.5")
	waitBlocked(t, s, 1)
	waitFor(t, 5*time.Second, "timer", func() bool { return clk.Pending() == 1 })
	clk.Advance(1499 * time.Millisecond)
	if got := s.blocked.count.Load(); got != 1 {
		t.Fatalf("blocked = %d before the timeout", got)
	}
	clk.Advance(time.Millisecond)
	mustReply(t, c1.reply(), "*-1\r\n")
	waitBlocked(t, s, 0)
	// a push after the timeout stays in the list
	mustReply(t, c2.do("RPUSH", "k", "x"), ":1\r\n")
	mustReply(t, c1.do("LLEN", "k"), ":1\r\n")

	// BLMOVE times out with a null too; timeout 0 never does
	c1.sendCmd("BLMOVE", "src", "dst", "LEFT", "LEFT", "2")
	waitBlocked(t, s, 1)
	clk.Advance(2 * time.Second)
	mustReply(t, c1.reply(), "*-1\r\n")
	c1.sendCmd("BLPOP", "src", "0")
	waitBlocked(t, s, 1)
	if n := clk.Pending(); n != 0 {
		t.Fatalf("timeout 0 left %d timers", n)
	}
	clk.Advance(1000 * time.Hour)
	mustReply(t, c2.do("RPUSH", "src", "v"), ":1\r\n")
	mustReply(t, c1.reply(), "*2\r\n$3\r\nsrc\r\n$1\r\nv\r\n")
}

func TestListBlockingCleanupOnDisconnect(t *testing.T) {
	s, addr := startServer(t, nil, fakeClock())
	c1, c2 := dial(t, addr), dial(t, addr)
	c1.sendCmd("BLPOP", "k", "0")
	waitBlocked(t, s, 1)
	c1.c.Close()
	waitBlocked(t, s, 0)
	waitFor(t, 5*time.Second, "client gone", func() bool { return s.clientCount() == 1 })
	mustReply(t, c2.do("RPUSH", "k", "x"), ":1\r\n")
	mustReply(t, c2.do("LLEN", "k"), ":1\r\n")
}

func TestListBlockingClientKill(t *testing.T) {
	s, addr := startServer(t, nil, fakeClock())
	c1, c2 := dial(t, addr), dial(t, addr)
	id := strings.TrimSuffix(strings.TrimPrefix(c1.do("CLIENT", "ID"), ":"), "\r\n")
	c1.sendCmd("BLMOVE", "k", "d", "LEFT", "LEFT", "0")
	waitBlocked(t, s, 1)
	mustReply(t, c2.do("CLIENT", "KILL", "ID", id), ":1\r\n")
	waitBlocked(t, s, 0)
	mustReply(t, c2.do("RPUSH", "k", "x"), ":1\r\n")
	mustReply(t, c2.do("EXISTS", "d"), ":0\r\n")
}

func TestListBlockingServerClose(t *testing.T) {
	s, addr := startServer(t, nil, fakeClock())
	c1 := dial(t, addr)
	c1.sendCmd("BLPOP", "k", "0")
	waitBlocked(t, s, 1)
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return with a blocked client")
	}
	if n := s.blocked.count.Load(); n != 0 {
		t.Fatalf("%d waiters left after Close", n)
	}
}

func TestListBlockingPipelineWaits(t *testing.T) {
	s, addr := startServer(t, nil, fakeClock())
	c1, c2 := dial(t, addr), dial(t, addr)
	// PING is answered before BLPOP blocks; ECHO waits behind BLPOP
	c1.send("*1\r\n$4\r\nPING\r\n*3\r\n$5\r\nBLPOP\r\n$1\r\nk\r\n$1\r\n0\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n")
	mustReply(t, c1.reply(), "+PONG\r\n")
	waitBlocked(t, s, 1)
	c1.sendCmd("ECHO", "later")
	mustReply(t, c2.do("LPUSH", "k", "v"), ":1\r\n")
	mustReply(t, c1.reply(), "*2\r\n$1\r\nk\r\n$1\r\nv\r\n")
	mustReply(t, c1.reply(), "$2\r\nhi\r\n")
	mustReply(t, c1.reply(), "$5\r\nlater\r\n")
}

func TestListBlockingMoveChain(t *testing.T) {
	s, addr := startServer(t, nil, fakeClock())
	c1, c2, p := dial(t, addr), dial(t, addr), dial(t, addr)
	c1.sendCmd("BLMOVE", "a", "b", "RIGHT", "LEFT", "0")
	waitBlocked(t, s, 1)
	c2.sendCmd("BRPOPLPUSH", "b", "c", "0")
	waitBlocked(t, s, 2)
	mustReply(t, p.do("RPUSH", "a", "x"), ":1\r\n")
	mustReply(t, c1.reply(), "$1\r\nx\r\n")
	mustReply(t, c2.reply(), "$1\r\nx\r\n")
	mustReply(t, p.do("EXISTS", "a", "b"), ":0\r\n")
	mustReply(t, p.do("LRANGE", "c", "0", "-1"), "*1\r\n$1\r\nx\r\n")

	// a destination of the wrong type ends the wait with WRONGTYPE and
	// leaves the source alone
	c1.sendCmd("BLMOVE", "src", "str", "LEFT", "LEFT", "0")
	waitBlocked(t, s, 1)
	mustReply(t, p.do("SET", "str", "v"), "+OK\r\n")
	mustReply(t, p.do("RPUSH", "src", "y"), ":1\r\n")
	mustReply(t, c1.reply(), "-"+errWrongType+"\r\n")
	mustReply(t, p.do("LLEN", "src"), ":1\r\n")
	waitBlocked(t, s, 0)
}

func TestListBlockingOnlyListsWake(t *testing.T) {
	s, addr := startServer(t, nil, fakeClock())
	c1, p := dial(t, addr), dial(t, addr)
	c1.sendCmd("BLPOP", "k", "0")
	waitBlocked(t, s, 1)
	mustReply(t, p.do("SET", "k", "v"), "+OK\r\n")
	mustReply(t, p.do("DEL", "k"), ":1\r\n")
	if n := s.blocked.count.Load(); n != 1 {
		t.Fatalf("blocked = %d after a string write", n)
	}
	mustReply(t, p.do("RPUSH", "k", "z"), ":1\r\n")
	mustReply(t, c1.reply(), "*2\r\n$1\r\nk\r\n$1\r\nz\r\n")
}

// listEffectLog collects the store's effects as "db arg arg ...".
func listEffectLog(s *Server) func() []string {
	var mu sync.Mutex
	var got []string
	s.Store().SetEffectSink(func(e storage.Effect) {
		parts := make([]string, len(e.Args))
		for i, a := range e.Args {
			parts[i] = string(a)
		}
		mu.Lock()
		got = append(got, fmt.Sprintf("%d %s", e.DB, strings.Join(parts, " ")))
		mu.Unlock()
	})
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		out := got
		got = nil
		return out
	}
}

func TestListEffects(t *testing.T) {
	s, addr := startServer(t, nil, fakeClock())
	c := dial(t, addr)
	effects := listEffectLog(s)
	cmds := []struct {
		args    []string
		effects []string
	}{
		{[]string{"RPUSH", "k", "a", "b", "c", "d"}, []string{"0 RPUSH k a b c d"}},
		{[]string{"lpush", "k", "z"}, []string{"0 LPUSH k z"}},
		{[]string{"LPUSHX", "nokey", "z"}, nil},
		{[]string{"RPUSHX", "k", "e"}, []string{"0 RPUSHX k e"}},
		{[]string{"LPOP", "k"}, []string{"0 LPOP k"}},
		{[]string{"RPOP", "k", "10"}, []string{"0 RPOP k 5"}},
		{[]string{"LPOP", "k"}, nil},
		{[]string{"RPUSH", "k", "a", "b", "a"}, []string{"0 RPUSH k a b a"}},
		{[]string{"LSET", "k", "-1", "c"}, []string{"0 LSET k -1 c"}},
		{[]string{"LREM", "k", "0", "zz"}, nil},
		{[]string{"LREM", "k", "0", "a"}, []string{"0 LREM k 0 a"}},
		{[]string{"LINSERT", "k", "before", "b", "x"}, []string{"0 LINSERT k BEFORE b x"}},
		{[]string{"LINSERT", "k", "after", "nope", "x"}, nil},
		{[]string{"LTRIM", "k", "0", "-1"}, nil},
		{[]string{"LTRIM", "k", "1", "-1"}, []string{"0 LTRIM k 1 -1"}},
		{[]string{"LMOVE", "k", "d", "left", "right"}, []string{"0 LMOVE k d LEFT RIGHT"}},
		{[]string{"RPOPLPUSH", "d", "d"}, []string{"0 RPOPLPUSH d d"}},
		{[]string{"LMPOP", "2", "k", "d", "RIGHT", "COUNT", "3"}, []string{"0 RPOP k 1"}},
		{[]string{"RPUSH", "k", "1", "2"}, []string{"0 RPUSH k 1 2"}},
		{[]string{"BLPOP", "k", "0"}, []string{"0 LPOP k"}},
		{[]string{"BRPOPLPUSH", "k", "d", "0"}, []string{"0 RPOPLPUSH k d"}},
		{[]string{"BLMOVE", "d", "k", "LEFT", "LEFT", "0"}, []string{"0 LMOVE d k LEFT LEFT"}},
		{[]string{"BLMPOP", "0", "1", "k", "LEFT", "COUNT", "9"}, []string{"0 LPOP k 1"}},
	}
	for _, tc := range cmds {
		c.do(tc.args...)
		if got := effects(); fmt.Sprint(got) != fmt.Sprint(tc.effects) {
			t.Fatalf("%q: effects %q, want %q", tc.args, got, tc.effects)
		}
	}

	// a served blocked pop logs the push, then the pop that happened
	c2 := dial(t, addr)
	c2.sendCmd("BLMPOP", "0", "2", "a", "b", "RIGHT", "COUNT", "2")
	waitBlocked(t, s, 1)
	mustReply(t, c.do("RPUSH", "b", "x", "y", "z"), ":3\r\n")
	mustReply(t, c2.reply(), "*2\r\n$1\r\nb\r\n*2\r\n$1\r\nz\r\n$1\r\ny\r\n")
	if got, want := effects(), []string{"0 RPUSH b x y z", "0 RPOP b 2"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("effects %q, want %q", got, want)
	}
	c2.sendCmd("BLMOVE", "q", "r", "RIGHT", "LEFT", "0")
	waitBlocked(t, s, 1)
	mustReply(t, c.do("LPUSH", "q", "v"), ":1\r\n")
	mustReply(t, c2.reply(), "$1\r\nv\r\n")
	if got, want := effects(), []string{"0 LPUSH q v", "0 LMOVE q r RIGHT LEFT"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("effects %q, want %q", got, want)
	}
}

func TestListTimeoutArg(t *testing.T) {
	c := &Client{nowMs: 1_000_000}
	for _, tc := range []struct {
		in   string
		want int64 // deadline, 0 forever, -1 error
	}{
		{"0", 0}, {"0.0001", 1_000_001}, {"-0.0001", 0}, {"-0.000999", 0}, {"0.001", 1_000_001}, {"1.5", 1_001_500},
		{"1.0001", 1_001_001}, {"-0.9", -1}, {"0x10", 1_016_000}, {"1e3", 2_000_000}, {"-1", -1}, {"inf", -1}, {"nan", -1}, {"", -1}, {" 1", -1},
		{"9223372036854775807", -1}, {"9223372036854775", 0},
	} {
		c.w.b = c.w.b[:0]
		got, ok := c.timeoutArg([]byte(tc.in))
		if !ok {
			got = -1
		}
		if got != tc.want {
			t.Errorf("timeout %q: deadline %d (reply %q), want %d", tc.in, got, c.w.b, tc.want)
		}
	}
}

func TestListBlockingWokenByRenameCopyMoveSwapdb(t *testing.T) {
	s, addr := startServer(t, nil, fakeClock())
	c1, p := dial(t, addr), dial(t, addr)
	cases := []struct {
		setup []string
		wake  []string
		reply string
	}{
		{[]string{"RPUSH", "tmp", "r"}, []string{"RENAME", "tmp", "k"}, rOK},
		{[]string{"RPUSH", "tmp", "n"}, []string{"RENAMENX", "tmp", "k"}, ":1\r\n"},
		{[]string{"RPUSH", "tmp", "c"}, []string{"COPY", "tmp", "k"}, ":1\r\n"},
	}
	for _, tc := range cases {
		c1.sendCmd("BLPOP", "k", "0")
		waitBlocked(t, s, 1)
		p.do(tc.setup...)
		mustReply(t, p.do(tc.wake...), tc.reply)
		el := tc.setup[2]
		mustReply(t, c1.reply(), "*2\r\n$1\r\nk\r\n$1\r\n"+el+"\r\n")
		waitBlocked(t, s, 0)
	}
	// MOVE into db 0 from db 1, and SWAPDB bringing a list in
	c1.sendCmd("BLPOP", "k", "0")
	waitBlocked(t, s, 1)
	mustReply(t, p.do("SELECT", "1"), rOK)
	mustReply(t, p.do("RPUSH", "k", "m"), ":1\r\n")
	mustReply(t, p.do("MOVE", "k", "0"), ":1\r\n")
	mustReply(t, c1.reply(), "*2\r\n$1\r\nk\r\n$1\r\nm\r\n")
	c1.sendCmd("BLPOP", "k", "0")
	waitBlocked(t, s, 1)
	mustReply(t, p.do("RPUSH", "k", "s"), ":1\r\n")
	mustReply(t, p.do("SWAPDB", "0", "1"), rOK)
	mustReply(t, c1.reply(), "*2\r\n$1\r\nk\r\n$1\r\ns\r\n")
	waitBlocked(t, s, 0)
}

// TestListBlockingConcurrent pushes from several connections while others
// pop with BLPOP/BRPOP/BLMPOP/BLMOVE: every element is received exactly once
// (no lost wake-ups, no double serving).
func TestListBlockingConcurrent(t *testing.T) {
	s, addr := startServer(t, nil, fakeClock())
	const poppers, pops, pushers = 4, 50, 2
	var wg sync.WaitGroup
	got := make(chan string, poppers*pops)
	for i := 0; i < poppers; i++ {
		c := dial(t, addr)
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < pops; j++ {
				var reply string
				switch (i + j) % 4 {
				case 0:
					reply = c.do("BLPOP", "q", "other", "0")
				case 1:
					reply = c.do("BRPOP", "other", "q", "0")
				case 2:
					reply = c.do("BLMPOP", "0", "1", "q", "LEFT")
				default:
					reply = c.do("BLMOVE", "q", "moved", "LEFT", "RIGHT", "0")
				}
				parts := strings.Split(strings.TrimSuffix(reply, "\r\n"), "\r\n")
				got <- parts[len(parts)-1]
			}
		}(i)
	}
	for i := 0; i < pushers; i++ {
		c := dial(t, addr)
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < poppers*pops/pushers; j++ {
				c.do("RPUSH", "q", fmt.Sprintf("e%d-%d", i, j))
			}
		}(i)
	}
	wg.Wait()
	close(got)
	seen := map[string]bool{}
	for v := range got {
		if seen[v] {
			t.Fatalf("element %q received twice", v)
		}
		seen[v] = true
	}
	if len(seen) != poppers*pops {
		t.Fatalf("received %d distinct elements, want %d", len(seen), poppers*pops)
	}
	p := dial(t, addr)
	mustReply(t, p.do("EXISTS", "q", "other"), ":0\r\n")
	waitBlocked(t, s, 0)
}

func TestZsetBlockingPop(t *testing.T) {
	clk := fakeClock()
	s, addr := startServer(t, nil, clk)
	c1, c2, p := dial(t, addr), dial(t, addr), dial(t, addr)
	log := listEffectLog(s)

	// ZADD wakes BZPOPMIN; the lowest member goes, logged as ZREM
	c1.sendCmd("BZPOPMIN", "z", "0")
	waitBlocked(t, s, 1)
	mustReply(t, p.do("ZADD", "z", "2", "b", "1", "a"), ":2\r\n")
	mustReply(t, c1.reply(), "*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n")
	if got, want := log(), []string{"0 ZADD z 2 b 1 a", "0 ZREM z a"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("effects %q, want %q", got, want)
	}

	// a list waiter and a zset waiter on one key: each wakes for its kind
	c1.sendCmd("BLPOP", "k", "0")
	waitBlocked(t, s, 1)
	c2.sendCmd("BZPOPMAX", "k", "0")
	waitBlocked(t, s, 2)
	mustReply(t, p.do("ZINCRBY", "k", "5", "m"), "$1\r\n5\r\n")
	mustReply(t, c2.reply(), "*3\r\n$1\r\nk\r\n$1\r\nm\r\n$1\r\n5\r\n")
	waitBlocked(t, s, 1)
	mustReply(t, p.do("RPUSH", "k", "x"), ":1\r\n")
	mustReply(t, c1.reply(), "*2\r\n$1\r\nk\r\n$1\r\nx\r\n")

	// ZUNIONSTORE into a waited key, and a timeout on the fake clock
	c1.sendCmd("BZPOPMAX", "dst", "0")
	waitBlocked(t, s, 1)
	mustReply(t, p.do("ZUNIONSTORE", "dst", "1", "z"), ":1\r\n")
	mustReply(t, c1.reply(), "*3\r\n$3\r\ndst\r\n$1\r\nb\r\n$1\r\n2\r\n")
	c1.sendCmd("BZPOPMIN", "none", "0.5")
	waitBlocked(t, s, 1)
	clk.Advance(500 * time.Millisecond)
	mustReply(t, c1.reply(), "*-1\r\n")
	waitBlocked(t, s, 0)
}
