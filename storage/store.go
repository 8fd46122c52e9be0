package storage

import (
	"hash/maphash"
	"math/bits"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"sessiond/expiry"
)

// Options configure a Store.
type Options struct {
	Databases int // number of logical databases, default 16
	Shards    int // shards per database, a power of two; 0 sizes for the cores
}

// Store is the keyspace: Databases logical databases of the same number of
// shards each.
type Store struct {
	dbs   []*db
	mask  uint64
	nsh   int
	seed  maphash.Seed
	sink  atomic.Pointer[func(Effect)]
	group atomic.Pointer[func([]Effect)]
	stats Stats
	// bytes is the sum of every shard's bytes, so reading the dataset's
	// size (each denyoom command under maxmemory) is one load.
	bytes atomic.Int64
	mem   memory // maxmemory budget and policy (policy.go)
	// samples is maxmemory-samples (sample.go).
	samples atomic.Int32
	// byTag finds a shard by its tag (shard.tag), which SWAPDB moves
	// with the shard's contents.
	byTag []atomic.Pointer[shard]
	// replica: expired keys are hidden, never removed (SetReplica)
	replica atomic.Bool
	hooks   atomic.Pointer[Hooks]
	extra   atomic.Pointer[func() int64] // SetExtraBytes
}

// Hooks are told of changes to the keyspace the store makes or sees whole,
// for indexes kept beside it (the session owner index). They run with the
// shards concerned locked: they must not begin a Tx.
type Hooks struct {
	// Removed is called for every entry removed, however (DEL, expiry,
	// eviction, FLUSHDB), before it is retired; expired says the store
	// removed it at its deadline. prefix narrows it to keys with that
	// prefix.
	Prefix  string
	Removed func(db int, e *Entry, expired bool)
	// Swapped is called by SWAPDB.
	Swapped func(a, b int)
}

// SetHooks installs h (nil for none).
func (s *Store) SetHooks(h *Hooks) { s.hooks.Store(h) }

// removed tells the hooks e, of database dbi, is going.
func (s *Store) removed(dbi int, e *Entry, expired bool) {
	if h := s.hooks.Load(); h != nil && h.Removed != nil && strings.HasPrefix(e.Key, h.Prefix) {
		h.Removed(dbi, e, expired)
	}
}

// Stats are counters kept by the store.
type Stats struct {
	ExpiredKeys   atomic.Int64
	ExpiredFields atomic.Int64 // hash fields removed at their deadline
}

type db struct {
	shards []shard
	bytes  atomic.Int64 // the sum of its shards' bytes
}

type shard struct {
	mu       sync.Mutex
	idx      index // key -> entry (index.go)
	timers   expiry.Heap
	volatile int // entries with a deadline
	slots        // where the shard's entries are carved from (slab.go)
	// bytes is the sum of the costs of the shard's entries (memusage.go);
	// change it only through Store.charge, which keeps Store.bytes the sum.
	bytes int64
	db    *db          // the database the shard belongs to (fixed)
	seed  maphash.Seed // the store's, for resolving timers (fixed)
	pos   int          // its position: dbi*shards + index (fixed)
	// snap is a snapshot waiting to capture the shard (snapshot.go)
	snap *snapshot
	dbi  int // its index (fixed)
	// tag names the shard's contents for the eviction policy, which knows
	// keys by tag and hash; SWAPDB exchanges it with the contents.
	tag uint32
}

// clear empties the shard, which the caller holds locked. Its slabs go with
// the old index: entries retired under this lock are garbage already.
func (sh *shard) clear() {
	sh.idx = newIndex()
	sh.slots = slots{}
	sh.timers.Reset()
	sh.volatile = 0
}

