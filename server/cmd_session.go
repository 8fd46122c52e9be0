package server

import (
	"bytes"
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"sessiond/session"
	"sessiond/storage"
)

// SESSION.* commands: sessions as hashes under session-prefix that the
// server knows (see package session). Every change reaches the effect log
// as plain HSET / HDEL / PEXPIREAT / DEL, so any replica holds the same
// sessions and deadlines.

// sessionState is the server's session bookkeeping.
type sessionState struct {
	prefix      string // session-prefix, fixed at start
	prefixBytes []byte // the same, for matching arguments
	index       *session.Index
	locks       *session.Locks

	// directives, refreshed by applyConfig
	idle, absolute, touch, maxBytes atomic.Int64

	created, expiredIdle, expiredAbsolute atomic.Int64
	destroyed, revoked, rotated           atomic.Int64
}

// defaultGrace is how long a rotated session's old ID answers.
const defaultGrace = 5

const (
	errNoSession     = "ERR no such session"
	errReservedField = "ERR field name '" + session.MetaField + "' is reserved for sessiond"
)

// initSessions sets up the bookkeeping and the store's hooks.
func (s *Server) initSessions() {
	st := &s.sess
	st.prefix = "session:"
	if kv := s.cfg.Get("session-prefix"); len(kv) == 2 {
		st.prefix = kv[1]
	}
	st.prefixBytes = []byte(st.prefix)
	st.index = session.NewIndex()
	st.locks = session.NewLocks(s.clock)
	s.store.SetHooks(&storage.Hooks{Prefix: st.prefix, Removed: s.sessionRemoved, Swapped: st.index.Swap})
	s.store.SetExtraBytes(st.index.Bytes) // the index counts toward maxmemory
}

// applySessionConfig caches the session directives.
func (s *Server) applySessionConfig() {
	st := &s.sess
	st.idle.Store(s.cfgInt("session-idle-default", 1800))
	st.absolute.Store(s.cfgInt("session-absolute-default", 86400))
	st.touch.Store(s.cfgInt("session-touch-interval", 1))
	st.maxBytes.Store(s.cfgInt("session-max-bytes", 1<<20))
}

// sessionRemoved is the store's removal hook for keys under the prefix:
// the index and the locks forget the key, and an expiry is counted as
// idle or absolute. It runs under the key's shard lock.
func (s *Server) sessionRemoved(db int, e *storage.Entry, expired bool) {
	st := &s.sess
	st.locks.Drop(session.LockKey{DB: db, Key: e.Key})
	if !st.index.Remove(db, e.Key) || !expired {
		return
	}
	if m, _, ok := sessionOf(e); ok && m.Cap() != 0 && e.Deadline >= m.Cap() {
		st.expiredAbsolute.Add(1)
	} else {
		st.expiredIdle.Add(1)
	}
}

// syncSessionKeys brings the index up to date with the keys under the
// prefix a command other than SESSION.* wrote (HSET from a primary's
// stream, SET over a session, RENAME, ...).
func (c *Client) syncSessionKeys(cmd *Command, args [][]byte) {
	s := c.srv
	last := cmd.LastKey
	if last < 0 {
		last += len(args)
	}
	step := max(cmd.Step, 1)
	for i := cmd.FirstKey; i <= last && i < len(args); i += step {
		if !bytes.HasPrefix(args[i], s.sess.prefixBytes) {
			continue
		}
		s.syncSession(c.nowMs, c.DB(), args[i])
		if other := otherDB(cmd, args); other >= 0 && other < s.store.Databases() {
			s.syncSession(c.nowMs, other, args[i])
		}
	}
}

// otherDB is the database a MOVE or a COPY ... DB n wrote to besides the
// client's, -1 for none.
func otherDB(cmd *Command, args [][]byte) int {
	var arg []byte
	switch {
	case cmd.Name == "move" && len(args) == 3:
		arg = args[2]
	case cmd.Name == "copy":
		for i := 3; i+1 < len(args); i++ {
			if eq(args[i], "db") {
				arg = args[i+1]
			}
		}
	}
	if db, ok := parseInteger(arg); ok && db >= 0 && db <= math.MaxInt32 {
		return int(db)
	}
	return -1
}

// syncSession makes the index agree with what key in db holds now: a
// session (of its owner) or none.
func (s *Server) syncSession(now int64, db int, key []byte) {
	tx := s.store.Begin(now, db, key)
	defer tx.End()
	m, _, ok := sessionOf(tx.Peek(db, key))
	if ok && m.MovedTo == "" {
		s.sess.index.Set(db, string(key), m.Owner)
	} else {
		s.sess.index.Remove(db, string(key))
	}
}

