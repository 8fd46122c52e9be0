package difftest

import (
	"bufio"
	"strings"
	"testing"
	"time"
)

// parse reads one reply from in and returns it and the unread rest.
func parse(t *testing.T, in string) (*value, string) {
	t.Helper()
	c := &client{rd: bufio.NewReader(strings.NewReader(in))}
	v, err := c.read()
	if err != nil {
		t.Fatalf("parse %q: %v", in, err)
	}
	rest := make([]byte, c.rd.Buffered())
	_, _ = c.rd.Read(rest)
	return v, string(rest)
}

// Every RESP2/RESP3 type ends where it should: the trailing "+NEXT" is not
// consumed.
func TestReadOneReply(t *testing.T) {
	replies := []string{
		"+OK\r\n", "-ERR x\r\n", ":-12\r\n", "$3\r\na\r\n\r\n", "$-1\r\n", "$0\r\n\r\n",
		"*-1\r\n", "*0\r\n", "*2\r\n$1\r\na\r\n*1\r\n:1\r\n", "_\r\n", ",3.5\r\n", ",inf\r\n",
		"#t\r\n", "!5\r\nERR x\r\n", "=7\r\ntxt:abc\r\n", "(123456789012345678901234567890\r\n",
		"%2\r\n+a\r\n:1\r\n+b\r\n_\r\n", "~2\r\n+x\r\n+y\r\n", ">2\r\n+message\r\n+hi\r\n",
		"|1\r\n+ttl\r\n:5\r\n$1\r\nv\r\n",
	}
	for _, r := range replies {
		v, rest := parse(t, r+"+NEXT\r\n")
		if string(v.raw) != r || rest != "+NEXT\r\n" {
			t.Errorf("reply %q: raw %q, rest %q", r, v.raw, rest)
		}
	}
	for _, bad := range []string{"?x\r\n", "$5\r\nab\r\n", ":1.5\r\n", "+OK\n", "$-2\r\n", "~-1\r\n"} {
		c := &client{rd: bufio.NewReader(strings.NewReader(bad))}
		if _, err := c.read(); err == nil {
			t.Errorf("malformed reply %q accepted", bad)
		}
	}
}

func TestCompareModes(t *testing.T) {
	cases := []struct {
		st    step
		a, b  string
		agree bool
	}{
		{cmd(), "+OK\r\n", "+OK\r\n", true},
		{cmd(), "$1\r\na\r\n", "+a\r\n", false},
		{cmd().sorted(), "*2\r\n$1\r\na\r\n$1\r\nb\r\n", "*2\r\n$1\r\nb\r\n$1\r\na\r\n", true},
		{cmd().sorted(), "*2\r\n$1\r\na\r\n$1\r\nb\r\n", "*2\r\n$1\r\nb\r\n$1\r\nc\r\n", false},
		{cmd().sorted(), "~1\r\n+a\r\n", "*1\r\n+a\r\n", false},
		{cmd().sorted(), "%2\r\n+a\r\n:1\r\n+b\r\n:2\r\n", "%2\r\n+b\r\n:2\r\n+a\r\n:1\r\n", true},
		{cmd().sorted(), "%2\r\n+a\r\n:1\r\n+b\r\n:2\r\n", "%2\r\n+b\r\n:1\r\n+a\r\n:2\r\n", false},
		{cmd().ttl(), ":100\r\n", ":99\r\n", true},
		{cmd().ttl(), ":100\r\n", ":98\r\n", false},
		{cmd().ttl(), ":-1\r\n", ":0\r\n", false},
		{cmd().ttl(), ":-2\r\n", ":-1\r\n", false},
		{cmd().pttl(), ":100000\r\n", ":98600\r\n", true},
		{cmd().float(0.01), "$4\r\n1.50\r\n", "$3\r\n1.5\r\n", true},
		{cmd().float(0.01), "$3\r\n1.5\r\n", "$3\r\n1.6\r\n", false},
		{cmd().typeOnly(), ":1\r\n", ":7\r\n", true},
		{cmd().typeOnly(), ":1\r\n", "$1\r\n1\r\n", false},
		{cmd().typeOnly(), "$-1\r\n", "$1\r\n1\r\n", false},
		{cmd().ignore(nil), ":1\r\n", "-ERR\r\n", true},
		{cmd().hello(), "*4\r\n$5\r\nproto\r\n:2\r\n$2\r\nid\r\n:1\r\n", "*4\r\n$5\r\nproto\r\n:2\r\n$2\r\nid\r\n:9\r\n", true},
		{cmd().hello(), "*4\r\n$5\r\nproto\r\n:2\r\n$2\r\nid\r\n:1\r\n", "*4\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:1\r\n", false},
		{cmd().hello(), "*4\r\n$5\r\nproto\r\n:2\r\n$2\r\nid\r\n:1\r\n", "%2\r\n$5\r\nproto\r\n:2\r\n$2\r\nid\r\n:1\r\n", false},
		{cmd().hello(), "*2\r\n$5\r\nproto\r\n:2\r\n", "*4\r\n$5\r\nproto\r\n:2\r\n$2\r\nid\r\n:1\r\n", false},
		{cmd().hello(), "-NOPROTO x\r\n", "-NOPROTO y\r\n", false},
	}
	for i, c := range cases {
		a, _ := parse(t, c.a)
		b, _ := parse(t, c.b)
		why := compare(c.st, a, b)
		if (why == "") != c.agree {
			t.Errorf("case %d: compare(%q, %q) = %q, want agree=%v", i, c.a, c.b, why, c.agree)
		}
	}
}

func TestExpand(t *testing.T) {
	now := timeAt(1700000000123)
	got := expand([]string{"k", "{now+100}", "{now-5}", "{nowms+1000}", "{nowms-1}", "{x}"}, now)
	want := []string{"k", "1700000100", "1699999995", "1700000001123", "1700000000122", "{x}"}
	if !equalStrings(got, want) {
		t.Errorf("expand = %q, want %q", got, want)
	}
}

func timeAt(ms int64) time.Time { return time.UnixMilli(ms) }

// Scenario names are unique per group (they are subtest names), and no
// scenario is empty. With -v it prints the inventory.
func TestScenarioInventory(t *testing.T) {
	total := 0
	for _, g := range groups() {
		seen := map[string]bool{}
		steps := 0
		for _, sc := range g.scenarios {
			if seen[sc.name] {
				t.Errorf("%s: duplicate scenario %q", g.name, sc.name)
			}
			seen[sc.name] = true
			if len(sc.steps) == 0 {
				t.Errorf("%s/%s: no steps", g.name, sc.name)
			}
			steps += len(sc.steps)
		}
		total += steps
		t.Logf("%-10s %3d scenarios %4d steps", g.name, len(g.scenarios), steps)
	}
	t.Logf("total      %4d steps", total)
}
