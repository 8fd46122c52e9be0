package gcpace

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"
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

// Pacer re-derives GOGC from the live heap after every collection and, with
// spare cores, runs the collections itself.
type Pacer struct {
	headroom uint64
	spare    int // Ps added for the length of a collection (0: the runtime collects)
	stopped  atomic.Bool
	done     chan struct{}
	polled   sync.WaitGroup
	runs     atomic.Int64 // collections started by the poller

	mu      sync.Mutex
	percent int    // last GOGC set, 0 before the first
	trigger uint64 // heap bytes at which the poller collects (spare > 0)
	sample  []metrics.Sample
}

// Start begins pacing with the given headroom and returns the pacer, or nil
// when GOGC is set in the environment (the operator's value stands).
//
// spare is the number of cores the process leaves unused (GOMAXPROCS below
// the core count). When it is positive the pacer collects on its own: once
// the heap nears the goal it raises GOMAXPROCS by spare, runs a collection,
// and lowers it again, so the marking runs mostly on the spare core instead
// of taking a quarter of the cores that serve clients. The runtime's own
// trigger is moved half again further out and only fires if the poller
// falls behind.
func Start(headroom uint64, spare int) *Pacer {
	if os.Getenv("GOGC") != "" {
		return nil
	}
	p := &Pacer{headroom: headroom, spare: max(spare, 0), done: make(chan struct{}),
		sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
	p.adjust()
	p.arm()
	if p.spare > 0 {
		p.polled.Add(1)
		go p.poll()
	}
	return p
}

// Poll intervals: the poller sleeps as long as the heap would take to reach
// the trigger at maxAllocRate, within these bounds.
const (
	minPoll      = 2 * time.Millisecond
	maxPoll      = 100 * time.Millisecond
	maxAllocRate = 1 << 30 // bytes per second
)

func (p *Pacer) poll() {
	defer p.polled.Done()
	heap := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	t := time.NewTimer(minPoll)
	defer t.Stop()
	for {
		select {
		case <-p.done:
			return
		case <-t.C:
		}
		metrics.Read(heap)
		used := heap[0].Value.Uint64()
		p.mu.Lock()
		trigger := p.trigger
		p.mu.Unlock()
		if used < trigger {
			wait := time.Duration((trigger - used) * uint64(time.Second) / maxAllocRate)
			t.Reset(min(max(wait, minPoll), maxPoll))
			continue
		}
		p.collect()
		t.Reset(minPoll)
	}
}

// collect runs one collection with the spare cores added.
func (p *Pacer) collect() {
	p.runs.Add(1)
	procs := runtime.GOMAXPROCS(0)
	runtime.GOMAXPROCS(procs + p.spare)
	defer runtime.GOMAXPROCS(procs)
	runtime.GC()
}

// Collections reports how many collections the pacer itself has run.
func (p *Pacer) Collections() int64 { return p.runs.Load() }

// Stop ends pacing and restores GOGC=100. It is safe on a nil Pacer.
func (p *Pacer) Stop() {
	if p == nil || p.stopped.Swap(true) {
		return
	}
	close(p.done)
	p.polled.Wait()
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
	if p.spare > 0 {
		// The poller collects 90% of the way to the goal; the runtime's
		// own goal moves to 1.5 times ours, out of the way.
		p.trigger = live + live*uint64(want)/100*9/10
		want = (100+want)*3/2 - 100
	}
	// Leave small changes alone: each call recomputes the goal.
	if p.percent != 0 && want*10 >= p.percent*9 && want*10 <= p.percent*11 {
		return
	}
	debug.SetGCPercent(want)
	p.percent = want
}
