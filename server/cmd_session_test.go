package server

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"sessiond/clock"
	"sessiond/session"
	"sessiond/storage"
)

var ctx = context.Background()

// sessionServer runs a server on a fake clock with the given directives
// (name, value pairs) and returns it with a RESP2 client.
func sessionServer(t *testing.T, directives ...string) (*Server, *redis.Client, *clock.Fake, string) {
	t.Helper()
	cfg := newTestConfig()
	for i := 0; i+1 < len(directives); i += 2 {
		cfg.values[directives[i]] = directives[i+1]
	}
	clk := clock.NewFake(time.Unix(1700000000, 0))
	s, addr := startServer(t, cfg, clk)
	return s, resp2Client(t, addr), clk, addr
}

func resp2Client(t *testing.T, addr string) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, MaxRetries: -1})
	t.Cleanup(func() { c.Close() })
	return c
}

func create(t *testing.T, c *redis.Client, args ...any) string {
	t.Helper()
	id, err := c.Do(ctx, append([]any{"SESSION.CREATE"}, args...)...).Text()
	if err != nil {
		t.Fatalf("SESSION.CREATE %v: %v", args, err)
	}
	return id
}

func pttl(t *testing.T, c *redis.Client, id string) time.Duration {
	t.Helper()
	d, err := c.PTTL(ctx, "session:"+id).Result()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// sessionFields is SESSION.GET as a sorted "f=v" list, nil for no session.
func sessionFields(t *testing.T, c *redis.Client, args ...any) []string {
	t.Helper()
	v, err := c.Do(ctx, append([]any{"SESSION.GET"}, args...)...).Slice()
	if err == redis.Nil {
		return nil
	}
	if err != nil {
		t.Fatalf("SESSION.GET %v: %v", args, err)
	}
	out := []string{}
	for i := 0; i+1 < len(v); i += 2 {
		out = append(out, fmt.Sprint(v[i])+"="+fmt.Sprint(v[i+1]))
	}
	slices.Sort(out)
	return out
}

func info(t *testing.T, c *redis.Client, field string) string {
	t.Helper()
	s, err := c.Info(ctx, "sessions").Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(s, "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return v
		}
	}
	t.Fatalf("INFO sessions has no %s:\n%s", field, s)
	return ""
}

// TestSessionSliding: reading a session restarts its idle clock, NOTOUCH
// does not, and an idle session expires (counted as idle).
func TestSessionSliding(t *testing.T) {
	_, c, clk, _ := sessionServer(t, "session-touch-interval", "0")
	id := create(t, c, "IDLE", 10, "ABSOLUTE", 100, "FIELDS", 2, "user", "alice", "cart", "3")
	if len(id) != 22 || pttl(t, c, id) != 10*time.Second {
		t.Fatalf("id %q, PTTL %v", id, pttl(t, c, id))
	}
	clk.Advance(6 * time.Second)
	if got := sessionFields(t, c, id); !slices.Equal(got, []string{"cart=3", "user=alice"}) {
		t.Fatalf("SESSION.GET: %v", got)
	}
	if d := pttl(t, c, id); d != 10*time.Second {
		t.Fatalf("after a read the PTTL is %v, want 10s (slid)", d)
	}
	clk.Advance(6 * time.Second)
	if got := sessionFields(t, c, id, "user", "nope", "NOTOUCH"); !slices.Equal(got, []string{"nope=<nil>", "user=alice"}) {
		t.Fatalf("SESSION.GET fields NOTOUCH: %v", got)
	}
	if d := pttl(t, c, id); d != 4*time.Second {
		t.Fatalf("after NOTOUCH the PTTL is %v, want 4s", d)
	}
	if n, _ := c.Do(ctx, "SESSION.TOUCH", id).Int(); n != 1 || pttl(t, c, id) != 10*time.Second {
		t.Fatalf("SESSION.TOUCH %d, PTTL %v", n, pttl(t, c, id))
	}
	clk.Advance(10 * time.Second)
	if got := sessionFields(t, c, id); got != nil {
		t.Fatalf("an idle session answered: %v", got)
	}
	if n, _ := c.Do(ctx, "SESSION.TOUCH", id).Int(); n != 0 {
		t.Fatal("SESSION.TOUCH of a gone session answered 1")
	}
	if v := info(t, c, "sessions_expired_idle"); v != "1" {
		t.Fatalf("sessions_expired_idle %s", v)
	}
	if v := info(t, c, "sessions"); v != "0" {
		t.Fatalf("sessions %s after the only one expired", v)
	}
}

