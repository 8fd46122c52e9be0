package server

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"sessiond/clock"
	"sessiond/storage"
)

// The expected replies below were taken from redis-server 7.0.15, except
// where a comment says otherwise.

// keyHash stands in for a collection value that COPY can clone.
type keyHash struct{ fields map[string]string }

func (h *keyHash) Kind() storage.Kind { return storage.KindHash }
func (h *keyHash) Clone() storage.Object {
	c := &keyHash{fields: make(map[string]string, len(h.fields))}
	for k, v := range h.fields {
		c.fields[k] = v
	}
	return c
}

// keyOpaque is a collection value without Clone.
type keyOpaque struct{}

func (keyOpaque) Kind() storage.Kind { return storage.KindSet }

// keyStart starts a server on a fake clock at 1700000000 s.
func keyStart(t *testing.T) (*Server, *rawConn, *clock.Fake) {
	t.Helper()
	clk := clock.NewFake(time.Unix(1700000000, 0))
	s, addr := startServer(t, newTestConfig(), clk)
	return s, dial(t, addr), clk
}

// keyPut stores a value directly in the store.
func keyPut(s *Server, db int, key string, obj storage.Object) {
	tx := s.Store().Begin(0, db, []byte(key))
	tx.Put(db, []byte(key), nil, obj, 0)
	tx.End()
}

// keyEntry returns a copy of key's entry in db, or nil when absent.
func keyEntry(s *Server, clk *clock.Fake, db int, key string) *storage.Entry {
	tx := s.Store().Begin(clk.Now().UnixMilli(), db, []byte(key))
	defer tx.End()
	e := tx.Peek(db, []byte(key))
	if e == nil {
		return nil
	}
	cp := *e
	return &cp
}

const (
	kOK   = "+OK\r\n"
	kNil  = "$-1\r\n"
	kZero = ":0\r\n"
	kOne  = ":1\r\n"
)

func kErr(s string) string { return "-" + s + "\r\n" }
func kInt(n int64) string  { return ":" + strconv.FormatInt(n, 10) + "\r\n" }
func kBulk(s string) string {
	return "$" + strconv.Itoa(len(s)) + "\r\n" + s + "\r\n"
}
func kArr(items ...string) string {
	return "*" + strconv.Itoa(len(items)) + "\r\n" + strings.Join(items, "")
}

func TestKeysBasic(t *testing.T) {
	s, c, _ := keyStart(t)
	keyPut(s, 0, "h", &keyHash{fields: map[string]string{"f": "v"}})
	runSteps(t, c, []replyStep{
		step(kErr("ERR wrong number of arguments for 'del' command"), "DEL"),
		step(kOK, "SET", "a", "1"),
		step(kOK, "SET", "b", "2"),
		step(kInt(2), "EXISTS", "a", "a", "nokey"),
		step(kInt(1), "DEL", "a", "a", "nokey"),
		step(kZero, "EXISTS", "a"),
		step(kInt(1), "UNLINK", "b", "nokey"),
		step(kZero, "DEL", "nokey"),
		step(kOK, "SET", "s", "x"),
		step(kInt(2), "TOUCH", "s", "h", "nokey"),
		step("+string\r\n", "TYPE", "s"),
		step("+hash\r\n", "TYPE", "h"),
		step("+none\r\n", "TYPE", "nokey"),
		step(kArr(kBulk("s")), "KEYS", "s"),
		step(kArr(), "KEYS", "nokey"),
		step(kArr(kBulk("h")), "KEYS", "[gh]"),
		step(kArr(), "KEYS", ""),
	})
	got := c.do("KEYS", "*")
	if got != kArr(kBulk("s"), kBulk("h")) && got != kArr(kBulk("h"), kBulk("s")) {
		t.Fatalf("KEYS *: %q", got)
	}
	runSteps(t, c, []replyStep{
		step(kOK, "FLUSHALL"),
		step(kNil, "RANDOMKEY"),
		step(kArr("$1\r\n0\r\n", kArr()), "SCAN", "0"),
		step(kOK, "SET", "only", "1"),
		step(kBulk("only"), "RANDOMKEY"),
	})
}

