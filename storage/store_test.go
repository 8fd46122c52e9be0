package storage

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func put(s *Store, now int64, db int, key, val string, deadline int64) {
	tx := s.Begin(now, db, []byte(key))
	tx.Put(db, []byte(key), []byte(val), nil, deadline)
	tx.End()
}

func get(s *Store, now int64, db int, key string) (string, bool) {
	tx := s.Begin(now, db, []byte(key))
	defer tx.End()
	e := tx.Get(db, []byte(key))
	if e == nil {
		return "", false
	}
	return string(e.Str), true
}

func TestLazyExpiryEmitsDel(t *testing.T) {
	s := New(Options{Databases: 2, Shards: 4})
	var effects []string
	s.SetEffectSink(func(e Effect) {
		effects = append(effects, fmt.Sprintf("%d %q", e.DB, e.Args))
	})
	put(s, 1000, 1, "k", "v", 1500)
	if v, ok := get(s, 1499, 1, "k"); !ok || v != "v" {
		t.Fatalf("before deadline: %q %v", v, ok)
	}
	if _, ok := get(s, 1500, 1, "k"); ok {
		t.Fatal("key returned at its deadline")
	}
	if got := s.Stats().ExpiredKeys.Load(); got != 1 {
		t.Fatalf("expired_keys %d", got)
	}
	if len(effects) != 1 || effects[0] != `1 ["DEL" "k"]` {
		t.Fatalf("effects %v", effects)
	}
	if keys, vol := s.KeyCounts(1); keys != 0 || vol != 0 {
		t.Fatalf("counts %d %d", keys, vol)
	}
}

func TestSweepFollowsMovedDeadlines(t *testing.T) {
	s := New(Options{Databases: 1, Shards: 2})
	put(s, 0, 0, "slid", "v", 100)
	put(s, 0, 0, "persisted", "v", 100)
	put(s, 0, 0, "shortened", "v", 1000)
	put(s, 0, 0, "plain", "v", 0)
	tx := s.Begin(0, 0, []byte("slid"))
	tx.SetDeadline(0, tx.Get(0, []byte("slid")), 500)
	tx.End()
	tx = s.Begin(0, 0, []byte("persisted"))
	tx.SetDeadline(0, tx.Get(0, []byte("persisted")), 0)
	tx.End()
	tx = s.Begin(0, 0, []byte("shortened"))
	tx.SetDeadline(0, tx.Get(0, []byte("shortened")), 50)
	tx.End()

	if n := s.SweepExpired(100, 100); n != 1 { // only "shortened" (due at 50)
		t.Fatalf("sweep at 100 removed %d", n)
	}
	if got := s.SortedKeys(0, 100); fmt.Sprint(got) != "[persisted plain slid]" {
		t.Fatalf("keys %v", got)
	}
	if n := s.SweepExpired(499, 100); n != 0 {
		t.Fatalf("sweep at 499 removed %d", n)
	}
	if n := s.SweepExpired(500, 100); n != 1 {
		t.Fatalf("sweep at 500 removed %d", n)
	}
	// once past every deadline, nothing is left armed: stale timers drain
	s.SweepExpired(2000, 100)
	for i := range s.dbs[0].shards {
		if l := s.dbs[0].shards[i].timers.Len(); l != 0 {
			t.Fatalf("shard %d still has %d timers", i, l)
		}
	}
}

func TestRecreatedKeyIgnoresStaleTimer(t *testing.T) {
	s := New(Options{Databases: 1, Shards: 1})
	put(s, 0, 0, "k", "old", 100)
	tx := s.Begin(0, 0, []byte("k"))
	tx.Delete(0, []byte("k"))
	tx.End()
	put(s, 0, 0, "k", "new", 200)
	if n := s.SweepExpired(150, 10); n != 0 {
		t.Fatalf("stale timer deleted the new key (%d)", n)
	}
	if n := s.SweepExpired(200, 10); n != 1 {
		t.Fatalf("new key not expired at its own deadline (%d)", n)
	}
}

