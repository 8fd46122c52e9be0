package difftest

import (
	"fmt"
	"strconv"
	"strings"
)

// hashScenarios cover the classic hash commands (HSET .. HSCAN) as Redis
// 7.0 has them; the 7.4/8.0 field-expiry commands are tested in
// server/cmd_hash_test.go.
func hashScenarios() []scenario {
	big := []string{"HSET", "big"}
	for i := 0; i < 600; i++ {
		big = append(big, "f"+strconv.Itoa(i), "v"+strconv.Itoa(i))
	}
	long := strings.Repeat("x", 65)
	// a session: ten fields of 100 bytes, which Redis holds as a table
	sess := []string{"HSET", "sess"}
	for i := 0; i < 10; i++ {
		sess = append(sess, "field"+strconv.Itoa(i), strings.Repeat(strconv.Itoa(i), 100))
	}
	return []scenario{
		{"hash_session_shape", []step{
			cmd(sess...),
			cmd("OBJECT", "ENCODING", "sess"),
			cmd("HLEN", "sess"),
			cmd("HGET", "sess", "field7"),
			cmd("HGETALL", "sess").sorted(),
			cmd("HMGET", "sess", "field0", "nosuch", "field9"),
			cmd("HSTRLEN", "sess", "field3"),
			cmd("HSET", "sess", "field3", "short", "extra", long),
			cmd("HEXISTS", "sess", "extra"),
			cmd("HDEL", "sess", "field1", "field2", "nosuch"),
			cmd("HINCRBY", "sess", "n", "5"),
			cmd("HKEYS", "sess").sorted(),
			cmd("HVALS", "sess").sorted(),
			cmd("OBJECT", "ENCODING", "sess"),
			cmd("EXPIRE", "sess", "100"),
			cmd("TTL", "sess"),
			cmd("COPY", "sess", "sess2"),
			cmd("OBJECT", "ENCODING", "sess2"),
			cmd("HGETALL", "sess2").sorted(),
		}},
		{"hset_hget_basic", []step{
			cmd("HSET", "h", "f1", "v1"),
			cmd("HSET", "h", "f1", "v1b", "f2", "v2", "f3", "v3"),
			cmd("HGET", "h", "f1"),
			cmd("HGET", "h", "nosuch"),
			cmd("HGET", "nokey", "f"),
			cmd("HLEN", "h"),
			cmd("HLEN", "nokey"),
			cmd("HGETALL", "h"),
			cmd("HKEYS", "h"),
			cmd("HVALS", "h"),
			cmd("HGETALL", "nokey"),
			cmd("HKEYS", "nokey"),
			cmd("HVALS", "nokey"),
			cmd("TYPE", "h"),
			cmd("OBJECT", "ENCODING", "h"),
			cmd("HSET", "h", "", ""),
			cmd("HGET", "h", ""),
			cmd("HSTRLEN", "h", ""),
			cmd("HSTRLEN", "h", "f2"),
			cmd("HSTRLEN", "h", "nosuch"),
			cmd("HSTRLEN", "nokey", "f"),
		}},
		{"hset_arity", []step{
			cmd("HSET", "h", "f"),
			cmd("HSET", "h", "f", "v", "g"),
			cmd("HSET", "h"),
			cmd("HMSET", "h", "f"),
			cmd("HMSET", "h", "f", "v", "g"),
			cmd("HSETNX", "h", "f"),
			cmd("HGET", "h"),
			cmd("HMGET", "h"),
			cmd("HDEL", "h"),
			cmd("HLEN"),
			cmd("HGETALL", "h", "x"),
			cmd("HEXISTS", "h"),
			cmd("HINCRBY", "h", "f"),
			cmd("HINCRBYFLOAT", "h", "f"),
			cmd("HSTRLEN", "h"),
			cmd("HRANDFIELD"),
			cmd("HSCAN", "h"),
			cmd("EXISTS", "h"),
		}},
		{"hmset_hsetnx", []step{
			cmd("HMSET", "h", "a", "1", "b", "2"),
			cmd("HMSET", "h", "a", "3"),
			cmd("HGETALL", "h"),
			cmd("HSETNX", "h", "a", "x"),
			cmd("HSETNX", "h", "c", "x"),
			cmd("HSETNX", "new", "f", "v"),
			cmd("HGETALL", "h"),
			cmd("HGETALL", "new"),
		}},
		{"hmget_hexists", []step{
			cmd("HSET", "h", "a", "1", "b", "2"),
			cmd("HMGET", "h", "a", "nosuch", "b", "a"),
			cmd("HMGET", "nokey", "a", "b"),
			cmd("HEXISTS", "h", "a"),
			cmd("HEXISTS", "h", "z"),
			cmd("HEXISTS", "nokey", "a"),
		}},
		{"hdel_deletes_empty", []step{
			cmd("HSET", "h", "a", "1", "b", "2", "c", "3"),
			cmd("HDEL", "h", "a", "a", "nosuch"),
			cmd("HDEL", "nokey", "a"),
			cmd("HGETALL", "h"),
			cmd("HDEL", "h", "b", "c"),
			cmd("EXISTS", "h"),
			cmd("TYPE", "h"),
			cmd("HLEN", "h"),
		}},
		{"hincrby", []step{
			cmd("HINCRBY", "h", "n", "5"),
			cmd("HINCRBY", "h", "n", "-10"),
			cmd("HINCRBY", "h", "n", "0"),
			cmd("HSET", "h", "s", "abc", "sp", " 1", "big", "9223372036854775807", "neg", "-9223372036854775808"),
			cmd("HINCRBY", "h", "s", "1"),
			cmd("HINCRBY", "h", "sp", "1"),
			cmd("HINCRBY", "h", "big", "1"),
			cmd("HINCRBY", "h", "big", "0"),
			cmd("HINCRBY", "h", "neg", "-1"),
			cmd("HINCRBY", "h", "neg", "1"),
			cmd("HINCRBY", "h", "n", "x"),
			cmd("HINCRBY", "h", "n", "1.5"),
			cmd("HINCRBY", "h", "n", "99999999999999999999"),
			cmd("HINCRBY", "nokey", "n", "x"),
			cmd("EXISTS", "nokey"),
			cmd("HGETALL", "h"),
		}},
		{"hincrbyfloat", []step{
			cmd("HINCRBYFLOAT", "h", "f", "1.5"),
			cmd("HINCRBYFLOAT", "h", "f", "-0.25"),
			cmd("HINCRBYFLOAT", "h", "f", "5.0e3"),
			cmd("HINCRBYFLOAT", "h", "f", "-5001.25"),
			cmd("HINCRBYFLOAT", "h", "g", "10"),
			cmd("HINCRBYFLOAT", "h", "f", "x"),
			cmd("HINCRBYFLOAT", "h", "f", "inf"),
			cmd("HINCRBYFLOAT", "h", "f", "-inf"),
			cmd("HINCRBYFLOAT", "h", "f", ""),
			cmd("HSET", "h", "s", "abc", "i", "inf", "m", "1e308"),
			cmd("HINCRBYFLOAT", "h", "s", "1"),
			cmd("HINCRBYFLOAT", "h", "i", "1"),
			cmd("HINCRBYFLOAT", "h", "m", "1e308"),
			cmd("HINCRBYFLOAT", "nokey", "f", "abc"),
			cmd("EXISTS", "nokey"),
			cmd("OBJECT", "ENCODING", "h"),
			cmd("HGETALL", "h").sorted(),
		}},
		{"hash_wrongtype", []step{
			cmd("SET", "str", "v"),
			cmd("HSET", "str", "f", "v"),
			cmd("HMSET", "str", "f", "v"),
			cmd("HSETNX", "str", "f", "v"),
			cmd("HGET", "str", "f"),
			cmd("HMGET", "str", "f"),
			cmd("HGETALL", "str"),
			cmd("HKEYS", "str"),
			cmd("HVALS", "str"),
			cmd("HDEL", "str", "f"),
			cmd("HEXISTS", "str", "f"),
			cmd("HLEN", "str"),
			cmd("HSTRLEN", "str", "f"),
			cmd("HINCRBY", "str", "f", "1"),
			cmd("HINCRBY", "str", "f", "x"),
			cmd("HINCRBYFLOAT", "str", "f", "1"),
			cmd("HINCRBYFLOAT", "str", "f", "x"),
			cmd("HRANDFIELD", "str"),
			cmd("HRANDFIELD", "str", "2"),
			cmd("HRANDFIELD", "str", "x"),
			cmd("HSCAN", "str", "0"),
			cmd("HSCAN", "str", "x"),
			cmd("HSET", "h", "f", "v"),
			cmd("GET", "h"),
			cmd("INCR", "h"),
			cmd("APPEND", "h", "x"),
		}},
		{"hash_encoding", []step{
			cmd("HSET", "small", "f", "v"),
			cmd("OBJECT", "ENCODING", "small"),
			cmd("HSET", "small", "long", long),
			cmd("OBJECT", "ENCODING", "small"),
			cmd("HDEL", "small", "long"),
			cmd("OBJECT", "ENCODING", "small"),
			cmd("HSET", "lf", long, "v"),
			cmd("OBJECT", "ENCODING", "lf"),
			cmd("HSETNX", "nx", "f", long),
			cmd("OBJECT", "ENCODING", "nx"),
			cmd("HSET", "nx2", "f", "v"),
			cmd("HSETNX", "nx2", "f", long),
			cmd("OBJECT", "ENCODING", "nx2"),
			cmd("HINCRBYFLOAT", "fl2", long, "1"),
			cmd("OBJECT", "ENCODING", "fl2"),
			cmd("HINCRBYFLOAT", "fl", "f", "1.5"),
			cmd("OBJECT", "ENCODING", "fl"),
			cmd(big...),
			cmd("OBJECT", "ENCODING", "big"),
			cmd("HLEN", "big"),
			cmd("HGET", "big", "f599"),
			cmd("HGETALL", "big").sorted(),
			cmd("HKEYS", "big").sorted(),
			cmd("HVALS", "big").sorted(),
			cmd("HDEL", "big", "f1", "f2"),
			cmd("HLEN", "big"),
			cmd("CONFIG", "SET", "hash-max-listpack-entries", "2"),
			cmd("HSET", "two", "a", "1", "b", "2"),
			cmd("OBJECT", "ENCODING", "two"),
			cmd("HSET", "two", "c", "3"),
			cmd("OBJECT", "ENCODING", "two"),
			cmd("CONFIG", "SET", "hash-max-listpack-entries", "512"),
			cmd("CONFIG", "SET", "hash-max-listpack-value", "3"),
			cmd("HSET", "v3", "abc", "abc"),
			cmd("OBJECT", "ENCODING", "v3"),
			cmd("HSET", "v4", "abcd", "a"),
			cmd("OBJECT", "ENCODING", "v4"),
			cmd("HSET", "v5", "a", "1"),
			cmd("HINCRBY", "v5", "a", "12345"),
			cmd("OBJECT", "ENCODING", "v5"),
			cmd("CONFIG", "SET", "hash-max-listpack-value", "64"),
		}},
		{"hash_key_commands", []step{
			cmd("HSET", "h", "a", "1", "b", "2"),
			cmd("COPY", "h", "h2"),
			cmd("HSET", "h2", "c", "3"),
			cmd("HGETALL", "h"),
			cmd("HGETALL", "h2"),
			cmd("RENAME", "h2", "h3"),
			cmd("HGETALL", "h3"),
			cmd("EXPIRE", "h", "100"),
			cmd("TTL", "h").ttl(),
			cmd("HSET", "h", "z", "9"),
			cmd("TTL", "h").ttl(),
			cmd("PEXPIRE", "h", "1"),
			waitUntil(":0\r\n", "EXISTS", "h"),
			cmd("HGET", "h", "a"),
			cmd("DEL", "h3"),
			cmd("EXISTS", "h3"),
		}},
		{"hrandfield", []step{
			cmd("HSET", "h", "a", "1", "b", "2", "c", "3"),
			cmd("HRANDFIELD", "nokey"),
			cmd("HRANDFIELD", "nokey", "3"),
			cmd("HRANDFIELD", "nokey", "-3", "WITHVALUES"),
			cmd("HRANDFIELD", "h", "0"),
			cmd("HRANDFIELD", "h", "0", "WITHVALUES"),
			cmd("HRANDFIELD", "h").ignore(randFields(1, false, true)),
			cmd("HRANDFIELD", "h", "1").ignore(randFields(1, false, true)),
			cmd("HRANDFIELD", "h", "2").ignore(randFields(2, false, true)),
			cmd("HRANDFIELD", "h", "3").sorted(),
			cmd("HRANDFIELD", "h", "10").sorted(),
			cmd("HRANDFIELD", "h", "10", "WITHVALUES").sorted(),
			cmd("HRANDFIELD", "h", "2", "WITHVALUES").ignore(randFields(2, true, true)),
			cmd("HRANDFIELD", "h", "-5").ignore(randFields(5, false, false)),
			cmd("HRANDFIELD", "h", "-5", "WITHVALUES").ignore(randFields(5, true, false)),
			cmd("HRANDFIELD", "h", "x"),
			cmd("HRANDFIELD", "h", "1", "x"),
			cmd("HRANDFIELD", "h", "1", "WITHVALUES", "x"),
			cmd("HRANDFIELD", "h", "-9223372036854775808"),
			cmd("HRANDFIELD", "h", "-4611686018427387904", "WITHVALUES"),
			cmd("HRANDFIELD", "h", "4611686018427387904", "WITHVALUES"),
			cmd("HRANDFIELD", "nokey", "x"),
			cmd("HRANDFIELD", "nokey", "1", "x"),
			hello3(),
			cmd("HRANDFIELD", "h", "-4", "WITHVALUES").ignore(randFields(4, true, false)),
			cmd("HRANDFIELD", "h", "3", "WITHVALUES").sorted(),
			cmd("HRANDFIELD", "nokey"),
		}},
		{"hscan", []step{
			cmd("HSET", "h", "a1", "1", "b1", "2", "a2", "3"),
			cmd("HSCAN", "h", "0"),
			cmd("HSCAN", "h", "0", "COUNT", "1"),
			cmd("HSCAN", "h", "0", "MATCH", "a*"),
			cmd("HSCAN", "h", "0", "MATCH", "*"),
			cmd("HSCAN", "h", "0", "MATCH", "zz*", "COUNT", "100"),
			cmd("HSCAN", "nokey", "0"),
			cmd("HSCAN", "nokey", "0", "COUNT", "0"),
			cmd("HSCAN", "nokey", "x"),
			cmd("HSCAN", "h", "x"),
			cmd("HSCAN", "h", "-1"),
			cmd("HSCAN", "h", "0", "COUNT", "0"),
			cmd("HSCAN", "h", "0", "COUNT", "-1"),
			cmd("HSCAN", "h", "0", "COUNT", "x"),
			cmd("HSCAN", "h", "0", "COUNT"),
			cmd("HSCAN", "h", "0", "MATCH"),
			cmd("HSCAN", "h", "0", "TYPE", "x"),
			cmd("HSCAN", "h", "0", "NOVALUES"),
			cmd(big...),
			cmd("HSCAN", "big", "0", "COUNT", "100000").ignore(scanAllOf(600)),
			cmd("HSCAN", "big", "0", "MATCH", "f59?", "COUNT", "100000").ignore(scanAllOf(10)),
			hello3(),
			cmd("HSCAN", "h", "0"),
		}},
		{"hash_resp3", []step{
			hello3(),
			cmd("HSET", "h", "a", "1", "b", "2"),
			cmd("HGETALL", "h"),
			cmd("HGETALL", "nokey"),
			cmd("HKEYS", "h"),
			cmd("HVALS", "h"),
			cmd("HGET", "h", "nosuch"),
			cmd("HMGET", "h", "a", "nosuch"),
			cmd("HINCRBYFLOAT", "h", "f", "1.5"),
			cmd("HRANDFIELD", "nokey"),
		}},
	}
}

