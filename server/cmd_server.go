package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"sessiond/storage"
)

// serverCommands lists INFO, CONFIG, DBSIZE, FLUSH*, TIME, SHUTDOWN,
// LASTSAVE, SAVE, BGSAVE, COMMAND and CLIENT.
func serverCommands() []*Command {
	const ls = FlagLoading | FlagStale
	const adm = FlagAdmin | FlagNoScript | ls
	return []*Command{
		{Name: "info", Arity: -1, Flags: ls, Handler: cmdInfo, Categories: []string{"@dangerous"},
			Group: "server", Since: "1.0.0", Summary: "Returns information and statistics about the server.", Complexity: "O(1)",
			Syntax: "[section [section ...]]"},
		{Name: "config", Arity: -2, Handler: cmdConfigBare,
			Group: "server", Since: "2.0.0", Summary: "A container for server configuration commands.", Complexity: "Depends on subcommand.",
			Subcommands: map[string]*Command{
				"get": {Arity: -3, Flags: adm, Handler: cmdConfigGet,
					Since: "2.0.0", Summary: "Returns the effective values of configuration parameters.", Complexity: "O(N) when N is the number of configuration parameters provided",
					Syntax: "parameter [parameter ...]"},
				"set": {Arity: -4, Flags: adm, Handler: cmdConfigSet,
					Since: "2.0.0", Summary: "Sets configuration parameters in-flight.", Complexity: "O(N) when N is the number of configuration parameters provided",
					Syntax: "parameter value [parameter value ...]"},
				"resetstat": {Arity: 2, Flags: adm, Handler: cmdConfigResetstat,
					Since: "2.0.0", Summary: "Resets the server's statistics.", Complexity: "O(1)"},
				"rewrite": {Arity: 2, Flags: adm, Handler: cmdConfigRewrite,
					Since: "2.8.0", Summary: "Persists the effective configuration to file.", Complexity: "O(1)"},
				"help": {Arity: 2, Flags: ls, Handler: func(c *Client, _ [][]byte) { writeHelp(c, configHelp) },
					Since: "5.0.0", Summary: "Returns helpful text about the different subcommands.", Complexity: "O(1)"},
			}},
		{Name: "dbsize", Arity: 1, Flags: FlagReadonly | FlagFast, Handler: cmdDBSize, Categories: []string{"@keyspace"},
			Group: "server", Since: "1.0.0", Summary: "Returns the number of keys in the database.", Complexity: "O(1)"},
		{Name: "flushdb", Arity: -1, Flags: FlagWrite, Handler: cmdFlushDB, Categories: []string{"@keyspace", "@dangerous"},
			Group: "server", Since: "1.0.0", Summary: "Removes all keys from the current database.", Complexity: "O(N) where N is the number of keys in the selected database",
			Syntax: "[ASYNC | SYNC]"},
		{Name: "flushall", Arity: -1, Flags: FlagWrite, Handler: cmdFlushAll, Categories: []string{"@keyspace", "@dangerous"},
			Group: "server", Since: "1.0.0", Summary: "Removes all keys from all databases.", Complexity: "O(N) where N is the total number of keys in all databases",
			Syntax: "[ASYNC | SYNC]"},
		{Name: "time", Arity: 1, Flags: ls | FlagFast, Handler: cmdTime,
			Group: "server", Since: "2.6.0", Summary: "Returns the server time.", Complexity: "O(1)"},
		{Name: "lastsave", Arity: 1, Flags: ls | FlagFast, Handler: cmdLastSave, Categories: []string{"@admin", "@dangerous"},
			Group: "server", Since: "1.0.0", Summary: "Returns the Unix timestamp of the last successful save to disk.", Complexity: "O(1)"},
		{Name: "shutdown", Arity: -1, Flags: adm | FlagNoMulti | FlagAllowBusy, Handler: cmdShutdown,
			Group: "server", Since: "1.0.0", Summary: "Synchronously saves the database(s) to disk and shuts down the server.", Complexity: "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)",
			Syntax: "[NOSAVE | SAVE] [NOW] [FORCE] [ABORT]"},
		{Name: "save", Arity: 1, Flags: FlagAdmin | FlagNoScript | FlagNoMulti, Handler: cmdSave,
			Group: "server", Since: "1.0.0", Summary: "Synchronously saves the database(s) to disk.", Complexity: "O(N) where N is the total number of keys in all databases"},
		{Name: "bgsave", Arity: -1, Flags: FlagAdmin | FlagNoScript, Handler: cmdSave,
			Group: "server", Since: "1.0.0", Summary: "Asynchronously saves the database(s) to disk.", Complexity: "O(1)",
			Syntax: "[SCHEDULE]"},
		commandCommand(),
		clientCommand(),
	}
}

