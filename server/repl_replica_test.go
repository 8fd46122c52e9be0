package server

import (
	"context"
	"io"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"sessiond/config"
)

// client is a go-redis client of addr, closed when the test ends.
func client(t *testing.T, addr string) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { c.Close() })
	return c
}

func startReplServer(t *testing.T, args ...string) (*Server, string) {
	t.Helper()
	cfg, err := config.Parse(append([]string{"--maxmemory", "0"}, args...), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return startServer(t, cfg, nil)
}

// startTrio starts three servers, a primary and two to make its replicas,
// and clients of the two.
func startTrio(t *testing.T) (p, r1, r2 *Server, paddr, r1addr string, c1, c2 *redis.Client) {
	t.Helper()
	p, paddr = startReplServer(t)
	r1, r1addr = startReplServer(t)
	r2, r2addr := startReplServer(t)
	return p, r1, r2, paddr, r1addr, client(t, r1addr), client(t, r2addr)
}

// mixedLoad writes every type with TTLs, deletes and expiries into two
// databases from a few connections.
func mixedLoad(t *testing.T, addr, prefix string, rounds int) {
	t.Helper()
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := redis.NewClient(&redis.Options{Addr: addr, DB: w % 2 * 5})
			defer c.Close()
			for i := range rounds {
				k := prefix + strconv.Itoa(w) + ":" + strconv.Itoa(i%50)
				switch i % 10 {
				case 0:
					c.Set(ctx, k, i, time.Hour)
				case 1:
					c.IncrBy(ctx, k+":n", int64(i))
				case 2:
					c.RPush(ctx, k+":l", i, "x")
				case 3:
					c.SAdd(ctx, k+":s", i, "m"+strconv.Itoa(i%7))
				case 4:
					c.HSet(ctx, k+":h", "f"+strconv.Itoa(i%5), strings.Repeat("v", i%90))
				case 5:
					c.ZAdd(ctx, k+":z", redis.Z{Score: float64(i) / 3, Member: "m" + strconv.Itoa(i%11)})
				case 6:
					c.Expire(ctx, k+":h", time.Duration(1+i%3)*time.Hour)
				case 7:
					c.Del(ctx, prefix+strconv.Itoa(w)+":"+strconv.Itoa((i+25)%50))
				case 8:
					c.Set(ctx, k+":short", "gone soon", time.Millisecond) // expires on the primary: DEL
				case 9: // several effects: one MULTI ... EXEC in sessiond's stream
					c.SUnionStore(ctx, k+":su", k+":s", prefix+strconv.Itoa(w)+":"+strconv.Itoa((i+3)%50)+":s")
					c.ZUnionStore(ctx, k+":zu", &redis.ZStore{Keys: []string{k + ":z"}, Weights: []float64{2}})
				}
			}
		}()
	}
	wg.Wait()
}

// followDuringLoad runs a mixed load on the primary at paddr, makes the
// server of c its replica, and goes on with a longer load while that one
// syncs; the channel is closed when the load is done.
func followDuringLoad(t *testing.T, c *redis.Client, paddr string) <-chan struct{} {
	t.Helper()
	mixedLoad(t, paddr, "early:", 300)
	host, port, _ := strings.Cut(paddr, ":")
	if err := c.Do(context.Background(), "REPLICAOF", host, port).Err(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		mixedLoad(t, paddr, "during:", 3000)
	}()
	return done
}

