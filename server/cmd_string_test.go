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

// The expected replies below were taken from redis-server 7.0.15.

// strList stands in for a list value, to provoke WRONGTYPE.
type strList struct{}

func (strList) Kind() storage.Kind { return storage.KindList }

// strStart starts a server on a fake clock with a list at "L" in db 0.
func strStart(t *testing.T, cfg *testConfig) (*Server, *rawConn, *clock.Fake) {
	t.Helper()
	clk := clock.NewFake(time.Unix(1700000000, 0))
	if cfg == nil {
		cfg = newTestConfig()
	}
	s, addr := startServer(t, cfg, clk)
	tx := s.Store().Begin(0, 0, []byte("L"))
	tx.Put(0, []byte("L"), nil, strList{}, 0)
	tx.End()
	return s, dial(t, addr), clk
}

// strDeadline returns the deadline of key in db 0, or -1 when it is absent.
func strDeadline(s *Server, clk *clock.Fake, key string) int64 {
	tx := s.Store().Begin(clk.Now().UnixMilli(), 0, []byte(key))
	defer tx.End()
	e := tx.Peek(0, []byte(key))
	if e == nil {
		return -1
	}
	return e.Deadline
}

const (
	strWrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
	strNotInt    = "-ERR value is not an integer or out of range\r\n"
	strNotFloat  = "-ERR value is not a valid float\r\n"
	strNaNInf    = "-ERR increment would produce NaN or Infinity\r\n"
	strSyntax    = "-ERR syntax error\r\n"
	strNil       = "$-1\r\n"
	strEmpty     = "$0\r\n\r\n"
	strOK        = "+OK\r\n"
)

func bulk(s string) string { return fmt.Sprintf("$%d\r\n%s\r\n", len(s), s) }

func TestStringSetOptions(t *testing.T) {
	s, c, clk := strStart(t, nil)
	now := clk.Now().UnixMilli()
	runSteps(t, c, []replyStep{
		step(strOK, "SET", "k", "v", "EX", "10", "EX", "20"), // repeats allowed, last wins
		step(strOK, "SET", "k2", "v", "KEEPTTL", "KEEPTTL"),
		step(strOK, "SET", "k3", "v", "EX", "abc", "EX", "10"),
	})
	if d := strDeadline(s, clk, "k"); d != now+20000 {
		t.Fatalf("k deadline %d, want %d", d, now+20000)
	}
	if d := strDeadline(s, clk, "k3"); d != now+10000 {
		t.Fatalf("k3 deadline %d, want %d", d, now+10000)
	}
	// KEEPTTL keeps the deadline; a plain SET clears it
	runSteps(t, c, []replyStep{step(strOK, "SET", "k", "x", "KEEPTTL")})
	if d := strDeadline(s, clk, "k"); d != now+20000 {
		t.Fatalf("after KEEPTTL deadline %d", d)
	}
	runSteps(t, c, []replyStep{step(strOK, "SET", "k", "v")})
	if d := strDeadline(s, clk, "k"); d != 0 {
		t.Fatalf("after SET deadline %d", d)
	}
	runSteps(t, c, []replyStep{
		step(strNotInt, "SET", "k", "v", "EX", "10", "EX", "abc"),
		step(strSyntax, "SET", "k", "v", "EX", "5", "KEEPTTL"),
		step(strSyntax, "SET", "k", "v", "KEEPTTL", "EX", "5"),
		step(strSyntax, "SET", "k", "v", "EX", "10", "PX"),
		step(strSyntax, "SET", "k", "v", "EX", "10", "PX", "10"),
		step(strSyntax, "SET", "k", "v", "PERSIST"),
		step(strSyntax, "SET", "k", "v", "NX", "XX"),
		step("-ERR invalid expire time in 'set' command\r\n", "SET", "k", "v", "EX", "0", "NX"),
		step("-ERR invalid expire time in 'set' command\r\n", "SET", "k", "v", "EX", "9223372036854775"),
		step("-ERR invalid expire time in 'set' command\r\n", "SET", "k", "v", "PX", "9223372036854775807"),
		step(bulk("v"), "SET", "k", "w", "NX", "NX", "GET", "GET"),
		step(strWrongType, "SET", "L", "v", "GET"),
		step(bulk("v"), "SET", "k", "v2", "GET"),
		step(bulk("v2"), "SET", "k", "v3", "XX", "GET"),
		step(strNil, "SET", "nk", "v3", "XX", "GET"),
		step(strNil, "SET", "nk", "v3", "NX", "GET"),
		step(bulk("v3"), "SET", "nk", "v4", "NX", "GET"),
		step(bulk("v3"), "GET", "nk"),
		step(strOK, "SET", "gone", "v", "EXAT", "1"),
		step(strNil, "GET", "gone"),
	})
}

