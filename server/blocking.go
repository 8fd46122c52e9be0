package server

import (
	"math"
	"math/big"
	"sync"
	"sync/atomic"
	"time"

	"sessiond/storage"
)

// Blocking commands (BLPOP, BLMOVE, BLMPOP, ... and later BZPOPMIN) park
// their connection on keys until a write adds elements to one of them, as
// Redis does:
//
//   - A command that finds nothing to serve registers a waiter on its keys
//     while it still holds the keys' shards, so no push can slip between its
//     look and its registration.
//   - A write that adds elements to a key calls signal with the key's shard
//     held; the key goes on the ready list if anyone waits on it.
//   - After its Tx ends, the writer calls serve: for each ready key it serves
//     the key's waiters first come, first served, running each waiter's try
//     with the shards it needs locked, until the key has nothing left to give.
//     The waiter's reply is written into its own connection's buffer; the
//     registry lock hands the buffer over (the parked goroutine does not
//     touch it until it sees done).
//   - The parked goroutine wakes when served, on its timeout (from the
//     injected clock), or when its connection goes (a watcher keeps reading
//     the socket, so a disconnect, CLIENT KILL or Close is seen at once).
//
// Lock order: shard locks, then blockRegistry.mu.
//
// Using it (BZPOPMIN and BZPOPMAX will): parse the timeout with
// c.timeoutArg; lock the keys and serve at once if possible; otherwise
// w := c.newWaiter(db, keys, nil, try) and c.block(&tx, w, deadline,
// c.w.NullArray). A write that adds elements calls c.srv.blocked.signal(db,
// key) with its Tx open and defers c.wakeBlocked() before deferring tx.End.

type blockKey struct {
	db  int
	key string
}

// waiter is one parked command.
type waiter struct {
	kind storage.Kind // what it pops: a key of another kind cannot serve it
	keys []blockKey
	// refs are the keys to lock to serve the waiter from k (k, and a
	// destination for BLMOVE).
	refs func(k blockKey) []storage.Ref
	// try serves the waiter from k if k holds what it waits for: it writes
	// the reply and the effect and reports true, or reports false and
	// changes nothing. It runs with refs(k) locked and the registry lock
	// held; a push it makes is announced with markReadyLocked.
	try   func(tx *storage.Tx, k blockKey) bool
	woken chan struct{}
	done  bool // served or given up, under the registry lock
}

// blockRegistry holds the parked commands by key. The zero value is ready.
type blockRegistry struct {
	count   atomic.Int64 // waiters registered, read without the lock by signal
	mu      sync.Mutex
	waiters map[blockKey][]*waiter
	ready   []blockKey
	isReady map[blockKey]bool
}

// register parks w on its keys; call it with the keys' shards held.
func (b *blockRegistry) register(w *waiter) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.waiters == nil {
		b.waiters = make(map[blockKey][]*waiter)
		b.isReady = make(map[blockKey]bool)
	}
	for _, k := range w.keys {
		b.waiters[k] = append(b.waiters[k], w)
	}
	b.count.Add(1)
}

// removeLocked takes w off all its keys.
func (b *blockRegistry) removeLocked(w *waiter) {
	for _, k := range w.keys {
		q := b.waiters[k]
		for i, x := range q {
			if x == w {
				q = append(q[:i:i], q[i+1:]...)
				break
			}
		}
		if len(q) == 0 {
			delete(b.waiters, k)
		} else {
			b.waiters[k] = q
		}
	}
	b.count.Add(-1)
}

// signal notes that key in db gained elements; call it with the key's shard
// held. It costs one atomic load when nobody is blocked.
func (b *blockRegistry) signal(db int, key []byte) {
	if b.count.Load() == 0 {
		return
	}
	b.mu.Lock()
	b.markReadyLocked(blockKey{db, string(key)})
	b.mu.Unlock()
}

func (b *blockRegistry) markReadyLocked(k blockKey) {
	if len(b.waiters[k]) == 0 || b.isReady[k] {
		return
	}
	b.isReady[k] = true
	b.ready = append(b.ready, k)
}

// serve hands the ready keys' elements to their waiters; call it with no
// shard held, after the write that signalled.
func (b *blockRegistry) serve(store *storage.Store, now int64) {
	if b.count.Load() == 0 {
		return
	}
	for {
		b.mu.Lock()
		if len(b.ready) == 0 {
			b.mu.Unlock()
			return
		}
		k := b.ready[0]
		b.ready = b.ready[1:]
		delete(b.isReady, k)
		b.mu.Unlock()
		b.serveKey(store, now, k)
	}
}

