package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"sessiond/clock"
	"sessiond/expiry"
	"sessiond/storage"
)

// Config is what the server reads of its configuration; *config.Config
// implements it. Getters are called on hot paths and must be cheap and safe
// for concurrent use.
type Config interface {
	Requirepass() string
	Databases() int
	Shards() int
	MaxClients() int
	Timeout() time.Duration
	ProtoMaxBulkLen() int64
	QueryBufferLimit() int64
	Hz() int
	TCPKeepalive() time.Duration
	ProtectedMode() bool
	// Maxmemory is the maxmemory directive in bytes, 0 for no limit.
	Maxmemory() int64
	// MaxmemoryPolicy is the maxmemory-policy directive (a Redis name).
	MaxmemoryPolicy() string
	// MaxmemorySamples is maxmemory-samples.
	MaxmemorySamples() int
	// SetMaxIntsetEntries is set-max-intset-entries.
	SetMaxIntsetEntries() int
	HashMaxListpackEntries() int
	HashMaxListpackValue() int
	ZsetMaxListpackEntries() int
	ZsetMaxListpackValue() int
	// Get returns name, value pairs of the directives matching any pattern.
	Get(patterns ...string) []string
	// Set applies name, value pairs all or nothing; an error's text is the
	// wire error.
	Set(pairs []string) error
}

// Options are the server's collaborators; zero values get defaults.
type Options struct {
	Clock  clock.Clock
	Logger *slog.Logger
	// GoroutinePerConn serves every connection from a goroutine of its own
	// instead of the event loops (the only way off Linux).
	GoroutinePerConn bool
}

// Server serves the Redis protocol over its listeners.
type Server struct {
	cfg   Config
	clock clock.Clock
	log   *slog.Logger
	store *storage.Store
	table *table
	start time.Time
	// startupHeap is the heap in use when the server was made, before any
	// data: used_memory is it plus the dataset's accounted bytes.
	startupHeap int64

	mu        sync.Mutex
	listeners []net.Listener
	clients   map[int64]*Client
	closed    bool
	loops     []*eventLoop // connections' event loops (loop_linux.go)
	stopping  atomic.Bool  // Close has begun: the loops end
	nextID    atomic.Int64

	ctx      context.Context // cancelled by Close
	cancel   context.CancelFunc
	bg       sync.WaitGroup
	shutdown chan struct{} // closed by the SHUTDOWN command
	shutOnce sync.Once

	stats    stats
	blocked  blockRegistry // parked blocking commands (blocking.go)
	repl     primary       // replication, as a primary (repl_primary.go)
	upstream upstream      // replication, as a replica (repl_replica.go)
	info     *infoState
	sess     sessionState // SESSION.* bookkeeping (cmd_session.go)
}

type stats struct {
	commands     atomic.Int64
	connections  atomic.Int64
	rejected     atomic.Int64
	panics       atomic.Int64
	keyspaceHits atomic.Int64
	keyspaceMiss atomic.Int64
}

// New returns a server with an empty store; it serves once Serve is called.
func New(cfg Config, o Options) *Server {
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		cfg:         cfg,
		clock:       o.Clock,
		log:         o.Logger,
		store:       storage.New(storage.Options{Databases: cfg.Databases(), Shards: cfg.Shards()}),
		table:       newTable(),
		start:       o.Clock.Now(),
		startupHeap: heapBytes(),
		clients:     make(map[int64]*Client),
		shutdown:    make(chan struct{}),
	}
	registerCommands(s.table)
	s.initSessions()
	s.applyConfig()
	if !o.GoroutinePerConn {
		s.startLoops(runtime.GOMAXPROCS(0))
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.ctx, s.cancel = ctx, cancel
	s.info = &infoState{runID: randomHex(40)}
	s.repl.replid, s.repl.offset2 = randomHex(40), -1
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		s.info.sampleLoop(ctx, s)
	}()
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		s.evictLoop(ctx)
	}()
	if host, port, ok := strings.Cut(s.cfgString("replicaof"), " "); ok {
		if n, err := strconv.Atoi(port); err == nil {
			s.follow(host, n) // the replicaof directive
		}
	}
	hz := max(cfg.Hz(), 1)
	runner := &expiry.Runner{Clock: s.clock, Sweeper: s.store, Interval: time.Second / time.Duration(hz)}
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		runner.Run(ctx)
	}()
	return s
}

