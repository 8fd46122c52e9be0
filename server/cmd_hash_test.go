package server

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"sessiond/clock"
	"sessiond/storage"
)

// The hash encoding limits, read from the settable values (CONFIG SET in
// tests) with Redis's defaults.
func (c *testConfig) HashMaxListpackEntries() int {
	return c.intValue("hash-max-listpack-entries", 512)
}
func (c *testConfig) HashMaxListpackValue() int { return c.intValue("hash-max-listpack-value", 64) }

func (c *testConfig) intValue(name string, def int) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.values[name]; ok {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	return def
}

func ints(ns ...int64) string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = kInt(n)
	}
	return kArr(out...)
}

// hashEffects records the effects of s as "db ARGS..." lines.
func hashEffects(s *Server) func() []string {
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

// TestHashFieldExpiry follows the Redis 7.4 documentation of HEXPIRE,
// HPEXPIRE, HEXPIREAT, HPEXPIREAT, HTTL, HPTTL, HEXPIRETIME, HPEXPIRETIME
// and HPERSIST.
func TestHashFieldExpiry(t *testing.T) {
	s, c, clk := keyStart(t)
	now := clk.Now().UnixMilli()
	runSteps(t, c, []replyStep{
		step(kInt(3), "HSET", "h", "f1", "v1", "f2", "v2", "f3", "v3"),
		step(ints(-2, -2), "HEXPIRE", "nokey", "10", "FIELDS", "2", "a", "b"),
		step(ints(1, 1, -2), "HEXPIRE", "h", "10", "FIELDS", "3", "f2", "f3", "nosuch"),
		step(ints(-1, 10, 10, -2), "HTTL", "h", "FIELDS", "4", "f1", "f2", "f3", "nosuch"),
		step(ints(-1, 10000), "HPTTL", "h", "FIELDS", "2", "f1", "f2"),
		step(ints(-1, 1700000010), "HEXPIRETIME", "h", "FIELDS", "2", "f1", "f2"),
		step(ints(now+10000), "HPEXPIRETIME", "h", "FIELDS", "1", "f2"),
		step(ints(-2), "HTTL", "nokey", "FIELDS", "1", "a"),
		step(kBulk("listpackex"), "OBJECT", "ENCODING", "h"),
		// conditions: NX only without a TTL, XX only with one, GT/LT
		// compare (no TTL counts as infinite)
		step(ints(1, 0), "HPEXPIRE", "h", "20000", "NX", "FIELDS", "2", "f1", "f2"),
		step(ints(1, 1), "HPEXPIRE", "h", "5000", "XX", "FIELDS", "2", "f2", "f3"),
		step(ints(5), "HTTL", "h", "FIELDS", "1", "f3"),
		step(ints(0, 1), "HPEXPIRE", "h", "15000", "GT", "FIELDS", "2", "f1", "f2"),
		step(ints(1), "HPEXPIRE", "h", "1000", "LT", "FIELDS", "1", "f3"),
		step(ints(1000, 15000), "HPTTL", "h", "FIELDS", "2", "f3", "f2"),
		step(ints(1), "HPERSIST", "h", "FIELDS", "1", "f1"),
		step(ints(0), "HEXPIRE", "h", "5", "GT", "FIELDS", "1", "f1"),
		step(ints(1), "HEXPIRE", "h", "5", "LT", "FIELDS", "1", "f1"),
		step(ints(1, -1, -2), "HPERSIST", "h", "FIELDS", "3", "f1", "f1", "nosuch"),
		step(ints(-2), "HPERSIST", "nokey", "FIELDS", "1", "f"),
		// errors
		step(kErr("ERR Mandatory argument FIELDS is missing or not at the right position"), "HEXPIRE", "h", "10", "FIELD", "1", "f1"),
		step(kErr("ERR Mandatory argument FIELDS is missing or not at the right position"), "HEXPIRE", "h", "10", "NX", "XX", "FIELDS", "1"),
		step(kErr("ERR Parameter `numFields` should be greater than 0"), "HEXPIRE", "h", "10", "FIELDS", "0", "f1"),
		step(kErr("ERR Parameter `numFields` should be greater than 0"), "HEXPIRE", "h", "10", "FIELDS", "x", "f1"),
		step(kErr("ERR The `numfields` parameter must match the number of arguments"), "HEXPIRE", "h", "10", "FIELDS", "2", "f1"),
		step(kErr("ERR The `numfields` parameter must match the number of arguments"), "HTTL", "h", "FIELDS", "1", "f1", "f2"),
		step(kErr("ERR value is not an integer or out of range"), "HEXPIRE", "h", "x", "FIELDS", "1", "f1"),
		step(kErr("ERR invalid expire time, must be >= 0"), "HEXPIRE", "h", "-1", "FIELDS", "1", "f1"),
		step(kErr("ERR invalid expire time in 'hexpire' command"), "HEXPIRE", "h", "281474976710656", "FIELDS", "1", "f1"),
		step(kErr("ERR invalid expire time in 'hpexpireat' command"), "HPEXPIREAT", "h", "281474976710656", "FIELDS", "1", "f1"),
		step(kErr("ERR wrong number of arguments for 'hexpire' command"), "HEXPIRE", "h", "10", "FIELDS", "1"),
		step(kErr("ERR wrong number of arguments for 'httl' command"), "HTTL", "h", "FIELDS", "1"),
		step(kOK, "SET", "str", "v"),
		step(kErr("WRONGTYPE Operation against a key holding the wrong kind of value"), "HEXPIRE", "str", "10", "FIELDS", "1", "f"),
		step(kErr("WRONGTYPE Operation against a key holding the wrong kind of value"), "HTTL", "str", "FIELDS", "1", "f"),
		step(kErr("WRONGTYPE Operation against a key holding the wrong kind of value"), "HPERSIST", "str", "FIELDS", "1", "f"),
		// a time now or in the past deletes the field (code 2)
		step(kInt(2), "HSET", "d", "a", "1", "b", "2"),
		step(ints(2), "HEXPIRE", "d", "0", "FIELDS", "1", "a"),
		step(ints(2), "HPEXPIREAT", "d", strconv.FormatInt(now, 10), "FIELDS", "1", "b"),
		step(kZero, "EXISTS", "d"),
		step(kInt(1), "HSET", "d", "a", "1"),
		step(ints(2), "HEXPIREAT", "d", "1", "FIELDS", "1", "a"),
		step(kZero, "EXISTS", "d"),
	})
	_ = s
}

// TestHashFieldExpiryHappens checks lazy and active removal of due fields:
// a due field is never returned, the sweeper removes it on time with an
// HDEL effect, and a hash whose last field expires disappears.
func TestHashFieldExpiryHappens(t *testing.T) {
	s, c, clk := keyStart(t)
	effects := hashEffects(s)
	now := clk.Now().UnixMilli()
	runSteps(t, c, []replyStep{
		step(kInt(3), "HSET", "h", "a", "1", "b", "2", "c", "3"),
		step(ints(1, 1), "HPEXPIRE", "h", "100", "FIELDS", "2", "a", "b"),
		step(ints(1), "HPEXPIRE", "h", "200", "FIELDS", "1", "c"),
	})
	if got, want := effects(), []string{
		"0 HSET h a 1 b 2 c 3",
		fmt.Sprintf("0 HPEXPIREAT h %d FIELDS 2 a b", now+100),
		fmt.Sprintf("0 HPEXPIREAT h %d FIELDS 1 c", now+200),
	}; !slices.Equal(got, want) {
		t.Fatalf("effects %q, want %q", got, want)
	}
	clk.Advance(100 * time.Millisecond)
	// lazy: whatever the sweeper did, a and b are gone for every read
	runSteps(t, c, []replyStep{
		step(kInt(1), "HLEN", "h"),
		step(kArr(kNil, kNil, kBulk("3")), "HMGET", "h", "a", "b", "c"),
		step("*2\r\n"+kBulk("c")+kBulk("3"), "HGETALL", "h"),
	})
	if got := effects(); !slices.Equal(got, []string{"0 HDEL h a b"}) {
		t.Fatalf("effects %q", got)
	}
	clk.Advance(100 * time.Millisecond)
	// active: the sweeper alone deletes the key
	waitFor(t, 5*time.Second, "sweep", func() bool {
		s.Store().SweepExpired(clk.Now().UnixMilli(), 100)
		return keyEntry(s, clk, 0, "h") == nil
	})
	if got := effects(); !slices.Equal(got, []string{"0 HDEL h c"}) {
		t.Fatalf("effects %q", got)
	}
	if n := s.Store().Stats().ExpiredFields.Load(); n != 3 {
		t.Fatalf("expired fields %d", n)
	}
	runSteps(t, c, []replyStep{step(kZero, "EXISTS", "h")})

	// the key deadline and field deadlines share the entry's timer
	runSteps(t, c, []replyStep{
		step(kInt(2), "HSET", "k", "a", "1", "b", "2"),
		step(kOne, "PEXPIRE", "k", "500"),
		step(ints(1), "HPEXPIRE", "k", "100", "FIELDS", "1", "a"),
		step(ints(-1), "HPTTL", "k", "FIELDS", "1", "b"),
	})
	clk.Advance(100 * time.Millisecond)
	waitFor(t, 5*time.Second, "field sweep", func() bool {
		s.Store().SweepExpired(clk.Now().UnixMilli(), 100)
		e := keyEntry(s, clk, 0, "k")
		return e != nil && e.Obj.(*storage.Hash).Len() == 1
	})
	clk.Advance(400 * time.Millisecond)
	waitFor(t, 5*time.Second, "key sweep", func() bool {
		s.Store().SweepExpired(clk.Now().UnixMilli(), 100)
		return keyEntry(s, clk, 0, "k") == nil
	})

	// writing a field drops its deadline (HSET), HINCRBY keeps it
	runSteps(t, c, []replyStep{
		step(kInt(2), "HSET", "w", "a", "1", "n", "1"),
		step(ints(1, 1), "HPEXPIRE", "w", "1000", "FIELDS", "2", "a", "n"),
		step(kZero, "HSET", "w", "a", "2"),
		step(kInt(5), "HINCRBY", "w", "n", "4"),
		step(ints(-1, 1000), "HPTTL", "w", "FIELDS", "2", "a", "n"),
		step(kBulk("5.5"), "HINCRBYFLOAT", "w", "n", "0.5"),
		step(ints(1000), "HPTTL", "w", "FIELDS", "1", "n"),
	})
	effects()
	// COPY carries field deadlines, and the copy expires on its own
	runSteps(t, c, []replyStep{step(kOne, "COPY", "w", "w2")})
	clk.Advance(time.Second)
	waitFor(t, 5*time.Second, "copy sweep", func() bool {
		s.Store().SweepExpired(clk.Now().UnixMilli(), 100)
		e := keyEntry(s, clk, 0, "w2")
		return e != nil && e.Obj.(*storage.Hash).Len() == 1
	})
	runSteps(t, c, []replyStep{step("*2\r\n"+kBulk("a")+kBulk("2"), "HGETALL", "w2")})
}

// TestHashGetexSetexGetdel follows the Redis 8.0 documentation of HGETEX,
// HSETEX and HGETDEL.
func TestHashGetexSetexGetdel(t *testing.T) {
	s, c, clk := keyStart(t)
	effects := hashEffects(s)
	now := clk.Now().UnixMilli()
	wt := kErr("WRONGTYPE Operation against a key holding the wrong kind of value")
	runSteps(t, c, []replyStep{
		step(kInt(3), "HSET", "h", "a", "1", "b", "2", "c", "3"),
		step(kArr(kBulk("1"), kNil), "HGETEX", "h", "FIELDS", "2", "a", "nosuch"),
		step(kArr(kBulk("1"), kBulk("2")), "HGETEX", "h", "EX", "120", "FIELDS", "2", "a", "b"),
		step(ints(120, 120, -1), "HTTL", "h", "FIELDS", "3", "a", "b", "c"),
		step(kArr(kBulk("2")), "HGETEX", "h", "PERSIST", "FIELDS", "1", "b"),
		step(ints(120, -1), "HTTL", "h", "FIELDS", "2", "a", "b"),
		step(kArr(kBulk("1")), "HGETEX", "h", "PXAT", strconv.FormatInt(now+5000, 10), "FIELDS", "1", "a"),
		step(ints(now+5000), "HPEXPIRETIME", "h", "FIELDS", "1", "a"),
		step(kArr(kBulk("3")), "HGETEX", "h", "EXAT", "1", "FIELDS", "1", "c"),
		step(kZero, "HEXISTS", "h", "c"),
		step(kArr(kNil, kNil), "HGETEX", "nokey", "EX", "10", "FIELDS", "2", "a", "b"),
		step(kErr("ERR syntax error"), "HGETEX", "h", "EX", "10", "PX", "10", "FIELDS", "1", "a"),
		step(kErr("ERR syntax error"), "HGETEX", "h", "KEEPTTL", "FIELDS", "1", "a"),
		step(kErr("ERR invalid expire time in 'hgetex' command"), "HGETEX", "h", "EX", "-1", "FIELDS", "1", "a"),
		step(kErr("ERR value is not an integer or out of range"), "HGETEX", "h", "EX", "x", "FIELDS", "1", "a"),
		step(kErr("ERR syntax error"), "HGETEX", "h", "EX", "10", "a"),
		step(kErr("ERR The `numfields` parameter must match the number of arguments"), "HGETEX", "h", "FIELDS", "2", "a"),
	})
	if got, want := effects(), []string{
		"0 HSET h a 1 b 2 c 3",
		fmt.Sprintf("0 HPEXPIREAT h %d FIELDS 2 a b", now+120000),
		"0 HPERSIST h FIELDS 1 b",
		fmt.Sprintf("0 HPEXPIREAT h %d FIELDS 1 a", now+5000),
		"0 HDEL h c",
	}; !slices.Equal(got, want) {
		t.Fatalf("effects %q, want %q", got, want)
	}
	runSteps(t, c, []replyStep{
		step(kOne, "HSETEX", "s", "EX", "100", "FIELDS", "2", "a", "1", "b", "2"),
		step(ints(100, 100), "HTTL", "s", "FIELDS", "2", "a", "b"),
		step(kZero, "HSETEX", "s", "FNX", "FIELDS", "2", "a", "x", "c", "3"),
		step(kOne, "HSETEX", "s", "FNX", "FIELDS", "1", "c", "3"),
		step(kZero, "HSETEX", "s", "FXX", "FIELDS", "2", "a", "x", "d", "4"),
		step(kOne, "HSETEX", "s", "FXX", "KEEPTTL", "FIELDS", "1", "a", "x"),
		step(ints(100), "HTTL", "s", "FIELDS", "1", "a"),
		step(kOne, "HSETEX", "s", "FIELDS", "1", "a", "y"),
		step(ints(-1), "HTTL", "s", "FIELDS", "1", "a"),
		step(kOne, "HSETEX", "s", "PX", "0", "FIELDS", "1", "b", "z"),
		step(kZero, "HEXISTS", "s", "b"),
		step(kErr("ERR syntax error"), "HSETEX", "s", "FNX", "FXX", "FIELDS", "1", "a", "1"),
		step(kErr("ERR syntax error"), "HSETEX", "s", "EX", "1", "KEEPTTL", "FIELDS", "1", "a", "1"),
		step(kErr("ERR syntax error"), "HSETEX", "s", "PERSIST", "FIELDS", "1", "a", "1"),
		step(kErr("ERR The `numfields` parameter must match the number of arguments"), "HSETEX", "s", "FIELDS", "2", "a", "1"),
		step(kErr("ERR The `numfields` parameter must match the number of arguments"), "HSETEX", "s", "FIELDS", "1", "a", "1", "b"),
		step(kOK, "SET", "str", "v"),
		step(wt, "HSETEX", "str", "FIELDS", "1", "a", "1"),
		step(wt, "HGETEX", "str", "FIELDS", "1", "a"),
		step(wt, "HGETDEL", "str", "FIELDS", "1", "a"),
		// HGETDEL
		step(kArr(kBulk("y"), kNil), "HGETDEL", "s", "FIELDS", "2", "a", "nosuch"),
		step(kArr(kNil, kBulk("3")), "HGETDEL", "s", "FIELDS", "2", "a", "c"),
		step(kZero, "EXISTS", "s"),
		step(kArr(kNil), "HGETDEL", "s", "FIELDS", "1", "a"),
		step(kErr("ERR Parameter `numFields` should be greater than 0"), "HGETDEL", "s", "FIELDS", "0", "a"),
	})
}

// TestHashRandfieldLimits checks that a huge negative HRANDFIELD count
// is refused rather than built.
func TestHashRandfieldLimits(t *testing.T) {
	_, c, _ := keyStart(t)
	runSteps(t, c, []replyStep{
		step(kOne, "HSET", "h", "a", "1"),
		step(kArr(kBulk("a"), kBulk("a")), "HRANDFIELD", "h", "-2"),
		step(kErr("ERR value is out of range"), "HRANDFIELD", "h", "-100000000"),
	})
}

// TestHashScanTable iterates a table-encoded hash with HSCAN in small
// pages, deleting and adding fields meanwhile: every field present for the
// whole iteration is returned exactly once. Both kinds of hash Redis
// encodes as a table: many fields (a Go map here) and a few long ones (a
// wide buffer here).
func TestHashScanTable(t *testing.T) {
	for _, tc := range []struct {
		name         string
		fields, drop int
		pad          string
	}{
		{"many fields", 1000, 100, ""},
		{"long values", 60, 20, ":" + strings.Repeat("x", 70)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, c, _ := keyStart(t)
			args := []string{"HSET", "h"}
			for i := 0; i < tc.fields; i++ {
				args = append(args, "f"+strconv.Itoa(i), strconv.Itoa(i)+tc.pad)
			}
			runSteps(t, c, []replyStep{step(kInt(int64(tc.fields)), args...), step(kBulk("hashtable"), "OBJECT", "ENCODING", "h")})
			seen := map[string]int{}
			cursor := "0"
			for calls := 0; ; calls++ {
				if calls > 10000 {
					t.Fatal("HSCAN does not finish")
				}
				raw := c.do("HSCAN", "h", cursor, "COUNT", "10")
				lines := strings.Split(raw, "\r\n")
				// *2, $n, cursor, *m, then $len/value lines
				cursor = lines[2]
				items := lines[4:]
				for j := 1; j+2 < len(items); j += 4 {
					f, v := items[j], strings.TrimSuffix(items[j+2], tc.pad)
					if "f"+v != f && !(f[0] == 'g' && v == "x") {
						t.Fatalf("pair %q %q", f, v)
					}
					seen[f]++
				}
				if calls == 2 {
					// churn: drop the first fields, add as many others
					for i := 0; i < tc.drop; i++ {
						c.do("HDEL", "h", "f"+strconv.Itoa(i))
						c.do("HSET", "h", "g"+strconv.Itoa(i), "x")
					}
				}
				if cursor == "0" {
					if calls < 3 {
						t.Fatalf("HSCAN COUNT 10 over %d fields took %d calls", tc.fields, calls+1)
					}
					break
				}
			}
			for i := tc.drop; i < tc.fields; i++ {
				if n := seen["f"+strconv.Itoa(i)]; n != 1 {
					t.Fatalf("f%d returned %d times", i, n)
				}
			}
		})
	}
}

