package server

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"sessiond/storage"
)

// SetMaxIntsetEntries reads "set-max-intset-entries" from the test
// config's values, 512 when unset.
func (c *testConfig) SetMaxIntsetEntries() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.values["set-max-intset-entries"]; ok {
		n, _ := strconv.Atoi(v)
		return n
	}
	return 512
}

// effectRecorder collects effects as "db ARGS..." lines.
type effectRecorder struct {
	mu  sync.Mutex
	got []string
}

func recordEffects(s *Server) *effectRecorder {
	r := &effectRecorder{}
	s.Store().SetEffectSink(func(e storage.Effect) {
		parts := make([]string, len(e.Args)) // string() copies: args may be reused
		for i, a := range e.Args {
			parts[i] = string(a)
		}
		r.mu.Lock()
		r.got = append(r.got, fmt.Sprintf("%d %s", e.DB, strings.Join(parts, " ")))
		r.mu.Unlock()
	})
	return r
}

func (r *effectRecorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.got
	r.got = nil
	return out
}

func TestSetEffects(t *testing.T) {
	s, c, _ := strStart(t, nil)
	rec := recordEffects(s)
	cmds := []struct {
		args    []string
		effects []string
	}{
		{[]string{"SADD", "s", "a", "b", "a"}, []string{"0 SADD s a b"}},
		{[]string{"SADD", "s", "a"}, nil},
		{[]string{"SADD", "L", "a"}, nil}, // WRONGTYPE
		{[]string{"SREM", "s", "x", "a"}, []string{"0 SREM s a"}},
		{[]string{"SREM", "s", "x"}, nil},
		{[]string{"SMOVE", "s", "t", "b"}, []string{"0 SMOVE s t b"}},
		{[]string{"SMOVE", "s", "t", "b"}, nil},
		{[]string{"SMOVE", "t", "t", "b"}, nil},
		{[]string{"SISMEMBER", "t", "b"}, nil},
		{[]string{"SMEMBERS", "t"}, nil},
		{[]string{"SRANDMEMBER", "t", "-3"}, nil},
		{[]string{"SPOP", "t"}, []string{"0 SREM t b"}},
		{[]string{"SPOP", "t"}, nil},
		{[]string{"SADD", "u", "1", "2", "3"}, []string{"0 SADD u 1 2 3"}},
		{[]string{"SPOP", "u", "0"}, nil},
		{[]string{"SPOP", "u", "3"}, []string{"0 DEL u"}},
		{[]string{"SADD", "a", "1", "2", "3"}, []string{"0 SADD a 1 2 3"}},
		{[]string{"SADD", "b", "2", "3", "4"}, []string{"0 SADD b 2 3 4"}},
		{[]string{"SINTERSTORE", "d", "a", "b"}, []string{"0 DEL d", "0 SADD d 2 3"}},
		{[]string{"SUNIONSTORE", "d", "a", "b"}, []string{"0 DEL d", "0 SADD d 1 2 3 4"}},
		{[]string{"SDIFFSTORE", "d", "a", "b"}, []string{"0 DEL d", "0 SADD d 1"}},
		{[]string{"SDIFFSTORE", "d", "a", "a"}, []string{"0 DEL d"}},
		{[]string{"SDIFFSTORE", "d", "a", "a"}, nil}, // nothing to delete
		{[]string{"SINTERSTORE", "d", "a", "L"}, nil},
		{[]string{"SINTER", "a", "b"}, nil},
		{[]string{"SINTERCARD", "2", "a", "b"}, nil},
		{[]string{"SSCAN", "a", "0"}, nil},
	}
	for _, cmd := range cmds {
		c.do(cmd.args...)
		if got := rec.take(); fmt.Sprint(got) != fmt.Sprint(cmd.effects) {
			t.Errorf("%q: effects %q, want %q", cmd.args, got, cmd.effects)
		}
	}
}

// SPOP with a count logs exactly the members it returned, as one SREM.
func TestSetSpopCountEffect(t *testing.T) {
	s, c, _ := strStart(t, nil)
	args := []string{"SADD", "s"}
	for i := range 50 {
		args = append(args, "m"+strconv.Itoa(i))
	}
	c.do(args...)
	rec := recordEffects(s)
	for _, n := range []int{3, 40} { // both of Redis's strategies
		reply := c.do("SPOP", "s", strconv.Itoa(n))
		popped := parseBulks(t, reply)
		eff := rec.take()
		if len(popped) != n || len(eff) != 1 {
			t.Fatalf("SPOP %d: reply %q, effects %q", n, reply, eff)
		}
		want := "0 SREM s " + strings.Join(popped, " ")
		if eff[0] != want {
			t.Errorf("effect %q, want %q", eff[0], want)
		}
	}
	mustReply(t, c.do("SCARD", "s"), ":7\r\n")
}

