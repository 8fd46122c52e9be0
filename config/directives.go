package config

import (
	"runtime"
	"strings"
)

// flag bits of a directive row.
const (
	// immutable: set only from the file or flags; CONFIG SET refuses it.
	immutable uint8 = 1 << iota
	// protected: CONFIG SET refuses it unless enable-protected-configs is yes.
	protected
	// used: sessiond acts on the value today. A row without it is accepted,
	// kept for CONFIG GET, and reported by NoEffect when set. Flip it when
	// the feature lands (replication will take replicaof, repl-*, min-replicas-*).
	used
	// multi: the value is several words (save, bind, ...); CONFIG SET and
	// flags split their one string into words like the file parser does.
	multi
)

// Value kinds.
const (
	kindInt uint8 = iota
	kindSize
	kindBool
	kindString
	kindEnum
	kindSpecial
)

// A directive is one row of the table: everything known about one setting.
type directive struct {
	name    string
	aliases []string // Redis's old names, sharing the value (slaveof, ...)
	kind    uint8
	flags   uint8
	def     string   // the default, rendered as CONFIG GET prints it
	min     int64    // kindInt and kindSize range, inclusive
	max     uint64   // upper bound as unsigned, so maxmemory can be 2^64-1 like Redis
	enum    []string // kindEnum choices, in Redis's order (its error text lists them)
	hidden  []string // kindEnum choices accepted but not listed (loglevel nothing)
	// special parses a kindSpecial value from its words; cur is the value
	// now held (client-output-buffer-limit changes one class at a time).
	special func(cur string, args []string) (string, string)
	// check applies sessiond's own restrictions and clamps after the
	// generic parse; it returns an error text or "".
	check func(v *value) string
	// apply copies a committed value into the typed fields; nil for
	// directives that live only as text.
	apply func(c *Config, v value)
}

func boolD(name, def string, f uint8, aliases ...string) *directive {
	return &directive{name: name, def: def, kind: kindBool, flags: f, aliases: aliases}
}

func intD(name, def string, lo int64, hi uint64, f uint8, aliases ...string) *directive {
	return &directive{name: name, def: def, kind: kindInt, min: lo, max: hi, flags: f, aliases: aliases}
}

func sizeD(name, def string, lo int64, hi uint64, f uint8, aliases ...string) *directive {
	return &directive{name: name, def: def, kind: kindSize, min: lo, max: hi, flags: f, aliases: aliases}
}

func strD(name, def string, f uint8, aliases ...string) *directive {
	return &directive{name: name, def: def, kind: kindString, flags: f, aliases: aliases}
}

func enumD(name, def string, choices []string, f uint8, aliases ...string) *directive {
	return &directive{name: name, def: def, kind: kindEnum, enum: choices, flags: f, aliases: aliases}
}

func specialD(name, def string, f uint8, parse func(cur string, args []string) (string, string), aliases ...string) *directive {
	return &directive{name: name, def: def, kind: kindSpecial, flags: f, special: parse, aliases: aliases}
}

const (
	maxInt32  = 2147483647
	maxInt64  = 9223372036854775807
	maxUint32 = 4294967295
	maxUint64 = 18446744073709551615
)