func TestKeysExpiredAreInvisible(t *testing.T) {
	_, c, clk := keyStart(t)
	runSteps(t, c, []replyStep{
		step(kOK, "SET", "k", "v", "PX", "100"),
		step(kOK, "SET", "p", "v"),
	})
	clk.Advance(100 * time.Millisecond)
	runSteps(t, c, []replyStep{
		step(kZero, "EXISTS", "k"),
		step(kArr(kBulk("p")), "KEYS", "*"),
		step(kArr(), "KEYS", "k"),
		step(kArr("$1\r\n0\r\n", kArr(kBulk("p"))), "SCAN", "0", "COUNT", "100"),
		step(kBulk("p"), "RANDOMKEY"),
		step(kErr("ERR no such key"), "RENAME", "k", "x"),
		step(kZero, "EXPIRE", "k", "100"),
		step(kInt(-2), "TTL", "k"),
		step(kNil, "OBJECT", "ENCODING", "k"),
	})
}

func TestKeysRename(t *testing.T) {
	s, c, clk := keyStart(t)
	now := clk.Now().UnixMilli()
	runSteps(t, c, []replyStep{
		step(kErr("ERR no such key"), "RENAME", "nokey", "x"),
		step(kErr("ERR no such key"), "RENAME", "nokey", "nokey"),
		step(kErr("ERR no such key"), "RENAMENX", "nokey", "nokey"),
		step(kOK, "SET", "a", "1", "PX", "5000"),
		step(kOK, "RENAME", "a", "a"),
		step(kZero, "RENAMENX", "a", "a"),
		step(kOK, "RENAME", "a", "b"),
		step(kZero, "EXISTS", "a"),
		step(kInt(5000), "PTTL", "b"),
		step(kOK, "SET", "c", "3"),
		step(kZero, "RENAMENX", "b", "c"),
		step(kOK, "RENAME", "b", "c"), // replaces c, keeps b's deadline
		step(kBulk("1"), "GET", "c"),
		step(kInt(5000), "PTTL", "c"),
		step(kInt(1), "RENAMENX", "c", "d"),
		step(kBulk("1"), "GET", "d"),
		step(kOK, "SET", "e", "x"),
		step(kOK, "RENAME", "e", "d"), // a key without TTL replaces one with TTL
		step(kInt(-1), "TTL", "d"),
	})
	if e := keyEntry(s, clk, 0, "d"); e == nil || e.Deadline != 0 {
		t.Fatalf("d: %+v", e)
	}
	runSteps(t, c, []replyStep{step(kInt(1), "EXPIRE", "d", "10")})
	if e := keyEntry(s, clk, 0, "d"); e == nil || e.Deadline != now+10000 {
		t.Fatalf("d deadline: %+v", e)
	}
	// the renamed key expires at its deadline
	runSteps(t, c, []replyStep{step(kOK, "SET", "t", "v", "PX", "50"), step(kOK, "RENAME", "t", "u")})
	clk.Advance(50 * time.Millisecond)
	runSteps(t, c, []replyStep{step(kZero, "EXISTS", "u", "t")})
}

