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

// Reads in a BeginRead Tx, and the store's own walks that only read, do
// not capture a shard a snapshot waits for; a read or an expiry cycle that
// deletes an expired key, and a plain Begin, capture it first, so the
// snapshot still holds every key live at its mark.
func TestSnapshotReadsDoNotCapture(t *testing.T) {
	s := New(Options{Databases: 1, Shards: 8})
	var keys []string
	for i := range 200 {
		k := "k" + strconv.Itoa(i)
		keys = append(keys, k)
		put(s, 0, 0, k, "v", 150) // live at the mark (100), expired at 200
	}
	// two keys of shards the walk reaches after the first
	var late []string
	for _, k := range keys {
		if s.shardIndex([]byte(k)) > 1 && (len(late) == 0 || s.shardIndex([]byte(k)) != s.shardIndex([]byte(late[0]))) {
			late = append(late, k)
			if len(late) == 2 {
				break
			}
		}
	}
	encoded := 0
	got := map[string]bool{}
	first := true
	s.Snapshot(100, func([]DBCount) {}, func(e *Entry, b []byte) []byte {
		encoded++
		return append(b, e.Key+"\n"...)
	}, func(_ int, b []byte) bool {
		for _, k := range strings.Fields(string(b)) {
			got[k] = true
		}
		if !first {
			return true
		}
		first = false // the walk has captured the first shard only
		before := encoded
		for _, k := range keys {
			tx := s.BeginRead(100, 0, []byte(k))
			if tx.Get(0, []byte(k)) == nil {
				t.Errorf("%s not read", k)
			}
			tx.End()
		}
		tx := s.BeginReadKeys(100, 0, [][]byte{[]byte(keys[0]), []byte(keys[1])})
		tx.Get(0, []byte(keys[0]))
		tx.End()
		// walks that only read, and an expiry cycle with nothing due
		s.KeyCounts(0)
		s.AvgTTL(0, 100)
		s.Each(0, 100, func(*Entry) bool { return true })
		s.Scan(0, 100, 0, 1000, func(*Entry) {})
		s.SweepExpired(100, 1000)
		if encoded != before {
			t.Errorf("reads encoded %d keys", encoded-before)
		}
		// a read at 200 deletes late[0]: its shard is captured first
		tx = s.BeginRead(200, 0, []byte(late[0]))
		if tx.Get(0, []byte(late[0])) != nil {
			t.Errorf("%s read after its deadline", late[0])
		}
		tx.End()
		if encoded == before {
			t.Error("a read that expired a key did not capture its shard")
		}
		// a plain Begin captures too
		before = encoded
		tx = s.Begin(100, 0, []byte(late[1]))
		tx.End()
		if encoded == before {
			t.Error("Begin did not capture")
		}
		// the expiry cycle deletes every key now: each shard it changes
		// is captured first
		if n := s.SweepExpired(200, 1000); n == 0 {
			t.Error("nothing expired at 200")
		}
		return true
	})
	if len(got) != len(keys) {
		t.Fatalf("snapshot has %d keys, want %d", len(got), len(keys))
	}
}
