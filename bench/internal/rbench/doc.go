// Package rbench runs redis-benchmark with --csv against one address and
// parses its output.
//
// redis-benchmark 7.x writes a header row ("test","rps","avg_latency_ms",
// "min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms",
// "max_latency_ms") and one row per test; 6.x wrote headerless
// "test","rps" rows. Both parse; columns are found by header name, so a
// missing latency column reads as NaN. Since 7.0 redis-benchmark stops at
// the first error reply and prints it on stderr; Run returns those lines.
// Imports only the standard library.
package rbench