var configHelp = []string{
	"CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"GET <pattern>",
	"    Return parameters matching the glob-like <pattern> and their values.",
	"SET <directive> <value>",
	"    Set the configuration <directive> to <value>.",
	"RESETSTAT",
	"    Reset statistics reported by the INFO command.",
	"REWRITE",
	"    Rewrite the configuration file.",
	"HELP",
	"    Prints this help.",
}

// cmdConfigBare runs for "CONFIG x" when the dispatcher found no
// subcommand x; it cannot normally be reached.
func cmdConfigBare(c *Client, args [][]byte) {
	c.w.Error(errUnknownSubcommand(string(args[1]), "CONFIG"))
}

func cmdConfigGet(c *Client, args [][]byte) {
	var pairs []string
	seen := make(map[string]bool)
	for _, p := range args[2:] {
		kv := c.srv.cfg.Get(string(p))
		for i := 0; i+1 < len(kv); i += 2 {
			if !seen[kv[i]] {
				seen[kv[i]] = true
				pairs = append(pairs, kv[i], kv[i+1])
			}
		}
	}
	c.w.Map(len(pairs) / 2)
	for _, s := range pairs {
		c.w.BulkString(s)
	}
}

func cmdConfigSet(c *Client, args [][]byte) {
	pairs := make([]string, len(args)-2)
	for i, a := range args[2:] {
		pairs[i] = string(a)
	}
	if err := c.srv.cfg.Set(pairs); err != nil {
		c.w.Error(err.Error())
		return
	}
	c.srv.applyConfig()
	c.w.OK()
}

// Optional Config methods: the path of the file the configuration was
// loaded from ("" if none), and rewriting that file.
type (
	configFiler    interface{ ConfigFile() string }
	configRewriter interface{ Rewrite() error }
)

func (s *Server) configFile() string {
	if f, ok := s.cfg.(configFiler); ok {
		return f.ConfigFile()
	}
	return ""
}

func cmdConfigRewrite(c *Client, args [][]byte) {
	rw, ok := c.srv.cfg.(configRewriter)
	if !ok || c.srv.configFile() == "" {
		c.w.Error(errNoConfigFile)
		return
	}
	if err := rw.Rewrite(); err != nil {
		c.w.Error("ERR Rewriting config file: " + err.Error())
		return
	}
	c.w.OK()
}

func cmdConfigResetstat(c *Client, args [][]byte) {
	s := c.srv
	s.stats.commands.Store(0)
	s.stats.connections.Store(0)
	s.stats.rejected.Store(0)
	s.stats.panics.Store(0)
	s.stats.keyspaceHits.Store(0)
	s.stats.keyspaceMiss.Store(0)
	s.store.Stats().ExpiredKeys.Store(0)
	st := s.info
	st.mu.Lock()
	st.rates = [opsSamples]float64{}
	st.lastOps = 0
	st.mu.Unlock()
	st.peak.Store(0)
	c.w.OK()
}

func cmdDBSize(c *Client, args [][]byte) {
	keys, _ := c.srv.store.KeyCounts(c.DB())
	c.w.Int(int64(keys))
}

// flushMode checks the optional ASYNC | SYNC argument. Both flush at once:
// dropping the maps is already O(1) for the caller.
func flushMode(c *Client, args [][]byte) bool {
	if len(args) == 1 || len(args) == 2 && (eq(args[1], "async") || eq(args[1], "sync")) {
		return true
	}
	c.w.Error(errSyntax)
	return false
}

func cmdFlushDB(c *Client, args [][]byte) {
	if !flushMode(c, args) {
		return
	}
	db := c.DB()
	c.srv.store.FlushEmit(db, [][]byte{[]byte("FLUSHDB")}, db)
	c.w.OK()
}

