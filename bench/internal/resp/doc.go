// Package resp is the small RESP2 client the bench tools use to talk to a
// target: encoding commands, reading one reply at a time, and a blocking
// Conn for setup work (PING, FLUSHALL, INFO, DBSIZE, loading keys).
//
// It is deliberately minimal and allocation-light so that the load
// generator measures the server, not the client. It knows nothing about
// which server it talks to and imports only the standard library.
package resp
