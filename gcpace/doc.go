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
// With a spare core (sessiond leaves one core out of GOMAXPROCS, see
// main.go) the pacer also runs the collections itself: a poller watches the
// heap and, just before the goal, raises GOMAXPROCS by the spare cores,
// calls runtime.GC and lowers it again. The marking then runs mostly on the
// core the serving goroutines do not use, instead of taking a quarter of
// theirs plus assists; at a fixed 45k SET/s bench/ measured the p99 ratio
// to redis-server at 1.39 with the runtime collecting on the one P and 1.24
// with the spare core. The runtime's own goal is set half again further out
// and only matters if the poller falls behind.
//
// Invariants: the goal is never below what GOGC=100 gives (memory use for a
// large keyspace is unchanged); a GOGC set in the environment is the
// operator's choice and turns pacing off; GOMEMLIMIT, when set, still caps
// the heap; GOMAXPROCS is back to its value after every collection the
// pacer runs, and Stop waits for the poller to end.
//
// Imports: standard library only.
package gcpace
