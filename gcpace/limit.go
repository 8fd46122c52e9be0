package gcpace

import (
	"math"
	"os"
	"runtime/debug"
)

// LimitFor is the heap limit for a maxmemory of n bytes: the data
// maxmemory admits, a fifth more for garbage between collections and
// 56 MiB for the runtime, stacks and buffers: the resident memory a
// session cache may take is 1.2 × maxmemory + 64 MiB. Every byte of it is
// headroom the collector needs: with an eighth and 48 MiB, a store held
// full by eviction (live heap near maxmemory) collected back to back and
// the session benchmark spent 60% of its CPU marking.
func LimitFor(n int64) int64 {
	if n <= 0 {
		return math.MaxInt64
	}
	return n + n/5 + 64<<20
}

// SetLimit sets the runtime's memory limit for a maxmemory of n bytes (0
// for none), unless GOMEMLIMIT in the environment is the operator's choice.
func SetLimit(n int64) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(LimitFor(n))
}
