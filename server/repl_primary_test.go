package server

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"sessiond/config"
	"sessiond/replication"
)

// startRedisReplica runs redis-server as a replica of addr, on a unix
// socket in a temporary directory, or skips when it is not installed.
func startRedisReplica(t *testing.T, addr string) *redis.Client {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not installed: install Debian package redis-server (package server's replication tests)")
	}
	host, port, _ := net.SplitHostPort(addr)
	dir := t.TempDir()
	sock := filepath.Join(dir, "redis.sock")
	cmd := exec.Command(bin, "--port", "0", "--unixsocket", sock, "--dir", dir, "--save", "", "--appendonly", "no",
		"--replicaof", host, port, "--enable-debug-command", "yes", "--logfile", filepath.Join(dir, "redis.log"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	lastReplica.Store(cmd.Process)
	c := redis.NewClient(&redis.Options{Network: "unix", Addr: sock, MaxRetries: -1})
	t.Cleanup(func() { c.Close() })
	t.Cleanup(func() {
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(dir, "redis.log"))
			t.Logf("redis replica log:\n%s", log)
		}
	})
	return c
}

// lastReplica is the process startRedisReplica started last.
var lastReplica atomic.Pointer[os.Process]

func redisReplicaProcess(t *testing.T) *os.Process {
	t.Helper()
	return lastReplica.Load()
}

// eventually polls cond until it holds or 30 s pass (a bound, not a
// timing assertion: the replica applies what it is sent at its pace).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	waitFor(t, 30*time.Second, what, cond)
}

