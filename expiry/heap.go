package expiry

// Timer is one scheduled check: at When (unix ms) look again at the key
// whose hash is Key. A hash rather than the key keeps the heap free of
// pointers, so the collector never scans it; the owner resolves the hash
// through its own index, where two keys may share it.
type Timer struct {
	When int64
	Key  uint64
}

// Heap is a min-heap of timers ordered by When. It is not safe for
// concurrent use: each storage shard owns one and guards it with its lock.
//
// A timer is a reminder, not a verdict: when it fires the owner re-reads the
// key's current deadline, which may have moved (a sliding touch), been
// removed (PERSIST) or belong to a new key of the same name (or hash).
type Heap struct {
	t []Timer
}

// Len returns the number of pending timers.
func (h *Heap) Len() int { return len(h.t) }

// Push schedules a timer.
func (h *Heap) Push(when int64, key uint64) {
	if len(h.t) == cap(h.t) {
		// Double rather than let append grow a large slice by 1.25x: each
		// growth copies the whole heap and leaves the old array as garbage,
		// which for a million keys with a TTL is ~100 B per key of heap the
		// collector has yet to reclaim (bench/cmd/memory, hashes: 503 ->
		// 443 B/key of RSS).
		t := make([]Timer, len(h.t), 2*len(h.t)+8)
		copy(t, h.t)
		h.t = t
	}
	h.t = append(h.t, Timer{When: when, Key: key})
	h.up(len(h.t) - 1)
}

// Next returns the earliest timer without removing it.
func (h *Heap) Next() (Timer, bool) {
	if len(h.t) == 0 {
		return Timer{}, false
	}
	return h.t[0], true
}

// Pop removes and returns the earliest timer. It panics on an empty heap.
func (h *Heap) Pop() Timer {
	top := h.t[0]
	last := len(h.t) - 1
	h.t[0] = h.t[last]
	h.t[last] = Timer{}
	h.t = h.t[:last]
	if last > 0 {
		h.down(0)
	}
	if cap(h.t) > 1024 && len(h.t) < cap(h.t)/4 {
		h.t = append([]Timer(nil), h.t...)
	}
	return top
}

// Filter keeps the timers keep accepts and drops the rest (stale ones, whose
// key is gone), in one pass and a reordering; it gives back the room of a
// heap left at a quarter of its capacity, as Pop does.
func (h *Heap) Filter(keep func(Timer) bool) {
	kept := h.t[:0]
	for _, t := range h.t {
		if keep(t) {
			kept = append(kept, t)
		}
	}
	clear(h.t[len(kept):])
	h.t = kept
	if cap(h.t) > 1024 && len(h.t) < cap(h.t)/4 {
		h.t = append([]Timer(nil), h.t...)
	}
	for i := len(h.t)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

// Reset drops every timer.
func (h *Heap) Reset() { h.t = nil }

func (h *Heap) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if h.t[p].When <= h.t[i].When {
			return
		}
		h.t[p], h.t[i] = h.t[i], h.t[p]
		i = p
	}
}

func (h *Heap) down(i int) {
	n := len(h.t)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && h.t[r].When < h.t[l].When {
			m = r
		}
		if h.t[i].When <= h.t[m].When {
			return
		}
		h.t[i], h.t[m] = h.t[m], h.t[i]
		i = m
	}
}
