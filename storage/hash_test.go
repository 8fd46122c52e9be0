package storage

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

func TestHashCompactAndConvert(t *testing.T) {
	h := NewHash()
	if !h.Set([]byte("a"), []byte("1"), false, 3, 8) || h.Set([]byte("a"), []byte("22"), false, 3, 8) {
		t.Fatal("Set new/existing")
	}
	h.Set([]byte("b"), []byte(""), false, 3, 8)
	h.Set([]byte(""), []byte("x"), false, 3, 8)
	if h.Encoding() != "listpack" || h.Len() != 3 {
		t.Fatalf("encoding %s len %d", h.Encoding(), h.Len())
	}
	var order []string
	h.Each(func(f, v []byte) bool { order = append(order, string(f)+"="+string(v)); return true })
	if strings.Join(order, ",") != "a=22,b=,=x" {
		t.Fatalf("order %q", order)
	}
	c := h.Clone().(*Hash)
	c.Set([]byte("a"), []byte("zz"), false, 3, 8) // same length: written in place
	if v, _ := h.Get([]byte("a")); string(v) != "22" {
		t.Fatalf("clone shares memory: %q", v)
	}
	if !h.Delete([]byte("b")) || h.Delete([]byte("b")) || h.Has([]byte("b")) || h.Len() != 2 {
		t.Fatal("Delete")
	}
	h.Set([]byte("c"), []byte("3"), false, 3, 8)
	h.Set([]byte("d"), []byte("4"), false, 3, 8) // a fourth entry: past the limit
	if h.Encoding() != "hashtable" || h.Len() != 4 {
		t.Fatalf("encoding %s len %d", h.Encoding(), h.Len())
	}
	h.Delete([]byte("d"))
	if h.Encoding() != "hashtable" {
		t.Fatal("conversion must be one way")
	}
	tr := NewHash()
	for _, f := range []string{"f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9"} {
		tr.Set([]byte(f), []byte("12345678"), false, 512, 64)
	}
	if len(tr.lp) != 9*(1+2+1+8) || cap(tr.lp) > len(tr.lp)+len(tr.lp)/4+16 {
		t.Fatalf("len %d cap %d", len(tr.lp), cap(tr.lp))
	}
	for _, f := range []string{"f1", "f2", "f3", "f4", "f5", "f6", "f7"} {
		tr.Delete([]byte(f))
	}
	tr.Trim()
	if len(tr.lp) != 2*(1+2+1+8) || cap(tr.lp) > len(tr.lp)+len(tr.lp)/4+16 {
		t.Fatalf("trimmed len %d cap %d", len(tr.lp), cap(tr.lp))
	}
	if v, ok := tr.Get([]byte("f9")); !ok || string(v) != "12345678" {
		t.Fatal("Trim lost data")
	}
	long := NewHash()
	long.Set([]byte("f"), []byte("123456789"), false, 3, 8)
	if long.Encoding() != "hashtable" {
		t.Fatal("a long value converts")
	}
}

