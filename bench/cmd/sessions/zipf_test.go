package main

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestZipfFollowsThePowerLaw compares the drawn frequencies of the first
// ranks and of the top 1% with the exact Zipf probabilities.
func TestZipfFollowsThePowerLaw(t *testing.T) {
	const n, draws, theta = 10000, 2000000, 0.9
	z := newZipf(n, theta)
	r := rand.New(rand.NewPCG(1, 2))
	counts := make([]int, n)
	for range draws {
		k := z.next(r)
		if k < 0 || k >= n {
			t.Fatalf("rank %d outside [0,%d)", k, n)
		}
		counts[k]++
	}
	p := func(k int) float64 { return 1 / math.Pow(float64(k+1), theta) / z.zetan }
	for _, k := range []int{0, 1, 2, 9} {
		got, want := float64(counts[k])/draws, p(k)
		if math.Abs(got-want)/want > 0.15 {
			t.Errorf("rank %d: frequency %.5f, want %.5f ±15%%", k, got, want)
		}
	}
	top, want := 0, 0.0
	for k := range n / 100 {
		top += counts[k]
		want += p(k)
	}
	if got := float64(top) / draws; math.Abs(got-want) > 0.03 {
		t.Errorf("top 1%% of ranks drew %.3f of all draws, want %.3f ±0.03", got, want)
	}
}

func TestWorkloadCheck(t *testing.T) {
	ok := workload{users: 10, size: 100, ttl: 60, conns: 1, ops: 1, theta: 0.9, oneoff: 0.5, logins: 0.1, mode: "string", slide: "getex"}
	if err := ok.check(); err != nil {
		t.Fatalf("valid workload refused: %v", err)
	}
	for name, mut := range map[string]func(*workload){
		"theta 1":       func(w *workload) { w.theta = 1 },
		"mix over 1":    func(w *workload) { w.oneoff, w.logins = 0.9, 0.2 },
		"unknown mode":  func(w *workload) { w.mode = "json" },
		"unknown slide": func(w *workload) { w.slide = "touch" },
		"one user":      func(w *workload) { w.users = 1 },
	} {
		w := ok
		mut(&w)
		if w.check() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