func TestStringSetexPsetexSetnx(t *testing.T) {
	s, c, clk := strStart(t, nil)
	now := clk.Now().UnixMilli()
	runSteps(t, c, []replyStep{
		step("-ERR invalid expire time in 'setex' command\r\n", "SETEX", "k", "0", "v"),
		step("-ERR invalid expire time in 'setex' command\r\n", "SETEX", "k", "-1", "v"),
		step("-ERR invalid expire time in 'setex' command\r\n", "SETEX", "k", "9223372036854775807", "v"),
		step("-ERR invalid expire time in 'setex' command\r\n", "SETEX", "k", "9223372036854774", "v"),
		step(strNotInt, "SETEX", "k", "abc", "v"),
		step("-ERR invalid expire time in 'psetex' command\r\n", "PSETEX", "k", "0", "v"),
		step("-ERR invalid expire time in 'psetex' command\r\n", "PSETEX", "k", "9223372036854775807", "v"),
		step("-ERR wrong number of arguments for 'setex' command\r\n", "SETEX", "k", "10"),
		step(strOK, "SETEX", "k", "10", "v"),
		step(strOK, "PSETEX", "p", "1500", "pv"),
		step(strOK, "SETEX", "L2", "10", "v"),
		step(":0\r\n", "SETNX", "L", "v"), // any existing key, whatever its type
		step(":1\r\n", "SETNX", "n", "v"),
		step(":0\r\n", "SETNX", "n", "w"),
		step(bulk("v"), "GET", "n"),
	})
	if d := strDeadline(s, clk, "k"); d != now+10000 {
		t.Fatalf("SETEX deadline %d", d)
	}
	if d := strDeadline(s, clk, "p"); d != now+1500 {
		t.Fatalf("PSETEX deadline %d", d)
	}
	clk.Advance(1499 * time.Millisecond)
	runSteps(t, c, []replyStep{step(bulk("pv"), "GET", "p")})
	clk.Advance(time.Millisecond)
	runSteps(t, c, []replyStep{step(strNil, "GET", "p"), step(bulk("v"), "GET", "k")})
	clk.Advance(9 * time.Second)
	runSteps(t, c, []replyStep{step(strNil, "GET", "k"), step(":1\r\n", "SETNX", "k", "again")})
}