func TestKeysCopyMove(t *testing.T) {
	s, c, clk := keyStart(t)
	keyPut(s, 0, "h", &keyHash{fields: map[string]string{"f": "v"}})
	keyPut(s, 0, "o", keyOpaque{})
	runSteps(t, c, []replyStep{
		step(kOK, "SET", "a", "1", "PX", "7000"),
		step(kErr("ERR syntax error"), "COPY", "a", "b", "DB"),
		step(kErr("ERR value is not an integer or out of range"), "COPY", "a", "b", "DB", "x"),
		step(kErr("ERR DB index is out of range"), "COPY", "a", "b", "DB", "16"),
		step(kErr("ERR DB index is out of range"), "COPY", "a", "b", "DB", "-1"),
		step(kErr("ERR value is out of range, value must between -2147483648 and 2147483647"), "COPY", "a", "b", "DB", "4294967296"),
		step(kErr("ERR source and destination objects are the same"), "COPY", "a", "a"),
		step(kErr("ERR source and destination objects are the same"), "COPY", "a", "a", "DB", "0"),
		step(kErr("ERR source and destination objects are the same"), "COPY", "nokey", "nokey"),
		step(kErr("ERR syntax error"), "COPY", "a", "b", "REPLACE", "foo"),
		step(kZero, "COPY", "nokey", "b"),
		step(kInt(1), "COPY", "a", "a", "db", "1"),
		step(kInt(1), "COPY", "a", "b"),
		step(kZero, "COPY", "a", "b"),
		step(kOK, "SET", "b", "other"),
		step(kInt(1), "COPY", "a", "b", "REPLACE"),
		step(kBulk("1"), "GET", "b"),
		step(kInt(7000), "PTTL", "b"),
	})
	// values are independent copies
	runSteps(t, c, []replyStep{
		step(":2\r\n", "APPEND", "b", "2"),
		step(kBulk("1"), "GET", "a"),
		step(kInt(1), "COPY", "h", "h2"),
		step("+hash\r\n", "TYPE", "h2"),
		step(kErr(errCopyUnsupport), "COPY", "o", "o2"),
	})
	h := keyEntry(s, clk, 0, "h").Obj.(*keyHash)
	h2 := keyEntry(s, clk, 0, "h2").Obj.(*keyHash)
	if h == h2 || h2.fields["f"] != "v" {
		t.Fatalf("COPY of a hash shares or loses data: %p %p %v", h, h2, h2.fields)
	}
	if e := keyEntry(s, clk, 1, "a"); e == nil || e.Deadline != clk.Now().UnixMilli()+7000 {
		t.Fatalf("copy in db 1: %+v", e)
	}

	runSteps(t, c, []replyStep{
		step(kErr("ERR value is not an integer or out of range"), "MOVE", "a", "abc"),
		step(kErr("ERR DB index is out of range"), "MOVE", "a", "16"),
		step(kErr("ERR DB index is out of range"), "MOVE", "a", "-1"),
		step(kErr("ERR source and destination objects are the same"), "MOVE", "a", "0"),
		step(kErr("ERR source and destination objects are the same"), "MOVE", "nokey", "0"),
		step(kErr("ERR value is out of range, value must between -2147483648 and 2147483647"), "MOVE", "a", "4294967296"),
		step(kZero, "MOVE", "nokey", "1"),
		step(kZero, "MOVE", "a", "1"), // exists in db 1 already
		step(kInt(1), "MOVE", "b", "2"),
		step(kZero, "EXISTS", "b"),
		step(kOK, "SELECT", "2"),
		step(kBulk("12"), "GET", "b"),
		step(kInt(7000), "PTTL", "b"),
	})
}

func TestKeysSwapdb(t *testing.T) {
	_, c, _ := keyStart(t)
	runSteps(t, c, []replyStep{
		step(kErr("ERR invalid first DB index"), "SWAPDB", "a", "1"),
		step(kErr("ERR invalid second DB index"), "SWAPDB", "1", "a"),
		step(kErr("ERR invalid second DB index"), "SWAPDB", "16", "a"),
		step(kErr("ERR invalid first DB index"), "SWAPDB", "4294967296", "0"),
		step(kErr("ERR DB index is out of range"), "SWAPDB", "1", "16"),
		step(kErr("ERR DB index is out of range"), "SWAPDB", "-1", "0"),
		step(kOK, "SWAPDB", "0", "0"),
		step(kOK, "SET", "a", "1"),
		step(kOK, "SWAPDB", "0", "3"),
		step(kZero, "EXISTS", "a"),
		step(kOK, "SELECT", "3"),
		step(kBulk("1"), "GET", "a"),
	})
}

