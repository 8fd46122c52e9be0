package stats

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestMedian(t *testing.T) {
	cases := []struct {
		in   []float64
		want float64
	}{
		{[]float64{3, 1, 2}, 2},
		{[]float64{4, 1, 3, 2}, 2.5},
		{[]float64{math.NaN(), 5}, 5},
	}
	for _, c := range cases {
		if got := Median(c.in); got != c.want {
			t.Errorf("Median(%v) = %v, want %v", c.in, got, c.want)
		}
	}
	if !math.IsNaN(Median(nil)) {
		t.Error("Median(nil) is not NaN")
	}
}

func TestBucketsCoverEveryValue(t *testing.T) {
	prevTop := int64(-1)
	for i := 0; i < nBuckets; i++ {
		top := bucketTop(i)
		if i < nBuckets-1 && top <= prevTop {
			t.Fatalf("bucket %d top %d not above previous %d", i, top, prevTop)
		}
		if b := bucketOf(prevTop + 1); b != i {
			t.Fatalf("value %d in bucket %d, want %d", prevTop+1, b, i)
		}
		if i < nBuckets-1 {
			if b := bucketOf(top); b != i {
				t.Fatalf("top %d of bucket %d lands in %d", top, i, b)
			}
		}
		prevTop = top
	}
}

// Quantiles agree with an exact sort of the same samples within the
// histogram's stated resolution.
func TestQuantileMatchesSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var h, a, b Histogram
	vals := make([]int64, 100000)
	for i := range vals {
		v := int64(rng.ExpFloat64() * 200_000)
		vals[i] = v
		if i%2 == 0 {
			a.Record(v)
		} else {
			b.Record(v)
		}
	}
	h.Merge(&a)
	h.Merge(&b)
	slices.Sort(vals)
	for _, q := range []float64{0.5, 0.9, 0.99, 0.999, 1} {
		exact := vals[int(math.Ceil(q*float64(len(vals))))-1]
		got := h.Quantile(q)
		if got < exact || float64(got-exact) > float64(exact)/subCount+1 {
			t.Errorf("q=%v: got %d, exact %d", q, got, exact)
		}
	}
	if h.Max() != vals[len(vals)-1] || h.Count() != uint64(len(vals)) {
		t.Errorf("max %d count %d", h.Max(), h.Count())
	}
}

func TestPairedRatios(t *testing.T) {
	got := PairedRatios([]float64{10, 9, math.NaN(), 4}, []float64{5, 0, 2, 8, 7})
	if want := []float64{2, 0.5}; !slices.Equal(got, want) {
		t.Errorf("PairedRatios = %v, want %v (zero, NaN and unpaired entries skipped)", got, want)
	}
}

func TestQuantiles(t *testing.T) {
	got := Quantiles([]float64{5, 1, math.NaN(), 3, 2, 4}, 0, 0.25, 0.5, 1)
	if want := []float64{1, 2, 3, 5}; !slices.Equal(got, want) {
		t.Errorf("Quantiles = %v, want %v", got, want)
	}
	if q := Quantiles(nil, 0.5); !math.IsNaN(q[0]) {
		t.Errorf("Quantiles(nil) = %v, want NaN", q)
	}
}
