//go:build !linux

package server

import "net"

// The event loops are Linux-only (epoll); elsewhere every connection has a
// goroutine of its own and none of these is reached.
type eventLoop struct{}

func (s *Server) startLoops(int)               {}
func (s *Server) wakeLoops()                   {}
func (s *Server) adopt(*Client, net.Conn) bool { return false }
func (l *eventLoop) closeFDs()                 {}
func (c *Client) detach() error                { c.ungate(); return nil }
func (c *Client) shutdownSocket() bool         { return false }
func (c *Client) flushLoop() error             { panic("sessiond: no event loop on this platform") }
