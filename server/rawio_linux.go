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
type rawIO struct {
	rc syscall.RawConn
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
	return &rawIO{rc: rc}
}

func (r *rawIO) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	var n int
	var errno syscall.Errno
	err := r.rc.Read(func(fd uintptr) bool {
		for {
			m, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
			switch e {
			case syscall.EINTR:
				continue
			case syscall.EAGAIN:
				return false // wait until readable, then call again
			}
			n, errno = int(m), e
			return true
		}
	})
	switch {
	case err != nil:
		return 0, err
	case errno != 0:
		return 0, os.NewSyscallError("read", errno)
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

func (r *rawIO) Write(p []byte) (int, error) {
	var n int
	var errno syscall.Errno
	err := r.rc.Write(func(fd uintptr) bool {
		for n < len(p) {
			m, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&p[n])), uintptr(len(p)-n))
			switch e {
			case 0:
				n += int(m)
			case syscall.EINTR:
			case syscall.EAGAIN:
				return false // wait until writable, then go on
			default:
				errno = e
				return true
			}
		}
		return true
	})
	if err == nil && errno != 0 {
		err = os.NewSyscallError("write", errno)
	}
	return n, err
}
