package storage

import (
	"bytes"
	"encoding/binary"
	"slices"
)

// Hash is a hash value: fields mapped to values, with optional per-field
// deadlines (Redis 7.4 hash-field expiry).
//
// A small hash is one byte slice, lp, holding field, value, field, value...
// each as a uvarint length (one byte up to 127, as short strings take in
// Redis's listpack) and its bytes, in insertion order (the order Redis's
// listpack keeps). It turns into a Go map once it has more entries, or a
// longer field or value, than the limits passed in allow; like Redis it
// never turns back.
//
// A hash whose only excess is a long field or value (a session of a few
// fields of a hundred bytes or more each, where Redis converts at 64)
// stays in lp while lp is at most wideMax bytes: a Go map of strings costs
// about twice the bytes, which under maxmemory means half the sessions
// kept. Such a hash is marked wide and reports the encoding Redis would
// have, hashtable, and is scanned as a table is (HSCAN by cursor). It
// converts to the map when lp would grow past wideMax or past the entry
// limit.
//
// The header is kept to what the compact encoding needs, lp and one
// pointer, so a small hash costs the header and one buffer: the map of the
// table encoding and the field deadlines live in a side struct, x,
// allocated only when one of them exists. The number of fields is not
// stored: it is counted from lp (Len), as short as lp is.
type Hash struct {
	lp []byte
	x  *hashExt
}

// hashExt is what a hash needs beyond the compact encoding: ht, the table
// encoding (nil while lp holds the fields), and ttl, the deadlines, unix
// ms, of the fields that have one (nil while none does). next is the
// earliest of them (0 when ttl is nil), so checking a hash for due fields
// is one comparison. wide marks a hash Redis would hold as a table while
// lp holds it (see Hash). A Hash drops x when both maps are nil and it is
// not wide.
type hashExt struct {
	ht   map[string]string
	ttl  map[string]int64
	next int64
	wide bool
}

// wideMax is the most bytes lp holds once a field or value is longer than
// the compact limit: a lookup walks lp, and a write may copy it.
const wideMax = 8 << 10

// NewHash returns an empty hash in the compact encoding.
func NewHash() *Hash { return &Hash{} }

// Kind implements Object.
func (h *Hash) Kind() Kind { return KindHash }

func (h *Hash) table() map[string]string {
	if h.x == nil {
		return nil
	}
	return h.x.ht
}

func (h *Hash) ttls() map[string]int64 {
	if h.x == nil {
		return nil
	}
	return h.x.ttl
}

func (h *Hash) wide() bool { return h.x != nil && h.x.wide }

// wideOnly is the x of every wide hash that needs nothing else of x: a
// session costs no allocation for its flag. It is never written; ext
// gives a hash its own x first.
var wideOnly = &hashExt{wide: true}

// ext returns h's own x, for writing.
func (h *Hash) ext() *hashExt {
	switch h.x {
	case nil:
		h.x = &hashExt{}
	case wideOnly:
		h.x = &hashExt{wide: true}
	}
	return h.x
}

func (h *Hash) markWide() {
	if h.x == nil {
		h.x = wideOnly
		return
	}
	h.ext().wide = true
}

// Encoding returns the name OBJECT ENCODING reports: listpack (listpackex
// once a field has a deadline, as Redis 7.4 says) or hashtable.
func (h *Hash) Encoding() string {
	if h.table() != nil || h.wide() {
		return "hashtable"
	}
	if h.ttls() != nil {
		return "listpackex"
	}
	return "listpack"
}

// Clone returns a deep copy (COPY).
func (h *Hash) Clone() Object {
	c := &Hash{}
	if h.lp != nil {
		c.lp = slices.Clone(h.lp)
	}
	if h.x == wideOnly {
		c.x = wideOnly
	} else if h.x != nil {
		c.x = &hashExt{next: h.x.next, wide: h.x.wide}
		if h.x.ht != nil {
			c.x.ht = make(map[string]string, len(h.x.ht))
			for k, v := range h.x.ht {
				c.x.ht[k] = v
			}
		}
		if h.x.ttl != nil {
			c.x.ttl = make(map[string]int64, len(h.x.ttl))
			for k, v := range h.x.ttl {
				c.x.ttl[k] = v
			}
		}
	}
	return c
}

