// Package difftest is the differential test suite of sessiond: the same
// command scenarios run against sessiond and a real redis-server (7.0.15 is
// the reference), and the raw RESP replies are compared byte for byte,
// except where a step says otherwise (unordered replies sorted, TTLs within
// a tolerance, values that must differ such as CLIENT ID compared by type).
//
// The package holds tests only; this file exists to document it. It owns:
//   - a RESP2/RESP3 client of its own (resp_test.go) that sends one command
//     and reads exactly one reply, keeping its raw bytes;
//   - the harness (servers_test.go, harness_test.go): a fresh redis-server on
//     a free loopback port, the sessiond target, the scenario runner and the
//     comparison modes;
//   - the scenarios, one file per command group (scen_*_test.go), run as
//     subtests TestDiff/<group>/<scenario>.
//
// Invariants: every scenario starts on a fresh connection after FLUSHALL on
// both targets (for a sessiond without FLUSHALL: FLUSHDB per database, or
// KEYS and DEL, with a logged warning when nothing empties it), in RESP2 unless its first step is HELLO 3; nothing waits a
// fixed time (expiry is awaited by polling with a deadline); every scenario
// passes redis-vs-redis (DIFFTEST_SELF=1), so a failure against sessiond is
// a difference in sessiond, not in the scenario.
//
// Running:
//
//	go test ./difftest/                         # builds and starts sessiond itself
//	SESSIOND_ADDR=127.0.0.1:6380 go test ./difftest/   # an already running sessiond
//	DIFFTEST_SELF=1 go test ./difftest/         # redis-vs-redis: validates the suite
//	go test -run 'TestDiff/strings' ./difftest/ # one group
//
// Without redis-server in PATH (Debian package redis-server) the suite skips.
//
// Imports: the standard library only; it never imports sessiond packages, so
// it tests the server exactly as clients see it.
package difftest
