package storage

import (
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"testing"
)

// TestIndexCollisions drives an index with a hash of only four values, so
// that most keys collide, against a plain map: every find, len and each
// must agree with the model through random adds and deletes.
func TestIndexCollisions(t *testing.T) {
	seed := maphash.MakeSeed()
	weak := func(k string) uint64 { return maphash.String(seed, k) & 3 }
	x := newIndex()
	model := map[string]*Entry{}
	rng := rand.New(rand.NewPCG(1, 2))
	for step := range 20000 {
		k := fmt.Sprint("k", rng.IntN(64))
		h := weak(k)
		got := find(&x, h, k)
		if got != model[k] {
			t.Fatalf("step %d: find(%q) = %p, model %p", step, k, got, model[k])
		}
		if got == nil {
			e := &Entry{Key: k}
			x.add(h, e)
			model[k] = e
		} else if rng.IntN(2) == 0 {
			x.del(h, got)
			delete(model, k)
		}
		if x.len() != len(model) {
			t.Fatalf("step %d: len %d, model %d", step, x.len(), len(model))
		}
	}
	seen := map[string]bool{}
	// each reports the entry's real hash; for keys in over that is the full
	// maphash, so only check that each entry comes once and is the model's.
	x.each(seed, func(_ uint64, e *Entry) bool {
		if seen[e.Key] || model[e.Key] != e {
			t.Fatalf("each gave %q twice or not the model's entry", e.Key)
		}
		seen[e.Key] = true
		return true
	})
	if len(seen) != len(model) {
		t.Fatalf("each visited %d keys, model has %d", len(seen), len(model))
	}
	if x.over == nil {
		t.Fatal("no key ever went to the overflow map: the test did not collide")
	}
}

// TestIndexEachStops checks that each stops when fn returns false and says so.
func TestIndexEachStops(t *testing.T) {
	x := newIndex()
	for i := range 10 {
		x.add(uint64(i), &Entry{Key: fmt.Sprint(i)})
	}
	n := 0
	if x.each(maphash.MakeSeed(), func(uint64, *Entry) bool { n++; return n < 3 }) || n != 3 {
		t.Fatalf("each went on after false: %d calls", n)
	}
}

// TestIndexTimedSharedHash puts two keys under one hash (the second goes to
// the overflow map) and checks that a timer resolves to the entry armed at
// its time, whichever map holds it, and to nothing when none is.
func TestIndexTimedSharedHash(t *testing.T) {
	seed := maphash.MakeSeed()
	x := newIndex()
	a := &Entry{Key: "a", timer: 100}
	b := &Entry{Key: "b", timer: 200}
	h := maphash.String(seed, "a")
	x.add(h, a)
	x.over = map[string]*Entry{"b": b} // as add would, had "b" hashed to h
	if got := x.timed(seed, h, 100); got != a {
		t.Fatalf("timed(100) = %v, want a", got)
	}
	if got := x.timed(seed, h, 300); got != nil {
		t.Fatalf("timed(300) = %v, want nil", got)
	}
	// "b" really hashes elsewhere, so it must not answer for h...
	if got := x.timed(seed, h, 200); got != nil {
		t.Fatalf("timed(200) under a's hash = %v, want nil", got)
	}
	// ...but does for its own hash, from the overflow map.
	if got := x.timed(seed, maphash.String(seed, "b"), 200); got != b {
		t.Fatalf("timed(200) under b's hash = %v, want b", got)
	}
}
