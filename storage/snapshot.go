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
	bufs map[int][][]byte // captured, not yet taken, by shard position
	free [][]byte         // pieces handed out and done with, for reuse
	stop bool             // the walk gave up: capture nothing more
}

// snapPiece is the size at which a capture closes a piece of its encoding
// and starts the next. A shard's keys are encoded into pieces, not into
// one growing buffer: growing a buffer to a shard's size (70 MB for a
// million sessions of 1 KiB in 16 shards) copies it with one memmove the
// runtime cannot preempt, which held a stop-the-world collection, and
// with it every client, for up to 366 ms; and the buffers it left behind
// were a gigabyte of garbage per full sync. Pieces are reused once out
// has taken them.
const snapPiece = 256 << 10

// lock locks the shard, capturing it first if a snapshot waits for it.
// Every lock of a shard in this package goes through here, except
// Snapshot's own all-shards lock and a read Tx's (Store.BeginRead), which
// captures before it changes anything.
func (sh *shard) lock() {
	sh.mu.Lock()
	sh.captureWaiting()
}

// lockRead locks the shard for a walk that only reads it, or that calls
// captureWaiting before it changes anything: it does not capture the shard,
// so the active expiry cycle, INFO's key counts or a SCAN that reach every
// shard before a snapshot's walk do not make it encode the whole dataset
// at once.
func (sh *shard) lockRead() { sh.mu.Lock() }

// captureWaiting captures the shard, which the caller holds, if a snapshot
// waits for it.
func (sh *shard) captureWaiting() {
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
	var pieces [][]byte
	b := sn.piece()
	sh.idx.each(sh.seed, func(_ uint64, e *Entry) bool {
		if e.Deadline == 0 || e.Deadline > sn.now {
			if b = sn.enc(e, b); len(b) >= snapPiece {
				pieces, b = append(pieces, b), sn.piece()
			}
		}
		return true
	})
	sn.mu.Lock()
	if len(b) > 0 {
		pieces = append(pieces, b)
	} else {
		sn.free = append(sn.free, b)
	}
	sn.bufs[sh.pos] = pieces
	sn.mu.Unlock()
}

// piece returns an empty piece for a capture, a used one if there is one.
func (sn *snapshot) piece() []byte {
	sn.mu.Lock()
	defer sn.mu.Unlock()
	if n := len(sn.free); n > 0 {
		b := sn.free[n-1]
		sn.free[n-1] = nil
		sn.free = sn.free[:n-1]
		return b[:0]
	}
	return make([]byte, 0, snapPiece+snapPiece/4)
}

// DBCount is a database's keys and keys with a deadline at a snapshot's
// mark (expired ones not yet removed included, as KeyCounts).
type DBCount struct{ Keys, Volatile int }

// Snapshot encodes every live key of the store as of one instant. It locks
// every shard (in the usual order), calls mark with each database's counts
// (the caller records the replication offset there: no effect can be
// emitted meanwhile), and unlocks them; then it walks the databases in
// order and, shard by shard, hands out what enc encoded for that shard's
// keys (enc runs under the shard's lock, and must only append to b), in
// pieces of about snapPiece bytes that each end at a key's end. out runs
// with no lock held and must not keep b, which is reused once it returns;
// returning false stops the walk (the shards not yet captured are then
// left alone).
func (s *Store) Snapshot(now int64, mark func([]DBCount), enc func(e *Entry, b []byte) []byte, out func(dbi int, b []byte) bool) {
	sn := &snapshot{now: now, enc: enc, bufs: map[int][][]byte{}}
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
			pieces := sn.bufs[sh.pos]
			delete(sn.bufs, sh.pos)
			sn.mu.Unlock()
			for _, b := range pieces {
				if !out(dbi, b) {
					sn.mu.Lock()
					sn.stop = true
					sn.bufs, sn.free = nil, nil
					sn.mu.Unlock()
					return
				}
				if cap(b) <= 2*snapPiece { // not one grown by a huge key
					sn.mu.Lock()
					sn.free = append(sn.free, b)
					sn.mu.Unlock()
				}
			}
		}
	}
}