// Len returns the number of fields: O(1) for the table encoding, a walk
// of the buffer for the compact one.
func (h *Hash) Len() int {
	if ht := h.table(); ht != nil {
		return len(ht)
	}
	return h.count()
}

// Empty reports whether the hash has no field.
func (h *Hash) Empty() bool {
	if ht := h.table(); ht != nil {
		return len(ht) == 0
	}
	return len(h.lp) == 0
}

func (h *Hash) count() int {
	n := 0
	for i := 0; i < len(h.lp); n++ {
		_, next := readItem(h.lp, i)
		_, i = readItem(h.lp, next)
	}
	return n
}

// readItem returns the item at offset i of lp and the offset after it.
func readItem(lp []byte, i int) ([]byte, int) {
	l, w := binary.Uvarint(lp[i:])
	start := i + w
	end := start + int(l)
	return lp[start:end:end], end
}

func appendItem(b, item []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(item)))
	return append(b, item...)
}

// itemLen is the encoded size of an item of n bytes.
func itemLen(n int) int {
	w := 1
	for x := uint64(n); x >= 0x80; x >>= 7 {
		w++
	}
	return w + n
}

// alloc returns an empty buffer with room for at least n bytes: up to
// 4 KiB, exactly the allocator's size class for n (append rounds a new
// slice up to it), which costs nothing more than n and leaves the rest of
// the class for a later write to use in place. (Appending from zeros,
// unlike slices.Grow's append of a make, allocates once in race builds
// too.)
func alloc(n int) []byte {
	if n > len(zeros) {
		return make([]byte, 0, n)
	}
	return append([]byte(nil), zeros[:n]...)[:0]
}

var zeros [4096]byte

// find returns the offsets of field f's item, of its value's item and of the
// end of the value, or -1.
func (h *Hash) find(f []byte) (fo, vo, end int) {
	for i := 0; i < len(h.lp); {
		k, next := readItem(h.lp, i)
		_, after := readItem(h.lp, next)
		if string(k) == string(f) {
			return i, next, after
		}
		i = after
	}
	return -1, -1, -1
}

// Get returns the value of field f. The compact encoding returns its own
// bytes: use them before the next change of the hash.
func (h *Hash) Get(f []byte) ([]byte, bool) {
	if ht := h.table(); ht != nil {
		v, ok := ht[string(f)]
		if !ok {
			return nil, false
		}
		return []byte(v), true
	}
	_, vo, _ := h.find(f)
	if vo < 0 {
		return nil, false
	}
	v, _ := readItem(h.lp, vo)
	return v, true
}

// Has reports whether field f exists.
func (h *Hash) Has(f []byte) bool {
	if ht := h.table(); ht != nil {
		_, ok := ht[string(f)]
		return ok
	}
	fo, _, _ := h.find(f)
	return fo >= 0
}

func (h *Hash) convert() {
	m := make(map[string]string, h.count())
	for i := 0; i < len(h.lp); {
		k, next := readItem(h.lp, i)
		v, after := readItem(h.lp, next)
		m[string(k)] = string(v)
		i = after
	}
	h.ext().ht, h.lp = m, nil
}

// Set stores v in field f, reporting whether the field is new; SetPairs
// with one pair.
func (h *Hash) Set(f, v []byte, keepTTL bool, maxEntries, maxValue int) bool {
	p := [2][]byte{f, v}
	return h.SetPairs(p[:], keepTTL, maxEntries, maxValue) == 1
}

