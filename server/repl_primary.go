package server

import (
	"bytes"
	"errors"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"sessiond/replication"
)

// primary is the server's side of replication as a primary: its
// replication id, the stream (created when the first replica syncs, as
// Redis creates its backlog then) and the replicas attached.
//
// Each replica has a goroutine of its own (serveReplica) that writes the
// snapshot and then the stream to the replica's socket; the replica's
// connection goes on reading its REPLCONF ACKs on the client's goroutine,
// and nothing is ever replied to it. The primary never waits for a
// replica: the stream's Follower is cut off once the replica's unread
// bytes pass client-output-buffer-limit's replica hard limit, and a write
// the replica does not take within repl-timeout ends the link; either way
// the replica reconnects and resyncs.
type primary struct {
	mu     sync.Mutex
	replid string
	// replid2 and offset2: the id of the primary this server followed
	// before it was promoted, and the last offset of that history (psync2:
	// its other replicas continue from here). "" and -1 when none.
	replid2  string
	offset2  int64
	log      *replication.Log // nil before the first sync
	replicas map[*replicaLink]struct{}

	syncFull, syncPartialOK, syncPartialErr atomic.Int64

	// ackCh is closed and replaced at each REPLCONF ACK (WAIT waits on it)
	ackCh chan struct{}
	// min-replicas-to-write and min-replicas-max-lag (seconds), kept here
	// by applyConfig so a write reads them with one load each
	minReplicas, maxLag atomic.Int64
}

// acked counts the online replicas whose last ACK is at off or past it,
// and returns the channel the next ACK closes.
func (p *primary) acked(off int64) (int64, <-chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ackCh == nil {
		p.ackCh = make(chan struct{})
	}
	return p.countOnline(func(l *replicaLink) bool { return l.ack.Load() >= off }), p.ackCh
}

// countOnline counts the online replicas ok accepts; p.mu is held.
func (p *primary) countOnline(ok func(*replicaLink) bool) int64 {
	n := int64(0)
	for l := range p.replicas {
		if st := l.state.Load(); st != nil && *st == "online" && ok(l) {
			n++
		}
	}
	return n
}

func (p *primary) notifyAck() {
	p.mu.Lock()
	if p.ackCh != nil {
		close(p.ackCh)
		p.ackCh = nil
	}
	p.mu.Unlock()
}

// good counts the online replicas that acknowledged within maxLag seconds
// (min-replicas-to-write).
func (p *primary) good(nowMs int64) int64 {
	lag := p.maxLag.Load() * 1000
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.countOnline(func(l *replicaLink) bool { return nowMs-l.ackAt.Load() <= lag })
}

const errNoReplicas = "NOREPLICAS Not enough good replicas to write."

var getackCommand = []byte("*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n")

// cmdWait is WAIT numreplicas timeout: it blocks until that many replicas
// acknowledged the stream up to now (asking them at once with REPLCONF
// GETACK) or timeout ms pass (0: no limit), and replies how many did.
func cmdWait(c *Client, args [][]byte) {
	if c.srv.upstream.active() {
		c.w.Error("ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.")
		return
	}
	want, ok := parseInteger(args[1])
	if !ok {
		c.w.Error(errNotInteger)
		return
	}
	timeout, ok := parseInteger(args[2])
	if !ok {
		c.w.Error("ERR timeout is not an integer or out of range")
		return
	}
	if timeout < 0 {
		c.w.Error("ERR timeout is negative")
		return
	}
	s := c.srv
	p := &s.repl
	p.mu.Lock()
	lg := p.log
	p.mu.Unlock()
	var target int64
	if lg != nil {
		target = lg.Offset()
	}
	n, _ := p.acked(target)
	if n >= want || lg == nil {
		c.w.Int(n)
		return
	}
	// Waiting is for a goroutine of the client's own, never an event loop.
	if err := c.detach(); err != nil {
		c.closed = true
		return
	}
	lg.AppendRaw(getackCommand)
	var expired <-chan struct{}
	if timeout > 0 {
		ch := make(chan struct{})
		t := s.clock.AfterFunc(time.Duration(timeout)*time.Millisecond, func() { close(ch) })
		defer t.Stop()
		expired = ch
	}
	for {
		n, wake := p.acked(target)
		if n >= want {
			c.w.Int(n)
			return
		}
		select {
		case <-wake:
		case <-expired:
			n, _ = p.acked(target)
			c.w.Int(n)
			return
		case <-s.ctx.Done():
			c.closed = true
			return
		}
	}
}

