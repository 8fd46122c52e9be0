// Command memory measures resident memory per key: it loads --keys keys
// (default 1,000,000) of --size bytes (default 1 KiB) with a TTL
// (SET key:N <value> EX 3600, pipelined) into a freshly started target,
// reads VmRSS from /proc/<pid>/status before and after, and reports
// (after − before) / keys for each target, the median over --reps, and
// the ratio sessiond/redis. Targets run one at a time, alternating the
// order between repetitions, so the two never compete for memory or CPU.
// After loading it checks DBSIZE and prints the target's INFO memory
// highlights (once per target), when the server has them.
//
// Usage (from the module root):
//
//	go run ./bench/cmd/memory [--keys 1000000] [--size 1024] [--ttl 3600] [--reps 3]
//	go run ./bench/cmd/memory --type hash --fields 10 [--size 8]
//
// --type hash loads HSET key:N field:0 <value> ... field:9 <value> and
// EXPIRE key:N <ttl> instead: the session-as-hash shape (values default to
// 8 bytes).
//
// --conns N measures connections instead: N clients each send one PING
// and stay connected, idle; the report is RSS per connection (a session
// store serves many mostly idle application connections).
//
//	go run ./bench/cmd/memory --conns 5000
//
// With --sessiond-addr the server is not fresh (FLUSHALL only) and its
// pid comes from --sessiond-pid or INFO server process_id; its baseline
// then includes whatever the process kept from earlier work.
package main
