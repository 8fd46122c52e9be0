package server

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"sessiond/replication"
	"sessiond/storage"
)

// upstream is the server's side of replication as a replica: the primary
// it follows and the link to it.
//
// One goroutine (runLink) connects, runs the handshake (PING, AUTH with
// masterauth, REPLCONF listening-port and capa eof psync2, PSYNC), loads a
// full resync's snapshot or continues, then applies the stream through a
// master client (no replies; Now 0, so no key is expired for it) counting
// every byte of it (the offset), answers REPLCONF GETACK and sends
// REPLCONF ACK every second. Each command's bytes are also appended, as
// they came, to the server's replication log, under the primary's id and
// offsets: replicas of this replica get the primary's stream from it, as
// Redis relays it, and continue from it with psync2 when it is promoted.
// It reconnects with a capped backoff and a PSYNC for the next byte. The
// store is in replica mode meanwhile: keys past their deadline are hidden,
// never removed (the primary's DEL does), nothing is evicted, and clients'
// writes get -READONLY.
type upstream struct {
	mu     sync.Mutex
	host   string // "" when the server is a primary
	port   int
	replid string // the primary's, for PSYNC
	cancel context.CancelFunc
	done   chan struct{}

	replica atomic.Bool  // host != ""
	offset  atomic.Int64 // bytes of the primary's stream applied
	linkUp  atomic.Bool
	syncing atomic.Bool
	lastIO  atomic.Int64 // unix ms of the last byte from the primary
	loading atomic.Bool  // a snapshot is being loaded: -LOADING
	// mc is the client the stream runs as. It outlives a link, as Redis's
	// cached master does: a partial resync continues the stream mid-way,
	// in the database its last SELECT chose. A full resync replaces it.
	mc *Client
	// applyMu is held while a command of the stream is applied and
	// relayed, and by a replica's own replica's full sync until its
	// snapshot's instant (fullSync).
	applyMu sync.Mutex
	// gate is held for writing while a MULTI ... EXEC of the stream is
	// applied, and for reading by a client's command on the keyspace
	// (Client.execute), so that clients see all of a transaction or none
	// of it, as on a Redis replica. Lock order: applyMu, gate, shards.
	gate sync.RWMutex
}

// active reports whether the server is a replica (one atomic load: every
// write command asks).
func (u *upstream) active() bool { return u.replica.Load() }

const (
	errReadonly = "READONLY You can't write against a read only replica."
	errLoading  = "LOADING Redis is loading the dataset in memory"
)

func replicaofCommands() []*Command {
	f := FlagAdmin | FlagNoScript | FlagStale
	cmd := func(name, since string) *Command {
		return &Command{Name: name, Arity: 3, Flags: f, Handler: cmdReplicaof, Group: "server", Since: since,
			Summary: "Configures a server as replica of another, or promotes it to a master", Complexity: "O(1)",
			Syntax: "host port", Categories: []string{"@admin", "@slow", "@dangerous"}}
	}
	return []*Command{cmd("replicaof", "5.0.0"), cmd("slaveof", "1.0.0")}
}

// cmdReplicaof is REPLICAOF host port, and REPLICAOF NO ONE.
func cmdReplicaof(c *Client, args [][]byte) {
	s := c.srv
	if strings.EqualFold(string(args[1]), "no") && strings.EqualFold(string(args[2]), "one") {
		s.promote()
		c.w.OK()
		return
	}
	port, err := strconv.ParseInt(string(args[2]), 10, 64)
	if err != nil || port < 0 || port > 65535 {
		c.w.Error("ERR Invalid master port")
		return
	}
	host := string(args[1])
	u := &s.upstream
	u.mu.Lock()
	same := u.host == host && u.port == int(port)
	u.mu.Unlock()
	if same {
		c.w.Simple("OK Already connected to specified master")
		return
	}
	s.follow(host, int(port))
	c.w.OK()
}