// TestRedisReplicatesFromUs: a real redis-server 7.0 with --replicaof
// does a full sync from sessiond (the snapshot as an RDB, EOF-marked) and
// then follows the stream: after a mixed write load of every type with
// TTLs in two databases, its DEBUG DIGEST equals ours and its deadlines
// are ours.
func TestRedisReplicatesFromUs(t *testing.T) {
	cfg, err := config.Parse([]string{"--maxmemory", "0", "--enable-debug-command", "yes"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	s, addr := startServer(t, cfg, nil)
	ctx := context.Background()
	us := redis.NewClient(&redis.Options{Addr: addr})
	defer us.Close()
	load := func(prefix string, db int) {
		c := redis.NewClient(&redis.Options{Addr: addr, DB: db})
		defer c.Close()
		for i := range 300 {
			k := prefix + strconv.Itoa(i)
			c.Set(ctx, k, "v"+k, 0)
			c.Set(ctx, k+":ttl", "t", time.Hour)
			c.Incr(ctx, prefix+"counter")
			c.RPush(ctx, prefix+"list", k)
			c.SAdd(ctx, prefix+"set", k, i)
			c.HSet(ctx, prefix+"hash:"+strconv.Itoa(i%10), "f"+k, strings.Repeat("x", i%100))
			c.ZAdd(ctx, prefix+"zset", redis.Z{Score: float64(i) / 7, Member: k})
			if i%3 == 0 {
				c.Del(ctx, prefix+strconv.Itoa(i/2))
				c.Expire(ctx, prefix+"hash:"+strconv.Itoa(i%10), time.Hour)
			}
		}
		c.LPop(ctx, prefix+"list")
		c.SPop(ctx, prefix+"set")
		c.ZPopMin(ctx, prefix+"zset")
	}
	load("before:", 0)
	load("before:", 3)
	replica := startRedisReplica(t, addr)
	eventually(t, "the replica's link up", func() bool {
		info, _ := replica.Info(ctx, "replication").Result()
		return strings.Contains(info, "master_link_status:up")
	})
	load("after:", 0)
	load("after:", 3)
	digest := func() string { return s.Store().Digest(time.Now().UnixMilli()).Hex() }
	eventually(t, "equal digests", func() bool {
		d, _ := replica.Do(ctx, "DEBUG", "DIGEST").Text()
		return d == digest()
	})
	keys, _ := replica.DBSize(ctx).Result()
	t.Logf("redis-server replica: DEBUG DIGEST %s, ours the same; %d keys in its db 0", digest(), keys)
	for _, k := range []string{"before:7:ttl", "after:299:ttl", "after:hash:0"} {
		want, _ := us.PExpireTime(ctx, k).Result()
		got, _ := replica.PExpireTime(ctx, k).Result()
		if want <= 0 || got != want {
			t.Errorf("%s: replica's deadline %v, ours %v", k, got, want)
		}
	}
	info, _ := us.Info(ctx, "replication", "stats").Result()
	for _, want := range []string{"connected_slaves:1", "state=online", "sync_full:1", "repl_backlog_active:1"} {
		if !strings.Contains(info, want) {
			t.Errorf("INFO lacks %q:\n%s", want, info)
		}
	}
	role, err := us.Do(ctx, "ROLE").Slice()
	if err != nil || len(role) != 3 || role[0] != "master" {
		t.Errorf("ROLE %v %v", role, err)
	}
}

// fakeReplica speaks the replica's side of the handshake over raw bytes.
type fakeReplica struct {
	t  *testing.T
	c  net.Conn
	br *bufio.Reader
}

func dialReplica(t *testing.T, addr string) *fakeReplica {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(30 * time.Second))
	return &fakeReplica{t: t, c: c, br: bufio.NewReader(c)}
}

func (f *fakeReplica) send(args ...string) {
	f.t.Helper()
	var b []byte
	b = append(b, "*"+strconv.Itoa(len(args))+"\r\n"...)
	for _, a := range args {
		b = append(b, "$"+strconv.Itoa(len(a))+"\r\n"+a+"\r\n"...)
	}
	if _, err := f.c.Write(b); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fakeReplica) line() string {
	f.t.Helper()
	l, err := f.br.ReadString('\n')
	if err != nil {
		f.t.Fatalf("reading a line: %v", err)
	}
	return strings.TrimSuffix(l, "\r\n")
}

// readUntil reads the stream until it holds want, returning all it read.
func (f *fakeReplica) readUntil(want string) string {
	f.t.Helper()
	var got []byte
	for !strings.Contains(string(got), want) {
		b, err := f.br.ReadByte()
		if err != nil {
			f.t.Fatalf("waiting for %q in %q: %v", want, got, err)
		}
		got = append(got, b)
	}
	return string(got)
}

// handshake runs REPLCONF and PSYNC and returns the first reply line.
func (f *fakeReplica) handshake(replid string, off int64) string {
	f.send("REPLCONF", "listening-port", "7777")
	f.send("REPLCONF", "capa", "eof", "capa", "psync2")
	if a, b := f.line(), f.line(); a != "+OK" || b != "+OK" {
		f.t.Fatalf("REPLCONF replies %q %q", a, b)
	}
	f.send("PSYNC", replid, strconv.FormatInt(off, 10))
	return f.line()
}

// fullSync reads a +FULLRESYNC's EOF-marked snapshot, ACKs it, and
// returns the id and offset it gave.
func (f *fakeReplica) fullSync(reply string) (string, int64) {
	f.t.Helper()
	var id string
	var off int64
	if _, err := fmt.Sscanf(reply, "+FULLRESYNC %s %d", &id, &off); err != nil || len(id) != 40 {
		f.t.Fatalf("PSYNC reply %q", reply)
	}
	bulk := f.line()
	mark, ok := strings.CutPrefix(bulk, "$EOF:")
	if !ok || len(mark) != 40 {
		f.t.Fatalf("snapshot header %q", bulk)
	}
	if rdb := f.readUntil(mark); !strings.HasPrefix(rdb, "REDIS0010") {
		f.t.Fatalf("snapshot starts %q", rdb[:min(len(rdb), 20)])
	}
	// loaded: as a replica does, ACK at once (the stream starts then)
	f.send("REPLCONF", "ACK", strconv.FormatInt(off, 10))
	return id, off
}

// TestPartialResync: a replica that reconnects with the id and the offset
// after the last byte it took gets +CONTINUE and exactly the bytes it
// missed; one whose bytes have left the backlog gets a full resync.
func TestPartialResync(t *testing.T) {
	cfg, err := config.Parse([]string{"--maxmemory", "0", "--repl-backlog-size", "16kb"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	_, addr := startServer(t, cfg, nil)
	c := dial(t, addr)
	c.do("SET", "before", "1")
	r := dialReplica(t, addr)
	id, off := r.fullSync(r.handshake("?", -1))
	c.do("SET", "k1", "v1")
	got := r.readUntil("v1\r\n")
	if !strings.HasPrefix(got, "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n") {
		t.Fatalf("stream starts %q", got)
	}
	off += int64(len(got))
	r.c.Close()
	c.do("SET", "k2", "v2")
	r = dialReplica(t, addr)
	if reply := r.handshake(id, off+1); reply != "+CONTINUE "+id {
		t.Fatalf("PSYNC %s %d: %q", id, off+1, reply)
	}
	if missed := r.readUntil("v2\r\n"); missed != "*3\r\n$3\r\nSET\r\n$2\r\nk2\r\n$2\r\nv2\r\n" {
		t.Fatalf("missed bytes %q", missed)
	}
	r.c.Close()
	// 40 KB more than a 16 KiB backlog holds
	for i := range 40 {
		c.do("SET", "big"+strconv.Itoa(i), strings.Repeat("x", 1000))
	}
	r = dialReplica(t, addr)
	r.fullSync(r.handshake(id, off+1))
	stats := c.do("INFO", "stats")
	for _, want := range []string{"sync_full:2", "sync_partial_ok:1", "sync_partial_err:1"} {
		if !strings.Contains(stats, want) {
			t.Errorf("INFO stats lacks %s", want)
		}
	}
}

// TestStoppedReplicaIsDropped: a real redis-server replica stopped with
// SIGSTOP while the primary writes far past client-output-buffer-limit's
// replica hard limit is dropped, the primary's writes go on (their p99
// latency and the process's RSS are reported), and on SIGCONT the replica
// resyncs to equal digests.
func TestStoppedReplicaIsDropped(t *testing.T) {
	cfg, err := config.Parse([]string{"--maxmemory", "0", "--client-output-buffer-limit", "replica 4mb 2mb 60"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	s, addr := startServer(t, cfg, nil)
	replica := startRedisReplica(t, addr)
	proc := redisReplicaProcess(t)
	ctx := context.Background()
	us := redis.NewClient(&redis.Options{Addr: addr})
	defer us.Close()
	us.Set(ctx, "first", "1", 0)
	online := func(n string) func() bool {
		return func() bool {
			info, _ := us.Info(ctx, "replication").Result()
			return strings.Contains(info, "connected_slaves:"+n)
		}
	}
	eventually(t, "the replica online", func() bool {
		info, _ := replica.Info(ctx, "replication").Result()
		return strings.Contains(info, "master_link_status:up")
	})
	if err := proc.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	stopped := true
	defer func() {
		if stopped {
			proc.Signal(syscall.SIGCONT)
		}
	}()
	val := strings.Repeat("v", 256<<10)
	var lat []time.Duration
	peakRSS := int64(0)
	for i := 0; i < 400 || !online("0")(); i++ { // 100 MB, and on until it is dropped
		if i >= 4000 {
			t.Fatal("the stopped replica was never dropped")
		}
		start := time.Now()
		if err := us.Set(ctx, "big:"+strconv.Itoa(i%400), val, 0).Err(); err != nil {
			t.Fatal(err)
		}
		lat = append(lat, time.Since(start))
		if i%50 == 0 {
			peakRSS = max(peakRSS, rssBytes())
		}
	}
	slices.Sort(lat)
	t.Logf("while the replica was stopped: %d SETs of 256 KiB, p50 %v, p99 %v, max %v; peak RSS of the test process %d MiB",
		len(lat), lat[len(lat)/2], lat[len(lat)*99/100], lat[len(lat)-1], peakRSS>>20)
	proc.Signal(syscall.SIGCONT)
	stopped = false
	eventually(t, "the replica resynced", func() bool {
		d, _ := replica.Do(ctx, "DEBUG", "DIGEST").Text()
		return d == s.Store().Digest(time.Now().UnixMilli()).Hex()
	})
	if info, _ := us.Info(ctx, "stats").Result(); !strings.Contains(info, "sync_full:2") {
		t.Errorf("expected a second full sync:\n%s", info)
	}
}

// TestStreamGroupsEffects: a command that makes several effects reaches
// replicas as one MULTI ... EXEC, nothing between them; a command with one
// effect goes as itself.
func TestStreamGroupsEffects(t *testing.T) {
	cfg, err := config.Parse([]string{"--maxmemory", "0"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	_, addr := startServer(t, cfg, nil)
	c := dial(t, addr)
	r := dialReplica(t, addr)
	r.fullSync(r.handshake("?", -1))
	enc := func(args ...string) string {
		var b [][]byte
		for _, a := range args {
			b = append(b, []byte(a))
		}
		return string(replication.AppendCommand(nil, b...))
	}
	c.do("SADD", "s1", "x", "y")
	c.do("SADD", "s2", "x")
	c.do("SINTERSTORE", "d", "s1", "s2")
	c.do("SET", "after", "1")
	got := r.readUntil(enc("SET", "after", "1"))
	want := enc("SELECT", "0") + enc("SADD", "s1", "x", "y") + enc("SADD", "s2", "x") +
		enc("MULTI") + enc("DEL", "d") + enc("SADD", "d", "x") + enc("EXEC") +
		enc("SET", "after", "1")
	if got != want {
		t.Fatalf("stream %q, want %q", got, want)
	}
	// a session is created with its deadline, in one transaction
	c.do("SESSION.CREATE", "OWNER", "user:1", "IDLE", "60", "FIELDS", "1", "f", "v")
	got = r.readUntil(enc("EXEC"))
	if !strings.HasPrefix(got, enc("MULTI")+"*") || strings.Count(got, "$5\r\nMULTI\r\n") != 1 ||
		!strings.Contains(got, "$4\r\nHSET\r\n") || !strings.Contains(got, "$9\r\nPEXPIREAT\r\n") {
		t.Fatalf("SESSION.CREATE's stream %q", got)
	}
}