// TestTwoSessiondReplicas: two sessiond replicas of a sessiond primary,
// one attached before a mixed load of every type with TTLs and one during
// it, end with the primary's digest; they refuse clients' writes and
// report their role.
func TestTwoSessiondReplicas(t *testing.T) {
	p, r1, r2, paddr, _, c1, c2 := startTrio(t)
	ctx := context.Background()
	host, port, _ := strings.Cut(paddr, ":")
	done := followDuringLoad(t, c1, paddr)
	if err := c2.Do(ctx, "REPLICAOF", host, port).Err(); err != nil {
		t.Fatal(err)
	}
	<-done
	now := func() int64 { return time.Now().UnixMilli() }
	eventually(t, "three equal digests", func() bool {
		d := p.Store().Digest(now())
		return r1.Store().Digest(now()) == d && r2.Store().Digest(now()) == d
	})
	keys, _ := client(t, paddr).DBSize(ctx).Result()
	t.Logf("primary and both replicas: digest %s, %d keys in db 0", p.Store().Digest(now()).Hex(), keys)
	if err := c1.Set(ctx, "x", "y", 0).Err(); err == nil || err.Error() != errReadonly {
		t.Errorf("a client's write on a replica: %v", err)
	}
	info, _ := c2.Info(ctx, "replication").Result()
	for _, want := range []string{"role:slave", "master_link_status:up", "master_port:" + port} {
		if !strings.Contains(info, want) {
			t.Errorf("replica's INFO lacks %q:\n%s", want, info)
		}
	}
	role, err := c1.Do(ctx, "ROLE").Slice()
	if err != nil || len(role) != 5 || role[0] != "slave" || role[3] != "connected" {
		t.Errorf("ROLE %v %v", role, err)
	}
	pc := client(t, paddr)
	eventually(t, "the primary sees both replicas online", func() bool {
		pi, _ := pc.Info(ctx, "replication").Result()
		return strings.Contains(pi, "connected_slaves:2") && strings.Count(pi, "state=online") == 2
	})
}

// TestPromotionContinuesPartially: with the primary gone, REPLICAOF NO ONE
// on one replica and REPLICAOF it on the other: the second continues with
// a partial resync (psync2: the promoted one keeps the old id as its
// secondary), and the data matches after more writes.
func TestPromotionContinuesPartially(t *testing.T) {
	p, r1, r2, paddr, r1addr, c1, c2 := startTrio(t)
	ctx := context.Background()
	host, port, _ := strings.Cut(paddr, ":")
	for _, c := range []*redis.Client{c1, c2} {
		if err := c.Do(ctx, "REPLICAOF", host, port).Err(); err != nil {
			t.Fatal(err)
		}
	}
	mixedLoad(t, paddr, "a:", 1000)
	now := func() int64 { return time.Now().UnixMilli() }
	eventually(t, "replicas caught up", func() bool {
		d := p.Store().Digest(now())
		return r1.Store().Digest(now()) == d && r2.Store().Digest(now()) == d &&
			r1.upstream.offset.Load() == r2.upstream.offset.Load() && r1.upstream.offset.Load() > 0
	})
	p.Close()
	// The primary's expiry cycle goes on sending DELs until it closes, so
	// one replica may have taken a few more bytes than the other: promote
	// the one that is not behind, as Sentinel would.
	eventually(t, "both links down", func() bool { return !r1.upstream.linkUp.Load() && !r2.upstream.linkUp.Load() })
	if r2.upstream.offset.Load() > r1.upstream.offset.Load() {
		r1, r2, c1, c2, r1addr = r2, r1, c2, c1, c2.Options().Addr
	}
	if err := c1.Do(ctx, "REPLICAOF", "NO", "ONE").Err(); err != nil {
		t.Fatal(err)
	}
	host1, port1, _ := strings.Cut(r1addr, ":")
	if err := c2.Do(ctx, "REPLICAOF", host1, port1).Err(); err != nil {
		t.Fatal(err)
	}
	mixedLoad(t, r1addr, "b:", 1000)
	eventually(t, "the second replica follows the promoted one", func() bool {
		return r2.Store().Digest(now()) == r1.Store().Digest(now()) && r2.upstream.linkUp.Load()
	})
	stats, _ := c1.Info(ctx, "stats", "replication").Result()
	for _, want := range []string{"sync_partial_ok:1", "sync_full:0", "role:master", "connected_slaves:1"} {
		if !strings.Contains(stats, want) {
			t.Errorf("the promoted replica's INFO lacks %q:\n%s", want, stats)
		}
	}
	t.Logf("the promoted replica: sync_partial_ok 1, sync_full 0; both at offset %d with digest %s",
		r2.upstream.offset.Load(), r1.Store().Digest(now()).Hex())
}