// TestSessionTouchInterval: a slide smaller than session-touch-interval
// neither moves the deadline nor reaches the log.
func TestSessionTouchInterval(t *testing.T) {
	s, c, clk, _ := sessionServer(t, "session-touch-interval", "2")
	id := create(t, c, "IDLE", 10)
	var mu sync.Mutex
	var logged []string
	s.store.SetEffectSink(func(e storage.Effect) {
		mu.Lock()
		defer mu.Unlock()
		logged = append(logged, string(e.Args[0]))
	})
	effects := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(logged)
	}
	clk.Advance(1500 * time.Millisecond)
	sessionFields(t, c, id)
	if d := pttl(t, c, id); d != 8500*time.Millisecond || len(effects()) != 0 {
		t.Fatalf("a 1.5 s slide with a 2 s interval: PTTL %v, logged %v", d, effects())
	}
	clk.Advance(1000 * time.Millisecond)
	sessionFields(t, c, id)
	if d := pttl(t, c, id); d != 10*time.Second || !slices.Equal(effects(), []string{"PEXPIREAT"}) {
		t.Fatalf("a 2.5 s slide: PTTL %v, logged %v", d, effects())
	}
}

// TestSessionAbsoluteCap: sliding never passes created + absolute; the
// session then expires, counted as absolute; SESSION.TTL shows both
// clocks.
func TestSessionAbsoluteCap(t *testing.T) {
	_, c, clk, _ := sessionServer(t, "session-touch-interval", "0")
	id := create(t, c, "IDLE", 10, "ABSOLUTE", 25)
	for range 3 {
		clk.Advance(8 * time.Second)
		sessionFields(t, c, id)
	}
	// at +24 s: the idle clock would give 10 s, the cap gives 1 s
	if d := pttl(t, c, id); d != time.Second {
		t.Fatalf("PTTL %v at +24 s, want 1s (capped)", d)
	}
	ttl, err := c.Do(ctx, "SESSION.TTL", id).Int64Slice()
	if err != nil || !slices.Equal(ttl, []int64{10, 1}) {
		t.Fatalf("SESSION.TTL %v %v, want [10 1]", ttl, err)
	}
	clk.Advance(2 * time.Second)
	if got := sessionFields(t, c, id); got != nil {
		t.Fatalf("a session past its cap answered: %v", got)
	}
	if v := info(t, c, "sessions_expired_absolute"); v != "1" {
		t.Fatalf("sessions_expired_absolute %s", v)
	}
	// defaults, and no absolute cap
	id = create(t, c, "ABSOLUTE", 0)
	ttl, _ = c.Do(ctx, "SESSION.TTL", id).Int64Slice()
	if !slices.Equal(ttl, []int64{1800, -1}) {
		t.Fatalf("SESSION.TTL with the default idle and no cap: %v", ttl)
	}
	if v, err := c.Do(ctx, "SESSION.TTL", "nope").Result(); err != redis.Nil {
		t.Fatalf("SESSION.TTL of no session: %v %v", v, err)
	}
}