// parseBulks reads the members of a flat RESP2 array of bulk strings.
func parseBulks(t *testing.T, raw string) []string {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(raw, "\r\n"), "\r\n")
	if len(lines) == 0 || lines[0][0] != '*' {
		t.Fatalf("not an array: %q", raw)
	}
	var out []string
	for i := 2; i < len(lines); i += 2 {
		out = append(out, lines[i])
	}
	return out
}

// The intset limit comes from set-max-intset-entries, read on each write.
func TestSetIntsetLimitFromConfig(t *testing.T) {
	cfg := newTestConfig()
	cfg.values["set-max-intset-entries"] = "3"
	_, c, _ := strStart(t, cfg)
	runSteps(t, c, []replyStep{
		step(":3\r\n", "SADD", "s", "1", "2", "3"),
		step(bulk("intset"), "OBJECT", "ENCODING", "s"),
		step(":1\r\n", "SADD", "s", "4"),
		step(bulk("hashtable"), "OBJECT", "ENCODING", "s"),
		step(":1\r\n", "SREM", "s", "4"),
		step(bulk("hashtable"), "OBJECT", "ENCODING", "s"), // one way, as in Redis
		step(":3\r\n", "SINTERSTORE", "d", "s", "s"),
		step(":3\r\n", "SCARD", "d"),
		step(bulk("intset"), "OBJECT", "ENCODING", "d"),
	})
	cfg.mu.Lock()
	cfg.values["set-max-intset-entries"] = "0"
	cfg.mu.Unlock()
	runSteps(t, c, []replyStep{
		step(":1\r\n", "SADD", "z", "1"),
		step(bulk("hashtable"), "OBJECT", "ENCODING", "z"),
	})
}

// COPY deep-copies a set in each representation.
func TestSetCopyIsDeep(t *testing.T) {
	_, c, _ := strStart(t, nil)
	big := []string{"SADD", "big"}
	for i := range 300 {
		big = append(big, "member-"+strconv.Itoa(i))
	}
	c.do(big...)
	c.do("SADD", "ints", "1", "2")
	c.do("SADD", "small", "a", "b")
	for _, k := range []string{"ints", "small", "big"} {
		mustReply(t, c.do("COPY", k, k+"2"), ":1\r\n")
		mustReply(t, c.do("SADD", k+"2", "new"), ":1\r\n")
		mustReply(t, c.do("SISMEMBER", k, "new"), ":0\r\n")
		mustReply(t, c.do("SREM", k+"2", "new"), ":1\r\n")
		a := parseBulks(t, c.do("SMEMBERS", k))
		b := parseBulks(t, c.do("SMEMBERS", k+"2"))
		slices.Sort(a)
		slices.Sort(b)
		if !slices.Equal(a, b) {
			t.Errorf("%s: copy differs", k)
		}
	}
}

func TestSetRandomCountBound(t *testing.T) {
	_, c, _ := strStart(t, nil)
	c.do("SADD", "s", "a")
	mustReply(t, c.do("SRANDMEMBER", "s", "-4194305"), "-"+errRandCountTooBig+"\r\n")
	if got := c.do("SRANDMEMBER", "s", "-3"); got != "*3\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n" {
		t.Fatalf("reply %q", got)
	}
}

// TestSetModelRandom sends random set commands (fixed seeds) over a few
// keys and compares every reply with a map-based model: exact replies
// where the order is defined, sorted members for whole sets, shape and
// membership for random picks (which then update the model).
func TestSetModelRandom(t *testing.T) {
	for seed := uint64(1); seed <= 6; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { setModelRun(t, seed, 600) })
	}
}

