package storage

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

func listItems(l *List) []string {
	out := make([]string, l.Len())
	for i := range out {
		out[i] = string(l.At(i))
	}
	return out
}

// TestListModel runs random operations on a List and on a plain slice and
// compares them after every step, crossing the ring buffer's wrap point and
// its grow and shrink sizes many times.
func TestListModel(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		r := rand.New(rand.NewPCG(seed, 42))
		l := NewList()
		var model []string
		for step := 0; step < 3000; step++ {
			v := strconv.Itoa(r.IntN(8))
			op := r.IntN(10)
			if len(model) > 200 {
				op = 2 + r.IntN(2) // drain
			}
			switch op {
			case 0:
				l.PushFront([]byte(v))
				model = slices.Insert(model, 0, v)
			case 1:
				l.PushBack([]byte(v))
				model = append(model, v)
			case 2:
				if len(model) > 0 {
					if got := string(l.PopFront()); got != model[0] {
						t.Fatalf("seed %d step %d: PopFront %q, want %q", seed, step, got, model[0])
					}
					model = model[1:]
				}
			case 3:
				if len(model) > 0 {
					last := model[len(model)-1]
					if got := string(l.PopBack()); got != last {
						t.Fatalf("seed %d step %d: PopBack %q, want %q", seed, step, got, last)
					}
					model = model[:len(model)-1]
				}
			case 4:
				i := r.IntN(len(model) + 1)
				l.Insert(i, []byte(v))
				model = slices.Insert(model, i, v)
			case 5:
				if len(model) > 0 {
					i := r.IntN(len(model))
					l.Set(i, []byte(v))
					model[i] = v
				}
			case 6:
				removed := l.Filter(func(_ int, b []byte) bool { return string(b) != v })
				before := len(model)
				model = slices.DeleteFunc(model, func(s string) bool { return s == v })
				if removed != before-len(model) {
					t.Fatalf("seed %d step %d: Filter removed %d, want %d", seed, step, removed, before-len(model))
				}
			case 7:
				if len(model) > 0 && r.IntN(4) == 0 {
					a, b := r.IntN(len(model)), r.IntN(len(model))
					if r.IntN(10) == 0 {
						a, b = 1, 0 // empties
					}
					l.Trim(a, b)
					if a > b {
						model = nil
					} else {
						model = slices.Clone(model[a : b+1])
					}
				}
			case 8:
				c := l.Clone().(*List)
				if !slices.Equal(listItems(c), model) {
					t.Fatalf("seed %d step %d: clone differs", seed, step)
				}
				if c.Len() > 0 {
					c.At(0)[0] = 'X' // a deep copy: the original is untouched
					c.PopFront()
				}
			default:
				for range r.IntN(20) {
					l.PushBack([]byte(v))
					model = append(model, v)
				}
			}
			if got := listItems(l); !slices.Equal(got, model) {
				t.Fatalf("seed %d step %d op %d: list %q, want %q", seed, step, op, got, model)
			}
		}
	}
}

func TestListKindEncoding(t *testing.T) {
	l := NewList()
	if l.Kind() != KindList || l.Encoding() != "quicklist" {
		t.Fatalf("kind %v encoding %q", l.Kind(), l.Encoding())
	}
	for range 1000 {
		l.PushBack([]byte("x"))
	}
	for range 1000 {
		l.PopFront()
	}
	if l.Len() != 0 || len(l.buf) > 8 {
		t.Fatalf("emptied list keeps a buffer of %d", len(l.buf))
	}
}