// rebuildSessions indexes every session in the store (after a replica
// loaded a snapshot).
func (s *Server) rebuildSessions(now int64) {
	st := &s.sess
	st.index.Reset()
	for db := range s.store.Databases() {
		s.store.Each(db, now, func(e *storage.Entry) bool {
			if m, _, ok := sessionOf(e); ok && m.MovedTo == "" && strings.HasPrefix(e.Key, st.prefix) {
				st.index.Set(db, e.Key, m.Owner)
			}
			return true
		})
	}
}

// sessionOf reads the session an entry holds: false when it holds none.
func sessionOf(e *storage.Entry) (session.Meta, *storage.Hash, bool) {
	return parsedMeta(e, session.ParseMeta)
}

// parsedMeta reads an entry's bookkeeping field with parse: false when the
// entry is no hash or has no valid field.
func parsedMeta(e *storage.Entry, parse func([]byte) (session.Meta, bool)) (session.Meta, *storage.Hash, bool) {
	if e == nil {
		return session.Meta{}, nil, false
	}
	h, ok := e.Obj.(*storage.Hash)
	if !ok {
		return session.Meta{}, nil, false
	}
	v, ok := h.Get([]byte(session.MetaField))
	if !ok {
		return session.Meta{}, nil, false
	}
	m, ok := parse(v)
	return m, h, ok
}

// clientSessions is a client's scratch for SESSION.* commands.
type clientSessions struct {
	ref  sessRef
	keys [2][]byte // the key named, and its successor's
	out  Writer    // SESSION.GET's fields before their count
}

// clocksOf is sessionOf without the owner (Meta.Owner ""), allocating
// nothing.
func clocksOf(e *storage.Entry) (session.Meta, *storage.Hash, bool) {
	return parsedMeta(e, session.ParseClocks)
}

// ownerOf fills in r's owner.
func (r *sessRef) ownerOf() {
	if m, _, ok := sessionOf(r.e); ok {
		r.m.Owner = m.Owner
	}
}

// sessRef is a session found by a command, its shard held by tx.
type sessRef struct {
	tx  storage.Tx
	db  int
	key []byte // the session's key
	// alias is the key of the rotated-away ID the command named, when it
	// named one
	alias []byte
	e     *storage.Entry
	h     *storage.Hash
	m     session.Meta
}

func (s *Server) sessionKey(id []byte) []byte {
	return append([]byte(s.sess.prefix), id...)
}

// openSession finds the session id names, following a rotated ID to its
// successor. touch marks the key accessed (a read or write of the
// session). With ok the caller ends r.tx.
//
// The session is the client's own sessRef, and its key the client's
// buffer (no allocation per command): valid until the next openSession.
// Its Meta has the clocks, not the owner (see ownerOf).
func (c *Client) openSession(id []byte, touch bool) (r *sessRef, ok bool) {
	s := c.srv
	r = &c.sess.ref
	*r = sessRef{db: c.DB()}
	r.key = append(append(c.sess.keys[0][:0], s.sess.prefix...), id...)
	c.sess.keys[0] = r.key
	for hop := 0; hop < 2; hop++ {
		r.tx = s.store.Begin(c.nowMs, r.db, r.key)
		r.tx.Group() // a slide, then the command's own
		if touch {
			r.e = c.lookupFor(&r.tx, r.db, r.key, storage.UseRead)
		} else {
			r.e = r.tx.Peek(r.db, r.key)
		}
		var found bool
		r.m, r.h, found = clocksOf(r.e)
		switch {
		case !found:
			r.tx.End()
			return nil, false
		case r.m.MovedTo == "":
			return r, true
		}
		r.tx.End()
		r.alias = r.key
		r.key = append(append(c.sess.keys[1][:0], s.sess.prefix...), r.m.MovedTo...)
		c.sess.keys[1] = r.key
	}
	return nil, false // an alias of an alias: not made by ROTATE
}