func setModelRun(t *testing.T, seed uint64, ops int) {
	_, c, _ := strStart(t, nil)
	rng := rand.New(rand.NewPCG(seed, 42))
	model := map[string]map[string]bool{}
	keys := []string{"a", "b", "c", "L"} // L holds a list: WRONGTYPE
	member := func() string {
		if rng.IntN(2) == 0 {
			return strconv.Itoa(rng.IntN(12))
		}
		return "m" + strconv.Itoa(rng.IntN(12))
	}
	key := func() string { return keys[rng.IntN(len(keys))] }
	setKey := func() string { return keys[rng.IntN(3)] }
	sortedOf := func(set map[string]bool) []string {
		out := make([]string, 0, len(set))
		for m := range set {
			out = append(out, m)
		}
		slices.Sort(out)
		return out
	}
	intReply := func(n int) string { return ":" + strconv.Itoa(n) + "\r\n" }
	wrong := "-" + errWrongType + "\r\n"
	store := func(dst string, res map[string]bool) {
		if len(res) == 0 {
			delete(model, dst)
		} else {
			model[dst] = res
		}
	}
	// combine computes op over ks, or reports a WRONGTYPE key.
	combine := func(op string, ks []string) (map[string]bool, bool) {
		for _, k := range ks {
			if k == "L" {
				return nil, false
			}
		}
		res := map[string]bool{}
		switch op {
		case "union":
			for _, k := range ks {
				for m := range model[k] {
					res[m] = true
				}
			}
		case "inter":
			for m := range model[ks[0]] {
				in := true
				for _, k := range ks[1:] {
					in = in && model[k][m]
				}
				if in {
					res[m] = true
				}
			}
		case "diff":
			for m := range model[ks[0]] {
				in := false
				for _, k := range ks[1:] {
					in = in || model[k][m]
				}
				if !in {
					res[m] = true
				}
			}
		}
		return res, true
	}
	for op := 0; op < ops; op++ {
		var args []string
		var check func(reply string) string // "" when the reply is right
		exact := func(want string) func(string) string {
			return func(got string) string {
				if got != want {
					return "want " + strconv.Quote(want)
				}
				return ""
			}
		}
		members := func(want []string) func(string) string {
			return func(got string) string {
				if !strings.HasPrefix(got, "*") {
					return "want an array"
				}
				g := parseBulks(t, got)
				slices.Sort(g)
				if !slices.Equal(g, want) {
					return fmt.Sprintf("want members %q", want)
				}
				return ""
			}
		}
		switch r := rng.IntN(13); r {
		case 0, 1: // SADD
			k := key()
			ms := []string{member(), member(), member()}[:1+rng.IntN(3)]
			args = append([]string{"SADD", k}, ms...)
			if k == "L" {
				check = exact(wrong)
				break
			}
			n := 0
			for _, m := range ms {
				if model[k] == nil {
					model[k] = map[string]bool{}
				}
				if !model[k][m] {
					model[k][m] = true
					n++
				}
			}
			check = exact(intReply(n))
		case 2: // SREM
			k := key()
			ms := []string{member(), member()}
			args = append([]string{"SREM", k}, ms...)
			if k == "L" {
				check = exact(wrong)
				break
			}
			n := 0
			for _, m := range ms {
				if model[k][m] {
					delete(model[k], m)
					n++
				}
			}
			if len(model[k]) == 0 {
				delete(model, k)
			}
			check = exact(intReply(n))
		case 3: // SISMEMBER / SMISMEMBER
			k, m1, m2 := setKey(), member(), member()
			args = []string{"SMISMEMBER", k, m1, m2}
			b := func(v bool) string {
				if v {
					return ":1\r\n"
				}
				return ":0\r\n"
			}
			check = exact("*2\r\n" + b(model[k][m1]) + b(model[k][m2]))
			if rng.IntN(2) == 0 {
				args = []string{"SISMEMBER", k, m1}
				check = exact(b(model[k][m1]))
			}
		case 4: // SCARD, EXISTS
			k := setKey()
			args = []string{"SCARD", k}
			check = exact(intReply(len(model[k])))
			if rng.IntN(2) == 0 {
				args = []string{"EXISTS", k}
				check = exact(intReply(min(len(model[k]), 1)))
			}
		case 5: // SMEMBERS
			k := setKey()
			args = []string{"SMEMBERS", k}
			check = members(sortedOf(model[k]))
		case 6, 7: // SINTER SUNION SDIFF and STORE forms, SINTERCARD
			opn := []string{"inter", "union", "diff"}[rng.IntN(3)]
			ks := []string{key(), setKey()}[:1+rng.IntN(2)]
			res, ok := combine(opn, ks)
			switch rng.IntN(3) {
			case 0:
				args = append([]string{"S" + strings.ToUpper(opn)}, ks...)
				if !ok {
					check = exact(wrong)
				} else {
					check = members(sortedOf(res))
				}
			case 1:
				dst := setKey()
				args = append([]string{"S" + strings.ToUpper(opn) + "STORE", dst}, ks...)
				if !ok {
					check = exact(wrong)
				} else {
					store(dst, res)
					check = exact(intReply(len(res)))
				}
			default:
				res, ok = combine("inter", ks)
				args = append([]string{"SINTERCARD", strconv.Itoa(len(ks))}, ks...)
				if !ok {
					check = exact(wrong)
				} else {
					check = exact(intReply(len(res)))
				}
			}
		case 8: // SMOVE
			src, dst, m := key(), key(), member()
			args = []string{"SMOVE", src, dst, m}
			switch {
			case src != "L" && model[src] == nil:
				check = exact(":0\r\n")
			case src == "L" || dst == "L":
				check = exact(wrong)
			case !model[src][m]:
				check = exact(":0\r\n")
			default:
				delete(model[src], m)
				if len(model[src]) == 0 {
					delete(model, src)
				}
				if model[dst] == nil {
					model[dst] = map[string]bool{}
				}
				model[dst][m] = true
				check = exact(":1\r\n")
			}
		case 9, 10: // SPOP with and without count
			k := setKey()
			n := rng.IntN(4)
			args = []string{"SPOP", k, strconv.Itoa(n)}
			want := min(n, len(model[k]))
			if rng.IntN(2) == 0 {
				args = args[:2]
				want = min(1, len(model[k]))
			}
			check = func(got string) string {
				var popped []string
				switch {
				case len(args) == 2 && want == 0:
					if got != strNil {
						return "want nil"
					}
				case len(args) == 2:
					popped = parseBulks(t, "*1\r\n"+got)
				default:
					popped = parseBulks(t, got)
				}
				if len(popped) != want {
					return fmt.Sprintf("want %d members", want)
				}
				for _, m := range popped {
					if !model[k][m] {
						return fmt.Sprintf("%q is not a member (or repeats)", m)
					}
					delete(model[k], m)
				}
				if len(model[k]) == 0 {
					delete(model, k)
				}
				return ""
			}
		default: // SRANDMEMBER
			k := setKey()
			n := rng.IntN(9) - 4
			args = []string{"SRANDMEMBER", k, strconv.Itoa(n)}
			want := min(n, len(model[k]))
			if n < 0 {
				want = -n
				if model[k] == nil {
					want = 0
				}
			}
			check = func(got string) string {
				picked := parseBulks(t, got)
				if len(picked) != want {
					return fmt.Sprintf("want %d members", want)
				}
				seen := map[string]bool{}
				for _, m := range picked {
					if !model[k][m] || n > 0 && seen[m] {
						return fmt.Sprintf("%q is not a member (or repeats)", m)
					}
					seen[m] = true
				}
				return ""
			}
		}
		got := c.do(args...)
		if why := check(got); why != "" {
			t.Fatalf("seed %d op %d %q: reply %q: %s", seed, op, args, got, why)
		}
	}
	// the server and the model end with the same sets
	for _, k := range keys[:3] {
		g := parseBulks(t, c.do("SMEMBERS", k))
		slices.Sort(g)
		if want := sortedOf(model[k]); !slices.Equal(g, want) {
			t.Fatalf("seed %d: %s holds %q, model %q", seed, k, g, want)
		}
	}
}

