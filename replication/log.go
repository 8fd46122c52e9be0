package replication

import (
	"errors"
	"strconv"
	"sync"
	"time"

	"sessiond/storage"
)

// Log is a primary's replication stream: the store's effects as RESP
// commands (a SELECT before an effect for another database than the last
// one's), numbered by byte from offset 0, with the replication backlog.
//
// The bytes are kept in fixed chunks. A chunk is dropped once it lies
// wholly before both the backlog window (the last backlog bytes, which a
// replica reconnecting with PSYNC may ask for) and every follower's read
// position; a follower that lets more than its limit pile up unread is cut
// off instead, so a slow replica costs at most that limit, never the
// primary's progress.
type Log struct {
	mu      sync.Mutex
	chunks  [][]byte // full chunks hold chunkSize bytes; the last is being filled
	first   int64    // offset of chunks[0][0]
	off     int64    // offset after the last byte: master_repl_offset
	db      int      // database of the last effect; -1 forces a SELECT
	backlog int64    // repl-backlog-size
	follow  []*Follower
	// draining counts followers cut off but not yet closed: their reader
	// may still be writing slices Peek gave, so no chunk is reused then
	draining int
	free     [][]byte // dropped chunks for reuse: no garbage per chunk
	// chunks is arr[head:head+len(chunks)]: the room dropped chunks leave
	// at the front of the array is reused rather than reallocated
	arr     [][]byte
	head    int
	now     func() time.Time // the clock of the soft limit
	wake    chan struct{}    // closed and replaced at an append that someone waits for
	waited  bool             // wake was handed out since it was made
	scratch []byte
}

const chunkSize = 16 << 10

// maxFree is how many dropped chunks a log keeps for reuse.
const maxFree = 64

// ErrTooOld is returned for an offset the log no longer holds.
var ErrTooOld = errors.New("replication: offset no longer in the log")

// ErrCutOff is returned to a follower that fell too far behind.
var ErrCutOff = errors.New("replication: follower fell behind its output limit")

// NewLog returns an empty log starting at offset start (a promoted
// replica continues its old primary's numbering) that keeps backlog bytes.
func NewLog(start, backlog int64) *Log {
	return &Log{first: start, off: start, db: -1, backlog: backlog, now: time.Now,
		wake: make(chan struct{})}
}

// Offset is the offset after the last byte appended.
func (l *Log) Offset() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.off
}

// First is the offset of the oldest byte held: the backlog's first byte,
// or older bytes a follower has yet to read.
func (l *Log) First() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.first
}

// SetClock sets the clock the soft limit is timed by (tests).
func (l *Log) SetClock(now func() time.Time) {
	l.mu.Lock()
	l.now = now
	l.mu.Unlock()
}

// SetBacklog changes the backlog size (CONFIG SET repl-backlog-size).
func (l *Log) SetBacklog(n int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.backlog = n
	l.trim()
}

// Reselect makes the next effect carry a SELECT whatever the last database
// was: a replica starting from a snapshot does not know it.
func (l *Log) Reselect() {
	l.mu.Lock()
	l.db = -1
	l.mu.Unlock()
}

// Append adds an effect (a storage effect sink).
func (l *Log) Append(e storage.Effect) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if n := len(l.chunks); n > 0 && e.DB == l.db {
		// most often the command fits in the last chunk: encoded there
		// at once, not first into scratch and then copied
		last := &l.chunks[n-1]
		if size := CommandSize(e.Args...); size <= chunkSize-len(*last) {
			*last = AppendCommand(*last, e.Args...)
			l.off += int64(size)
			l.appended()
			return
		}
	}
	b := l.encode(l.scratch[:0], e)
	l.write(b)
	l.scratch = b[:0]
}

// encode appends e to b as a command, after a SELECT when it is of
// another database than the stream's last. l.mu is held.
func (l *Log) encode(b []byte, e storage.Effect) []byte {
	b = l.selectDB(b, e.DB)
	return AppendCommand(b, e.Args...)
}

// selectDB appends a SELECT of db to b unless the stream is in it.
func (l *Log) selectDB(b []byte, db int) []byte {
	if db == l.db {
		return b
	}
	l.db = db
	return AppendCommand(b, []byte("SELECT"), []byte(strconv.Itoa(db)))
}

