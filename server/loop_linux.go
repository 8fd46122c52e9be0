//go:build linux

package server

import (
	"errors"
	"net"
	"os"
	"runtime"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// An eventLoop serves many connections from one goroutine with epoll, as
// Redis's event loop does: wait for readable sockets, read each once, run
// the complete commands, write the replies.
//
// Why not a goroutine per connection (which every connection still falls
// back to, see detach): with one, every request costs a read that finds the
// socket empty (EAGAIN), a park of the goroutine, and the scheduler's
// search for the next one (findRunnable, a non-blocking epoll_wait of its
// own, waking other threads for goroutines it made ready). Profiled under
// redis-benchmark SET -c 50 -P 1 the scheduler alone was 13% of sessiond's
// CPU; the loop pays one epoll_wait per batch of ready sockets instead.
//
// Invariants:
//   - Only the goroutine running run touches events, evi, evn and a loop
//     client's reader, writer and fd reads/writes. conns is guarded by mu
//     (accept adds from its own goroutine).
//   - A connection the loop cannot finish without waiting (a blocking
//     command, a reply the socket will not take at once) is detached: it
//     leaves the epoll set and becomes an ordinary goroutine-per-connection
//     client, and a new goroutine takes the loop over, resuming the current
//     batch where it stood. The goroutine that was running the loop goes on
//     serving that one connection. So nothing ever waits inside the loop.
//   - An fd leaves conns before it is closed, so a number reused by a new
//     connection never finds the old client.
//   - Other goroutines (CLIENT KILL, Close) never close a loop client's fd;
//     they shut the socket down under fdMu, and the loop sees the end of
//     the stream and closes it.
type eventLoop struct {
	srv  *Server
	epfd int
	wake [2]int // a pipe: a byte written to wake[1] ends the wait

	mu    sync.Mutex
	conns map[int32]*Client

	events   [128]syscall.EpollEvent
	evi, evn int
	lastScan time.Time

	// The epoll fd as a file in the runtime's poller: an idle loop parks its
	// goroutine on it rather than blocking its thread in epoll_wait, which
	// the runtime answers by handing the P to another thread every time.
	file     *os.File
	rc       syscall.RawConn
	polled   int // events found by pollFn
	pollErr  syscall.Errno
	parked   bool // pollFn found nothing: the goroutine waited
	pollFn   func(uintptr) bool
	deadline time.Time // of file, for the idle scan and Close
	woke     time.Time // when the loop last parked or yielded
}

// yieldAfter is how long a loop runs batch after batch before it lets the
// goroutines queued behind it run.
const yieldAfter = 500 * time.Microsecond

// maxReadsPerEvent bounds the reads one readable event may make while each
// read fills the buffer (a long pipeline), so one client cannot hold the
// loop.
const maxReadsPerEvent = 16

func newEventLoop(s *Server) (*eventLoop, error) {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	l := &eventLoop{srv: s, epfd: epfd, conns: make(map[int32]*Client)}
	if err := syscall.Pipe2(l.wake[:], syscall.O_NONBLOCK|syscall.O_CLOEXEC); err != nil {
		syscall.Close(epfd)
		return nil, os.NewSyscallError("pipe2", err)
	}
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(l.wake[0])}
	if err := syscall.EpollCtl(epfd, syscall.EPOLL_CTL_ADD, l.wake[0], &ev); err != nil {
		l.closeFDs()
		return nil, os.NewSyscallError("epoll_ctl", err)
	}
	if err := syscall.SetNonblock(epfd, true); err != nil {
		l.closeFDs()
		return nil, os.NewSyscallError("fcntl", err)
	}
	l.file = os.NewFile(uintptr(epfd), "epoll")
	rc, err := l.file.SyscallConn()
	if err != nil {
		l.closeFDs()
		return nil, err
	}
	l.rc = rc
	l.pollFn = l.poll
	return l, nil
}

func (l *eventLoop) closeFDs() {
	if l.file != nil {
		l.file.Close()
	} else {
		syscall.Close(l.epfd)
	}
	syscall.Close(l.wake[0])
	syscall.Close(l.wake[1])
}

// poll takes the ready events without waiting; as the runtime's read
// callback it reports false (wait until readable) when there are none.
func (l *eventLoop) poll(uintptr) bool {
	for {
		n, _, e := syscall.RawSyscall6(syscall.SYS_EPOLL_PWAIT, uintptr(l.epfd), uintptr(unsafe.Pointer(&l.events[0])), uintptr(len(l.events)), 0, 0, 0)
		if e == syscall.EINTR {
			continue
		}
		l.polled, l.pollErr = int(n), e
		if e == 0 && n == 0 {
			l.parked = true // the runtime will park the loop until readable
			return false
		}
		return true
	}
}

