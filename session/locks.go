package session

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"sessiond/clock"
)

// LockKey names a session lock: the session's key in a database.
type LockKey struct {
	DB  int
	Key string
}

// Locks are the session locks of a server.
type Locks struct {
	clock clock.Clock
	mu    sync.Mutex
	next  int64 // the last token handed out
	held  map[LockKey]*lockState

	// Waits counts LOCK calls that had to wait; Expired counts locks that
	// ran out their TTL.
	Waits, Expired atomic.Int64
}

type lockState struct {
	key    LockKey
	token  int64
	holder int64 // client ID
	timer  clock.Timer
	queue  []*Waiter
}

// A Waiter is a LOCK call waiting its turn. C is closed when it is served:
// Token is then the token it got, or 0 if the session went.
type Waiter struct {
	C      chan struct{}
	Token  int64
	client int64
	ttl    time.Duration
	done   bool
	st     *lockState
}

// NewLocks returns an empty lock table timed by c. Its tokens start above
// c's unix time in microseconds, so a server started later (a restart, a
// promoted replica) hands out larger tokens than an earlier one did at
// fewer than a million locks a second.
func NewLocks(c clock.Clock) *Locks {
	return &Locks{clock: c, next: c.Now().UnixMicro(), held: map[LockKey]*lockState{}}
}

// Lock takes k for client for ttl and returns its token. When k is held
// it returns 0 and, if wait, a Waiter queued behind the others.
func (l *Locks) Lock(k LockKey, client int64, ttl time.Duration, wait bool) (int64, *Waiter) {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.held[k]
	if st == nil {
		st = &lockState{key: k}
		l.held[k] = st
		return l.grantLocked(st, client, ttl), nil
	}
	if !wait {
		return 0, nil
	}
	w := &Waiter{C: make(chan struct{}), client: client, ttl: ttl, st: st}
	st.queue = append(st.queue, w)
	l.Waits.Add(1)
	return 0, w
}

func (l *Locks) grantLocked(st *lockState, client int64, ttl time.Duration) int64 {
	l.next++
	tok := l.next
	st.token, st.holder = tok, client
	st.timer = l.clock.AfterFunc(ttl, func() { l.expire(st, tok) })
	return tok
}

// expire releases st if tok still holds it.
func (l *Locks) expire(st *lockState, tok int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if st.token == tok && l.held[st.key] == st {
		l.Expired.Add(1)
		l.releaseLocked(st)
	}
}

// releaseLocked hands st to its first waiter, or frees it.
func (l *Locks) releaseLocked(st *lockState) {
	st.timer.Stop()
	for len(st.queue) > 0 {
		w := st.queue[0]
		st.queue = st.queue[1:]
		if w.done {
			continue
		}
		w.Token, w.done = l.grantLocked(st, w.client, w.ttl), true
		close(w.C)
		return
	}
	st.token = 0
	delete(l.held, st.key)
}

// Unlock releases k if token holds it; it reports whether it did.
func (l *Locks) Unlock(k LockKey, token int64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.held[k]
	if st == nil || st.token != token {
		return false
	}
	l.releaseLocked(st)
	return true
}

// Cancel takes w out of its queue (its wait timed out, or its client
// went); if it was served meanwhile, it returns the token it got, which
// the caller now holds.
func (l *Locks) Cancel(w *Waiter) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if w.done {
		return w.Token
	}
	w.done = true
	w.st.queue = slices.DeleteFunc(w.st.queue, func(x *Waiter) bool { return x == w })
	return 0
}

// ReleaseClient releases every lock client holds (it disconnected).
func (l *Locks) ReleaseClient(client int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var mine []*lockState
	for _, st := range l.held {
		if st.holder == client {
			mine = append(mine, st)
		}
	}
	for _, st := range mine {
		l.releaseLocked(st)
	}
}

// Drop removes k's lock (its session went): its waiters get token 0.
func (l *Locks) Drop(k LockKey) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.dropLocked(k)
}

func (l *Locks) dropLocked(k LockKey) {
	st := l.held[k]
	if st == nil {
		return
	}
	st.timer.Stop()
	for _, w := range st.queue {
		if !w.done {
			w.done = true
			close(w.C)
		}
	}
	st.queue, st.token = nil, 0
	delete(l.held, k)
}

// Move gives the lock of from, holder, token and queue, to key to (a
// rotation); a lock already on to is dropped.
func (l *Locks) Move(from, to LockKey) {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.held[from]
	if st == nil {
		return
	}
	l.dropLocked(to)
	delete(l.held, from)
	st.key = to
	l.held[to] = st
}

// Holder returns k's token and holder, token 0 when free.
func (l *Locks) Holder(k LockKey) (token, client int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if st := l.held[k]; st != nil {
		return st.token, st.holder
	}
	return 0, 0
}

// Queued is how many waiters k has (tests).
func (l *Locks) Queued(k LockKey) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if st := l.held[k]; st != nil {
		return len(st.queue)
	}
	return 0
}
