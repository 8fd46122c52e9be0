package session

import (
	"encoding/base64"
	"runtime"
	"strconv"
	"testing"
	"time"

	"sessiond/clock"
)

func TestMetaRoundTrip(t *testing.T) {
	for _, m := range []Meta{
		{Created: 1700000000000, Idle: 1800, Absolute: 86400, Version: 3, Owner: "user 42=x"},
		{Created: 1, Owner: ""},
		{MovedTo: "abc"},
	} {
		got, ok := ParseMeta(m.Encode())
		if !ok || got != m {
			t.Fatalf("%+v -> %q -> %+v, %v", m, m.Encode(), got, ok)
		}
	}
	for _, bad := range []string{"", "created=1", "created=x idle=1 absolute=1 version=1 owner=", "moved=",
		"created=-1 idle=1 absolute=1 version=1 owner=u", "idle=1 created=1 absolute=1 version=1 owner=u"} {
		if _, ok := ParseMeta([]byte(bad)); ok {
			t.Fatalf("ParseMeta(%q) accepted", bad)
		}
	}
}

func FuzzParseMeta(f *testing.F) {
	f.Add([]byte("created=1 idle=2 absolute=3 version=4 owner=u"))
	f.Add([]byte("moved=x"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, ok := ParseMeta(b)
		if !ok {
			return
		}
		// what parses re-encodes to a value that parses the same
		if again, ok := ParseMeta(m.Encode()); !ok || again != m {
			t.Fatalf("%q -> %+v -> %q -> %+v", b, m, m.Encode(), again)
		}
	})
}

func TestDeadline(t *testing.T) {
	m := Meta{Created: 1000, Idle: 10, Absolute: 25}
	for _, c := range []struct{ now, want int64 }{{1000, 11000}, {10000, 20000}, {20000, 26000}, {30000, 26000}} {
		if got := m.Deadline(c.now); got != c.want {
			t.Fatalf("Deadline(%d) = %d, want %d", c.now, got, c.want)
		}
	}
	if d := (Meta{Created: 1000}).Deadline(5000); d != 0 {
		t.Fatalf("no timeouts: deadline %d", d)
	}
	if d := (Meta{Created: 1000, Absolute: 5}).Deadline(2000); d != 6000 {
		t.Fatalf("absolute only: deadline %d", d)
	}
}

func TestNewID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := NewID()
		b, err := base64.RawURLEncoding.DecodeString(id)
		if err != nil || len(b) != IDBytes || len(id) != 22 {
			t.Fatalf("ID %q: %d bytes, %v", id, len(b), err)
		}
		if seen[id] {
			t.Fatalf("ID %q twice", id)
		}
		seen[id] = true
	}
}

func TestIndex(t *testing.T) {
	x := NewIndex()
	x.Set(0, "s:a", "u1")
	x.Set(0, "s:b", "u1")
	x.Set(0, "s:c", "")
	x.Set(1, "s:d", "u1")
	if got := x.Keys(0, "u1"); len(got) != 2 || got[0] != "s:a" || got[1] != "s:b" {
		t.Fatalf("u1 in db 0: %v", got)
	}
	x.Set(0, "s:b", "u2") // owner changed
	if got := x.Keys(0, "u2"); len(got) != 1 || len(x.Keys(0, "u1")) != 1 {
		t.Fatalf("after the move: u1 %v, u2 %v", x.Keys(0, "u1"), got)
	}
	if x.Len() != 4 || !x.Remove(0, "s:a") || x.Remove(0, "s:a") || x.Len() != 3 {
		t.Fatalf("Remove/Len: %d", x.Len())
	}
	if len(x.Keys(0, "u1")) != 0 || len(x.dbs[0].keys) != 1 {
		t.Fatalf("an owner without sessions is kept: %v", x.dbs[0].keys)
	}
	x.Swap(0, 1)
	if len(x.Keys(0, "u1")) != 1 || len(x.Keys(1, "u2")) != 1 || !x.Has(1, "s:c") {
		t.Fatal("Swap did not exchange the databases")
	}
	x.Reset()
	if x.Len() != 0 || x.Has(1, "s:c") {
		t.Fatal("Reset kept sessions")
	}
}

// waitClosed waits for c to close, failing after a generous bound.
func waitClosed(t *testing.T, c <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-c:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: never happened", what)
	}
}

