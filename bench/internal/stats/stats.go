package stats

import (
	"math"
	"math/bits"
	"slices"
)

// Median returns the median of xs (the mean of the middle two for an even
// count), ignoring NaNs; NaN when nothing is left.
func Median(xs []float64) float64 {
	s := make([]float64, 0, len(xs))
	for _, x := range xs {
		if !math.IsNaN(x) {
			s = append(s, x)
		}
	}
	if len(s) == 0 {
		return math.NaN()
	}
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

// Ratio returns a/b, or NaN when b is zero or either is NaN.
func Ratio(a, b float64) float64 {
	if b == 0 || math.IsNaN(a) || math.IsNaN(b) {
		return math.NaN()
	}
	return a / b
}

// PairedRatios returns a[i]/b[i] for every i both slices have, skipping
// pairs where the ratio is NaN. The tools run the targets alternately, so
// a[i] and b[i] were measured next to each other in time and a slow phase
// of a shared machine affects both sides of a pair.
func PairedRatios(a, b []float64) []float64 {
	var out []float64
	for i := range min(len(a), len(b)) {
		if r := Ratio(a[i], b[i]); !math.IsNaN(r) {
			out = append(out, r)
		}
	}
	return out
}

// Quantiles returns the q-quantiles of xs (nearest rank over the sorted
// values, NaNs ignored); NaN for each when nothing is left.
func Quantiles(xs []float64, qs ...float64) []float64 {
	s := make([]float64, 0, len(xs))
	for _, x := range xs {
		if !math.IsNaN(x) {
			s = append(s, x)
		}
	}
	slices.Sort(s)
	out := make([]float64, len(qs))
	for i, q := range qs {
		if len(s) == 0 {
			out[i] = math.NaN()
			continue
		}
		k := int(math.Round(q * float64(len(s)-1)))
		out[i] = s[min(max(k, 0), len(s)-1)]
	}
	return out
}

const (
	subBits  = 7
	subCount = 1 << subBits
	nBuckets = (64 - subBits) * subCount // covers every non-negative int64
)

// Histogram counts non-negative int64 values (nanoseconds, in the bench
// tools) in log-linear buckets.
type Histogram struct {
	counts [nBuckets]uint64
	total  uint64
	max    int64
	sum    float64
}

func bucketOf(v int64) int {
	if v < subCount {
		return int(v)
	}
	shift := bits.Len64(uint64(v)) - subBits - 1
	return (shift+1)*subCount + int(uint64(v)>>shift) - subCount
}

// bucketTop is the largest value that falls in bucket i.
func bucketTop(i int) int64 {
	if i < subCount {
		return int64(i)
	}
	shift := i/subCount - 1
	m := int64(i%subCount + subCount)
	return (m+1)<<shift - 1
}

// Record adds one value; negative values count as zero.
func (h *Histogram) Record(v int64) {
	v = max(v, 0)
	h.counts[bucketOf(v)]++
	h.total++
	h.sum += float64(v)
	h.max = max(h.max, v)
}

// Merge adds all of o's values to h.
func (h *Histogram) Merge(o *Histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.total += o.total
	h.sum += o.sum
	h.max = max(h.max, o.max)
}

// Count is the number of recorded values.
func (h *Histogram) Count() uint64 { return h.total }

// Max is the largest recorded value, exactly.
func (h *Histogram) Max() int64 { return h.max }

// Mean is the mean of the recorded values, NaN when empty.
func (h *Histogram) Mean() float64 {
	if h.total == 0 {
		return math.NaN()
	}
	return h.sum / float64(h.total)
}

// Quantile returns the value at quantile q (0..1): the top of the bucket
// holding the ceil(q*n)-th smallest value, capped at the exact maximum.
// It returns -1 when the histogram is empty.
func (h *Histogram) Quantile(q float64) int64 {
	if h.total == 0 {
		return -1
	}
	rank := uint64(math.Ceil(q * float64(h.total)))
	rank = min(max(rank, 1), h.total)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return min(bucketTop(i), h.max)
		}
	}
	return h.max
}