func TestStringGetex(t *testing.T) {
	s, c, clk := strStart(t, nil)
	now := clk.Now().UnixMilli()
	runSteps(t, c, []replyStep{
		step(strNil, "GETEX", "nokey"),
		step(strNil, "GETEX", "nokey", "EX", "abc"), // the key is looked up first
		step(strWrongType, "GETEX", "L"),
		step(strWrongType, "GETEX", "L", "EX", "abc"),
		step(strOK, "SET", "s", "hello"),
		step("-ERR invalid expire time in 'getex' command\r\n", "GETEX", "s", "EX", "0"),
		step(strNotInt, "GETEX", "s", "EX", "abc"),
		step(strSyntax, "GETEX", "s", "EX"),
		step(strSyntax, "GETEX", "s", "PERSIST", "EX", "10"),
		step(strSyntax, "GETEX", "s", "FOO"),
		step(strSyntax, "GETEX", "s", "EX", "10", "PX", "10"),
		step(strSyntax, "GETEX", "s", "NX"),
		step("-ERR invalid expire time in 'getex' command\r\n", "GETEX", "s", "PX", "9223372036854775807"),
		step("-ERR invalid expire time in 'getex' command\r\n", "GETEX", "s", "EXAT", "9223372036854775807"),
		step(bulk("hello"), "GETEX", "s", "EX", "10", "EX", "20"),
	})
	if d := strDeadline(s, clk, "s"); d != now+20000 {
		t.Fatalf("EX deadline %d", d)
	}
	runSteps(t, c, []replyStep{step(bulk("hello"), "GETEX", "s", "PERSIST", "PERSIST")})
	if d := strDeadline(s, clk, "s"); d != 0 {
		t.Fatalf("PERSIST deadline %d", d)
	}
	runSteps(t, c, []replyStep{step(bulk("hello"), "GETEX", "s", "pxat", fmt.Sprint(now+500))})
	if d := strDeadline(s, clk, "s"); d != now+500 {
		t.Fatalf("PXAT deadline %d", d)
	}
	runSteps(t, c, []replyStep{step(bulk("hello"), "GETEX", "s", "exat", fmt.Sprint(now/1000+30))})
	if d := strDeadline(s, clk, "s"); d != now+30000 {
		t.Fatalf("EXAT deadline %d", d)
	}
	runSteps(t, c, []replyStep{step(bulk("hello"), "GETEX", "s", "PX", "250")})
	clk.Advance(250 * time.Millisecond)
	runSteps(t, c, []replyStep{
		step(strNil, "GETEX", "s"),
		step(strOK, "SET", "s", "v"),
		step(bulk("v"), "GETEX", "s", "EXAT", "1"), // in the past: deleted after the reply
		step(strNil, "GET", "s"),
	})
}

func TestStringGetdelGetset(t *testing.T) {
	s, c, clk := strStart(t, nil)
	runSteps(t, c, []replyStep{
		step(strWrongType, "GETDEL", "L"),
		step(strNil, "GETDEL", "nokey"),
		step(strOK, "SET", "s", "v", "EX", "100"),
		step(bulk("v"), "GETDEL", "s"),
		step(strNil, "GET", "s"),
		step(strWrongType, "GETSET", "L", "x"),
		step(strNil, "GETSET", "s", "x"),
		step(strOK, "SET", "s", "v", "EX", "100"),
		step(bulk("v"), "GETSET", "s", "y"),
		step(bulk("y"), "GET", "s"),
	})
	if d := strDeadline(s, clk, "s"); d != 0 {
		t.Fatalf("GETSET kept a deadline: %d", d)
	}
}

func TestStringMultiKey(t *testing.T) {
	_, c, _ := strStart(t, nil)
	runSteps(t, c, []replyStep{
		step("-ERR wrong number of arguments for 'mset' command\r\n", "MSET", "a", "1", "b"),
		step("-ERR wrong number of arguments for 'msetnx' command\r\n", "MSETNX", "a", "1", "b"),
		step("-ERR wrong number of arguments for 'mset' command\r\n", "MSET", "a"),
		step("-ERR wrong number of arguments for 'mget' command\r\n", "MGET"),
		step(strOK, "MSET", "a", "1", "b", "2"),
		step("*4\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n$-1\r\n", "MGET", "a", "b", "nokey", "L"),
		step(":0\r\n", "MSETNX", "a", "1", "c", "2"),
		step(":0\r\n", "MSETNX", "L", "1", "c", "2"),
		step(strNil, "GET", "c"),
		step(":1\r\n", "MSETNX", "c", "1", "d", "2"),
		step(":1\r\n", "MSETNX", "x", "1", "x", "2"),
		step(bulk("2"), "GET", "x"),
		step(strOK, "MSET", "y", "1", "y", "2"),
		step(bulk("2"), "GET", "y"),
		step(strOK, "MSET", "L", "now a string"),
		step(bulk("now a string"), "GET", "L"),
	})
	// RESP3 nulls in MGET
	c.do("HELLO", "3")
	runSteps(t, c, []replyStep{step("*2\r\n$1\r\n1\r\n_\r\n", "MGET", "a", "nokey")})
}