// SetPairs stores pairs, field, value, field, value..., as that many HSETs
// in a row would, and returns how many fields are new. keepTTL keeps the
// fields' deadlines (HINCRBY, HSETEX KEEPTTL); otherwise a new value drops
// them, as HSET does. As Redis's HSET does, the hash leaves the compact
// encoding first when any field or value is longer than maxValue (it turns
// wide, or converts when lp would pass wideMax), and once it has more than
// maxEntries fields. The pairs are copied; they must not alias the hash's
// own bytes (a value from Get).
//
// In the compact encoding the command costs at most one allocation: the
// size of the result is computed first (a field repeated in pairs counts
// once, with its last value), and the buffer is rewritten in place when
// its capacity holds every step without leaving more spare room than Trim
// allows, else built once at its final size.
func (h *Hash) SetPairs(pairs [][]byte, keepTTL bool, maxEntries, maxValue int) int {
	if !keepTTL {
		for i := 0; i < len(pairs); i += 2 {
			h.persist(pairs[i])
		}
	}
	if h.table() == nil && !h.wide() {
		for _, a := range pairs {
			if len(a) > maxValue {
				h.markWide()
				break
			}
		}
	}
	if ht := h.table(); ht != nil {
		return setFields(ht, pairs)
	}
	n := h.count()
	if len(pairs) > 2 && n+len(pairs)/2 > maxEntries {
		// it may convert part way (or repeat fields and not): one pair at a
		// time, as Redis goes
		added := 0
		for i := 0; i+1 < len(pairs); i += 2 {
			added += h.SetPairs(pairs[i:i+2], true, maxEntries, maxValue)
		}
		return added
	}
	size, grow, added := len(h.lp), 0, 0
	for i := 0; i < len(pairs); i += 2 {
		if !firstOf(pairs, i) {
			continue
		}
		v := lastValue(pairs, i)
		d := itemLen(len(v))
		if _, vo, end := h.find(pairs[i]); vo >= 0 {
			d -= end - vo
		} else {
			d += itemLen(len(pairs[i]))
			added++
		}
		size += d
		grow += max(d, 0)
	}
	if n+added > maxEntries || h.wide() && size > wideMax {
		h.convert()
		return setFields(h.x.ht, pairs)
	}
	if len(h.lp)+grow <= cap(h.lp) && cap(h.lp)-size <= size/4+16 {
		for i := 0; i < len(pairs); i += 2 {
			if firstOf(pairs, i) {
				h.putInPlace(pairs[i], lastValue(pairs, i))
			}
		}
		return added
	}
	nb := alloc(size)
	for i := 0; i < len(h.lp); {
		f, next := readItem(h.lp, i)
		_, after := readItem(h.lp, next)
		if v, ok := valueFor(pairs, f); ok {
			nb = appendItem(appendItem(nb, f), v)
		} else {
			nb = append(nb, h.lp[i:after]...)
		}
		i = after
	}
	for i := 0; i < len(pairs); i += 2 {
		if firstOf(pairs, i) && !h.Has(pairs[i]) {
			nb = appendItem(appendItem(nb, pairs[i]), lastValue(pairs, i))
		}
	}
	h.lp = nb
	return added
}

func setFields(ht map[string]string, pairs [][]byte) int {
	added := 0
	for i := 0; i+1 < len(pairs); i += 2 {
		if _, ok := ht[string(pairs[i])]; !ok {
			added++
		}
		ht[string(pairs[i])] = string(pairs[i+1])
	}
	return added
}

// firstOf reports whether pairs[i] is the first occurrence of its field.
func firstOf(pairs [][]byte, i int) bool {
	for j := 0; j < i; j += 2 {
		if bytes.Equal(pairs[j], pairs[i]) {
			return false
		}
	}
	return true
}

// lastValue returns the value the last pair naming field pairs[i] sets.
func lastValue(pairs [][]byte, i int) []byte {
	v, _ := valueFor(pairs[i:], pairs[i])
	return v
}

// valueFor returns the value the last pair naming field f sets.
func valueFor(pairs [][]byte, f []byte) ([]byte, bool) {
	for j := len(pairs) - 2; j >= 0; j -= 2 {
		if bytes.Equal(pairs[j], f) {
			return pairs[j+1], true
		}
	}
	return nil, false
}

// putInPlace sets field f to v within lp's capacity, which the caller has
// made sure of.
func (h *Hash) putInPlace(f, v []byte) {
	_, vo, end := h.find(f)
	if vo < 0 {
		h.lp = appendItem(appendItem(h.lp, f), v)
		return
	}
	old, size := len(h.lp), itemLen(len(v))
	nl := old + size - (end - vo)
	if size != end-vo {
		h.lp = h.lp[:max(nl, old)]
		copy(h.lp[vo+size:], h.lp[end:old])
		h.lp = h.lp[:nl]
	}
	w := binary.PutUvarint(h.lp[vo:], uint64(len(v)))
	copy(h.lp[vo+w:], v)
}

