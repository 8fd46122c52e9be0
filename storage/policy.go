package storage

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
)

// Policy is a maxmemory-policy: which keys go when the dataset is over its
// budget. The names are Redis's.
type Policy uint8

// The policies. AllKeysLFU and VolatileLFU are ristretto's (lfu.go); the
// others sample keys as Redis does (sample.go).
const (
	NoEviction Policy = iota
	AllKeysLRU
	VolatileLRU
	AllKeysLFU
	VolatileLFU
	AllKeysRandom
	VolatileRandom
	VolatileTTL
)

var policyNames = [...]string{"noeviction", "allkeys-lru", "volatile-lru", "allkeys-lfu", "volatile-lfu",
	"allkeys-random", "volatile-random", "volatile-ttl"}

// ParsePolicy returns the policy of a maxmemory-policy value.
func ParsePolicy(name string) (Policy, bool) {
	for i, n := range policyNames {
		if n == name {
			return Policy(i), true
		}
	}
	return NoEviction, false
}

func (p Policy) String() string { return policyNames[p] }

// VolatileOnly reports whether only keys with a deadline may be evicted.
func (p Policy) VolatileOnly() bool {
	return p == VolatileLRU || p == VolatileLFU || p == VolatileRandom || p == VolatileTTL
}

// LFU reports whether the policy keeps access frequencies.
func (p Policy) LFU() bool { return p == AllKeysLFU || p == VolatileLFU }

// eligible reports whether the policy may evict e.
func (p Policy) eligible(e *Entry) bool { return !p.VolatileOnly() || e.Deadline != 0 }

// sampleable reports whether the sampled eviction may take e: an eligible
// key, and under LFU one of ristretto's (the window is not evicted from).
func (p Policy) sampleable(e *Entry) bool {
	return p.eligible(e) && (!p.LFU() || e.pstate == inMain)
}

// Where an entry stands with the LFU policy (Entry.pstate).
const (
	untracked = iota // not known to the policy: no LFU policy, or not eligible
	inWindow         // new, in the admission window (lfu.go)
	inMain           // offered to ristretto
)

// memory is the store's maxmemory state.
type memory struct {
	mu     sync.Mutex // serializes SetMaxmemory
	policy atomic.Uint32
	budget atomic.Int64 // bytes the dataset may take, 0 for no limit
	lfu    atomic.Pointer[lfu]
	// evicted counts keys removed by the policy (INFO evicted_keys).
	evicted atomic.Int64
	wake    chan struct{} // nudges RunEvictor; buffered 1

	poolMu sync.Mutex
	pool   []candidate // the sampled policies' best candidates so far
}

// Policy returns the maxmemory-policy in force.
func (s *Store) Policy() Policy { return Policy(s.mem.policy.Load()) }

// EvictedKeys returns how many keys the maxmemory policy has removed.
func (s *Store) EvictedKeys() int64 { return s.mem.evicted.Load() }

// Budget returns the bytes the dataset may take before the policy evicts
// (0 for no limit).
func (s *Store) Budget() int64 { return s.mem.budget.Load() }

// SetMaxmemory sets the dataset's budget in bytes (0 for none) and the
// policy. Under an LFU policy with a budget, every eligible key is handed to
// ristretto (a key already stored enters the admission window). A smaller
// budget is enforced by RunEvictor and by the next commands that add data
// (Evict).
func (s *Store) SetMaxmemory(budget int64, p Policy) {
	m := &s.mem
	m.mu.Lock()
	defer m.mu.Unlock()
	m.budget.Store(max(budget, 0))
	m.policy.Store(uint32(p))
	cur := m.lfu.Load()
	want := p.LFU() && budget > 0
	// a sketch sized for a budget twice or half this one is rebuilt
	_, sketch := sketchSize(budget)
	if cur != nil && (!want || cur.policy != p || sketch > 2*cur.fixed || 2*sketch < cur.fixed) {
		m.lfu.Store(nil)
		s.eachShard(func(sh *shard) {
			sh.idx.each(s.seed, func(_ uint64, e *Entry) bool {
				e.pstate = untracked
				return true
			})
		})
		cur.close()
		cur = nil
	}
	if want && cur == nil {
		l := newLFU(s, budget, p)
		m.lfu.Store(l)
		s.eachShard(func(sh *shard) {
			sh.idx.each(s.seed, func(kh uint64, e *Entry) bool {
				if e.pstate == untracked && p.eligible(e) {
					l.enter(sh, kh, e)
				}
				return true
			})
		})
	} else if want {
		cur.resize(budget)
	}
	m.clearPool()
	s.Nudge()
}

// clearPool empties the sampled policies' pool (its scores belong to the old
// policy).
func (m *memory) clearPool() {
	m.poolMu.Lock()
	m.pool = m.pool[:0]
	m.poolMu.Unlock()
}

// eachShard calls fn with every shard of every database, locked.
func (s *Store) eachShard(fn func(sh *shard)) {
	for _, d := range s.dbs {
		for i := range d.shards {
			sh := &d.shards[i]
			sh.lock()
			fn(sh)
			sh.unlock()
		}
	}
}