func TestScanReturnsEveryStableKeyOnce(t *testing.T) {
	for _, shards := range []int{1, 4, 16} {
		s := New(Options{Databases: 1, Shards: shards})
		r := rand.New(rand.NewPCG(7, uint64(shards)))
		stable := map[string]bool{}
		for i := range 3000 {
			k := fmt.Sprintf("stable:%d", i)
			stable[k] = true
			put(s, 0, 0, k, "v", 0)
		}
		seen := map[string]int{}
		var cursor uint64
		churn := 0
		for {
			count := 1 + r.IntN(7)
			cursor = s.Scan(0, 0, cursor, count, func(e *Entry) { seen[e.Key]++ })
			// churn: add and remove other keys between calls
			for range 5 {
				k := fmt.Sprintf("churn:%d", churn)
				churn++
				put(s, 0, 0, k, "v", 0)
				if churn%2 == 0 {
					tx := s.Begin(0, 0, []byte(k))
					tx.Delete(0, []byte(k))
					tx.End()
				}
			}
			if cursor == 0 {
				break
			}
		}
		for k := range stable {
			if seen[k] != 1 {
				t.Fatalf("shards=%d: key %s seen %d times", shards, k, seen[k])
			}
		}
	}
}

func TestSwapExchangesDatabases(t *testing.T) {
	s := New(Options{Databases: 3, Shards: 4})
	put(s, 0, 0, "a", "0", 100)
	put(s, 0, 2, "b", "2", 0)
	s.Swap(0, 2)
	if _, ok := get(s, 0, 0, "a"); ok {
		t.Fatal("a still in db0")
	}
	if v, ok := get(s, 0, 2, "a"); !ok || v != "0" {
		t.Fatal("a not in db2")
	}
	if keys, vol := s.KeyCounts(2); keys != 1 || vol != 1 {
		t.Fatalf("db2 counts %d %d", keys, vol)
	}
	if n := s.SweepExpired(100, 10); n != 1 {
		t.Fatalf("timer did not move with the swap (%d)", n)
	}
}

func TestRandomKeySkipsExpired(t *testing.T) {
	s := New(Options{Databases: 1, Shards: 4})
	if _, ok := s.RandomKey(0, 0); ok {
		t.Fatal("random key from empty db")
	}
	for i := range 50 {
		put(s, 0, 0, fmt.Sprint("gone", i), "v", 10)
	}
	put(s, 0, 0, "live", "v", 0)
	for range 20 {
		k, ok := s.RandomKey(0, 10)
		if !ok || k != "live" {
			t.Fatalf("got %q %v", k, ok)
		}
	}
}

// TestPutFoundAfterLookup checks PutFound against Put: inserting when the
// lookup found nothing (also when it found an expired entry and deleted
// it), and replacing in place, with the volatile count following.
func TestPutFoundAfterLookup(t *testing.T) {
	s := New(Options{Databases: 1, Shards: 4})
	key := []byte("k")
	tx := s.Begin(1000, 0, key)
	e := tx.PutFound(0, key, tx.Get(0, key), []byte("v1"), nil, 1500)
	if again := tx.Get(0, key); again != e || string(again.Str) != "v1" {
		t.Fatalf("after insert Get = %v, want the inserted entry", again)
	}
	if e2 := tx.PutFound(0, key, tx.Get(0, key), []byte("v2"), nil, 0); e2 != e || string(e.Str) != "v2" || e.Deadline != 0 {
		t.Fatalf("replace gave %p %q deadline %d, want the same entry %p with v2 and no deadline", e2, e.Str, e.Deadline, e)
	}
	tx.End()
	if keys, volatile := s.KeyCounts(0); keys != 1 || volatile != 0 {
		t.Fatalf("KeyCounts = %d, %d; want 1, 0", keys, volatile)
	}
	put(s, 1000, 0, "x", "old", 1500)
	tx = s.Begin(2000, 0, []byte("x"))
	found := tx.Get(0, []byte("x")) // expired: deleted, nil
	if found != nil {
		t.Fatal("expired entry returned")
	}
	tx.PutFound(0, []byte("x"), found, []byte("new"), nil, 0)
	tx.End()
	if v, ok := get(s, 2000, 0, "x"); !ok || v != "new" {
		t.Fatalf("x = %q %v after PutFound over an expired entry", v, ok)
	}
	if keys, volatile := s.KeyCounts(0); keys != 2 || volatile != 0 {
		t.Fatalf("KeyCounts = %d, %d; want 2, 0", keys, volatile)
	}
}