// TestSessionRotate: the new ID holds the data, owner and clocks; the old
// one answers (reads and writes reach the new) for the grace period, then
// is gone; the owner's list holds the new ID only.
func TestSessionRotate(t *testing.T) {
	_, c, clk, _ := sessionServer(t, "session-touch-interval", "0")
	old := create(t, c, "OWNER", "alice", "IDLE", 60, "ABSOLUTE", 600, "FIELDS", 1, "user", "alice")
	clk.Advance(10 * time.Second)
	tok, err := c.Do(ctx, "SESSION.LOCK", old, 60000).Int64()
	if err != nil {
		t.Fatal(err)
	}
	id, err := c.Do(ctx, "SESSION.ROTATE", old, "GRACE", 3).Text()
	if err != nil || id == old || len(id) != 22 {
		t.Fatalf("SESSION.ROTATE: %q %v", id, err)
	}
	if got := sessionFields(t, c, id); !slices.Equal(got, []string{"user=alice"}) {
		t.Fatalf("the new ID holds %v", got)
	}
	ttl, _ := c.Do(ctx, "SESSION.TTL", id).Int64Slice()
	if !slices.Equal(ttl, []int64{60, 590}) {
		t.Fatalf("the new ID's clocks %v, want [60 590] (the same creation)", ttl)
	}
	// the old ID, in its grace period
	if _, err := c.Do(ctx, "SESSION.SET", old, "late", "write").Result(); err != nil {
		t.Fatal(err)
	}
	if got := sessionFields(t, c, old); !slices.Equal(got, []string{"late=write", "user=alice"}) {
		t.Fatalf("the old ID reads %v", got)
	}
	if n, _ := c.Do(ctx, "SESSION.UNLOCK", id, tok).Int(); n != 1 {
		t.Fatal("the lock did not follow the rotation")
	}
	list, _ := c.Do(ctx, "SESSION.LIST", "alice").Slice()
	if len(list) != 1 || list[0].([]any)[1] != id {
		t.Fatalf("SESSION.LIST %v", list)
	}
	clk.Advance(3 * time.Second)
	if got := sessionFields(t, c, old); got != nil {
		t.Fatalf("the old ID answers after its grace: %v", got)
	}
	if got := sessionFields(t, c, id); len(got) != 2 {
		t.Fatalf("the new ID after the grace: %v", got)
	}
	// GRACE 0: the old ID goes at once
	next, _ := c.Do(ctx, "SESSION.ROTATE", id, "GRACE", 0).Text()
	if sessionFields(t, c, id) != nil || len(sessionFields(t, c, next)) != 2 {
		t.Fatal("GRACE 0 kept the old ID, or lost the data")
	}
	if v := info(t, c, "sessions_rotated"); v != "2" {
		t.Fatalf("sessions_rotated %s", v)
	}
	if _, err := c.Do(ctx, "SESSION.ROTATE", "nope").Result(); err == nil || err.Error() != errNoSession {
		t.Fatalf("SESSION.ROTATE of no session: %v", err)
	}
}