func cmdFlushAll(c *Client, args [][]byte) {
	if !flushMode(c, args) {
		return
	}
	n := c.srv.store.Databases()
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	c.srv.store.FlushEmit(c.DB(), [][]byte{[]byte("FLUSHALL")}, all...)
	c.w.OK()
}

func cmdTime(c *Client, args [][]byte) {
	us := c.now.UnixMicro()
	c.w.Array(2)
	c.w.BulkString(strconv.FormatInt(us/1e6, 10))
	c.w.BulkString(strconv.FormatInt(us%1e6, 10))
}

// cmdLastSave reports the start time: nothing is ever saved, so the data on
// "disk" (none) is as old as the process.
func cmdLastSave(c *Client, args [][]byte) { c.w.Int(c.srv.start.Unix()) }

func cmdSave(c *Client, args [][]byte) { c.w.Error(errNoPersistence) }

// cmdShutdown asks the process to stop and closes this connection without a
// reply, as Redis does. SAVE cannot be honoured (there is no persistence),
// so it refuses unless FORCE is given.
func cmdShutdown(c *Client, args [][]byte) {
	var save, nosave, now, force, abort bool
	for _, a := range args[1:] {
		switch {
		case eq(a, "nosave"):
			nosave = true
		case eq(a, "save"):
			save = true
		case eq(a, "now"):
			now = true
		case eq(a, "force"):
			force = true
		case eq(a, "abort"):
			abort = true
		default:
			c.w.Error(errSyntax)
			return
		}
	}
	if save && nosave || abort && (save || nosave || now || force) {
		c.w.Error(errSyntax)
		return
	}
	if abort {
		c.w.Error(errNoShutdown)
		return
	}
	if save && !force {
		c.srv.log.Warn("SHUTDOWN SAVE refused: sessiond has no persistence; use SHUTDOWN NOSAVE or add FORCE")
		c.w.Error(errShutdownRefus)
		return
	}
	c.srv.log.Info("shutdown requested by client", "client", c.id, "addr", c.addr)
	c.srv.requestShutdown()
	c.closed = true
}

// ---- INFO ----

// infoState is the per-server state INFO keeps beyond the stats counters:
// identifiers made at first use, the memory peak and the ops/sec sampler.
type infoState struct {
	runID string
	peak  atomic.Int64

	mu      sync.Mutex
	rates   [opsSamples]float64 // ops/sec of the last samples, a ring
	next    int
	lastOps int64
	lastAt  time.Time
}

const (
	opsSamples  = 16 // as Redis: the mean over the last 1.6 s
	opsInterval = 100 * time.Millisecond
)

// sampleLoop records the command rate every opsInterval until ctx ends.
func (st *infoState) sampleLoop(ctx context.Context, s *Server) {
	t := time.NewTicker(opsInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			st.sample(now, s.stats.commands.Load())
			st.notePeak(s.usedMemory())
		}
	}
}

func (st *infoState) sample(now time.Time, ops int64) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if !st.lastAt.IsZero() {
		if dt := now.Sub(st.lastAt).Seconds(); dt > 0 {
			st.rates[st.next] = float64(max(ops-st.lastOps, 0)) / dt
			st.next = (st.next + 1) % opsSamples
		}
	}
	st.lastOps, st.lastAt = ops, now
}

func (st *infoState) opsPerSec() int64 {
	st.mu.Lock()
	defer st.mu.Unlock()
	var sum float64
	for _, r := range st.rates {
		sum += r
	}
	return int64(sum / opsSamples)
}

// memoryNow returns used_memory and used_memory_peak, noting the former
// in the peak.
func (s *Server) memoryNow() (used, peak int64) {
	used = s.usedMemory()
	s.info.notePeak(used)
	return used, max(s.info.peak.Load(), used)
}

func (st *infoState) notePeak(n int64) {
	for {
		p := st.peak.Load()
		if n <= p || st.peak.CompareAndSwap(p, n) {
			return
		}
	}
}

