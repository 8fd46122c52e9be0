// Package gcpace owns the pacing of the Go garbage collector for the
// sessiond process.
//
// The collector's default goal (GOGC=100) lets the heap grow to twice the
// live data before the next cycle. While the keyspace is small that means a
// cycle every few megabytes of new keys, and on the one P sessiond runs with
// by default each cycle takes a quarter of that P (and assists from
// allocating commands) for as long as marking lasts: at a steady 52k SET/s
// bench/ measured three cycles in ten seconds, together about a second in
// which the server had less capacity than the load, and the p99 latency was
// set inside those windows. gcpace keeps a minimum headroom above the live
// heap instead, so a small keyspace is collected rarely, and a large one
// exactly as GOGC=100 would.
//
// Invariants: the goal is never below what GOGC=100 gives (memory use for a
// large keyspace is unchanged); a GOGC set in the environment is the
// operator's choice and turns pacing off; GOMEMLIMIT, when set, still caps
// the heap.
//
// Imports: standard library only.
package gcpace
