package storage

import (
	"math"
	"math/bits"
	"sync"
	"sync/atomic"

	"github.com/dgraph-io/ristretto/v2"
)

// lfu is the allkeys-lfu and volatile-lfu policy: ristretto's TinyLFU
// admission and sampled LFU eviction, behind an admission window.
//
// A new key enters the window, a FIFO that takes windowShare of the budget
// and that ristretto does not see: it is never refused or evicted there, so
// a write can always be read back (a login's session survives until its
// first read). When the window is over its share, its oldest keys are
// offered to ristretto, which admits one only if its access frequency (a
// count-min sketch fed by every read) beats that of the least frequent of a
// sample of the keys it holds, evicting those to make room. This is the
// W-TinyLFU arrangement; ristretto is its TinyLFU half.
//
// Only reads count toward a key's frequency (Use): not the lookup of a
// command that creates the key, nor EXPIRE. Once ristretto is full, a key
// that leaves the window unread is evicted there, not offered: it would
// lose to every key read since the sketch's last halving, but ristretto
// admits on a tie, so it would displace the sessions of users who come
// back less often than that. A key read while absent lately (the ghost: a
// session evicted, then logged in again) is offered all the same.
//
// The shard map stays the truth. Ristretto knows a key by a 64-bit hash
// (pkey: the key's hash mixed with its shard's tag) and holds the tag as
// its value, so its callbacks name the shard and the hash; they only queue
// the victim, and the evictor (evict) finds the entry under the shard lock
// and removes it, counted, with DEL emitted. Ristretto's callbacks run on
// its own goroutine and never take a shard lock, so a command blocked on
// ristretto's buffer (Del) holding a shard lock always gets through.
//
// Costs follow the entries: the window's and main's bytes are ours, kept
// exact as entries are charged (Store.recharge); ristretto is told every
// cost change of a key it holds. A promotion ristretto drops (its buffer
// full) is put back at the window's head and offered again; an update it
// drops, or a key it holds that our map lost, makes its idea of the bytes
// drift from ours, and reconcile moves its capacity by the difference.
type lfu struct {
	s      *Store
	policy Policy
	cache  *ristretto.Cache[uint64, uint32]

	// mainCap is ristretto's capacity when its books agree with ours,
	// winCap the window's share of the budget, slack how far over budget
	// the background evictor is let run; CONFIG SET maxmemory changes them.
	mainCap, winCap, slack atomic.Int64
	fixed                  int64 // the sketch, the doorkeeper and the ghost
	ghost                  *ghost

	winBytes, winCount   atomic.Int64
	mainBytes, mainCount atomic.Int64

	winMu sync.Mutex
	win   []wref // FIFO from win[head]
	head  int

	offers atomic.Int64 // keys ristretto took from the window to decide on

	vicMu   sync.Mutex
	victims []uint64 // pkeys ristretto evicted or refused, not yet removed
	vicTags []uint32 // their shards' tags
}

// wref names a key of the window: its shard's tag and its hash.
type wref struct {
	tag uint32
	kh  uint64
}

const (
	// windowShare is the window's part of the budget, in 1/1024ths: 2%.
	// It sets how long a new key is safe from the frequency test: at the
	// session benchmark's rate (about 13,000 new sessions a second, 1 KiB
	// each, 200 MB) a quarter of a second, 25 times the delay before a
	// login is read back there. A larger window keeps more keys nobody
	// reads: the active users' hit ratio fell from 0.924 (2%) to 0.919
	// (10%) and 0.906 (25%).
	windowShare = 20
	// policyPerKey is what ristretto keeps for each key it holds: an entry
	// of its store (key, conflict hash, value, expiry: 48 bytes) and of its
	// policy's cost map, in Go maps at their usual load.
	policyPerKey = 112
)

// policyMetrics turns on ristretto's counters (tests wait on them).
var policyMetrics = false