// wait returns the number of ready events, parking until there are some or
// the deadline for the next idle scan passes (then 0). The runtime calls
// poll first and parks only if it finds nothing.
func (l *eventLoop) wait(d time.Duration) int {
	if dl := time.Now().Add(d); dl.After(l.deadline.Add(d / 10)) {
		l.file.SetReadDeadline(dl)
		l.deadline = dl
	}
	l.polled, l.pollErr, l.parked = 0, 0, false
	err := l.rc.Read(l.pollFn)
	if l.parked {
		l.woke = time.Now()
	}
	if err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return 0
		}
		panic(err) // the loop's own epoll fd, never closed before it ends
	}
	if l.pollErr != 0 {
		// Nothing recoverable happens to an epoll fd we own.
		panic(os.NewSyscallError("epoll_pwait", l.pollErr))
	}
	return l.polled
}

// startLoops makes one event loop per P. Without them (an error, or
// Options.GoroutinePerConn) every connection gets its own goroutine.
func (s *Server) startLoops(n int) {
	for range n {
		l, err := newEventLoop(s)
		if err != nil {
			s.log.Warn("event loop unavailable; serving a goroutine per connection", "error", err)
			break
		}
		s.loops = append(s.loops, l)
		s.bg.Add(1)
		go l.run()
	}
}

// wakeLoops makes every loop look at the server's state (Close).
func (s *Server) wakeLoops() {
	for _, l := range s.loops {
		syscall.Write(l.wake[1], []byte{1})
	}
}

// adopt hands conn to an event loop; false leaves it to the caller.
// Call it with s.mu held, so Close cannot pass in between.
func (s *Server) adopt(c *Client, conn net.Conn) bool {
	if len(s.loops) == 0 {
		return false
	}
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	fd := -1
	var derr error
	if err := rc.Control(func(f uintptr) { fd, derr = dupCloexec(int(f)) }); err != nil || derr != nil {
		return false
	}
	// Our copy keeps the socket (and its O_NONBLOCK) open; closing conn
	// takes it out of the runtime's poller, which would otherwise wake for
	// every request too.
	conn.Close()
	l := s.loops[int(c.id)%len(s.loops)]
	c.fd = fd
	c.loop = l
	c.lastRead = time.Now().UnixNano()
	l.mu.Lock()
	l.conns[int32(fd)] = c
	l.mu.Unlock()
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(fd)}
	if err := syscall.EpollCtl(l.epfd, syscall.EPOLL_CTL_ADD, fd, &ev); err != nil {
		l.mu.Lock()
		delete(l.conns, int32(fd))
		l.mu.Unlock()
		syscall.Close(fd)
		c.fd, c.loop = -1, nil
		delete(s.clients, c.id)
		s.log.Warn("epoll_ctl failed; connection dropped", "error", err)
		return true // the connection is gone; the caller must not serve it
	}
	return true
}

func dupCloexec(fd int) (int, error) {
	nfd, _, e := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_DUPFD_CLOEXEC, 0)
	if e != 0 {
		return -1, os.NewSyscallError("fcntl", e)
	}
	return int(nfd), nil
}

// run is the loop. It returns when the server closes, or when the
// connection it was serving was detached (another goroutine runs the loop
// by then).
func (l *eventLoop) run() {
	defer l.srv.bg.Done()
	for {
		if l.evi >= l.evn {
			if l.srv.stopping.Load() {
				l.shutdown()
				return
			}
			l.scanIdle()
			if l.evn > 0 && time.Since(l.woke) > yieldAfter {
				// Busy since it last parked: let the goroutines queued
				// behind this one run (the other loop, a detached client)
				// now, not after the 10 ms the runtime allows a running
				// one. Not after every batch: each Gosched also wakes an
				// idle thread, 6% of the CPU at redis-benchmark -P 1.
				runtime.Gosched()
				l.woke = time.Now()
			}
			wait := time.Second // notice CONFIG SET timeout within a second
			if l.srv.idleTimeout() > 0 {
				wait = 100 * time.Millisecond
			}
			l.evi, l.evn = 0, l.wait(wait)
		}
		fd := l.events[l.evi].Fd
		l.evi++
		if fd == int32(l.wake[0]) {
			var b [64]byte
			syscall.Read(l.wake[0], b[:])
			continue
		}
		l.mu.Lock()
		c := l.conns[fd]
		l.mu.Unlock()
		if c != nil && l.handle(c) {
			return
		}
	}
}

// handle serves c's readable event. It reports true when c was detached:
// this goroutine then has served c to its end and must leave the loop to
// the goroutine that took it over.
func (l *eventLoop) handle(c *Client) (detached bool) {
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		c.panicked(p)
		if c.loop == nil {
			c.conn.Close()
			c.srv.removeClient(c)
			detached = true
			return
		}
		l.drop(c)
	}()
	alive := c.onReadable()
	if c.loop == nil {
		if alive {
			c.serve()
		} else {
			c.conn.Close()
			c.srv.removeClient(c)
		}
		return true
	}
	if !alive {
		l.drop(c)
	}
	return false
}