// follow makes the server a replica of host:port, ending any link it had.
func (s *Server) follow(host string, port int) {
	s.stopLink()
	u := &s.upstream
	// a primary's own stream ends: its replicas reconnect, and get this
	// server's new primary's stream once it relays one
	p := &s.repl
	p.mu.Lock()
	s.store.SetEffectSink(nil)
	s.store.SetGroupSink(nil)
	p.log = nil
	p.dropReplicas()
	p.mu.Unlock()
	s.store.SetReplica(true)
	s.store.SetMaxmemory(0, s.store.Policy()) // replicas do not evict
	ctx, cancel := context.WithCancel(s.ctx)
	done := make(chan struct{})
	u.mu.Lock()
	u.host, u.port, u.cancel, u.done = host, port, cancel, done
	u.replica.Store(true)
	u.mu.Unlock()
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		defer close(done)
		s.runLink(ctx, host, port)
	}()
}

// stopLink ends the link to the primary, if any, and waits for it.
func (s *Server) stopLink() {
	u := &s.upstream
	u.mu.Lock()
	cancel, done := u.cancel, u.done
	u.host, u.cancel, u.done, u.mc = "", nil, nil, nil
	u.replica.Store(false)
	u.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
	u.linkUp.Store(false)
	u.syncing.Store(false)
	u.loading.Store(false)
}

// promote is REPLICAOF NO ONE: the server becomes a primary that
// continues its old primary's stream numbering, with the old replication
// id as its secondary one (psync2), so the old primary's other replicas
// continue from it with a partial resync.
func (s *Server) promote() {
	u := &s.upstream
	if !u.active() {
		return
	}
	s.stopLink()
	s.store.SetReplica(false)
	s.applyMaxmemory()
	u.mu.Lock()
	old := u.replid
	u.mu.Unlock()
	off := u.offset.Load()
	p := &s.repl
	p.mu.Lock()
	if old != "" {
		p.replid2, p.offset2 = old, off
	}
	p.replid = randomHex(40)
	lg := p.log
	if lg == nil || lg.Offset() != off {
		lg = replication.NewLog(off, s.cfgInt("repl-backlog-size", 1<<20))
	}
	// the relayed stream goes on as this server's own: its backlog lets
	// the old primary's replicas continue even from behind this one. Its
	// own replicas reconnect to learn the new id, and continue (psync2),
	// as Redis has them do.
	s.sinkTo(lg)
	p.dropReplicas()
	p.mu.Unlock()
}

// runLink keeps the link to host:port up until ctx ends, retrying after
// a failure with a backoff from 100 ms doubling to 2 s.
func (s *Server) runLink(ctx context.Context, host string, port int) {
	u := &s.upstream
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := s.linkOnce(ctx, net.JoinHostPort(host, strconv.Itoa(port)), func() { backoff = 100 * time.Millisecond })
		u.linkUp.Store(false)
		u.syncing.Store(false)
		u.loading.Store(false)
		if ctx.Err() != nil {
			return
		}
		s.log.Warn("link to the primary lost; reconnecting", "primary", net.JoinHostPort(host, strconv.Itoa(port)), "error", err, "retry_in", backoff)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		backoff = min(2*backoff, 2*time.Second)
	}
}

// link is one connection to the primary.
type link struct {
	conn net.Conn
	br   *bufio.Reader
	in   *streamReader
	wmu  sync.Mutex // ACKs are written from two goroutines
}

func (l *link) send(args ...string) error {
	bs := make([][]byte, len(args))
	for i, a := range args {
		bs[i] = []byte(a)
	}
	b := replication.AppendCommand(nil, bs...)
	l.wmu.Lock()
	defer l.wmu.Unlock()
	l.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	_, err := l.conn.Write(b)
	return err
}

// line reads a reply line, skipping the empty lines a primary sends to
// keep the link alive while it prepares a snapshot.
func (l *link) line() (string, error) {
	for {
		s, err := l.br.ReadString('\n')
		if err != nil {
			return "", err
		}
		s = strings.TrimRight(s, "\r\n")
		if s != "" {
			return s, nil
		}
	}
}

// ask sends a command and reads its one-line reply, which must not be an
// error.
func (l *link) ask(args ...string) (string, error) {
	if err := l.send(args...); err != nil {
		return "", err
	}
	r, err := l.line()
	if err == nil && strings.HasPrefix(r, "-") {
		err = fmt.Errorf("%s: %s", args[0], r[1:])
	}
	return r, err
}

