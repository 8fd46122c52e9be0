package storage

import (
	"math"
	"runtime"
	"strconv"
	"testing"
)

func liveHeap() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// filler builds the value of key i: a string (str) or a collection (obj).
type filler func(i int) (str []byte, obj Object)

func hashOf(fields, size int) filler {
	return func(int) ([]byte, Object) {
		h := NewHash()
		for f := range fields {
			h.Set([]byte("field"+strconv.Itoa(f)), make([]byte, size), false, 128, 64)
		}
		return nil, h
	}
}

func setOf(members int, prefix string) filler {
	return func(int) ([]byte, Object) {
		s := NewSet()
		for m := range members {
			s.Add([]byte(prefix+strconv.Itoa(m)), 512)
		}
		return nil, s
	}
}

func listOf(elems, size int) filler {
	return func(int) ([]byte, Object) {
		l := NewList()
		for range elems {
			l.PushBack(make([]byte, size))
		}
		return nil, l
	}
}

func zsetOf(members int) filler {
	return func(int) ([]byte, Object) {
		z := NewZSet(members <= 128)
		for m := range members {
			z.Add("member:"+strconv.Itoa(m), float64(m), 128, 64)
		}
		return nil, z
	}
}

// TestMemoryUsageTracksTheHeap fills a store with keys of one shape and
// compares the sum of their MemoryUsage with what the live heap grew by.
func TestMemoryUsageTracksTheHeap(t *testing.T) {
	if testing.Short() {
		t.Skip("fills the heap with hundreds of megabytes")
	}
	cases := []struct {
		name string
		keys int
		ttl  bool
		fill filler
	}{
		{"string 64 B", 200000, false, func(int) ([]byte, Object) { return make([]byte, 64), nil }},
		{"string 1 KiB with TTL", 100000, true, func(int) ([]byte, Object) { return make([]byte, 1024), nil }},
		{"string 20 KiB", 5000, false, func(int) ([]byte, Object) { return make([]byte, 20000), nil }},
		{"hash 10 x 8 B", 100000, true, hashOf(10, 8)},
		{"hash 10 x 102 B (table)", 50000, true, hashOf(10, 102)},
		{"hash 1000 x 16 B", 200, false, hashOf(1000, 16)},
		{"set 10 members", 100000, false, setOf(10, "member:")},
		{"set 10 integers", 100000, false, setOf(10, "")},
		{"set 1000 members", 200, false, setOf(1000, "member:")},
		{"list 10 x 16 B", 100000, false, listOf(10, 16)},
		{"list 1000 x 100 B", 200, false, listOf(1000, 100)},
		{"zset 10", 100000, false, zsetOf(10)},
		{"zset 1000 (skiplist)", 200, false, zsetOf(1000)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := New(Options{Databases: 1, Shards: 16})
			before := liveHeap()
			var sum, sampled int64
			for i := range c.keys {
				key := []byte("sess:user:" + strconv.Itoa(i))
				str, obj := c.fill(i)
				var dl int64
				if c.ttl {
					dl = 1 << 40
				}
				tx := s.Begin(1, 0, key)
				e := tx.Put(0, key, str, obj, dl)
				sum += e.MemoryUsage(0)
				sampled += e.MemoryUsage(5)
				tx.End()
			}
			grew := liveHeap() - before
			runtime.KeepAlive(s)
			ratio := float64(sum) / float64(grew)
			t.Logf("%d keys: MemoryUsage %.0f B/key, heap %.0f B/key (%.3f); SAMPLES 5: %.3f of exact",
				c.keys, float64(sum)/float64(c.keys), float64(grew)/float64(c.keys), ratio, float64(sampled)/float64(sum))
			if math.Abs(ratio-1) > 0.15 {
				t.Errorf("MemoryUsage is %.3f of the heap the keys took, want within 15%%", ratio)
			}
			if r := float64(sampled) / float64(sum); math.Abs(r-1) > 0.15 {
				t.Errorf("SAMPLES 5 gives %.3f of the exact usage, want within 15%%", r)
			}
		})
	}
}

