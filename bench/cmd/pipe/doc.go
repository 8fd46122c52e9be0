// Command pipe times bulk loading: it writes a file of --keys (default
// 1,000,000) `SET key:N <value> EX 3600` commands in RESP, then runs
// `redis-cli -h H -p P --pipe < file` against each freshly started target,
// alternating the order between repetitions. It checks the final
// "errors: 0, replies: N" line redis-cli prints (a run with errors or a
// short reply count fails the tool) and DBSIZE, and reports the median
// seconds per target and the ratio sessiond/redis (>1: sessiond slower).
//
// Usage (from the module root):
//
//	go run ./bench/cmd/pipe [--keys 1000000] [--size 1024] [--reps 3] [--file path]
//
// The generated file (about 1.1 GB for the defaults) lives in a temporary
// directory removed on exit, unless --file names where to keep it; an
// existing --file is used as is.
package main