func count(t *testing.T, c *redis.Client, owner string) int64 {
	t.Helper()
	n, err := c.Do(ctx, "SESSION.COUNT", owner).Int64()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSessionRevoke: "log out everywhere", with and without EXCEPT, and
// the owner index following DEL and FLUSHDB of the keys.
func TestSessionRevoke(t *testing.T) {
	_, c, _, _ := sessionServer(t)
	a1 := create(t, c, "OWNER", "alice")
	a2 := create(t, c, "OWNER", "alice")
	create(t, c, "OWNER", "alice")
	create(t, c, "OWNER", "bob")
	if n, _ := c.Do(ctx, "SESSION.REVOKE", "alice", "EXCEPT", a2).Int(); n != 2 {
		t.Fatalf("REVOKE EXCEPT revoked %d, want 2", n)
	}
	if count(t, c, "alice") != 1 || count(t, c, "bob") != 1 || sessionFields(t, c, a2) == nil || sessionFields(t, c, a1) != nil {
		t.Fatal("REVOKE EXCEPT kept the wrong sessions")
	}
	if n, _ := c.Do(ctx, "SESSION.REVOKE", "alice").Int(); n != 1 || count(t, c, "alice") != 0 {
		t.Fatalf("REVOKE revoked %d", n)
	}
	b2 := create(t, c, "OWNER", "bob")
	c.Del(ctx, "session:"+b2)
	if count(t, c, "bob") != 1 {
		t.Fatal("DEL of a session key left it in the owner's list")
	}
	b3 := create(t, c, "OWNER", "bob")
	c.Move(ctx, "session:"+b3, 2) // MOVE takes it to database 2, and its owner's list there
	c2 := redis.NewClient(&redis.Options{Addr: c.Options().Addr, Protocol: 2, DB: 2})
	defer c2.Close()
	if count(t, c, "bob") != 1 || count(t, c2, "bob") != 1 {
		t.Fatalf("after MOVE: bob has %d sessions in db 0, %d in db 2", count(t, c, "bob"), count(t, c2, "bob"))
	}
	c2.Do(ctx, "COPY", "session:"+b3, "session:copy", "DB", 0) // a copy is a session of the same owner
	if count(t, c, "bob") != 2 {
		t.Fatalf("after COPY ... DB 0: bob has %d sessions in db 0", count(t, c, "bob"))
	}
	c.Del(ctx, "session:copy")
	c.Set(ctx, "session:"+b2, "not a session", 0) // and a string in its place is none
	c.FlushDB(ctx)
	if count(t, c, "bob") != 0 || info(t, c, "sessions") != "1" { // b3, in database 2
		t.Fatal("FLUSHDB left sessions in the index")
	}
	c.FlushAll(ctx)
	if count(t, c2, "bob") != 0 || info(t, c, "sessions") != "0" {
		t.Fatal("FLUSHALL left sessions in the index")
	}
	if v := info(t, c, "sessions_revoked"); v != "3" {
		t.Fatalf("sessions_revoked %s", v)
	}
}

// TestSessionSizeLimit: a write that would take a session past
// session-max-bytes is refused whole.
func TestSessionSizeLimit(t *testing.T) {
	_, c, _, _ := sessionServer(t, "session-max-bytes", "100")
	if _, err := c.Do(ctx, "SESSION.CREATE", "FIELDS", 1, "f", strings.Repeat("x", 100)).Result(); err == nil ||
		!strings.Contains(err.Error(), "session-max-bytes (101 > 100 bytes)") {
		t.Fatalf("an oversized CREATE: %v", err)
	}
	id := create(t, c, "FIELDS", 1, "f", strings.Repeat("x", 50))
	if _, err := c.Do(ctx, "SESSION.SET", id, "g", strings.Repeat("y", 49)).Result(); err == nil {
		t.Fatal("a SET past the limit was taken")
	}
	if _, err := c.Do(ctx, "SESSION.SET", id, "f", "", "g", strings.Repeat("y", 90)).Result(); err != nil {
		t.Fatalf("a SET that shrinks one field to fit another: %v", err)
	}
	if got := sessionFields(t, c, id); len(got) != 2 || got[0] != "f=" {
		t.Fatalf("after the SET: %v", got)
	}
	if _, err := c.Do(ctx, "SESSION.SET", id, session.MetaField, "x").Result(); err == nil || err.Error() != errReservedField {
		t.Fatalf("SET of the bookkeeping field: %v", err)
	}
	if _, err := c.Do(ctx, "SESSION.SET", "nope", "f", "v").Result(); err == nil || err.Error() != errNoSession {
		t.Fatalf("SET of no session: %v", err)
	}
}

// lockAsync runs SESSION.LOCK on its own connection and delivers the
// reply: the token, 0 for nil.
func lockAsync(t *testing.T, addr string, args ...any) (<-chan int64, *redis.Client) {
	c := resp2Client(t, addr)
	out := make(chan int64, 1)
	go func() {
		n, err := c.Do(ctx, append([]any{"SESSION.LOCK"}, args...)...).Int64()
		if err != nil && err != redis.Nil {
			n = -1
		}
		out <- n
	}()
	return out, c
}

func recv(t *testing.T, ch <-chan int64, what string) int64 {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: no reply", what)
		return 0
	}
}

