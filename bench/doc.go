// Package bench holds the benchmark tools that compare sessiond with
// redis-server on the same machine in the same run. It has no code of its
// own; each tool is a main package under cmd/:
//
//   - cmd/compare: redis-benchmark --csv against both targets, alternating,
//     for a matrix of tests, clients, pipeline depths and value sizes;
//     median requests/s, ratio, and the saturated p50/p99.
//   - cmd/loadgen: an open-loop, fixed-rate latency generator (latency from
//     each request's scheduled send time, so no coordinated omission);
//     --compare runs 50% and 80% of redis's saturated rate against both.
//   - cmd/memory: RSS per key after loading 1,000,000 keys of 1 KiB with a
//     TTL into each fresh target, one target at a time.
//   - cmd/pipe: wall time of redis-cli --pipe of 1,000,000 such SETs.
//   - cmd/sessions: the session workload under maxmemory (active users'
//     hit ratio, logins found on read-back), sessiond's policies beside
//     redis-server's.
//   - cmd/evict: sessiond alone under eviction: read-your-writes with the
//     store full, and peak RSS when writing 3x maxmemory per policy.
//   - cmd/repl: replication: primary throughput with 0, 1, 2 replicas
//     (sessiond's and redis-server's), lag, full-sync time and pause.
//   - cmd/sessionops: SESSION.GET against GETEX, SESSION.CREATE, and
//     memory per session.
//
// run.sh runs the first four; ab.sh alternates builds through one
// redis-benchmark cell; evict_throughput.sh uses it to compare sessiond
// with eviction active against sessiond with maxmemory 0. README.md gives
// the exact commands.
//
// Rules every tool keeps (DESIGN invariant 6: every claim of speed is a
// ratio against redis-server measured in the same run):
//   - both targets are started fresh by the tool itself (or given by
//     address), readiness is polled with PING, and every process the tool
//     started is stopped on exit, error or Ctrl-C;
//   - the machine is small and noisy, so targets alternate (the one that
//     ran first in one repetition runs second in the next), each figure is
//     the median over repetitions, and the report is the ratio
//     sessiond/redis;
//   - no timing assertion lives in `go test`: the tests under bench/ check
//     parsing and arithmetic only.
//
// Shared code lives in bench/internal: target (start/stop servers, shared
// flags), resp (a minimal RESP2 client), rbench (run and parse
// redis-benchmark), stats (medians, log-linear histogram). Nothing outside
// bench/ imports bench, and bench imports nothing of sessiond's own
// packages: it treats the server as a black box over TCP.
package bench