// TestHashEffects checks the effect each classic hash write emits.
func TestHashEffects(t *testing.T) {
	s, c, clk := keyStart(t)
	effects := hashEffects(s)
	now := clk.Now().UnixMilli()
	cmds := []struct {
		args    []string
		effects []string
	}{
		{[]string{"HSET", "h", "a", "1", "b", "2"}, []string{"0 HSET h a 1 b 2"}},
		{[]string{"HMSET", "h", "c", "3"}, []string{"0 HSET h c 3"}},
		{[]string{"HSETNX", "h", "c", "x"}, nil},
		{[]string{"HSETNX", "h", "d", "4"}, []string{"0 HSET h d 4"}},
		{[]string{"HINCRBY", "h", "a", "5"}, []string{"0 HINCRBY h a 5"}},
		{[]string{"HINCRBY", "h", "zz", "x"}, nil},
		{[]string{"HINCRBYFLOAT", "h", "b", "0.5"}, []string{"0 HSET h b 2.5"}},
		{[]string{"HPEXPIRE", "h", "1000", "FIELDS", "1", "b"}, []string{fmt.Sprintf("0 HPEXPIREAT h %d FIELDS 1 b", now+1000)}},
		{[]string{"HINCRBYFLOAT", "h", "b", "1"}, []string{"0 HSET h b 3.5", fmt.Sprintf("0 HPEXPIREAT h %d FIELDS 1 b", now+1000)}},
		{[]string{"HPEXPIRE", "h", "0", "FIELDS", "2", "d", "nosuch"}, []string{"0 HDEL h d"}},
		{[]string{"HDEL", "h", "a", "nosuch"}, []string{"0 HDEL h a"}},
		{[]string{"HDEL", "h", "nosuch"}, nil},
		{[]string{"HGET", "h", "b"}, nil},
		{[]string{"HRANDFIELD", "h", "-3"}, nil},
		{[]string{"HPERSIST", "h", "FIELDS", "2", "b", "c"}, []string{"0 HPERSIST h FIELDS 1 b"}},
		{[]string{"HDEL", "h", "b", "c"}, []string{"0 HDEL h b c"}},
		{[]string{"EXISTS", "h"}, nil},
	}
	for _, tc := range cmds {
		c.do(tc.args...)
		if got := effects(); !slices.Equal(got, tc.effects) {
			t.Fatalf("%q: effects %q, want %q", tc.args, got, tc.effects)
		}
	}
}

