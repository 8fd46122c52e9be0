package gcpace

import (
	"math"
	"os"
	"runtime/debug"
)

// LimitFor is the heap limit for a maxmemory of n bytes: the data
// maxmemory admits, an eighth more for garbage between collections and
// 48 MiB for the runtime, stacks and buffers. It keeps the process's
// resident memory near 1.2 × maxmemory + 64 MiB at most while the dataset
// is held at maxmemory by eviction.
func LimitFor(n int64) int64 {
	if n <= 0 {
		return math.MaxInt64
	}
	return n + n/8 + 48<<20
}

// SetLimit sets the runtime's memory limit for a maxmemory of n bytes (0
// for none), unless GOMEMLIMIT in the environment is the operator's choice.
func SetLimit(n int64) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(LimitFor(n))
}
