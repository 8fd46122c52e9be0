package server

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"sessiond/config"
)

// startWithConfig runs a server on the real configuration, with Redis's
// memory defaults (no limit, noeviction) until a test sets its own.
func startWithConfig(t *testing.T) (*Server, *rawConn) {
	t.Helper()
	cfg := config.Default()
	if err := cfg.Set([]string{"maxmemory", "0", "maxmemory-policy", "noeviction"}); err != nil {
		t.Fatal(err)
	}
	s, addr := startServer(t, cfg, nil)
	return s, dial(t, addr)
}

// roomFor is a maxmemory that leaves room bytes for data past what s
// uses now, by the server's own rule (applyMaxmemory: the budget is
// maxmemory less its gcReserve share and the heap at start-up, which in a
// test process holds earlier tests' servers too).
func roomFor(s *Server, room int64) int64 {
	return (s.usedMemory()+room)*gcReserve/(gcReserve-1) + 1
}

// TestEvictionPolicies: under every evicting policy, writing three times
// maxmemory in 1 KiB values gets +OK for every write (volatile policies:
// keys with a TTL), each value reads back at once under the LFU policies,
// used_memory stays near
// maxmemory, and evicted_keys counts what went.
func TestEvictionPolicies(t *testing.T) {
	for _, policy := range []string{"allkeys-lfu", "allkeys-lru", "allkeys-random", "volatile-lfu", "volatile-lru",
		"volatile-random", "volatile-ttl"} {
		t.Run(policy, func(t *testing.T) {
			s, c := startWithConfig(t)
			limit := roomFor(s, 2<<20)
			if r := c.do("CONFIG", "SET", "maxmemory", strconv.FormatInt(limit, 10), "maxmemory-policy", policy); r != kOK {
				t.Fatalf("CONFIG SET: %q", r)
			}
			value := strings.Repeat("v", 1024)
			n := int(3 * (2 << 20) / 1024)
			for i := range n {
				k := "k" + strconv.Itoa(i)
				if r := c.do("SET", k, value, "EX", strconv.Itoa(1000+i)); r != kOK {
					t.Fatalf("SET %s: %q", k, r)
				}
				// The LFU window keeps every new key until it is read;
				// under LRU (one-second clock, as Redis's) and random, a
				// key can go before its read when every key is as fresh
				// (Redis evicts before each command: the same there).
				if r := c.do("GET", k); strings.HasSuffix(policy, "-lfu") && r != kBulk(value) {
					t.Fatalf("GET %s right after SET: %.40q", k, r)
				}
			}
			// ristretto is asynchronous: wait for the evictor to catch up
			waitFor(t, 10*time.Second, "used_memory within maxmemory", func() bool {
				return infoInt(t, c, "memory", "used_memory") <= limit+limit/32
			})
			// every key written is either there or counted as evicted (read
			// both between two equal evicted_keys: the evictor may still run)
			var ev, keys int64
			waitFor(t, 10*time.Second, "evicted_keys + DBSIZE = keys written", func() bool {
				ev = infoInt(t, c, "stats", "evicted_keys")
				keys = 0
				if r := c.do("DBSIZE"); strings.HasPrefix(r, ":") {
					keys, _ = strconv.ParseInt(strings.TrimSpace(r[1:]), 10, 64)
				}
				return ev == infoInt(t, c, "stats", "evicted_keys") && ev+keys == int64(n)
			})
			if ev == 0 {
				t.Error("nothing evicted")
			}
			if policy == "volatile-ttl" {
				// the nearest deadlines went first
				if r := c.do("EXISTS", "k"+strconv.Itoa(n-1)); r != kInt(1) {
					t.Errorf("the key with the farthest deadline was evicted")
				}
			}
		})
	}
}

// TestVolatilePolicyWithoutVolatileKeys: with nothing it may evict, a
// volatile policy refuses writes with -OOM, as noeviction does.
func TestVolatilePolicyWithoutVolatileKeys(t *testing.T) {
	s, c := startWithConfig(t)
	limit := roomFor(s, 1<<20)
	c.do("CONFIG", "SET", "maxmemory", strconv.FormatInt(limit, 10), "maxmemory-policy", "volatile-lru")
	value := strings.Repeat("v", 1024)
	oom := 0
	for i := range 3000 {
		switch r := c.do("SET", "p"+strconv.Itoa(i), value); r {
		case kOK:
		case kErr(errOOM):
			oom++
		default:
			t.Fatalf("SET: %q", r)
		}
	}
	if oom == 0 || infoInt(t, c, "stats", "evicted_keys") != 0 {
		t.Errorf("%d OOM replies, evicted_keys %d", oom, infoInt(t, c, "stats", "evicted_keys"))
	}
	if r := c.do("GET", "p0"); r != kBulk(value) {
		t.Errorf("reads stopped: %.40q", r)
	}
}

// TestShrinkingMaxmemoryEvicts: CONFIG SET maxmemory below the dataset
// evicts down to it without any further command.
func TestShrinkingMaxmemoryEvicts(t *testing.T) {
	for _, policy := range []string{"allkeys-lfu", "allkeys-lru"} {
		t.Run(policy, func(t *testing.T) {
			s, c := startWithConfig(t)
			value := strings.Repeat("v", 1024)
			for i := range 4000 {
				c.do("SET", "k"+strconv.Itoa(i), value)
			}
			limit := s.usedMemory() - 2<<20
			if r := c.do("CONFIG", "SET", "maxmemory-policy", policy, "maxmemory", strconv.FormatInt(limit, 10)); r != kOK {
				t.Fatalf("CONFIG SET: %q", r)
			}
			waitFor(t, 10*time.Second, "used_memory within the smaller maxmemory", func() bool {
				return infoInt(t, c, "memory", "used_memory") <= limit+limit/32
			})
			if ev := infoInt(t, c, "stats", "evicted_keys"); ev < 1000 {
				t.Errorf("evicted_keys %d", ev)
			}
		})
	}
}

// TestMemoryStats: MEMORY STATS has Redis's fields; keys.count is DBSIZE.
func TestMemoryStats(t *testing.T) {
	_, c := startWithConfig(t)
	c.do("SET", "a", "1")
	c.do("SET", "b", "2", "EX", "100")
	r := c.do("MEMORY", "STATS")
	if !strings.HasPrefix(r, "*56\r\n") {
		t.Fatalf("MEMORY STATS: %.60q", r)
	}
	for _, f := range []string{"peak.allocated", "total.allocated", "startup.allocated", "overhead.total", "db.0",
		"overhead.hashtable.main", "overhead.hashtable.expires", "keys.bytes-per-key", "dataset.bytes",
		"dataset.percentage", "fragmentation", "fragmentation.bytes", "allocator.resident"} {
		if !strings.Contains(r, "$"+strconv.Itoa(len(f))+"\r\n"+f+"\r\n") {
			t.Errorf("MEMORY STATS lacks %s", f)
		}
	}
	if !strings.Contains(r, "keys.count\r\n:2\r\n") {
		t.Errorf("keys.count is not 2: %q", r)
	}
	if got := c.do("MEMORY", "STATS", "x"); !strings.HasPrefix(got, "-ERR") {
		t.Errorf("MEMORY STATS x: %q", got)
	}
}
