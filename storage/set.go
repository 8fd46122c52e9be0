package storage

import (
	"bytes"
	"encoding/binary"
	"hash/maphash"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"unsafe"
)

// A Set is the value of a set key. It has three representations, each
// converted to the next one way only, as Redis converts its encodings:
//
//   - intset: every member an integer (as Redis's string2ll reads it) and at
//     most maxIntset members: sorted little-endian integers of 2, 4 or 8
//     bytes each (the width of the widest member, as Redis's intset), in
//     buf, reported as "intset";
//   - small: at most smallMaxEntries members of at most smallMaxValue bytes:
//     buf holds uvarint-length-prefixed members, no pointers per member;
//   - table: a dense []string of members plus a map from member to its
//     index, so a random member is O(1) and removal swaps in the last one.
//
// Redis 7.0 has no listpack sets, so small and table both report
// "hashtable" to OBJECT ENCODING. A Set is only used under its key's shard
// lock.
type Set struct {
	enc uint8
	w   uint8  // intset: bytes per integer
	n   int32  // intset and small: member count
	buf []byte // intset and small
	tab *setTable
}

type setTable struct {
	members []string
	index   map[string]int32
}

const (
	encIntset uint8 = iota
	encSmall
	encTable
)

// Limits of the small representation (Redis 7.2's set-max-listpack-*
// defaults): beyond them a set becomes a table.
const (
	smallMaxEntries = 128
	smallMaxValue   = 64
)

// NewSet returns an empty set in the intset representation.
func NewSet() *Set { return &Set{w: 2} }

// Kind implements Object.
func (s *Set) Kind() Kind { return KindSet }

// Encoding is what OBJECT ENCODING reports, as Redis 7.0 names it.
func (s *Set) Encoding() string {
	if s.enc == encIntset {
		return "intset"
	}
	return "hashtable"
}

// Clone returns a deep copy.
func (s *Set) Clone() Object {
	c := &Set{enc: s.enc, w: s.w, n: s.n}
	switch s.enc {
	case encIntset, encSmall:
		c.buf = slices.Clone(s.buf)
	default:
		t := &setTable{members: slices.Clone(s.tab.members), index: make(map[string]int32, len(s.tab.members))}
		for i, m := range t.members {
			t.index[m] = int32(i)
		}
		c.tab = t
	}
	return c
}

// Len returns the number of members.
func (s *Set) Len() int {
	if s.enc == encTable {
		return len(s.tab.members)
	}
	return int(s.n)
}

// Has reports whether m is a member.
func (s *Set) Has(m []byte) bool {
	switch s.enc {
	case encIntset:
		v, ok := parseSetInt(m)
		if !ok {
			return false
		}
		_, found := s.intSearch(v)
		return found
	case encSmall:
		return s.smallFind(m) >= 0
	}
	_, ok := s.tab.index[string(m)]
	return ok
}

// Add adds m (copied) and reports whether it was new. maxIntset is
// set-max-intset-entries: an intset growing beyond it becomes a table.
func (s *Set) Add(m []byte, maxIntset int) bool {
	if s.enc == encIntset {
		if v, ok := parseSetInt(m); ok {
			i, found := s.intSearch(v)
			if found {
				return false
			}
			s.intInsert(i, v)
			if int(s.n) > maxIntset {
				s.convert(int(s.n))
			}
			return true
		}
		s.convert(int(s.n) + 1)
	}
	if s.enc == encSmall {
		if s.smallFind(m) >= 0 {
			return false
		}
		if int(s.n) < smallMaxEntries && len(m) <= smallMaxValue {
			s.buf = binary.AppendUvarint(s.buf, uint64(len(m)))
			s.buf = append(s.buf, m...)
			s.n++
			return true
		}
		s.toTable(int(s.n) + 1)
	}
	if _, ok := s.tab.index[string(m)]; ok {
		return false
	}
	k := string(m)
	s.tab.index[k] = int32(len(s.tab.members))
	s.tab.members = append(s.tab.members, k)
	return true
}

// convert leaves the intset representation for small or table, sized for
// want members.
func (s *Set) convert(want int) {
	if want <= smallMaxEntries {
		var buf []byte
		for i := range int(s.n) {
			var d [20]byte
			b := strconv.AppendInt(d[:0], s.intAt(i), 10)
			buf = binary.AppendUvarint(buf, uint64(len(b)))
			buf = append(buf, b...)
		}
		s.enc, s.buf = encSmall, buf
		return
	}
	t := &setTable{members: make([]string, 0, want), index: make(map[string]int32, want)}
	for i := range int(s.n) {
		k := strconv.FormatInt(s.intAt(i), 10)
		t.index[k] = int32(len(t.members))
		t.members = append(t.members, k)
	}
	s.enc, s.tab, s.buf, s.n = encTable, t, nil, 0
}

// toTable converts the small representation to a table sized for want.
func (s *Set) toTable(want int) {
	t := &setTable{members: make([]string, 0, want), index: make(map[string]int32, want)}
	s.smallEach(func(m []byte) bool {
		k := string(m)
		t.index[k] = int32(len(t.members))
		t.members = append(t.members, k)
		return true
	})
	s.enc, s.tab, s.buf, s.n = encTable, t, nil, 0
}

