// Command repl measures sessiond's replication (issue 5, point 6):
//
//	--check throughput  redis-benchmark SET -c 50 -d 1024 against a primary
//	                    with 0, 1 and 2 replicas of its kind attached (each
//	                    their own process), for sessiond and for
//	                    redis-server in the same run, --rounds times in
//	                    rotated order; medians, the ratios to no replica,
//	                    and the CPU per request of the primary and of each
//	                    replica
//	--check cost        SETs of 1 KiB at a steady --rate from 10 pipelining
//	                    connections for --seconds, with 0, 1 and 2 replicas,
//	                    for both servers, --rounds times: the primary's CPU
//	                    per SET and the ratio with none to with n, the
//	                    throughput ratio of a primary with CPUs of its own
//	--check lag         a writer at a steady --rate writes/s on the primary
//	                    (a timestamp into one key, pipelined every 10 ms); a
//	                    poller on the replica reads it back: lag = now minus
//	                    the timestamp read; p50/p99 over --seconds
//	--check fullsync    --keys sessions of 1 KiB on the primary, then a
//	                    replica attaches: the time until it holds them all,
//	                    and the longest a PING to the primary took
//	                    meanwhile (the pause the snapshot causes)
//
// Usage (from the module root):
//
//	go run ./bench/cmd/repl --check throughput [--rounds 5] [--requests 200000]
//	go run ./bench/cmd/repl --check cost [--rate 40000] [--seconds 8] [--rounds 3]
//	go run ./bench/cmd/repl --check lag [--rate 50000] [--seconds 10]
//	go run ./bench/cmd/repl --check fullsync [--keys 1000000]
package main