// slide restarts the idle clock of r (never past the absolute cap). The
// deadline moves, and is logged, only when it moves by more than
// session-touch-interval, so a hot session costs replicas one PEXPIREAT
// per interval; replicas never slide (they wait for the primary's).
func (c *Client) slide(r *sessRef) {
	s := c.srv
	if c.master || s.upstream.active() {
		return
	}
	d := r.m.Deadline(c.nowMs)
	if d == 0 || r.e.Deadline != 0 && d <= r.e.Deadline+s.sess.touch.Load()*1000 {
		return
	}
	r.tx.SetDeadline(r.db, r.e, d)
	if r.tx.Logging() {
		emitArgs(&r.tx, r.db, []byte("PEXPIREAT"), r.key, strconv.AppendInt(nil, d, 10))
	}
}

// userSize is what a session's own fields take: field and value bytes.
func userSize(h *storage.Hash) int64 {
	var n int64
	h.Each(func(f, v []byte) bool {
		if string(f) != session.MetaField {
			n += int64(len(f) + len(v))
		}
		return true
	})
	return n
}

// checkFields refuses the bookkeeping field as a field of the caller's.
func (c *Client) checkFields(fields [][]byte, step int) bool {
	for i := 0; i < len(fields); i += step {
		if string(fields[i]) == session.MetaField {
			c.w.Error(errReservedField)
			return false
		}
	}
	return true
}

// sizeAfter is h's user size once pairs are set (the last value of a
// field repeated wins, as in HSET).
func sizeAfter(h *storage.Hash, pairs [][]byte) int64 {
	n := int64(0)
	if h != nil {
		n = userSize(h)
	}
	last := map[string][]byte{}
	for i := 0; i+1 < len(pairs); i += 2 {
		last[string(pairs[i])] = pairs[i+1]
	}
	for f, v := range last {
		if h != nil {
			if old, ok := h.Get([]byte(f)); ok {
				n -= int64(len(f) + len(old))
			}
		}
		n += int64(len(f) + len(v))
	}
	return n
}

// checkSize refuses a write that would take the session past
// session-max-bytes.
func (c *Client) checkSize(n int64) bool {
	if limit := c.srv.sess.maxBytes.Load(); n > limit {
		c.w.Error("ERR session would exceed session-max-bytes (" + strconv.FormatInt(n, 10) + " > " + strconv.FormatInt(limit, 10) + " bytes)")
		return false
	}
	return true
}

// nonNegArg parses a non-negative count (seconds or milliseconds) of at
// most 2^40, writing the error for what it is.
func (c *Client) nonNegArg(b []byte, what string) (int64, bool) {
	n, ok := parseInteger(b)
	if !ok {
		c.w.Error(errNotInteger)
		return 0, false
	}
	if n < 0 || n > 1<<40 {
		c.w.Error("ERR invalid " + what)
		return 0, false
	}
	return n, true
}

// optionArg reads an optional trailing "NAME n" at args[at:] (lower is
// the name in lower case, for eq; upper names it in the error): nothing
// there, or exactly those two with n a nonNegArg; else -ERR syntax error.
// ok is false once an error has been written.
func (c *Client) optionArg(args [][]byte, at int, lower, upper string) (n int64, given, ok bool) {
	switch {
	case len(args) == at:
		return 0, false, true
	case len(args) == at+2 && eq(args[at], lower):
		n, ok = c.nonNegArg(args[at+1], upper)
		return n, ok, ok
	}
	c.w.Error(errSyntax)
	return 0, false, false
}