func (b *blockRegistry) serveKey(store *storage.Store, now int64, k blockKey) {
	kind := storage.KindNone
	key := []byte(k.key)
	tx := store.Begin(now, k.db, key)
	if e := tx.Peek(k.db, key); e != nil {
		kind = e.Kind()
	}
	tx.End()
	for {
		// the first waiter that pops this kind (BLPOP and BZPOPMIN may both
		// wait on one key)
		var w *waiter
		b.mu.Lock()
		for _, x := range b.waiters[k] {
			if x.kind == kind {
				w = x
				break
			}
		}
		b.mu.Unlock()
		if w == nil || !b.serveOne(store, now, k, w) {
			return
		}
	}
}

// serveOne tries to serve w from k; it reports false when k had nothing for
// it. Its locks are released by defers, so a panic in try (which closes the
// writer's connection) leaves no shard or registry lock held.
func (b *blockRegistry) serveOne(store *storage.Store, now int64, k blockKey, w *waiter) bool {
	tx := store.BeginMany(now, w.refs(k)...)
	defer tx.End()
	b.mu.Lock()
	defer b.mu.Unlock()
	if w.done {
		return true // gone meanwhile: look at the next waiter
	}
	if !w.try(&tx, k) {
		return false
	}
	w.done = true
	b.removeLocked(w)
	close(w.woken)
	return true
}

// newWaiter builds a waiter on keys (copied, as the arguments alias the read
// buffer); extra are keys to lock besides the ready one.
func (c *Client) newWaiter(db int, keys [][]byte, extra []byte, try func(*storage.Tx, blockKey) bool) *waiter {
	w := &waiter{kind: storage.KindList, try: try}
	seen := make(map[string]bool, len(keys))
	for _, k := range keys {
		if !seen[string(k)] {
			seen[string(k)] = true
			w.keys = append(w.keys, blockKey{db, string(k)})
		}
	}
	w.refs = func(k blockKey) []storage.Ref {
		refs := []storage.Ref{{DB: k.db, Key: []byte(k.key)}}
		if extra != nil {
			refs = append(refs, storage.Ref{DB: k.db, Key: extra})
		}
		return refs
	}
	return w
}

// wakeBlocked serves whatever this command's writes made ready; handlers
// that add elements defer it before deferring tx.End, so it runs after.
func (c *Client) wakeBlocked() {
	c.srv.blocked.serve(c.srv.store, c.nowMs)
}

// timeoutArg parses a blocking command's timeout in seconds (a float) into
// an absolute deadline in unix ms, 0 for none, writing Redis's errors.
func (c *Client) timeoutArg(b []byte) (int64, bool) {
	f, ok := parseLongDouble(b)
	if !ok {
		c.w.Error(errTimeoutFloat)
		return 0, false
	}
	ms := new(big.Float).Mul(f, big.NewFloat(1000))
	var tval int64
	if ms.IsInf() || ms.Cmp(big.NewFloat(math.MaxInt64)) >= 0 || ms.Cmp(big.NewFloat(math.MinInt64)) < 0 {
		tval = math.MinInt64 // C's cast of an out-of-range long double
	} else {
		var acc big.Accuracy
		tval, acc = ms.Int64() // truncates toward zero; Redis rounds up (ceill)
		if acc == big.Below {
			tval++
		}
	}
	if tval < 0 {
		c.w.Error(errTimeoutNeg)
		return 0, false
	}
	if tval == 0 || tval > math.MaxInt64-c.nowMs {
		return 0, true // forever
	}
	return c.nowMs + tval, true
}

// block parks the connection until w is served, the deadline (unix ms, 0
// for none) passes or the connection goes. Call it holding tx, which must
// lock all of w's keys; it ends tx. On timeout it writes timedOut's reply.
func (c *Client) block(tx *storage.Tx, w *waiter, deadline int64, timedOut func()) {
	b := &c.srv.blocked
	// Waiting is for a goroutine of the client's own, never an event loop.
	if err := c.detach(); err != nil {
		tx.End()
		c.srv.log.Warn("cannot park a blocking command; closing the client", "client", c.id, "error", err)
		c.closed = true
		return
	}
	w.woken = make(chan struct{})
	// Once registered, a writer may serve w and write the reply into c.w at
	// any time: take the replies to the commands before this one out first,
	// and send them now, as Redis would.
	pending := c.w.b
	c.w.b = nil
	b.register(w)
	tx.End()
	ok := true
	if len(pending) > 0 {
		_, err := c.sock.Write(pending)
		ok = err == nil
	}
	defer func() { c.w.b = append(pending[:0], c.w.b...) }()
	timeout, lost := c.await(w.woken, deadline, ok)
	b.mu.Lock()
	served := w.done
	if !served {
		w.done = true
		b.removeLocked(w)
	}
	b.mu.Unlock()
	switch {
	case lost:
		c.closed = true
	case !served && timeout:
		timedOut()
	}
}

