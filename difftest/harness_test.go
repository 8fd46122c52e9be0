package difftest

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// cmpMode says how the two replies of a step are compared.
type cmpMode int

const (
	cmpExact  cmpMode = iota // byte for byte
	cmpSorted                // unordered aggregate: elements (map pairs) sorted first
	cmpTTL                   // integers within tol; negative values (-1, -2) exactly
	cmpFloat                 // numbers (bulk or RESP3 double) within tol
	cmpIgnore                // not compared; only the step's check runs
	cmpType                  // only the reply type (and RESP2 null-ness)
	cmpHello                 // HELLO: same type, same keys in order, same proto
)

// trace logs every step's replies (DIFFTEST_TRACE=1 go test -v ...).
var trace = os.Getenv("DIFFTEST_TRACE") == "1"

// pollTimeout bounds a step that waits for a condition (a key expiring).
const pollTimeout = 3 * time.Second

// step is one command of a scenario.
type step struct {
	args  []string
	raw   string // sent verbatim instead of args (inline commands)
	mode  cmpMode
	tol   float64
	until string                          // repeat args on each target until the reply is exactly this
	scan  bool                            // args are SCAN options: iterate fully and compare the key sets
	check func(c *client, v *value) error // property checked on each target's reply
}

// cmd is an exactly compared command. Arguments may use the placeholders
// {now+N}, {now-N} (unix seconds) and {nowms+N}, {nowms-N} (unix ms); they
// are expanded once per step, so both targets receive the same bytes.
func cmd(args ...string) step { return step{args: args} }

// inline sends raw bytes, e.g. an inline command "PING\r\n".
func inline(raw string) step { return step{raw: raw} }

// waitUntil repeats args on each target until it answers want (raw RESP).
func waitUntil(want string, args ...string) step { return step{args: args, until: want} }

// scanAll runs a full SCAN iteration with the given options on each target
// and compares the sorted union of the keys; cursors are not compared.
func scanAll(opts ...string) step { return step{args: opts, scan: true} }

// hello3 switches the scenario's connection to RESP3.
func hello3() step { return cmd("HELLO", "3").hello() }

func (s step) sorted() step { s.mode = cmpSorted; return s }
func (s step) ttl() step    { s.mode, s.tol = cmpTTL, 1; return s }
func (s step) pttl() step   { s.mode, s.tol = cmpTTL, 1500; return s }
func (s step) float(tol float64) step {
	s.mode, s.tol = cmpFloat, tol
	return s
}
func (s step) typeOnly() step { s.mode = cmpType; return s }
func (s step) hello() step    { s.mode = cmpHello; return s }

// ignore runs the step on both targets without comparing; check, if not
// nil, must hold for each reply.
func (s step) ignore(check func(c *client, v *value) error) step {
	s.mode, s.check = cmpIgnore, check
	return s
}

// with adds a property check to a compared step.
func (s step) with(check func(c *client, v *value) error) step {
	s.check = check
	return s
}

type scenario struct {
	name  string
	steps []step
}

// group is a set of scenarios run as one subtest. probe, if set, may skip
// the group when the server under test lacks what it needs.
type group struct {
	name      string
	probe     func(t *testing.T, sut string)
	scenarios []scenario
}

func (st step) String() string {
	if st.raw != "" {
		return fmt.Sprintf("raw %q", st.raw)
	}
	var b strings.Builder
	if st.scan {
		b.WriteString("SCAN* ")
	}
	for i, a := range st.args {
		if i > 0 {
			b.WriteByte(' ')
		}
		if a == "" || strings.ContainsAny(a, " \"\\\r\n\x00") || len(a) > 60 {
			if len(a) > 60 {
				a = a[:40] + fmt.Sprintf("...(%d bytes)", len(a))
			}
			b.WriteString(strconv.Quote(a))
		} else {
			b.WriteString(a)
		}
	}
	return b.String()
}

// expand replaces time placeholders in args.
func expand(args []string, now time.Time) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = a
		if !strings.HasPrefix(a, "{now") || !strings.HasSuffix(a, "}") {
			continue
		}
		body := a[len("{now") : len(a)-1]
		base := now.Unix()
		if rest, ok := strings.CutPrefix(body, "ms"); ok {
			body, base = rest, now.UnixMilli()
		}
		n, err := strconv.ParseInt(body, 10, 64)
		if err != nil {
			panic(fmt.Sprintf("bad time placeholder %q", a))
		}
		out[i] = strconv.FormatInt(base+n, 10)
	}
	return out
}

// runScenario runs sc on fresh connections to ref (redis) and sut
// (sessiond) after FLUSHALL on both, comparing every step.
func runScenario(t *testing.T, ref, sut string, sc scenario) {
	t.Helper()
	rc := mustDial(t, ref)
	sc2 := mustDial(t, sut)
	if v, err := rc.do("FLUSHALL"); err != nil || string(v.raw) != "+OK\r\n" {
		t.Fatalf("FLUSHALL on redis %s: %v %q", rc.addr, err, rawOf(v))
	}
	if err := reset(sc2); err != nil {
		// Keep going: an early sessiond may lack every way to empty
		// itself, and its other differences are still worth reporting.
		t.Logf("WARNING: sessiond could not be emptied, leftovers may cause differences: %v", err)
	}
	for i, st := range sc.steps {
		runStep(t, sc.name, i+1, st, rc, sc2)
	}
}