func randomHex(n int) string {
	b := make([]byte, n/2)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// usedMemory is INFO's used_memory: the heap in use at start-up plus what
// the dataset is charged (storage.Entry.MemoryUsage) plus the eviction
// policy's own books and the session index. The runtime's own heap figure
// would count garbage not yet collected, up to twice the data.
func (s *Server) usedMemory() int64 {
	return s.startupHeap + s.store.DatasetBytes() + s.store.PolicyBytes() + s.store.ExtraBytes()
}

// gcReserve: the policies evict down to maxmemory less a tenth of it. The
// heap holds more than the bytes it is charged (garbage not yet swept,
// free space in spans of a size class, the collector's own data: 60–80 MB
// over used_memory with a full 200 MB store of 1 KiB sessions), and the
// runtime's memory limit (gcpace.LimitFor: what RSS may reach) caps it
// all: at maxmemory itself the collector ran back to back and a full
// store served 5–13k ops/s instead of 30–40k.
const gcReserve = 10

// applyMaxmemory hands maxmemory, less the memory in use at start-up and
// the collector's reserve, and the policy to the store; it runs at start
// and after every CONFIG SET.
// applyConfig brings what the server keeps of its configuration up to
// date: at start-up and after every CONFIG SET.
func (s *Server) applyConfig() {
	if !s.upstream.active() {
		s.applyMaxmemory() // a replica does not evict
	}
	s.applySessionConfig()
	s.repl.minReplicas.Store(s.cfgInt("min-replicas-to-write", 0))
	s.repl.maxLag.Store(s.cfgInt("min-replicas-max-lag", 10))
	s.repl.mu.Lock()
	if s.repl.log != nil {
		s.repl.log.SetBacklog(s.cfgInt("repl-backlog-size", 1<<20))
	}
	s.repl.mu.Unlock()
}

func (s *Server) applyMaxmemory() {
	budget := int64(0)
	if limit := s.cfg.Maxmemory(); limit > 0 {
		budget = max(limit-limit/gcReserve-s.startupHeap, 1)
	}
	p, ok := storage.ParsePolicy(s.cfg.MaxmemoryPolicy())
	if !ok {
		p = storage.NoEviction // config accepts only the names ParsePolicy knows
	}
	s.store.SetSamples(s.cfg.MaxmemorySamples())
	if budget != s.store.Budget() || p != s.store.Policy() {
		s.store.SetMaxmemory(budget, p)
	}
}

// outOfMemory reports whether a command that adds data must be refused:
// the dataset is over its budget and the policy could not evict (Redis's
// EVICT_FAIL: noeviction, or a volatile policy without volatile keys).
// Under the other policies the command evicts some keys first, as in
// Redis; the background evictor does the rest.
func (s *Server) outOfMemory(now int64) bool {
	return s.store.OverBudget() && !s.store.Evict(now, evictPerCommand)
}

// evictPerCommand bounds the keys one command evicts before it runs.
const evictPerCommand = 32

// evictLoop runs the policy's background work until ctx ends: on the
// store's wake-ups and every tick, so a smaller maxmemory is reached
// without traffic.
func (s *Server) evictLoop(ctx context.Context) {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		tick := false
		select {
		case <-ctx.Done():
			return
		case <-s.store.Wake():
		case <-t.C:
			tick = true
		}
		s.store.EvictBackground(s.clock.Now().UnixMilli(), tick)
	}
}

// heapBytes is the memory of live and not yet swept heap objects, read
// without stopping the world (runtime.ReadMemStats would).
func heapBytes() int64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(s[0].Value.Uint64())
}

// rssBytes reads the resident set size from /proc/self/statm (0 elsewhere).
func rssBytes() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return 0
	}
	return pages * int64(os.Getpagesize())
}

// HumanBytes formats n as Redis's INFO does (B, K, M, G, T, P).
// HumanBytes prints n as INFO's *_human fields do ("11.77G").
func HumanBytes(n int64) string {
	if n < 1024 {
		return strconv.FormatInt(n, 10) + "B"
	}
	d := float64(n)
	for _, unit := range []string{"K", "M", "G", "T", "P"} {
		d /= 1024
		if d < 1024 || unit == "P" {
			return strconv.FormatFloat(d, 'f', 2, 64) + unit
		}
	}
	return ""
}

// infoSection is one "# Name" block of INFO; its fields are written by
// the function in order.
type infoSection struct {
	name string
	dflt bool // part of INFO / INFO default
	// module: a section of sessiond's own, shown as Redis shows a
	// module's: by name and in INFO everything, not in INFO all
	module  bool
	write   func(c *Client, st *infoState, b *infoBuilder)
	lowName string
}

