package storage

import "sync"

// A snapshot captures every live key of the store as of one instant
// without stopping it for longer than it takes to lock every shard once:
// at that instant (Snapshot's mark) every shard is marked pending, and a
// pending shard is captured (its live entries encoded) by whoever locks it
// first: the snapshot's own walk, or a command about to read or change it.
// No shard changes before it is captured, so the captures together are the
// dataset at the mark, while commands go on; a command that finds its
// shard pending waits for that one shard's encoding.
type snapshot struct {
	now  int64
	enc  func(e *Entry, b []byte) []byte
	mu   sync.Mutex
	bufs map[int][]byte // captured, not yet taken, by shard position
	stop bool           // the walk gave up: capture nothing more
}

// lock locks the shard, capturing it first if a snapshot waits for it.
// Every lock of a shard in this package goes through here, except
// Snapshot's own all-shards lock.
func (sh *shard) lock() {
	sh.mu.Lock()
	if sn := sh.snap; sn != nil {
		sh.snap = nil
		sh.capture(sn)
	}
}

func (sh *shard) capture(sn *snapshot) {
	sn.mu.Lock()
	stop := sn.stop
	sn.mu.Unlock()
	if stop {
		return
	}
	var b []byte
	sh.idx.each(sh.seed, func(_ uint64, e *Entry) bool {
		if e.Deadline == 0 || e.Deadline > sn.now {
			b = sn.enc(e, b)
		}
		return true
	})
	sn.mu.Lock()
	sn.bufs[sh.pos] = b
	sn.mu.Unlock()
}

// DBCount is a database's keys and keys with a deadline at a snapshot's
// mark (expired ones not yet removed included, as KeyCounts).
type DBCount struct{ Keys, Volatile int }

// Snapshot encodes every live key of the store as of one instant. It locks
// every shard (in the usual order), calls mark with each database's counts
// (the caller records the replication offset there: no effect can be
// emitted meanwhile), and unlocks them; then it walks the databases in
// order and, shard by shard, hands out what enc encoded for that shard's
// keys (enc runs under the shard's lock, and must only append to b). out
// runs with no lock held; returning false stops the walk (the shards not
// yet captured are then left alone).
func (s *Store) Snapshot(now int64, mark func([]DBCount), enc func(e *Entry, b []byte) []byte, out func(dbi int, b []byte) bool) {
	sn := &snapshot{now: now, enc: enc, bufs: map[int][]byte{}}
	counts := make([]DBCount, len(s.dbs))
	for dbi, d := range s.dbs {
		for i := range d.shards {
			sh := &d.shards[i]
			sh.lock() // captures what an earlier snapshot left pending
			counts[dbi].Keys += sh.idx.len()
			counts[dbi].Volatile += sh.volatile
		}
	}
	mark(counts)
	for _, d := range s.dbs {
		for i := range d.shards {
			sh := &d.shards[i]
			sh.snap = sn
			sh.unlock()
		}
	}
	for dbi, d := range s.dbs {
		for i := range d.shards {
			sh := &d.shards[i]
			sh.lock()
			sh.unlock()
			sn.mu.Lock()
			b := sn.bufs[sh.pos]
			delete(sn.bufs, sh.pos)
			sn.mu.Unlock()
			if !out(dbi, b) {
				sn.mu.Lock()
				sn.stop = true
				sn.bufs = nil
				sn.mu.Unlock()
				return
			}
		}
	}
}
