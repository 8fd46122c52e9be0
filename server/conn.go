package server

import (
	"errors"
	"io"
	"net"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tidwall/redcon"

	"sessiond/storage"
)

// Client is one connection's state. Its goroutine owns every field except
// those marked shared, which CLIENT LIST / INFO read from other goroutines.
type Client struct {
	sess   clientSessions // SESSION.* scratch (cmd_session.go)
	srv    *Server
	conn   net.Conn
	sock   io.ReadWriter // conn, or its raw reader/writer (rawio_linux.go)
	rd     *reader
	w      Writer
	id     int64
	authed bool
	closed bool // close after the pending replies are flushed
	// deadline: a read deadline is set (timeout > 0)
	deadline bool

	// Event loop (loop_linux.go): the loop serving this client and its
	// socket, or nil and -1 once it has a goroutine of its own. fdMu guards
	// fd, conn and killed against disconnect from other goroutines.
	loop     *eventLoop
	fd       int
	lastRead int64 // unix ns of the last read, for the idle timeout
	fdMu     sync.Mutex
	killed   bool

	// Per command: the instant read once from the clock.
	now     time.Time
	nowMs   int64
	current redcon.Command
	// replica: set once the connection is a replica's (PSYNC/SYNC):
	// nothing is replied to it any more. replLink collects what its
	// REPLCONFs said before that.
	replica, replLink *replicaLink
	// master: the client the primary's stream runs as on a replica
	master bool
	// gated: the command holds upstream.gate for reading (see execute)
	gated bool
	// use: what the command does with the keys it looks up (lookup):
	// storage.UseCreate for one that may add data (deny-oom), else
	// storage.UseRead
	use storage.Use
	// effArgs, effNum: emitSet's effect, built without allocating (the
	// sink copies what it keeps)
	effArgs [5][]byte
	effNum  []byte

	// shared
	db       atomic.Int32
	proto    atomic.Int32
	lastCmd  atomic.Pointer[string]
	lastSeen atomic.Int64 // unix ms of the last command
	created  time.Time
	addr     string
	laddr    string
	noEvict  atomic.Bool
	noTouch  atomic.Bool
	mu       sync.Mutex // guards the fields below
	name     string
	libName  string
	libVer   string
}

// DB returns the selected database.
func (c *Client) DB() int { return int(c.db.Load()) }

func (c *Client) serve() {
	defer func() {
		if p := recover(); p != nil {
			c.panicked(p)
		}
		c.conn.Close()
		c.srv.removeClient(c)
	}()
	for {
		if !c.runBuffered() {
			return
		}
		if len(c.w.b) > 0 && c.rd.full() && c.rd.fillNow() {
			// The last read filled the buffer and more had already
			// arrived: a pipeline larger than one read. Parse on and send
			// the replies to the whole batch in one write.
			continue
		}
		if len(c.w.b) > 0 && !c.flush() {
			return
		}
		if t := c.srv.idleTimeout(); t > 0 && c.replica == nil {
			c.conn.SetReadDeadline(time.Now().Add(t))
			c.deadline = true
		} else if c.deadline {
			c.conn.SetReadDeadline(time.Time{}) // CONFIG SET timeout 0
			c.deadline = false
		}
		if err := c.rd.fill(); err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, os.ErrDeadlineExceeded) {
				c.srv.log.Debug("closing idle client", "client", c.id)
			} else if errors.Is(err, errQueryBuf) {
				c.warnQueryBuf()
			}
			return
		}
	}
}

// runBuffered runs the complete commands in the read buffer, sending the
// replies early only when a long pipeline has buffered 1 MiB of them. False
// means close the connection.
func (c *Client) runBuffered() bool {
	for {
		if c.closed {
			c.flush()
			return false
		}
		c.rd.unauthed = !c.authed
		args, err := c.rd.next()
		if err != nil {
			c.protocolError(err)
			return false
		}
		if args == nil {
			return true
		}
		c.execute(args)
		if len(c.w.b) > 1<<20 && !c.closed && !c.flush() {
			return false
		}
	}
}

// panicked counts and logs a panic that ends the connection.
func (c *Client) panicked(p any) {
	c.ungate()
	c.srv.stats.panics.Add(1)
	c.srv.log.Error("panic in connection; closing it", "client", c.id, "addr", c.addr, "panic", p, "stack", string(debug.Stack()))
}

func (c *Client) warnQueryBuf() {
	c.srv.log.Warn("closing client that reached max query buffer length", "client", c.id, "addr", c.addr)
}

func (c *Client) protocolError(err error) {
	var pe *protoError
	if errors.As(err, &pe) {
		c.srv.log.Debug("protocol error from client", "client", c.id, "addr", c.addr, "error", pe.msg)
		c.w.Error("ERR " + pe.Error())
		c.flush()
		return
	}
	switch {
	case errors.Is(err, errHTTP):
		c.srv.log.Warn("possible SECURITY ATTACK detected: POST or Host: sent to sessiond; connection aborted", "addr", c.addr)
	case errors.Is(err, errQueryBuf):
		c.warnQueryBuf()
	}
}