// TestReplicaofDirective: a server started with --replicaof follows its
// primary from the start.
func TestReplicaofDirective(t *testing.T) {
	p, paddr := startReplServer(t)
	host, port, _ := strings.Cut(paddr, ":")
	r, _ := startReplServer(t, "--replicaof", host+" "+port, "--replica-announce-ip", "10.1.2.3", "--replica-announce-port", "7777")
	mixedLoad(t, paddr, "k:", 200)
	eventually(t, "the replica has the primary's data", func() bool {
		now := time.Now().UnixMilli()
		return r.upstream.linkUp.Load() && r.Store().Digest(now) == p.Store().Digest(now)
	})
	pc := client(t, paddr)
	eventually(t, "the primary lists the announced address", func() bool {
		info, _ := pc.Info(context.Background(), "replication").Result()
		return strings.Contains(info, "ip=10.1.2.3,port=7777,state=online")
	})
}

// linkProxy forwards loopback connections to a server until cut: then it
// closes those it carries and every new one, until restored.
type linkProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	cut    bool
	conns  []net.Conn
}

func startProxy(t *testing.T, target string) *linkProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &linkProxy{ln: ln, target: target}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); p.setCut(true); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			if p.cut {
				p.mu.Unlock()
				in.Close()
				continue
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				p.mu.Unlock()
				in.Close()
				continue
			}
			p.conns = append(p.conns, in, out)
			p.mu.Unlock()
			wg.Add(2)
			go func() { defer wg.Done(); io.Copy(out, in); out.Close() }()
			go func() { defer wg.Done(); io.Copy(in, out); in.Close() }()
		}
	}()
	return p
}

func (p *linkProxy) setCut(cut bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = cut
	if cut {
		for _, c := range p.conns {
			c.Close()
		}
		p.conns = nil
	}
}

// TestLinkCut: the link cut by a loopback proxy for 5 s of writes comes
// back with a partial resync (no new full one) and equal digests; cut
// again while more is written than the backlog holds, it comes back with
// exactly one full resync, and equal digests.
func TestLinkCut(t *testing.T) {
	p, paddr := startReplServer(t, "--repl-backlog-size", "32mb")
	proxy := startProxy(t, paddr)
	r, raddr := startReplServer(t)
	ctx := context.Background()
	host, port, _ := strings.Cut(proxy.ln.Addr().String(), ":")
	rc := client(t, raddr)
	pc := client(t, paddr)
	if err := rc.Do(ctx, "REPLICAOF", host, port).Err(); err != nil {
		t.Fatal(err)
	}
	now := func() int64 { return time.Now().UnixMilli() }
	synced := func() bool {
		return r.upstream.linkUp.Load() && r.Store().Digest(now()) == p.Store().Digest(now())
	}
	mixedLoad(t, paddr, "a:", 300)
	eventually(t, "first sync", synced)
	stat := func(name string) int64 {
		info, _ := pc.Info(ctx, "stats").Result()
		for _, l := range strings.Split(info, "\r\n") {
			if v, ok := strings.CutPrefix(l, name+":"); ok {
				n, _ := strconv.ParseInt(v, 10, 64)
				return n
			}
		}
		return -1
	}
	proxy.setCut(true)
	for start := time.Now(); time.Since(start) < 5*time.Second; {
		mixedLoad(t, paddr, "cut:", 90) // writing all through the cut
	}
	proxy.setCut(false)
	p.repl.mu.Lock()
	lg := p.repl.log
	p.repl.mu.Unlock()
	t.Logf("written during the cut: %d bytes of stream", lg.Offset()-r.upstream.offset.Load())
	eventually(t, "back in sync after the cut", synced)
	if full, ok := stat("sync_full"), stat("sync_partial_ok"); full != 1 || ok != 1 {
		t.Fatalf("after a cut within the backlog: sync_full %d, sync_partial_ok %d", full, ok)
	}
	t.Logf("after the 5 s cut: sync_full 1, sync_partial_ok 1, digest %s on both", p.Store().Digest(now()).Hex())
	// now more than the 32 MB backlog while cut
	proxy.setCut(true)
	big := strings.Repeat("x", 1<<20)
	for i := range 40 {
		pc.Set(ctx, "big:"+strconv.Itoa(i), big, 0)
	}
	proxy.setCut(false)
	eventually(t, "back in sync after a long cut", synced)
	if full, ok := stat("sync_full"), stat("sync_partial_ok"); full != 2 || ok != 1 {
		t.Fatalf("after a cut past the backlog: sync_full %d, sync_partial_ok %d", full, ok)
	}
	t.Logf("after 40 MiB written through a cut with a 32 MiB backlog: sync_full 2, sync_partial_ok 1, digest %s on both", p.Store().Digest(now()).Hex())
}

