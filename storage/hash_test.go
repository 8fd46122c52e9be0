package storage

import (
	"strings"
	"testing"
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
	tr.Trim()
	if len(tr.lp) != 9*(1+2+1+8) || cap(tr.lp) > len(tr.lp)+len(tr.lp)/8+8 {
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
