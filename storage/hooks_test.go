package storage

import (
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

// TestHooks: every removal of a key under the prefix reaches Removed once,
// however it happens (DEL, lazy and active expiry, eviction, FLUSHDB), and
// SWAPDB reaches Swapped; keys outside the prefix do not.
func TestHooks(t *testing.T) {
	s := New(Options{Databases: 2, Shards: 4})
	defer s.Close()
	var mu sync.Mutex
	removed := map[string]bool{} // "db/key" -> expired
	var swaps [][2]int
	s.SetHooks(&Hooks{Prefix: "s:",
		Removed: func(db int, e *Entry, expired bool) {
			mu.Lock()
			defer mu.Unlock()
			k := strconv.Itoa(db) + "/" + e.Key
			if _, twice := removed[k]; twice {
				t.Errorf("%s removed twice", k)
			}
			removed[k] = expired
		},
		Swapped: func(a, b int) { swaps = append(swaps, [2]int{a, b}) }})
	put(s, 1000, 0, "s:del", "v", 0)
	put(s, 1000, 0, "other", "v", 0)
	put(s, 1000, 0, "s:lazy", "v", 2000)
	put(s, 1000, 0, "s:swept", "v", 2000)
	for _, k := range []string{"s:del", "other"} {
		tx := s.Begin(1000, 0, []byte(k))
		tx.Delete(0, []byte(k))
		tx.End()
	}
	get(s, 3000, 0, "s:lazy")
	s.SweepExpired(3000, 1000)
	put(s, 3000, 1, "s:flushed", "v", 0)
	s.Swap(0, 1)
	s.Flush(0) // what was db 1
	want := map[string]bool{"0/s:del": false, "0/s:lazy": true, "0/s:swept": true, "0/s:flushed": false}
	if len(removed) != len(want) {
		t.Fatalf("removed %v, want %v", removed, want)
	}
	for k, exp := range want {
		if got, ok := removed[k]; !ok || got != exp {
			t.Fatalf("%s: removed %v expired %v, want expired %v", k, ok, got, exp)
		}
	}
	if len(swaps) != 1 || swaps[0] != [2]int{0, 1} {
		t.Fatalf("swaps %v", swaps)
	}
	// eviction
	clear(removed)
	for i := range 200 {
		put(s, 4000, 1, "s:"+strconv.Itoa(i), string(make([]byte, 100)), 0)
	}
	s.SetMaxmemory(s.DatasetBytes()/2, AllKeysRandom)
	if !s.Evict(4000, 1000) {
		t.Fatal("nothing evicted")
	}
	keys, _ := s.KeyCounts(1)
	if len(removed) == 0 || len(removed) != 200-keys {
		t.Fatalf("%d keys evicted, %d reported", 200-keys, len(removed))
	}
}

// TestExtraBytesCountTowardTheBudget: memory kept beside the keyspace
// (SetExtraBytes) is over the budget as the dataset would be.
func TestExtraBytesCountTowardTheBudget(t *testing.T) {
	s := New(Options{Databases: 1, Shards: 4})
	defer s.Close()
	put(s, 1000, 0, "k", "v", 0)
	s.SetMaxmemory(s.DatasetBytes()+1000, AllKeysRandom)
	if s.OverBudget() {
		t.Fatal("over budget with room left")
	}
	var extra atomic.Int64
	s.SetExtraBytes(extra.Load)
	extra.Store(1001)
	if !s.OverBudget() || s.ExtraBytes() != 1001 {
		t.Fatalf("1001 extra bytes on 1000 of room: over %v, extra %d", s.OverBudget(), s.ExtraBytes())
	}
}
