package storage

import (
	"bytes"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// TestSnapshotIsOfOneInstant: writers that start the moment the snapshot
// marks its instant (overwriting, deleting, adding keys, FLUSHDB, SWAPDB)
// change none of what it hands out: exactly the live keys at the mark,
// each database's in its own batches, with the counts at the mark.
func TestSnapshotIsOfOneInstant(t *testing.T) {
	s := New(Options{Databases: 3, Shards: 8})
	want := map[string]string{}
	for db := range 3 {
		for i := range 500 {
			k := "k" + strconv.Itoa(i)
			var deadline int64
			if i%10 == 0 {
				deadline = 50 // expired at the snapshot's now
			} else {
				want[fmt.Sprint(db, "/", k)] = "v" + strconv.Itoa(db*1000+i)
			}
			put(s, 0, db, k, "v"+strconv.Itoa(db*1000+i), deadline)
		}
	}
	got := map[string]string{}
	var counts []DBCount
	start := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for i := range 500 {
				k := "k" + strconv.Itoa(i)
				db := (i + w) % 3
				switch i % 7 {
				case 0:
					tx := s.Begin(100, db, []byte(k))
					tx.Delete(db, []byte(k))
					tx.End()
				case 1:
					put(s, 100, db, "new"+k, "x", 0)
				default:
					put(s, 100, db, k, "changed", 0)
				}
			}
			if w == 0 {
				s.Flush(1)
				s.Swap(0, 2)
			}
		}()
	}
	s.Snapshot(100, func(c []DBCount) {
		counts = c
		close(start)
	}, func(e *Entry, b []byte) []byte {
		return append(b, e.Key+"="+string(e.Str)+"\n"...)
	}, func(dbi int, b []byte) bool {
		for len(b) > 0 {
			var line []byte
			line, b, _ = bytes.Cut(b, []byte("\n"))
			k, v, _ := strings.Cut(string(line), "=")
			got[fmt.Sprint(dbi, "/", k)] = v
		}
		return true
	})
	wg.Wait()
	if !maps.Equal(got, want) {
		t.Fatalf("snapshot has %d keys, want %d", len(got), len(want))
	}
	for db, c := range counts {
		if c.Keys != 500 || c.Volatile != 50 {
			t.Fatalf("db %d counts %+v", db, c)
		}
	}
	// the shards are all captured and free again: a later snapshot sees
	// the writers' result
	n := 0
	s.Snapshot(100, func([]DBCount) {}, func(e *Entry, b []byte) []byte { n++; return b },
		func(int, []byte) bool { return true })
	if n == 0 {
		t.Fatal("second snapshot saw nothing")
	}
}

// A walk stopped by out leaves the shards it had not reached alone: later
// commands lock them without encoding anything.
func TestSnapshotStopped(t *testing.T) {
	s := New(Options{Databases: 2, Shards: 4})
	for i := range 100 {
		put(s, 0, i%2, "k"+strconv.Itoa(i), "v", 0)
	}
	encoded := 0
	s.Snapshot(0, func([]DBCount) {}, func(e *Entry, b []byte) []byte { encoded++; return append(b, e.Key...) },
		func(int, []byte) bool { return false })
	before := encoded
	for i := range 100 {
		put(s, 0, i%2, "k"+strconv.Itoa(i), "w", 0)
	}
	if encoded != before || before > 50 {
		t.Fatalf("encoded %d keys for the first shard, %d after the stop", before, encoded-before)
	}
}

// A shard is handed out in pieces that end at a key's end and grow no
// bigger than a piece and one key; the pieces are reused, so a snapshot
// allocates about one shard's worth, not one buffer per shard.
func TestSnapshotPieces(t *testing.T) {
	s := New(Options{Databases: 1, Shards: 2})
	val := strings.Repeat("v", 1000)
	const keys = 3000 // about 1.5 MB a shard: several pieces each
	for i := range keys {
		put(s, 0, 0, fmt.Sprintf("k%05d", i), val, 0)
	}
	entry := len("k00000=") + len(val) + 1
	seen := map[string]bool{}
	outs := 0
	firsts := map[*byte]bool{} // distinct backing arrays handed out
	s.Snapshot(0, func([]DBCount) {}, func(e *Entry, b []byte) []byte {
		return append(b, e.Key+"="+string(e.Str)+"\n"...)
	}, func(_ int, b []byte) bool {
		outs++
		firsts[&b[:1][0]] = true
		if len(b) >= snapPiece+entry || len(b)%entry != 0 {
			t.Fatalf("a piece of %d bytes: want whole keys, under %d", len(b), snapPiece+entry)
		}
		for len(b) > 0 {
			var line []byte
			line, b, _ = bytes.Cut(b, []byte("\n"))
			k, v, _ := strings.Cut(string(line), "=")
			if v != val || seen[k] {
				t.Fatalf("key %q: value of %d bytes, seen before %v", k, len(v), seen[k])
			}
			seen[k] = true
		}
		return true
	})
	if len(seen) != keys {
		t.Fatalf("%d keys handed out, want %d", len(seen), keys)
	}
	// the second shard's pieces are the first one's again
	if outs < 8 || len(firsts) > outs-4 {
		t.Fatalf("%d pieces in %d distinct buffers", outs, len(firsts))
	}
}