// Store returns the server's keyspace.
func (s *Server) Store() *storage.Store { return s.store }

// ShutdownRequested is closed when a client sends SHUTDOWN.
func (s *Server) ShutdownRequested() <-chan struct{} { return s.shutdown }

// Serve accepts connections on ln until Close. It returns nil after Close.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ln.Close()
		return nil
	}
	s.listeners = append(s.listeners, ln)
	s.mu.Unlock()
	var delay time.Duration
	for {
		conn, err := ln.Accept()
		if err != nil {
			s.mu.Lock()
			closed := s.closed
			s.mu.Unlock()
			if closed || errors.Is(err, net.ErrClosed) {
				return nil
			}
			// temporary failure (e.g. out of file descriptors): back off
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			s.log.Warn("accept failed", "error", err, "retry_in", delay)
			time.Sleep(delay)
			continue
		}
		delay = 0
		s.accept(conn)
	}
}

// Addr returns the address of the first listener, or nil.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.listeners) == 0 {
		return nil
	}
	return s.listeners[0].Addr()
}

func (s *Server) accept(conn net.Conn) {
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
		if ka := s.cfg.TCPKeepalive(); ka > 0 {
			tc.SetKeepAliveConfig(net.KeepAliveConfig{Enable: true, Idle: ka, Interval: ka / 3, Count: 3})
		}
	}
	if s.cfg.ProtectedMode() && s.cfg.Requirepass() == "" && !isLoopback(conn.RemoteAddr()) {
		s.stats.rejected.Add(1)
		conn.SetWriteDeadline(time.Now().Add(time.Second))
		conn.Write([]byte("-" + errProtectedMode + "\r\n"))
		conn.Close()
		return
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		conn.Close()
		return
	}
	if len(s.clients) >= s.cfg.MaxClients() {
		s.mu.Unlock()
		s.stats.rejected.Add(1)
		conn.SetWriteDeadline(time.Now().Add(time.Second))
		conn.Write([]byte("-" + errMaxClients + "\r\n"))
		conn.Close()
		return
	}
	c := &Client{
		srv:     s,
		conn:    conn,
		id:      s.nextID.Add(1),
		authed:  s.cfg.Requirepass() == "",
		created: s.clock.Now(),
		addr:    conn.RemoteAddr().String(),
		laddr:   conn.LocalAddr().String(),
	}
	c.w.proto = 2
	c.proto.Store(2)
	c.fd = -1
	s.clients[c.id] = c
	s.stats.connections.Add(1) // before a loop can run the client's first command
	c.rd = newReader(nil, s.limits())
	if s.adopt(c, conn) {
		s.mu.Unlock()
		return
	}
	c.sock = sockIO(conn)
	c.rd.src = c.sock
	s.mu.Unlock()
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		c.serve()
	}()
}

func (s *Server) limits() Limits {
	l := DefaultLimits()
	l.MaxBulk = s.cfg.ProtoMaxBulkLen()
	l.MaxQueryBuf = s.cfg.QueryBufferLimit()
	return l
}

func (s *Server) idleTimeout() time.Duration {
	return s.cfg.Timeout()
}

func (s *Server) removeClient(c *Client) {
	s.mu.Lock()
	delete(s.clients, c.id)
	s.mu.Unlock()
	if c.replica != nil {
		close(c.replica.gone) // its sender stops waiting for the stream
	}
	s.sess.locks.ReleaseClient(c.id)
}

// Close stops the listeners, disconnects every client and stops the
// background work. It is safe to call more than once.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	for _, ln := range s.listeners {
		ln.Close()
	}
	for _, c := range s.clients {
		c.disconnect()
	}
	s.stopping.Store(true)
	s.wakeLoops()
	s.mu.Unlock()
	s.cancel()
	s.bg.Wait()
	for _, l := range s.loops {
		l.closeFDs()
	}
	s.store.Close()
	return nil
}

// clientCount returns the number of connected clients.
func (s *Server) clientCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.clients)
}

func (s *Server) requestShutdown() {
	s.shutOnce.Do(func() { close(s.shutdown) })
}

func isLoopback(a net.Addr) bool {
	switch a := a.(type) {
	case *net.TCPAddr:
		return a.IP.IsLoopback()
	case *net.UnixAddr:
		return true
	}
	return false
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