// await waits, on the client's own goroutine, until woken is closed, the
// deadline (unix ms, 0 for none) passes on the injected clock, or the
// connection goes (watched only if alive: false means it is gone already).
func (c *Client) await(woken <-chan struct{}, deadline int64, alive bool) (timeout, lost bool) {
	var expired chan struct{}
	if deadline != 0 {
		expired = make(chan struct{})
		t := c.srv.clock.AfterFunc(time.Duration(deadline-c.nowMs)*time.Millisecond, func() { close(expired) })
		defer t.Stop()
	}
	gone := make(chan struct{})
	stopWatch := func() {}
	if alive {
		stopWatch = c.watch(gone)
	} else {
		close(gone)
	}
	defer stopWatch()
	select {
	case <-woken:
	case <-expired:
		timeout = true
	case <-gone:
		lost = true
	}
	return timeout, lost
}

// watch reads the socket into the connection's reader while the command is
// parked, so later pipelined commands wait their turn and a closed
// connection is noticed; it closes gone on a read error. The returned stop
// interrupts the read and waits for the watcher.
func (c *Client) watch(gone chan struct{}) (stop func()) {
	var stopping atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			if err := c.rd.fill(); err != nil {
				if !stopping.Load() {
					close(gone)
				}
				return
			}
		}
	}()
	return func() {
		stopping.Store(true)
		c.conn.SetReadDeadline(time.Unix(1, 0))
		<-done
		c.deadline = true // serve resets or renews the read deadline
		select {
		case <-gone:
		default:
			return
		}
		c.closed = true
	}
}

// keyspaceWakers are commands that can give a waited-on key elements without
// pushing: a list renamed, copied or moved over it, or a database swapped in.
// After them every waited-on key is checked, as Redis does for SWAPDB; this
// costs nothing while no one is blocked.
var keyspaceWakers = []string{"rename", "renamenx", "copy", "move", "swapdb", "restore", "sort"}

// zsetWriters add members to the sorted set at args[1]; they wake
// BZPOPMIN/BZPOPMAX clients waiting on it (cmd_zset.go stays unaware).
var zsetWriters = []string{"zadd", "zincrby", "zunionstore", "zinterstore", "zrangestore"}

// wrapKeyspaceWakers makes the keyspaceWakers and zsetWriters in t wake
// blocked clients.
func wrapKeyspaceWakers(t *table) {
	for _, name := range zsetWriters {
		cmd := t.cmds[name]
		if cmd == nil {
			continue
		}
		h := cmd.Handler
		cmd.Handler = func(c *Client, args [][]byte) {
			h(c, args)
			c.srv.blocked.wakeKey(c.srv.store, c.nowMs, c.DB(), args[1])
		}
	}
	for _, name := range keyspaceWakers {
		cmd := t.cmds[name]
		if cmd == nil {
			continue
		}
		h := cmd.Handler
		cmd.Handler = func(c *Client, args [][]byte) {
			h(c, args)
			c.srv.blocked.rescan(c.srv.store, c.nowMs)
		}
	}
}

// wakeKey serves the waiters of key if it now holds a non-empty collection;
// for writers that do not signal themselves.
func (b *blockRegistry) wakeKey(store *storage.Store, now int64, db int, key []byte) {
	if b.count.Load() == 0 {
		return
	}
	tx := store.Begin(now, db, key)
	if e := tx.Peek(db, key); e != nil {
		if n, ok := e.Obj.(interface{ Len() int }); ok && n.Len() > 0 {
			b.signal(db, key)
		}
	}
	tx.End()
	b.serve(store, now)
}

// rescan marks ready every waited-on key that holds a non-empty collection
// and serves them.
func (b *blockRegistry) rescan(store *storage.Store, now int64) {
	if b.count.Load() == 0 {
		return
	}
	b.mu.Lock()
	keys := make([]blockKey, 0, len(b.waiters))
	for k := range b.waiters {
		keys = append(keys, k)
	}
	b.mu.Unlock()
	for _, k := range keys {
		key := []byte(k.key)
		tx := store.Begin(now, k.db, key)
		if e := tx.Peek(k.db, key); e != nil {
			if n, ok := e.Obj.(interface{ Len() int }); ok && n.Len() > 0 {
				b.signal(k.db, key)
			}
		}
		tx.End()
	}
	b.serve(store, now)
}
