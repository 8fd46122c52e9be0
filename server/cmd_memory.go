package server

import (
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
)

// memoryHelp lists the MEMORY subcommands sessiond has; DOCTOR is not
// among them yet.
var memoryHelp = []string{
	"MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"MALLOC-STATS",
	"    Return internal statistics report from the memory allocator.",
	"PURGE",
	"    Attempt to purge dirty pages for reclamation by the allocator.",
	"STATS",
	"    Return information about the memory usage of the server.",
	"USAGE <key> [SAMPLES <count>]",
	"    Return memory in bytes used by <key> and its value. Nested values are",
	"    sampled up to <count> times (default: 5, 0 means sample all).",
	"HELP",
	"    Prints this help.",
}

func memoryCommands() []*Command {
	const ls = FlagLoading | FlagStale
	sub := func(h func(*Client, [][]byte), flags Flag, summary, complexity string) *Command {
		return &Command{Arity: 2, Flags: flags, Handler: h, Since: "4.0.0", Summary: summary, Complexity: complexity}
	}
	return []*Command{
		{Name: "memory", Arity: -2, Handler: func(c *Client, args [][]byte) {
			c.w.Error(errUnknownSubcommand(string(args[1]), "MEMORY"))
		}, Group: "server", Since: "4.0.0", Summary: "A container for memory diagnostics commands", Complexity: "Depends on subcommand.",
			Subcommands: map[string]*Command{
				"usage": {Arity: -3, Flags: FlagReadonly, FirstKey: 2, LastKey: 2, Step: 1, Handler: cmdMemoryUsage,
					Categories: []string{"@read"}, Since: "4.0.0", Summary: "Estimate the memory usage of a key",
					Complexity: "O(N) where N is the number of samples.", Syntax: "key [SAMPLES count]"},
				"purge": sub(func(c *Client, _ [][]byte) { debug.FreeOSMemory(); c.w.OK() }, 0,
					"Ask the allocator to release memory", "Depends on how much memory is allocated, could be slow"),
				"malloc-stats": sub(func(c *Client, _ [][]byte) {
					c.w.BulkString("Stats not supported for the current allocator")
				}, 0, "Show allocator internal stats", "Depends on how much memory is allocated, could be slow"),
				"stats": sub(cmdMemoryStats, 0, "Show memory usage details", "O(1)"),
				"help": sub(func(c *Client, _ [][]byte) { writeHelp(c, memoryHelp) }, ls,
					"Show helpful text about the different subcommands", "O(1)"),
			}},
	}
}

// cmdMemoryUsage is MEMORY USAGE key [SAMPLES count]: the bytes the key
// takes in sessiond's heap (storage.Entry.MemoryUsage), nil if it is
// missing. The key is not marked accessed.
func cmdMemoryUsage(c *Client, args [][]byte) {
	samples := int64(5)
	for i := 3; i < len(args); i += 2 {
		if !strings.EqualFold(string(args[i]), "samples") || i+1 >= len(args) {
			c.w.Error(errSyntax)
			return
		}
		n, ok := parseInteger(args[i+1])
		if !ok {
			c.w.Error(errNotInteger)
			return
		}
		if n < 0 {
			c.w.Error(errSyntax)
			return
		}
		samples = n
	}
	tx := c.srv.store.Begin(c.nowMs, c.DB(), args[2])
	defer tx.End()
	if e := c.objectLookup(&tx, args[2]); e != nil {
		c.w.Int(e.MemoryUsage(int(min(samples, 1<<30))))
	}
}

// Per-key overheads MEMORY STATS reports for a database: a slot of the
// shard index (the rest of storage's fixed cost per key is the entry) and a
// timer of the shard's expiry heap.
const (
	indexSlotBytes = 32
	timerSlotBytes = 16
)

// cmdMemoryStats is MEMORY STATS with Redis 7.0's fields, in its order.
// sessiond's heap has no replication backlog, AOF buffer or scripts yet
// (0); the allocator fields come from the Go runtime's memory classes.
func cmdMemoryStats(c *Client, _ [][]byte) {
	s := c.srv
	used, peak := s.memoryNow()
	s.mu.Lock()
	clients := int64(len(s.clients)) * 2048 // a connection's buffers, at rest
	s.mu.Unlock()
	type dbStat struct {
		n             int
		main, expires int64
	}
	var dbs []dbStat
	keys, overhead := int64(0), s.startupHeap+s.store.PolicyBytes()+clients
	for i := range s.store.Databases() {
		k, v := s.store.KeyCounts(i)
		if k == 0 {
			continue
		}
		d := dbStat{i, int64(k) * indexSlotBytes, int64(v) * timerSlotBytes}
		dbs = append(dbs, d)
		keys += int64(k)
		overhead += d.main + d.expires
	}
	dataset := max(used-overhead, 0)
	rss := rssBytes()
	m := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"},
		{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(m)
	val := func(i int) int64 {
		if m[i].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return int64(m[i].Value.Uint64())
	}
	allocated, active, resident := val(0), val(0)+val(1), val(2)-val(3)
	ratio := func(a, b int64) float64 { return float64(a) / float64(max(b, 1)) }
	perKey := int64(0)
	if keys > 0 {
		perKey = (used - s.startupHeap) / keys
	}
	c.w.Map(27 + len(dbs))
	kv := func(k string, v int64) { c.w.BulkString(k); c.w.Int(v) }
	kf := func(k string, v float64) { c.w.BulkString(k); c.w.Double(v) }
	kv("peak.allocated", peak)
	kv("total.allocated", used)
	kv("startup.allocated", s.startupHeap)
	kv("replication.backlog", 0)
	kv("clients.slaves", 0)
	kv("clients.normal", clients)
	kv("cluster.links", 0)
	kv("aof.buffer", 0)
	kv("lua.caches", 0)
	kv("functions.caches", 0)
	for _, d := range dbs {
		c.w.BulkString("db." + strconv.Itoa(d.n))
		c.w.Map(2)
		kv("overhead.hashtable.main", d.main)
		kv("overhead.hashtable.expires", d.expires)
	}
	kv("overhead.total", overhead)
	kv("keys.count", keys)
	kv("keys.bytes-per-key", perKey)
	kv("dataset.bytes", dataset)
	kf("dataset.percentage", 100*ratio(dataset, used-s.startupHeap))
	kf("peak.percentage", 100*ratio(used, peak))
	kv("allocator.allocated", allocated)
	kv("allocator.active", active)
	kv("allocator.resident", resident)
	kf("allocator-fragmentation.ratio", ratio(active, allocated))
	kv("allocator-fragmentation.bytes", active-allocated)
	kf("allocator.rss-ratio", ratio(resident, active))
	kv("allocator.rss-bytes", resident-active)
	kf("rss-overhead.ratio", ratio(rss, resident))
	kv("rss-overhead.bytes", rss-resident)
	kf("fragmentation", ratio(rss, used))
	kv("fragmentation.bytes", rss-used)
}
