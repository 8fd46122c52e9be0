// Package server owns the network side of sessiond: the guard (our read loop
// that parses requests with limits before anything else sees them), client
// connections, the command table and dispatcher, the reply writer for RESP2
// and RESP3, and the command handlers in cmd_<group>.go.
//
// Connections (Linux): one event loop per P (loop_linux.go) waits on an
// epoll set, reads each ready socket once, runs the complete commands and
// writes the replies, as Redis's loop does. A connection that would have to
// wait inside the loop (a blocking command, a reply the socket will not take
// at once) is detached: it leaves the epoll set and is served from then on
// by a goroutine of its own (Client.serve, the only mode off Linux or with
// Options.GoroutinePerConn), and a new goroutine takes the loop over. So
// nothing ever waits inside a loop, and each request costs one read and one
// write system call.
//
// Request path: guard (reader.next) → Client.execute (table lookup, auth,
// arity: one place, handlers never re-check) → handler → storage.Tx →
// Writer. Replies of a pipeline are flushed once, when the guard has no
// complete command left buffered.
//
// Invariants:
//   - redcon's own reader never sees client bytes; commands reach handlers as
//     redcon.Command values built by the guard, and replies are encoded with
//     redcon's append functions plus our RESP3 types;
//   - every per-connection buffer is bounded by a Limits field or flushed;
//   - a panic in a handler closes that connection only, is logged and counted;
//   - the clock is read once per command (Client.now / nowMs);
//   - wire error texts live in errors.go and match Redis 7.0 byte for byte.
//
// Blocking commands park their connection in blocking.go's registry, keyed
// by database and key; a write that adds elements serves the waiters first
// come, first served after its Tx ends, and timeouts come from the clock's
// AfterFunc.
//
// As a primary (repl_primary.go) it serves PSYNC/SYNC: a replica's
// connection is detached to a goroutine of its own that reads its
// REPLCONF ACKs and is never answered, while another writes the snapshot
// (replication.WriteRDB, of one instant) and the stream
// (replication.Log, the store's effect sink once a replica has synced)
// and never makes the primary wait: a replica past its output limit, or
// not reading for repl-timeout, is dropped. As a replica
// (repl_replica.go) one goroutine keeps the link to the primary, loads its
// snapshot and applies its stream through a master client whose Now is 0
// (no key is expired for it; a MULTI ... EXEC is applied, relayed and
// counted at its EXEC, so a broken link resumes from its MULTI, and
// under upstream.gate, which clients' commands on the keyspace take for
// reading, so they see all of it or none); the store is in replica mode meanwhile
// (expired keys hidden, never removed; nothing evicted), and clients'
// writes get -READONLY. A replica relays its primary's stream, as it came,
// into its own replication.Log (no effect sink then), and serves replicas
// of its own from it; a full sync it serves takes the apply lock
// (upstream.applyMu) until the snapshot's instant, so that the snapshot and
// its offset agree.
//
// Imports: standard library, redcon, sessiond/{clock,expiry,storage,glob,replication,session}.
// It must not import main or config (the Config interface decouples it).
package server