func TestStringIncrDecr(t *testing.T) {
	s, c, clk := strStart(t, nil)
	runSteps(t, c, []replyStep{
		step(strWrongType, "INCR", "L"),
		step(":1\r\n", "INCR", "n"),
		step(":11\r\n", "INCRBY", "n", "10"),
		step(":10\r\n", "DECR", "n"),
		step(":5\r\n", "DECRBY", "n", "5"),
		step(":-5\r\n", "INCRBY", "n", "-10"),
		step(strNotInt, "INCRBY", "n", "abc"),
		step(strNotInt, "INCRBY", "n", ""),
		step(strNotInt, "INCRBY", "L", "abc"), // the argument is checked first
		step("-ERR decrement would overflow\r\n", "DECRBY", "L", "-9223372036854775808"),
		step("-ERR decrement would overflow\r\n", "DECRBY", "n", "-9223372036854775808"),
		step(strOK, "SET", "n", "9223372036854775806"),
		step(":9223372036854775807\r\n", "INCR", "n"),
		step("-ERR increment or decrement would overflow\r\n", "INCR", "n"),
		step(strOK, "SET", "n", "-9223372036854775807"),
		step(":-9223372036854775808\r\n", "DECR", "n"),
		step("-ERR increment or decrement would overflow\r\n", "DECR", "n"),
		step("-ERR increment or decrement would overflow\r\n", "DECRBY", "n", "1"),
		step(":-1\r\n", "INCRBY", "n", "9223372036854775807"),
	})
	for _, v := range []string{" 5", "5 ", "05", "+5", "-0", "1.5", "", "123456789012345678901", "9223372036854775808"} {
		runSteps(t, c, []replyStep{step(strOK, "SET", "bad", v), step(strNotInt, "INCR", "bad")})
	}
	// INCR keeps the deadline
	runSteps(t, c, []replyStep{step(strOK, "SET", "t", "41", "EX", "100"), step(":42\r\n", "INCR", "t")})
	if d := strDeadline(s, clk, "t"); d != clk.Now().UnixMilli()+100000 {
		t.Fatalf("INCR lost the deadline: %d", d)
	}
	// a value grown in place must not keep stale bytes
	runSteps(t, c, []replyStep{
		step(strOK, "SET", "g", "100"),
		step(":-900\r\n", "DECRBY", "g", "1000"),
		step(":0\r\n", "INCRBY", "g", "900"),
		step(bulk("0"), "GET", "g"),
	})
}