// SESSION.CREATE [OWNER uid] [IDLE sec] [ABSOLUTE sec] [FIELDS n field value ...]
func cmdSessionCreate(c *Client, args [][]byte) {
	s := c.srv
	m := session.Meta{Created: c.nowMs, Idle: s.sess.idle.Load(), Absolute: s.sess.absolute.Load(), Version: 1}
	var pairs [][]byte
	for i := 1; i < len(args); i++ {
		more := len(args) - i - 1
		var ok bool
		switch {
		case eq(args[i], "owner") && more >= 1:
			i++
			m.Owner = string(args[i])
		case eq(args[i], "idle") && more >= 1:
			i++
			if m.Idle, ok = c.nonNegArg(args[i], "IDLE"); !ok {
				return
			}
		case eq(args[i], "absolute") && more >= 1:
			i++
			if m.Absolute, ok = c.nonNegArg(args[i], "ABSOLUTE"); !ok {
				return
			}
		case eq(args[i], "fields") && more >= 1:
			n, ok := parseInteger(args[i+1])
			if !ok || n < 0 || n > int64(more-1)/2 {
				c.w.Error(errSyntax)
				return
			}
			pairs = append(pairs, args[i+2:i+2+2*int(n)]...)
			i += 1 + 2*int(n)
		default:
			c.w.Error(errSyntax)
			return
		}
	}
	if !c.checkFields(pairs, 2) || !c.checkSize(sizeAfter(nil, pairs)) {
		return
	}
	db := c.DB()
	for range 8 { // a collision of 128 random bits: never, but checked
		id := session.NewID()
		key := s.sessionKey([]byte(id))
		tx := s.store.Begin(c.nowMs, db, key)
		tx.Group() // HSET, then PEXPIREAT
		if tx.Peek(db, key) != nil {
			tx.End()
			continue
		}
		h := storage.NewHash()
		deadline := m.Deadline(c.nowMs)
		tx.Put(db, key, nil, h, deadline)
		maxEntries, maxValue := c.hashLimits()
		meta := m.Encode()
		// the bookkeeping first: every command reads it, and a compact
		// hash is searched from its start
		h.Set([]byte(session.MetaField), meta, false, maxEntries, maxValue)
		h.SetPairs(pairs, false, maxEntries, maxValue)
		if tx.Logging() {
			out := append([][]byte{[]byte("HSET"), key, []byte(session.MetaField), meta}, pairs...)
			emitArgs(&tx, db, out...)
			if deadline != 0 {
				emitArgs(&tx, db, []byte("PEXPIREAT"), key, strconv.AppendInt(nil, deadline, 10))
			}
		}
		s.sess.index.Set(db, string(key), m.Owner)
		tx.End()
		s.sess.created.Add(1)
		c.w.BulkString(id)
		return
	}
	c.w.Error("ERR could not find a free session ID")
}

// SESSION.GET id [field ...] [NOTOUCH]
func cmdSessionGet(c *Client, args [][]byte) {
	fields := args[2:]
	notouch := len(fields) > 0 && eq(fields[len(fields)-1], "notouch")
	if notouch {
		fields = fields[:len(fields)-1]
	}
	r, ok := c.openSession(args[1], !notouch)
	if !ok {
		c.srv.stats.keyspaceMiss.Add(1)
		c.w.Null()
		return
	}
	defer r.tx.End()
	c.srv.stats.keyspaceHits.Add(1)
	if !notouch {
		c.slide(r)
	}
	if len(fields) > 0 {
		c.w.Map(len(fields))
		for _, f := range fields {
			c.w.Bulk(f)
			if v, ok := r.h.Get(f); ok && string(f) != session.MetaField {
				c.w.Bulk(v)
			} else {
				c.w.Null()
			}
		}
		return
	}
	// The fields go to a scratch writer first, counted on the way: a
	// compact hash knows its length only by a walk of its buffer, which
	// at -P 16 over 10,000 sessions was 14% of the CPU (cache misses on
	// every item); the copy after is from cache.
	out := &c.sess.out
	out.b = out.b[:0]
	n := 0
	r.h.Each(func(f, v []byte) bool {
		if string(f) != session.MetaField {
			out.Bulk(f)
			out.Bulk(v)
			n++
		}
		return true
	})
	c.w.Map(n)
	c.w.Raw(out.b)
	if cap(out.b) > 64<<10 {
		out.b = nil // a big session's buffer is not kept
	}
}

// bump records a change to r's fields: a new version in its bookkeeping
// field, set and returned for the caller's effect.
func (c *Client) bump(r *sessRef) []byte {
	r.ownerOf()
	r.m.Version++
	meta := r.m.Encode()
	maxEntries, maxValue := c.hashLimits()
	r.h.Set([]byte(session.MetaField), meta, false, maxEntries, maxValue)
	return meta
}

// openFields opens the session id for a command on fields (every step-th
// argument a field name), writing the error when it cannot.
func (c *Client) openFields(id []byte, fields [][]byte, step int) (*sessRef, bool) {
	if !c.checkFields(fields, step) {
		return nil, false
	}
	r, ok := c.openSession(id, true)
	if !ok {
		c.w.Error(errNoSession)
	}
	return r, ok
}

// SESSION.SET id field value [field value ...]
func cmdSessionSet(c *Client, args [][]byte) {
	if len(args)%2 != 0 {
		c.w.Error(errWrongArgs("session.set"))
		return
	}
	pairs := args[2:]
	r, ok := c.openFields(args[1], pairs, 2)
	if !ok {
		return
	}
	defer r.tx.End()
	if !c.checkSize(sizeAfter(r.h, pairs)) {
		return
	}
	maxEntries, maxValue := c.hashLimits()
	added := r.h.SetPairs(pairs, false, maxEntries, maxValue)
	meta := c.bump(r)
	if r.tx.Logging() {
		out := append([][]byte{[]byte("HSET"), r.key}, pairs...)
		emitArgs(&r.tx, r.db, append(out, []byte(session.MetaField), meta)...)
	}
	c.slide(r)
	c.w.Int(int64(added))
}