// DefaultShards returns the shard count used when Options.Shards is 0: the
// next power of two at or above 8×GOMAXPROCS, at least 256. Many shards
// keep lock contention low, and keep each shard small: a snapshot encodes
// a shard under its lock, so a command on a shard the snapshot has not
// reached yet waits for that shard's encoding (a million sessions of 1 KiB
// in a full sync: the longest GET took 277 ms with 16 shards, 64 ms with
// 256).
func DefaultShards() int {
	n := max(8*runtime.GOMAXPROCS(0), minShards)
	return 1 << bits.Len(uint(n-1))
}

// minShards is the least number of shards DefaultShards gives.
const minShards = 256

// New returns an empty store.
func New(o Options) *Store {
	if o.Databases <= 0 {
		o.Databases = 16
	}
	if o.Shards <= 0 {
		o.Shards = DefaultShards()
	}
	if o.Shards&(o.Shards-1) != 0 {
		panic("storage: shard count must be a power of two")
	}
	s := &Store{mask: uint64(o.Shards - 1), nsh: o.Shards, seed: maphash.MakeSeed()}
	s.mem.wake = make(chan struct{}, 1)
	s.samples.Store(5)
	s.dbs = make([]*db, o.Databases)
	s.byTag = make([]atomic.Pointer[shard], o.Databases*o.Shards)
	for i := range s.dbs {
		d := &db{shards: make([]shard, o.Shards)}
		for j := range d.shards {
			sh := &d.shards[j]
			sh.idx, sh.db, sh.dbi, sh.tag, sh.seed = newIndex(), d, i, uint32(i*o.Shards+j), s.seed
			sh.pos = i*o.Shards + j
			s.byTag[sh.tag].Store(sh)
		}
		s.dbs[i] = d
	}
	return s
}

// SetReplica switches replica mode: a key past its deadline is hidden from
// reads but neither deleted on access nor swept (nor a hash's due fields),
// since a replica waits for its primary's DEL. A Tx whose Now is 0 (the
// primary's stream being applied) sees no key as expired.
func (s *Store) SetReplica(on bool) { s.replica.Store(on) }

// Databases returns the number of logical databases.
func (s *Store) Databases() int { return len(s.dbs) }

// Stats returns the store's counters.
func (s *Store) Stats() *Stats { return &s.stats }

// SetEffectSink installs fn to receive every effect, called with the shard
// lock(s) of the mutation held so that the order of effects agrees with the
// order of application for any one key. fn must not block for long and must
// copy what it keeps. nil removes the sink.
func (s *Store) SetEffectSink(fn func(Effect)) {
	if fn == nil {
		s.sink.Store(nil)
		return
	}
	s.sink.Store(&fn)
}

// SetGroupSink installs fn to receive the effects of a grouped Tx (see
// Tx.Group) that made more than one, together, at its End and with its
// locks still held: they must reach a replica as one unit (the log wraps
// them in MULTI/EXEC). Without it they go one by one to the effect sink.
// nil removes it.
func (s *Store) SetGroupSink(fn func([]Effect)) {
	if fn == nil {
		s.group.Store(nil)
		return
	}
	s.group.Store(&fn)
}

func (s *Store) emit(dbi int, args ...[]byte) {
	if p := s.sink.Load(); p != nil {
		(*p)(Effect{DB: dbi, Args: args})
	}
}

func (s *Store) shardIndex(key []byte) int {
	return int(maphash.Bytes(s.seed, key) & s.mask)
}

// Tx is a set of locked shards; every access to a key goes through a Tx
// that holds the key's shard. Begin one, use it, End it. Now is the command's
// instant in unix ms, used for lazy expiry.
type Tx struct {
	s    *Store
	Now  int64
	one  *shard
	many []*shard
	// read: begun by BeginRead or BeginReadKeys, so a shard a snapshot
	// waits for is captured only before this Tx changes it
	read bool
	// The entries this Tx returned, recharged at End: commands change
	// values in place, so their cost is known only then.
	touched [4]touched
	nt      int
	more    []touched
	// grouped: the command's effects are kept (copied) in staged and
	// passed on together at End; emits counts the effects the command
	// made (a check that a command making several groups them)
	grouped bool
	staged  []Effect
	emits   int
}

