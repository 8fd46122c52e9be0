package storage

import (
	"math/bits"
	"sync"
	"sync/atomic"
)

// ghost remembers which keys were read while absent, lately: a bitset of
// key hashes in two generations, the older cleared and reused once the
// newer has taken an eighth of its bits. The LFU policy asks it about a
// key leaving the admission window unread: one read while absent (a
// session evicted, then logged in again) has a history, and is offered to
// ristretto; one without is a key nobody has read, and is dropped rather
// than offered (ristretto admits on a tie, so a key never read would
// displace a key read once that a sketch halving brought back to zero).
//
// A false positive (a bit set by another key) only offers a key to
// ristretto, which still compares frequencies.
type ghost struct {
	mask uint64
	gen  [2][]atomic.Uint64
	cur  atomic.Uint32 // index of the newer generation
	n    atomic.Int64  // marks in the newer generation
	mu   sync.Mutex    // taken to turn generations over
}

// ghostSize is the bits a generation of a ghost asked for nbits has: a
// power of two, at least 4096.
func ghostSize(nbits int64) uint64 {
	return uint64(1) << max(bits.Len64(uint64(max(nbits, 1<<12)-1)), 12)
}

// ghostBytes is the memory a ghost asked for nbits takes: two generations.
func ghostBytes(nbits int64) int64 { return int64(2 * ghostSize(nbits) / 8) }

// newGhost returns a ghost of ghostSize(nbits) bits a generation.
func newGhost(nbits int64) *ghost {
	size := ghostSize(nbits)
	g := &ghost{mask: size - 1}
	for i := range g.gen {
		g.gen[i] = make([]atomic.Uint64, size/64)
	}
	return g
}

// bytes is the memory the ghost takes.
func (g *ghost) bytes() int64 { return int64(len(g.gen[0])+len(g.gen[1])) * 8 }

func (g *ghost) bit(h uint64) (word int, m uint64) {
	b := (h * 0x9E3779B97F4A7C15 >> 17) & g.mask
	return int(b / 64), 1 << (b % 64)
}

// mark records a read of the key of hash h while it was absent.
func (g *ghost) mark(h uint64) {
	w, m := g.bit(h)
	gen := g.gen[g.cur.Load()]
	if gen[w].Load()&m != 0 {
		return
	}
	gen[w].Or(m)
	if g.n.Add(1) >= int64(g.mask+1)/8 {
		g.turn()
	}
}

// turn clears the older generation and makes it the newer.
func (g *ghost) turn() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.n.Load() < int64(g.mask+1)/8 {
		return // another mark turned it
	}
	old := 1 - g.cur.Load()
	for i := range g.gen[old] {
		g.gen[old][i].Store(0)
	}
	g.cur.Store(old)
	g.n.Store(0)
}

// has reports whether the key of hash h was read while absent in either
// generation.
func (g *ghost) has(h uint64) bool {
	w, m := g.bit(h)
	return g.gen[0][w].Load()&m != 0 || g.gen[1][w].Load()&m != 0
}