// Trim gives back the buffer's spare capacity when it is more than a
// quarter (plus a little), as after deletes: call it once after a command
// removed fields. The size class of a buffer never leaves that much spare.
func (h *Hash) Trim() {
	if len(h.lp) == 0 {
		h.lp = nil
		return
	}
	if cap(h.lp)-len(h.lp) > len(h.lp)/4+16 {
		h.lp = append(alloc(len(h.lp)), h.lp...)
	}
}

// Delete removes field f, reporting whether it existed. The compact
// encoding shrinks in place; Trim afterwards.
func (h *Hash) Delete(f []byte) bool {
	h.persist(f)
	if ht := h.table(); ht != nil {
		if _, ok := ht[string(f)]; !ok {
			return false
		}
		delete(ht, string(f))
		return true
	}
	fo, _, end := h.find(f)
	if fo < 0 {
		return false
	}
	h.lp = append(h.lp[:fo], h.lp[end:]...)
	return true
}

// Each calls fn for every field and value until fn returns false; in
// insertion order for the compact encoding. fn must not change the hash,
// and must copy what it keeps.
func (h *Hash) Each(fn func(f, v []byte) bool) {
	if ht := h.table(); ht != nil {
		for k, v := range ht {
			if !fn([]byte(k), []byte(v)) {
				return
			}
		}
		return
	}
	for i := 0; i < len(h.lp); {
		k, next := readItem(h.lp, i)
		v, after := readItem(h.lp, next)
		if !fn(k, v) {
			return
		}
		i = after
	}
}

// Pair is one field and its value.
type Pair struct{ Field, Value []byte }

// Pairs returns every field and value, in Each's order.
func (h *Hash) Pairs() []Pair {
	out := make([]Pair, 0, h.Len())
	h.Each(func(f, v []byte) bool {
		out = append(out, Pair{f, v})
		return true
	})
	return out
}

// FieldDeadline returns field f's deadline in unix ms, 0 when it has none.
func (h *Hash) FieldDeadline(f []byte) int64 {
	return h.ttls()[string(f)]
}

// SetFieldDeadline gives existing field f the deadline d (unix ms); 0
// removes it. After it, arm the entry's timer with Tx.ArmFieldTimer.
func (h *Hash) SetFieldDeadline(f []byte, d int64) {
	if d == 0 {
		h.persist(f)
		return
	}
	x := h.ext()
	if x.ttl == nil {
		x.ttl = make(map[string]int64)
	}
	x.ttl[string(f)] = d
	if x.next == 0 || d < x.next {
		x.next = d
	}
}

func (h *Hash) persist(f []byte) {
	ttl := h.ttls()
	if ttl == nil {
		return
	}
	d, ok := ttl[string(f)]
	if !ok {
		return
	}
	delete(ttl, string(f))
	switch {
	case len(ttl) == 0 && h.x.ht == nil && h.x.wide:
		h.x = wideOnly
	case len(ttl) == 0 && h.x.ht == nil:
		h.x = nil
	case len(ttl) == 0:
		h.x.ttl, h.x.next = nil, 0
	case d == h.x.next:
		h.x.next = 0
		for _, d := range ttl {
			if h.x.next == 0 || d < h.x.next {
				h.x.next = d
			}
		}
	}
}

// NextFieldDeadline returns the earliest field deadline, 0 when no field
// has one.
func (h *Hash) NextFieldDeadline() int64 {
	if h.x == nil {
		return 0
	}
	return h.x.next
}

// ExpireFields removes the fields whose deadline is at or before now and
// returns their names.
func (h *Hash) ExpireFields(now int64) [][]byte {
	if next := h.NextFieldDeadline(); next == 0 || next > now {
		return nil
	}
	var due [][]byte
	if ht := h.table(); ht != nil {
		for f, d := range h.x.ttl {
			if d <= now {
				due = append(due, []byte(f))
			}
		}
		slices.SortFunc(due, bytes.Compare)
	} else {
		// in the listpack's order, so effects are deterministic
		ttl := h.x.ttl
		h.Each(func(f, _ []byte) bool {
			if d, ok := ttl[string(f)]; ok && d <= now {
				due = append(due, append([]byte(nil), f...))
			}
			return true
		})
	}
	for _, f := range due {
		h.Delete(f)
	}
	h.Trim()
	return due
}
