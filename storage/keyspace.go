package storage

import (
	"math/rand/v2"
	"slices"
)

// This file holds the whole-database operations: sizes, flushes, SWAPDB,
// iteration for KEYS and SCAN, and RANDOMKEY.

// KeyCounts returns the number of keys and of keys with a deadline in dbi.
// Keys past their deadline that no one has deleted yet are still counted,
// as Redis does.
func (s *Store) KeyCounts(dbi int) (keys, volatile int) {
	d := s.dbs[dbi]
	for i := range d.shards {
		sh := &d.shards[i]
		sh.lockRead()
		keys += sh.idx.len()
		volatile += sh.volatile
		sh.unlock()
	}
	return keys, volatile
}

// AvgTTL estimates the mean remaining time to live, in ms, of the keys with
// a deadline in dbi by sampling up to 16 of them per shard.
func (s *Store) AvgTTL(dbi int, now int64) int64 {
	var sum, n int64
	d := s.dbs[dbi]
	for i := range d.shards {
		sh := &d.shards[i]
		sh.lockRead()
		seen := 0
		sh.idx.each(s.seed, func(_ uint64, e *Entry) bool {
			if e.Deadline == 0 {
				return true
			}
			if ttl := e.Deadline - now; ttl > 0 {
				sum += ttl
				n++
			}
			seen++
			return seen < 16
		})
		sh.unlock()
	}
	if n == 0 {
		return 0
	}
	return sum / n
}

// Flush empties dbi. The caller emits the effect (FLUSHDB or FLUSHALL).
func (s *Store) Flush(dbi int) {
	d := s.dbs[dbi]
	for i := range d.shards {
		sh := &d.shards[i]
		sh.lock()
		s.clear(sh)
		sh.unlock()
	}
}

// Swap exchanges the contents of databases a and b atomically with respect to
// every Tx, and emits SWAPDB.
func (s *Store) Swap(a, b int) {
	if a == b {
		return
	}
	lo, hi := min(a, b), max(a, b)
	for _, dbi := range []int{lo, hi} {
		for i := range s.dbs[dbi].shards {
			s.dbs[dbi].shards[i].lock()
		}
	}
	da, db := s.dbs[a], s.dbs[b]
	for i := range da.shards {
		x, y := &da.shards[i], &db.shards[i]
		x.idx, y.idx = y.idx, x.idx
		x.timers, y.timers = y.timers, x.timers
		x.volatile, y.volatile = y.volatile, x.volatile
		x.bytes, y.bytes = y.bytes, x.bytes // the total stays
		x.tag, y.tag = y.tag, x.tag
		s.byTag[x.tag].Store(x)
		s.byTag[y.tag].Store(y)
	}
	ba, bb := da.bytes.Load(), db.bytes.Load()
	da.bytes.Store(bb)
	db.bytes.Store(ba)
	if h := s.hooks.Load(); h != nil && h.Swapped != nil {
		h.Swapped(a, b)
	}
	s.emit(lo, []byte("SWAPDB"), itoa(a), itoa(b))
	for _, dbi := range []int{hi, lo} {
		for i := range s.dbs[dbi].shards {
			s.dbs[dbi].shards[i].unlock()
		}
	}
}

func itoa(n int) []byte {
	return []byte(formatInt(int64(n)))
}

// Each calls fn for every live key of dbi, one shard at a time, with that
// shard locked; fn must not touch the store. It stops when fn returns false.
func (s *Store) Each(dbi int, now int64, fn func(e *Entry) bool) {
	d := s.dbs[dbi]
	for i := range d.shards {
		sh := &d.shards[i]
		sh.lockRead()
		more := sh.idx.each(s.seed, func(_ uint64, e *Entry) bool {
			return e.Deadline != 0 && e.Deadline <= now || fn(e)
		})
		sh.unlock()
		if !more {
			return
		}
	}
}