func TestKeysExpire(t *testing.T) {
	s, c, clk := keyStart(t)
	now := clk.Now().UnixMilli()
	runSteps(t, c, []replyStep{
		step(kOK, "SET", "a", "1"),
		step(kInt(-1), "TTL", "a"),
		step(kInt(-1), "EXPIRETIME", "a"),
		step(kInt(-2), "TTL", "nokey"),
		step(kInt(-2), "PTTL", "nokey"),
		step(kInt(-2), "EXPIRETIME", "nokey"),
		step(kInt(-2), "PEXPIRETIME", "nokey"),
		step(kInt(1), "EXPIRE", "a", "100", "nx"),
		step(kZero, "EXPIRE", "a", "50", "NX"),
		step(kZero, "EXPIRE", "a", "50", "gt"),
		step(kInt(1), "EXPIRE", "a", "200", "gt"),
		step(kInt(200), "TTL", "a"),
		step(kZero, "EXPIRE", "a", "300", "lt"),
		step(kInt(1), "EXPIRE", "a", "10", "lt"),
		step(kInt(1), "PERSIST", "a"),
		step(kZero, "PERSIST", "a"),
		step(kZero, "PERSIST", "nokey"),
		step(kZero, "EXPIRE", "a", "10", "gt"), // no TTL is infinite: never greater
		step(kInt(1), "EXPIRE", "a", "10", "lt"),
		step(kInt(1), "EXPIRE", "a", "20", "xx", "gt"),
		step(kInt(1), "PERSIST", "a"),
		step(kZero, "EXPIRE", "a", "10", "xx"),
		step(kErr("ERR NX and XX, GT or LT options at the same time are not compatible"), "EXPIRE", "a", "10", "nx", "xx"),
		step(kErr("ERR NX and XX, GT or LT options at the same time are not compatible"), "EXPIRE", "a", "10", "nx", "gt"),
		step(kErr("ERR GT and LT options at the same time are not compatible"), "EXPIRE", "a", "10", "gt", "lt"),
		step(kErr("ERR Unsupported option foo"), "EXPIRE", "a", "10", "foo"),
		step(kErr("ERR Unsupported option foo"), "EXPIRE", "a", "abc", "foo"),
		step(kErr("ERR Unsupported option foo"), "EXPIRE", "nokey", "10", "foo"),
		step(kErr("ERR value is not an integer or out of range"), "EXPIRE", "a", "abc"),
		step(kErr("ERR value is not an integer or out of range"), "EXPIRE", "nokey", "abc"),
		step(kErr("ERR invalid expire time in 'expire' command"), "EXPIRE", "a", "9223372036854775807"),
		step(kErr("ERR invalid expire time in 'expire' command"), "EXPIRE", "a", "9223372036854775"),
		step(kErr("ERR invalid expire time in 'expire' command"), "EXPIRE", "a", "-9223372036854776"),
		step(kErr("ERR invalid expire time in 'pexpire' command"), "PEXPIRE", "a", "9223372036854775807"),
		step(kErr("ERR invalid expire time in 'expireat' command"), "EXPIREAT", "a", "9223372036854775807"),
		step(kInt(1), "EXPIRE", "a", "10", "nx", "nx"),
		step(kInt(1), "PEXPIREAT", "a", "9223372036854775807"),
		step(kInt(9223372036854775807-now), "PTTL", "a"),
		step(kInt(9223372036854775807), "PEXPIRETIME", "a"),
		step(kInt(9223372036854776), "EXPIRETIME", "a"),
		step(kInt(1), "PEXPIREAT", "a", strconv.FormatInt(now+1500, 10)),
		step(kInt(2), "TTL", "a"), // 1.5 s rounds up
		step(kInt(1500), "PTTL", "a"),
		step(kInt(1700000002), "EXPIRETIME", "a"),
		step(kInt(now+1500), "PEXPIRETIME", "a"),
		step(kInt(1), "PEXPIRE", "a", "1499"),
		step(kInt(1), "TTL", "a"),
		step(kInt(1), "EXPIREAT", "a", "1700000100"),
		step(kInt(100), "TTL", "a"),
		step(kZero, "EXPIRE", "nokey", "10"),
	})
	if e := keyEntry(s, clk, 0, "a"); e == nil || e.Deadline != 1700000100000 {
		t.Fatalf("deadline: %+v", e)
	}
	clk.Advance(99*time.Second + 400*time.Millisecond)
	runSteps(t, c, []replyStep{step(kInt(1), "TTL", "a"), step(kInt(600), "PTTL", "a")})
	clk.Advance(600 * time.Millisecond)
	runSteps(t, c, []replyStep{step(kZero, "EXISTS", "a"), step(kInt(-2), "TTL", "a")})

	// a time not after now deletes the key, whatever the form
	for _, args := range [][]string{
		{"EXPIRE", "k", "0"},
		{"EXPIRE", "k", "-1"},
		{"PEXPIRE", "k", "-100"},
		{"EXPIREAT", "k", "1"},
		{"PEXPIREAT", "k", strconv.FormatInt(clk.Now().UnixMilli(), 10)},
		{"EXPIRE", "k", "-1", "lt"}, // no TTL: LT passes
	} {
		runSteps(t, c, []replyStep{step(kOK, "SET", "k", "v"), step(kOne, args...), step(kZero, "EXISTS", "k")})
	}
	runSteps(t, c, []replyStep{step(kOK, "SET", "k", "v"), step(kZero, "EXPIRE", "k", "-1", "gt"), step(kOne, "EXISTS", "k")})
}

