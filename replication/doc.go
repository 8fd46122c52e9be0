// Package replication owns what crosses the wire between a primary and its
// replicas in Redis's replication protocol. So far: the RDB encoding of a
// snapshot (rdb.go), in the plain encodings every Redis since 2.x loads
// (string, list, set, hash, sorted set), with millisecond expiry opcodes,
// aux fields and the CRC-64 trailer, so that a real redis-server 7.0
// loads what a sessiond primary sends in a full resync.
//
// Invariants:
//   - the encoder writes only what Redis 7.0 reads back unchanged: values
//     and deadlines; the checksum covers every byte before it;
//   - it reads the store through storage.Store.EachEntry and never holds
//     a shard lock while it writes to the destination beyond one key.
//
// Imports: standard library, sessiond/storage.
package replication
