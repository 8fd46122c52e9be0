package gcpace

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
)

// DefaultHeadroom is the least heap growth allowed between collections.
const DefaultHeadroom = 64 << 20

// heapMinimum is the runtime's smallest collection goal at GOGC=100 (its
// defaultHeapMinimum). The runtime scales it by GOGC/100, so a live heap is
// never taken as smaller than this: a GOGC derived from a near-empty heap
// would otherwise put the first goals gigabytes away.
const heapMinimum = 4 << 20

// Percent returns the GOGC percentage that puts the next collection goal at
// least headroom bytes above live, and never below 100.
func Percent(live, headroom uint64) int {
	live = max(live, heapMinimum)
	return int(max(headroom*100/live, 100))
}

// Pacer re-derives GOGC from the live heap after every collection.
type Pacer struct {
	headroom uint64
	stopped  atomic.Bool

	mu      sync.Mutex
	percent int // last GOGC set, 0 before the first
	sample  []metrics.Sample
}

// Start begins pacing with the given headroom and returns the pacer, or nil
// when GOGC is set in the environment (the operator's value stands).
func Start(headroom uint64) *Pacer {
	if os.Getenv("GOGC") != "" {
		return nil
	}
	p := &Pacer{headroom: headroom, sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
	p.adjust()
	p.arm()
	return p
}

// Stop ends pacing and restores GOGC=100. It is safe on a nil Pacer.
func (p *Pacer) Stop() {
	if p == nil || p.stopped.Swap(true) {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	debug.SetGCPercent(100)
}

// Percent reports the GOGC value last set, 0 before the first.
func (p *Pacer) Percent() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.percent
}

// sentinel is an object whose finalizer runs once per collection that finds
// it unreachable: that is, after every cycle, since each run allocates the
// next one. It holds a pointer so it is never packed by the tiny allocator.
type sentinel struct {
	_ *sentinel
	_ [8]byte
}

func (p *Pacer) arm() {
	runtime.SetFinalizer(&sentinel{}, func(*sentinel) {
		if p.stopped.Load() {
			return
		}
		p.adjust()
		p.arm()
	})
}

func (p *Pacer) adjust() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped.Load() {
		return
	}
	metrics.Read(p.sample)
	if p.sample[0].Value.Kind() != metrics.KindUint64 {
		return
	}
	live := max(p.sample[0].Value.Uint64(), heapMinimum)
	want := Percent(live, p.headroom)
	// Leave small changes alone: each call recomputes the goal.
	if p.percent != 0 && want*10 >= p.percent*9 && want*10 <= p.percent*11 {
		return
	}
	debug.SetGCPercent(want)
	p.percent = want
}
