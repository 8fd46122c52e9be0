package server

import (
	"math"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// infoInt reads one integer field of an INFO section.
func infoInt(t *testing.T, c *rawConn, section, field string) int64 {
	t.Helper()
	for _, line := range strings.Split(c.do("INFO", section), "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatalf("INFO %s: %s = %q", section, field, v)
			}
			return n
		}
	}
	t.Fatalf("INFO %s has no %s", section, field)
	return 0
}

// heapAfterGC is the live heap right after a collection (liveHeap reports
// what the last collection marked).
func heapAfterGC() int64 {
	runtime.GC()
	return int64(liveHeap())
}

// TestUsedMemoryTracksTheDataset loads sessions through the protocol (1 KiB
// strings with a TTL and 10-field hashes) and compares INFO's
// used_memory_dataset with what the server's heap grew by, then checks it
// falls back when the keys go.
func TestUsedMemoryTracksTheDataset(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 20,000 keys")
	}
	_, c, _ := keyStart(t)
	before, dsBefore := heapAfterGC(), infoInt(t, c, "memory", "used_memory_dataset")
	value := strings.Repeat("v", 1024)
	for i := range 10000 {
		id := strconv.Itoa(i)
		c.do("SET", "sess:"+id, value, "EX", "3600")
		c.do("HSET", "user:"+id, "name", "n"+id, "email", id+"@example.com", "a", "1", "b", "2", "c", "3",
			"d", "4", "e", "5", "f", "6", "g", "7", "h", "8")
	}
	grew := heapAfterGC() - before
	ds := infoInt(t, c, "memory", "used_memory_dataset") - dsBefore
	t.Logf("20,000 keys: dataset %d bytes, heap grew %d (%.3f)", ds, grew, float64(ds)/float64(grew))
	if r := float64(ds) / float64(grew); math.Abs(r-1) > 0.15 {
		t.Errorf("used_memory_dataset grew by %.3f of the heap, want within 15%%", r)
	}
	if used := infoInt(t, c, "memory", "used_memory"); used < ds {
		t.Errorf("used_memory %d is below the dataset's %d", used, ds)
	}
	c.do("FLUSHALL")
	if got := infoInt(t, c, "memory", "used_memory_dataset"); got != 0 {
		t.Errorf("after FLUSHALL used_memory_dataset = %d, want 0", got)
	}
}

// TestMaxmemoryNoeviction: above maxmemory, commands that add data get
// Redis's -OOM, reads and deletes go on, nothing is evicted, and writes
// come back once deletes make room.
func TestMaxmemoryNoeviction(t *testing.T) {
	cfg := newTestConfig()
	s, addr := startServer(t, cfg, nil)
	c := dial(t, addr)
	cfg.mu.Lock()
	// the policies keep a tenth of maxmemory for the collector
	cfg.maxmemory = (s.usedMemory() + 100<<10) * gcReserve / (gcReserve - 1)
	cfg.mu.Unlock()
	s.applyMaxmemory()
	value := strings.Repeat("v", 1024)
	stored := 0
	for ; stored < 1000; stored++ {
		r := c.do("SET", "k"+strconv.Itoa(stored), value)
		if r == kErr(errOOM) {
			break
		}
		if r != kOK {
			t.Fatalf("SET k%d = %q", stored, r)
		}
	}
	if stored < 50 || stored >= 1000 {
		t.Fatalf("%d SETs of 1 KiB fitted under 100 KiB of headroom", stored)
	}
	runSteps(t, c, []replyStep{
		step(kErr(errOOM), "SET", "more", "x"),
		step(kErr(errOOM), "RPUSH", "l", "x"),
		step(kErr(errOOM), "APPEND", "k0", "x"),
		step(kBulk(value), "GET", "k0"),
		step(kInt(int64(stored)), "DBSIZE"),
		step(kInt(0), "EXISTS", "more"),
	})
	for i := range 20 {
		c.do("DEL", "k"+strconv.Itoa(i))
	}
	runSteps(t, c, []replyStep{step(kOK, "SET", "more", "x"), step(kInt(int64(stored-20+1)), "DBSIZE")})
	if got := infoInt(t, c, "stats", "evicted_keys"); got != 0 {
		t.Errorf("evicted_keys = %d under noeviction", got)
	}
}