func TestStringIncrbyfloat(t *testing.T) {
	s, c, clk := strStart(t, nil)
	runSteps(t, c, []replyStep{
		step(strWrongType, "INCRBYFLOAT", "L", "1"),
		step(strWrongType, "INCRBYFLOAT", "L", "abc"),
		step(bulk("10.5"), "INCRBYFLOAT", "f", "10.5"),
		step(bulk("10.6"), "INCRBYFLOAT", "f", "0.1"),
		step(bulk("5"), "INCRBYFLOAT", "f", "-5.6"),
		step(strOK, "SET", "f", "3"),
		step(bulk("4.1"), "INCRBYFLOAT", "f", "1.1"),
		step(strOK, "SET", "f", "abc"),
		step(strNotFloat, "INCRBYFLOAT", "f", "1"),
		step(strOK, "SET", "f", "1e4932"),
		step(strNaNInf, "INCRBYFLOAT", "f", "1e4932"),
		step(strOK, "SET", "f", "1\x00"),
		step(strNotFloat, "INCRBYFLOAT", "f", "1"),
	})
	// each from a missing key: increment → reply
	cases := []struct{ in, want string }{
		{"5.0e3", bulk("5000")},
		{"0.1", bulk("0.1")},
		{"3.0000000000000004", bulk("3.0000000000000004")},
		{"123456789012345678901234567890", bulk("123456789012345678899921813504")},
		{"1e400", bulk("1" + strings.Repeat("0", 19) + "281880683947586514586453433629052038625910693539685534008629862039363994848324160522094053927317616200295822777259255734023828976593340661017797447434546173917862448116674971723778943824391593338047470675026246684401359237513603830343735485505244955964979021825038280091068414947402456898653040951017512658092615827588920183472511643316591362664138176309734806343732497430221946880")},
		{"+1.5", bulk("1.5")},
		{"0x1p3", bulk("8")},
		{"0x10", bulk("16")},
		{"0X1P+2", bulk("4")},
		{"1e-4940", bulk("0")},
		{"-0", bulk("0")},
		{"-0.000000000000000001", bulk("0")},
		{".5", bulk("0.5")},
		{"5.", bulk("5")},
		{"1E-3", bulk("0.001")},
		{"0.1e-2", bulk("0.001")},
		{"inf", strNaNInf},
		{"-Infinity", strNaNInf},
		{"INF", strNaNInf},
		{"nan", strNotFloat},
		{"1 ", strNotFloat},
		{" 1", strNotFloat},
		{"1e5000", strNotFloat},
		{"1e-5000", strNotFloat},
		{"1e99999999999999999999", strNotFloat},
		{"", strNotFloat},
		{".", strNotFloat},
		{"1.5e", strNotFloat},
		{"0x", strNotFloat},
		{"0x1p", strNotFloat},
		{"1_000", strNotFloat},
		{"0b11", strNotFloat},
		{"++1", strNotFloat},
		{"1\x00", strNotFloat},
		{strings.Repeat("1", 5120), strNotFloat},
	}
	for _, tc := range cases {
		c.do("GETDEL", "nf")
		if got := c.do("INCRBYFLOAT", "nf", tc.in); got != tc.want {
			t.Errorf("INCRBYFLOAT nf %q: %q, want %q", tc.in, got, tc.want)
		}
	}
	// the deadline stays
	runSteps(t, c, []replyStep{step(strOK, "SET", "t", "1", "PX", "5000"), step(bulk("1.5"), "INCRBYFLOAT", "t", "0.5")})
	if d := strDeadline(s, clk, "t"); d != clk.Now().UnixMilli()+5000 {
		t.Fatalf("INCRBYFLOAT lost the deadline: %d", d)
	}
}