func TestKeysObject(t *testing.T) {
	s, c, clk := keyStart(t)
	keyPut(s, 0, "h", &keyHash{})
	long := strings.Repeat("x", 45)
	runSteps(t, c, []replyStep{
		step(kOK, "SET", "n", "100"),
		step(kOK, "SET", "n2", "10000"),
		step(kOK, "SET", "neg", "-5"),
		step(kOK, "SET", "lead0", "0100"),
		step(kOK, "SET", "huge", "12345678901234567890"),
		step(kOK, "SET", "sp", " 1"),
		step(kOK, "SET", "e44", long[:44]),
		step(kOK, "SET", "r45", long),
		step(kBulk("int"), "OBJECT", "ENCODING", "n"),
		step(kBulk("int"), "object", "encoding", "neg"),
		step(kBulk("embstr"), "OBJECT", "ENCODING", "lead0"),
		step(kBulk("embstr"), "OBJECT", "ENCODING", "huge"),
		step(kBulk("embstr"), "OBJECT", "ENCODING", "sp"),
		step(kBulk("embstr"), "OBJECT", "ENCODING", "e44"),
		step(kBulk("raw"), "OBJECT", "ENCODING", "r45"),
		step(kBulk("hashtable"), "OBJECT", "ENCODING", "h"), // sessiond's default for a hash
		step(kNil, "OBJECT", "ENCODING", "nokey"),
		step(kInt(2147483647), "OBJECT", "REFCOUNT", "n"),
		step(kInt(1), "OBJECT", "REFCOUNT", "n2"),
		step(kInt(1), "OBJECT", "REFCOUNT", "neg"),
		step(kInt(1), "OBJECT", "REFCOUNT", "r45"),
		step(kNil, "OBJECT", "REFCOUNT", "nokey"),
		step(kErr(errNoLFU), "OBJECT", "FREQ", "n"),
		step(kNil, "OBJECT", "FREQ", "nokey"),
		step(kNil, "OBJECT", "IDLETIME", "nokey"),
		step(kZero, "OBJECT", "IDLETIME", "n"),
		step(kErr("ERR unknown subcommand 'foo'. Try OBJECT HELP."), "OBJECT", "foo"),
		step(kErr("ERR wrong number of arguments for 'object' command"), "OBJECT"),
		step(kErr("ERR wrong number of arguments for 'object|encoding' command"), "OBJECT", "ENCODING"),
		step(kErr("ERR wrong number of arguments for 'object|help' command"), "OBJECT", "HELP", "x"),
		step(kErr("ERR wrong number of arguments for 'object|refcount' command"), "OBJECT", "REFCOUNT", "n", "x"),
	})
	clk.Advance(5 * time.Second)
	// OBJECT, TYPE, EXISTS and TTL do not touch; GET and TOUCH do
	runSteps(t, c, []replyStep{
		step(kInt(5), "OBJECT", "IDLETIME", "n"),
		step("+string\r\n", "TYPE", "n"),
		step(kOne, "EXISTS", "n"),
		step(kInt(-1), "TTL", "n"),
		step(kInt(5), "OBJECT", "IDLETIME", "n"),
		step(kBulk("100"), "GET", "n"),
		step(kZero, "OBJECT", "IDLETIME", "n"),
		step(kOne, "TOUCH", "n2"),
		step(kZero, "OBJECT", "IDLETIME", "n2"),
	})
	help := c.do("OBJECT", "HELP")
	if !strings.HasPrefix(help, "*15\r\n+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+ENCODING <key>\r\n") ||
		!strings.HasSuffix(help, "+HELP\r\n+    Prints this help.\r\n") {
		t.Fatalf("OBJECT HELP: %q", help)
	}
}