func newLFU(s *Store, budget int64, p Policy) *lfu {
	l := &lfu{s: s, policy: p, ghost: newGhost(ghostBits(budget))}
	counters, fixed := sketchSize(budget)
	l.fixed = fixed
	l.sizes(budget)
	c, err := ristretto.NewCache(&ristretto.Config[uint64, uint32]{
		NumCounters:        counters,
		MaxCost:            l.mainCap.Load(),
		BufferItems:        64,
		Metrics:            policyMetrics,
		IgnoreInternalCost: true,
		OnEvict:            func(it *ristretto.Item[uint32]) { l.queueVictim(it.Key, it.Value) },
		OnReject: func(it *ristretto.Item[uint32]) {
			// A cost update racing the key's first offer comes back as a
			// refused new item while the key is held: not a refusal.
			if _, held := l.cache.GetTTL(it.Key); !held {
				l.queueVictim(it.Key, it.Value)
			}
		},
	})
	if err != nil {
		panic("storage: ristretto: " + err.Error()) // the config above is valid
	}
	l.cache = c
	return l
}

// sketchSize returns the sketch's counters for a budget, and the bytes
// they take. Ristretto halves its counters (and clears its doorkeeper)
// every that many reads: with 20 to 40 counters for each KiB of budget, a
// key read once keeps its advantage over a key never read for about as
// many reads as two to four times the keys the budget holds. (With 10,
// the number ristretto's documentation suggests, the session benchmark
// lost 3% more active users to keys never read after each halving.) The
// count is 40 a KiB rounded down to a power of two: ristretto rounds both
// of its structures up to one, so any other count pays for the next power
// unused (at 200mb, 34 MB for 7M counters against 17 MB for 4M).
func sketchSize(budget int64) (counters, bytes int64) {
	want := min(max(budget/1024*40, 1<<14), 1<<24)
	counters = 1 << (bits.Len64(uint64(want)) - 1)
	// count-min sketch: 4 rows of 4-bit counters; doorkeeper: a bloom
	// filter for a 1% false-positive rate (9.6 bits a counter), rounded
	// up to a power of two bits.
	bloom := uint64(512)
	for float64(bloom) < float64(counters)*-math.Log(0.01)/(math.Ln2*math.Ln2) {
		bloom <<= 1
	}
	return counters, 2*counters + int64(bloom/8) + ristrettoBase + ghostBytes(ghostBits(budget))
}

// ghostBits is the size of a ghost generation for a budget: 8 bits for
// each KiB, so that a generation lasts about as many reads of absent keys
// as the budget holds keys of 1 KiB.
func ghostBits(budget int64) int64 { return budget / 1024 * 8 }

// ristrettoBase is what a ristretto cache takes whatever its size: its
// Set buffer (32Ki pointers), its store's 256 shards and its read
// buffers.
const ristrettoBase = 340 << 10

// sizes splits budget between the window and ristretto.
func (l *lfu) sizes(budget int64) {
	win := budget * windowShare / 1024
	l.winCap.Store(win)
	l.mainCap.Store(max(budget-win-l.fixed, 1))
	l.slack.Store(budget / 64)
}

func (l *lfu) resize(budget int64) {
	l.sizes(budget)
	l.cache.UpdateMaxCost(l.mainCap.Load())
}

func (l *lfu) close() { l.cache.Close() }

// overhead is the policy's own memory.
func (l *lfu) overhead() int64 { return l.fixed + l.mainCount.Load()*policyPerKey }

func pkey(tag uint32, kh uint64) uint64 { return kh ^ uint64(tag)*0x9E3779B97F4A7C15 }

// enter puts e, of shard sh and key hash kh, into the window; sh is locked.
func (l *lfu) enter(sh *shard, kh uint64, e *Entry) {
	e.pstate = inWindow
	l.winCount.Add(1)
	if e.cost > 0 {
		l.winBytes.Add(e.cost)
	}
	l.winMu.Lock()
	l.win = append(l.win, wref{sh.tag, kh})
	l.winMu.Unlock()
	l.nudgeIfFull(l.winBytes.Load())
}

// leave takes e out of the policy's books (the key is being removed, or no
// longer eligible); sh is locked.
func (l *lfu) leave(sh *shard, kh uint64, e *Entry) {
	c := max(e.cost, 0)
	switch e.pstate {
	case inWindow:
		l.winBytes.Add(-c)
		l.winCount.Add(-1)
	case inMain:
		l.mainBytes.Add(-c)
		l.mainCount.Add(-1)
		l.cache.Del(pkey(sh.tag, kh))
	}
	e.pstate = untracked
}