// linkOnce connects, syncs and applies the stream until the link fails.
func (s *Server) linkOnce(ctx context.Context, addr string, connected func()) error {
	u := &s.upstream
	d := net.Dialer{Timeout: 5 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	l := &link{conn: conn, in: &streamReader{r: sockIO(conn), conn: conn}}
	l.br = bufio.NewReaderSize(l.in, 64<<10)
	timeout := time.Duration(s.cfgInt("repl-timeout", 60)) * time.Second
	conn.SetReadDeadline(time.Now().Add(timeout))
	if pass := s.cfgString("masterauth"); pass != "" {
		args := []string{"AUTH", pass}
		if user := s.cfgString("masteruser"); user != "" {
			args = []string{"AUTH", user, pass}
		}
		if _, err := l.ask(args...); err != nil {
			return err
		}
	}
	if r, err := l.ask("PING"); err != nil || r != "+PONG" {
		return fmt.Errorf("PING: %q %v", r, err)
	}
	port := s.listenPort()
	if p := s.cfgInt("replica-announce-port", 0); p > 0 {
		port = int(p)
	}
	if port > 0 {
		if _, err := l.ask("REPLCONF", "listening-port", strconv.Itoa(port)); err != nil {
			return err
		}
	}
	if ip := s.cfgString("replica-announce-ip"); ip != "" {
		if _, err := l.ask("REPLCONF", "ip-address", ip); err != nil {
			return err
		}
	}
	if _, err := l.ask("REPLCONF", "capa", "eof", "capa", "psync2"); err != nil {
		return err
	}
	u.mu.Lock()
	replid := u.replid
	u.mu.Unlock()
	psyncID, psyncOff := "?", "-1"
	if replid != "" {
		psyncID, psyncOff = replid, strconv.FormatInt(u.offset.Load()+1, 10)
	}
	r, err := l.ask("PSYNC", psyncID, psyncOff)
	if err != nil {
		return err
	}
	switch {
	case strings.HasPrefix(r, "+FULLRESYNC "):
		f := strings.Fields(r)
		if len(f) != 3 {
			return fmt.Errorf("PSYNC reply %q", r)
		}
		off, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil {
			return fmt.Errorf("PSYNC reply %q", r)
		}
		u.syncing.Store(true)
		conn.SetReadDeadline(time.Time{}) // a big snapshot takes its time
		streamDB, err := s.loadSnapshot(l)
		if err != nil {
			return err
		}
		s.rebuildSessions(0) // the snapshot's sessions, put without commands
		u.syncing.Store(false)
		u.mu.Lock()
		u.replid = f[1]
		u.mc = s.masterClient()
		u.mc.db.Store(int32(streamDB))
		u.mu.Unlock()
		u.offset.Store(off)
	case strings.HasPrefix(r, "+CONTINUE"):
		if f := strings.Fields(r); len(f) == 2 {
			u.mu.Lock()
			u.replid = f[1]
			u.mu.Unlock()
		}
	default:
		return fmt.Errorf("PSYNC reply %q", r)
	}
	u.mu.Lock()
	replid = u.replid
	u.mu.Unlock()
	s.relay(replid, u.offset.Load(), strings.HasPrefix(r, "+FULLRESYNC "))
	u.linkUp.Store(true)
	u.lastIO.Store(time.Now().UnixMilli())
	connected()
	ack := func() error { return l.send("REPLCONF", "ACK", strconv.FormatInt(u.offset.Load(), 10)) }
	// at once, as Redis does: a primary starts the stream after an
	// EOF-marked snapshot at this first ACK
	if err := ack(); err != nil {
		return err
	}
	ackCtx, stopAcks := context.WithCancel(ctx)
	defer stopAcks()
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-ackCtx.Done():
				return
			case <-t.C:
				if ack() != nil {
					return
				}
			}
		}
	}()
	return s.applyStream(l, timeout, ack)
}