// A hash with long values reports hashtable, as Redis's would, but stays
// in its buffer up to wideMax bytes: a session of ten 100-byte fields
// costs its bytes, not a map's.
func TestHashWide(t *testing.T) {
	h := NewHash()
	v := bytes.Repeat([]byte("v"), 100)
	for i := range 10 {
		h.Set([]byte("field"+strconv.Itoa(i)), v, false, 128, 64)
	}
	if h.Encoding() != "hashtable" || h.table() != nil || h.Len() != 10 {
		t.Fatalf("encoding %s, table %v, len %d", h.Encoding(), h.table() != nil, h.Len())
	}
	if got, ok := h.Get([]byte("field3")); !ok || !bytes.Equal(got, v) {
		t.Fatalf("Get %q %v", got, ok)
	}
	if u := h.memoryUsage(0); u > 1200 || h.x != wideOnly {
		t.Errorf("MEMORY USAGE of ten 100-byte fields: %d bytes (shared flag %v)", u, h.x == wideOnly)
	}
	// a field deadline set and dropped leaves it wide, and the shared
	// flag untouched
	h.SetFieldDeadline([]byte("field1"), 100)
	if h.x == wideOnly || !h.wide() || h.NextFieldDeadline() != 100 {
		t.Fatal("a deadline on a wide hash")
	}
	h.SetFieldDeadline([]byte("field1"), 0)
	if w := wideOnly; h.x != w || w.ht != nil || w.ttl != nil || w.next != 0 || !w.wide {
		t.Fatalf("x %+v, wideOnly %+v", h.x, wideOnly)
	}
	for i := range 9 {
		h.Delete([]byte("field" + strconv.Itoa(i)))
	}
	h.Trim()
	if h.Encoding() != "hashtable" {
		t.Fatal("wide must be one way, as the conversion is")
	}
	c := h.Clone().(*Hash)
	if c.Encoding() != "hashtable" || c.Len() != 1 {
		t.Fatal("Clone lost wide")
	}
	// past wideMax bytes: the map
	for i := 0; len(h.lp) <= wideMax-len(v)-10 && i < 1000; i++ {
		h.Set([]byte("g"+strconv.Itoa(i)), v, false, 1000, 64)
	}
	if h.table() != nil {
		t.Fatalf("converted at %d bytes", len(h.lp))
	}
	n := h.Len()
	h.Set([]byte("last"), v, false, 1000, 64)
	if h.table() == nil || h.Len() != n+1 || h.Encoding() != "hashtable" {
		t.Fatalf("not converted past wideMax: table %v, len %d", h.table() != nil, h.Len())
	}
	// a value longer than wideMax converts at once
	big := NewHash()
	big.Set([]byte("f"), make([]byte, wideMax+1), false, 128, 64)
	if big.table() == nil {
		t.Fatal("a value past wideMax stays in the buffer")
	}
}

func TestHashFieldDeadlines(t *testing.T) {
	h := NewHash()
	for _, f := range []string{"a", "b", "c"} {
		h.Set([]byte(f), []byte("v"), false, 512, 64)
	}
	h.SetFieldDeadline([]byte("b"), 200)
	h.SetFieldDeadline([]byte("a"), 100)
	if h.NextFieldDeadline() != 100 || h.Encoding() != "listpackex" {
		t.Fatalf("next %d enc %s", h.NextFieldDeadline(), h.Encoding())
	}
	h.SetFieldDeadline([]byte("a"), 0)
	if h.NextFieldDeadline() != 200 {
		t.Fatalf("next after persist %d", h.NextFieldDeadline())
	}
	h.SetFieldDeadline([]byte("c"), 150)
	h.Set([]byte("c"), []byte("w"), true, 512, 64)
	if h.FieldDeadline([]byte("c")) != 150 {
		t.Fatal("keepTTL lost the deadline")
	}
	if due := h.ExpireFields(149); due != nil {
		t.Fatalf("early %q", due)
	}
	if due := h.ExpireFields(200); len(due) != 2 || string(due[0]) != "b" || string(due[1]) != "c" {
		t.Fatalf("due %q", due)
	}
	if h.Len() != 1 || h.NextFieldDeadline() != 0 || h.Encoding() != "listpack" {
		t.Fatalf("after expiry len %d next %d", h.Len(), h.NextFieldDeadline())
	}
}

func TestStoreSweepsHashFields(t *testing.T) {
	s := New(Options{Databases: 1, Shards: 1})
	var effects []string
	s.SetEffectSink(func(e Effect) {
		var parts []string
		for _, a := range e.Args {
			parts = append(parts, string(a))
		}
		effects = append(effects, strings.Join(parts, " "))
	})
	h := NewHash()
	h.Set([]byte("a"), []byte("1"), false, 512, 64)
	h.Set([]byte("b"), []byte("2"), false, 512, 64)
	tx := s.Begin(0, 0, []byte("k"))
	e := tx.Put(0, []byte("k"), nil, h, 0)
	h.SetFieldDeadline([]byte("a"), 10)
	h.SetFieldDeadline([]byte("b"), 20)
	tx.ArmFieldTimer(0, e)
	tx.End()
	if n := s.SweepExpired(9, 10); n != 0 {
		t.Fatalf("swept %d early", n)
	}
	s.SweepExpired(10, 10)
	if h.Len() != 1 || strings.Join(effects, ";") != "HDEL k a" {
		t.Fatalf("len %d effects %q", h.Len(), effects)
	}
	s.SweepExpired(25, 10)
	if keys := s.SortedKeys(0, 25); len(keys) != 0 || strings.Join(effects, ";") != "HDEL k a;HDEL k b" {
		t.Fatalf("keys %q effects %q", keys, effects)
	}
}

