package server

import (
	"fmt"
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