// dropReplicas closes the connections of the attached replicas, which
// reconnect and sync again; p.mu is held.
func (p *primary) dropReplicas() {
	for l := range p.replicas {
		l.c.conn.Close()
	}
}

// awaitAck waits for a REPLCONF ACK from link later than the one at
// before (unix ms; 0 for none); false if the link or the server ends
// first.
func (s *Server) awaitAck(link *replicaLink, before int64) bool {
	p := &s.repl
	for {
		p.mu.Lock()
		if p.ackCh == nil {
			p.ackCh = make(chan struct{})
		}
		ch := p.ackCh
		p.mu.Unlock()
		if link.ackAt.Load() != before {
			return true
		}
		select {
		case <-ch:
		case <-link.gone:
			return false
		case <-s.ctx.Done():
			return false
		}
	}
}

// replicaLink is one attached replica.
type replicaLink struct {
	c       *Client
	gone    chan struct{} // closed when the replica's connection ends
	port    atomic.Int64  // REPLCONF listening-port
	ip      atomic.Pointer[string]
	capaEOF atomic.Bool
	state   atomic.Pointer[string] // Redis's: wait_bgsave, send_bulk, online
	ack     atomic.Int64           // the offset of its last REPLCONF ACK
	ackAt   atomic.Int64           // unix ms of it
}

func (l *replicaLink) setState(s string) { l.state.Store(&s) }

var pingCommand = []byte("*1\r\n$4\r\nPING\r\n")

func replicationCommands() []*Command {
	adm := FlagAdmin | FlagNoScript | FlagLoading | FlagStale
	return []*Command{
		{Name: "replconf", Arity: -1, Flags: adm | FlagAllowBusy, Handler: cmdReplconf, Group: "server", Since: "3.0.0",
			Summary: "An internal command for configuring the replication stream", Complexity: "O(1)",
			Categories: []string{"@admin", "@slow", "@dangerous"}},
		{Name: "psync", Arity: -3, Flags: adm | FlagNoMulti, Handler: cmdPsync, Group: "server", Since: "2.8.0",
			Summary: "An internal command used in replication", Syntax: "replicationid offset",
			Categories: []string{"@admin", "@slow", "@dangerous"}},
		{Name: "sync", Arity: 1, Flags: adm | FlagNoMulti, Handler: cmdSync, Group: "server", Since: "1.0.0",
			Summary: "An internal command used in replication", Categories: []string{"@admin", "@slow", "@dangerous"}},
		{Name: "wait", Arity: 3, Flags: FlagNoScript, Handler: cmdWait, Group: "generic", Since: "3.0.0",
			Summary:    "Wait for the synchronous replication of all the write commands sent in the context of the current connection",
			Complexity: "O(1)", Syntax: "numreplicas timeout", Categories: []string{"@slow", "@connection"}},
		{Name: "role", Arity: 1, Flags: FlagNoScript | FlagLoading | FlagStale | FlagFast, Handler: cmdRole,
			Group: "server", Since: "2.8.12", Summary: "Returns the replication role", Complexity: "O(1)",
			Categories: []string{"@admin", "@fast", "@dangerous"}},
	}
}

