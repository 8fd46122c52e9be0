// Command compare runs redis-benchmark --csv against sessiond and
// redis-server, alternating the targets, for a matrix of clients (-c),
// pipeline depths (-P) and value sizes (-d), and prints per test the
// median requests/s of each target, the median and quartiles of the
// per-repetition ratio sessiond/redis (the two runs of a repetition are
// back to back, so slow phases of a shared machine cancel), and the
// medians of the p50 and p99 latencies redis-benchmark reports (these are
// saturated latencies: judge tail latency with loadgen at fixed rates).
//
// Each run gets a freshly started target. With -n 0 (the default) the
// request count of each matrix cell is sized from a short pilot run
// against redis so that a run takes about --seconds; both targets then
// get the same count. Error lines redis-benchmark prints are shown; a
// failed run counts as missing (NaN) rather than stopping the matrix.
//
// Usage (from the module root):
//
//	go run ./bench/cmd/compare [--reps 5] [--tests set,get] [--clients 50]
//	    [--pipeline 1,16] [--sizes 64,1024] [--keyspace 1000000]
//	    [--json out.json] [target flags: --sessiond-bin, --sessiond-addr,
//	    --target2 redis, ...]
package main
