package storage

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"testing"
)

func members(s *Set) []string {
	var out []string
	s.Each(func(m []byte) bool {
		out = append(out, string(m))
		return true
	})
	sort.Strings(out)
	return out
}

func TestSetIntsetIsSortedAndCanonical(t *testing.T) {
	s := NewSet()
	for _, m := range []string{"3", "-1", "10", "3", "0"} {
		s.Add([]byte(m), 512)
	}
	var got []string
	s.Each(func(m []byte) bool { got = append(got, string(m)); return true })
	if want := []string{"-1", "0", "3", "10"}; !slices.Equal(got, want) {
		t.Fatalf("intset order %q, want %q", got, want)
	}
	for _, m := range []string{"03", "+3", " 3", "-0", "3.0", ""} {
		if s.Has([]byte(m)) {
			t.Errorf("Has(%q) on an intset", m)
		}
	}
	if s.Encoding() != "intset" {
		t.Fatalf("encoding %s", s.Encoding())
	}
	s.Add([]byte("03"), 512) // not canonical: the set leaves intset
	if s.Encoding() != "hashtable" || !s.Has([]byte("03")) || !s.Has([]byte("3")) || s.Len() != 5 {
		t.Fatalf("after 03: %s %q", s.Encoding(), members(s))
	}
}

func TestSetRepresentations(t *testing.T) {
	s := NewSet()
	for i := range smallMaxEntries {
		s.Add([]byte("m"+strconv.Itoa(i)), 512)
	}
	if s.enc != encSmall {
		t.Fatalf("%d short members: enc %d, want small", smallMaxEntries, s.enc)
	}
	s.Add([]byte("one more"), 512)
	if s.enc != encTable || s.Len() != smallMaxEntries+1 {
		t.Fatalf("enc %d len %d", s.enc, s.Len())
	}
	l := NewSet()
	l.Add(make([]byte, smallMaxValue+1), 512)
	if l.enc != encTable {
		t.Fatalf("a long member: enc %d, want table", l.enc)
	}
	i := NewSet()
	for n := range 513 {
		i.Add([]byte(strconv.Itoa(n)), 512)
	}
	if i.enc != encTable || i.Encoding() != "hashtable" || i.Len() != 513 {
		t.Fatalf("513 integers: enc %d len %d", i.enc, i.Len())
	}
}

func TestSetCloneIsDeep(t *testing.T) {
	for _, n := range []int{3, 50, 300} {
		for _, prefix := range []string{"", "m"} {
			s := NewSet()
			for i := range n {
				s.Add([]byte(prefix+strconv.Itoa(i)), 512)
			}
			c := s.Clone().(*Set)
			c.Add([]byte("extra"), 512)
			c.Remove([]byte(prefix + "0"))
			if s.Has([]byte("extra")) || !s.Has([]byte(prefix+"0")) || s.Len() != n {
				t.Fatalf("n=%d %q: clone shares memory", n, prefix)
			}
		}
	}
}

// setModel is the reference: a map, plus what the encoding must be.
type setModel struct {
	m         map[string]bool
	converted bool // left intset (one way)
}

func (md *setModel) add(m string, maxIntset int) bool {
	if md.m[m] {
		return false
	}
	md.m[m] = true
	if _, ok := parseSetInt([]byte(m)); !ok || len(md.m) > maxIntset {
		md.converted = true
	}
	return true
}

func (md *setModel) sorted() []string {
	out := make([]string, 0, len(md.m))
	for m := range md.m {
		out = append(out, m)
	}
	sort.Strings(out)
	return out
}