func TestKeysScanErrors(t *testing.T) {
	_, c, _ := keyStart(t)
	runSteps(t, c, []replyStep{
		step(kOK, "SET", "a", "1"),
		step(kErr("ERR invalid cursor"), "SCAN", "abc"),
		step(kErr("ERR invalid cursor"), "SCAN", " 0"),
		step(kErr("ERR invalid cursor"), "SCAN", "0 "),
		step(kErr("ERR invalid cursor"), "SCAN", "18446744073709551616"),
		step(kErr("ERR invalid cursor"), "SCAN", "+"),
		step(kErr("ERR invalid cursor"), "SCAN", "0x1"),
		step(kErr("ERR invalid cursor"), "SCAN", "1.5"),
		step(kErr("ERR syntax error"), "SCAN", "0", "COUNT", "0"),
		step(kErr("ERR value is not an integer or out of range"), "SCAN", "0", "COUNT", "abc"),
		step(kErr("ERR syntax error"), "SCAN", "0", "MATCH"),
		step(kErr("ERR syntax error"), "SCAN", "0", "foo"),
		step(kArr("$1\r\n0\r\n", kArr(kBulk("a"))), "SCAN", ""),
		step(kArr("$1\r\n0\r\n", kArr(kBulk("a"))), "SCAN", "+0"),
		step(kArr("$1\r\n0\r\n", kArr(kBulk("a"))), "SCAN", "0", "TYPE", "STRING", "MATCH", "a", "COUNT", "3"),
		step(kArr("$1\r\n0\r\n", kArr()), "SCAN", "0", "TYPE", "foo"),
		step(kArr("$1\r\n0\r\n", kArr()), "SCAN", "0", "MATCH", "b*"),
	})
	if got := c.do("SCAN", "18446744073709551615"); !strings.HasPrefix(got, "*2\r\n$1\r\n0\r\n") {
		t.Fatalf("SCAN max cursor: %q", got)
	}
	for _, tc := range []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"", 0, true}, {"0", 0, true}, {"-1", 1<<64 - 1, true}, {"-0", 0, true},
		{"18446744073709551615", 1<<64 - 1, true}, {"-18446744073709551615", 1, true},
		{"-18446744073709551616", 0, false}, {"-", 0, false}, {"1a", 0, false},
	} {
		got, ok := parseCursor([]byte(tc.in))
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseCursor(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// scanReply splits a raw SCAN reply into its cursor and keys.
func scanReply(t *testing.T, raw string) (string, []string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(raw, "\r\n"), "\r\n")
	if len(lines) < 4 || lines[0] != "*2" || !strings.HasPrefix(lines[1], "$") || !strings.HasPrefix(lines[3], "*") {
		t.Fatalf("bad SCAN reply %q", raw)
	}
	n, _ := strconv.Atoi(lines[3][1:])
	var keys []string
	for i := 0; i < n; i++ {
		keys = append(keys, lines[5+2*i])
	}
	return lines[2], keys
}

// Every key present for the whole iteration is returned exactly once, for
// any COUNT, even while other keys come and go between the calls.
func TestKeysScanExactlyOnce(t *testing.T) {
	_, c, _ := keyStart(t)
	const stable = 300
	for i := 0; i < stable; i++ {
		mustReply(t, c.do("SET", fmt.Sprintf("stable:%d", i), "v"), kOK)
	}
	churn := 0
	for count := 1; count <= 7; count++ {
		seen := map[string]int{}
		cursor := "0"
		for calls := 0; ; calls++ {
			if calls > 100000 {
				t.Fatalf("COUNT %d: the iteration does not end", count)
			}
			var keys []string
			cursor, keys = scanReply(t, c.do("SCAN", cursor, "COUNT", strconv.Itoa(count)))
			for _, k := range keys {
				seen[k]++
			}
			// churn: add three keys and remove an older one
			for j := 0; j < 3; j++ {
				mustReply(t, c.do("SET", fmt.Sprintf("churn:%d", churn), "v"), kOK)
				churn++
			}
			if churn > 10 {
				c.do("DEL", fmt.Sprintf("churn:%d", churn-10))
			}
			if cursor == "0" {
				break
			}
		}
		for i := 0; i < stable; i++ {
			if k := fmt.Sprintf("stable:%d", i); seen[k] != 1 {
				t.Fatalf("COUNT %d: %s returned %d times", count, k, seen[k])
			}
		}
		for k, n := range seen {
			if n != 1 {
				t.Fatalf("COUNT %d: %s returned %d times", count, k, n)
			}
		}
	}
}

// keyEffects collects copies of the effects the store emits.
type keyEffects struct {
	mu  sync.Mutex
	got []string
}

func (l *keyEffects) add(e storage.Effect) {
	parts := make([]string, 0, len(e.Args)+1)
	parts = append(parts, strconv.Itoa(e.DB))
	for _, a := range e.Args {
		parts = append(parts, string(a)) // copies
	}
	l.mu.Lock()
	l.got = append(l.got, strings.Join(parts, " "))
	l.mu.Unlock()
}

func (l *keyEffects) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.got
	l.got = nil
	return out
}