// cmdReplconf is REPLCONF option value [option value ...] from a replica:
// listening-port, ip-address, capa (eof, psync2) answer +OK; ACK records
// the replica's offset and answers nothing; GETACK (sent to a replica)
// is ignored here.
func cmdReplconf(c *Client, args [][]byte) {
	if len(args)%2 == 0 {
		c.w.Error(errSyntax)
		return
	}
	link := c.replica
	for i := 1; i < len(args); i += 2 {
		v := string(args[i+1])
		switch strings.ToLower(string(args[i])) {
		case "listening-port":
			port, err := strconv.ParseInt(v, 10, 64)
			if err != nil || port < 0 || port > 65535 {
				c.w.Error(errNotInteger)
				return
			}
			c.pendingLink().port.Store(port)
		case "ip-address":
			c.pendingLink().ip.Store(&v)
		case "capa":
			if strings.EqualFold(v, "eof") {
				c.pendingLink().capaEOF.Store(true)
			}
		case "ack":
			if link != nil {
				if off, err := strconv.ParseInt(v, 10, 64); err == nil {
					link.ack.Store(off)
					link.ackAt.Store(c.nowMs)
					c.srv.repl.notifyAck()
				}
			}
			return // never a reply
		case "getack", "rdb-only", "rdb-filter-only":
		default:
			c.w.Error("ERR Unrecognized REPLCONF option: " + truncate(string(args[i]), 128))
			return
		}
	}
	c.w.OK()
}

// pendingLink is the link a REPLCONF before PSYNC describes.
func (c *Client) pendingLink() *replicaLink {
	if c.replLink == nil {
		c.replLink = &replicaLink{c: c, gone: make(chan struct{})}
		c.replLink.setState("wait_bgsave")
	}
	return c.replLink
}

func cmdSync(c *Client, _ [][]byte) { c.startReplica("?", -1, false) }

// cmdPsync is PSYNC replid offset: +CONTINUE and the stream from offset
// when replid is ours and the backlog holds it, else +FULLRESYNC, the
// snapshot and the stream.
func cmdPsync(c *Client, args [][]byte) {
	off, err := strconv.ParseInt(string(args[2]), 10, 64)
	if err != nil {
		c.w.Error(errNotInteger)
		return
	}
	c.startReplica(string(args[1]), off, true)
}

func (c *Client) startReplica(replid string, off int64, psync bool) {
	if c.replica != nil {
		return // already one: Redis ignores it too
	}
	if u := &c.srv.upstream; u.active() && (!u.linkUp.Load() || !c.srv.relaying()) {
		// a replica relays its primary's stream while its link is up,
		// as Redis serves replicas of a replica only then
		c.w.Error("NOMASTERLINK Can't SYNC while not connected with my master")
		return
	}
	if err := c.detach(); err != nil {
		c.srv.log.Warn("cannot serve a replica; closing the client", "client", c.id, "error", err)
		c.closed = true
		return
	}
	link := c.pendingLink()
	c.replica = link
	pending := c.w.b
	c.w.b = nil
	s := c.srv
	s.repl.mu.Lock()
	if s.repl.replicas == nil {
		s.repl.replicas = map[*replicaLink]struct{}{}
	}
	s.repl.replicas[link] = struct{}{}
	s.repl.mu.Unlock()
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		s.serveReplica(link, replid, off, psync, pending)
	}()
}

// mark is called at a snapshot's instant: it creates the stream if need
// be (a replica relays its primary's instead, and has none before its
// first sync) and returns its offset, the snapshot's.
func (s *Server) replMark() (*replication.Log, int64) {
	if !s.upstream.active() {
		s.startLog(0)
	}
	p := &s.repl
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.log == nil {
		return nil, 0
	}
	if !s.upstream.active() {
		p.log.Reselect()
	}
	return p.log, p.log.Offset()
}

// startLog creates the stream, numbered from off, and makes it the
// store's effect sink, unless there is one.
func (s *Server) startLog(off int64) {
	p := &s.repl
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.log != nil {
		return
	}
	s.sinkTo(replication.NewLog(off, s.cfgInt("repl-backlog-size", 1<<20)))
}

// sinkTo makes lg the stream of a primary: the store's effects are
// appended to it, and PINGs while replicas are attached. p.mu is held.
func (s *Server) sinkTo(lg *replication.Log) {
	p := &s.repl
	lg.SetClock(s.clock.Now)
	lg.Reselect() // the next effect says its database
	p.log = lg
	s.store.SetGroupSink(lg.AppendGroup) // before the sink, which staging needs
	s.store.SetEffectSink(lg.Append)
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		s.pingReplicas(lg)
	}()
}

