// Command sessions is the session-cache workload of issue 4: it measures
// whether a server under maxmemory keeps the sessions of active users while
// a flood of one-off sessions passes through.
//
// Three kinds of traffic share --conns connections (closed loop, one
// request at a time):
//
//   - active users: --users sessions created before the run, read with
//     Zipf(--zipf) popularity and slid (GETEX key EX ttl, or GET + EXPIRE
//     with --slide expire; HGETALL + EXPIRE in --mode hash). A read that
//     finds nothing is a miss (the user was logged out); the user logs in
//     again, so the session is created anew.
//   - one-off sessions (--oneoff of all operations): created once and
//     never read again (bots, crawlers, abandoned visits).
//   - new logins (--logins of all operations): created, then read back
//     --readback-after operations later on the same connection.
//
// A session is --size bytes: one string value, or in hash mode 10 fields of
// --size/10 bytes. Every session has a TTL of --ttl seconds, far beyond the
// run, so only eviction removes one.
//
// The first --warmup operations of each connection fill the server past
// maxmemory and are not counted. The report gives per target: the hit
// ratio of active users' reads, the share of new logins found on
// read-back, throughput, evicted_keys, used_memory, RSS, and error replies
// (OOM under noeviction).
//
// Targets run one after the other, each on a fresh server with the same
// --maxmemory: sessiond under each of --sessiond-policies ("" = its
// default policy, no flag passed) and redis-server under each of
// --redis-policies.
//
// Usage (from the module root):
//
//	go run ./bench/cmd/sessions [--maxmemory 200mb] [--users 100000]
//	    [--zipf 0.9] [--oneoff 0.5] [--mode string|hash] [--slide getex|expire]
//	    [target flags: --sessiond-bin, --redis-bin, ...]
package main