// charged follows a change of d bytes in e's cost; sh is locked.
func (l *lfu) charged(sh *shard, kh uint64, e *Entry, d int64) {
	switch e.pstate {
	case inWindow:
		l.nudgeIfFull(l.winBytes.Add(d))
	case inMain:
		l.mainBytes.Add(d)
		l.cache.Set(pkey(sh.tag, kh), sh.tag, e.cost+policyPerKey)
	}
}

// access feeds a read of the key to the frequency sketch.
func (l *lfu) access(sh *shard, kh uint64) { l.cache.Get(pkey(sh.tag, kh)) }

// accessAbsent feeds a read of an absent key to the sketch and the ghost.
func (l *lfu) accessAbsent(sh *shard, kh uint64) {
	pk := pkey(sh.tag, kh)
	l.cache.Get(pk)
	l.ghost.mark(pk)
}

// mainFull reports whether ristretto, by our books, has no room for one
// more key of c bytes without evicting.
func (l *lfu) mainFull(c int64) bool {
	return l.mainBytes.Load()+(l.mainCount.Load()+1)*policyPerKey+c > l.mainCap.Load()
}

// nudgeIfFull wakes the evictor once the window holds an eighth more than
// its share, so that it promotes keys in batches, not one by one.
func (l *lfu) nudgeIfFull(winBytes int64) {
	if c := l.winCap.Load(); winBytes > c+c/8 {
		l.s.Nudge()
	}
}

func (l *lfu) queueVictim(pk uint64, tag uint32) {
	l.vicMu.Lock()
	l.victims = append(l.victims, pk)
	l.vicTags = append(l.vicTags, tag)
	n := len(l.victims)
	l.vicMu.Unlock()
	if n%64 == 0 {
		l.s.Nudge() // in batches too; the evictor's tick takes the rest
	}
}

// evict brings the books within the budget: it removes the keys ristretto
// evicted or refused and offers the window's oldest keys to ristretto
// while the window is over its share. When the dataset is still over the
// budget by more than the slack, it (in the background only) waits for
// ristretto to apply what it was sent and removes its victims, and then
// evicts up to maxKeys keys of main itself, sampled by their Redis LFU
// counter: ristretto evicts only
// to admit a key, so this is how a smaller maxmemory is reached without
// traffic. The window is never evicted from: a write can always be read
// back. It reports false when over budget with nothing to evict.
func (l *lfu) evict(now int64, maxKeys int, reconcile bool) bool {
	l.drainVictims()
	l.compact()
	l.promote()
	if reconcile {
		// reconcile needs ristretto caught up: keys sent and not yet
		// applied would read as drift
		l.cache.Wait()
		l.drainVictims()
		l.reconcile()
	}
	if !l.s.OverBudget() {
		return true
	}
	if reconcile {
		// the background evictor lets ristretto finish first; a command
		// never waits for it (a Wait per SET throttled a full store to
		// ristretto's pace)
		l.cache.Wait()
		l.drainVictims()
	}
	for n := 0; n < maxKeys && l.s.OverBudget(); n++ {
		if !l.s.evictSampled(l.policy, now) {
			return false
		}
	}
	return true
}

func (l *lfu) drainVictims() {
	l.vicMu.Lock()
	pks, tags := l.victims, l.vicTags
	l.victims, l.vicTags = nil, nil
	l.vicMu.Unlock()
	for i, pk := range pks {
		tag := tags[i]
		kh := pkey(tag, pk) // pkey is its own inverse
		sh := l.s.lockTag(tag)
		if e := sh.idx.hashed(l.s.seed, kh, func(e *Entry) bool { return e.pstate == inMain }); e != nil {
			l.mainBytes.Add(-max(e.cost, 0))
			l.mainCount.Add(-1)
			e.pstate = untracked
			l.s.evictEntry(sh, kh, e)
		}
		sh.unlock()
		// Whatever raced the eviction (a cost update that offered the key
		// anew), ristretto must not keep a key the map no longer has.
		l.cache.Del(pk)
	}
}

