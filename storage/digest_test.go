package storage

import (
	"strconv"
	"strings"
	"testing"
)

// TestDigestIsOfTheData: two stores given the same keys in another order
// and across shard counts have the same digest; a changed value, a
// deadline, another database or an expired key changes it or not as Redis's
// does.
func TestDigestIsOfTheData(t *testing.T) {
	fill := func(shards int, reverse bool) *Store {
		s := New(Options{Databases: 2, Shards: shards})
		n := 300
		for j := range n {
			i := j
			if reverse {
				i = n - 1 - j
			}
			k := "k" + strconv.Itoa(i)
			set, h, z := NewSet(), NewHash(), NewZSet(true)
			for m := range 5 {
				ms := strconv.Itoa((m + i) % 5)
				set.Add([]byte(ms), 512)
				h.Set([]byte("f"+ms), []byte(ms), false, 128, 64)
				z.Add(ms, float64(m)/3, 128, 64)
			}
			tx := s.Begin(0, 0, []byte(k))
			switch i % 4 {
			case 0:
				tx.Put(0, []byte(k), []byte(strings.Repeat("v", i)), nil, 0)
			case 1:
				tx.Put(0, []byte(k), nil, set, 0)
			case 2:
				tx.Put(0, []byte(k), nil, h, 1000)
			case 3:
				tx.Put(0, []byte(k), nil, z, 0)
			}
			tx.End()
		}
		return s
	}
	a, b := fill(1, false), fill(8, true)
	if a.Digest(0) != b.Digest(0) || a.Digest(0) == (Digest{}) {
		t.Fatalf("same data, digests %s and %s", a.Digest(0).Hex(), b.Digest(0).Hex())
	}
	before := a.Digest(0)
	put(a, 0, 1, "k0", "", 0) // the same key and value in database 1
	if a.Digest(0) == before {
		t.Fatal("a key in another database left the digest alone")
	}
	put(b, 0, 1, "k0", "", 0)
	put(b, 0, 0, "k4", strings.Repeat("v", 4), 5) // a deadline
	if a.Digest(0) == b.Digest(0) {
		t.Fatal("a deadline left the digest alone")
	}
	// past b's k4's deadline: b hides it, as a does once it is deleted
	tx := a.Begin(10, 0, []byte("k4"))
	tx.Delete(0, []byte("k4"))
	tx.End()
	if a.Digest(10) != b.Digest(10) {
		t.Fatal("an expired key counts in the digest")
	}
}