// loadSnapshot reads the snapshot of a full resync ($<len> or $EOF:<mark>)
// into the emptied store, answering -LOADING to clients meanwhile. It
// returns the database the stream goes on in (the repl-stream-db aux
// field: a replica relaying its primary's stream snapshots it mid-way,
// where no SELECT comes before the next command).
func (s *Server) loadSnapshot(l *link) (int, error) {
	h, err := l.line()
	if err != nil {
		return 0, err
	}
	if !strings.HasPrefix(h, "$") {
		return 0, fmt.Errorf("snapshot header %q", h)
	}
	u := &s.upstream
	u.loading.Store(true)
	defer u.loading.Store(false)
	for db := range s.store.Databases() {
		s.store.Flush(db)
	}
	lim := replication.Limits{SetMaxIntset: s.cfg.SetMaxIntsetEntries(),
		HashMaxEntries: s.cfg.HashMaxListpackEntries(), HashMaxValue: s.cfg.HashMaxListpackValue(),
		ZSetMaxEntries: s.cfg.ZsetMaxListpackEntries(), ZSetMaxValue: s.cfg.ZsetMaxListpackValue()}
	put := func(db int, key, str []byte, obj storage.Object, deadline int64) error {
		if db >= s.store.Databases() {
			return fmt.Errorf("snapshot has database %d, this server %d", db, s.store.Databases())
		}
		tx := s.store.Begin(0, db, key)
		tx.Put(db, key, str, obj, deadline)
		tx.End()
		return nil
	}
	if mark, ok := strings.CutPrefix(h, "$EOF:"); ok {
		if len(mark) != 40 {
			return 0, fmt.Errorf("snapshot header %q", h)
		}
		aux, err := replication.ReadRDB(l.br, lim, put)
		if err != nil {
			return 0, err
		}
		end := make([]byte, 40)
		if _, err := io.ReadFull(l.br, end); err != nil || string(end) != mark {
			return 0, fmt.Errorf("snapshot end mark %q, want %q (%v)", end, mark, err)
		}
		return s.streamDB(aux)
	}
	n, err := strconv.ParseInt(h[1:], 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("snapshot header %q", h)
	}
	lr := &io.LimitedReader{R: l.br, N: n}
	aux, err := replication.ReadRDB(bufio.NewReaderSize(lr, 64<<10), lim, put)
	if err != nil {
		return 0, err
	}
	if lr.N != 0 {
		// the bufio reader read ahead within the limit: nothing may follow
		// the checksum inside the payload
		return 0, fmt.Errorf("%d bytes after the snapshot's checksum", lr.N)
	}
	return s.streamDB(aux)
}

// streamDB is a snapshot's repl-stream-db: 0 when absent, an error when
// this server has no such database.
func (s *Server) streamDB(aux map[string]string) (int, error) {
	v, ok := aux["repl-stream-db"]
	if !ok {
		return 0, nil
	}
	db, err := strconv.Atoi(v)
	if err != nil || db < 0 || db >= s.store.Databases() {
		return 0, fmt.Errorf("snapshot's repl-stream-db %q", v)
	}
	return db, nil
}

// applyStream applies the primary's commands, counting every byte.
func (s *Server) applyStream(l *link, timeout time.Duration, ack func() error) error {
	u := &s.upstream
	u.mu.Lock()
	if u.mc == nil {
		u.mc = s.masterClient()
	}
	mc := u.mc
	u.mu.Unlock()
	s.repl.mu.Lock()
	lg := s.repl.log // relay set it up
	s.repl.mu.Unlock()
	l.in.timeout, l.in.lastIO = timeout, &u.lastIO
	var sp streamParser
	var raw []byte
	var tx streamTx
	for {
		args, n, err := sp.next(l.br)
		if err != nil {
			return err // a transaction not ended is dropped, uncounted
		}
		getack := len(args) >= 2 && eq(args[0], "replconf") && eq(args[1], "getack")
		if !getack && tx.add(args, n) {
			if int64(tx.n) > s.cfg.QueryBufferLimit() {
				// what a client's query buffer may hold: a primary
				// that never sends EXEC must not fill our memory
				return fmt.Errorf("a transaction in the primary's stream passed client-query-buffer-limit (%d bytes) without EXEC", tx.n)
			}
			continue // queued: applied and counted at its EXEC
		}
		u.applyMu.Lock()
		switch {
		case tx.ready:
			// MULTI ... EXEC: all at once, so a promotion never finds
			// half of it, and counted only now, so a link that breaks
			// before EXEC resumes from MULTI; and under the gate, so
			// that no client sees part of it
			u.gate.Lock()
			for _, a := range tx.cmds {
				applyCommand(mc, a)
			}
			u.gate.Unlock()
		case !getack:
			applyCommand(mc, args)
		}
		if tx.ready {
			n = tx.n
		}
		if lg != nil {
			// the bytes as they came: a well-formed stream is the
			// canonical encoding of its commands, which is checked by
			// length
			if tx.ready {
				raw = tx.relayed(raw[:0])
			} else {
				raw = relayed(raw[:0], args, n)
			}
			if len(raw) == n {
				lg.AppendRaw(raw)
			} else {
				s.log.Warn("the primary's stream is not in canonical RESP; replicas of this replica resync", "command", string(args[0]))
				lg = s.relayRestart(u.offset.Load() + int64(n))
			}
		}
		u.offset.Add(int64(n))
		u.applyMu.Unlock()
		tx.reset()
		if getack {
			if err := ack(); err != nil {
				return err
			}
		}
	}
}