func TestAllocSize(t *testing.T) {
	for n := 1; n <= 32768; n++ { // the lookup table agrees with the search
		if a, b := allocSize(n), searchClass(n); a != b || a < int64(n) {
			t.Fatalf("allocSize(%d) = %d, searchClass = %d", n, a, b)
		}
	}
	for n, want := range map[int]int64{0: 0, 1: 8, 8: 8, 9: 16, 1024: 1024, 1025: 1152, 32768: 32768, 32769: 40960} {
		if got := allocSize(n); got != want {
			t.Errorf("allocSize(%d) = %d, want %d", n, got, want)
		}
	}
}

// TestDatasetBytesFollowsEveryChange checks the running total against the
// sum of the keys' MemoryUsage through puts, in-place growth, lazy and
// active expiry, deletes, SWAPDB and FLUSHDB.
func TestDatasetBytesFollowsEveryChange(t *testing.T) {
	s := New(Options{Databases: 2, Shards: 4})
	const n = 2000
	key := func(i int) []byte { return []byte("k" + strconv.Itoa(i)) }
	sum := func(dbi int) int64 { // the charged costs, without touching
		var total int64
		for i := range s.dbs[dbi].shards {
			sh := &s.dbs[dbi].shards[i]
			sh.idx.each(s.seed, func(_ uint64, e *Entry) bool {
				if e.cost <= 0 {
					t.Fatalf("live key %q charged %d", e.Key, e.cost)
				}
				total += e.cost
				return true
			})
		}
		return total
	}
	check := func(what string, want int64) {
		t.Helper()
		if got := s.DatasetBytes(); got != want {
			t.Fatalf("%s: DatasetBytes = %d, want %d", what, got, want)
		}
	}
	for i := range n {
		tx := s.Begin(0, 0, key(i))
		if i%2 == 0 {
			tx.Put(0, key(i), make([]byte, 100), nil, 0)
		} else {
			h := NewHash()
			h.Set([]byte("f"), []byte("v"), false, 128, 64)
			tx.Put(0, key(i), nil, h, 5000) // expires at 5 s
		}
		tx.End()
	}
	base := s.DatasetBytes()
	check("after puts", sum(0))
	if base < n*(entryOverhead+100/2) {
		t.Fatalf("after puts: %d bytes for %d keys, too few", base, n)
	}
	// Grow every hash in place by 50 fields of 200 bytes.
	for i := 1; i < n; i += 2 {
		tx := s.Begin(0, 0, key(i))
		h := tx.Get(0, key(i)).Obj.(*Hash)
		for f := range 50 {
			h.Set([]byte("field"+strconv.Itoa(f)), make([]byte, 200), false, 128, 64)
		}
		tx.End()
	}
	check("after growth", sum(0))
	if grown := s.DatasetBytes() - base; grown < n/2*50*200 {
		t.Fatalf("growing the hashes by %d bytes of values added only %d", n/2*50*200, grown)
	}
	s.Swap(0, 1)
	check("after SWAPDB", sum(1))
	s.Swap(0, 1)
	// The hashes expire: half lazily, the rest by the sweeper.
	for i := 1; i < n/2; i += 2 {
		tx := s.Begin(6000, 0, key(i))
		if tx.Get(0, key(i)) != nil {
			t.Fatal("an expired key was returned")
		}
		tx.End()
	}
	for s.SweepExpired(6000, 1000) > 0 {
	}
	check("after expiry", sum(0))
	for i := 0; i < n/2; i += 2 {
		tx := s.Begin(6000, 0, key(i))
		tx.Delete(0, key(i))
		tx.End()
	}
	check("after deletes", sum(0))
	s.Flush(0)
	check("after FLUSHDB", 0)
}