func TestKeysEffects(t *testing.T) {
	s, c, clk := keyStart(t)
	now := clk.Now().UnixMilli()
	log := &keyEffects{}
	s.Store().SetEffectSink(log.add)
	defer s.Store().SetEffectSink(nil)
	ms := func(d int64) string { return strconv.FormatInt(now+d, 10) }
	steps := []struct {
		args []string
		want []string
	}{
		{[]string{"SET", "a", "1"}, nil}, // not ours; cleared below
		{[]string{"EXPIRE", "a", "10"}, []string{"0 PEXPIREAT a " + ms(10000)}},
		{[]string{"PEXPIRE", "a", "1500"}, []string{"0 PEXPIREAT a " + ms(1500)}},
		{[]string{"EXPIREAT", "a", "1700000100"}, []string{"0 PEXPIREAT a 1700000100000"}},
		{[]string{"PEXPIREAT", "a", ms(20000)}, []string{"0 PEXPIREAT a " + ms(20000)}},
		{[]string{"EXPIRE", "a", "5", "gt"}, nil}, // not applied, nothing logged
		{[]string{"PERSIST", "a"}, []string{"0 PERSIST a"}},
		{[]string{"PERSIST", "a"}, nil},
		{[]string{"EXPIRE", "a", "-1"}, []string{"0 DEL a"}},
		{[]string{"EXPIRE", "a", "10"}, nil},
		{[]string{"MSET", "a", "1", "b", "2", "c", "3"}, nil}, // not ours; cleared below
		{[]string{"DEL", "a", "nokey", "b"}, []string{"0 DEL a b"}},
		{[]string{"DEL", "nokey"}, nil},
		{[]string{"UNLINK", "c", "c"}, []string{"0 DEL c"}},
		{[]string{"SET", "x", "v", "PX", "3000"}, nil},
		{[]string{"RENAME", "x", "y"}, []string{"0 RENAME x y"}},
		{[]string{"RENAME", "y", "y"}, nil},
		{[]string{"RENAMENX", "y", "z"}, []string{"0 RENAME y z"}},
		{[]string{"COPY", "z", "w"}, []string{"0 COPY z w DB 0 REPLACE"}},
		{[]string{"COPY", "z", "w"}, nil},
		{[]string{"COPY", "z", "w", "DB", "2", "REPLACE"}, []string{"0 COPY z w DB 2 REPLACE"}},
		{[]string{"MOVE", "z", "1"}, []string{"0 MOVE z 1"}},
		{[]string{"MOVE", "z", "1"}, nil},
		{[]string{"SWAPDB", "1", "0"}, []string{"0 SWAPDB 1 0"}},
		{[]string{"TOUCH", "z"}, nil},
		{[]string{"EXISTS", "z"}, nil},
	}
	for _, st := range steps {
		c.do(st.args...)
		got := log.take()
		if st.args[0] == "MSET" || st.args[0] == "SET" {
			continue
		}
		if strings.Join(got, "|") != strings.Join(st.want, "|") {
			t.Fatalf("%q: effects %q, want %q", st.args, got, st.want)
		}
	}
}

func TestKeysStats(t *testing.T) {
	s, c, _ := keyStart(t)
	mustReply(t, c.do("SET", "a", "1"), kOK)
	h0, m0 := s.stats.keyspaceHits.Load(), s.stats.keyspaceMiss.Load()
	c.do("EXISTS", "a", "nokey")
	c.do("TYPE", "a")
	c.do("TTL", "nokey")
	c.do("DEL", "nokey") // a write lookup: not counted
	c.do("EXPIRE", "a", "10")
	if h, m := s.stats.keyspaceHits.Load()-h0, s.stats.keyspaceMiss.Load()-m0; h != 2 || m != 2 {
		t.Fatalf("hits %d misses %d, want 2 2", h, m)
	}
}

