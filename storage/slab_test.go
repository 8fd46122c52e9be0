package storage

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

// TestRetiredEntryReadableUntilEnd deletes a key and stores another in the
// same Tx (what RENAME does): the deleted entry must keep its contents, and
// its slot must not be handed to the new key, until the Tx ends. After that
// the slot is zeroed and reused.
func TestRetiredEntryReadableUntilEnd(t *testing.T) {
	s := New(Options{Databases: 1, Shards: 1})
	put(s, 1000, 0, "a", "va", 0)
	tx := s.Begin(1000, 0, []byte("a"))
	old := tx.Get(0, []byte("a"))
	if !tx.Delete(0, []byte("a")) {
		t.Fatal("Delete of a live key reported false")
	}
	ne := tx.Put(0, []byte("b"), old.Str, nil, 0)
	if ne == old {
		t.Fatal("the new key got the slot of the entry deleted in the same Tx")
	}
	if old.Key != "a" || string(old.Str) != "va" {
		t.Fatalf("deleted entry read as %q=%q inside its Tx, want a=va", old.Key, old.Str)
	}
	tx.End()
	if old.Key != "" || old.Str != nil {
		t.Fatalf("retired entry not zeroed after End: %q=%q", old.Key, old.Str)
	}
	tx = s.Begin(1000, 0, []byte("c"))
	if e := tx.Put(0, []byte("c"), []byte("vc"), nil, 0); e != old {
		t.Fatal("the retired slot was not reused by the next new key")
	}
	tx.End()
	for k, want := range map[string]string{"b": "va", "c": "vc"} {
		if v, ok := get(s, 1000, 0, k); !ok || v != want {
			t.Fatalf("%s = %q %v, want %q", k, v, ok, want)
		}
	}
	if _, ok := get(s, 1000, 0, "a"); ok {
		t.Fatal("a still present")
	}
}

// TestSlotsReusedAcrossExpiryPaths retires entries through lazy expiry, the
// sweeper and RandomKey, and checks that the shard reuses those slots
// rather than growing, and that every surviving key keeps its value.
func TestSlotsReusedAcrossExpiryPaths(t *testing.T) {
	s := New(Options{Databases: 1, Shards: 1})
	sh := &s.dbs[0].shards[0]
	const n = 3 * slabEntries
	for i := range n {
		put(s, 1000, 0, fmt.Sprint("k", i), fmt.Sprint("v", i), 2000)
	}
	if len(sh.free) != 0 {
		t.Fatalf("%d free slots before any delete", len(sh.free))
	}
	get(s, 2000, 0, "k0")   // lazy expiry
	s.RandomKey(0, 2000)    // expires what it meets
	s.SweepExpired(2000, n) // the rest
	if keys, _ := s.KeyCounts(0); keys != 0 {
		t.Fatalf("%d keys left after expiry", keys)
	}
	if len(sh.free) != n || len(sh.dead) != 0 {
		t.Fatalf("free %d dead %d after expiring %d keys, want %d and 0", len(sh.free), len(sh.dead), n, n)
	}
	for i := range n {
		put(s, 3000, 0, fmt.Sprint("n", i), fmt.Sprint("w", i), 0)
	}
	if len(sh.free) != 0 || len(sh.slab) != 0 {
		t.Fatalf("refill left free %d, fresh %d: slots were not reused", len(sh.free), len(sh.slab))
	}
	for i := range n {
		if v, ok := get(s, 3000, 0, fmt.Sprint("n", i)); !ok || v != fmt.Sprint("w", i) {
			t.Fatalf("n%d = %q %v", i, v, ok)
		}
	}
	s.Flush(0)
	if len(sh.free) != 0 || sh.slab != nil {
		t.Fatal("Flush kept the shard's slots")
	}
}

// BenchmarkCollectMillionKeys times a full collection with a million string
// keys stored (16-byte keys, 64-byte values, as the latency benchmark's SET
// run leaves them). ns/op is the time of one runtime.GC.
func BenchmarkCollectMillionKeys(b *testing.B) {
	s := New(Options{Databases: 1})
	val := make([]byte, 64)
	for i := range 1_000_000 {
		key := fmt.Appendf(nil, "key:%012d", i)
		tx := s.Begin(0, 0, key)
		tx.Put(0, key, append([]byte(nil), val...), nil, 0)
		tx.End()
	}
	runtime.GC()
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		runtime.GC()
	}
	b.ReportMetric(float64(time.Since(start).Milliseconds())/float64(b.N), "ms/gc")
	runtime.KeepAlive(s)
}