// serveReplica syncs one replica and streams to it until the link ends.
func (s *Server) serveReplica(link *replicaLink, replid string, off int64, psync bool, pending []byte) {
	c := link.c
	p := &s.repl
	defer func() {
		p.mu.Lock()
		delete(p.replicas, link)
		p.mu.Unlock()
		c.conn.Close()
	}()
	timeout := time.Duration(s.cfgInt("repl-timeout", 60)) * time.Second
	write := func(b []byte) bool {
		c.conn.SetWriteDeadline(time.Now().Add(timeout))
		_, err := c.conn.Write(b)
		return err == nil
	}
	if len(pending) > 0 && !write(pending) {
		return
	}
	limit := s.replicaBufferLimit()
	var f *replication.Follower
	p.mu.Lock()
	lg, id := p.log, p.replid
	known := replid == p.replid || replid == p.replid2 && off-1 <= p.offset2
	p.mu.Unlock()
	if psync && known && lg != nil && lg.Has(off-1) {
		// Redis numbers bytes from 1 and asks for the next one: our
		// 0-based position is off-1
		f, _ = lg.Follow(off-1, limit)
	}
	if f != nil {
		p.syncPartialOK.Add(1)
		if !write([]byte("+CONTINUE " + id + "\r\n")) {
			f.Close()
			return
		}
	} else {
		if psync && replid != "?" {
			p.syncPartialErr.Add(1)
		}
		p.syncFull.Add(1)
		link.setState("send_bulk")
		acked := link.ackAt.Load()
		var ok bool
		if f, ok = s.fullSync(link, psync, write, limit); !ok {
			return
		}
		// A replica reading an EOF-marked snapshot finds its end by the
		// mark being the last bytes it has read: stream bytes right
		// behind the mark hide it, and redis-server then waits forever.
		// As Redis does, the stream starts at the replica's first
		// REPLCONF ACK after it loaded the snapshot.
		if link.capaEOF.Load() && psync && !s.awaitAck(link, acked) {
			f.Close()
			return
		}
	}
	defer f.Close()
	// a replica that stops reading blocks our write to it: once it is cut
	// off, closing the socket ends that write
	watchDone := make(chan struct{})
	defer close(watchDone)
	go func() {
		select {
		case <-f.Cut():
			c.conn.Close()
		case <-watchDone:
		}
	}()
	link.setState("online")
	for {
		// the log's own bytes, written with one writev, not copied
		segs, wake, err := f.Peek(1 << 20)
		if err != nil {
			s.log.Warn("replica fell behind its output buffer limit; dropping it", "client", c.id, "hard", limit.Hard, "soft", limit.Soft, "soft_seconds", limit.SoftFor.Seconds())
			return
		}
		if len(segs) > 0 {
			c.conn.SetWriteDeadline(time.Now().Add(timeout))
			n, err := writeSegments(c, segs)
			if err != nil {
				return
			}
			f.Advance(int64(n))
			continue
		}
		select {
		case <-wake:
		case <-link.gone:
			return
		case <-s.ctx.Done():
			return
		}
		// Let more of the stream gather before the next write: woken at
		// every append, the sender cost the primary a goroutine switch and
		// a socket write per command (primary CPU per SET 9.3 -> 13.2 us
		// with one replica); Redis too writes a replica's output once per
		// turn of its event loop. It adds at most this to the lag.
		time.Sleep(replBatchDelay)
	}
}

// writeSegments writes segs to c's socket: with raw writev calls where the
// socket allows (see rawIO; through the runtime's, a loopback write of a
// batch outlasted the 20 µs after which the runtime hands the P to another
// thread, and that hand-off was 5% of the primary's CPU), else net.Buffers.
func writeSegments(c *Client, segs [][]byte) (int, error) {
	if w, ok := c.sock.(*rawIO); ok && w != nil {
		return w.Writev(segs)
	}
	bufs := net.Buffers(segs)
	n, err := bufs.WriteTo(c.conn)
	return int(n), err
}