// table lists every directive of Redis 7.0.15 that CONFIG GET shows, with
// its real default, type and range (read from a running redis-server
// 7.0.15), plus sessiond's own (shards, session-*). Rows are sorted by name.
var table = []*directive{
	enumD("acl-pubsub-default", "resetchannels", []string{"allchannels", "resetchannels"}, 0),
	strD("aclfile", "", immutable),
	intD("acllog-max-len", "128", 0, maxInt64, 0),
	intD("active-defrag-cycle-max", "25", 1, 99, 0),
	intD("active-defrag-cycle-min", "1", 1, 99, 0),
	sizeD("active-defrag-ignore-bytes", "104857600", 1, maxInt64, 0),
	intD("active-defrag-max-scan-fields", "1000", 1, maxInt64, 0),
	intD("active-defrag-threshold-lower", "10", 0, 1000, 0),
	intD("active-defrag-threshold-upper", "100", 0, 1000, 0),
	intD("active-expire-effort", "1", 1, 10, 0),
	boolD("activedefrag", "no", 0),
	boolD("activerehashing", "yes", 0),
	boolD("always-show-logo", "no", immutable),
	boolD("aof-disable-auto-gc", "no", 0),
	boolD("aof-load-truncated", "yes", 0),
	boolD("aof-rewrite-incremental-fsync", "yes", 0),
	boolD("aof-timestamp-enabled", "no", 0),
	boolD("aof-use-rdb-preamble", "yes", 0),
	strD("aof_rewrite_cpulist", "", immutable),
	strD("appenddirname", "appendonlydir", immutable),
	strD("appendfilename", "appendonly.aof", immutable),
	enumD("appendfsync", "everysec", []string{"everysec", "always", "no"}, 0),
	boolD("appendonly", "no", used),
	sizeD("auto-aof-rewrite-min-size", "67108864", 0, maxInt64, 0),
	intD("auto-aof-rewrite-percentage", "100", 0, maxInt32, 0),
	strD("bgsave_cpulist", "", immutable),
	specialD("bind", "127.0.0.1", immutable|used|multi, parseBind),
	strD("bind-source-addr", "", 0),
	strD("bio_cpulist", "", immutable),
	intD("busy-reply-threshold", "5000", 0, maxInt64, 0),
	specialD("client-output-buffer-limit", defaultOutputBufferLimit, multi, parseClientOutputBufferLimit),
	sizeD("client-query-buffer-limit", "1073741824", 1048576, maxInt64, used),
	boolD("cluster-allow-pubsubshard-when-down", "yes", 0),
	boolD("cluster-allow-reads-when-down", "no", 0),
	boolD("cluster-allow-replica-migration", "yes", 0),
	intD("cluster-announce-bus-port", "0", 0, 65535, 0),
	strD("cluster-announce-hostname", "", 0),
	strD("cluster-announce-ip", "", 0),
	intD("cluster-announce-port", "0", 0, 65535, 0),
	intD("cluster-announce-tls-port", "0", 0, 65535, 0),
	strD("cluster-config-file", "nodes.conf", immutable),
	boolD("cluster-enabled", "no", immutable|used),
	sizeD("cluster-link-sendbuf-limit", "0", 0, maxUint64, 0),
	intD("cluster-migration-barrier", "1", 0, maxInt32, 0),
	intD("cluster-node-timeout", "15000", 0, maxInt64, 0),
	intD("cluster-port", "0", 0, 65535, immutable),
	enumD("cluster-preferred-endpoint-type", "ip", []string{"ip", "hostname", "unknown-endpoint"}, 0),
	boolD("cluster-replica-no-failover", "no", 0, "cluster-slave-no-failover"),
	intD("cluster-replica-validity-factor", "10", 0, maxInt32, 0, "cluster-slave-validity-factor"),
	boolD("cluster-require-full-coverage", "yes", 0),
	boolD("crash-log-enabled", "yes", 0),
	boolD("crash-memcheck-enabled", "yes", 0),
	boolD("daemonize", "no", immutable|used),
	intD("databases", "16", 1, maxInt32, immutable|used),
	strD("dbfilename", "dump.rdb", protected),
	strD("dir", "", protected),
	boolD("disable-thp", "yes", immutable),
	boolD("dynamic-hz", "yes", 0),
	enumD("enable-debug-command", "no", []string{"no", "yes", "local"}, immutable),
	enumD("enable-module-command", "no", []string{"no", "yes", "local"}, immutable),
	enumD("enable-protected-configs", "no", []string{"no", "yes", "local"}, immutable),
	intD("hash-max-listpack-entries", "512", 0, maxInt64, used, "hash-max-ziplist-entries"),
	sizeD("hash-max-listpack-value", "64", 0, maxInt64, used, "hash-max-ziplist-value"),
	sizeD("hll-sparse-max-bytes", "3000", 0, maxInt64, 0),
	intD("hz", "10", 0, maxInt32, used),
	strD("ignore-warnings", "", 0),
	intD("io-threads", "1", 1, 128, immutable),
	boolD("io-threads-do-reads", "no", immutable),
	boolD("jemalloc-bg-thread", "yes", 0),
	intD("latency-monitor-threshold", "0", 0, maxInt64, 0),
	boolD("latency-tracking", "yes", 0),
	specialD("latency-tracking-info-percentiles", "50 99 99.9", multi, parsePercentiles),
	boolD("lazyfree-lazy-eviction", "no", 0),
	boolD("lazyfree-lazy-expire", "no", 0),
	boolD("lazyfree-lazy-server-del", "no", 0),
	boolD("lazyfree-lazy-user-del", "no", 0),
	boolD("lazyfree-lazy-user-flush", "no", 0),
	intD("lfu-decay-time", "1", 0, maxInt32, 0),
	intD("lfu-log-factor", "10", 0, maxInt32, 0),
	intD("list-compress-depth", "0", 0, maxInt32, 0),
	intD("list-max-listpack-size", "-2", -2147483648, maxInt32, 0, "list-max-ziplist-size"),
	strD("logfile", "", immutable|used),
	enumD("loglevel", "notice", []string{"debug", "verbose", "notice", "warning"}, used),
	intD("lua-time-limit", "5000", 0, maxInt64, 0),
	strD("masterauth", "", 0),
	strD("masteruser", "", 0),
	intD("maxclients", "10000", 1, maxUint32, used),
	sizeD("maxmemory", "0", 0, maxUint64, used),
	specialD("maxmemory-clients", "0", 0, parseMaxmemoryClients),
	intD("maxmemory-eviction-tenacity", "10", 0, 100, 0),
	enumD("maxmemory-policy", "allkeys-lfu", []string{"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"}, used),
	intD("maxmemory-samples", "5", 1, maxInt32, used),
	intD("min-replicas-max-lag", "10", 0, maxInt32, 0, "min-slaves-max-lag"),
	intD("min-replicas-to-write", "0", 0, maxInt32, 0, "min-slaves-to-write"),
	boolD("no-appendfsync-on-rewrite", "no", 0),
	specialD("notify-keyspace-events", "", 0, parseKeyspaceEvents),
	enumD("oom-score-adj", "no", []string{"no", "yes", "relative", "absolute"}, 0),
	specialD("oom-score-adj-values", "0 200 800", multi, parseOOMScoreAdjValues),
	strD("pidfile", "", immutable),
	intD("port", "6379", 0, 65535, immutable|used),
	strD("proc-title-template", "{title} {listen-addr} {server-mode}", 0),
	enumD("propagation-error-behavior", "ignore", []string{"ignore", "panic", "panic-on-replicas"}, 0),
	boolD("protected-mode", "yes", used),
	sizeD("proto-max-bulk-len", "536870912", 1048576, maxInt64, used),
	boolD("rdb-del-sync-files", "no", 0),
	boolD("rdb-save-incremental-fsync", "yes", 0),
	boolD("rdbchecksum", "yes", immutable),
	boolD("rdbcompression", "yes", 0),
	sizeD("repl-backlog-size", "1048576", 1, maxInt64, 0),
	intD("repl-backlog-ttl", "3600", 0, maxInt64, 0),
	boolD("repl-disable-tcp-nodelay", "no", 0),
	enumD("repl-diskless-load", "disabled", []string{"disabled", "on-empty-db", "swapdb"}, 0),
	boolD("repl-diskless-sync", "yes", 0),
	intD("repl-diskless-sync-delay", "5", 0, maxInt32, 0),
	intD("repl-diskless-sync-max-replicas", "0", 0, maxInt32, 0),
	intD("repl-ping-replica-period", "10", 1, maxInt32, 0, "repl-ping-slave-period"),
	intD("repl-timeout", "60", 1, maxInt32, 0),
	strD("replica-announce-ip", "", 0, "slave-announce-ip"),
	intD("replica-announce-port", "0", 0, 65535, 0, "slave-announce-port"),
	boolD("replica-announced", "yes", 0),
	boolD("replica-ignore-disk-write-errors", "no", 0),
	boolD("replica-ignore-maxmemory", "yes", 0, "slave-ignore-maxmemory"),
	boolD("replica-lazy-flush", "no", 0, "slave-lazy-flush"),
	intD("replica-priority", "100", 0, maxInt32, 0, "slave-priority"),
	boolD("replica-read-only", "yes", 0, "slave-read-only"),
	boolD("replica-serve-stale-data", "yes", 0, "slave-serve-stale-data"),
	specialD("replicaof", "", immutable|multi, parseReplicaof, "slaveof"),
	strD("requirepass", "", used),
	enumD("sanitize-dump-payload", "no", []string{"no", "yes", "clients"}, 0),
	specialD("save", "3600 1 300 100 60 10000", multi, parseSave),
	strD("server_cpulist", "", immutable),
	intD("session-absolute-default", "86400", 0, maxInt32, used),
	intD("session-idle-default", "1800", 0, maxInt32, used),
	sizeD("session-max-bytes", "1048576", 1, maxInt64, used),
	strD("session-prefix", "session:", immutable|used),
	intD("session-touch-interval", "1", 0, maxInt32, used),
	intD("set-max-intset-entries", "512", 0, maxInt64, used),
	boolD("set-proc-title", "yes", immutable),
	enumD("shutdown-on-sigint", "default", []string{"default", "save", "nosave", "now", "force"}, 0),
	enumD("shutdown-on-sigterm", "default", []string{"default", "save", "nosave", "now", "force"}, 0),
	intD("shutdown-timeout", "10", 0, maxInt32, 0),
	intD("slowlog-log-slower-than", "10000", -1, maxInt64, 0),
	intD("shards", "0", 0, 1<<16, immutable|used),
	intD("slowlog-max-len", "128", 0, maxInt64, 0),
	intD("socket-mark-id", "0", 0, maxUint32, immutable),
	boolD("stop-writes-on-bgsave-error", "yes", 0),
	sizeD("stream-node-max-bytes", "4096", 0, maxInt64, 0),
	intD("stream-node-max-entries", "100", 0, maxInt64, 0),
	enumD("supervised", "no", []string{"upstart", "systemd", "auto", "no"}, immutable),
	boolD("syslog-enabled", "no", immutable),
	enumD("syslog-facility", "local0", []string{"user", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"}, immutable),
	strD("syslog-ident", "redis", immutable),
	intD("tcp-backlog", "511", 0, maxInt32, immutable),
	intD("tcp-keepalive", "300", 0, maxInt32, used),
	intD("timeout", "0", 0, maxInt32, used),
	enumD("tls-auth-clients", "yes", []string{"no", "yes", "optional"}, 0),
	strD("tls-ca-cert-dir", "", 0),
	strD("tls-ca-cert-file", "", 0),
	strD("tls-cert-file", "", 0),
	strD("tls-ciphers", "", 0),
	strD("tls-ciphersuites", "", 0),
	strD("tls-client-cert-file", "", 0),
	strD("tls-client-key-file", "", 0),
	strD("tls-client-key-file-pass", "", 0),
	boolD("tls-cluster", "no", 0),
	strD("tls-dh-params-file", "", 0),
	strD("tls-key-file", "", 0),
	strD("tls-key-file-pass", "", 0),
	intD("tls-port", "0", 0, 65535, used),
	boolD("tls-prefer-server-ciphers", "no", 0),
	strD("tls-protocols", "", 0),
	boolD("tls-replication", "no", 0),
	intD("tls-session-cache-size", "20480", 0, maxInt32, 0),
	intD("tls-session-cache-timeout", "300", 0, maxInt32, 0),
	boolD("tls-session-caching", "yes", 0),
	intD("tracking-table-max-keys", "1000000", 0, maxInt64, 0),
	strD("unixsocket", "", immutable),
	specialD("unixsocketperm", "0", immutable, parseOctalPerm),
	intD("zset-max-listpack-entries", "128", 0, maxInt64, used, "zset-max-ziplist-entries"),
	sizeD("zset-max-listpack-value", "64", 0, maxInt64, used, "zset-max-ziplist-value"),
}

// checks holds sessiond's restrictions on values Redis would accept.
var checks = map[string]func(v *value) string{
	"appendonly": func(v *value) string {
		if v.n != 0 {
			return "persistence is not supported yet (appendonly must be no)"
		}
		return ""
	},
	"daemonize": func(v *value) string {
		if v.n != 0 {
			return "daemonize is not supported (run sessiond under a supervisor)"
		}
		return ""
	},
	"cluster-enabled": func(v *value) string {
		if v.n != 0 {
			return "cluster mode is not supported (cluster-enabled must be no)"
		}
		return ""
	},
	"tls-port": func(v *value) string {
		if v.n != 0 {
			return "TLS is not supported (tls-port must be 0)"
		}
		return ""
	},
	"shards": func(v *value) string {
		if v.n != 0 && v.n&(v.n-1) != 0 {
			return "argument must be 0 or a power of two"
		}
		return ""
	},
	"hz": func(v *value) string {
		// Redis clamps rather than refuses: CONFIG SET hz 0 stores 1.
		v.n = min(max(v.n, 1), 500)
		v.s = itoa(v.n)
		return ""
	},
}

// appliers copy committed values into the typed fields the getters read.
var appliers = map[string]func(c *Config, v value){
	"port":                      func(c *Config, v value) { c.port.Store(v.n) },
	"databases":                 func(c *Config, v value) { c.databases.Store(v.n) },
	"maxclients":                func(c *Config, v value) { c.maxclients.Store(v.n) },
	"timeout":                   func(c *Config, v value) { c.timeout.Store(v.n) },
	"proto-max-bulk-len":        func(c *Config, v value) { c.protoMaxBulkLen.Store(v.n) },
	"client-query-buffer-limit": func(c *Config, v value) { c.queryBufferLimit.Store(v.n) },
	"maxmemory":                 func(c *Config, v value) { c.maxmemory.Store(v.n) },
	"hz":                        func(c *Config, v value) { c.hz.Store(v.n) },
	"tcp-keepalive":             func(c *Config, v value) { c.tcpKeepalive.Store(v.n) },
	"tcp-backlog":               func(c *Config, v value) { c.tcpBacklog.Store(v.n) },
	"protected-mode":            func(c *Config, v value) { c.protectedMode.Store(v.n != 0) },
	"shards":                    func(c *Config, v value) { c.shards.Store(resolveShards(v.n)) },
	"requirepass":               func(c *Config, v value) { c.requirepass.Store(&v.s) },
	"loglevel":                  func(c *Config, v value) { c.loglevel.Store(&v.s) },
	"logfile":                   func(c *Config, v value) { c.logfile.Store(&v.s) },
	"maxmemory-policy":          func(c *Config, v value) { c.maxmemoryPolicy.Store(&v.s) },
	"maxmemory-samples":         func(c *Config, v value) { c.maxmemorySamples.Store(v.n) },
	"hash-max-listpack-entries": func(c *Config, v value) { c.hashMaxListpackEntries.Store(v.n) },
	"hash-max-listpack-value":   func(c *Config, v value) { c.hashMaxListpackValue.Store(v.n) },
	"bind": func(c *Config, v value) {
		words := strings.Fields(v.s)
		c.bind.Store(&words)
	},
}

// resolveShards turns the shards setting into a shard count: 0 means
// sized for the machine, a power of two with at least 8 shards per P
// (never fewer than 256, never more than 4096): lock contention stays low,
// and so does the wait of a command on a shard a snapshot is encoding.
func resolveShards(n int64) int64 {
	if n > 0 {
		return n
	}
	want := int64(max(256, 8*runtime.GOMAXPROCS(0))) // as storage.DefaultShards
	s := int64(1)
	for s < want && s < 4096 {
		s <<= 1
	}
	return s
}

// byName maps every lower-case name and alias to its row.
var byName = func() map[string]*directive {
	m := make(map[string]*directive, 2*len(table))
	for _, d := range table {
		if d.kind == kindEnum && d.name == "loglevel" {
			d.hidden = []string{"nothing"} // Redis 7.2's level; 7.0's error text does not list it
		}
		d.check = checks[d.name]
		d.apply = appliers[d.name]
		m[d.name] = d
		for _, a := range d.aliases {
			m[a] = d
		}
	}
	return m
}()
