package storage

import (
	"math"
	"math/rand/v2"
)

// The LRU, random and TTL policies sample as Redis does (and the LFU
// policies when ristretto has to be caught up: lfu.evict): each round takes
// Samples keys from a random shard of every database that has data, scores
// them (idle time for LRU, nearness of the deadline for TTL, a random number
// for random), and keeps the best poolSize candidates across rounds; the
// best candidate still present is evicted. The access clock has Redis's
// resolution, one second.

// poolSize is Redis's EVPOOL_SIZE.
const poolSize = 16

// candidate is a key the sampled policies may evict; higher scores go first.
type candidate struct {
	tag   uint32
	kh    uint64
	key   string
	score int64
}

// SetSamples sets maxmemory-samples, the keys each sampling round takes.
func (s *Store) SetSamples(n int) { s.samples.Store(int32(max(n, 1))) }

// evictSampled evicts one key under policy p; it reports false when no key
// may be evicted.
func (s *Store) evictSampled(p Policy, now int64) bool {
	m := &s.mem
	m.poolMu.Lock()
	defer m.poolMu.Unlock()
	for range 8 {
		if s.sampleRound(p, now) {
			return true // the sample held expired keys: they went instead
		}
		for len(m.pool) > 0 {
			c := m.pool[len(m.pool)-1]
			m.pool = m.pool[:len(m.pool)-1]
			sh := s.lockTag(c.tag)
			e := find(&sh.idx, c.kh, c.key)
			if e != nil && p.sampleable(e) {
				s.evictEntry(sh, c.kh, e)
				sh.unlock()
				return true
			}
			sh.unlock()
		}
	}
	return false
}

// sampleRound adds maxmemory-samples keys of every database with data to
// the pool, from random shards: from one when it holds enough, as a large
// dataset's do, else from more, up to sampleShards (many shards hold a
// small dataset a few keys each); the caller holds poolMu. Keys met past
// their deadline are expired on the spot, and then it reports true.
func (s *Store) sampleRound(p Policy, now int64) bool {
	n := int(s.samples.Load())
	expired := false
	for _, d := range s.dbs {
		if d.bytes.Load() == 0 {
			continue
		}
		seen := 0
		for try := 0; seen < n && try < sampleShards; try++ {
			sh := &d.shards[rand.IntN(len(d.shards))]
			sh.lockRead()
			if p.VolatileOnly() && sh.volatile == 0 {
				sh.unlock()
				continue
			}
			visited := 0
			sh.idx.each(s.seed, func(kh uint64, e *Entry) bool {
				visited++
				if e.Deadline != 0 && e.Deadline <= now {
					sh.captureWaiting()
					s.expire(sh.dbi, sh, kh, e)
					expired = true
					return visited < 4*n
				}
				if !p.sampleable(e) {
					return visited < 16*n
				}
				s.offer(candidate{tag: sh.tag, kh: kh, key: e.Key, score: score(p, e, now)})
				seen++
				return seen < n && visited < 16*n
			})
			sh.unlock()
		}
	}
	return expired
}

// sampleShards is how many shards of a database a sampling round looks
// at, at most, for its keys.
const sampleShards = 32

func score(p Policy, e *Entry, now int64) int64 {
	switch p {
	case AllKeysLRU, VolatileLRU:
		return e.IdleSeconds(now)
	case VolatileTTL:
		return math.MaxInt64 - e.Deadline
	case AllKeysLFU, VolatileLFU:
		return 255 - int64(e.decayedFreq(uint32(now/1000)))
	default:
		return rand.Int64()
	}
}

// offer puts c into the pool, sorted by ascending score, if it beats the
// worst candidate or there is room; a key already there is rescored.
func (s *Store) offer(c candidate) {
	pool := s.mem.pool
	for i := range pool {
		if pool[i].kh == c.kh && pool[i].tag == c.tag && pool[i].key == c.key {
			pool = append(pool[:i], pool[i+1:]...)
			break
		}
	}
	if len(pool) == poolSize {
		if c.score <= pool[0].score {
			s.mem.pool = pool
			return
		}
		pool = pool[1:]
	}
	i := len(pool)
	for i > 0 && pool[i-1].score > c.score {
		i--
	}
	pool = append(pool, candidate{})
	copy(pool[i+1:], pool[i:])
	pool[i] = c
	s.mem.pool = pool
}