// SESSION.DEL id field [field ...]
func cmdSessionDel(c *Client, args [][]byte) {
	fields := args[2:]
	r, ok := c.openFields(args[1], fields, 1)
	if !ok {
		return
	}
	defer r.tx.End()
	var gone [][]byte
	for _, f := range fields {
		if r.h.Delete(f) {
			gone = append(gone, f)
		}
	}
	if len(gone) > 0 {
		r.h.Trim()
		meta := c.bump(r)
		if r.tx.Logging() {
			emitArgs(&r.tx, r.db, append([][]byte{[]byte("HDEL"), r.key}, gone...)...)
			emitArgs(&r.tx, r.db, []byte("HSET"), r.key, []byte(session.MetaField), meta)
		}
	}
	c.slide(r)
	c.w.Int(int64(len(gone)))
}

// SESSION.TOUCH id
func cmdSessionTouch(c *Client, args [][]byte) {
	r, ok := c.openSession(args[1], true)
	if !ok {
		c.w.Int(0)
		return
	}
	defer r.tx.End()
	c.slide(r)
	c.w.Int(1)
}

// destroyKey removes key in db, logging DEL; false when it was absent.
func (c *Client) destroyKey(db int, key []byte) bool {
	tx := c.srv.store.Begin(c.nowMs, db, key)
	defer tx.End()
	if !tx.Delete(db, key) {
		return false
	}
	if tx.Logging() {
		emitArgs(&tx, db, []byte("DEL"), key)
	}
	return true
}

// SESSION.DESTROY id
func cmdSessionDestroy(c *Client, args [][]byte) {
	r, ok := c.openSession(args[1], false)
	if !ok {
		c.w.Int(0)
		return
	}
	r.tx.End()
	// the removal hook drops its index entry and lock
	if c.destroyKey(r.db, r.key) {
		c.srv.sess.destroyed.Add(1)
	}
	if r.alias != nil {
		c.destroyKey(r.db, r.alias)
	}
	c.w.Int(1)
}

// clocks are a session's two deadlines (unix ms, 0 for none): when it
// goes idle as last slid, and its absolute cap.
func (c *Client) clocks(r *sessRef) (idle, cap int64) {
	cap = r.m.Cap()
	if r.m.Idle == 0 {
		return 0, cap
	}
	if d := r.e.Deadline; d != 0 && (cap == 0 || d < cap) {
		return d, cap
	}
	// capped (or made persistent by hand): the idle clock as the last
	// access left it
	last := (c.nowMs/1000 - r.e.IdleSeconds(c.nowMs)) * 1000
	return max(last+r.m.Idle*1000, cap), cap
}

// secondsLeft is a TTL in seconds as Redis's TTL rounds it, -1 for none.
func secondsLeft(deadline, now int64) int64 {
	if deadline == 0 {
		return -1
	}
	return max((deadline-now+500)/1000, 0)
}

// SESSION.TTL id -> [idle seconds left, absolute seconds left]
func cmdSessionTTL(c *Client, args [][]byte) {
	r, ok := c.openSession(args[1], false)
	if !ok {
		c.w.Null()
		return
	}
	defer r.tx.End()
	idle, cap := c.clocks(r)
	c.w.Array(2)
	c.w.Int(secondsLeft(idle, c.nowMs))
	c.w.Int(secondsLeft(cap, c.nowMs))
}