// TestSetModel runs random operation sequences (fixed seeds) on a Set and
// on a map model and compares every result, across all representations
// and their conversions.
func TestSetModel(t *testing.T) {
	for seed := uint64(1); seed <= 40; seed++ {
		rng := rand.New(rand.NewPCG(seed, 0x5e7))
		maxIntset := []int{0, 1, 4, 16, 512}[seed%5]
		universe := []func() string{
			func() string { return strconv.Itoa(rng.IntN(40) - 20) },                        // small integers
			func() string { return strconv.FormatInt(rng.Int64()-1<<62, 10) },               // big integers
			func() string { return "m" + strconv.Itoa(rng.IntN(60)) },                       // short strings
			func() string { return fmt.Sprintf("%070d", rng.IntN(5)) },                      // long, integer-looking
			func() string { return []string{"", "-0", "01", "+1", " 1", "-"}[rng.IntN(6)] }, // not integers
		}
		// each seed mixes a few member families, so some runs stay intset
		fams := []int{0}
		if seed%3 != 0 {
			fams = append(fams, int(seed%5))
		}
		if seed%7 == 0 {
			fams = append(fams, 2, 3)
		}
		pick := func() string { return universe[fams[rng.IntN(len(fams))]]() }
		s := NewSet()
		md := &setModel{m: map[string]bool{}}
		for op := 0; op < 3000; op++ {
			where := func() string { return fmt.Sprintf("seed %d op %d", seed, op) }
			switch r := rng.IntN(100); {
			case r < 40:
				m := pick()
				if got, want := s.Add([]byte(m), maxIntset), md.add(m, maxIntset); got != want {
					t.Fatalf("%s: Add(%q) = %v, want %v", where(), m, got, want)
				}
			case r < 60:
				m := pick()
				want := md.m[m]
				delete(md.m, m)
				if got := s.Remove([]byte(m)); got != want {
					t.Fatalf("%s: Remove(%q) = %v, want %v", where(), m, got, want)
				}
			case r < 75:
				m := pick()
				if got := s.Has([]byte(m)); got != md.m[m] {
					t.Fatalf("%s: Has(%q) = %v, want %v", where(), m, got, md.m[m])
				}
			case r < 80 && len(md.m) > 0:
				m := string(s.Pop())
				if !md.m[m] {
					t.Fatalf("%s: Pop returned %q, not a member", where(), m)
				}
				delete(md.m, m)
			case r < 84 && len(md.m) > 1:
				n := 1 + rng.IntN(len(md.m)-1)
				got := s.PopMany(n, maxIntset)
				if len(got) != n {
					t.Fatalf("%s: PopMany(%d) returned %d", where(), n, len(got))
				}
				for _, m := range got {
					if !md.m[string(m)] {
						t.Fatalf("%s: PopMany returned %q: not a member or a repeat", where(), m)
					}
					delete(md.m, string(m))
				}
				if len(md.m)*5 <= n {
					// rebuilt from the remaining members, as Redis does
					md.converted = false
					for m := range md.m {
						if _, ok := parseSetInt([]byte(m)); !ok {
							md.converted = true
						}
					}
					if len(md.m) > maxIntset {
						md.converted = true
					}
				}
			case r < 88 && len(md.m) > 0:
				n := 1 + rng.IntN(len(md.m))
				got := s.RandomDistinct(n)
				seen := map[string]bool{}
				for _, m := range got {
					if !md.m[string(m)] || seen[string(m)] {
						t.Fatalf("%s: RandomDistinct returned %q: not a member or a repeat", where(), m)
					}
					seen[string(m)] = true
				}
				if len(got) != n {
					t.Fatalf("%s: RandomDistinct(%d) returned %d", where(), n, len(got))
				}
			case r < 90 && len(md.m) > 0:
				n := 0
				s.RandomRepeat(7, func(m []byte) {
					n++
					if !md.m[string(m)] {
						t.Fatalf("%s: RandomRepeat returned %q", where(), m)
					}
				})
				if n != 7 {
					t.Fatalf("%s: RandomRepeat gave %d", where(), n)
				}
				if m := string(s.Random()); !md.m[m] {
					t.Fatalf("%s: Random returned %q", where(), m)
				}
			case r < 93:
				count := 1 + rng.IntN(20)
				seen := map[string]bool{}
				cursor := uint64(0)
				for calls := 0; ; calls++ {
					cursor = s.Scan(cursor, count, func(m []byte) { seen[string(m)] = true })
					if cursor == 0 {
						break
					}
					if calls > 100 {
						t.Fatalf("%s: Scan did not finish", where())
					}
				}
				if len(seen) != len(md.m) {
					t.Fatalf("%s: Scan saw %d members, want %d", where(), len(seen), len(md.m))
				}
				for m := range seen {
					if !md.m[m] {
						t.Fatalf("%s: Scan returned %q", where(), m)
					}
				}
			case r < 95:
				c := s.Clone().(*Set)
				if !slices.Equal(members(c), md.sorted()) || c.Encoding() != s.Encoding() {
					t.Fatalf("%s: clone differs", where())
				}
				s = c // continue on the clone
			default:
			}
			if s.Len() != len(md.m) {
				t.Fatalf("%s: Len %d, want %d", where(), s.Len(), len(md.m))
			}
			wantEnc := "intset"
			if md.converted {
				wantEnc = "hashtable"
			}
			if s.Encoding() != wantEnc {
				t.Fatalf("%s: encoding %s, want %s (len %d, max %d)", where(), s.Encoding(), wantEnc, len(md.m), maxIntset)
			}
			if len(md.m) == 0 {
				// an emptied set is deleted by its command; start afresh
				s, md = NewSet(), &setModel{m: map[string]bool{}}
			}
		}
		if !slices.Equal(members(s), md.sorted()) {
			t.Fatalf("seed %d: members differ at the end", seed)
		}
	}
}

