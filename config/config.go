package config

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"sessiond/glob"
)

// Version is sessiond's version, printed by --version and INFO.
var Version = "0.1.0"

// ErrHelp and ErrVersion are returned by Parse after it printed the usage
// or the version; the caller exits 0.
var (
	ErrHelp    = errors.New("config: help requested")
	ErrVersion = errors.New("config: version requested")
)

// Error is a CONFIG SET refusal. Msg is the wire text, byte for byte as
// Redis 7.0 sends it, without the leading '-' (for example
// "ERR Unknown option or number of arguments for CONFIG SET - 'foo'").
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

// Config is the server's configuration. All methods are safe for
// concurrent use; the hot-path getters are single atomic loads.
type Config struct {
	mu       sync.RWMutex
	vals     map[*directive]string // the text CONFIG GET prints, every row present
	explicit []string              // no-effect directives set by file, flag or CONFIG SET, first-set order
	seen     map[string]bool       // members of explicit
	hooks    map[string][]func()

	port, databases, maxclients, timeout, hz, shards atomic.Int64
	protoMaxBulkLen, queryBufferLimit, maxmemory     atomic.Int64
	maxmemorySamples                                 atomic.Int64
	tcpKeepalive, tcpBacklog                         atomic.Int64
	hashMaxListpackEntries, hashMaxListpackValue     atomic.Int64
	protectedMode                                    atomic.Bool
	setMaxIntsetEntries                              atomic.Int64 // config/set.go
	requirepass, loglevel, logfile, maxmemoryPolicy  atomic.Pointer[string]
	bind                                             atomic.Pointer[[]string]
}

// Default returns the configuration with every directive at its default.
func Default() *Config {
	c := &Config{
		vals:  make(map[*directive]string, len(table)),
		seen:  make(map[string]bool),
		hooks: make(map[string][]func()),
	}
	for _, d := range table {
		def := d.def
		switch d.name {
		case "dir":
			if wd, err := os.Getwd(); err == nil {
				def = wd // Redis prints its working directory
			}
		case "maxmemory":
			def = strconv.FormatInt(DefaultMaxmemory(), 10)
		}
		c.store(d, value{s: def, n: defaultNumber(d, def)})
	}
	return c
}

func defaultNumber(d *directive, def string) int64 {
	v, reason := d.parse("", []string{def})
	if d.kind == kindSpecial || reason != "" {
		return 0
	}
	return v.n
}

// store commits one value; the caller holds mu for writing (or owns c).
func (c *Config) store(d *directive, v value) {
	c.vals[d] = v.s
	if d.apply != nil {
		d.apply(c, v)
	}
}

// noteExplicit records that a directive was set on purpose; the caller
// holds mu for writing.
func (c *Config) noteExplicit(d *directive) {
	if d.flags&used == 0 && !c.seen[d.name] {
		c.seen[d.name] = true
		c.explicit = append(c.explicit, d.name)
	}
}

// NoEffect lists the directives set so far (by the file, a flag or CONFIG
// SET) that sessiond accepts and reports but does not act on, in the
// order they were first set, each once.
func (c *Config) NoEffect() []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return append([]string(nil), c.explicit...)
}

// Used reports whether sessiond acts on the named directive (an alias
// counts as its directive). It is false for unknown names.
func Used(name string) bool {
	d := byName[strings.ToLower(name)]
	return d != nil && d.flags&used != 0
}

// Value returns the text CONFIG GET prints for one directive or alias.
func (c *Config) Value(name string) (string, bool) {
	d := byName[strings.ToLower(name)]
	if d == nil {
		return "", false
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.vals[d], true
}

// Get answers CONFIG GET: for each pattern, a Redis glob matched without
// case against every directive name and alias, it returns name, value
// pairs flat; a name matched by several patterns appears once. A pattern
// without glob characters is looked up directly and echoed as the client
// spelled it, as Redis does.
func (c *Config) Get(patterns ...string) []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out []string
	done := make(map[string]bool)
	for _, p := range patterns {
		if !strings.ContainsAny(p, "*?[") {
			d := byName[strings.ToLower(p)]
			if d == nil || done[strings.ToLower(p)] {
				continue
			}
			done[strings.ToLower(p)] = true
			out = append(out, p, c.vals[d])
			continue
		}
		for _, d := range table {
			for _, name := range append([]string{d.name}, d.aliases...) {
				if !done[name] && glob.Match(p, name, true) {
					done[name] = true
					out = append(out, name, c.vals[d])
				}
			}
		}
	}
	return out
}