// TestHashGoneForKeyCommands: once its last field is due, a hash is gone
// for every command, not only the hash ones.
func TestHashGoneForKeyCommands(t *testing.T) {
	_, c, clk := keyStart(t)
	runSteps(t, c, []replyStep{
		step(kInt(1), "HSET", "h", "a", "1"),
		step(ints(1), "HPEXPIRE", "h", "50", "FIELDS", "1", "a"),
		step(kOne, "EXISTS", "h"),
	})
	clk.Advance(50 * time.Millisecond)
	runSteps(t, c, []replyStep{
		step(kZero, "EXISTS", "h"),
		step("+none\r\n", "TYPE", "h"),
		step(kInt(-2), "TTL", "h"),
	})
}

// HSET of ten small fields into a new key allocates the entry, its key,
// the hash header and the hash's one buffer: no garbage per field or per
// command (the shard map's own growth adds a fraction per call, under one).
// Updates that fit the buffer and reads allocate nothing.
func TestHashAllocs(t *testing.T) {
	s := New(newTestConfig(), Options{Clock: clock.NewFake(time.Unix(1700000000, 0))})
	t.Cleanup(func() { s.Close() })
	c := &Client{srv: s, authed: true}
	c.w.proto = 2
	const runs = 1000
	keys := make([][]byte, runs+1) // AllocsPerRun calls once more to warm up
	for i := range keys {
		keys[i] = []byte("key:" + strconv.Itoa(i))
	}
	hset := [][]byte{[]byte("HSET"), nil}
	for f := 0; f < 10; f++ {
		hset = append(hset, []byte("field:"+strconv.Itoa(f)), []byte("vvvvvvvv"))
	}
	next := 0
	n := testing.AllocsPerRun(runs, func() {
		hset[1] = keys[next]
		next++
		c.execute(hset)
		c.w.b = c.w.b[:0]
	})
	if keys, _ := s.Store().KeyCounts(0); next != runs+1 || keys != runs+1 {
		t.Fatalf("%d calls, %d keys", next, keys)
	}
	t.Logf("HSET of 10 fields into a new key: %.0f allocations per call", n)
	if n > 4 {
		t.Errorf("HSET of 10 fields into a new key: %.0f allocations per call, want at most 4 (entry, key, header, buffer)", n)
	}
	args := func(a ...string) [][]byte {
		out := make([][]byte, len(a))
		for i := range a {
			out[i] = []byte(a[i])
		}
		return out
	}
	for _, tc := range []struct {
		name string
		cmds [][][]byte
	}{
		{"HSET same length", [][][]byte{args("HSET", "key:1", "field:1", "wwwwwwww", "field:2", "xxxxxxxx")}},
		{"HSET shorter and back", [][][]byte{args("HSET", "key:1", "field:1", "w"), args("HSET", "key:1", "field:1", "vvvvvvvv")}},
		{"HDEL and HSET", [][][]byte{args("HDEL", "key:1", "field:9"), args("HSET", "key:1", "field:9", "vvvvvvvv")}},
		{"HINCRBY", [][][]byte{args("HINCRBY", "key:2", "n", "1")}},
		{"HSETNX existing", [][][]byte{args("HSETNX", "key:1", "field:1", "v")}},
		{"HGET", [][][]byte{args("HGET", "key:1", "field:5")}},
		{"HMGET", [][][]byte{args("HMGET", "key:1", "field:5", "nope")}},
		{"HGETALL", [][][]byte{args("HGETALL", "key:1")}},
		{"HLEN", [][][]byte{args("HLEN", "key:1")}},
	} {
		run := func() {
			for _, cmd := range tc.cmds {
				c.execute(cmd)
			}
			c.w.b = c.w.b[:0]
		}
		run()
		if n := testing.AllocsPerRun(200, run); n != 0 {
			t.Errorf("%s: %.1f allocations per call, want 0", tc.name, n)
		}
	}
	tx := s.Store().Begin(0, 0, []byte("key:1"))
	h := tx.Peek(0, []byte("key:1")).Obj.(*storage.Hash)
	v, _ := h.Get([]byte("field:9"))
	fields, val := h.Len(), string(v)
	tx.End()
	if fields != 10 || val != "vvvvvvvv" {
		t.Fatalf("key:1 has %d fields, field:9 %q", fields, val)
	}
}