// replBatchDelay is how long a replica's sender lets the stream gather
// after it is woken.
const replBatchDelay = 500 * time.Microsecond

// fullSync writes +FULLRESYNC, the snapshot and (for an EOF-capable
// replica, streamed) its end mark, and returns a follower from the
// snapshot's offset.
func (s *Server) fullSync(link *replicaLink, psync bool, write func([]byte) bool, limit replication.Limit) (*replication.Follower, bool) {
	var off int64
	var f *replication.Follower
	// On a replica the relayed stream is appended as each command is
	// applied, under upstream.applyMu: holding it from before the
	// snapshot locks the shards until its instant (mark) keeps the offset
	// and the data of the snapshot in step. (The same order, applyMu then
	// shards, as the stream's.)
	release := func() {}
	if s.upstream.active() {
		var once sync.Once
		s.upstream.applyMu.Lock()
		release = func() { once.Do(s.upstream.applyMu.Unlock) }
		defer release()
	}
	mark := func() []replication.Aux {
		defer release()
		// follow from the snapshot's instant, so the stream is kept from
		// there whatever is appended while the snapshot is written
		var lg *replication.Log
		if lg, off = s.replMark(); lg != nil {
			f, _ = lg.Follow(off, limit)
		}
		// a primary's stream says its next database (replMark), a relayed
		// one goes on where its primary's last SELECT left it
		streamDB := 0
		if s.upstream.active() {
			s.upstream.mu.Lock()
			if mc := s.upstream.mc; mc != nil {
				streamDB = mc.DB()
			}
			s.upstream.mu.Unlock()
		}
		return []replication.Aux{{Key: "redis-ver", Value: "7.0.15"}, {Key: "redis-bits", Value: "64"},
			{Key: "ctime", Value: strconv.FormatInt(s.clock.Now().Unix(), 10)},
			{Key: "repl-stream-db", Value: strconv.Itoa(streamDB)}, {Key: "repl-id", Value: s.replID()},
			{Key: "repl-offset", Value: strconv.FormatInt(off, 10)}, {Key: "aof-base", Value: "0"}}
	}
	head := func() []byte {
		if !psync {
			return nil
		}
		return []byte("+FULLRESYNC " + s.replID() + " " + strconv.FormatInt(off, 10) + "\r\n")
	}
	now := s.clock.Now().UnixMilli()
	if link.capaEOF.Load() && psync {
		eof := randomHex(40)
		w := &replWriter{write: write, first: func() []byte {
			return append(head(), "$EOF:"+eof+"\r\n"...)
		}}
		if err := replication.WriteRDB(w, s.store, now, mark); err != nil || w.failed || f == nil {
			if f != nil {
				f.Close()
			}
			return nil, false
		}
		if !write([]byte(eof)) {
			f.Close()
			return nil, false
		}
		return f, true
	}
	var rdb bytes.Buffer
	if err := replication.WriteRDB(&rdb, s.store, now, mark); err != nil || f == nil {
		if f != nil {
			f.Close()
		}
		return nil, false
	}
	out := append(head(), '$')
	out = strconv.AppendInt(out, int64(rdb.Len()), 10)
	out = append(out, '\r', '\n')
	if !write(out) || !write(rdb.Bytes()) {
		f.Close()
		return nil, false
	}
	return f, true
}

// replWriter writes to a replica's socket, the sync's header first.
type replWriter struct {
	write  func([]byte) bool
	first  func() []byte
	failed bool
}

func (w *replWriter) Write(p []byte) (int, error) {
	if w.first != nil {
		h := w.first()
		w.first = nil
		if !w.write(h) {
			w.failed = true
		}
	}
	if w.failed || !w.write(p) {
		w.failed = true
		return 0, errReplicaGone
	}
	return len(p), nil
}

var errReplicaGone = errors.New("replica link closed")