// reset empties every database of the server behind c: FLUSHALL, or, for
// a server without it, FLUSHDB in each database, or KEYS and DEL.
func reset(c *client) error {
	v, err := c.do("FLUSHALL")
	if err != nil {
		return err
	}
	if string(v.raw) == "+OK\r\n" {
		return nil
	}
	why := fmt.Sprintf("FLUSHALL answered %q", v.raw)
	for db := 0; ; db++ {
		v, err := c.do("SELECT", strconv.Itoa(db))
		if err != nil {
			return err
		}
		if v.kind == '-' {
			if db == 0 {
				return fmt.Errorf("%s; SELECT 0 answered %q", why, v.raw)
			}
			break
		}
		if v, err = c.do("FLUSHDB"); err != nil {
			return err
		}
		if string(v.raw) == "+OK\r\n" {
			continue
		}
		if v, err = c.do("KEYS", "*"); err != nil {
			return err
		}
		if v.kind != '*' {
			return fmt.Errorf("%s; FLUSHDB and KEYS * answered %q", why, v.raw)
		}
		for _, k := range v.elems {
			d, err := c.do("DEL", k.str)
			if err != nil {
				return err
			}
			if d.kind != ':' {
				return fmt.Errorf("%s; DEL answered %q", why, d.raw)
			}
		}
	}
	_, err = c.do("SELECT", "0")
	return err
}

func mustDial(t *testing.T, addr string) *client {
	t.Helper()
	c, err := dial(addr)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(c.close)
	return c
}

func rawOf(v *value) []byte {
	if v == nil {
		return nil
	}
	return v.raw
}

func runStep(t *testing.T, scName string, n int, st step, rc, sc *client) {
	t.Helper()
	st.args = expand(st.args, time.Now())
	where := fmt.Sprintf("scenario %s step %d [%s]", scName, n, st)
	switch {
	case st.scan:
		a, aRaw := scanKeys(rc, st.args)
		b, bRaw := scanKeys(sc, st.args)
		if aRaw != nil || bRaw != nil {
			if !bytes.Equal(aRaw, bRaw) {
				t.Errorf("%s: SCAN failed\n\tredis:    %q\n\tsessiond: %q", where, aRaw, bRaw)
			}
			return
		}
		if strings.Join(a, "\x00") != strings.Join(b, "\x00") {
			t.Errorf("%s: scanned keys differ\n\tredis:    %q\n\tsessiond: %q", where, a, b)
		}
		return
	case st.until != "":
		for _, c := range []*client{rc, sc} {
			if err := pollUntil(c, st.args, st.until); err != nil {
				t.Errorf("%s on %s: %v", where, label(c, rc), err)
			}
		}
		return
	}
	a, errA := exchange(rc, st)
	b, errB := exchange(sc, st)
	if errA != nil || errB != nil {
		t.Fatalf("%s: connection failed\n\tredis:    %v %q\n\tsessiond: %v %q", where, errA, rawOf(a), errB, rawOf(b))
	}
	if trace {
		t.Logf("%s\n\tredis:    %q\n\tsessiond: %q", where, a.raw, b.raw)
	}
	if why := compare(st, a, b); why != "" {
		t.Errorf("%s: %s\n\tredis:    %q\n\tsessiond: %q", where, why, a.raw, b.raw)
	}
	if st.check != nil {
		for _, p := range []struct {
			c *client
			v *value
		}{{rc, a}, {sc, b}} {
			if err := st.check(p.c, p.v); err != nil {
				t.Errorf("%s: check on %s: %v (reply %q)", where, label(p.c, rc), err, p.v.raw)
			}
		}
	}
}

func label(c, ref *client) string {
	if c == ref {
		return "redis"
	}
	return "sessiond"
}

func exchange(c *client, st step) (*value, error) {
	if st.raw != "" {
		return c.send([]byte(st.raw))
	}
	return c.do(st.args...)
}

func pollUntil(c *client, args []string, want string) error {
	deadline := time.Now().Add(pollTimeout)
	for {
		v, err := c.do(args...)
		if err != nil {
			return err
		}
		if string(v.raw) == want {
			return nil
		}
		if v.kind == '-' {
			return fmt.Errorf("answered %q, want %q", v.raw, want) // errors do not go away
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("still %q after %v, want %q", v.raw, pollTimeout, want)
		}
		time.Sleep(5 * time.Millisecond) // poll interval
	}
}