func TestStringAppendStrlenRanges(t *testing.T) {
	cfg := newTestConfig()
	cfg.maxBulk = 100
	s, c, clk := strStart(t, cfg)
	runSteps(t, c, []replyStep{
		step(strWrongType, "APPEND", "L", "x"),
		step(":0\r\n", "APPEND", "ap", ""), // creates an empty string
		step(strEmpty, "GET", "ap"),
		step(":3\r\n", "APPEND", "ap", "abc"),
		step(":6\r\n", "APPEND", "ap", "def"),
		step("-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n", "APPEND", "ap", strings.Repeat("x", 95)),
		step(":100\r\n", "APPEND", "ap", strings.Repeat("x", 94)),
		step(strOK, "SET", "ap", "abcdef"),
		step(":6\r\n", "STRLEN", "ap"),
		step(":0\r\n", "STRLEN", "nokey"),
		step(strWrongType, "STRLEN", "L"),

		step("-ERR offset is out of range\r\n", "SETRANGE", "ap", "-1", "x"),
		step("-ERR offset is out of range\r\n", "SETRANGE", "L", "-1", ""),
		step(strNotInt, "SETRANGE", "ap", "abc", "x"),
		step(":0\r\n", "SETRANGE", "nok", "5", ""),
		step(strNil, "GET", "nok"),
		step("-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n", "SETRANGE", "nok", "100", "x"),
		step(":0\r\n", "SETRANGE", "nok", "1000", ""),
		step("-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n", "SETRANGE", "ap", "9223372036854775807", "x"),
		step(":6\r\n", "SETRANGE", "ap", "1", ""),
		step(":9\r\n", "SETRANGE", "ap", "8", "Z"),
		step(bulk("abcdef\x00\x00Z"), "GET", "ap"),
		step(":9\r\n", "SETRANGE", "ap", "0", "XY"),
		step(bulk("XYcdef\x00\x00Z"), "GET", "ap"),
		step(strWrongType, "SETRANGE", "L", "0", ""),
		step(strWrongType, "SETRANGE", "L", "0", "x"),
		step(":4\r\n", "SETRANGE", "nok", "2", "ab"),
		step(bulk("\x00\x00ab"), "GET", "nok"),
		step(":100\r\n", "SETRANGE", "big", "99", "x"),

		step(strOK, "SET", "s", "hello"),
		step(bulk("hello"), "GETRANGE", "s", "0", "-1"),
		step(strEmpty, "GETRANGE", "s", "-1", "-5"),
		step(bulk("hello"), "GETRANGE", "s", "-5", "-1"),
		step(strEmpty, "GETRANGE", "s", "3", "1"),
		step(bulk("hello"), "GETRANGE", "s", "0", "100"),
		step(bulk("h"), "GETRANGE", "s", "-100", "-50"),
		step(bulk("hel"), "GETRANGE", "s", "-100", "2"),
		step(strEmpty, "GETRANGE", "s", "1", "-100"),
		step(strEmpty, "GETRANGE", "nokey", "0", "1"),
		step(strNotInt, "GETRANGE", "s", "a", "1"),
		step(strNotInt, "GETRANGE", "nokey", "a", "1"),
		step(strWrongType, "GETRANGE", "L", "0", "1"),
		step(strEmpty, "GETRANGE", "s", "9223372036854775807", "9223372036854775807"),
		step(bulk("hello"), "GETRANGE", "s", "-9223372036854775808", "9223372036854775807"),
		step(strOK, "SET", "e", ""),
		step(strEmpty, "GETRANGE", "e", "0", "-1"),
		step(bulk("el"), "SUBSTR", "s", "1", "2"),
		step("-ERR wrong number of arguments for 'substr' command\r\n", "SUBSTR", "s", "1"),
	})
	// APPEND and SETRANGE keep the deadline
	runSteps(t, c, []replyStep{step(strOK, "SET", "t", "a", "EX", "9"), step(":2\r\n", "APPEND", "t", "b"), step(":3\r\n", "SETRANGE", "t", "2", "c")})
	if d := strDeadline(s, clk, "t"); d != clk.Now().UnixMilli()+9000 {
		t.Fatalf("deadline lost: %d", d)
	}
}

func TestStringKeyspaceStats(t *testing.T) {
	s, c, _ := strStart(t, nil)
	c.do("SET", "a", "1")
	steps := []struct {
		args         []string
		hits, misses int64
	}{
		{[]string{"GET", "a"}, 1, 0},
		{[]string{"GET", "nokey"}, 0, 1},
		{[]string{"GET", "L"}, 1, 0}, // WRONGTYPE still counts as a hit
		{[]string{"MGET", "a", "nokey", "L", "a"}, 3, 1},
		{[]string{"STRLEN", "a"}, 1, 0},
		{[]string{"GETRANGE", "nokey", "0", "1"}, 0, 1},
		{[]string{"GETEX", "a"}, 1, 0},
		{[]string{"SET", "a", "2", "GET"}, 1, 0},
		{[]string{"GETSET", "nokey2", "x"}, 0, 1},
		{[]string{"GETDEL", "nokey"}, 0, 1},
		{[]string{"INCR", "cnt"}, 0, 0}, // write lookups are not counted
		{[]string{"APPEND", "a", "x"}, 0, 0},
		{[]string{"SETNX", "a", "x"}, 0, 0},
		{[]string{"SET", "a", "3"}, 0, 0},
	}
	for _, st := range steps {
		h0, m0 := s.stats.keyspaceHits.Load(), s.stats.keyspaceMiss.Load()
		c.do(st.args...)
		if h, m := s.stats.keyspaceHits.Load()-h0, s.stats.keyspaceMiss.Load()-m0; h != st.hits || m != st.misses {
			t.Errorf("%q: hits %d misses %d, want %d %d", st.args, h, m, st.hits, st.misses)
		}
	}
}