// CheckGroups makes End panic when a Tx that was not grouped emitted more
// than one effect: a command whose effects must reach a replica together
// and forgot to say so. Tests set it; it is read without synchronisation,
// so set it before any Tx runs.
var CheckGroups bool

type touched struct {
	sh *shard
	kh uint64
	e  *Entry
}

// touch records e, of shard sh and key hash kh, for recharging at End.
func (t *Tx) touch(sh *shard, kh uint64, e *Entry) {
	for i := range t.nt {
		if t.touched[i].e == e {
			return
		}
	}
	if t.nt < len(t.touched) {
		t.touched[t.nt] = touched{sh, kh, e}
		t.nt++
		return
	}
	if len(t.more) > 0 && t.more[len(t.more)-1].e == e {
		return // a lookup then a put of the same key (MSET)
	}
	t.more = append(t.more, touched{sh, kh, e})
}

// recharge sets e's cost (e of shard sh, key hash kh) to its memory usage
// now. A removed entry (cost 0) is skipped.
func (s *Store) recharge(sh *shard, kh uint64, e *Entry) {
	if e.cost == 0 {
		return
	}
	if c := e.MemoryUsage(chargeSamples); c != e.cost {
		d := c - max(e.cost, 0)
		s.charge(sh, d)
		e.cost = c
		if e.pstate != untracked {
			if l := s.mem.lfu.Load(); l != nil {
				l.charged(sh, kh, e, d)
			}
		}
	}
}

// charge adds d bytes to shard sh, which the caller holds, and to the
// store's total.
func (s *Store) charge(sh *shard, d int64) {
	sh.bytes += d
	sh.db.bytes.Add(d)
	s.bytes.Add(d)
}

// clear empties shard sh, which the caller holds, and uncharges its bytes.
func (s *Store) clear(sh *shard) {
	if h := s.hooks.Load(); h != nil && h.Removed != nil {
		sh.idx.each(s.seed, func(_ uint64, e *Entry) bool {
			s.removed(sh.dbi, e, false)
			return true
		})
	}
	if l := s.mem.lfu.Load(); l != nil {
		sh.idx.each(s.seed, func(kh uint64, e *Entry) bool {
			if e.pstate != untracked {
				l.leave(sh, kh, e)
			}
			return true
		})
	}
	s.charge(sh, -sh.bytes)
	sh.clear()
}

// track hands a new or newly eligible entry to the LFU policy, if any.
func (s *Store) track(sh *shard, kh uint64, e *Entry) {
	if l := s.mem.lfu.Load(); l != nil && e.pstate == untracked && l.policy.eligible(e) {
		l.enter(sh, kh, e)
	}
}

// retrack follows a deadline change under volatile-lfu: a key with a
// deadline is the policy's, one without is not.
func (s *Store) retrack(sh *shard, kh uint64, e *Entry) {
	l := s.mem.lfu.Load()
	if l == nil || !l.policy.VolatileOnly() {
		return
	}
	if e.Deadline == 0 && e.pstate != untracked {
		l.leave(sh, kh, e)
	} else if e.Deadline != 0 && e.pstate == untracked {
		l.enter(sh, kh, e)
	}
}

// accessed marks e (of shard sh, key hash kh) read or written at now.
func (t *Tx) accessed(sh *shard, kh uint64, e *Entry) { t.accessedFor(sh, kh, e, true) }

// accessedFor is accessed; sketch says whether the access counts in the
// LFU policy's frequency sketch (see Use).
func (t *Tx) accessedFor(sh *shard, kh uint64, e *Entry, sketch bool) {
	sec := uint32(t.Now / 1000)
	if Policy(t.s.mem.policy.Load()).LFU() {
		e.countAccess(sec)
		if l := t.s.mem.lfu.Load(); l != nil && sketch {
			l.access(sh, kh)
		}
		e.read = e.read || sketch
	}
	e.access = sec
}