// AppendGroup adds effects that must reach a replica as one unit (a
// storage group sink): wrapped in MULTI/EXEC, as Redis propagates a
// command with several effects, and written under one hold of the lock, so
// no other effect falls between them. A replica applies the whole
// transaction at its EXEC, or none of it if its link breaks before.
func (l *Log) AppendGroup(es []storage.Effect) {
	if len(es) == 0 {
		return
	}
	l.mu.Lock()
	b := l.selectDB(l.scratch[:0], es[0].DB) // before MULTI, as Redis
	b = AppendCommand(b, []byte("MULTI"))
	for _, e := range es {
		b = l.encode(b, e)
	}
	b = AppendCommand(b, []byte("EXEC"))
	l.write(b)
	l.scratch = b[:0]
	l.mu.Unlock()
}

// AppendRaw adds bytes that are already a RESP command (PING).
func (l *Log) AppendRaw(b []byte) {
	l.mu.Lock()
	l.write(b)
	l.mu.Unlock()
}

func (l *Log) write(b []byte) {
	l.off += int64(len(b))
	for len(b) > 0 {
		if n := len(l.chunks); n == 0 || len(l.chunks[n-1]) == chunkSize {
			l.pushChunk(l.newChunk())
		}
		last := &l.chunks[len(l.chunks)-1]
		k := min(len(b), chunkSize-len(*last))
		*last = append(*last, b[:k]...)
		b = b[k:]
	}
	l.appended()
}

// appended trims the log after bytes were added, and wakes the followers
// waiting for them.
func (l *Log) appended() {
	l.trim()
	if l.waited { // no allocation per append while followers are busy
		close(l.wake)
		l.wake = make(chan struct{})
		l.waited = false
	}
}

// trim drops the chunks nobody needs, and cuts off the followers whose
// unread bytes exceed their limit.
func (l *Log) trim() {
	for i := 0; i < len(l.follow); i++ {
		f := l.follow[i]
		behind := l.off - f.pos
		over := f.limit.Soft > 0 && behind > f.limit.Soft
		switch {
		case !over:
			f.softSince = time.Time{}
		case f.softSince.IsZero():
			f.softSince = l.now()
		}
		if f.limit.Hard > 0 && behind > f.limit.Hard || over && l.now().Sub(f.softSince) > f.limit.SoftFor {
			f.cut = true
			close(f.cutCh)
			l.unfollow(f)
			l.draining++
			i--
		}
	}
	keep := l.off - l.backlog
	for _, f := range l.follow {
		keep = min(keep, f.pos)
	}
	for len(l.chunks) > 1 && l.first+int64(len(l.chunks[0])) <= keep {
		l.first += int64(len(l.chunks[0]))
		if l.draining == 0 && len(l.free) < maxFree {
			l.free = append(l.free, l.chunks[0][:0])
		}
		l.chunks[0] = nil
		l.chunks = l.chunks[1:]
		l.head++
	}
}

// pushChunk appends c to the chunks, moving them to the front of their
// array when it is full there and free at the front.
func (l *Log) pushChunk(c []byte) {
	n := len(l.chunks)
	if l.head > 0 && l.head+n == cap(l.arr) {
		copy(l.arr, l.chunks)
		clear(l.arr[n : l.head+n])
		l.chunks, l.head = l.arr[:n], 0
	}
	l.chunks = append(l.chunks, c)
	if l.head == 0 {
		l.arr = l.chunks[:cap(l.chunks)]
	}
}

// newChunk returns an empty chunk, reused if one is free.
func (l *Log) newChunk() []byte {
	if n := len(l.free); n > 0 {
		c := l.free[n-1]
		l.free[n-1] = nil
		l.free = l.free[:n-1]
		return c
	}
	return make([]byte, 0, chunkSize)
}

// unfollow removes f from the followers.
func (l *Log) unfollow(f *Follower) {
	for i, g := range l.follow {
		if g == f {
			last := len(l.follow) - 1
			l.follow[i] = l.follow[last]
			l.follow[last] = nil
			l.follow = l.follow[:last]
			return
		}
	}
}

// Has reports whether a replica at offset off (the next byte it needs)
// can continue from the backlog: off is within its last backlog bytes.
func (l *Log) Has(off int64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return off <= l.off && off >= max(l.first, l.off-l.backlog)
}

// Follower reads the log from an offset on, for one replica.
type Follower struct {
	l         *Log
	pos       int64
	limit     Limit
	softSince time.Time // when its unread bytes passed the soft limit
	cut       bool
	closed    bool
	cutCh     chan struct{}
}