// TestSessionLock: waiters block in the server and are served first come,
// first served when the lock is released, expires, or its holder
// disconnects; a WAIT runs out; tokens only grow and fence UNLOCK.
func TestSessionLock(t *testing.T) {
	s, c, clk, addr := sessionServer(t)
	id := create(t, c)
	key := session.LockKey{DB: 0, Key: "session:" + id}
	t1, err := c.Do(ctx, "SESSION.LOCK", id, 1000).Int64()
	if err != nil || t1 <= 0 {
		t.Fatalf("LOCK: %d %v", t1, err)
	}
	if _, err := c.Do(ctx, "SESSION.LOCK", id, 1000).Result(); err != redis.Nil {
		t.Fatalf("LOCK of a held lock without WAIT: %v", err)
	}
	w1, _ := lockAsync(t, addr, id, 1000, "WAIT", 0)
	waitFor(t, 10*time.Second, "the first waiter queued", func() bool { return s.sess.locks.Queued(key) == 1 })
	w2, _ := lockAsync(t, addr, id, 1000, "WAIT", 0)
	waitFor(t, 10*time.Second, "the second waiter queued", func() bool { return s.sess.locks.Queued(key) == 2 })
	// release: the first waiter, not the second
	if n, _ := c.Do(ctx, "SESSION.UNLOCK", id, t1).Int(); n != 1 {
		t.Fatal("UNLOCK by the holder failed")
	}
	t2 := recv(t, w1, "the first waiter")
	if t2 <= t1 {
		t.Fatalf("token %d after %d", t2, t1)
	}
	if n, _ := c.Do(ctx, "SESSION.UNLOCK", id, t1).Int(); n != 0 {
		t.Fatal("a stale token unlocked")
	}
	// expiry: the second waiter gets it when t2's TTL passes
	clk.Advance(time.Second)
	t3 := recv(t, w2, "the second waiter")
	if t3 <= t2 {
		t.Fatalf("token %d after %d", t3, t2)
	}
	// a WAIT that runs out
	w3, _ := lockAsync(t, addr, id, 1000, "WAIT", 500)
	waitFor(t, 10*time.Second, "the third waiter queued", func() bool { return s.sess.locks.Queued(key) == 1 })
	clk.Advance(500 * time.Millisecond)
	if v := recv(t, w3, "the timed-out waiter"); v != 0 {
		t.Fatalf("a WAIT that ran out got %d", v)
	}
	// disconnect: t3's holder goes, the next waiter is served
	holder := c.Do(ctx, "SESSION.UNLOCK", id, t3) // free it, then take it on a connection we drop
	if holder.Err() != nil {
		t.Fatal(holder.Err())
	}
	h4, hc := lockAsync(t, addr, id, 60000)
	if recv(t, h4, "the holder") <= 0 {
		t.Fatal("LOCK of a free lock failed")
	}
	w5, _ := lockAsync(t, addr, id, 1000, "WAIT", 0)
	waitFor(t, 10*time.Second, "the fifth waiter queued", func() bool { return s.sess.locks.Queued(key) == 1 })
	hc.Close()
	if recv(t, w5, "the waiter after the holder went") <= 0 {
		t.Fatal("the holder's disconnect did not hand the lock over")
	}
	// destroying the session wakes waiters with nil
	w6, _ := lockAsync(t, addr, id, 1000, "WAIT", 0)
	waitFor(t, 10*time.Second, "the sixth waiter queued", func() bool { return s.sess.locks.Queued(key) == 1 })
	c.Do(ctx, "SESSION.DESTROY", id)
	if v := recv(t, w6, "the waiter of a destroyed session"); v != 0 {
		t.Fatalf("a waiter of a destroyed session got %d", v)
	}
	if _, err := c.Do(ctx, "SESSION.LOCK", id, 1000).Result(); err == nil || err.Error() != errNoSession {
		t.Fatalf("LOCK of no session: %v", err)
	}
	if v := info(t, c, "session_lock_waits"); v != "5" { // w1, w2, w3, w5, w6
		t.Fatalf("session_lock_waits %s", v)
	}
}

// TestSessionResp3AndInfo: SESSION.GET is a map under RESP3; SESSION.INFO
// reports the bookkeeping; the commands are in COMMAND DOCS.
func TestSessionResp3AndInfo(t *testing.T) {
	_, c, _, addr := sessionServer(t)
	id := create(t, c, "OWNER", "u1", "FIELDS", 2, "a", "1", "b", "22")
	c.Do(ctx, "SESSION.SET", id, "c", "333")
	c.Do(ctx, "SESSION.DEL", id, "a")
	r3 := client(t, addr) // go-redis speaks RESP3 by default
	m, err := r3.Do(ctx, "SESSION.GET", id).Result()
	if mm, ok := m.(map[any]any); err != nil || !ok || len(mm) != 2 || mm["c"] != "333" {
		t.Fatalf("RESP3 SESSION.GET: %#v %v", m, err)
	}
	v, err := r3.Do(ctx, "SESSION.INFO", id).Result()
	mi, ok := v.(map[any]any)
	if err != nil || !ok || mi["owner"] != "u1" || mi["version"] != int64(3) || mi["size"] != int64(7) || mi["fields"] != int64(2) {
		t.Fatalf("SESSION.INFO %#v %v", v, err)
	}
	docs, err := c.Do(ctx, "COMMAND", "DOCS", "session.get", "session.lock").Slice()
	if err != nil || len(docs) != 4 {
		t.Fatalf("COMMAND DOCS: %v %v", docs, err)
	}
}
