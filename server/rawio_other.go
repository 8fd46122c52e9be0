//go:build !linux

package server

import "net"

// rawIO is Linux-only; elsewhere the connection's own Read and Write serve.
type rawIO struct{ net.Conn }

func newRawIO(net.Conn) *rawIO { return nil }