// TestSetEffectsReplay runs random set commands on one server, replays
// the effects they logged as commands on a second one, and checks that
// both hold the same sets: the effects are deterministic and complete.
func TestSetEffectsReplay(t *testing.T) {
	primary, primaryAddr := startServer(t, nil, nil)
	c := dial(t, primaryAddr)
	_, replicaAddr := startServer(t, nil, nil)
	r := dial(t, replicaAddr)
	rec := recordEffects(primary)
	rng := rand.New(rand.NewPCG(3, 9))
	keys := []string{"a", "b", "c"}
	member := func() string {
		if rng.IntN(3) == 0 {
			return "m" + strconv.Itoa(rng.IntN(10))
		}
		return strconv.Itoa(rng.IntN(10))
	}
	key := func() string { return keys[rng.IntN(len(keys))] }
	for op := 0; op < 800; op++ {
		var args []string
		switch rng.IntN(9) {
		case 0, 1:
			args = []string{"SADD", key(), member(), member()}
		case 2:
			args = []string{"SREM", key(), member(), member()}
		case 3:
			args = []string{"SPOP", key()}
		case 4:
			args = []string{"SPOP", key(), strconv.Itoa(rng.IntN(6))}
		case 5:
			args = []string{"SMOVE", key(), key(), member()}
		case 6:
			args = []string{"SINTERSTORE", key(), key(), key()}
		case 7:
			args = []string{"SUNIONSTORE", key(), key(), key()}
		default:
			args = []string{"SDIFFSTORE", key(), key(), key()}
		}
		c.do(args...)
		for _, e := range rec.take() {
			db, cmd, _ := strings.Cut(e, " ")
			if db != "0" {
				t.Fatalf("effect in db %s: %q", db, e)
			}
			if got := r.do(strings.Split(cmd, " ")...); strings.HasPrefix(got, "-") {
				t.Fatalf("replaying %q: %q", cmd, got)
			}
		}
		for _, k := range keys {
			a := parseBulks(t, c.do("SMEMBERS", k))
			b := parseBulks(t, r.do("SMEMBERS", k))
			slices.Sort(a)
			slices.Sort(b)
			if !slices.Equal(a, b) {
				t.Fatalf("op %d %q: %s: primary %q, replica %q", op, args, k, a, b)
			}
		}
	}
	mustReply(t, r.do("DBSIZE"), c.do("DBSIZE"))
}