// SESSION.ROTATE id [GRACE sec]
func cmdSessionRotate(c *Client, args [][]byte) {
	s := c.srv
	grace, given, ok := c.optionArg(args, 2, "grace", "GRACE")
	if !ok {
		return
	}
	if !given {
		grace = defaultGrace
	}
	r, ok := c.openSession(args[1], false)
	if !ok {
		c.w.Error(errNoSession)
		return
	}
	r.tx.End()
	db, oldKey := r.db, r.key
	for range 8 {
		id := session.NewID()
		newKey := s.sessionKey([]byte(id))
		nr := &sessRef{db: db, key: newKey}
		nr.tx = s.store.BeginMany(c.nowMs, storage.Ref{DB: db, Key: oldKey}, storage.Ref{DB: db, Key: newKey})
		tx := &nr.tx
		tx.Group() // the new session, the old one's DEL or alias
		if tx.Peek(db, newKey) != nil {
			tx.End()
			continue
		}
		e := c.lookupFor(tx, db, oldKey, storage.UseRead)
		m, h, ok := sessionOf(e)
		if !ok || m.MovedTo != "" { // gone meanwhile
			tx.End()
			c.w.Error(errNoSession)
			return
		}
		nr.m, nr.h = m, h.Clone().(*storage.Hash)
		nr.e = tx.Put(db, newKey, nil, nr.h, e.Deadline)
		meta := c.bump(nr)
		s.sess.locks.Move(session.LockKey{DB: db, Key: string(oldKey)}, session.LockKey{DB: db, Key: string(newKey)})
		s.sess.index.Remove(db, string(oldKey))
		s.sess.index.Set(db, string(newKey), m.Owner)
		logging := tx.Logging()
		if logging {
			out := [][]byte{[]byte("HSET"), newKey}
			nr.h.Each(func(f, v []byte) bool {
				if string(f) != session.MetaField {
					out = append(out, f, v)
				}
				return true
			})
			emitArgs(tx, db, append(out, []byte(session.MetaField), meta)...)
			if e.Deadline != 0 {
				emitArgs(tx, db, []byte("PEXPIREAT"), newKey, strconv.AppendInt(nil, e.Deadline, 10))
			}
			emitArgs(tx, db, []byte("DEL"), oldKey)
		}
		// the old ID becomes an alias for the grace period
		aliasUntil := c.nowMs + grace*1000
		if e.Deadline != 0 {
			aliasUntil = min(aliasUntil, e.Deadline)
		}
		if grace > 0 {
			alias := storage.NewHash()
			aliasMeta := session.Meta{MovedTo: id}.Encode()
			maxEntries, maxValue := c.hashLimits()
			alias.Set([]byte(session.MetaField), aliasMeta, false, maxEntries, maxValue)
			tx.PutFound(db, oldKey, e, nil, alias, aliasUntil)
			if logging {
				emitArgs(tx, db, []byte("HSET"), oldKey, []byte(session.MetaField), aliasMeta)
				emitArgs(tx, db, []byte("PEXPIREAT"), oldKey, strconv.AppendInt(nil, aliasUntil, 10))
			}
		} else {
			tx.Delete(db, oldKey)
		}
		c.slide(nr)
		tx.End()
		s.sess.rotated.Add(1)
		c.w.BulkString(id)
		return
	}
	c.w.Error("ERR could not find a free session ID")
}

// ownedSession is one of an owner's live sessions.
type ownedSession struct {
	key             string
	created, access int64
	size            int64
}

// owned visits owner's live sessions in the client's database, holding
// each one's shard while fn runs; keys the index holds that are no longer
// the owner's sessions are dropped from it.
func (c *Client) owned(owner []byte, fn func(e *storage.Entry, h *storage.Hash, m session.Meta)) {
	s := c.srv
	db := c.DB()
	for _, k := range s.sess.index.Keys(db, string(owner)) {
		key := []byte(k)
		tx := s.store.Begin(c.nowMs, db, key)
		e := tx.Peek(db, key)
		if m, h, ok := sessionOf(e); ok && m.MovedTo == "" && m.Owner == string(owner) {
			fn(e, h, m)
		} else if e == nil || !ok || m.MovedTo != "" {
			s.sess.index.Remove(db, k)
		}
		tx.End()
	}
}

// SESSION.LIST owner -> [{id, created, last-access, size}, ...] oldest first
func cmdSessionList(c *Client, args [][]byte) {
	var list []ownedSession
	c.owned(args[1], func(e *storage.Entry, h *storage.Hash, m session.Meta) {
		list = append(list, ownedSession{key: e.Key, created: m.Created,
			access: (c.nowMs/1000 - e.IdleSeconds(c.nowMs)) * 1000, size: userSize(h)})
	})
	slices.SortFunc(list, func(a, b ownedSession) int {
		if a.created != b.created {
			return cmp.Compare(a.created, b.created)
		}
		return strings.Compare(a.key, b.key)
	})
	c.w.Array(len(list))
	for _, o := range list {
		c.w.Map(4)
		c.w.BulkString("id")
		c.w.BulkString(o.key[len(c.srv.sess.prefix):])
		c.w.BulkString("created")
		c.w.Int(o.created)
		c.w.BulkString("last-access")
		c.w.Int(o.access)
		c.w.BulkString("size")
		c.w.Int(o.size)
	}
}