// TestStaleTimersStayBounded: keys with an hour's TTL created and deleted
// (or evicted) by the hundred thousand leave their timers behind; the heap
// holds at most half again as many timers as the shard has keys, plus a
// little, and every live key still expires on time.
func TestStaleTimersStayBounded(t *testing.T) {
	s := New(Options{Databases: 1, Shards: 1})
	const live, churn = 2000, 100000
	for i := range live {
		put(s, 0, 0, "live"+strconv.Itoa(i), "v", 3_600_000+int64(i))
	}
	for i := range churn {
		k := "gone" + strconv.Itoa(i)
		put(s, 0, 0, k, "v", 3_600_000)
		tx := s.Begin(0, 0, []byte(k))
		tx.Delete(0, []byte(k))
		tx.End()
		if n := s.dbs[0].shards[0].timers.Len(); n > live+live/2+1024+1 {
			t.Fatalf("after %d deletes: %d timers for %d keys", i+1, n, live)
		}
	}
	if n := s.SweepExpired(3_600_000+live, 2*live); n != live {
		t.Fatalf("expired %d of %d live keys", n, live)
	}
}

// TestReplicaHidesExpired: in replica mode a key past its deadline is
// hidden from reads but stays (no DEL, no sweep) until deleted; applying
// the primary's stream (Now 0) still sees it.
func TestReplicaHidesExpired(t *testing.T) {
	s := New(Options{Databases: 1, Shards: 1})
	var dels int
	s.SetEffectSink(func(Effect) { dels++ })
	s.SetReplica(true)
	put(s, 0, 0, "k", "v", 100)
	if _, ok := get(s, 200, 0, "k"); ok {
		t.Fatal("an expired key is visible on a replica")
	}
	if n := s.SweepExpired(200, 100); n != 0 || dels != 0 {
		t.Fatalf("a replica expired %d keys, emitted %d", n, dels)
	}
	if v, ok := get(s, 0, 0, "k"); !ok || v != "v" {
		t.Fatal("the primary's stream does not see the key")
	}
	s.SetReplica(false)
	if _, ok := get(s, 200, 0, "k"); ok || dels != 1 {
		t.Fatalf("back to a primary: visible %v, DELs %d", ok, dels)
	}
}

// TestTxGroup: a grouped Tx's effects reach the group sink together at
// End, copied as they were emitted; one effect goes to the effect sink as
// itself; without a group sink they go one by one; CheckGroups catches a
// Tx that made several effects ungrouped.
func TestTxGroup(t *testing.T) {
	s := New(Options{Databases: 1, Shards: 4})
	var single, groups []string
	s.SetEffectSink(func(e Effect) { single = append(single, fmt.Sprintf("%q", e.Args)) })
	s.SetGroupSink(func(es []Effect) {
		var g []string
		for _, e := range es {
			g = append(g, fmt.Sprintf("%q", e.Args))
		}
		groups = append(groups, strings.Join(g, " "))
	})
	run := func(group bool, n int) {
		n0 := len(groups)
		tx := s.Begin(0, 0, []byte("k"))
		if group {
			tx.Group()
		}
		buf := []byte("v0")
		for i := range n {
			buf[1] = byte('0' + i)
			tx.Emit(0, []byte("SET"), []byte("k"), buf)
		}
		buf[1] = 'x' // after the emits: a staged copy must not see it
		if len(groups) != n0 {
			t.Fatal("a group passed on before End")
		}
		tx.End()
	}
	run(true, 2)
	run(true, 1)
	run(true, 0)
	run(false, 1)
	if want := []string{`["SET" "k" "v0"] ["SET" "k" "v1"]`}; !slices.Equal(groups, want) {
		t.Errorf("groups %q, want %q", groups, want)
	}
	if want := []string{`["SET" "k" "v0"]`, `["SET" "k" "v0"]`}; !slices.Equal(single, want) {
		t.Errorf("single effects %q, want %q", single, want)
	}
	s.SetGroupSink(nil)
	single, groups = nil, nil
	run(true, 2)
	if want := []string{`["SET" "k" "v0"]`, `["SET" "k" "v1"]`}; !slices.Equal(single, want) || groups != nil {
		t.Errorf("without a group sink: %q %q", single, groups)
	}
	CheckGroups = true
	defer func() { CheckGroups = false }()
	func() {
		defer func() {
			if recover() == nil {
				t.Error("CheckGroups: no panic for two ungrouped effects")
			}
		}()
		run(false, 2)
	}()
	// the panic came after the unlock
	tx := s.Begin(0, 0, []byte("k"))
	tx.End()
}