// applyCommand runs a command of the stream on the master client, whose
// replies nobody reads; a keepalive (no args) and PING change nothing.
func applyCommand(mc *Client, args [][]byte) {
	if len(args) > 0 && !eq(args[0], "ping") {
		mc.execute(args)
		mc.w.b = mc.w.b[:0]
	}
}

// streamTx is a MULTI ... EXEC of a primary's stream being received: its
// commands (copied: the parser's arguments are its buffer's) and the bytes
// they took.
type streamTx struct {
	open  bool       // MULTI seen, EXEC not yet
	ready bool       // EXEC seen: apply cmds, count n
	cmds  [][][]byte // the commands between MULTI and EXEC
	n     int        // stream bytes from MULTI to EXEC, both included
}

// add takes a command of the stream of n bytes: MULTI opens a
// transaction, commands inside it are queued, and EXEC readies it. It
// reports whether the command was taken and nothing is to be done yet.
// (Redis never sends PING or REPLCONF inside one: a transaction is
// written to its stream at once.)
func (t *streamTx) add(args [][]byte, n int) bool {
	switch {
	case len(args) == 1 && eq(args[0], "multi") && !t.open:
		t.open, t.n = true, n
		return true
	case !t.open:
		return false
	case len(args) == 1 && eq(args[0], "exec"):
		t.ready, t.n = true, t.n+n
		return false
	}
	if len(args) > 0 { // a keepalive newline is only counted
		t.cmds = append(t.cmds, storage.CloneArgs(args))
	}
	t.n += n
	return true
}

// relayed appends to b the transaction's bytes as the primary encoded
// them.
func (t *streamTx) relayed(b []byte) []byte {
	b = replication.AppendCommand(b, []byte("MULTI"))
	for _, a := range t.cmds {
		b = replication.AppendCommand(b, a...)
	}
	return replication.AppendCommand(b, []byte("EXEC"))
}

// reset ends a transaction once applied; nothing else is undone.
func (t *streamTx) reset() {
	if t.ready {
		*t = streamTx{}
	}
}

// relayed appends to b a command of the stream as the primary encoded it,
// n bytes: a keepalive newline, or the RESP array of args.
func relayed(b []byte, args [][]byte, n int) []byte {
	if len(args) == 0 {
		if n == 1 {
			return append(b, '\n')
		}
		return append(append(b, bytes.Repeat([]byte{' '}, max(n-2, 0))...), '\r', '\n')
	}
	return replication.AppendCommand(b, args...)
}

// relaying reports whether the server, a replica, has a relayed stream:
// it has synced once (its replicas may sync from it while its link is up).
func (s *Server) relaying() bool {
	s.repl.mu.Lock()
	defer s.repl.mu.Unlock()
	return s.repl.log != nil
}

// relay makes the server's log carry its primary's stream, id replid,
// from offset off on: after a partial resync, the log it has when that
// ends at off; after a full one (full), or without such a log, a new one,
// whose replicas resync. A new id for the same history, in a partial
// resync (the primary was promoted from its replica), becomes the log's,
// the old one its secondary id; its replicas reconnect to learn it and
// continue (psync2).
func (s *Server) relay(replid string, off int64, full bool) {
	p := &s.repl
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.log != nil && p.log.Offset() == off && !full {
		if p.replid != replid {
			p.replid2, p.offset2 = p.replid, off
			p.replid = replid
			p.dropReplicas()
		}
		return
	}
	p.log = replication.NewLog(off, s.cfgInt("repl-backlog-size", 1<<20))
	p.log.SetClock(s.clock.Now)
	p.replid, p.replid2, p.offset2 = replid, "", -1
	p.dropReplicas()
}