func TestGetDropsDueFields(t *testing.T) {
	s := New(Options{Databases: 1, Shards: 1})
	h := NewHash()
	h.Set([]byte("a"), []byte("1"), false, 512, 64)
	tx := s.Begin(0, 0, []byte("k"))
	tx.Put(0, []byte("k"), nil, h, 0)
	h.SetFieldDeadline([]byte("a"), 10)
	tx.End()
	tx = s.Begin(9, 0, []byte("k"))
	if tx.Get(0, []byte("k")) == nil {
		t.Fatal("gone early")
	}
	tx.End()
	tx = s.Begin(10, 0, []byte("k"))
	defer tx.End()
	if tx.Get(0, []byte("k")) != nil || s.Stats().ExpiredFields.Load() != 1 {
		t.Fatal("a hash whose last field expired is still there")
	}
}

// seqHash is the reference for SetPairs: fields in insertion order, set
// one pair at a time as Redis's HSET does.
type seqHash struct {
	fields, values []string
	table          bool // converted: order no longer matters
}

func (m *seqHash) set(f, v string, maxEntries, maxValue int) bool {
	if len(f) > maxValue || len(v) > maxValue {
		m.table = true
	}
	for i := range m.fields {
		if m.fields[i] == f {
			m.values[i] = v
			return false
		}
	}
	m.fields, m.values = append(m.fields, f), append(m.values, v)
	if len(m.fields) > maxEntries {
		m.table = true
	}
	return true
}

func (m *seqHash) del(f string) bool {
	for i := range m.fields {
		if m.fields[i] == f {
			m.fields = append(m.fields[:i], m.fields[i+1:]...)
			m.values = append(m.values[:i], m.values[i+1:]...)
			return true
		}
	}
	return false
}

// check compares h with m: contents, and the order and encoding while m
// is compact; and that the buffer keeps no more than a size class of
// spare room after Trim.
func (m *seqHash) check(t *testing.T, h *Hash, step int) {
	t.Helper()
	var got []string
	h.Each(func(f, v []byte) bool { got = append(got, string(f)+"="+string(v)); return true })
	var want []string
	for i := range m.fields {
		want = append(want, m.fields[i]+"="+m.values[i])
	}
	if m.table {
		slices.Sort(got)
		slices.Sort(want)
	}
	if !slices.Equal(got, want) || h.Len() != len(m.fields) || h.Empty() != (len(m.fields) == 0) {
		t.Fatalf("step %d: got %q (len %d), want %q", step, got, h.Len(), want)
	}
	if enc := h.Encoding(); (enc == "hashtable") != m.table {
		t.Fatalf("step %d: encoding %s, model table %v", step, enc, m.table)
	}
}

// SetPairs, whichever way it writes (in place, one new buffer, or one pair
// at a time near the entry limit), agrees with HSETs of one pair each in a
// row: new-field count, order (a repeated field keeps its first place and
// its last value), values, and when the hash converts.
func TestHashSetPairsMatchesSequential(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3, 4} {
		r := rand.New(rand.NewPCG(seed, 7))
		maxEntries, maxValue := 4+r.IntN(30), 100+r.IntN(200)
		h, m := NewHash(), &seqHash{}
		for step := 0; step < 4000; step++ {
			if h.Encoding() == "hashtable" && r.IntN(50) == 0 {
				h, m = NewHash(), &seqHash{} // start over: conversion is one way
			}
			field := func() string { return "f" + strconv.Itoa(r.IntN(maxEntries+4)) }
			switch r.IntN(4) {
			case 0:
				for n := 1 + r.IntN(3); n > 0; n-- {
					f := field()
					if h.Delete([]byte(f)) != m.del(f) {
						t.Fatalf("seed %d step %d: Delete(%s) disagrees", seed, step, f)
					}
				}
				h.Trim()
			default:
				var pairs [][]byte
				want := 0
				for n := 1 + r.IntN(6); n > 0; n-- {
					f := field()
					// lengths around 127, where the length prefix widens
					v := strings.Repeat(strconv.Itoa(r.IntN(10)), []int{0, 1, 8, 126, 127, 128, 130}[r.IntN(7)])
					if r.IntN(200) == 0 {
						v = strings.Repeat("x", maxValue+1)
					}
					pairs = append(pairs, []byte(f), []byte(v))
					if m.set(f, v, maxEntries, maxValue) {
						want++
					}
				}
				if got := h.SetPairs(pairs, false, maxEntries, maxValue); got != want {
					t.Fatalf("seed %d step %d: SetPairs %q added %d, want %d", seed, step, pairs, got, want)
				}
			}
			m.check(t, h, step)
			if h.table() == nil && cap(h.lp) > len(h.lp)+len(h.lp)/4+16 {
				t.Fatalf("seed %d step %d: len %d cap %d", seed, step, len(h.lp), cap(h.lp))
			}
		}
	}
}