// Remove removes m and reports whether it was a member.
func (s *Set) Remove(m []byte) bool {
	switch s.enc {
	case encIntset:
		v, ok := parseSetInt(m)
		if !ok {
			return false
		}
		i, found := s.intSearch(v)
		if !found {
			return false
		}
		s.intDelete(i)
		return true
	case encSmall:
		off := s.smallFind(m)
		if off < 0 {
			return false
		}
		l, w := binary.Uvarint(s.buf[off:])
		s.buf = slices.Delete(s.buf, off, off+w+int(l))
		s.n--
		return true
	}
	i, ok := s.tab.index[string(m)]
	if !ok {
		return false
	}
	s.tableRemoveAt(int(i))
	return true
}

func (s *Set) tableRemoveAt(i int) {
	t := s.tab
	last := len(t.members) - 1
	delete(t.index, t.members[i])
	if i != last {
		t.members[i] = t.members[last]
		t.index[t.members[i]] = int32(i)
	}
	t.members[last] = ""
	t.members = t.members[:last]
}

// Each calls fn with every member until fn returns false. The slice is
// valid only during the call (intset members are formatted into a scratch
// buffer); fn must not change the set.
func (s *Set) Each(fn func(m []byte) bool) {
	switch s.enc {
	case encIntset:
		var d [20]byte
		for i := range int(s.n) {
			if !fn(strconv.AppendInt(d[:0], s.intAt(i), 10)) {
				return
			}
		}
	case encSmall:
		s.smallEach(fn)
	default:
		for _, m := range s.tab.members {
			// read-only view of the member's bytes: fn must not keep or
			// change them
			if !fn(unsafe.Slice(unsafe.StringData(m), len(m))) {
				return
			}
		}
	}
}

// Members returns copies of all members.
func (s *Set) Members() [][]byte {
	out := make([][]byte, 0, s.Len())
	s.Each(func(m []byte) bool {
		out = append(out, bytes.Clone(m))
		return true
	})
	return out
}

// At returns a copy of the i-th member (0 <= i < Len) in the set's
// iteration order.
func (s *Set) At(i int) []byte {
	switch s.enc {
	case encIntset:
		return strconv.AppendInt(nil, s.intAt(i), 10)
	case encSmall:
		var out []byte
		s.smallEach(func(m []byte) bool {
			if i == 0 {
				out = bytes.Clone(m)
				return false
			}
			i--
			return true
		})
		return out
	}
	return []byte(s.tab.members[i])
}

// Random returns a copy of a uniformly chosen member; the set must not be
// empty.
func (s *Set) Random() []byte { return s.At(rand.IntN(s.Len())) }

// Pop removes and returns a uniformly chosen member; the set must not be
// empty.
func (s *Set) Pop() []byte {
	i := rand.IntN(s.Len())
	switch s.enc {
	case encIntset:
		v := s.intAt(i)
		s.intDelete(i)
		return strconv.AppendInt(nil, v, 10)
	case encTable:
		m := s.tab.members[i]
		s.tableRemoveAt(i)
		return []byte(m)
	}
	m := s.At(i)
	s.Remove(m)
	return m
}

// RandomDistinct returns copies of count distinct members chosen
// uniformly (count <= Len).
func (s *Set) RandomDistinct(count int) [][]byte {
	n := s.Len()
	out := make([][]byte, 0, count)
	if count*2 > n {
		// a partial shuffle of all the indexes
		perm := rand.Perm(n)[:count]
		for _, i := range perm {
			out = append(out, s.At(i))
		}
		return out
	}
	seen := make(map[int]struct{}, count)
	for len(out) < count {
		i := rand.IntN(n)
		if _, dup := seen[i]; dup {
			continue
		}
		seen[i] = struct{}{}
		out = append(out, s.At(i))
	}
	return out
}

// RandomRepeat calls fn count times with a uniformly chosen member each
// time (members may repeat), as SRANDMEMBER with a negative count. The
// slice is valid only during the call.
func (s *Set) RandomRepeat(count int, fn func(m []byte)) {
	if s.enc == encSmall {
		ms := s.Members()
		for range count {
			fn(ms[rand.IntN(len(ms))])
		}
		return
	}
	n := s.Len()
	var d [20]byte
	for range count {
		i := rand.IntN(n)
		if s.enc == encIntset {
			fn(strconv.AppendInt(d[:0], s.intAt(i), 10))
		} else {
			m := s.tab.members[i]
			fn(unsafe.Slice(unsafe.StringData(m), len(m)))
		}
	}
}