// pingReplicas puts a PING into the stream every repl-ping-replica-period
// seconds while replicas are attached, as Redis does, so an idle link
// still shows the replica its primary is alive.
func (s *Server) pingReplicas(lg *replication.Log) {
	for {
		period := time.Duration(max(s.cfgInt("repl-ping-replica-period", 10), 1)) * time.Second
		tick := make(chan struct{})
		t := s.clock.AfterFunc(period, func() { close(tick) })
		select {
		case <-s.ctx.Done():
			t.Stop()
			return
		case <-tick:
		}
		s.repl.mu.Lock()
		n, cur := len(s.repl.replicas), s.repl.log
		s.repl.mu.Unlock()
		if cur != lg {
			return // a newer stream has its own pinger, or a replica relays its primary's PINGs
		}
		if n > 0 {
			lg.AppendRaw(pingCommand)
		}
	}
}

// replicaBufferLimit is client-output-buffer-limit's replica class: hard
// and soft limits on the unread stream, and how long the soft one may be
// passed. A hard limit of 0 (none) is taken as 1 GiB.
func (s *Server) replicaBufferLimit() replication.Limit {
	lim := replication.Limit{Hard: 1 << 30}
	kv := s.cfg.Get("client-output-buffer-limit")
	if len(kv) != 2 {
		return lim
	}
	f := strings.Fields(kv[1])
	for i := 0; i+3 < len(f); i += 4 {
		if f[i] != "replica" && f[i] != "slave" {
			continue
		}
		hard, err1 := strconv.ParseInt(f[i+1], 10, 64)
		soft, err2 := strconv.ParseInt(f[i+2], 10, 64)
		secs, err3 := strconv.ParseInt(f[i+3], 10, 64)
		if err1 != nil || err2 != nil || err3 != nil {
			return lim
		}
		if hard > 0 {
			lim.Hard = hard
		}
		lim.Soft, lim.SoftFor = soft, time.Duration(secs)*time.Second
	}
	return lim
}

// cfgInt is an integer directive's value, def when absent or unparsable.
func (s *Server) cfgInt(name string, def int64) int64 {
	if kv := s.cfg.Get(name); len(kv) == 2 {
		if n, err := strconv.ParseInt(kv[1], 10, 64); err == nil {
			return n
		}
	}
	return def
}

// cmdRole is ROLE for a primary: its offset and its replicas' addresses
// and acknowledged offsets.
func cmdRole(c *Client, _ [][]byte) {
	if u := &c.srv.upstream; u.active() {
		u.mu.Lock()
		host, port := u.host, u.port
		u.mu.Unlock()
		state := "connect"
		switch {
		case u.syncing.Load():
			state = "sync"
		case u.linkUp.Load():
			state = "connected"
		}
		c.w.Array(5)
		c.w.BulkString("slave")
		c.w.BulkString(host)
		c.w.Int(int64(port))
		c.w.BulkString(state)
		c.w.Int(u.offset.Load())
		return
	}
	p := &c.srv.repl
	var off int64
	p.mu.Lock()
	if p.log != nil {
		off = p.log.Offset()
	}
	links := make([]*replicaLink, 0, len(p.replicas))
	for l := range p.replicas {
		if s := l.state.Load(); s != nil && *s == "online" {
			links = append(links, l)
		}
	}
	p.mu.Unlock()
	c.w.Array(3)
	c.w.BulkString("master")
	c.w.Int(off)
	c.w.Array(len(links))
	for _, l := range links {
		c.w.Array(3)
		c.w.BulkString(l.addr())
		c.w.BulkString(strconv.FormatInt(l.port.Load(), 10))
		c.w.BulkString(strconv.FormatInt(l.ack.Load(), 10))
	}
}

// addr is the replica's announced ip-address, else its connection's.
func (l *replicaLink) addr() string {
	if ip := l.ip.Load(); ip != nil {
		return *ip
	}
	a := l.c.addr
	if i := strings.LastIndexByte(a, ':'); i >= 0 {
		a = a[:i]
	}
	return strings.Trim(a, "[]")
}

// replID is the server's replication id.
func (s *Server) replID() string {
	s.repl.mu.Lock()
	defer s.repl.mu.Unlock()
	return s.repl.replid
}