// lockTag locks and returns the shard holding tag.
func (s *Store) lockTag(tag uint32) *shard {
	for {
		sh := s.byTag[tag].Load()
		sh.lock()
		if sh.tag == tag {
			return sh
		}
		sh.unlock() // SWAPDB moved it meanwhile
	}
}

// chargeSamples is how many elements of a collection recharge measures:
// a few, so a command on a big collection stays O(1).
const chargeSamples = 5

// DatasetBytes is the memory of every key in every database, as
// MemoryUsage counts it, as of the last ended Tx.
func (s *Store) DatasetBytes() int64 { return s.bytes.Load() }

// Begin locks the shard of key in database dbi.
func (s *Store) Begin(now int64, dbi int, key []byte) Tx {
	sh := &s.dbs[dbi].shards[s.shardIndex(key)]
	sh.lock()
	return Tx{s: s, Now: now, one: sh}
}

// BeginRead is Begin for a command that only reads. It does not capture
// the shard when a snapshot waits for it: a read changes nothing a
// snapshot holds, so it need not wait for the shard's encoding, and reads
// that reach every shard before the snapshot's walk do not make it encode
// the whole dataset at once. Should the Tx change the shard after all (a
// key found past its deadline is deleted), it captures the shard first.
func (s *Store) BeginRead(now int64, dbi int, key []byte) Tx {
	sh := &s.dbs[dbi].shards[s.shardIndex(key)]
	sh.lockRead()
	return Tx{s: s, Now: now, one: sh, read: true}
}

// BeginReadKeys is BeginKeys for a command that only reads (see
// BeginRead).
func (s *Store) BeginReadKeys(now int64, dbi int, keys [][]byte) Tx {
	return s.lockIndexes(now, s.keyIndexes(make([]int, 0, len(keys)), dbi, keys), true)
}

// changing is called before t changes shard sh: a read Tx captures the
// shard first if a snapshot waits for it.
func (t *Tx) changing(sh *shard) {
	if t.read {
		sh.captureWaiting()
	}
}

// Ref names a key in a database.
type Ref struct {
	DB  int
	Key []byte
}

// BeginMany locks the shards of all refs, in a fixed global order so that
// concurrent multi-key transactions cannot deadlock.
func (s *Store) BeginMany(now int64, refs ...Ref) Tx {
	idx := make([]int, 0, len(refs))
	for _, r := range refs {
		idx = append(idx, r.DB*s.nsh+s.shardIndex(r.Key))
	}
	return s.lockIndexes(now, idx, false)
}

// BeginKeys locks the shards of keys in one database.
func (s *Store) BeginKeys(now int64, dbi int, keys [][]byte) Tx {
	return s.lockIndexes(now, s.keyIndexes(make([]int, 0, len(keys)), dbi, keys), false)
}

// keyIndexes appends to idx the indexes (database × shards + shard) of the
// shards of keys in dbi. (The caller makes idx: a small one then stays on
// its stack.)
func (s *Store) keyIndexes(idx []int, dbi int, keys [][]byte) []int {
	for _, k := range keys {
		idx = append(idx, dbi*s.nsh+s.shardIndex(k))
	}
	return idx
}

// lockIndexes locks the shards at the given indexes (database × shards
// + shard) in order; read: without capturing them (see BeginRead).
func (s *Store) lockIndexes(now int64, idx []int, read bool) Tx {
	sort.Ints(idx)
	t := Tx{s: s, Now: now, read: read}
	if len(idx) > len(t.touched) {
		t.more = make([]touched, 0, len(idx)-len(t.touched)) // one key each, usually
	}
	last := -1
	for _, i := range idx {
		if i == last {
			continue
		}
		last = i
		sh := &s.dbs[i/s.nsh].shards[i%s.nsh]
		if read {
			sh.lockRead()
		} else {
			sh.lock()
		}
		t.many = append(t.many, sh)
	}
	return t
}