func TestStringEffects(t *testing.T) {
	s, c, clk := strStart(t, nil)
	now := clk.Now().UnixMilli()
	var mu sync.Mutex
	var got []string
	s.Store().SetEffectSink(func(e storage.Effect) {
		parts := make([]string, len(e.Args)) // string() copies: args may be reused
		for i, a := range e.Args {
			parts[i] = string(a)
		}
		mu.Lock()
		got = append(got, fmt.Sprintf("%d %s", e.DB, strings.Join(parts, " ")))
		mu.Unlock()
	})
	at := func(ms int64) string { return fmt.Sprint(now + ms) }
	cmds := []struct {
		args    []string
		effects []string
	}{
		{[]string{"SETEX", "k", "10", "v"}, []string{"0 SET k v PXAT " + at(10000)}},
		{[]string{"PSETEX", "k", "1500", "v"}, []string{"0 SET k v PXAT " + at(1500)}},
		{[]string{"SET", "k", "v", "EX", "5"}, []string{"0 SET k v PXAT " + at(5000)}},
		{[]string{"SET", "k", "w", "KEEPTTL"}, []string{"0 SET k w PXAT " + at(5000)}},
		{[]string{"GETEX", "k", "EX", "7"}, []string{"0 PEXPIREAT k " + at(7000)}},
		{[]string{"GETEX", "k", "PERSIST"}, []string{"0 PERSIST k"}},
		{[]string{"GETEX", "k", "PERSIST"}, nil}, // nothing to persist
		{[]string{"GETEX", "k"}, nil},
		{[]string{"GETEX", "k", "PXAT", "1"}, []string{"0 DEL k"}},
		{[]string{"SETNX", "k", "v"}, []string{"0 SET k v"}},
		{[]string{"SETNX", "k", "v"}, nil},
		{[]string{"GETSET", "k", "v2"}, []string{"0 SET k v2"}},
		{[]string{"GETDEL", "k"}, []string{"0 DEL k"}},
		{[]string{"GETDEL", "k"}, nil},
		{[]string{"MSET", "a", "1", "b", "2"}, []string{"0 MSET a 1 b 2"}},
		{[]string{"MSETNX", "c", "3", "d", "4"}, []string{"0 MSET c 3 d 4"}},
		{[]string{"MSETNX", "c", "3", "e", "4"}, nil},
		{[]string{"INCR", "n"}, []string{"0 INCR n"}},
		{[]string{"DECR", "n"}, []string{"0 DECR n"}},
		{[]string{"INCRBY", "n", "5"}, []string{"0 INCRBY n 5"}},
		{[]string{"DECRBY", "n", "2"}, []string{"0 DECRBY n 2"}},
		{[]string{"INCR", "L"}, nil},
		{[]string{"INCRBYFLOAT", "f", "1.5"}, []string{"0 SET f 1.5 KEEPTTL"}},
		{[]string{"APPEND", "f", "0"}, []string{"0 APPEND f 0"}},
		{[]string{"SETRANGE", "f", "0", "2"}, []string{"0 SETRANGE f 0 2"}},
		{[]string{"SETRANGE", "f", "0", ""}, nil},
		{[]string{"SELECT", "3"}, nil},
		{[]string{"SET", "x", "y"}, []string{"3 SET x y"}},
		{[]string{"SET", "x", "y", "PX", "100"}, []string{"3 SET x y PXAT " + at(100)}},
	}
	for _, cmd := range cmds {
		mu.Lock()
		got = got[:0]
		mu.Unlock()
		c.do(cmd.args...)
		mu.Lock()
		if fmt.Sprint(got) != fmt.Sprint(cmd.effects) {
			t.Errorf("%q: effects %q, want %q", cmd.args, got, cmd.effects)
		}
		mu.Unlock()
	}
	// lazy expiry before a write shows as DEL, then the write
	mu.Lock()
	got = got[:0]
	mu.Unlock()
	clk.Advance(100 * time.Millisecond)
	c.do("SETEX", "x", "1", "z")
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"3 DEL x", "3 SET x z PXAT " + at(1100)}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("effects %q, want %q", got, want)
	}
}