// A member present for a whole SSCAN iteration is returned even while
// other members come and go.
func TestSetScanWhileChanging(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	s := NewSet()
	for i := range 1000 {
		s.Add([]byte("stay"+strconv.Itoa(i)), 512)
	}
	seen := map[string]bool{}
	cursor := uint64(0)
	for calls := 0; ; calls++ {
		cursor = s.Scan(cursor, 10, func(m []byte) { seen[string(m)] = true })
		for range 20 {
			m := []byte("churn" + strconv.Itoa(rng.IntN(500)))
			if rng.IntN(2) == 0 {
				s.Add(m, 512)
			} else {
				s.Remove(m)
			}
		}
		if cursor == 0 {
			break
		}
		if calls > 1000 {
			t.Fatal("Scan did not finish")
		}
	}
	for i := range 1000 {
		if !seen["stay"+strconv.Itoa(i)] {
			t.Fatalf("stay%d never returned", i)
		}
	}
}

// An intset widens its integers as Redis's does (2, 4, then 8 bytes) and
// keeps them sorted and findable across each widening.
func TestSetIntsetWidths(t *testing.T) {
	vals := []int64{5, -32768, 32767, -32769, 32768, 2147483647, -2147483648, 2147483648, -2147483649,
		9223372036854775807, -9223372036854775808, 0}
	s := NewSet()
	var want []int64
	for k, v := range vals {
		s.Add([]byte(strconv.FormatInt(v, 10)), 512)
		want = append(want, v)
		slices.Sort(want)
		wantW := uint8(2)
		for _, x := range want {
			wantW = max(wantW, intWidth(x))
		}
		if s.w != wantW || len(s.buf) != len(want)*int(wantW) {
			t.Fatalf("after %d: width %d (buf %d), want %d", v, s.w, len(s.buf), wantW)
		}
		var got []int64
		s.Each(func(m []byte) bool {
			n, _ := strconv.ParseInt(string(m), 10, 64)
			got = append(got, n)
			return true
		})
		if !slices.Equal(got, want) {
			t.Fatalf("step %d: %v, want %v", k, got, want)
		}
		for _, x := range want {
			if !s.Has([]byte(strconv.FormatInt(x, 10))) {
				t.Fatalf("step %d: %d not found", k, x)
			}
		}
	}
	for _, v := range vals {
		if !s.Remove([]byte(strconv.FormatInt(v, 10))) {
			t.Fatalf("Remove(%d) failed", v)
		}
	}
	if s.Len() != 0 || s.Encoding() != "intset" {
		t.Fatalf("len %d enc %s", s.Len(), s.Encoding())
	}
}