var infoSections = []*infoSection{
	{name: "Server", dflt: true, write: infoServer},
	{name: "Clients", dflt: true, write: infoClients},
	{name: "Memory", dflt: true, write: infoMemory},
	{name: "Persistence", dflt: true, write: infoPersistence},
	{name: "Stats", dflt: true, write: infoStats},
	{name: "Replication", dflt: true, write: infoReplication},
	{name: "CPU", dflt: true, write: infoCPU},
	{name: "Modules", dflt: true, write: func(*Client, *infoState, *infoBuilder) {}},
	{name: "Commandstats", write: func(*Client, *infoState, *infoBuilder) {}},
	{name: "Errorstats", dflt: true, write: func(*Client, *infoState, *infoBuilder) {}},
	{name: "Latencystats", write: func(*Client, *infoState, *infoBuilder) {}},
	{name: "Cluster", dflt: true, write: func(_ *Client, _ *infoState, b *infoBuilder) { b.int("cluster_enabled", 0) }},
	{name: "Keyspace", dflt: true, write: infoKeyspace},
	{name: "Sessions", write: infoSessions, module: true},
}

func init() {
	for _, s := range infoSections {
		s.lowName = strings.ToLower(s.name)
	}
}

type infoBuilder struct{ strings.Builder }

func (b *infoBuilder) str(k, v string) {
	b.WriteString(k)
	b.WriteByte(':')
	b.WriteString(v)
	b.WriteString("\r\n")
}

func (b *infoBuilder) int(k string, v int64) { b.str(k, strconv.FormatInt(v, 10)) }

// cmdInfo replies with the requested sections in Redis's fixed order,
// whatever the order of the arguments; unknown names select nothing.
func cmdInfo(c *Client, args [][]byte) {
	want := make(map[*infoSection]bool)
	if len(args) == 1 {
		args = append(args[:1:1], []byte("default"))
	}
	for _, a := range args[1:] {
		switch {
		case eq(a, "all"), eq(a, "everything"):
			for _, s := range infoSections {
				want[s] = want[s] || !s.module || eq(a, "everything")
			}
		case eq(a, "default"):
			for _, s := range infoSections {
				want[s] = want[s] || s.dflt
			}
		default:
			for _, s := range infoSections {
				if eq(a, s.lowName) {
					want[s] = true
				}
			}
		}
	}
	st := c.srv.info
	var b infoBuilder
	for _, s := range infoSections {
		if !want[s] {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\r\n")
		}
		b.WriteString("# " + s.name + "\r\n")
		s.write(c, st, &b)
	}
	c.w.Verbatim(b.String())
}

func infoServer(c *Client, st *infoState, b *infoBuilder) {
	s := c.srv
	b.str("redis_version", redisCompat)
	b.str("sessiond_version", Version)
	b.str("redis_git_sha1", "00000000")
	b.str("redis_git_dirty", "0")
	b.str("redis_mode", "standalone")
	b.str("os", osName())
	b.int("arch_bits", int64(strconv.IntSize))
	b.str("multiplexing_api", "go")
	b.str("go_version", runtime.Version())
	b.int("process_id", int64(os.Getpid()))
	b.str("process_supervised", "no")
	b.str("run_id", st.runID)
	port := 0
	if a, ok := s.Addr().(*net.TCPAddr); ok {
		port = a.Port
	}
	b.int("tcp_port", int64(port))
	b.int("server_time_usec", c.now.UnixMicro())
	up := max(c.now.Sub(s.start), 0)
	b.int("uptime_in_seconds", int64(up/time.Second))
	b.int("uptime_in_days", int64(up/(24*time.Hour)))
	hz := int64(s.cfg.Hz())
	b.int("hz", hz)
	b.int("configured_hz", hz)
	exe, _ := os.Executable()
	b.str("executable", exe)
	b.str("config_file", s.configFile())
	b.int("io_threads_active", 0)
}

// osName is what Redis prints from uname: "Linux 6.1.0 x86_64".
func osName() string {
	machine := map[string]string{"amd64": "x86_64", "arm64": "aarch64", "386": "i686"}[runtime.GOARCH]
	if machine == "" {
		machine = runtime.GOARCH
	}
	goos := runtime.GOOS
	if goos == "linux" {
		goos = "Linux"
	}
	if rel, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		return goos + " " + strings.TrimSpace(string(rel)) + " " + machine
	}
	return goos + " " + machine
}

