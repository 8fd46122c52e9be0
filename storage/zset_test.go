package storage

import (
	"math/rand/v2"
	"sort"
	"strconv"
	"testing"
)

// TestZSetModel drives both encodings with random adds, removes and range
// removals and compares every observable against a sorted-slice model.
func TestZSetModel(t *testing.T) {
	for _, listpack := range []bool{true, false} {
		r := rand.New(rand.NewPCG(7, uint64(len(strconv.FormatBool(listpack)))))
		z := NewZSet(listpack)
		model := map[string]float64{}
		for step := 0; step < 4000; step++ {
			m := "m" + strconv.Itoa(r.IntN(300))
			switch op := r.IntN(10); {
			case op < 6:
				s := float64(r.IntN(50))
				_, had := model[m]
				if added := z.Add(m, s, 32, 64); added == had {
					t.Fatalf("step %d: Add(%s) added=%v, model had=%v", step, m, added, had)
				}
				model[m] = s
			case op < 9:
				_, had := model[m]
				if z.Remove(m) != had {
					t.Fatalf("step %d: Remove(%s) disagrees", step, m)
				}
				delete(model, m)
			default:
				if z.Len() == 0 {
					continue
				}
				a, b := r.IntN(z.Len()), r.IntN(z.Len())
				if a > b {
					a, b = b, a
				}
				want := sortedModel(model)[a : b+1]
				got := z.RemoveRange(a, b)
				if !equalItems(got, want) {
					t.Fatalf("step %d: RemoveRange(%d,%d) = %v, want %v", step, a, b, got, want)
				}
				for _, it := range got {
					delete(model, it.Member)
				}
			}
			checkZSet(t, step, z, model)
		}
		if listpack && z.Encoding() != "skiplist" {
			t.Errorf("members past 32 stayed %s", z.Encoding())
		}
		c := z.Clone().(*ZSet)
		checkZSet(t, -1, c, model)
		c.Add("new", 1, 128, 64)
		checkZSet(t, -2, z, model)
	}
}

func sortedModel(model map[string]float64) []ZItem {
	out := make([]ZItem, 0, len(model))
	for m, s := range model {
		out = append(out, ZItem{m, s})
	}
	sort.Slice(out, func(i, j int) bool { return zless(out[i], out[j]) })
	return out
}

func equalItems(a, b []ZItem) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func checkZSet(t *testing.T, step int, z *ZSet, model map[string]float64) {
	t.Helper()
	want := sortedModel(model)
	if z.Len() != len(want) {
		t.Fatalf("step %d: Len %d, want %d", step, z.Len(), len(want))
	}
	var fwd, rev []ZItem
	z.Range(0, z.Len()-1, false, func(it ZItem) bool { fwd = append(fwd, it); return true })
	z.Range(0, z.Len()-1, true, func(it ZItem) bool { rev = append(rev, it); return true })
	if !equalItems(fwd, want) {
		t.Fatalf("step %d: Range %v, want %v", step, fwd, want)
	}
	for i := range rev {
		if rev[i] != want[len(want)-1-i] {
			t.Fatalf("step %d: reverse Range differs at %d", step, i)
		}
	}
	for i, it := range want {
		if r, ok := z.Rank(it.Member); !ok || r != i {
			t.Fatalf("step %d: Rank(%s) = %d %v, want %d", step, it.Member, r, ok, i)
		}
		if z.At(i) != it {
			t.Fatalf("step %d: At(%d) = %v, want %v", step, i, z.At(i), it)
		}
	}
	n := z.Search(func(it ZItem) bool { return it.Score >= 25 })
	k := sort.Search(len(want), func(i int) bool { return want[i].Score >= 25 })
	if n != k {
		t.Fatalf("step %d: Search = %d, want %d", step, n, k)
	}
}

func TestZSetEncoding(t *testing.T) {
	z := NewZSet(true)
	for i := 0; i < 3; i++ {
		z.Add(strconv.Itoa(i), 1, 3, 64)
	}
	if z.Encoding() != "listpack" {
		t.Fatalf("3 of 3 members: %s", z.Encoding())
	}
	z.Add("x", 1, 3, 64)
	if z.Encoding() != "skiplist" {
		t.Fatalf("4 of 3 members: %s", z.Encoding())
	}
	z.Remove("x")
	z.Remove("0")
	if z.Encoding() != "skiplist" {
		t.Fatalf("conversion must be one way")
	}
	y := NewZSet(true)
	y.Add("0123456789", 1, 128, 9)
	if y.Encoding() != "skiplist" {
		t.Fatalf("long member kept %s", y.Encoding())
	}
}