// onReadable reads what c's socket holds, runs the complete commands and
// sends their replies. False means close the connection.
func (c *Client) onReadable() bool {
	for i := 0; ; i++ {
		if err := c.rd.makeRoom(); err != nil {
			if errors.Is(err, errQueryBuf) {
				c.warnQueryBuf()
			}
			return false
		}
		n, errno := rawRead(c.fd, c.rd.buf[c.rd.w:])
		if errno == syscall.EAGAIN {
			break
		}
		if errno != 0 || n == 0 {
			return false // the peer closed, or the socket failed
		}
		c.rd.w += n
		c.lastRead = time.Now().UnixNano()
		if !c.runBuffered() {
			return false
		}
		if c.loop == nil {
			return true
		}
		// A read that filled the buffer probably left more behind: take it
		// now and answer the whole batch in one write.
		if !c.rd.full() || i+1 >= maxReadsPerEvent {
			break
		}
	}
	return c.flush()
}

// flushLoop sends a loop client's replies without waiting; what the socket
// will not take at once is sent after detaching.
func (c *Client) flushLoop() error {
	n, e := writeNow(c.fd, c.w.b)
	switch e {
	case 0:
		return nil
	case syscall.EAGAIN:
		if err := c.detach(); err != nil {
			return err
		}
		_, err := c.sock.Write(c.w.b[n:])
		return err
	}
	return os.NewSyscallError("write", e)
}

// detach moves a loop client to a goroutine of its own: the socket leaves
// the loop and becomes a net.Conn, and a new goroutine takes over the loop.
// The caller, which was running the loop, now serves only this client. It
// is a no-op for a client that is not in a loop. Whoever detaches is about
// to wait (a parked command, a slow socket), so the client first lets go
// of a replica's gate.
func (c *Client) detach() error {
	c.ungate()
	l := c.loop
	if l == nil {
		return nil
	}
	nfd, err := dupCloexec(c.fd)
	if err != nil {
		return err
	}
	f := os.NewFile(uintptr(nfd), "")
	nc, err := net.FileConn(f) // a copy of its own, in the runtime's poller
	f.Close()
	if err != nil {
		return err
	}
	l.mu.Lock()
	delete(l.conns, int32(c.fd))
	l.mu.Unlock()
	// Required: the fd's copies keep the socket open, so closing it alone
	// would leave it in the epoll set.
	syscall.EpollCtl(l.epfd, syscall.EPOLL_CTL_DEL, c.fd, nil)
	c.fdMu.Lock()
	syscall.Close(c.fd)
	c.fd = -1
	c.conn = nc
	c.sock = sockIO(nc)
	killed := c.killed
	c.fdMu.Unlock()
	if killed {
		nc.Close()
	}
	c.rd.src = c.sock
	c.loop = nil
	c.srv.bg.Add(1) // this goroutine's count stays with it until c ends
	go l.run()
	return nil
}

// drop closes a loop client's socket and forgets the client.
func (l *eventLoop) drop(c *Client) {
	l.mu.Lock()
	delete(l.conns, int32(c.fd))
	l.mu.Unlock()
	c.fdMu.Lock()
	syscall.Close(c.fd)
	c.fd = -1
	c.fdMu.Unlock()
	c.loop = nil
	c.srv.removeClient(c)
}

// scanIdle closes the clients idle for longer than the timeout directive,
// ten times a second at most.
func (l *eventLoop) scanIdle() {
	t := l.srv.idleTimeout()
	if t <= 0 {
		return
	}
	now := time.Now()
	if now.Sub(l.lastScan) < 100*time.Millisecond {
		return
	}
	l.lastScan = now
	var idle []*Client
	l.mu.Lock()
	for _, c := range l.conns {
		if now.UnixNano()-c.lastRead > int64(t) {
			idle = append(idle, c)
		}
	}
	l.mu.Unlock()
	for _, c := range idle {
		l.srv.log.Debug("closing idle client", "client", c.id)
		l.drop(c)
	}
}

// shutdown closes every client of the loop and the loop itself (Close).
func (l *eventLoop) shutdown() {
	l.mu.Lock()
	cs := make([]*Client, 0, len(l.conns))
	for _, c := range l.conns {
		cs = append(cs, c)
	}
	l.mu.Unlock()
	for _, c := range cs {
		l.drop(c)
	}
	// The fds are closed by Close once every goroutine is done: a wake
	// written after this point must not land in a reused fd.
}

// shutdownSocket ends a loop client's connection from another goroutine:
// its loop then reads the end of the stream and closes it.
func (c *Client) shutdownSocket() bool {
	if c.fd < 0 {
		return false
	}
	syscall.Shutdown(c.fd, syscall.SHUT_RDWR)
	return true
}