// A value of another length, a repeated field, and keepTTL.
func TestHashSetPairsInPlace(t *testing.T) {
	h := NewHash()
	pairs := [][]byte{[]byte("a"), []byte("1"), []byte("b"), []byte("22"), []byte("a"), []byte("333")}
	if n := h.SetPairs(pairs, false, 512, 64); n != 2 {
		t.Fatalf("added %d", n)
	}
	if !bytes.Equal(h.lp, []byte("\x01a\x03333\x01b\x0222")) {
		t.Fatalf("lp %q", h.lp)
	}
	buf := &h.lp[0]
	h.Set([]byte("a"), []byte("4"), false, 512, 64) // shrinks within the buffer
	h.Set([]byte("b"), []byte("55555"), false, 512, 64)
	if !bytes.Equal(h.lp, []byte("\x01a\x014\x01b\x0555555")) || &h.lp[0] != buf {
		t.Fatalf("lp %q moved %v", h.lp, &h.lp[0] != buf)
	}
	h.SetFieldDeadline([]byte("a"), 100)
	h.SetPairs([][]byte{[]byte("a"), []byte("6")}, true, 512, 64)
	if h.FieldDeadline([]byte("a")) != 100 || h.Encoding() != "listpackex" {
		t.Fatal("keepTTL")
	}
	h.SetPairs([][]byte{[]byte("a"), []byte("7")}, false, 512, 64)
	if h.FieldDeadline([]byte("a")) != 0 || h.Encoding() != "listpack" || h.x != nil {
		t.Fatal("a new value drops the deadline, and the side struct with the last one")
	}
}

// A hash of ten small fields is a 32-byte header and one buffer: written
// by one SetPairs, it costs those two allocations; an update of a value of
// the same length, or one that fits the buffer's size class, costs none.
func TestHashAllocs(t *testing.T) {
	var pairs [][]byte
	for i := 0; i < 10; i++ {
		pairs = append(pairs, []byte("field:"+strconv.Itoa(i)), []byte("vvvvvvvv"))
	}
	var h *Hash
	if n := testing.AllocsPerRun(100, func() {
		h = NewHash()
		h.SetPairs(pairs, false, 512, 64)
	}); n != 2 {
		t.Errorf("new hash of 10 fields: %.1f allocations, want 2", n)
	}
	if len(h.lp) != 10*(1+7+1+8) || cap(h.lp) > 176 {
		t.Errorf("buffer len %d cap %d", len(h.lp), cap(h.lp))
	}
	if n := testing.AllocsPerRun(100, func() {
		h.SetPairs(pairs[:4], false, 512, 64)
		h.Set([]byte("field:3"), []byte("wwwwwwww"), false, 512, 64)
	}); n != 0 {
		t.Errorf("same-length updates: %.1f allocations, want 0", n)
	}
	if n := testing.AllocsPerRun(100, func() {
		h.Set([]byte("field:3"), []byte("w"), false, 512, 64)
		h.Set([]byte("field:3"), []byte("wwwwwwww"), false, 512, 64)
		h.Delete([]byte("field:9"))
		h.Set([]byte("field:9"), []byte("vvvvvvvv"), false, 512, 64)
	}); n != 0 {
		t.Errorf("updates within the buffer: %.1f allocations, want 0", n)
	}
	if got := unsafe.Sizeof(Hash{}); got != 32 {
		t.Errorf("Hash header is %d bytes, want 32", got)
	}
}
