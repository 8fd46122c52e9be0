package main

import (
	"math"
	"math/rand/v2"
	"sort"
)

// zipf draws ranks 0..n-1 with P(rank k) proportional to 1/(k+1)^theta,
// for any theta > 0 (math/rand's Zipf needs s > 1), by binary search in
// the cumulative distribution: exact, 8n bytes, O(log n) per draw.
type zipf struct {
	cdf   []float64 // cdf[k] = P(rank ≤ k); the last is 1
	zetan float64   // the normalising sum
}

func newZipf(n int, theta float64) *zipf {
	z := &zipf{cdf: make([]float64, n)}
	for k := range n {
		z.zetan += 1 / math.Pow(float64(k+1), theta)
		z.cdf[k] = z.zetan
	}
	for k := range z.cdf {
		z.cdf[k] /= z.zetan
	}
	z.cdf[n-1] = 1
	return z
}

func (z *zipf) next(r *rand.Rand) int {
	u := r.Float64()
	return sort.SearchFloat64s(z.cdf, u) // the first k with cdf[k] ≥ u
}
