// Package gcpace owns the pacing of the Go garbage collector for the
// sessiond process.
//
// The collector's default goal (GOGC=100) lets the heap grow to twice the
// live data before the next cycle. While the keyspace is small that means a
// cycle every few megabytes of new keys, and each cycle takes a quarter of
// the Ps (and assists from allocating commands) for as long as marking
// lasts: at a steady 52k SET/s
// bench/ measured three cycles in ten seconds, together about a second in
// which the server had less capacity than the load, and the p99 latency was
// set inside those windows. gcpace keeps a minimum headroom above the live
// heap instead, so a small keyspace is collected rarely, and a large one
// exactly as GOGC=100 would.
//
// The runtime runs the collections. (An earlier version left one core out
// of GOMAXPROCS and collected on it; once the keyspace layout made marking
// cheap, serving on every core gave the better tail; see the doc.go of package
// main.)
//
// Invariants: the goal is never below what GOGC=100 gives (memory use for a
// large keyspace is unchanged); a GOGC set in the environment is the
// operator's choice and turns pacing off; GOMEMLIMIT, when set, still caps
// the heap; after Stop the pacer changes nothing and GOGC is 100.
//
// Imports: standard library only.
package gcpace