// End unlocks the transaction's shards. It is idempotent, so handlers both
// defer it (a panic never leaves a shard locked) and may call it early.
func (t *Tx) End() {
	for i := range t.nt {
		x := &t.touched[i]
		t.s.recharge(x.sh, x.kh, x.e)
		*x = touched{}
	}
	t.nt = 0
	for _, x := range t.more {
		t.s.recharge(x.sh, x.kh, x.e)
	}
	t.more = nil
	ungrouped := !t.grouped && t.emits > 1
	if t.grouped {
		t.flushGroup()
	}
	t.emits = 0
	if t.one != nil {
		t.one.unlock()
		t.one = nil
	}
	for i := len(t.many) - 1; i >= 0; i-- {
		t.many[i].unlock()
	}
	t.many = nil
	if ungrouped && CheckGroups { // after the unlocks: a test fails, not hangs
		panic("storage: a Tx emitted several effects without Group")
	}
}

// locate returns the shard of key in dbi, which t must hold, and the key's
// hash, which both picks the shard and keys its index.
func (t *Tx) locate(dbi int, key []byte) (*shard, uint64) {
	h := maphash.Bytes(t.s.seed, key)
	return t.at(dbi, h), h
}

// locateString is locate for a key held as a string (an entry's own).
func (t *Tx) locateString(dbi int, key string) (*shard, uint64) {
	h := maphash.String(t.s.seed, key)
	return t.at(dbi, h), h
}

// at returns the shard of dbi that keys with hash h live in; t must hold it.
func (t *Tx) at(dbi int, h uint64) *shard {
	return t.held(&t.s.dbs[dbi].shards[h&t.s.mask])
}

func (t *Tx) held(sh *shard) *shard {
	if sh != t.one {
		held := false
		for _, m := range t.many {
			if m == sh {
				held = true
				break
			}
		}
		if !held {
			panic("storage: key accessed outside its transaction")
		}
	}
	return sh
}

// Logging reports whether effects are being collected; callers use it to
// skip building effect arguments nobody will read.
func (t *Tx) Logging() bool { return t.s.sink.Load() != nil }

// Emit records an effect for database dbi. Call it while the Tx is open.
func (t *Tx) Emit(dbi int, args ...[]byte) {
	t.emits++
	if t.grouped {
		if t.s.sink.Load() != nil {
			t.staged = append(t.staged, Effect{DB: dbi, Args: CloneArgs(args)})
		}
		return
	}
	t.s.emit(dbi, args...)
}

// Group makes the effects this Tx emits from now on reach the log as one
// unit at End (MULTI/EXEC in the stream), so that a replica, and a replica
// promoted after its primary died in the middle of them, has all of them
// or none: a session's HSET without its PEXPIREAT would never expire. Only
// commands that may make several effects call it; the effects are copied.
// (Lazy expiry's DELs still go out at once: they are of other keys, or of
// a key the command then finds absent.)
func (t *Tx) Group() { t.grouped = true }

// flushGroup passes the staged effects on: one as itself, several to the
// group sink.
func (t *Tx) flushGroup() {
	st := t.staged
	t.staged, t.grouped = nil, false
	switch {
	case len(st) == 0:
	case len(st) == 1:
		t.s.emit(st[0].DB, st[0].Args...)
	default:
		if p := t.s.group.Load(); p != nil {
			(*p)(st)
			return
		}
		for _, e := range st {
			t.s.emit(e.DB, e.Args...)
		}
	}
}