// scanKeys iterates SCAN to the end and returns the sorted, de-duplicated
// keys, or the raw reply if a call failed or was malformed.
func scanKeys(c *client, opts []string) ([]string, []byte) {
	seen := map[string]bool{}
	cursor := "0"
	for i := 0; i < 100000; i++ {
		v, err := c.do(append([]string{"SCAN", cursor}, opts...)...)
		if err != nil {
			return nil, []byte("connection error: " + err.Error())
		}
		if v.kind != '*' || len(v.elems) != 2 || v.elems[0].kind != '$' || v.elems[1].kind != '*' {
			return nil, v.raw
		}
		for _, k := range v.elems[1].elems {
			seen[k.str] = true
		}
		cursor = v.elems[0].str
		if cursor == "0" {
			keys := make([]string, 0, len(seen))
			for k := range seen {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			return keys, nil
		}
	}
	return nil, []byte("SCAN did not finish after 100000 calls")
}

// compare returns "" if a and b agree under st's mode, else the reason.
func compare(st step, a, b *value) string {
	exact := func() string {
		if bytes.Equal(a.raw, b.raw) {
			return ""
		}
		return "replies differ"
	}
	switch st.mode {
	case cmpIgnore:
		return ""
	case cmpType:
		if a.kind != b.kind || a.null != b.null {
			return fmt.Sprintf("reply types differ (%c vs %c)", a.kind, b.kind)
		}
		return ""
	case cmpSorted:
		if !a.isAggregate() || !b.isAggregate() || a.kind != b.kind {
			return exact()
		}
		if !equalStrings(sortedElems(a), sortedElems(b)) {
			return "replies differ (unordered)"
		}
		return ""
	case cmpTTL:
		if a.kind != ':' || b.kind != ':' {
			return exact()
		}
		x, _ := strconv.ParseInt(a.str, 10, 64)
		y, _ := strconv.ParseInt(b.str, 10, 64)
		if x < 0 || y < 0 {
			return exact()
		}
		if math.Abs(float64(x-y)) > st.tol {
			return fmt.Sprintf("ttls differ by more than %v", st.tol)
		}
		return ""
	case cmpFloat:
		if a.kind != b.kind || (a.kind != '$' && a.kind != ',') || a.null || b.null {
			return exact()
		}
		x, errX := strconv.ParseFloat(a.str, 64)
		y, errY := strconv.ParseFloat(b.str, 64)
		if errX != nil || errY != nil {
			return exact()
		}
		if math.Abs(x-y) > st.tol {
			return fmt.Sprintf("numbers differ by more than %v", st.tol)
		}
		return ""
	case cmpHello:
		if !a.isAggregate() || !b.isAggregate() {
			return exact()
		}
		if a.kind != b.kind {
			return fmt.Sprintf("HELLO reply types differ (%c vs %c)", a.kind, b.kind)
		}
		ka, pa := helloShape(a)
		kb, pb := helloShape(b)
		if !equalStrings(ka, kb) {
			return fmt.Sprintf("HELLO keys differ: %q vs %q", ka, kb)
		}
		if pa != pb {
			return fmt.Sprintf("HELLO proto differs: %q vs %q", pa, pb)
		}
		return ""
	}
	return exact()
}

// sortedElems returns the raw encodings of v's elements (of its key/value
// pairs for a map) in sorted order.
func sortedElems(v *value) []string {
	var out []string
	if v.kind == '%' {
		for i := 0; i+1 < len(v.elems); i += 2 {
			out = append(out, string(v.elems[i].raw)+string(v.elems[i+1].raw))
		}
	} else {
		for _, e := range v.elems {
			out = append(out, string(e.raw))
		}
	}
	sort.Strings(out)
	return out
}

// helloShape returns the keys of a HELLO reply (flat array or map) in
// order and the raw value of "proto".
func helloShape(v *value) (keys []string, proto string) {
	for i := 0; i+1 < len(v.elems); i += 2 {
		k := v.elems[i].str
		keys = append(keys, k)
		if k == "proto" {
			proto = string(v.elems[i+1].raw)
		}
	}
	return keys, proto
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Property checks used with ignore/with.

// bulkContaining checks for a non-null bulk (or verbatim) string holding sub.
func bulkContaining(sub string) func(*client, *value) error {
	return func(_ *client, v *value) error {
		if (v.kind != '$' && v.kind != '=') || v.null {
			return fmt.Errorf("want a bulk string")
		}
		if !strings.Contains(v.str, sub) {
			return fmt.Errorf("bulk does not contain %q", sub)
		}
		return nil
	}
}

// existingKey checks that the reply names a key that exists on that target.
func existingKey(c *client, v *value) error {
	if v.kind != '$' || v.null {
		return fmt.Errorf("want a key name")
	}
	e, err := c.do("EXISTS", v.str)
	if err != nil {
		return err
	}
	if string(e.raw) != ":1\r\n" {
		return fmt.Errorf("EXISTS %q answered %q", v.str, e.raw)
	}
	return nil
}

// nonNegativeInt checks for an integer >= 0.
func nonNegativeInt(_ *client, v *value) error {
	if v.kind != ':' || strings.HasPrefix(v.str, "-") {
		return fmt.Errorf("want a non-negative integer")
	}
	return nil
}