// OnChange registers fn to run after a successful Set changed the named
// directive (or its alias). It runs on the Set caller's goroutine, after
// the new values are visible, once per Set.
func (c *Config) OnChange(name string, fn func()) {
	d := byName[strings.ToLower(name)]
	if d == nil {
		panic("config: OnChange of unknown directive " + name)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hooks[d.name] = append(c.hooks[d.name], fn)
}

func setFailed(name, reason string) *Error {
	return &Error{Msg: "ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + reason}
}

// Set answers CONFIG SET name value [name value ...]: all or nothing, in
// Redis 7.0's order of checks (unknown, immutable, protected and duplicate
// names first, then each value in turn). Errors are *Error.
func (c *Config) Set(pairs []string) error {
	if len(pairs) < 2 {
		return &Error{Msg: "ERR wrong number of arguments for 'config|set' command"}
	}
	if len(pairs)%2 != 0 {
		return &Error{Msg: "ERR syntax error"}
	}
	type change struct {
		d *directive
		v value
	}
	c.mu.Lock()
	allowProtected := c.vals[byName["enable-protected-configs"]] == "yes"
	ds := make([]*directive, 0, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		name := pairs[i]
		d := byName[strings.ToLower(name)]
		if d == nil {
			c.mu.Unlock()
			return &Error{Msg: "ERR Unknown option or number of arguments for CONFIG SET - '" + name + "'"}
		}
		if d.flags&immutable != 0 {
			c.mu.Unlock()
			return setFailed(name, "can't set immutable config")
		}
		if d.flags&protected != 0 && !allowProtected {
			c.mu.Unlock()
			return setFailed(name, "can't set protected config")
		}
		for j := 0; j < i; j += 2 {
			if strings.EqualFold(pairs[j], name) {
				c.mu.Unlock()
				return setFailed(name, "duplicate parameter")
			}
		}
		ds = append(ds, d)
	}
	changes := make([]change, 0, len(ds))
	pending := make(map[*directive]string) // an alias and its name may both appear: later wins
	for k, d := range ds {
		name, raw := pairs[2*k], pairs[2*k+1]
		args := []string{raw}
		if d.flags&multi != 0 {
			var err error
			if args, err = splitArgs(raw); err != nil {
				c.mu.Unlock()
				return setFailed(name, errWrongArgs)
			}
		}
		cur, ok := pending[d]
		if !ok {
			cur = c.vals[d]
		}
		v, reason := d.parse(cur, args)
		if reason != "" {
			c.mu.Unlock()
			return setFailed(name, reason)
		}
		pending[d] = v.s
		changes = append(changes, change{d, v})
	}
	var hooks []func()
	hooked := make(map[*directive]bool)
	for _, ch := range changes {
		c.store(ch.d, ch.v)
		c.noteExplicit(ch.d)
		if !hooked[ch.d] {
			hooked[ch.d] = true
			hooks = append(hooks, c.hooks[ch.d.name]...)
		}
	}
	c.mu.Unlock()
	for _, fn := range hooks {
		fn()
	}
	return nil
}

// Port is the TCP port to listen on (0: do not listen on TCP).
func (c *Config) Port() int { return int(c.port.Load()) }

// Bind is the list of addresses to listen on, as configured: "*" means
// every IPv4 address, "::*" every IPv6 one, and a leading '-' marks an
// address whose bind may fail without stopping the server.
func (c *Config) Bind() []string { return append([]string(nil), *c.bind.Load()...) }

// Requirepass is the password AUTH needs ("" means no password).
func (c *Config) Requirepass() string { return *c.requirepass.Load() }

// Databases is the number of logical databases (SELECT 0..n-1).
func (c *Config) Databases() int { return int(c.databases.Load()) }

// MaxClients is the most connections served at once.
func (c *Config) MaxClients() int { return int(c.maxclients.Load()) }

// Timeout is how long an idle client may stay connected (0: forever).
func (c *Config) Timeout() time.Duration { return time.Duration(c.timeout.Load()) * time.Second }

// ProtoMaxBulkLen is the largest bulk string a client may send, in bytes.
func (c *Config) ProtoMaxBulkLen() int64 { return c.protoMaxBulkLen.Load() }

// QueryBufferLimit is the most unparsed input one client may hold, in bytes.
func (c *Config) QueryBufferLimit() int64 { return c.queryBufferLimit.Load() }

// LogLevel is one of debug, verbose, notice, warning, nothing.
func (c *Config) LogLevel() string { return *c.loglevel.Load() }

// LogFile is the log file path ("" means standard output).
func (c *Config) LogFile() string { return *c.logfile.Load() }

// Shards is the number of storage shards, a power of two, resolved for
// this machine when the shards setting is 0.
func (c *Config) Shards() int { return int(c.shards.Load()) }

// Maxmemory is the memory limit in bytes (0: none).
func (c *Config) Maxmemory() int64 { return c.maxmemory.Load() }

// MaxmemoryPolicy is the eviction policy name, e.g. "noeviction".
func (c *Config) MaxmemoryPolicy() string { return *c.maxmemoryPolicy.Load() }

// MaxmemorySamples is maxmemory-samples.
func (c *Config) MaxmemorySamples() int { return int(c.maxmemorySamples.Load()) }

// Hz is the frequency of background tasks, 1..500.
func (c *Config) Hz() int { return int(c.hz.Load()) }

// TCPKeepalive is the TCP keepalive period (0: off).
func (c *Config) TCPKeepalive() time.Duration {
	return time.Duration(c.tcpKeepalive.Load()) * time.Second
}

// TCPBacklog is the listen backlog Redis would ask for; Go's listener
// uses the system's, so it is reported only.
func (c *Config) TCPBacklog() int { return int(c.tcpBacklog.Load()) }

// ProtectedMode reports whether a server with no password refuses
// clients that are not on the loopback interface.
func (c *Config) ProtectedMode() bool { return c.protectedMode.Load() }