func infoClients(c *Client, _ *infoState, b *infoBuilder) {
	b.int("connected_clients", int64(c.srv.clientCount()))
	b.int("cluster_connections", 0)
	b.int("maxclients", int64(c.srv.cfg.MaxClients()))
	b.int("blocked_clients", c.srv.blocked.count.Load())
	b.int("tracking_clients", 0)
	b.int("clients_in_timeout_table", 0)
}

// configValue returns the value of one directive, or def.
func (s *Server) configValue(name, def string) string {
	kv := s.cfg.Get(name)
	if len(kv) >= 2 {
		return kv[1]
	}
	return def
}

func infoMemory(c *Client, st *infoState, b *infoBuilder) {
	used, peak := c.srv.memoryNow()
	rss := rssBytes()
	b.int("used_memory", used)
	b.str("used_memory_human", HumanBytes(used))
	b.int("used_memory_rss", rss)
	b.str("used_memory_rss_human", HumanBytes(rss))
	b.int("used_memory_peak", peak)
	b.str("used_memory_peak_human", HumanBytes(peak))
	perc := 0.0
	if peak > 0 {
		perc = float64(used) * 100 / float64(peak)
	}
	b.str("used_memory_peak_perc", strconv.FormatFloat(perc, 'f', 2, 64)+"%")
	b.int("used_memory_startup", c.srv.startupHeap)
	dataset := c.srv.store.DatasetBytes()
	b.int("used_memory_dataset", dataset)
	b.str("used_memory_dataset_perc", strconv.FormatFloat(float64(dataset)*100/float64(max(used, 1)), 'f', 2, 64)+"%")
	maxmem := c.srv.cfg.Maxmemory()
	b.int("maxmemory", maxmem)
	b.str("maxmemory_human", HumanBytes(maxmem))
	b.str("maxmemory_policy", c.srv.configValue("maxmemory-policy", "noeviction"))
	ratio := 0.0
	if used > 0 {
		ratio = float64(rss) / float64(used)
	}
	b.str("mem_fragmentation_ratio", strconv.FormatFloat(ratio, 'f', 2, 64))
	b.int("mem_fragmentation_bytes", rss-used)
	b.str("mem_allocator", "go-"+runtime.Version())
	b.int("lazyfree_pending_objects", 0)
}

func infoPersistence(c *Client, _ *infoState, b *infoBuilder) {
	b.int("loading", 0)
	b.int("async_loading", 0)
	b.int("rdb_changes_since_last_save", 0)
	b.int("rdb_bgsave_in_progress", 0)
	b.int("rdb_last_save_time", c.srv.start.Unix())
	b.str("rdb_last_bgsave_status", "ok")
	b.int("rdb_last_bgsave_time_sec", -1)
	b.int("rdb_current_bgsave_time_sec", -1)
	b.int("rdb_saves", 0)
	b.int("aof_enabled", 0)
	b.int("aof_rewrite_in_progress", 0)
	b.int("aof_rewrite_scheduled", 0)
	b.int("aof_last_rewrite_time_sec", -1)
	b.int("aof_current_rewrite_time_sec", -1)
	b.str("aof_last_bgrewrite_status", "ok")
	b.str("aof_last_write_status", "ok")
}

func infoStats(c *Client, st *infoState, b *infoBuilder) {
	s := &c.srv.stats
	b.int("total_connections_received", s.connections.Load())
	b.int("total_commands_processed", s.commands.Load())
	b.int("instantaneous_ops_per_sec", st.opsPerSec())
	b.int("rejected_connections", s.rejected.Load())
	b.int("sync_full", c.srv.repl.syncFull.Load())
	b.int("sync_partial_ok", c.srv.repl.syncPartialOK.Load())
	b.int("sync_partial_err", c.srv.repl.syncPartialErr.Load())
	b.int("expired_keys", c.srv.store.Stats().ExpiredKeys.Load())
	b.int("evicted_keys", c.srv.store.EvictedKeys())
	b.int("evicted_clients", 0)
	b.int("keyspace_hits", s.keyspaceHits.Load())
	b.int("keyspace_misses", s.keyspaceMiss.Load())
	b.int("pubsub_channels", 0)
	b.int("pubsub_patterns", 0)
	b.int("pubsubshard_channels", 0)
	b.int("panics", s.panics.Load())
}