// PopMany removes and returns count distinct random members, 0 < count <
// Len. As Redis 7.0 does, when few members remain the remaining ones are
// moved to a new set built from scratch (which may be an intset again),
// and the set takes its place.
func (s *Set) PopMany(count int, maxIntset int) [][]byte {
	remaining := s.Len() - count
	out := make([][]byte, 0, count)
	if remaining*5 > count {
		for range count {
			out = append(out, s.Pop())
		}
		return out
	}
	keep := NewSet()
	for range remaining {
		m := s.Pop()
		keep.Add(m, maxIntset)
	}
	s.Each(func(m []byte) bool {
		out = append(out, bytes.Clone(m))
		return true
	})
	*s = *keep
	return out
}

// scanSeed places members in the SSCAN cursor space.
var scanSeed = maphash.MakeSeed()

// Scan calls fn with members from cursor on and returns the next cursor, 0
// when the iteration is complete. An intset, or a set of at most count
// members, is returned whole with cursor 0, as Redis does for its compact
// encodings. Otherwise the cursor is a position in the 64-bit member-hash
// space and each call covers the cursor up to the next range boundary: a
// member present for the whole iteration is returned at least once however
// the set changes meanwhile. Ranges hold about max(count, Len/32) members.
func (s *Set) Scan(cursor uint64, count int, fn func(m []byte)) uint64 {
	n := s.Len()
	if s.enc == encIntset || n <= count {
		s.Each(func(m []byte) bool { fn(m); return true })
		return 0
	}
	want := max(count, n/32, 1)
	pieces := uint(0)
	for (n/want)>>pieces > 1 && pieces < 64 {
		pieces++
	}
	width := uint64(1) << (64 - pieces) // pieces >= 1 here: n > want
	for {
		end := (cursor | (width - 1)) + 1
		found := 0
		s.Each(func(m []byte) bool {
			h := maphash.Bytes(scanSeed, m)
			if h >= cursor && (end == 0 || h < end) {
				fn(m)
				found++
			}
			return true
		})
		cursor = end
		if cursor == 0 || found > 0 {
			return cursor
		}
	}
}

func (s *Set) smallEach(fn func(m []byte) bool) {
	b := s.buf
	for len(b) > 0 {
		l, w := binary.Uvarint(b)
		m := b[w : w+int(l)]
		b = b[w+int(l):]
		if !fn(m) {
			return
		}
	}
}

// smallFind returns the offset of m's length prefix in small, or -1.
func (s *Set) smallFind(m []byte) int {
	b := s.buf
	off := 0
	for off < len(b) {
		l, w := binary.Uvarint(b[off:])
		start := off + w
		end := start + int(l)
		if int(l) == len(m) && bytes.Equal(b[start:end], m) {
			return off
		}
		off = end
	}
	return -1
}

// intWidth is the bytes an intset needs to hold v.
func intWidth(v int64) uint8 {
	switch {
	case v >= math.MinInt16 && v <= math.MaxInt16:
		return 2
	case v >= math.MinInt32 && v <= math.MaxInt32:
		return 4
	}
	return 8
}

// intAt returns the i-th integer of an intset.
func (s *Set) intAt(i int) int64 {
	switch s.w {
	case 2:
		return int64(int16(binary.LittleEndian.Uint16(s.buf[2*i:])))
	case 4:
		return int64(int32(binary.LittleEndian.Uint32(s.buf[4*i:])))
	}
	return int64(binary.LittleEndian.Uint64(s.buf[8*i:]))
}

func (s *Set) intPut(i int, v int64) {
	switch s.w {
	case 2:
		binary.LittleEndian.PutUint16(s.buf[2*i:], uint16(v))
	case 4:
		binary.LittleEndian.PutUint32(s.buf[4*i:], uint32(v))
	default:
		binary.LittleEndian.PutUint64(s.buf[8*i:], uint64(v))
	}
}

// intSearch returns where v is or would be inserted, and whether it is
// there.
func (s *Set) intSearch(v int64) (int, bool) {
	lo, hi := 0, int(s.n)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if s.intAt(mid) < v {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo, lo < int(s.n) && s.intAt(lo) == v
}

// intInsert inserts v at position i, widening every integer first when v
// needs more bytes (never narrowing, as Redis's intset).
func (s *Set) intInsert(i int, v int64) {
	n := int(s.n)
	if w := intWidth(v); w > s.w {
		old := *s
		s.w = w
		s.buf = make([]byte, n*int(w), (n+1)*int(w))
		for j := range n {
			s.intPut(j, old.intAt(j))
		}
	}
	w := int(s.w)
	s.buf = slices.Insert(s.buf, i*w, make([]byte, w)...)
	s.n++
	s.intPut(i, v)
}

func (s *Set) intDelete(i int) {
	w := int(s.w)
	s.buf = slices.Delete(s.buf, i*w, (i+1)*w)
	s.n--
}

// parseSetInt reads m as Redis's string2ll does (no '+', no leading zeros,
// no spaces, within int64): only such members go into an intset, so that a
// member's text round-trips.
func parseSetInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	i := 0
	if b[0] == '-' {
		i = 1
		if len(b) == 1 {
			return 0, false
		}
	}
	if b[i] < '1' || b[i] > '9' {
		return 0, false
	}
	for _, ch := range b[i:] {
		if ch < '0' || ch > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	return n, err == nil
}