// flush writes the pending replies; it reports false when the connection is broken.
func (c *Client) flush() bool {
	if len(c.w.b) == 0 {
		return true
	}
	if c.replica != nil {
		c.w.b = c.w.b[:0] // a replica is never answered
		return true
	}
	var err error
	if c.loop != nil {
		err = c.flushLoop()
	} else {
		_, err = c.sock.Write(c.w.b)
	}
	if cap(c.w.b) > 1<<20 {
		c.w.b = make([]byte, 0, 16<<10)
	} else {
		c.w.b = c.w.b[:0]
	}
	return err == nil
}

// disconnect ends the connection from another goroutine (CLIENT KILL,
// Close); the goroutine or loop serving it then finds it gone.
func (c *Client) disconnect() {
	c.fdMu.Lock()
	defer c.fdMu.Unlock()
	c.killed = true
	if !c.shutdownSocket() && c.conn != nil {
		c.conn.Close()
	}
}

// execute runs one command: lookup, arity, auth, then the handler.
func (c *Client) execute(args [][]byte) {
	s := c.srv
	c.current = redcon.Command{Args: args}
	c.now = s.clock.Now()
	c.nowMs = c.now.UnixMilli()
	if c.master {
		c.nowMs = 0 // the primary's commands see no key as expired
	}
	c.lastSeen.Store(c.nowMs)
	cmd := s.table.lookup(args[0])
	if cmd == nil {
		c.w.Error(unknownCommand(args))
		return
	}
	if cmd.Subcommands != nil && len(args) >= 2 {
		sub := cmd.Subcommands[strings.ToLower(string(args[1]))]
		if sub == nil {
			if !c.authed && cmd.Flags&FlagNoAuth == 0 {
				c.w.Error(errNoAuth)
				return
			}
			c.w.Error(errUnknownSubcommand(string(args[1]), strings.ToUpper(cmd.Name)))
			return
		}
		cmd = sub
	}
	if !c.authed && cmd.Flags&FlagNoAuth == 0 {
		c.w.Error(errNoAuth)
		return
	}
	if !cmd.arityOK(len(args)) {
		c.w.Error(errWrongArgs(cmd.Name))
		return
	}
	if !c.master && s.upstream.loading.Load() && cmd.Flags&FlagLoading == 0 {
		c.w.Error(errLoading)
		return
	}
	if !c.master && cmd.Flags&FlagWrite != 0 {
		if need := s.repl.minReplicas.Load(); need > 0 && !s.upstream.active() && s.repl.good(c.nowMs) < need {
			c.w.Error(errNoReplicas)
			return
		}
		if s.upstream.active() && s.cfgString("replica-read-only") != "no" {
			c.w.Error(errReadonly)
			return
		}
	}
	if cmd.Flags&FlagDenyOOM != 0 && s.outOfMemory(c.nowMs) {
		c.w.Error(errOOM)
		return
	}
	c.lastCmd.Store(&cmd.Name)
	c.use = storage.UseRead
	if cmd.Flags&FlagDenyOOM != 0 {
		c.use = storage.UseCreate
	}
	if !c.master && cmd.Flags&(FlagReadonly|FlagWrite) != 0 && s.upstream.active() {
		// on a replica, a command on the keyspace sees all of a
		// transaction of the stream or none of it (applyStream)
		s.upstream.gate.RLock()
		c.gated = true
	}
	cmd.Handler(c, args)
	c.ungate()
	if cmd.Flags&FlagWrite != 0 && cmd.FirstKey > 0 {
		c.syncSessionKeys(cmd, args)
	}
	s.stats.commands.Add(1) // after the handler, as Redis counts

}

// ungate lets go of upstream.gate if the command holds it: when it ends,
// and before it waits (detach: BLPOP and the like, a slow socket), so that
// a waiting client never holds up the primary's stream. A parked command
// touches no key once woken: a writer serves it.
func (c *Client) ungate() {
	if c.gated {
		c.gated = false
		c.srv.upstream.gate.RUnlock()
	}
}

// unknownCommand builds Redis's reply: each argument quoted and cut so the
// argument list stays near 128 bytes.
func unknownCommand(args [][]byte) string {
	var list []byte
	for _, a := range args[1:] {
		if len(list) >= 128 {
			break
		}
		list = append(list, '\'')
		list = append(list, truncate(string(a), 128-len(list)+1)...)
		list = append(list, "' "...)
	}
	return sanitize("ERR unknown command '" + truncate(string(args[0]), 128) + "', with args beginning with: " + string(list))
}

// sanitize replaces the bytes Redis will not echo back in an error.
func sanitize(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
}
