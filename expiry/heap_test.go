package expiry

import (
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"sessiond/clock"
)

func TestHeapOrdersTimers(t *testing.T) {
	var h Heap
	r := rand.New(rand.NewPCG(1, 2))
	var want []int64
	for i := range 5000 {
		w := r.Int64N(1000)
		want = append(want, w)
		h.Push(w, uint64(i))
	}
	sort.Slice(want, func(i, j int) bool { return want[i] < want[j] })
	for i, w := range want {
		next, ok := h.Next()
		if !ok || next.When != w {
			t.Fatalf("timer %d: next = %v,%v want %d", i, next, ok, w)
		}
		if got := h.Pop(); got.When != w {
			t.Fatalf("timer %d: pop %d want %d", i, got.When, w)
		}
	}
	if h.Len() != 0 {
		t.Fatalf("len %d after draining", h.Len())
	}
}

// Filter drops exactly the timers it is told to, keeps the rest in order,
// and gives back the room of a heap that shrank.
func TestHeapFilter(t *testing.T) {
	var h Heap
	r := rand.New(rand.NewPCG(3, 4))
	var want []int64
	for i := range 20000 {
		w := r.Int64N(100000)
		h.Push(w, uint64(i))
		if i%10 == 0 {
			want = append(want, w)
		}
	}
	h.Filter(func(t Timer) bool { return t.Key%10 == 0 })
	if h.Len() != len(want) || cap(h.t) > 4*len(want) {
		t.Fatalf("len %d cap %d, want len %d", h.Len(), cap(h.t), len(want))
	}
	sort.Slice(want, func(i, j int) bool { return want[i] < want[j] })
	for i, w := range want {
		if got := h.Pop(); got.When != w || got.Key%10 != 0 {
			t.Fatalf("timer %d: pop %+v want When %d", i, got, w)
		}
	}
}

type countingSweeper struct {
	due   int
	calls []int64
}

func (s *countingSweeper) SweepExpired(now int64, budget int) int {
	s.calls = append(s.calls, now)
	n := min(s.due, budget)
	s.due -= n
	return n
}

func TestRunnerDrainsBurstInOneTick(t *testing.T) {
	fc := clock.NewFake(time.UnixMilli(5000))
	s := &countingSweeper{due: 4500}
	r := &Runner{Clock: fc, Sweeper: s, Budget: 1000}
	if n := r.Tick(); n != 4500 {
		t.Fatalf("tick removed %d, want 4500", n)
	}
	if len(s.calls) != 5 || s.calls[0] != 5000 {
		t.Fatalf("calls %v, want 5 calls at 5000", s.calls)
	}
}
