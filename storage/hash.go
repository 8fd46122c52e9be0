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
// each as a uvarint length and its bytes, in insertion order (the order
// Redis's listpack keeps): one allocation and no pointers per key. It turns
// into a Go map, ht, once it has more entries, or a longer field or value,
// than the limits passed in allow; like Redis it never turns back.
//
// ttl holds the deadlines, unix ms, of the fields that have one; nil while
// none does. next is the earliest of them (0 when ttl is nil), so checking a
// hash for due fields is one comparison.
type Hash struct {
	lp   []byte
	n    int
	ht   map[string]string
	ttl  map[string]int64
	next int64
}

// NewHash returns an empty hash in the compact encoding.
func NewHash() *Hash { return &Hash{} }

// Kind implements Object.
func (h *Hash) Kind() Kind { return KindHash }

// Encoding returns the name OBJECT ENCODING reports: listpack (listpackex
// once a field has a deadline, as Redis 7.4 says) or hashtable.
func (h *Hash) Encoding() string {
	if h.ht != nil {
		return "hashtable"
	}
	if h.ttl != nil {
		return "listpackex"
	}
	return "listpack"
}

// Clone returns a deep copy (COPY).
func (h *Hash) Clone() Object {
	c := &Hash{n: h.n, next: h.next}
	if h.lp != nil {
		c.lp = append([]byte(nil), h.lp...)
	}
	if h.ht != nil {
		c.ht = make(map[string]string, len(h.ht))
		for k, v := range h.ht {
			c.ht[k] = v
		}
	}
	if h.ttl != nil {
		c.ttl = make(map[string]int64, len(h.ttl))
		for k, v := range h.ttl {
			c.ttl[k] = v
		}
	}
	return c
}

// Len returns the number of fields.
func (h *Hash) Len() int {
	if h.ht != nil {
		return len(h.ht)
	}
	return h.n
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

// Get returns the value of field f.
func (h *Hash) Get(f []byte) ([]byte, bool) {
	if h.ht != nil {
		v, ok := h.ht[string(f)]
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
	if h.ht != nil {
		_, ok := h.ht[string(f)]
		return ok
	}
	fo, _, _ := h.find(f)
	return fo >= 0
}

// Fit converts the hash to the table encoding when any of args is longer
// than maxValue, as Redis's hashTypeTryConversion does before a write.
func (h *Hash) Fit(maxValue int, args ...[]byte) {
	if h.ht != nil {
		return
	}
	for _, a := range args {
		if len(a) > maxValue {
			h.convert()
			return
		}
	}
}

func (h *Hash) convert() {
	m := make(map[string]string, h.n)
	for i := 0; i < len(h.lp); {
		k, next := readItem(h.lp, i)
		v, after := readItem(h.lp, next)
		m[string(k)] = string(v)
		i = after
	}
	h.ht, h.lp, h.n = m, nil, 0
}

// Set stores v in field f, reporting whether the field is new. keepTTL
// keeps the field's deadline (HINCRBY); otherwise a new value drops it, as
// HSET does. The hash converts to the table encoding when it grows past
// maxEntries or v or f is longer than maxValue. f and v are copied.
func (h *Hash) Set(f, v []byte, keepTTL bool, maxEntries, maxValue int) bool {
	if !keepTTL {
		h.persist(f)
	}
	if h.ht == nil && (len(f) > maxValue || len(v) > maxValue) {
		h.convert()
	}
	if h.ht != nil {
		_, ok := h.ht[string(f)]
		h.ht[string(f)] = string(v)
		return !ok
	}
	_, vo, end := h.find(f)
	if vo >= 0 {
		old, _ := readItem(h.lp, vo)
		if len(old) == len(v) {
			copy(old, v)
			return false
		}
		tail := h.lp[end:]
		nb := make([]byte, 0, vo+binary.MaxVarintLen64+len(v)+len(tail))
		nb = append(nb, h.lp[:vo]...)
		nb = appendItem(nb, v)
		h.lp = append(nb, tail...)
		return false
	}
	need := 2*binary.MaxVarintLen64 + len(f) + len(v)
	if cap(h.lp)-len(h.lp) < need {
		nb := make([]byte, len(h.lp), len(h.lp)+need+len(h.lp)/4)
		copy(nb, h.lp)
		h.lp = nb
	}
	h.lp = appendItem(h.lp, f)
	h.lp = appendItem(h.lp, v)
	h.n++
	if h.n > maxEntries {
		h.convert()
	}
	return true
}

// Trim drops the spare capacity the compact encoding kept for growth when
// it is more than an eighth: call it after a write of many fields, so a
// hash written once keeps no slack.
func (h *Hash) Trim() {
	if h.lp != nil && cap(h.lp)-len(h.lp) > len(h.lp)/8+8 {
		h.lp = append(make([]byte, 0, len(h.lp)), h.lp...)
	}
}

// Delete removes field f, reporting whether it existed.
func (h *Hash) Delete(f []byte) bool {
	h.persist(f)
	if h.ht != nil {
		if _, ok := h.ht[string(f)]; !ok {
			return false
		}
		delete(h.ht, string(f))
		return true
	}
	fo, _, end := h.find(f)
	if fo < 0 {
		return false
	}
	h.lp = append(h.lp[:fo], h.lp[end:]...)
	h.n--
	return true
}

// Each calls fn for every field and value until fn returns false; in
// insertion order for the compact encoding. fn must not change the hash,
// and must copy what it keeps.
func (h *Hash) Each(fn func(f, v []byte) bool) {
	if h.ht != nil {
		for k, v := range h.ht {
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
	if h.ttl == nil {
		return 0
	}
	return h.ttl[string(f)]
}

// SetFieldDeadline gives existing field f the deadline d (unix ms); 0
// removes it. After it, arm the entry's timer with Tx.ArmFieldTimer.
func (h *Hash) SetFieldDeadline(f []byte, d int64) {
	if d == 0 {
		h.persist(f)
		return
	}
	if h.ttl == nil {
		h.ttl = make(map[string]int64)
	}
	h.ttl[string(f)] = d
	if h.next == 0 || d < h.next {
		h.next = d
	}
}

func (h *Hash) persist(f []byte) {
	if h.ttl == nil {
		return
	}
	d, ok := h.ttl[string(f)]
	if !ok {
		return
	}
	delete(h.ttl, string(f))
	if len(h.ttl) == 0 {
		h.ttl, h.next = nil, 0
	} else if d == h.next {
		h.recomputeNext()
	}
}

func (h *Hash) recomputeNext() {
	h.next = 0
	for _, d := range h.ttl {
		if h.next == 0 || d < h.next {
			h.next = d
		}
	}
}

// NextFieldDeadline returns the earliest field deadline, 0 when no field
// has one.
func (h *Hash) NextFieldDeadline() int64 { return h.next }

// ExpireFields removes the fields whose deadline is at or before now and
// returns their names.
func (h *Hash) ExpireFields(now int64) [][]byte {
	if h.next == 0 || h.next > now {
		return nil
	}
	var due [][]byte
	if h.ht != nil {
		for f, d := range h.ttl {
			if d <= now {
				due = append(due, []byte(f))
			}
		}
		slices.SortFunc(due, bytes.Compare)
	} else {
		// in the listpack's order, so effects are deterministic
		h.Each(func(f, _ []byte) bool {
			if d, ok := h.ttl[string(f)]; ok && d <= now {
				due = append(due, append([]byte(nil), f...))
			}
			return true
		})
	}
	for _, f := range due {
		h.Delete(f)
	}
	return due
}