func infoReplication(c *Client, _ *infoState, b *infoBuilder) {
	p := &c.srv.repl
	u := &c.srv.upstream
	p.mu.Lock()
	lg := p.log
	replid, replid2, offset2 := p.replid, p.replid2, p.offset2
	links := make([]*replicaLink, 0, len(p.replicas))
	for l := range p.replicas {
		links = append(links, l)
	}
	p.mu.Unlock()
	var off, first, hist, size int64
	active := int64(0)
	if lg != nil {
		active = 1
		off, first, hist = lg.Offset(), lg.First(), lg.Offset()-lg.First()
		size = c.srv.cfgInt("repl-backlog-size", 1<<20)
	}
	if u.active() {
		u.mu.Lock()
		host, port, up := u.host, u.port, u.replid
		u.mu.Unlock()
		replid, off = up, u.offset.Load()
		if replid == "" {
			replid = strings.Repeat("0", 40)
		}
		status := "down"
		if u.linkUp.Load() {
			status = "up"
		}
		ago := int64(-1)
		if at := u.lastIO.Load(); at > 0 {
			ago = max(time.Now().UnixMilli()-at, 0) / 1000
		}
		b.str("role", "slave")
		b.str("master_host", host)
		b.int("master_port", int64(port))
		b.str("master_link_status", status)
		b.int("master_last_io_seconds_ago", ago)
		b.int("master_sync_in_progress", b2i(u.syncing.Load()))
		b.int("slave_read_repl_offset", off)
		b.int("slave_repl_offset", off)
		b.int("slave_priority", c.srv.cfgInt("replica-priority", 100))
		b.int("slave_read_only", b2i(c.srv.cfgString("replica-read-only") != "no"))
		b.int("replica_announced", b2i(c.srv.cfgString("replica-announced") != "no"))
	} else {
		b.str("role", "master")
	}
	b.int("connected_slaves", int64(len(links)))
	for i, l := range links {
		state := "wait_bgsave"
		if s := l.state.Load(); s != nil {
			state = *s
		}
		lag := int64(0)
		if at := l.ackAt.Load(); at > 0 {
			lag = max(c.nowMs-at, 0) / 1000
		}
		b.str("slave"+strconv.Itoa(i), "ip="+l.addr()+",port="+strconv.FormatInt(l.port.Load(), 10)+
			",state="+state+",offset="+strconv.FormatInt(l.ack.Load(), 10)+",lag="+strconv.FormatInt(lag, 10))
	}
	if replid2 == "" {
		replid2 = strings.Repeat("0", 40)
	}
	b.str("master_failover_state", "no-failover")
	b.str("master_replid", replid)
	b.str("master_replid2", replid2)
	b.int("master_repl_offset", off)
	if offset2 >= 0 {
		offset2++ // Redis gives the first byte of the new history, 1-based
	}
	b.int("second_repl_offset", offset2)
	b.int("repl_backlog_active", active)
	b.int("repl_backlog_size", size)
	// Redis numbers the backlog's first byte from 1
	b.int("repl_backlog_first_byte_offset", first+active)
	b.int("repl_backlog_histlen", hist)
}

func infoCPU(_ *Client, _ *infoState, b *infoBuilder) {
	var self, children syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &self) != nil || syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children) != nil {
		return
	}
	tv := func(t syscall.Timeval) string {
		us := time.Duration(t.Nano()) / time.Microsecond
		frac := strconv.FormatInt(int64(us%1e6), 10)
		return strconv.FormatInt(int64(us/1e6), 10) + "." + strings.Repeat("0", 6-len(frac)) + frac
	}
	b.str("used_cpu_sys", tv(self.Stime))
	b.str("used_cpu_user", tv(self.Utime))
	b.str("used_cpu_sys_children", tv(children.Stime))
	b.str("used_cpu_user_children", tv(children.Utime))
}

func infoKeyspace(c *Client, _ *infoState, b *infoBuilder) {
	store := c.srv.store
	for db := 0; db < store.Databases(); db++ {
		keys, volatile := store.KeyCounts(db)
		if keys == 0 {
			continue
		}
		b.str("db"+strconv.Itoa(db), "keys="+strconv.Itoa(keys)+",expires="+strconv.Itoa(volatile)+
			",avg_ttl="+strconv.FormatInt(store.AvgTTL(db, c.nowMs), 10))
	}
}
