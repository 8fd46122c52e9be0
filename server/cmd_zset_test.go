package server

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"testing"

	"sessiond/storage"
)

func (c *testConfig) ZsetMaxListpackEntries() int { return 128 }
func (c *testConfig) ZsetMaxListpackValue() int   { return 64 }

// ZRANK/ZREVRANK WITHSCORE is Redis 7.2, absent from the difftest's 7.0.
func TestZrankWithscore(t *testing.T) {
	_, c, _ := keyStart(t)
	runSteps(t, c, []replyStep{
		step(":3\r\n", "ZADD", "z", "1", "a", "2.5", "b", "3", "c"),
		step("*2\r\n:1\r\n$3\r\n2.5\r\n", "ZRANK", "z", "b", "WITHSCORE"),
		step("*2\r\n:0\r\n$1\r\n3\r\n", "ZREVRANK", "z", "c", "withscore"),
		step("*-1\r\n", "ZRANK", "z", "nope", "WITHSCORE"),
		step("*-1\r\n", "ZREVRANK", "missing", "a", "WITHSCORE"),
		step("$-1\r\n", "ZRANK", "z", "nope"),
		step("-ERR syntax error\r\n", "ZRANK", "z", "a", "WITHSCORES"),
		step("-"+errRandCountTooBig+"\r\n", "ZRANDMEMBER", "z", "-4194305"),
		step("-ERR syntax error\r\n", "ZRANK", "z", "a", "WITHSCORE", "x"),
		step("+OK\r\n", "SET", "s", "v"),
		step("-"+errWrongType+"\r\n", "ZRANK", "s", "a", "WITHSCORE"),
	})
	c.do("HELLO", "3")
	runSteps(t, c, []replyStep{
		step("*2\r\n:2\r\n,3\r\n", "ZRANK", "z", "c", "WITHSCORE"),
		step("_\r\n", "ZRANK", "z", "nope", "WITHSCORE"),
		step("_\r\n", "ZRANK", "z", "nope"),
	})
}

// Every mutation logs a deterministic effect: ZADD of the resulting
// scores, ZREM of what was removed, DEL + ZADD for the store commands.
func TestZsetEffects(t *testing.T) {
	s, c, _ := keyStart(t)
	var log effectLog
	s.Store().SetEffectSink(log.add)
	defer s.Store().SetEffectSink(nil)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"ZADD", "z", "1", "a", "2", "b"}, "0:ZADD z 1 a 2 b"},
		{[]string{"ZADD", "z", "1", "a", "3", "b", "4", "c"}, "0:ZADD z 3 b 4 c"},
		{[]string{"ZADD", "z", "NX", "9", "a"}, ""},
		{[]string{"ZADD", "z", "XX", "GT", "0", "a", "9", "c"}, "0:ZADD z 9 c"},
		{[]string{"ZADD", "z", "INCR", "0.5", "a"}, "0:ZADD z 1.5 a"},
		{[]string{"ZINCRBY", "z", "0.1", "a"}, "0:ZADD z 1.6000000000000001 a"},
		{[]string{"ZINCRBY", "z", "0", "a"}, ""},
		{[]string{"ZREM", "z", "nope", "b"}, "0:ZREM z b"},
		{[]string{"ZREM", "z", "nope"}, ""},
		{[]string{"ZADD", "z", "5", "d", "6", "e", "7", "f"}, "0:ZADD z 5 d 6 e 7 f"},
		{[]string{"ZPOPMIN", "z"}, "0:ZREM z a"},
		{[]string{"ZPOPMAX", "z", "2"}, "0:ZREM z c f"},
		{[]string{"ZREMRANGEBYRANK", "z", "0", "0"}, "0:ZREM z d"},
		{[]string{"ZREMRANGEBYSCORE", "z", "100", "200"}, ""},
		{[]string{"ZADD", "l", "0", "x", "0", "y"}, "0:ZADD l 0 x 0 y"},
		{[]string{"ZREMRANGEBYLEX", "l", "[x", "(y"}, "0:ZREM l x"},
		{[]string{"ZRANGESTORE", "dst", "z", "0", "-1"}, "0:DEL dst|0:ZADD dst 6 e"},
		{[]string{"ZRANGESTORE", "dst", "z", "5", "9"}, "0:DEL dst"},
		{[]string{"ZRANGESTORE", "dst", "z", "5", "9"}, ""},
		{[]string{"ZUNIONSTORE", "u", "2", "z", "l", "WEIGHTS", "2", "1"}, "0:DEL u|0:ZADD u 0 y 12 e"},
		{[]string{"ZINTERSTORE", "u", "2", "z", "l"}, "0:DEL u"},
		{[]string{"ZRANDMEMBER", "z", "-3"}, ""},
		{[]string{"ZSCAN", "z", "0"}, ""},
		{[]string{"ZREM", "z", "e"}, "0:ZREM z e"},
	} {
		log.mu.Lock()
		log.log = nil
		log.mu.Unlock()
		c.do(tt.args...)
		if got := log.String(); got != tt.want {
			t.Errorf("%v: effects %q, want %q", tt.args, got, tt.want)
		}
	}
	mustReply(t, c.do("EXISTS", "z", "u", "dst"), ":0\r\n")
}

