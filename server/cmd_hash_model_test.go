package server

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"sessiond/clock"
)

// hashModel is the reference for TestHashModel: plain maps of field to
// value and field to deadline, per key.
type hashModel struct {
	vals map[string]map[string]string
	ttl  map[string]map[string]int64
}

// expire drops the due fields of key and the key when it empties.
func (m *hashModel) expire(key string, now int64) {
	for f, d := range m.ttl[key] {
		if d <= now {
			delete(m.vals[key], f)
			delete(m.ttl[key], f)
		}
	}
	if len(m.vals[key]) == 0 {
		delete(m.vals, key)
		delete(m.ttl, key)
	}
}

func (m *hashModel) set(key, f, v string, keepTTL bool) bool {
	if m.vals[key] == nil {
		m.vals[key] = map[string]string{}
		m.ttl[key] = map[string]int64{}
	}
	_, had := m.vals[key][f]
	m.vals[key][f] = v
	if !keepTTL {
		delete(m.ttl[key], f)
	}
	return !had
}

// bulkItems parses a flat RESP2 array of bulk strings.
func bulkItems(t *testing.T, raw string) []string {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(raw, "\r\n"), "\r\n")
	if !strings.HasPrefix(lines[0], "*") {
		t.Fatalf("not an array: %q", raw)
	}
	var out []string
	for i := 2; i < len(lines); i += 2 {
		out = append(out, lines[i])
	}
	return out
}

// TestHashModel runs random hash commands, with field deadlines and a
// moving fake clock, against sessiond and hashModel, comparing every reply.
// Small listpack limits make hashes change encoding along the way.
func TestHashModel(t *testing.T) {
	encodings := map[string]bool{}
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(strconv.FormatUint(seed, 10), func(t *testing.T) { runHashModel(t, seed, encodings) })
	}
	for _, enc := range []string{"listpack", "listpackex", "hashtable"} {
		if !encodings[kBulk(enc)] {
			t.Errorf("encoding %s never seen: %v", enc, encodings)
		}
	}
}

func runHashModel(t *testing.T, seed uint64, encodings map[string]bool) {
	cfg := newTestConfig()
	cfg.values["hash-max-listpack-entries"] = "10"
	cfg.values["hash-max-listpack-value"] = "8"
	clk := clock.NewFake(time.Unix(1700000000, 0))
	s, addr := startServer(t, cfg, clk)
	c := dial(t, addr)
	r := rand.New(rand.NewPCG(seed, 99))
	m := &hashModel{vals: map[string]map[string]string{}, ttl: map[string]map[string]int64{}}
	keys := []string{"h1", "h2", "h3"}
	field := func() string { return "f" + strconv.Itoa(r.IntN(12)) }
	value := func() string {
		if r.IntN(30) == 0 {
			return strings.Repeat("v", 9+r.IntN(4)) // past the value limit
		}
		return strconv.Itoa(r.IntN(100))
	}
	for i := 0; i < 3000; i++ {
		now := clk.Now().UnixMilli()
		key := keys[r.IntN(len(keys))]
		m.expire(key, now)
		var args []string
		var want string
		switch op := r.IntN(12); op {
		case 0, 1:
			args = []string{"HSET", key}
			added := 0
			for n := 1 + r.IntN(3); n > 0; n-- {
				f, v := field(), value()
				args = append(args, f, v)
				if m.set(key, f, v, false) {
					added++
				}
			}
			want = kInt(int64(added))
		case 2:
			args = []string{"HDEL", key}
			n := 0
			for k := 1 + r.IntN(3); k > 0; k-- {
				f := field()
				args = append(args, f)
				if _, ok := m.vals[key][f]; ok {
					delete(m.vals[key], f)
					delete(m.ttl[key], f)
					n++
				}
			}
			m.expire(key, now)
			want = kInt(int64(n))
		case 3:
			f := field()
			args = []string{"HGET", key, f}
			if v, ok := m.vals[key][f]; ok {
				want = kBulk(v)
			} else {
				want = kNil
			}
		case 4:
			args = []string{"HLEN", key}
			want = kInt(int64(len(m.vals[key])))
		case 5:
			f := field()
			args = []string{"HINCRBY", key, f, strconv.Itoa(r.IntN(10) - 5)}
			cur, ok := m.vals[key][f]
			n, err := strconv.ParseInt(cur, 10, 64)
			if ok && err != nil {
				want = kErr("ERR hash value is not an integer")
				break
			}
			d, _ := strconv.ParseInt(args[3], 10, 64)
			m.set(key, f, strconv.FormatInt(n+d, 10), true)
			want = kInt(n + d)
		case 6:
			f, v := field(), value()
			args = []string{"HSETNX", key, f, v}
			if _, ok := m.vals[key][f]; ok {
				want = kZero
			} else {
				m.set(key, f, v, false)
				want = kOne
			}
		case 7:
			f := field()
			args = []string{"HPEXPIRE", key, strconv.Itoa(r.IntN(300)), "FIELDS", "1", f}
			ms, _ := strconv.ParseInt(args[2], 10, 64)
			switch _, ok := m.vals[key][f]; {
			case !ok:
				want = ints(-2)
			case ms == 0:
				delete(m.vals[key], f)
				delete(m.ttl[key], f)
				m.expire(key, now)
				want = ints(2)
			default:
				m.ttl[key][f] = now + ms
				want = ints(1)
			}
		case 8:
			f := field()
			args = []string{"HPTTL", key, "FIELDS", "1", f}
			_, ok := m.vals[key][f]
			d, has := m.ttl[key][f]
			switch {
			case !ok:
				want = ints(-2)
			case !has:
				want = ints(-1)
			default:
				want = ints(d - now)
			}
		case 9:
			f := field()
			args = []string{"HPERSIST", key, "FIELDS", "1", f}
			_, ok := m.vals[key][f]
			_, has := m.ttl[key][f]
			switch {
			case !ok:
				want = ints(-2)
			case !has:
				want = ints(-1)
			default:
				delete(m.ttl[key], f)
				want = ints(1)
			}
		case 10:
			args = []string{"HGETALL", key}
			got := bulkItems(t, c.do(args...))
			var pairs, wantPairs []string
			for j := 0; j+1 < len(got); j += 2 {
				pairs = append(pairs, got[j]+"="+got[j+1])
			}
			for f, v := range m.vals[key] {
				wantPairs = append(wantPairs, f+"="+v)
			}
			slices.Sort(pairs)
			slices.Sort(wantPairs)
			if !slices.Equal(pairs, wantPairs) {
				t.Fatalf("op %d HGETALL %s: %q, want %q", i, key, pairs, wantPairs)
			}
			continue
		case 11:
			if enc := c.do("OBJECT", "ENCODING", key); enc != kNil {
				encodings[enc] = true
			}
			clk.Advance(time.Duration(r.IntN(120)) * time.Millisecond)
			if r.IntN(2) == 0 {
				s.Store().SweepExpired(clk.Now().UnixMilli(), 1000)
			}
			continue
		}
		if got := c.do(args...); got != want {
			t.Fatalf("op %d %q: reply %q, want %q", i, args, got, want)
		}
	}
}