// CloneArgs copies args into one new buffer, each slice capped at its
// own end (so appending to one never overwrites the next).
func CloneArgs(args [][]byte) [][]byte {
	n := 0
	for _, a := range args {
		n += len(a)
	}
	buf := make([]byte, 0, n)
	out := make([][]byte, len(args))
	for i, a := range args {
		buf = append(buf, a...)
		out[i] = buf[len(buf)-len(a) : len(buf) : len(buf)]
	}
	return out
}

// Get returns the live entry for key, or nil, and marks it accessed. An
// entry whose deadline has passed is deleted (lazy expiry, counted, DEL
// emitted) and reported absent; a hash first loses its due fields (HDEL
// emitted), and is absent when none is left.
func (t *Tx) Get(dbi int, key []byte) *Entry { return t.Lookup(dbi, key, UseRead) }

// Use is what a command does with a key it looks up, for the LFU
// policy's frequency sketch, which decides what stays under maxmemory: a
// session created and never read must not count as read once.
type Use uint8

const (
	// UseRead: the command reads the key (or changes its value): a hit
	// counts, and so does a miss (a session evicted, then logged in
	// again, is admitted on its reads).
	UseRead Use = iota
	// UseCreate: the command writes the key, creating it when absent
	// (SET, HSET, INCR): a miss is no read.
	UseCreate
	// UseDeadline: the command only changes the key's deadline (EXPIRE
	// after HSET, as session stores create a session): nothing counts.
	UseDeadline
)

// Lookup is Get for a command whose use of the key is u. The entry's
// access time and Redis LFU counter (OBJECT IDLETIME, OBJECT FREQ) follow
// every use, as in Redis.
func (t *Tx) Lookup(dbi int, key []byte, u Use) *Entry {
	sh, kh, e := t.peek(dbi, key)
	switch {
	case e != nil:
		t.accessedFor(sh, kh, e, u != UseDeadline)
	case u == UseRead:
		if l := t.s.mem.lfu.Load(); l != nil {
			l.accessAbsent(sh, kh)
		}
	}
	return e
}

// Peek is Get without marking the entry accessed (OBJECT, TTL-like reads
// from NO-TOUCH clients).
func (t *Tx) Peek(dbi int, key []byte) *Entry {
	_, _, e := t.peek(dbi, key)
	return e
}

// peek is Peek that also returns the key's shard and hash.
func (t *Tx) peek(dbi int, key []byte) (*shard, uint64, *Entry) {
	sh, kh := t.locate(dbi, key)
	e := find(&sh.idx, kh, key)
	if e == nil {
		return sh, kh, nil
	}
	if e.Deadline != 0 && e.Deadline <= t.Now {
		if !t.s.replica.Load() {
			t.changing(sh)
			t.s.expire(dbi, sh, kh, e)
		}
		return sh, kh, nil // a replica hides it until its primary's DEL
	}
	if h, ok := e.Obj.(*Hash); ok && h.NextFieldDeadline() != 0 && h.NextFieldDeadline() <= t.Now && !t.s.replica.Load() {
		t.changing(sh)
		if t.s.expireFields(dbi, sh, kh, e, h, t.Now) {
			return sh, kh, nil // its last fields expired: the hash is gone
		}
	}
	t.touch(sh, kh, e)
	return sh, kh, e
}

// expire deletes e, whose key has hash kh, as expired: counted, DEL emitted.
func (s *Store) expire(dbi int, sh *shard, kh uint64, e *Entry) {
	s.removeFor(sh, kh, e, true)
	s.stats.ExpiredKeys.Add(1)
	if s.sink.Load() != nil {
		s.emit(dbi, []byte("DEL"), []byte(e.Key))
	}
}

// remove takes e, whose key has hash kh, out of shard sh and retires it.
func (s *Store) remove(sh *shard, kh uint64, e *Entry) { s.removeFor(sh, kh, e, false) }