// promote offers the window's oldest keys to ristretto while the window is
// over its share.
func (l *lfu) promote() {
	for l.winBytes.Load() > l.winCap.Load() {
		r, ok := l.pop()
		if !ok {
			return
		}
		sh := l.s.lockTag(r.tag)
		e := sh.idx.hashed(l.s.seed, r.kh, func(e *Entry) bool { return e.pstate == inWindow })
		if e == nil {
			sh.unlock()
			continue // removed, or promoted already through another record
		}
		c := max(e.cost, 0)
		if !e.read && l.mainFull(c) && !l.ghost.has(pkey(r.tag, r.kh)) {
			// never read, here or (lately) while absent: it would lose
			// to every key ristretto holds but those at zero, which it
			// would displace on a tie
			e.pstate = untracked
			l.winBytes.Add(-c)
			l.winCount.Add(-1)
			l.s.evictEntry(sh, r.kh, e)
			sh.unlock()
			continue
		}
		e.pstate = inMain
		l.winBytes.Add(-c)
		l.winCount.Add(-1)
		l.mainBytes.Add(c)
		l.mainCount.Add(1)
		if !l.cache.Set(pkey(r.tag, r.kh), r.tag, c+policyPerKey) {
			// dropped: back to the window's head, offered again next time
			e.pstate = inWindow
			l.winBytes.Add(c)
			l.winCount.Add(1)
			l.mainBytes.Add(-c)
			l.mainCount.Add(-1)
			sh.unlock()
			l.pushFront(r)
			return
		}
		l.offers.Add(1)
		sh.unlock()
	}
}

// reconcile moves ristretto's capacity by the difference between the bytes
// it believes it holds and the bytes of the keys we have offered it, when
// that exceeds the slack (dropped updates, keys it holds that we removed).
// Call it with ristretto caught up (Wait, then drainVictims).
func (l *lfu) reconcile() {
	used := l.cache.MaxCost() - l.cache.RemainingCost()
	ours := l.mainBytes.Load() + l.mainCount.Load()*policyPerKey
	want, slack := l.mainCap.Load(), l.slack.Load()
	// keys the policy may not evict (persistent ones under volatile-lfu)
	// take their room from ristretto's
	want -= max(l.s.bytes.Load()-l.winBytes.Load()-l.mainBytes.Load(), 0)
	want = max(want, 1)
	if d := ours - used; d > slack || d < -slack {
		want = max(want-d, want/2, 1)
	}
	if want != l.cache.MaxCost() {
		l.cache.UpdateMaxCost(want)
	}
}

func (l *lfu) pop() (wref, bool) {
	l.winMu.Lock()
	defer l.winMu.Unlock()
	if l.head == len(l.win) {
		return wref{}, false
	}
	r := l.win[l.head]
	l.head++
	// compact once the consumed head is most of the slice
	if l.head >= 1024 && l.head*2 >= len(l.win) {
		n := copy(l.win, l.win[l.head:])
		l.win = l.win[:n]
		l.head = 0
	}
	return r, true
}

func (l *lfu) pushFront(r wref) {
	l.winMu.Lock()
	defer l.winMu.Unlock()
	if l.head > 0 {
		l.head--
		l.win[l.head] = r
		return
	}
	l.win = append([]wref{r}, l.win...)
}

// compact drops the window's stale records (keys removed before they were
// promoted) once they outnumber the live ones, keeping the order.
func (l *lfu) compact() {
	l.winMu.Lock()
	if len(l.win)-l.head <= 2*int(l.winCount.Load())+4096 {
		l.winMu.Unlock()
		return
	}
	old := l.win[l.head:]
	l.win, l.head = nil, 0
	l.winMu.Unlock()
	live := old[:0]
	for _, r := range old {
		sh := l.s.lockTag(r.tag)
		if sh.idx.hashed(l.s.seed, r.kh, func(e *Entry) bool { return e.pstate == inWindow }) != nil {
			live = append(live, r)
		}
		sh.unlock()
	}
	l.winMu.Lock()
	l.win = append(live, l.win...)
	l.winMu.Unlock()
}
