// Command evict checks sessiond's maxmemory policies under pressure
// (issue 4, points 1 and 2), on fresh servers it starts itself.
//
//   - --check ryw (read-your-writes): --conns connections each run
//     --rounds rounds of SET of a new key, then GET of it, with the store
//     full and evicting. It counts GETs that found nothing after +OK (must
//     be 0), error replies, and reports how far the data written went past
//     maxmemory and the highest used_memory / maxmemory seen.
//   - --check fill: writes --times × maxmemory of 1 KiB values (pipelined,
//     8 connections) under each policy of --policies, sampling the server's
//     RSS every 50 ms; reports the peak RSS against the bound
//     1.2 × maxmemory + 64 MiB, evicted_keys and -OOM replies (under
//     noeviction: 0 evicted, writes refused).
//
// Usage (from the module root):
//
//	go run ./bench/cmd/evict --check ryw [--maxmemory 100mb] [--conns 64] [--rounds 100000] [--size 256]
//	go run ./bench/cmd/evict --check fill [--maxmemory 200mb] [--policies all]
package main
