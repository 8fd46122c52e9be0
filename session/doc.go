// Package session owns what sessiond knows about sessions beyond the
// keyspace: the bookkeeping field a session hash carries (Meta), session
// IDs, the owner index, and session locks.
//
// A session is an ordinary hash key, <session-prefix><id>, whose field
// MetaField holds its Meta: owner, creation time, idle and absolute
// timeouts, version. The key's deadline is the session's effective
// deadline, min(last slide + idle, created + absolute), so a replica (of
// sessiond or of redis-server) that applies the same HSET/PEXPIREAT/DEL
// holds the same sessions and deadlines.
//
// Invariants:
//   - Index holds exactly the session keys the keyspace holds: the server
//     adds a key when a command writes one, and storage's removal hook
//     drops it on every removal (DEL, expiry, eviction, FLUSHDB); SWAPDB
//     swaps its databases. Lock order: a shard lock, then the index's.
//   - Locks are memory only (not replicated): a lock is held by one client
//     until it unlocks with its token, its TTL passes, its holder
//     disconnects or the session goes; waiters are served first come,
//     first served. Tokens only grow, from a clock-seeded start, so a
//     restarted or promoted server hands out larger ones (fencing).
//   - Time is an argument or comes from the injected clock.Clock.
//
// Imports: standard library, sessiond/clock.
package session
