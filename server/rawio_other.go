//go:build !linux

package server

import (
	"io"
	"net"
)

// rawIO is Linux-only; elsewhere the connection's own Read and Write serve.
type rawIO struct{ net.Conn }

func newRawIO(net.Conn) *rawIO { return nil }

// sockIO is what a goroutine-served client reads and writes: conn itself.
func sockIO(conn net.Conn) io.ReadWriter { return conn }

// Writev writes segs to the connection.
func (r *rawIO) Writev(segs [][]byte) (int, error) {
	bufs := net.Buffers(segs)
	n, err := bufs.WriteTo(r.Conn)
	return int(n), err
}