// SESSION.COUNT owner
func cmdSessionCount(c *Client, args [][]byte) {
	n := int64(0)
	c.owned(args[1], func(*storage.Entry, *storage.Hash, session.Meta) { n++ })
	c.w.Int(n)
}

// SESSION.REVOKE owner [EXCEPT id]
func cmdSessionRevoke(c *Client, args [][]byte) {
	var keep []byte
	switch {
	case len(args) == 4 && eq(args[2], "except"):
		keep = c.srv.sessionKey(args[3])
		// EXCEPT the ID a client still holds after a rotation: keep its
		// successor
		if r, ok := c.openSession(args[3], false); ok {
			keep = r.key
			r.tx.End()
		}
	case len(args) != 2:
		c.w.Error(errSyntax)
		return
	}
	var doomed [][]byte
	c.owned(args[1], func(e *storage.Entry, _ *storage.Hash, _ session.Meta) {
		if string(keep) != e.Key {
			doomed = append(doomed, []byte(e.Key))
		}
	})
	n := int64(0)
	for _, k := range doomed {
		if c.destroyKey(c.DB(), k) {
			n++
		}
	}
	c.srv.sess.revoked.Add(n)
	c.w.Int(n)
}

// SESSION.LOCK id ttl-ms [WAIT ms] -> a fencing token, or nil
func cmdSessionLock(c *Client, args [][]byte) {
	s := c.srv
	ttl, ok := parseInteger(args[2])
	if !ok || ttl <= 0 || ttl > 1<<40 {
		c.w.Error("ERR invalid lock TTL: a positive number of milliseconds")
		return
	}
	waitMs, wait, ok := c.optionArg(args, 3, "wait", "WAIT")
	if !ok {
		return
	}
	r, ok := c.openSession(args[1], false)
	if !ok {
		c.w.Error(errNoSession)
		return
	}
	// taken under the session's shard lock, so it cannot go in between
	k := session.LockKey{DB: r.db, Key: string(r.key)}
	tok, w := s.sess.locks.Lock(k, c.id, time.Duration(ttl)*time.Millisecond, wait)
	r.tx.End()
	switch {
	case tok != 0:
		c.w.Int(tok)
		return
	case w == nil:
		c.w.Null()
		return
	}
	// Waiting is for a goroutine of the client's own, never an event loop.
	if err := c.detach(); err != nil {
		if tok := s.sess.locks.Cancel(w); tok != 0 {
			s.sess.locks.Unlock(k, tok)
		}
		s.log.Warn("cannot park SESSION.LOCK; closing the client", "client", c.id, "error", err)
		c.closed = true
		return
	}
	alive := true
	if len(c.w.b) > 0 { // the replies before this one go now, as for BLPOP
		_, err := c.sock.Write(c.w.b)
		c.w.b = c.w.b[:0]
		alive = err == nil
	}
	deadline := int64(0)
	if waitMs > 0 {
		deadline = c.nowMs + waitMs
	}
	_, lost := c.await(w.C, deadline, alive)
	tok = s.sess.locks.Cancel(w) // the token, if it was served
	switch {
	case lost:
		if tok != 0 {
			s.sess.locks.Unlock(k, tok)
		}
		c.closed = true
	case tok != 0:
		c.w.Int(tok)
	default:
		c.w.Null()
	}
}

// SESSION.UNLOCK id token
func cmdSessionUnlock(c *Client, args [][]byte) {
	tok, ok := c.intArg(args[2])
	if !ok {
		return
	}
	db, key := c.DB(), c.srv.sessionKey(args[1])
	if r, ok := c.openSession(args[1], false); ok {
		db, key = r.db, r.key
		r.tx.End()
	}
	if c.srv.sess.locks.Unlock(session.LockKey{DB: db, Key: string(key)}, tok) {
		c.w.Int(1)
	} else {
		c.w.Int(0)
	}
}