// Nudge wakes RunEvictor.
func (s *Store) Nudge() {
	select {
	case s.mem.wake <- struct{}{}:
	default:
	}
}

// PolicyBytes is the memory the LFU policy itself holds (its sketch and
// its record of every key), counted in used_memory beside the dataset.
func (s *Store) PolicyBytes() int64 {
	if l := s.mem.lfu.Load(); l != nil {
		return l.overhead()
	}
	return 0
}

// SetExtraBytes makes fn part of the memory the budget holds: what is kept
// beside the keyspace for it (the session owner index). fn must be cheap.
func (s *Store) SetExtraBytes(fn func() int64) { s.extra.Store(&fn) }

// ExtraBytes is what SetExtraBytes's function reports now, 0 without one.
func (s *Store) ExtraBytes() int64 {
	if fn := s.extra.Load(); fn != nil {
		return (*fn)()
	}
	return 0
}

// OverBudget reports whether the dataset, the policy's own memory and the
// extra bytes are above the budget by more than the policy lets run over
// (the LFU policy evicts in the background and may run over by its slack).
func (s *Store) OverBudget() bool {
	b := s.mem.budget.Load()
	if b == 0 {
		return false
	}
	used := s.bytes.Load() + s.ExtraBytes()
	if l := s.mem.lfu.Load(); l != nil {
		return used+l.overhead() > b+l.slack.Load()
	}
	return used > b
}

// Wake is signalled when the policy has work for EvictBackground: a
// smaller budget, victims from ristretto, a window over its share.
func (s *Store) Wake() <-chan struct{} { return s.mem.wake }

// EvictBackground does the policy's pending work and evicts until the
// dataset is within its budget; the server calls it on Wake and on a tick
// (tick true: then the LFU policy also reconciles its books with
// ristretto's, which waits for ristretto to catch up).
func (s *Store) EvictBackground(now int64, tick bool) {
	if s.mem.budget.Load() == 0 {
		return
	}
	if l := s.mem.lfu.Load(); l != nil {
		l.evict(now, 1<<30, tick)
		return
	}
	if p := s.Policy(); p != NoEviction {
		for s.OverBudget() && s.evictSampled(p, now) {
		}
	}
}

// Evict frees memory while the dataset is over its budget, removing at
// most maxKeys keys; it reports false when the dataset is still over and
// the policy has nothing it may evict (noeviction, or a volatile policy
// with no volatile keys): the caller then refuses commands that add data.
func (s *Store) Evict(now int64, maxKeys int) bool {
	if !s.OverBudget() {
		return true
	}
	switch p := s.Policy(); {
	case p == NoEviction:
		return false
	case p.LFU():
		if l := s.mem.lfu.Load(); l != nil {
			return l.evict(now, maxKeys, false)
		}
		return true
	default:
		for range maxKeys {
			if !s.OverBudget() {
				return true
			}
			if !s.evictSampled(p, now) {
				return false
			}
		}
		return true
	}
}

// evictEntry removes e, of shard sh and key hash kh, as evicted: counted,
// DEL emitted. The caller has taken e out of the LFU policy's books.
func (s *Store) evictEntry(sh *shard, kh uint64, e *Entry) {
	s.remove(sh, kh, e)
	s.mem.evicted.Add(1)
	if s.sink.Load() != nil {
		s.emit(sh.dbi, []byte("DEL"), []byte(e.Key))
	}
}

// Redis's LFU counter, kept per key under an LFU policy for OBJECT FREQ:
// a logarithmic 8-bit counter that starts at lfuInitVal for a new key,
// grows with probability 1/((counter-lfuInitVal)*lfuLogFactor+1) per access
// and loses one per lfuDecayMinutes without access. (Eviction decisions
// are ristretto's; its sketch cannot be read per key.)
const (
	lfuInitVal      = 5
	lfuLogFactor    = 10
	lfuDecayMinutes = 1
)

// decayedFreq is e's counter after the decay since its last access.
func (e *Entry) decayedFreq(nowSec uint32) uint8 {
	if nowSec <= e.access {
		return e.freq
	}
	periods := (nowSec - e.access) / 60 / lfuDecayMinutes
	if periods >= uint32(e.freq) {
		return 0
	}
	return e.freq - uint8(periods)
}

// countAccess updates e's counter for an access at nowSec (before e.access
// moves to nowSec).
func (e *Entry) countAccess(nowSec uint32) {
	f := e.decayedFreq(nowSec)
	if f < 255 {
		base := float64(max(int(f)-lfuInitVal, 0))
		if rand.Float64() < 1/(base*lfuLogFactor+1) {
			f++
		}
	}
	e.freq = f
}

// Freq is OBJECT FREQ: e's LFU counter as of nowMs.
func (e *Entry) Freq(nowMs int64) int { return int(e.decayedFreq(uint32(nowMs / 1000))) }

// Close stops the policy's goroutines (ristretto's); the store stays
// usable without a memory limit.
func (s *Store) Close() { s.SetMaxmemory(0, s.Policy()) }
