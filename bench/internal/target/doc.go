// Package target starts and stops the servers the bench tools measure:
// redis-server and sessiond, each fresh on a free loopback port, or an
// already-running server given by address.
//
// Invariants:
//   - readiness is decided by polling PING, never by a fixed sleep;
//   - every process started here is registered until stopped, and Main
//     stops all of them when the tool returns, fails, or gets SIGINT or
//     SIGTERM; children also get SIGKILL from the kernel if the tool dies
//     (Pdeathsig), and run in their own process group so a terminal's
//     Ctrl-C reaches only the tool, which then stops them in order;
//   - the sessiond binary is built at most once per tool run, from the
//     module root, into a temporary directory removed on exit;
//   - an external target (--sessiond-addr, --redis-addr) is never
//     stopped; "fresh" for it means FLUSHALL.
//
// The flags are shared by all bench tools (RegisterFlags). With
// --target2 redis the "sessiond" slot runs a second redis-server, which
// validates the tools end to end and should give ratios near 1.0.
// Imports the standard library and bench/internal/resp.
package target