// SESSION.INFO id
func cmdSessionInfo(c *Client, args [][]byte) {
	r, ok := c.openSession(args[1], false)
	if !ok {
		c.w.Null()
		return
	}
	defer r.tx.End()
	r.ownerOf()
	idle, cap := c.clocks(r)
	tok, _ := c.srv.sess.locks.Holder(session.LockKey{DB: r.db, Key: string(r.key)})
	c.w.Map(12)
	c.w.BulkString("id")
	c.w.Bulk(r.key[len(c.srv.sess.prefix):])
	c.w.BulkString("owner")
	c.w.BulkString(r.m.Owner)
	c.w.BulkString("created")
	c.w.Int(r.m.Created)
	c.w.BulkString("last-access")
	c.w.Int((c.nowMs/1000 - r.e.IdleSeconds(c.nowMs)) * 1000)
	c.w.BulkString("idle")
	c.w.Int(r.m.Idle)
	c.w.BulkString("absolute")
	c.w.Int(r.m.Absolute)
	c.w.BulkString("idle-ttl")
	c.w.Int(secondsLeft(idle, c.nowMs))
	c.w.BulkString("absolute-ttl")
	c.w.Int(secondsLeft(cap, c.nowMs))
	c.w.BulkString("size")
	c.w.Int(userSize(r.h))
	c.w.BulkString("fields")
	c.w.Int(int64(r.h.Len() - 1))
	c.w.BulkString("version")
	c.w.Int(r.m.Version)
	c.w.BulkString("locked")
	c.w.Int(b2i(tok != 0))
}

func infoSessions(c *Client, _ *infoState, b *infoBuilder) {
	st := &c.srv.sess
	b.int("sessions", int64(st.index.Len()))
	b.int("sessions_created", st.created.Load())
	b.int("sessions_expired_idle", st.expiredIdle.Load())
	b.int("sessions_expired_absolute", st.expiredAbsolute.Load())
	b.int("sessions_destroyed", st.destroyed.Load())
	b.int("sessions_revoked", st.revoked.Load())
	b.int("sessions_rotated", st.rotated.Load())
	b.int("session_lock_waits", st.locks.Waits.Load())
	b.int("session_locks_expired", st.locks.Expired.Load())
}

func sessionCommands() []*Command {
	w := FlagWrite | FlagFast
	r := FlagReadonly | FlagFast
	cmd := func(name string, arity int, flags Flag, h func(*Client, [][]byte), syntax, summary string) *Command {
		cats := []string{"@hash", "@fast"}
		if flags&FlagWrite != 0 {
			cats = append(cats, "@write")
		} else {
			cats = append(cats, "@read")
		}
		return &Command{Name: name, Arity: arity, Flags: flags, Handler: h, Group: "session", Since: "1.0.0",
			Syntax: syntax, Summary: summary, Complexity: "O(N) where N is the number of fields or sessions involved",
			Categories: cats}
	}
	return []*Command{
		cmd("session.create", -1, w|FlagDenyOOM, cmdSessionCreate, "[OWNER owner] [IDLE seconds] [ABSOLUTE seconds] [FIELDS numfields field value [field value ...]]",
			"Creates a session and returns its new random ID"),
		cmd("session.get", -2, r, cmdSessionGet, "id [field [field ...]] [NOTOUCH]",
			"Returns a session's fields, sliding its idle deadline unless NOTOUCH"),
		cmd("session.set", -4, w|FlagDenyOOM, cmdSessionSet, "id field value [field value ...]",
			"Sets fields of a session"),
		cmd("session.del", -3, w, cmdSessionDel, "id field [field ...]", "Deletes fields of a session"),
		cmd("session.touch", 2, w, cmdSessionTouch, "id", "Slides a session's idle deadline"),
		cmd("session.destroy", 2, w, cmdSessionDestroy, "id", "Destroys a session"),
		cmd("session.ttl", 2, r, cmdSessionTTL, "id", "Returns the idle and absolute seconds a session has left"),
		cmd("session.rotate", -2, w|FlagDenyOOM, cmdSessionRotate, "id [GRACE seconds]",
			"Moves a session to a new ID; the old ID answers for a grace period"),
		cmd("session.list", 2, r, cmdSessionList, "owner", "Lists an owner's sessions"),
		cmd("session.count", 2, r, cmdSessionCount, "owner", "Counts an owner's sessions"),
		cmd("session.revoke", -2, w, cmdSessionRevoke, "owner [EXCEPT id]", "Destroys an owner's sessions"),
		cmd("session.lock", -3, FlagFast|FlagBlocking|FlagNoScript, cmdSessionLock, "id milliseconds [WAIT milliseconds]",
			"Locks a session, waiting in the server if asked; returns a fencing token"),
		cmd("session.unlock", 3, FlagFast, cmdSessionUnlock, "id token", "Releases a session lock"),
		cmd("session.info", 2, r, cmdSessionInfo, "id", "Returns what the server knows of a session"),
	}
}