// randFields checks an HRANDFIELD reply of n fields (each with its value
// when withValues, as pairs under RESP3) taken from a..c = 1..3, distinct
// when distinct is set.
func randFields(n int, withValues, distinct bool) func(*client, *value) error {
	want := map[string]string{"a": "1", "b": "2", "c": "3"}
	return func(_ *client, v *value) error {
		if n == 1 && !withValues && v.kind == '$' {
			if _, ok := want[v.str]; !ok {
				return fmt.Errorf("field %q not in the hash", v.str)
			}
			return nil
		}
		if v.kind != '*' {
			return fmt.Errorf("want an array, got %q", v.raw)
		}
		var pairs [][2]string
		switch {
		case withValues && len(v.elems) == n && n > 0 && v.elems[0].kind == '*':
			for _, e := range v.elems {
				if len(e.elems) != 2 {
					return fmt.Errorf("want pairs, got %q", v.raw)
				}
				pairs = append(pairs, [2]string{e.elems[0].str, e.elems[1].str})
			}
		case withValues:
			if len(v.elems) != 2*n {
				return fmt.Errorf("want %d elements, got %d", 2*n, len(v.elems))
			}
			for i := 0; i < len(v.elems); i += 2 {
				pairs = append(pairs, [2]string{v.elems[i].str, v.elems[i+1].str})
			}
		default:
			if len(v.elems) != n {
				return fmt.Errorf("want %d fields, got %d", n, len(v.elems))
			}
			for _, e := range v.elems {
				pairs = append(pairs, [2]string{e.str, want[e.str]})
			}
		}
		seen := map[string]bool{}
		for _, p := range pairs {
			if val, ok := want[p[0]]; !ok || val != p[1] {
				return fmt.Errorf("pair %q not in the hash", p)
			}
			if distinct && seen[p[0]] {
				return fmt.Errorf("field %q repeated", p[0])
			}
			seen[p[0]] = true
		}
		return nil
	}
}

// scanAllOf checks a one-call HSCAN reply that completed (cursor 0) with n
// field/value pairs, each field distinct.
func scanAllOf(n int) func(*client, *value) error {
	return func(_ *client, v *value) error {
		if v.kind != '*' || len(v.elems) != 2 || v.elems[0].str != "0" {
			return fmt.Errorf("want a finished scan, got %.80q", v.raw)
		}
		items := v.elems[1].elems
		if len(items) != 2*n {
			return fmt.Errorf("want %d pairs, got %d elements", n, len(items))
		}
		seen := map[string]bool{}
		for i := 0; i < len(items); i += 2 {
			f, val := items[i].str, items[i+1].str
			if seen[f] || len(f) < 2 || "v"+f[1:] != val {
				return fmt.Errorf("bad pair %q %q", f, val)
			}
			seen[f] = true
		}
		return nil
	}
}