// Scan returns keys of dbi from cursor on, and the next cursor (0 when the
// iteration is complete).
//
// A cursor is a position in the 64-bit key-hash space: the top bits select
// the shard, and within a shard keys are visited in ranges of their hash.
// Each call covers the cursor up to the next range boundary and moves the cursor past it, so a key
// present for the whole iteration is returned exactly once however the
// shards grow or shrink meanwhile; a key added or removed during it may or
// may not appear. A call goes on through ranges, and shards, until it has
// count keys; ranges are sized for about max(count, shard size/32) keys,
// so a call may return more than count, as in Redis.
func (s *Store) Scan(dbi int, now int64, cursor uint64, count int, fn func(e *Entry)) uint64 {
	if count <= 0 {
		count = 10
	}
	shardBits := uint(len64(s.mask))
	d := s.dbs[dbi]
	found := 0
	for {
		si := 0
		if shardBits > 0 {
			si = int(cursor >> (64 - shardBits))
		}
		sh := &d.shards[si]
		sh.lockRead()
		n := sh.idx.len()
		want := max(count, n/32)
		// The range covers the shard's hash space divided into about
		// n/want pieces (a power of two). A shift of 64 yields 0, so a
		// whole-space range gets start 0 and end 0, meaning "to the end".
		spaceBits := 64 - shardBits
		pieces := uint(0)
		for (n/want)>>pieces > 1 && pieces < spaceBits {
			pieces++
		}
		width := uint64(1) << (spaceBits - pieces)
		start := cursor
		end := (cursor | (width - 1)) + 1 // the next range boundary: never behind the cursor
		sh.idx.each(s.seed, func(kh uint64, e *Entry) bool {
			if e.Deadline != 0 && e.Deadline <= now {
				return true
			}
			if h := scanHash(si, shardBits, kh); h >= start && (end == 0 || h < end) {
				fn(e)
				found++
			}
			return true
		})
		sh.unlock()
		cursor = end
		if cursor == 0 || found >= count {
			return cursor
		}
	}
}

// scanHash places a key with hash h in the cursor space: shard index in the
// top bits, the key's hash below.
func scanHash(si int, shardBits uint, h uint64) uint64 {
	h >>= shardBits
	if shardBits == 0 {
		return h
	}
	return uint64(si)<<(64-shardBits) | h
}

func len64(x uint64) int {
	n := 0
	for x != 0 {
		n++
		x >>= 1
	}
	return n
}

// RandomKey returns a random live key of dbi, or "" and false when it has
// none. Expired keys met on the way are deleted.
func (s *Store) RandomKey(dbi int, now int64) (string, bool) {
	d := s.dbs[dbi]
	order := rand.Perm(len(d.shards))
	for tries := 0; tries < 3; tries++ {
		for _, i := range order {
			sh := &d.shards[i]
			sh.lockRead()
			// Deleting from the index while walking it is safe: a Go map
			// range tolerates deletes, and removed entries stay readable
			// until the unlock.
			expired, key, found := 0, "", false
			sh.idx.each(s.seed, func(kh uint64, e *Entry) bool {
				if e.Deadline != 0 && e.Deadline <= now {
					sh.captureWaiting()
					s.expire(dbi, sh, kh, e)
					expired++
					return expired < 16
				}
				key, found = e.Key, true
				return false
			})
			sh.unlock()
			if found {
				return key, true
			}
		}
	}
	return "", false
}

// SortedKeys returns the live keys of dbi in order; for tests and debugging.
func (s *Store) SortedKeys(dbi int, now int64) []string {
	var keys []string
	s.Each(dbi, now, func(e *Entry) bool { keys = append(keys, e.Key); return true })
	slices.Sort(keys)
	return keys
}

// FlushEmit empties the databases dbis (in ascending order) and emits one
// effect, args, in database db, with every shard of those databases locked,
// so no write to them can fall between the flush and its effect in the log.
func (s *Store) FlushEmit(db int, args [][]byte, dbis ...int) {
	dbis = slices.Clone(dbis)
	slices.Sort(dbis)
	dbis = slices.Compact(dbis)
	for _, dbi := range dbis {
		for i := range s.dbs[dbi].shards {
			s.dbs[dbi].shards[i].lock()
		}
	}
	for _, dbi := range dbis {
		for i := range s.dbs[dbi].shards {
			s.clear(&s.dbs[dbi].shards[i])
		}
	}
	s.emit(db, args...)
	for _, dbi := range dbis {
		for i := range s.dbs[dbi].shards {
			s.dbs[dbi].shards[i].unlock()
		}
	}
}
