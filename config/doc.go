// Package config owns sessiond's configuration: the directive table, the
// command line and redis.conf-style file parsers, and the runtime view
// that CONFIG GET and CONFIG SET read and change.
//
// The table (directives.go) is data: one row per directive with its
// kind (int, size, bool, string, enum, or a special multi-word parser),
// default, range, aliases and flags. It lists every directive Redis
// 7.0.15 shows in CONFIG GET *, with that server's defaults, ranges and
// value formatting (sizes as plain bytes, booleans as yes/no, save as
// "3600 1 300 100 60 10000"), plus sessiond's own "shards". Rows flagged
// used are the ones sessiond acts on; the others are accepted from the
// file, flags and CONFIG SET, kept verbatim for CONFIG GET, and reported
// by NoEffect so main can log them. Where sessiond cannot honour a value
// it refuses it with a clear reason (appendonly yes, daemonize yes,
// cluster-enabled yes, a non-zero tls-port).
//
// Deviations from Redis 7.0, on purpose: port, bind and shards cannot be
// changed at run time (Redis rebinds port and bind; sessiond's listener
// does not), so CONFIG SET answers "can't set immutable config"; loglevel
// also accepts Redis 7.2's "nothing"; include, rename-command, user and
// loadmodule lines are refused; flags override the file rather than
// adding to it (a --save flag replaces the file's save lines).
//
// Invariants:
//   - Set is all or nothing: every name and value is checked before any
//     value changes, and errors carry Redis 7.0's wire text byte for byte
//     (verified against redis-server in redis_test.go).
//   - Every method is safe for concurrent use. Values live in a map under
//     an RWMutex; the typed getters the server calls per command
//     (MaxClients, Timeout, ProtoMaxBulkLen, QueryBufferLimit,
//     Requirepass, ...) are single atomic loads of fields that Set
//     updates while holding the write lock.
//   - OnChange hooks run after the lock is released, on the caller's
//     goroutine, so a hook may read the config.
//
// Imports: the standard library, github.com/spf13/pflag, and sessiond/glob.
package config
