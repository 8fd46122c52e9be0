// Package e2e holds end-to-end tests: real clients against a real sessiond.
//
// The tests drive an in-process server (server.New with the config
// package's defaults, serving a 127.0.0.1:0 listener) with go-redis v9 in
// RESP3 and RESP2, redis-cli (one-shot and interactive, through tmux) and
// redis-benchmark, and they build the sessiond binary once per run to test
// its command line, configuration file handling, logging and SIGTERM
// shutdown.
//
// Invariants of the suite:
//   - every server listens on 127.0.0.1:0 or a free loopback port, and is
//     stopped by t.Cleanup;
//   - tests wait for conditions (waitFor polls), never for a fixed time, and
//     every external process runs under a deadline;
//   - external tools are optional: a test skips, naming the Debian package,
//     when redis-cli, redis-benchmark, redis-server, tmux or go is missing;
//   - assertions state Redis's behaviour exactly; a failure against a
//     sessiond that lacks a command is a missing feature, not a flaky test.
//
// The package contains only tests and this file. It may import sessiond's
// config and server packages and github.com/redis/go-redis/v9; it adds no
// module dependencies.
package e2e
