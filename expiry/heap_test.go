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