// zmodel is the reference sorted set: a map, sorted on demand.
type zmodel map[string]float64

type zpair struct {
	m string
	s float64
}

func (z zmodel) sorted() []zpair {
	out := make([]zpair, 0, len(z))
	for m, s := range z {
		out = append(out, zpair{m, s})
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].s < out[j].s || out[i].s == out[j].s && out[i].m < out[j].m
	})
	return out
}

func fmtScore(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func respBulk(s string) string { return "$" + strconv.Itoa(len(s)) + "\r\n" + s + "\r\n" }
func respInt(n int) string     { return ":" + strconv.Itoa(n) + "\r\n" }

func respPairs(ps []zpair, withScores bool) string {
	var b strings.Builder
	n := len(ps)
	if withScores {
		n *= 2
	}
	b.WriteString("*" + strconv.Itoa(n) + "\r\n")
	for _, p := range ps {
		b.WriteString(respBulk(p.m))
		if withScores {
			b.WriteString(respBulk(fmtScore(p.s)))
		}
	}
	return b.String()
}

// scoreBound is one random end of a score range and its test.
func scoreBound(r *rand.Rand) (string, func(float64, bool) bool) {
	switch r.IntN(8) {
	case 0:
		return "-inf", func(float64, bool) bool { return true }
	case 1:
		return "+inf", func(float64, bool) bool { return true }
	}
	v := float64(r.IntN(24)) / 2
	if r.IntN(2) == 0 {
		return "(" + fmtScore(v), func(s float64, isMin bool) bool {
			if isMin {
				return s > v
			}
			return s < v
		}
	}
	return fmtScore(v), func(s float64, isMin bool) bool {
		if isMin {
			return s >= v
		}
		return s <= v
	}
}

// TestZsetModel runs random sorted-set commands against the server and a
// map model and compares every reply; members go past 128 so both
// encodings and the conversion are exercised.
func TestZsetModel(t *testing.T) {
	_, c, _ := keyStart(t)
	for seed := uint64(1); seed <= 3; seed++ {
		r := rand.New(rand.NewPCG(seed, 42))
		c.do("FLUSHALL")
		z := zmodel{}
		lex := map[string]bool{}
		w := zmodel{}
		member := func() string { return "m" + strconv.Itoa(r.IntN(180)) }
		score := func() float64 { return float64(r.IntN(40)-10) / 2 }
		for i := 0; i < 3000; i++ {
			var args []string
			var want string
			switch op := r.IntN(19); op {
			case 16: // a second set, for the store commands
				m, sc := member(), score()
				args = []string{"ZADD", "w", fmtScore(sc), m}
				_, had := w[m]
				want = respInt(map[bool]int{true: 0, false: 1}[had])
				w[m] = sc
			case 17, 18: // ZUNIONSTORE / ZINTERSTORE z w, checked through ZRANGE
				wz, ww := float64(r.IntN(3)-1), float64(r.IntN(3)+1)
				agg := []string{"SUM", "MIN", "MAX"}[r.IntN(3)]
				cmd := "ZUNIONSTORE"
				if op == 18 {
					cmd = "ZINTERSTORE"
				}
				fold := func(a, b float64) float64 {
					switch agg {
					case "MIN":
						return min(a, b)
					case "MAX":
						return max(a, b)
					}
					return a + b
				}
				res := zmodel{}
				for m, sc := range z {
					if sw, ok := w[m]; ok {
						res[m] = fold(sc*wz, sw*ww)
					} else if op == 17 {
						res[m] = sc * wz
					}
				}
				if op == 17 {
					for m, sw := range w {
						if _, ok := z[m]; !ok {
							res[m] = sw * ww
						}
					}
				}
				for m, v := range res {
					if v == 0 && len(res) <= 128 {
						res[m] = 0 // a compact (listpack) result keeps -0 as 0
					}
				}
				got := c.do(cmd, "dst", "2", "z", "w", "WEIGHTS", fmtScore(wz), fmtScore(ww), "AGGREGATE", agg)
				if got != respInt(len(res)) {
					t.Fatalf("seed %d step %d %s: reply %q, want %d", seed, i, cmd, got, len(res))
				}
				args = []string{"ZRANGE", "dst", "0", "-1", "WITHSCORES"}
				want = respPairs(res.sorted(), true)
			case 0, 1, 2: // ZADD with flags
				flags := [][]string{nil, {"NX"}, {"XX"}, {"GT"}, {"LT"}, {"CH"}, {"XX", "GT", "CH"}, {"LT", "CH"}}[r.IntN(8)]
				args = append([]string{"ZADD", "z"}, flags...)
				has := func(f string) bool {
					for _, x := range flags {
						if x == f {
							return true
						}
					}
					return false
				}
				n := 1 + r.IntN(4)
				changed, added := 0, 0
				for j := 0; j < n; j++ {
					m, s := member(), score()
					args = append(args, fmtScore(s), m)
					cur, ok := z[m]
					switch {
					case !ok && !has("XX"):
						z[m] = s
						added++
					case ok && !has("NX") && !(has("GT") && s <= cur) && !(has("LT") && s >= cur) && s != cur:
						z[m] = s
						changed++
					}
				}
				if has("CH") {
					want = respInt(added + changed)
				} else {
					want = respInt(added)
				}
			case 3: // ZINCRBY
				m, s := member(), score()
				args = []string{"ZINCRBY", "z", fmtScore(s), m}
				z[m] += s
				want = respBulk(fmtScore(z[m]))
			case 4: // ZREM
				m1, m2 := member(), member()
				args = []string{"ZREM", "z", m1, m2}
				n := 0
				for _, m := range []string{m1, m2} {
					if _, ok := z[m]; ok {
						delete(z, m)
						n++
					}
				}
				want = respInt(n)
			case 5: // ZSCORE, ZRANK, ZREVRANK
				m := member()
				cmd := []string{"ZSCORE", "ZRANK", "ZREVRANK"}[r.IntN(3)]
				args = []string{cmd, "z", m}
				s, ok := z[m]
				switch {
				case !ok:
					want = "$-1\r\n"
				case cmd == "ZSCORE":
					want = respBulk(fmtScore(s))
				default:
					ps := z.sorted()
					for k, p := range ps {
						if p.m == m {
							if cmd == "ZREVRANK" {
								k = len(ps) - 1 - k
							}
							want = respInt(k)
						}
					}
				}
			case 6: // ZCARD
				args = []string{"ZCARD", "z"}
				want = respInt(len(z))
			case 7: // ZRANGE by rank
				a, b := r.IntN(200)-100, r.IntN(200)-100
				args = []string{"ZRANGE", "z", strconv.Itoa(a), strconv.Itoa(b)}
				rev, ws := r.IntN(2) == 0, r.IntN(2) == 0
				if rev {
					args = append(args, "REV")
				}
				if ws {
					args = append(args, "WITHSCORES")
				}
				ps := z.sorted()
				if rev {
					for i, j := 0, len(ps)-1; i < j; i, j = i+1, j-1 {
						ps[i], ps[j] = ps[j], ps[i]
					}
				}
				n := len(ps)
				if a < 0 {
					a += n
				}
				if b < 0 {
					b += n
				}
				a = max(a, 0)
				b = min(b, n-1)
				if a > b {
					ps = nil
				} else {
					ps = ps[a : b+1]
				}
				want = respPairs(ps, ws)
			case 8, 9: // ZRANGE BYSCORE [REV] [LIMIT] [WITHSCORES], ZCOUNT
				lo, loOK := scoreBound(r)
				hi, hiOK := scoreBound(r)
				if lo == "+inf" {
					lo = "-inf"
				}
				if hi == "-inf" {
					hi = "+inf"
				}
				var in []zpair
				for _, p := range z.sorted() {
					if loOK(p.s, true) && hiOK(p.s, false) {
						in = append(in, p)
					}
				}
				if op == 9 {
					args = []string{"ZCOUNT", "z", lo, hi}
					want = respInt(len(in))
					break
				}
				rev, ws := r.IntN(2) == 0, r.IntN(2) == 0
				if rev {
					args = []string{"ZRANGE", "z", hi, lo, "BYSCORE", "REV"}
					for i, j := 0, len(in)-1; i < j; i, j = i+1, j-1 {
						in[i], in[j] = in[j], in[i]
					}
				} else {
					args = []string{"ZRANGE", "z", lo, hi, "BYSCORE"}
				}
				if r.IntN(2) == 0 {
					off, cnt := r.IntN(10), r.IntN(12)-2
					args = append(args, "LIMIT", strconv.Itoa(off), strconv.Itoa(cnt))
					if off >= len(in) {
						in = nil
					} else {
						in = in[off:]
						if cnt >= 0 && cnt < len(in) {
							in = in[:cnt]
						}
					}
				}
				if ws {
					args = append(args, "WITHSCORES")
				}
				want = respPairs(in, ws)
			case 10: // ZPOPMIN/ZPOPMAX count
				cnt := r.IntN(4)
				ps := z.sorted()
				cmd := "ZPOPMIN"
				if r.IntN(2) == 0 {
					cmd = "ZPOPMAX"
					for i, j := 0, len(ps)-1; i < j; i, j = i+1, j-1 {
						ps[i], ps[j] = ps[j], ps[i]
					}
				}
				args = []string{cmd, "z", strconv.Itoa(cnt)}
				ps = ps[:min(cnt, len(ps))]
				for _, p := range ps {
					delete(z, p.m)
				}
				want = respPairs(ps, true)
			case 11: // ZREMRANGEBYRANK
				a, b := r.IntN(20)-10, r.IntN(20)-10
				args = []string{"ZREMRANGEBYRANK", "z", strconv.Itoa(a), strconv.Itoa(b)}
				ps := z.sorted()
				n := len(ps)
				if a < 0 {
					a += n
				}
				if b < 0 {
					b += n
				}
				a = max(a, 0)
				b = min(b, n-1)
				k := 0
				if a <= b {
					for _, p := range ps[a : b+1] {
						delete(z, p.m)
					}
					k = b - a + 1
				}
				want = respInt(k)
			case 12: // ZREMRANGEBYSCORE
				lo, loOK := scoreBound(r)
				hi, hiOK := scoreBound(r)
				args = []string{"ZREMRANGEBYSCORE", "z", lo, hi}
				k := 0
				for m, s := range z {
					if lo != "+inf" && hi != "-inf" && loOK(s, true) && hiOK(s, false) {
						delete(z, m)
						k++
					}
				}
				want = respInt(k)
			case 13: // lex key: ZADD 0
				m := member()
				args = []string{"ZADD", "lex", "0", m}
				want = respInt(map[bool]int{true: 0, false: 1}[lex[m]])
				lex[m] = true
			case 14, 15: // ZRANGEBYLEX / ZLEXCOUNT / ZREMRANGEBYLEX
				a, b := member(), member()
				if a > b {
					a, b = b, a
				}
				aex, bex := r.IntN(2) == 0, r.IntN(2) == 0
				bound := func(s string, ex bool) string {
					if ex {
						return "(" + s
					}
					return "[" + s
				}
				var in []zpair
				for m := range lex {
					if (m > a || !aex && m == a) && (m < b || !bex && m == b) {
						in = append(in, zpair{m, 0})
					}
				}
				sort.Slice(in, func(i, j int) bool { return in[i].m < in[j].m })
				switch r.IntN(3) {
				case 0:
					args = []string{"ZRANGEBYLEX", "lex", bound(a, aex), bound(b, bex)}
					want = respPairs(in, false)
				case 1:
					args = []string{"ZLEXCOUNT", "lex", bound(a, aex), bound(b, bex)}
					want = respInt(len(in))
				default:
					args = []string{"ZREMRANGEBYLEX", "lex", bound(a, aex), bound(b, bex)}
					for _, p := range in {
						delete(lex, p.m)
					}
					want = respInt(len(in))
				}
			}
			if got := c.do(args...); got != want {
				t.Fatalf("seed %d step %d %q: reply %q, want %q", seed, i, args, got, want)
			}
		}
		want := fmt.Sprintf(":%d\r\n", len(z))
		if got := c.do("ZCARD", "z"); got != want {
			t.Fatalf("seed %d: final ZCARD %q, want %q", seed, got, want)
		}
	}
}

// fakeSet stands in for the set type, which lives on another branch:
// ZUNIONSTORE and ZINTERSTORE read any set through memberSet.
type fakeSet []string

func (s fakeSet) Kind() storage.Kind { return storage.KindSet }
func (s fakeSet) Len() int           { return len(s) }
func (s fakeSet) Has(m []byte) bool {
	for _, x := range s {
		if x == string(m) {
			return true
		}
	}
	return false
}
func (s fakeSet) Each(fn func(m []byte) bool) {
	for _, x := range s {
		if !fn([]byte(x)) {
			return
		}
	}
}

// Redis accepts plain sets as inputs of ZUNIONSTORE/ZINTERSTORE, every
// member scoring 1 (times its weight).
func TestZstoreSetInputs(t *testing.T) {
	s, c, _ := keyStart(t)
	keyPut(s, 0, "s", fakeSet{"a", "b", "x"})
	runSteps(t, c, []replyStep{
		step(":2\r\n", "ZADD", "z", "5", "a", "7", "b"),
		step(":3\r\n", "ZUNIONSTORE", "u", "2", "z", "s", "WEIGHTS", "1", "10"),
		step("*6\r\n$1\r\nx\r\n$2\r\n10\r\n$1\r\na\r\n$2\r\n15\r\n$1\r\nb\r\n$2\r\n17\r\n", "ZRANGE", "u", "0", "-1", "WITHSCORES"),
		step(":2\r\n", "ZINTERSTORE", "i", "2", "s", "z", "AGGREGATE", "MIN"),
		step("*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n1\r\n", "ZRANGE", "i", "0", "-1", "WITHSCORES"),
		step(":3\r\n", "ZUNIONSTORE", "o", "1", "s"),
		step("+OK\r\n", "SET", "str", "v"),
		step("-"+errWrongType+"\r\n", "ZUNIONSTORE", "u", "2", "s", "str"),
	})
}
