package server

import (
	"io"
	"net"
	"os"
	"syscall"
	"unsafe"
)

// rawIO reads and writes a connection's socket with system calls the Go
// scheduler does not see (syscall.RawSyscall), waiting through the runtime
// poller only when the socket is not ready.
//
// Why: a loopback write does the receiver's TCP work too and often takes
// longer than the 20 µs after which the runtime's monitor thread hands the P
// of a goroutine in a system call to another thread. With one P that hand-off
// costs two thread wake-ups and a trip of the goroutine through the global
// run queue for almost every reply; measured at a fixed 52k SET/s it doubled
// the context switches of redis-server's and the p99 was 2-3× its. Reads and
// writes on a non-blocking socket never block, so the raw call is safe; the
// readiness wait (and with it read deadlines and Close) stays the runtime's.
//
// The callbacks handed to the runtime are made once per connection and the
// buffer and results pass through fields: closures capturing locals would be
// allocated on every call, about 100 bytes of garbage per request. A
// connection reads from one goroutine at a time and writes from one, so
// the read and write halves need no lock.
type rawIO struct {
	rc syscall.RawConn

	rbuf   []byte
	rn     int
	rerrno syscall.Errno
	rnow   bool // ReadNow: an empty socket is an answer, not a reason to wait
	readFn func(fd uintptr) bool

	wbuf    []byte
	wn      int
	werrno  syscall.Errno
	writeFn func(fd uintptr) bool

	// Writev's state: the segments left, and the iovecs for them
	vsegs    [][]byte
	iov      []syscall.Iovec
	writevFn func(fd uintptr) bool
}

// newRawIO returns conn's raw reader/writer, or nil when conn is not a
// socket the runtime polls (then conn's own Read and Write are used).
func newRawIO(conn net.Conn) *rawIO {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	r := &rawIO{rc: rc}
	r.readFn, r.writeFn, r.writevFn = r.readOnce, r.writeAll, r.writevAll
	return r
}

func (r *rawIO) Read(p []byte) (int, error) {
	return r.read(p, false)
}

// ReadNow reads what the socket holds without waiting: 0 and no error when
// nothing is there yet.
func (r *rawIO) ReadNow(p []byte) (int, error) {
	return r.read(p, true)
}

func (r *rawIO) read(p []byte, now bool) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	r.rbuf, r.rn, r.rerrno, r.rnow = p, 0, 0, now
	err := r.rc.Read(r.readFn)
	n, errno := r.rn, r.rerrno
	r.rbuf = nil
	switch {
	case n < 0:
		return 0, nil // ReadNow on an empty socket
	case err != nil:
		return 0, err
	case errno != 0:
		return 0, os.NewSyscallError("read", errno)
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

// readOnce is the read callback: false asks the runtime to wait until the
// socket is readable and call again.
func (r *rawIO) readOnce(fd uintptr) bool {
	m, e := rawRead(int(fd), r.rbuf)
	if e == syscall.EAGAIN {
		if r.rnow {
			r.rn = -1
			return true
		}
		return false
	}
	r.rn, r.rerrno = m, e
	return true
}

func (r *rawIO) Write(p []byte) (int, error) {
	r.wbuf, r.wn, r.werrno = p, 0, 0
	err := r.rc.Write(r.writeFn)
	n, errno := r.wn, r.werrno
	r.wbuf = nil
	if err == nil && errno != 0 {
		err = os.NewSyscallError("write", errno)
	}
	return n, err
}

// writeAll is the write callback: it writes until the buffer is sent, and
// returns false to wait for the socket to become writable.
func (r *rawIO) writeAll(fd uintptr) bool {
	m, e := writeNow(int(fd), r.wbuf[r.wn:])
	r.wn += m
	if e == syscall.EAGAIN {
		return false
	}
	r.werrno = e
	return true
}

// Writev writes segs with writev(2) calls until all are sent, waiting for
// the socket to become writable as needed (and for the write deadline); it
// returns the bytes sent.
func (r *rawIO) Writev(segs [][]byte) (int, error) {
	r.vsegs, r.wn, r.werrno = segs, 0, 0
	err := r.rc.Write(r.writevFn)
	n, errno := r.wn, r.werrno
	r.vsegs = nil
	clear(r.iov)
	if err == nil && errno != 0 {
		err = os.NewSyscallError("writev", errno)
	}
	return n, err
}

// maxIovecs is how many segments one writev takes (Linux's IOV_MAX).
const maxIovecs = 1024

// writevAll is Writev's callback: it writes until the segments are sent,
// and returns false to wait for the socket to become writable.
func (r *rawIO) writevAll(fd uintptr) bool {
	for len(r.vsegs) > 0 {
		r.iov = r.iov[:0]
		for _, b := range r.vsegs[:min(len(r.vsegs), maxIovecs)] {
			if len(b) > 0 {
				r.iov = append(r.iov, syscall.Iovec{Base: &b[0], Len: uint64(len(b))})
			}
		}
		if len(r.iov) == 0 {
			r.vsegs = nil
			break
		}
		m, _, e := syscall.RawSyscall(syscall.SYS_WRITEV, fd, uintptr(unsafe.Pointer(&r.iov[0])), uintptr(len(r.iov)))
		switch e {
		case 0:
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false
		default:
			r.werrno = e
			return true
		}
		r.wn += int(m)
		// drop what was sent
		for k := int(m); k > 0 || len(r.vsegs) > 0 && len(r.vsegs[0]) == 0; {
			if n := len(r.vsegs[0]); k >= n {
				r.vsegs, k = r.vsegs[1:], k-n
				continue
			}
			r.vsegs[0] = r.vsegs[0][k:]
			k = 0
		}
	}
	return true
}

// rawRead reads once from a non-blocking socket, retrying on EINTR.
func rawRead(fd int, p []byte) (int, syscall.Errno) {
	for {
		n, _, e := syscall.RawSyscall(syscall.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
		if e != syscall.EINTR {
			return int(n), e
		}
	}
}

// writeNow writes p to a non-blocking socket until all of it is sent (errno
// 0), the socket is full (EAGAIN) or the write fails; it returns the bytes
// sent.
func writeNow(fd int, p []byte) (int, syscall.Errno) {
	n := 0
	for n < len(p) {
		m, _, e := syscall.RawSyscall(syscall.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(&p[n])), uintptr(len(p)-n))
		switch e {
		case 0:
			n += int(m)
		case syscall.EINTR:
		default:
			return n, e
		}
	}
	return n, 0
}

// sockIO is what a goroutine-served client reads and writes: conn's raw
// reader/writer, or conn itself.
func sockIO(conn net.Conn) io.ReadWriter {
	if r := newRawIO(conn); r != nil {
		return r
	}
	return conn
}