// TestWaitAndMinReplicas: WAIT counts the replicas that acknowledged the
// writes before it (asking them with GETACK) and gives up at its timeout;
// min-replicas-to-write refuses writes with too few fresh replicas; a
// replica refuses WAIT.
func TestWaitAndMinReplicas(t *testing.T) {
	_, paddr := startReplServer(t)
	r, raddr := startReplServer(t)
	ctx := context.Background()
	pc := client(t, paddr)
	rc := client(t, raddr)
	if n, err := pc.Do(ctx, "WAIT", "0", "0").Int64(); err != nil || n != 0 {
		t.Fatalf("WAIT 0 0 with no replica: %d %v", n, err)
	}
	host, port, _ := strings.Cut(paddr, ":")
	if err := rc.Do(ctx, "REPLICAOF", host, port).Err(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "link up", func() bool { return r.upstream.linkUp.Load() })
	for i := range 50 {
		pc.Set(ctx, "k"+strconv.Itoa(i), i, 0)
	}
	if n, err := pc.Do(ctx, "WAIT", "1", "0").Int64(); err != nil || n != 1 {
		t.Fatalf("WAIT 1 0: %d %v", n, err)
	}
	if v, _ := rc.Get(ctx, "k49").Result(); v != "49" {
		t.Fatalf("after WAIT the replica has k49 = %q", v)
	}
	if n, err := pc.Do(ctx, "WAIT", "2", "50").Int64(); err != nil || n != 1 {
		t.Fatalf("WAIT 2 50 with one replica: %d %v", n, err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"WAIT", "1", "-1"}, "ERR timeout is negative"},
		{[]string{"WAIT", "x", "0"}, "ERR value is not an integer or out of range"},
	} {
		args := make([]any, len(tc.args))
		for i, a := range tc.args {
			args[i] = a
		}
		if err := pc.Do(ctx, args...).Err(); err == nil || err.Error() != tc.want {
			t.Errorf("%v: %v", tc.args, err)
		}
	}
	if err := rc.Do(ctx, "WAIT", "1", "0").Err(); err == nil || !strings.HasPrefix(err.Error(), "ERR WAIT cannot be used with replica instances") {
		t.Errorf("WAIT on a replica: %v", err)
	}
	pc.ConfigSet(ctx, "min-replicas-to-write", "2")
	if err := pc.Set(ctx, "x", "1", 0).Err(); err == nil || err.Error() != errNoReplicas {
		t.Errorf("a write with 1 of 2 replicas: %v", err)
	}
	if v, err := pc.Get(ctx, "k1").Result(); err != nil || v != "1" {
		t.Errorf("a read with too few replicas: %q %v", v, err)
	}
	pc.ConfigSet(ctx, "min-replicas-to-write", "1")
	eventually(t, "a fresh ACK", func() bool { return pc.Set(ctx, "x", "1", 0).Err() == nil })
}

