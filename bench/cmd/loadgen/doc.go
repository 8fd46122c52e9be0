// Command loadgen is an open-loop, fixed-rate latency generator for GET
// and SET over C connections.
//
// Every request has a scheduled send time: connection k of C sends its
// i-th request at start + k/R + i·C/R, so the C streams together send R
// requests per second, evenly spaced. Latency is measured from the
// scheduled time to the reply, not from the actual write, so a server
// that stalls is charged for every request it delayed (no coordinated
// omission). Per connection a writer goroutine sends whatever is due
// (pipelining when it is late) and a reader goroutine matches replies to
// send times in FIFO order. Latencies go into a log-linear histogram
// (bounded memory, <1% error); requests sent during --warmup are not
// recorded. The report gives p50/p99/p99.9/max, the achieved rate, and
// the p99 of the tool's own send lag (how late the writer was, which is
// part of every latency and the same for both targets).
//
// Keys are key:%012d drawn uniformly from --keyspace (the names
// redis-benchmark -r uses); before GET runs all keys are loaded.
//
// Modes:
//
//	go run ./bench/cmd/loadgen --rates 40000,80000 [--cmds get,set]
//	go run ./bench/cmd/loadgen --compare [--fractions 0.5,0.8]
//
// --compare first measures redis-server's saturated throughput for each
// command (redis-benchmark -c C -P 1, median of --sat-reps runs on a
// loaded fresh server), then runs those fractions of it. Either way each
// row runs against both targets, alternating, --reps times, each run on a
// fresh server, and prints medians and the p99 ratio sessiond/redis (the
// median over repetitions of the ratio of two back-to-back runs).
package main