// Multi-key commands hold all their shards: while two clients rename a key
// back and forth and move it between databases, a third always sees it
// exactly once.
func TestKeysAtomicRename(t *testing.T) {
	_, addr := startServer(t, newTestConfig(), clock.NewFake(time.Unix(1700000000, 0)))
	c := dial(t, addr)
	mustReply(t, c.do("SET", "k0", "v"), kOK)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := 0; w < 2; w++ {
		w := w
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl := dial(t, addr)
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				from, to := fmt.Sprintf("k%d", (i+w)%4), fmt.Sprintf("k%d", (i+w+1)%4)
				cl.do("RENAMENX", from, to)
			}
		}()
	}
	for i := 0; i < 300; i++ {
		if got := c.do("EXISTS", "k0", "k1", "k2", "k3"); got != kOne {
			close(stop)
			wg.Wait()
			t.Fatalf("EXISTS during renames: %q", got)
		}
	}
	close(stop)
	wg.Wait()
}

// In CLIENT NO-TOUCH mode the key commands leave access times alone,
// except TOUCH, which always touches.
func TestKeysNoTouch(t *testing.T) {
	_, c, clk := keyStart(t)
	runSteps(t, c, []replyStep{
		step(kOK, "SET", "a", "1"),
		step(kOK, "SET", "b", "1"),
		step(kOK, "CLIENT", "NO-TOUCH", "ON"),
	})
	clk.Advance(3 * time.Second)
	runSteps(t, c, []replyStep{
		step(kOne, "EXPIRE", "a", "100"),
		step(kOne, "PERSIST", "a"),
		step(kOne, "COPY", "a", "c"),
		step(kInt(3), "OBJECT", "IDLETIME", "a"),
		step(kOne, "TOUCH", "b"),
		step(kZero, "OBJECT", "IDLETIME", "b"),
		step(kOK, "CLIENT", "NO-TOUCH", "OFF"),
		step(kOne, "EXPIRE", "a", "100"),
		step(kZero, "OBJECT", "IDLETIME", "a"),
	})
}

func TestMemoryUsage(t *testing.T) {
	_, c, _ := keyStart(t)
	runSteps(t, c, []replyStep{
		step(kOK, "SET", "small", "v"),
		step(kNil, "MEMORY", "USAGE", "missing"),
		step(kErr(errNotInteger), "MEMORY", "USAGE", "small", "SAMPLES", "x"),
		step(kErr(errSyntax), "MEMORY", "USAGE", "small", "SAMPLES", "-1"),
		step(kErr(errSyntax), "MEMORY", "USAGE", "small", "LIMIT", "1"),
		step(kErr("ERR unknown subcommand 'x'. Try MEMORY HELP."), "MEMORY", "x"),
		step(kOK, "MEMORY", "PURGE"),
	})
	usage := func(args ...string) int64 {
		t.Helper()
		r := c.do(append([]string{"MEMORY", "USAGE"}, args...)...)
		n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(r, ":"), "\r\n"), 10, 64)
		if err != nil {
			t.Fatalf("MEMORY USAGE %v = %q", args, r)
		}
		return n
	}
	small := usage("small")
	c.do("SET", "big", strings.Repeat("x", 10000))
	if big := usage("big"); big < small+10000 || big > small+11000 {
		t.Errorf("a 10,000-byte value adds %d bytes to %d, want about 10,000 more", big-small, small)
	}
	// A list of 1,000 elements where only the first five are short: the
	// default five samples underestimate it, SAMPLES 0 measures them all.
	for i := range 1000 {
		v := strings.Repeat("y", 1000)
		if i < 5 {
			v = "s"
		}
		c.do("RPUSH", "l", v)
	}
	if all, five := usage("l", "SAMPLES", "0"), usage("l"); all < 1000*1000 || five > all/10 {
		t.Errorf("list: SAMPLES 0 gives %d, the default %d; want ≥ 1,000,000 and the sample far below", all, five)
	}
}