func TestLocksFIFOAndTokens(t *testing.T) {
	clk := clock.NewFake(time.Unix(1700000000, 0))
	l := NewLocks(clk)
	k := LockKey{0, "s:a"}
	t1, _ := l.Lock(k, 1, time.Second, false)
	if t1 <= clk.Now().UnixMicro() {
		t.Fatalf("token %d not above the clock's microseconds", t1)
	}
	if tok, w := l.Lock(k, 2, time.Second, false); tok != 0 || w != nil {
		t.Fatal("a held lock was taken without waiting")
	}
	_, w2 := l.Lock(k, 2, time.Second, true)
	_, w3 := l.Lock(k, 3, time.Second, true)
	if l.Queued(k) != 2 || l.Waits.Load() != 2 {
		t.Fatalf("queued %d, waits %d", l.Queued(k), l.Waits.Load())
	}
	if l.Unlock(k, t1+100) {
		t.Fatal("unlocked with a wrong token")
	}
	if !l.Unlock(k, t1) {
		t.Fatal("the holder could not unlock")
	}
	waitClosed(t, w2.C, "the first waiter served")
	select {
	case <-w3.C:
		t.Fatal("the second waiter was served before the first released")
	default:
	}
	if w2.Token <= t1 {
		t.Fatalf("tokens do not grow: %d then %d", t1, w2.Token)
	}
	// the second waiter gives up; the lock then expires unreleased
	if l.Cancel(w3) != 0 || l.Queued(k) != 0 {
		t.Fatal("a cancelled waiter stays queued")
	}
	clk.Advance(time.Second)
	for tok, _ := l.Holder(k); tok != 0; tok, _ = l.Holder(k) {
		time.Sleep(time.Millisecond) // the expiry runs in the timer's goroutine
	}
	if l.Expired.Load() != 1 {
		t.Fatalf("expired %d", l.Expired.Load())
	}
}

func TestLocksExpiryHandsOver(t *testing.T) {
	clk := clock.NewFake(time.Unix(1700000000, 0))
	l := NewLocks(clk)
	k := LockKey{0, "s:a"}
	l.Lock(k, 1, time.Second, false)
	_, w := l.Lock(k, 2, 5*time.Second, true)
	clk.Advance(time.Second)
	waitClosed(t, w.C, "the waiter served when the lock expired")
	if tok, holder := l.Holder(k); tok != w.Token || holder != 2 {
		t.Fatalf("holder %d token %d, want 2 and %d", holder, tok, w.Token)
	}
	// the waiter's own TTL now runs
	clk.Advance(4 * time.Second)
	if tok, _ := l.Holder(k); tok == 0 {
		t.Fatal("expired before its TTL")
	}
}

func TestLocksClientDropMove(t *testing.T) {
	clk := clock.NewFake(time.Unix(1700000000, 0))
	l := NewLocks(clk)
	a, b := LockKey{0, "s:a"}, LockKey{0, "s:b"}
	l.Lock(a, 1, time.Minute, false)
	_, w := l.Lock(a, 2, time.Minute, true)
	l.ReleaseClient(1)
	waitClosed(t, w.C, "the waiter served when the holder went")
	if l.Cancel(w) != w.Token || w.Token == 0 {
		t.Fatal("Cancel after the grant does not return the token")
	}
	_, w3 := l.Lock(a, 3, time.Minute, true)
	l.Move(a, b)
	if tok, holder := l.Holder(b); tok != w.Token || holder != 2 || l.Queued(b) != 1 {
		t.Fatalf("after Move: holder %d token %d queued %d", holder, tok, l.Queued(b))
	}
	if tok, _ := l.Holder(a); tok != 0 {
		t.Fatal("the old key is still locked")
	}
	l.Drop(b)
	waitClosed(t, w3.C, "the waiter woken when the session went")
	if w3.Token != 0 || clk.Pending() != 0 {
		t.Fatalf("token %d after Drop, %d timers left", w3.Token, clk.Pending())
	}
}

func TestParseClocksAllocatesNothing(t *testing.T) {
	v := Meta{Created: 1700000000000, Idle: 1800, Absolute: 86400, Version: 9, Owner: "alice"}.Encode()
	var m Meta
	if n := testing.AllocsPerRun(100, func() { m, _ = ParseClocks(v) }); n != 0 {
		t.Fatalf("ParseClocks allocates %.0f objects", n)
	}
	if m.Created != 1700000000000 || m.Idle != 1800 || m.Absolute != 86400 || m.Version != 9 || m.Owner != "" {
		t.Fatalf("ParseClocks: %+v", m)
	}
}

// TestIndexBytesTrackTheHeap: the index's estimate of its memory is
// within 25% of what the heap grows by for sessions with and without
// owners (a few sessions per owner, as users have).
func TestIndexBytesTrackTheHeap(t *testing.T) {
	for _, owned := range []bool{false, true} {
		x := NewIndex()
		heap := func() uint64 {
			runtime.GC()
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			return m.HeapAlloc
		}
		before := heap()
		for i := range 200000 {
			owner := ""
			if owned {
				owner = "user:" + strconv.Itoa(i/3)
			}
			x.Set(0, "session:"+NewID(), owner)
		}
		grew := float64(heap() - before)
		if r := float64(x.Bytes()) / grew; r < 0.75 || r > 1.25 {
			t.Errorf("owners %v: Bytes %d, the heap grew by %.0f (ratio %.2f)", owned, x.Bytes(), grew, r)
		}
		runtime.KeepAlive(x)
	}
}