// relayRestart replaces the relayed log by an empty one at off, and
// returns it.
func (s *Server) relayRestart(off int64) *replication.Log {
	s.repl.mu.Lock()
	replid := s.repl.replid
	s.repl.log = nil
	s.repl.mu.Unlock()
	s.relay(replid, off, true)
	s.repl.mu.Lock()
	defer s.repl.mu.Unlock()
	return s.repl.log
}

// streamReader reads the primary's socket for the link's bufio reader: raw
// reads, as the server's own clients do (see rawIO). Once the stream runs
// (timeout set) it renews the read deadline and records the time of each
// read: once per read, not per command, which profiled at 4% of a
// replica's CPU.
type streamReader struct {
	r       io.Reader
	conn    net.Conn
	timeout time.Duration
	lastIO  *atomic.Int64
}

func (sr *streamReader) Read(p []byte) (int, error) {
	if sr.timeout > 0 {
		sr.conn.SetReadDeadline(time.Now().Add(sr.timeout))
	}
	n, err := sr.r.Read(p)
	if n > 0 && sr.lastIO != nil {
		sr.lastIO.Store(time.Now().UnixMilli())
	}
	return n, err
}

// masterClient is the client the primary's stream runs as: authenticated,
// never answered, allowed to write on a replica, and with Now 0 (set in
// execute) so no key is expired for it.
func (s *Server) masterClient() *Client {
	c := &Client{srv: s, id: -1, authed: true, master: true, addr: "primary"}
	return c
}

// A streamParser reads the commands of the primary's stream. The args it
// returns alias its buffers and stay valid until the next call: commands
// copy what they keep, as they do for clients (see reader), so a command
// costs no allocation.
type streamParser struct {
	buf  []byte
	args [][]byte
}

// maxKeptStreamBuf is the largest argument buffer a parser keeps for the
// next command; a bigger one (a huge value) is left to the collector.
const maxKeptStreamBuf = 1 << 20

// next reads one RESP array of bulk strings from the stream and the number
// of bytes it took. A bare newline (a keepalive) is a command of no
// arguments.
func (sp *streamParser) next(br *bufio.Reader) ([][]byte, int, error) {
	if cap(sp.buf) > maxKeptStreamBuf {
		sp.buf = nil
	}
	sp.buf, sp.args = sp.buf[:0], sp.args[:0]
	line, err := br.ReadSlice('\n')
	if err != nil {
		return nil, 0, err
	}
	n := len(line)
	if len(line) < 3 || line[0] != '*' {
		if len(bytes.TrimSpace(line)) == 0 {
			return nil, n, nil
		}
		return nil, 0, fmt.Errorf("stream: %q where a command belongs", line)
	}
	count, ok := parseInteger(bytes.TrimRight(line[1:], "\r\n"))
	if !ok || count < 0 || count > 1<<20 {
		return nil, 0, fmt.Errorf("stream: array header %q", line)
	}
	for range count {
		h, err := br.ReadSlice('\n')
		if err != nil {
			return nil, 0, err
		}
		n += len(h)
		if len(h) < 3 || h[0] != '$' {
			return nil, 0, fmt.Errorf("stream: bulk header %q", h)
		}
		n64, ok := parseInteger(bytes.TrimRight(h[1:], "\r\n"))
		if !ok || n64 < 0 || n64 > 512<<20 {
			return nil, 0, fmt.Errorf("stream: bulk header %q", h)
		}
		size := int(n64)
		// A growing buffer moves, but the args already cut keep the old
		// array: they stay valid.
		start := len(sp.buf)
		sp.buf = slices.Grow(sp.buf, size+2)[:start+size+2]
		b := sp.buf[start:]
		if _, err := io.ReadFull(br, b); err != nil {
			return nil, 0, err
		}
		if b[size] != '\r' || b[size+1] != '\n' {
			return nil, 0, errors.New("stream: bulk not ended by CRLF")
		}
		n += size + 2
		sp.args = append(sp.args, b[:size:size])
	}
	return sp.args, n, nil
}

// listenPort is the port of the server's first TCP listener, 0 if none.
func (s *Server) listenPort() int {
	if a, ok := s.Addr().(*net.TCPAddr); ok {
		return a.Port
	}
	return 0
}

// cfgString is a directive's value, "" when absent.
func (s *Server) cfgString(name string) string {
	if kv := s.cfg.Get(name); len(kv) == 2 {
		return kv[1]
	}
	return ""
}
