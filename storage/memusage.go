package storage

import "math/bits"

// Memory accounting: what a key costs in the Go heap, computed from the
// sizes Go's allocator actually hands out (its size classes) and the
// layout of each encoding. MEMORY USAGE reports it; the maxmemory policy
// will charge it. TestMemoryUsageTracksTheHeap holds it within 15% of the
// live heap a dataset adds.

// Fixed costs of one key, measured (TestMemoryUsageTracksTheHeap): the
// slab Entry (88 B) and its share of the shard index, and the timer a
// deadline adds to the shard's heap.
const (
	entryOverhead = 120
	timerOverhead = 16
)

// sizeClasses are the object sizes of Go's allocator up to 32 KiB
// (runtime/sizeclasses.go); a larger object takes whole 8 KiB pages.
var sizeClasses = [...]int64{8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256,
	288, 320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792,
	2048, 2304, 2688, 3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728, 10240,
	10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760, 24576, 27264, 28672, 32768}

// smallClass[(n+7)/8] is allocSize(n) for n ≤ 1024, a lookup on the
// request path (every Tx recharges the keys it touched).
var smallClass = func() (t [1024/8 + 1]int64) {
	for i := range t {
		t[i] = searchClass(i * 8)
	}
	return t
}()

// allocSize is the heap an allocation of n bytes takes.
func allocSize(n int) int64 {
	if n <= 0 {
		return 0
	}
	if n <= 1024 {
		return smallClass[(n+7)>>3]
	}
	if n > 32768 {
		return (int64(n) + 8191) &^ 8191
	}
	return searchClass(n)
}

// searchClass is the smallest size class holding n ≤ 32768 bytes.
func searchClass(n int) int64 {
	if n <= 0 {
		return 0
	}
	lo, hi := 0, len(sizeClasses)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if sizeClasses[mid] >= int64(n) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return sizeClasses[lo]
}

// mapSize estimates a Go map of n entries whose slots (key plus value,
// aligned) take slot bytes: groups of 8 slots and a control word, at most
// 7/8 full, the slot count a power of two, in tables of at most 1024
// slots, plus the headers.
func mapSize(n int, slot int) int64 {
	if n == 0 {
		return 48
	}
	slots := max(8, 1<<bits.Len(uint((n*8+6)/7-1)))
	if slots <= 1024 {
		return 48 + allocSize(slots/8*(8+8*slot))
	}
	tables := slots / 1024
	return 48 + allocSize(tables*8) + int64(tables)*(48+allocSize(128*(8+8*slot)))
}

// MemoryUsage returns the bytes key e takes: its fixed overhead, the key
// and the value. For a collection of more than samples elements it
// measures samples of them and scales by the count, as Redis's MEMORY
// USAGE does; samples 0 measures all.
func (e *Entry) MemoryUsage(samples int) int64 {
	n := entryOverhead + allocSize(len(e.Key))
	if e.Deadline != 0 {
		n += timerOverhead
	}
	switch v := e.Obj.(type) {
	case nil:
		n += allocSize(cap(e.Str))
	case *Hash:
		n += v.memoryUsage(samples)
	case *Set:
		n += v.memoryUsage(samples)
	case *List:
		n += v.memoryUsage(samples)
	case *ZSet:
		n += v.memoryUsage(samples)
	}
	return n
}

// sampled calls each(fn) until fn has seen limit elements (all when limit
// is 0) and returns the bytes seen scaled to total elements.
func sampled(total, limit int, each func(fn func(bytes int64) bool)) int64 {
	seen, sum := 0, int64(0)
	each(func(b int64) bool {
		sum += b
		seen++
		return limit == 0 || seen < limit
	})
	if seen == 0 || seen == total {
		return sum
	}
	return sum * int64(total) / int64(seen)
}

func (h *Hash) memoryUsage(samples int) int64 {
	n := allocSize(32) + allocSize(cap(h.lp)) // the Hash, its buffer
	if h.x == nil || h.x == wideOnly {
		return n
	}
	n += allocSize(32) // the hashExt
	if ht := h.x.ht; ht != nil {
		n += mapSize(len(ht), 32) + sampled(len(ht), samples, func(fn func(int64) bool) {
			for f, v := range ht {
				if !fn(allocSize(len(f)) + allocSize(len(v))) {
					return
				}
			}
		})
	}
	if ttl := h.x.ttl; ttl != nil {
		// Field names in ttl share the bytes of the table's keys when
		// there is a table; in the compact encoding they are their own.
		n += mapSize(len(ttl), 24)
		if h.x.ht == nil {
			n += sampled(len(ttl), samples, func(fn func(int64) bool) {
				for f := range ttl {
					if !fn(allocSize(len(f))) {
						return
					}
				}
			})
		}
	}
	return n
}

func (s *Set) memoryUsage(samples int) int64 {
	n := allocSize(48) + allocSize(cap(s.buf))
	if t := s.tab; t != nil {
		n += allocSize(32) + allocSize(cap(t.members)*16) + mapSize(len(t.index), 24)
		n += sampled(len(t.members), samples, func(fn func(int64) bool) {
			for _, m := range t.members {
				if !fn(allocSize(len(m))) {
					return
				}
			}
		})
	}
	return n
}

func (l *List) memoryUsage(samples int) int64 {
	return allocSize(48) + allocSize(len(l.buf)*24) + sampled(l.n, samples, func(fn func(int64) bool) {
		for i := range l.n {
			if !fn(allocSize(cap(l.At(i)))) {
				return
			}
		}
	})
}

func (z *ZSet) memoryUsage(samples int) int64 {
	n := allocSize(48)
	if z.sl == nil {
		return n + allocSize(cap(z.small)*24) + sampled(len(z.small), samples, func(fn func(int64) bool) {
			for _, it := range z.small {
				if !fn(allocSize(len(it.Member))) {
					return
				}
			}
		})
	}
	// The dict and the nodes share each member's bytes.
	n += mapSize(len(z.dict), 24) + allocSize(48) + allocSize(72) + allocSize(zslMaxLevel*16) // the skiplist, its head
	return n + sampled(z.sl.length, samples, func(fn func(int64) bool) {
		for x := z.sl.head.level[0].next; x != nil; x = x.level[0].next {
			var b int64 // newZslNode: levels inline up to 4, then a slice
			switch lv := len(x.level); {
			case lv == 1:
				b = allocSize(72)
			case lv == 2:
				b = allocSize(72 + 2*16)
			case lv <= 4:
				b = allocSize(72 + 4*16)
			default:
				b = allocSize(72) + allocSize(lv*16)
			}
			b += allocSize(len(x.member))
			if !fn(b) {
				return
			}
		}
	})
}
