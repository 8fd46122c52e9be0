// Package replication owns what crosses the wire between a primary and its
// replicas in Redis's replication protocol. So far:
//   - the RDB encoding of a snapshot (rdb.go), in the plain encodings every
//     Redis since 2.x loads (string, list, set, hash, sorted set), with
//     millisecond expiry opcodes, aux fields and the CRC-64 trailer, so
//     that a real redis-server 7.0 loads what a sessiond primary sends in
//     a full resync;
//   - the replication stream and backlog (log.go): the store's effects as
//     RESP commands numbered by byte, read by one Follower per replica; a
//     command's several effects as one MULTI ... EXEC (AppendGroup),
//     written under one hold of the log's lock, as Redis propagates them;
//   - the RDB decoder (rdbload.go, listpack.go) a replica loads a snapshot
//     with: the plain encodings, Redis's integer and LZF strings and the
//     compact types Redis 7 writes (listpack, intset, quicklist), checksum
//     verified; bytes from the network, so fuzzed (FuzzReadRDB).
//
// Invariants:
//   - the encoder writes only what Redis 7.0 reads back unchanged: values
//     and deadlines; the checksum covers every byte before it;
//   - a snapshot is of one instant (storage.Store.Snapshot), at which the
//     caller records its replication offset; the encoder never holds a
//     shard lock while it writes to the destination;
//   - the log's offset counts every byte appended, exactly; a follower
//     reads them in order or is cut off (ErrCutOff) once its unread bytes
//     pass its limit: the log never waits for a follower, and holds the
//     backlog plus what its followers have not read, no more.
//
// Imports: standard library, sessiond/storage.
package replication