// removeFor is remove, telling the hooks whether e expired.
func (s *Store) removeFor(sh *shard, kh uint64, e *Entry, expired bool) {
	s.removed(sh.dbi, e, expired)
	if e.pstate != untracked {
		if l := s.mem.lfu.Load(); l != nil {
			l.leave(sh, kh, e)
		}
		e.pstate = untracked
	}
	s.charge(sh, -max(e.cost, 0))
	e.cost = 0
	sh.idx.del(kh, e)
	if e.Deadline != 0 {
		sh.volatile--
	}
	sh.retire(e)
}

// Put stores a new entry for key holding the given string value or object,
// replacing any previous entry, with the given deadline (0 for none). It
// returns the stored entry. The key and value are used as given: the caller
// passes memory it no longer changes.
func (t *Tx) Put(dbi int, key []byte, str []byte, obj Object, deadline int64) *Entry {
	sh, h := t.locate(dbi, key)
	return t.put(sh, h, key, find(&sh.idx, h, key), str, obj, deadline)
}

// PutFound is Put for a caller that has just looked key up in this Tx:
// found is what Get or Peek returned (nil when the key was absent), and the
// map is not searched again. Passing anything else corrupts the shard.
func (t *Tx) PutFound(dbi int, key []byte, found *Entry, str []byte, obj Object, deadline int64) *Entry {
	sh, h := t.locate(dbi, key)
	return t.put(sh, h, key, found, str, obj, deadline)
}

func (t *Tx) put(sh *shard, h uint64, key []byte, found *Entry, str []byte, obj Object, deadline int64) *Entry {
	t.changing(sh)
	if found != nil {
		found.Str, found.Obj, found.Raw = str, obj, false
		t.accessed(sh, h, found)
		sh.setDeadline(found, h, deadline)
		t.s.retrack(sh, h, found)
		sh.armFields(found, h)
		t.touch(sh, h, found)
		return found
	}
	e := sh.newEntry()
	e.Key, e.Str, e.Obj, e.access = string(key), str, obj, uint32(t.Now/1000)
	e.cost, e.freq, e.read = -1, lfuInitVal, false
	sh.idx.add(h, e)
	sh.setDeadline(e, h, deadline)
	sh.armFields(e, h)
	t.s.track(sh, h, e)
	t.touch(sh, h, e)
	return e
}

// Delete removes key; it reports whether a live key was removed. It emits
// nothing: the command decides its effect.
func (t *Tx) Delete(dbi int, key []byte) bool {
	sh, kh, e := t.peek(dbi, key)
	if e == nil {
		return false
	}
	t.changing(sh)
	t.s.remove(sh, kh, e)
	return true
}

// SetDeadline changes the deadline of a live entry in dbi.
func (t *Tx) SetDeadline(dbi int, e *Entry, deadline int64) {
	sh, h := t.locateString(dbi, e.Key)
	t.changing(sh)
	sh.setDeadline(e, h, deadline)
	t.s.retrack(sh, h, e)
}

// setDeadline sets e's deadline, arming a timer under h, its key's hash,
// when the new deadline comes before any armed one.
func (sh *shard) setDeadline(e *Entry, h uint64, deadline int64) {
	switch {
	case e.Deadline == 0 && deadline != 0:
		sh.volatile++
	case e.Deadline != 0 && deadline == 0:
		sh.volatile--
	}
	e.Deadline = deadline
	if deadline != 0 && (e.timer == 0 || deadline < e.timer) {
		sh.arm(e, h, deadline)
	}
}

// SweepExpired deletes up to budget keys whose deadline is at or before now,
// across all databases and shards; it implements expiry.Sweeper.
func (s *Store) SweepExpired(now int64, budget int) int {
	if s.replica.Load() {
		return 0 // a replica waits for its primary's DEL
	}
	removed := 0
	for dbi, d := range s.dbs {
		for i := range d.shards {
			if removed >= budget {
				return removed
			}
			sh := &d.shards[i]
			sh.lockRead() // sweepShard captures before it removes
			removed += s.sweepShard(dbi, sh, now, budget-removed)
			sh.unlock()
		}
	}
	return removed
}