// MSET locks all its keys at once: no MGET may see half of one.
func TestStringMsetAtomic(t *testing.T) {
	_, addr := startServer(t, nil, nil)
	keys := []string{"a", "b", "c", "d", "e", "f"}
	msetArgs := func(v string) []string {
		args := []string{"MSET"}
		for _, k := range keys {
			args = append(args, k, v)
		}
		return args
	}
	r := dial(t, addr)
	mustReply(t, r.do(msetArgs("start")...), strOK)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	var werr string
	for w := 0; w < 2; w++ {
		c := dial(t, addr)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if got := c.do(msetArgs(fmt.Sprintf("w%d-%d", w, i))...); got != strOK {
					mu.Lock()
					werr = got
					mu.Unlock()
					return
				}
			}
		}()
	}
	defer func() { close(stop); wg.Wait() }()
	for i := 0; i < 300; i++ {
		got := r.do(append([]string{"MGET"}, keys...)...)
		lines := strings.Split(got, "\r\n") // *6, then $n and the value of each key
		if len(lines) != 2+2*len(keys) {
			t.Fatalf("MGET reply %q", got)
		}
		for j := 2; j < len(lines)-1; j += 2 {
			if lines[j] != lines[2] {
				t.Fatalf("MGET saw a partial MSET: %q", got)
			}
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if werr != "" {
		t.Fatalf("MSET replied %q", werr)
	}
}

// The benchmark commands allocate nothing per call once the key exists.
func TestStringHotPathAllocs(t *testing.T) {
	cfg := newTestConfig()
	s := New(cfg, Options{Clock: clock.NewFake(time.Unix(1700000000, 0))})
	t.Cleanup(func() { s.Close() })
	c := &Client{srv: s, authed: true}
	c.w.proto = 2
	run := func(args ...string) [][]byte {
		b := make([][]byte, len(args))
		for i, a := range args {
			b[i] = []byte(a)
		}
		return b
	}
	for _, tc := range []struct {
		name string
		args [][]byte
	}{
		{"GET", run("GET", "key:000001")},
		{"SET", run("SET", "key:000001", "xxx")},
		{"SET EX", run("SET", "key:000001", "xxx", "EX", "3600")},
		{"INCR", run("INCR", "counter:000001")},
		{"MSET", run("MSET", "key:000001", "xxx", "key:000002", "yyy")},
		{"MGET", run("MGET", "key:000001", "key:000002")},
	} {
		c.execute(tc.args) // create the keys
		c.w.b = c.w.b[:0]
		allocs := testing.AllocsPerRun(200, func() {
			c.execute(tc.args)
			c.w.b = c.w.b[:0]
		})
		limit := 0.0
		if tc.name == "MSET" || tc.name == "MGET" {
			limit = 2 // storage.BeginKeys's shard list
		}
		t.Logf("%s: %.1f allocations per call", tc.name, allocs)
		if allocs > limit {
			t.Errorf("%s: %.1f allocations per call, want at most %.0f", tc.name, allocs, limit)
		}
	}
}

// Reads from a CLIENT NO-TOUCH connection leave the access time alone.
func TestStringNoTouch(t *testing.T) {
	s, c, clk := strStart(t, nil)
	idle := func() int64 {
		tx := s.Store().Begin(clk.Now().UnixMilli(), 0, []byte("k"))
		defer tx.End()
		return tx.Peek(0, []byte("k")).IdleSeconds(clk.Now().UnixMilli())
	}
	mustReply(t, c.do("SET", "k", "v"), strOK)
	clk.Advance(10 * time.Second)
	mustReply(t, c.do("CLIENT", "NO-TOUCH", "ON"), strOK)
	for _, args := range [][]string{{"GET", "k"}, {"MGET", "k"}, {"STRLEN", "k"}, {"GETRANGE", "k", "0", "0"}, {"GETEX", "k"}} {
		c.do(args...)
		if got := idle(); got != 10 {
			t.Fatalf("%q touched the key: idle %d", args, got)
		}
	}
	mustReply(t, c.do("CLIENT", "NO-TOUCH", "OFF"), strOK)
	mustReply(t, c.do("GET", "k"), bulk("v"))
	if got := idle(); got != 0 {
		t.Fatalf("GET did not touch the key: idle %d", got)
	}
}