// Limit is a follower's output-buffer limit (client-output-buffer-limit
// replica hard soft seconds): it is cut off once its unread bytes pass
// Hard, or have stayed past Soft for longer than SoftFor. 0 turns either
// off.
type Limit struct {
	Hard, Soft int64
	SoftFor    time.Duration
}

// Cut is closed when the follower is cut off: its reader may be blocked
// writing to a replica that stopped reading, and should be unblocked.
func (f *Follower) Cut() <-chan struct{} { return f.cutCh }

// Follow returns a follower reading from off, which Has must allow, that
// is cut off by limit (checked at each append).
func (l *Log) Follow(off int64, limit Limit) (*Follower, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if off > l.off || off < l.first {
		return nil, ErrTooOld
	}
	f := &Follower{l: l, pos: off, limit: limit, cutCh: make(chan struct{})}
	l.follow = append(l.follow, f)
	return f, nil
}

// Next copies the bytes from the follower's position into p (at most
// len(p)), advancing it; with nothing new it returns 0 and a channel that
// is closed at the next append. It returns ErrCutOff once the follower is
// cut off.
func (f *Follower) Next(p []byte) (int, <-chan struct{}, error) {
	segs, wake, err := f.Peek(len(p))
	if err != nil || len(segs) == 0 {
		return 0, wake, err
	}
	n := 0
	for _, s := range segs {
		n += copy(p[n:], s)
	}
	f.Advance(int64(n))
	return n, nil, nil
}

// Peek returns up to max unread bytes as slices of the log's own memory,
// without copying and without advancing: write them out, then Advance by
// what was written. (The bytes before the log's end never change, and
// chunks the follower has not passed are kept; a follower cut off
// meanwhile no longer holds its chunks, but none is reused until it is
// closed. So the slices stay valid until Advance or Close.) With nothing
// new it returns no slices and a channel closed at the next append.
func (f *Follower) Peek(max int) ([][]byte, <-chan struct{}, error) {
	l := f.l
	l.mu.Lock()
	defer l.mu.Unlock()
	if f.cut {
		return nil, nil, ErrCutOff
	}
	var segs [][]byte
	pos, n := f.pos, 0
	for n < max && pos < l.off {
		i := int((pos - l.first) / chunkSize)
		// chunks before the last are full, so position maps to chunk i
		// at offset (pos-first) % chunkSize
		c := l.chunks[i][(pos-l.first)%chunkSize:]
		c = c[:min(len(c), max-n):min(len(c), max-n)]
		segs = append(segs, c)
		n += len(c)
		pos += int64(len(c))
	}
	if n == 0 {
		l.waited = true
		return nil, l.wake, nil
	}
	return segs, nil, nil
}

// Advance moves the follower past n bytes Peek gave.
func (f *Follower) Advance(n int64) {
	f.l.mu.Lock()
	f.pos += n
	f.l.mu.Unlock()
}

// Pos is the offset of the next byte the follower will read.
func (f *Follower) Pos() int64 {
	f.l.mu.Lock()
	defer f.l.mu.Unlock()
	return f.pos
}

// Close stops following.
func (f *Follower) Close() {
	l := f.l
	l.mu.Lock()
	defer l.mu.Unlock()
	if f.closed {
		return
	}
	f.closed = true
	if f.cut {
		l.draining--
		return
	}
	l.unfollow(f)
}

// CommandSize is the length of AppendCommand's encoding of args.
func CommandSize(args ...[]byte) int {
	n := 1 + decimalLen(len(args)) + 2
	for _, a := range args {
		n += 1 + decimalLen(len(a)) + 2 + len(a) + 2
	}
	return n
}

// decimalLen is the number of digits of n >= 0.
func decimalLen(n int) int {
	d := 1
	for n >= 10 {
		n /= 10
		d++
	}
	return d
}

// AppendCommand appends args as a RESP array of bulk strings: a command
// as a primary's stream and a replica's handshake send it.
func AppendCommand(b []byte, args ...[]byte) []byte {
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(len(args)), 10)
	b = append(b, '\r', '\n')
	for _, a := range args {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(a)), 10)
		b = append(b, '\r', '\n')
		b = append(b, a...)
		b = append(b, '\r', '\n')
	}
	return b
}