// TestPartialResyncKeepsDatabase: a partial resync continues the stream
// mid-way, so the replica must keep the database the stream's last SELECT
// chose across the reconnection (as Redis's cached master client does).
func TestPartialResyncKeepsDatabase(t *testing.T) {
	p, paddr := startReplServer(t)
	proxy := startProxy(t, paddr)
	r, raddr := startReplServer(t)
	ctx := context.Background()
	host, port, _ := strings.Cut(proxy.ln.Addr().String(), ":")
	rc := client(t, raddr)
	if err := rc.Do(ctx, "REPLICAOF", host, port).Err(); err != nil {
		t.Fatal(err)
	}
	db5 := redis.NewClient(&redis.Options{Addr: paddr, DB: 5})
	defer db5.Close()
	offset := func() int64 {
		p.repl.mu.Lock()
		defer p.repl.mu.Unlock()
		if p.repl.log == nil {
			return -1
		}
		return p.repl.log.Offset()
	}
	eventually(t, "link up", func() bool { return r.upstream.linkUp.Load() })
	db5.Set(ctx, "a", "1", 0)
	eventually(t, "the replica caught up", func() bool { return r.upstream.offset.Load() == offset() })
	proxy.setCut(true)
	eventually(t, "the link seen down", func() bool { return !r.upstream.linkUp.Load() })
	db5.Set(ctx, "b", "2", 0) // no SELECT before it in the stream
	proxy.setCut(false)
	eventually(t, "the replica caught up again", func() bool {
		return r.upstream.linkUp.Load() && r.upstream.offset.Load() == offset()
	})
	now := time.Now().UnixMilli()
	if r.Store().Digest(now) != p.Store().Digest(now) {
		keys, _ := r.Store().KeyCounts(0)
		t.Fatalf("digests differ after a partial resync (replica's db 0 has %d keys)", keys)
	}
	if info, _ := db5.Info(ctx, "stats").Result(); !strings.Contains(info, "sync_partial_ok:1") {
		t.Errorf("not a partial resync:\n%s", info)
	}
}

// TestReplicaOfRedis: sessiond as a replica of a real redis-server 7.0:
// it loads Redis's snapshot (its compact encodings included) and follows
// its stream; after a mixed load of every type with TTLs, the digests are
// equal.
func TestReplicaOfRedis(t *testing.T) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not installed: install Debian package redis-server (package server's replication tests)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	dir := t.TempDir()
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "",
		"--appendonly", "no", "--enable-debug-command", "yes", "--repl-diskless-sync-delay", "0")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	raddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	ctx := context.Background()
	rc := redis.NewClient(&redis.Options{Addr: raddr, MaxRetries: -1})
	defer rc.Close()
	eventually(t, "redis-server up", func() bool { return rc.Ping(ctx).Err() == nil })
	mixedLoad(t, raddr, "before:", 300)
	r, addr := startReplServer(t)
	c := client(t, addr)
	if err := c.Do(ctx, "REPLICAOF", "127.0.0.1", strconv.Itoa(port)).Err(); err != nil {
		t.Fatal(err)
	}
	mixedLoad(t, raddr, "after:", 1000)
	// clients' transactions reach the stream as MULTI ... EXEC
	if _, err := rc.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, "tx:a", "1", 0)
		p.LPush(ctx, "tx:l", "x", "y")
		p.Incr(ctx, "tx:n")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "equal digests", func() bool {
		want, _ := rc.Do(ctx, "DEBUG", "DIGEST").Text()
		return r.upstream.linkUp.Load() && r.Store().Digest(time.Now().UnixMilli()).Hex() == want
	})
	if n, _ := c.Exists(ctx, "tx:a", "tx:l", "tx:n").Result(); n != 3 {
		t.Fatalf("%d of the transaction's 3 keys on the replica", n)
	}
}
