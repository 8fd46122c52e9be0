package storage

// slabEntries is how many entries one slab holds: 128 × 80 bytes is one
// 10 KiB allocation (a size class of its own, so nothing is wasted).
const slabEntries = 128

// slots hands out a shard's entries. Entries are carved from slabs, arrays
// of slabEntries entries, instead of being allocated one by one. The
// collector then marks a slab once and scans its entries in address order,
// where one allocation per entry made it chase a pointer to a random
// address for every key (the map is walked in hash order). For a million
// string keys a full collection marks in about half the time.
//
// A removed entry is retired, not freed: the command that removed it may
// still read it (RENAME reads the old entry after deleting it), so it is
// zeroed and becomes reusable only when the shard's lock is released. No
// *Entry may be kept after that: entries are borrowed for the length of a
// Tx. Retired slots stay with the shard for reuse, so the slab memory of a
// shard is that of its largest entry count until Flush drops it.
type slots struct {
	free []*Entry // zeroed, reusable
	dead []*Entry // removed under the current lock, reusable after it
	slab []Entry  // the unused rest of the newest slab
}

// newEntry returns a zeroed entry owned by the shard.
func (sl *slots) newEntry() *Entry {
	if n := len(sl.free); n > 0 {
		e := sl.free[n-1]
		sl.free[n-1] = nil
		sl.free = sl.free[:n-1]
		return e
	}
	if len(sl.slab) == 0 {
		sl.slab = make([]Entry, slabEntries)
	}
	e := &sl.slab[0]
	sl.slab = sl.slab[1:]
	return e
}

// retire queues e, just removed from the shard's map, for reuse.
func (sl *slots) retire(e *Entry) { sl.dead = append(sl.dead, e) }

// reclaim zeroes the retired entries (dropping their keys and values for the
// collector) and makes them reusable.
func (sl *slots) reclaim() {
	for i, e := range sl.dead {
		*e = Entry{}
		sl.free = append(sl.free, e)
		sl.dead[i] = nil
	}
	sl.dead = sl.dead[:0]
}

// unlock releases the shard's lock; every unlock goes through here so that
// entries retired under the lock are reclaimed before another Tx can run.
func (sh *shard) unlock() {
	if len(sh.dead) > 0 {
		sh.reclaim()
	}
	sh.mu.Unlock()
}
