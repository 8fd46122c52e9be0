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
	for n, want := range map[int]int64{0: 0, 1: 8, 8: 8, 9: 16, 1024: 1024, 1025: 1152, 32768: 32768, 32769: 40960} {
		if got := allocSize(n); got != want {
			t.Errorf("allocSize(%d) = %d, want %d", n, got, want)
		}
	}
}