func (s *Store) sweepShard(dbi int, sh *shard, now int64, budget int) int {
	removed := 0
	for removed < budget {
		next, ok := sh.timers.Next()
		if !ok || next.When > now {
			break
		}
		sh.timers.Pop()
		e := sh.idx.timed(s.seed, next.Key, next.When)
		if e == nil {
			continue // stale: the key is gone, or another timer is armed for it
		}
		e.timer = 0
		if e.Deadline != 0 && e.Deadline <= now {
			sh.captureWaiting()
			s.expire(dbi, sh, next.Key, e)
			removed++
			continue
		}
		if h, ok := e.Obj.(*Hash); ok && h.NextFieldDeadline() != 0 && h.NextFieldDeadline() <= now {
			sh.captureWaiting()
			removed++
			if s.expireFields(dbi, sh, next.Key, e, h, now) {
				continue
			}
		}
		// persisted, or the deadline slid later: re-arm at the earliest
		// deadline left, if any
		if when := e.nextDeadline(); when != 0 {
			sh.arm(e, next.Key, when)
		}
	}
	return removed
}

// nextDeadline is the earliest of the entry's deadline and its fields'
// deadlines, 0 for none.
func (e *Entry) nextDeadline() int64 {
	when := e.Deadline
	if h, ok := e.Obj.(*Hash); ok {
		if next := h.NextFieldDeadline(); next != 0 && (when == 0 || next < when) {
			when = next
		}
	}
	return when
}

// expireFields removes the due fields of hash h held by e (whose key has
// hash kh), emits HDEL of them, and deletes the key when the hash empties
// (reported true).
func (s *Store) expireFields(dbi int, sh *shard, kh uint64, e *Entry, h *Hash, now int64) bool {
	due := h.ExpireFields(now)
	if len(due) == 0 {
		return false
	}
	s.stats.ExpiredFields.Add(int64(len(due)))
	if s.sink.Load() != nil {
		args := make([][]byte, 0, 2+len(due))
		args = append(args, []byte("HDEL"), []byte(e.Key))
		s.emit(dbi, append(args, due...)...)
	}
	if h.Empty() {
		s.remove(sh, kh, e)
		return true
	}
	s.recharge(sh, kh, e)
	return false
}

// ArmFieldTimer makes sure the shard's timer fires for e by the earliest
// deadline of its hash fields; call it after setting field deadlines.
func (t *Tx) ArmFieldTimer(dbi int, e *Entry) {
	sh, h := t.locateString(dbi, e.Key)
	sh.armFields(e, h)
}

// armFields arms e's timer by the earliest deadline of its hash fields (a
// hash moved in by COPY, RENAME or MOVE brings its field deadlines along).
func (sh *shard) armFields(e *Entry, kh uint64) {
	h, ok := e.Obj.(*Hash)
	if !ok {
		return
	}
	if next := h.NextFieldDeadline(); next != 0 && (e.timer == 0 || next < e.timer) {
		sh.arm(e, kh, next)
	}
}

// arm pushes a timer at when for e, whose key has hash kh, and makes it
// e's armed one. A removed key's timer, or one a key with an earlier
// deadline left behind, stays in the heap as stale until it fires (for a
// session, an hour later); so that keys evicted or deleted at a high rate
// cannot fill the heap with them, it is filtered once it holds half again
// as many timers as the shard has keys (each key has one armed timer at
// most): a pass over the heap for every half of the keys' worth of timers
// pushed.
func (sh *shard) arm(e *Entry, kh uint64, when int64) {
	e.timer = when
	sh.timers.Push(when, kh)
	if n := sh.idx.len(); sh.timers.Len() > n+n/2+1024 {
		sh.timers.Filter(func(t expiry.Timer) bool { return sh.idx.timed(sh.seed, t.Key, t.When) != nil })
	}
}
