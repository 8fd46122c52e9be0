// Package storage owns the keyspace: Databases logical databases, each split
// into the same power-of-two number of shards, each shard a mutex, an index
// from key to *Entry (the source of truth) and an expiry.Heap of timers.
//
// The layout keeps the collector's work per key small: the index is keyed
// by the key's seeded 64-bit hash (index.go, colliding keys kept apart),
// entries are carved from slabs (slab.go), and timers name keys by hash, so
// a collection walks maps, slabs and heaps in address order and the only
// per-key objects it visits at random are the key and value bytes.
//
// Invariants:
//   - every access to a key happens inside a Tx that holds the key's shard
//     lock; multi-key Txs lock shards in ascending (database, shard) order, so
//     they cannot deadlock; whole-database operations lock shard by shard;
//   - time is an argument (unix ms), never read here;
//   - an entry whose Deadline has passed is never returned: Get deletes it
//     (lazy expiry) and the sweeper deletes it on time (active expiry);
//     both count it in Stats.ExpiredKeys and emit DEL;
//   - effects reach the sink while the shard lock is held, so for any one key
//     the effect order is the apply order. Commands emit their own effects;
//     the store emits only what it decides itself (expiry DELs, SWAPDB);
//   - a command that may make several effects groups its Tx (Tx.Group):
//     its effects are copied as emitted and reach the group sink together
//     at End, still under the locks, so a replica gets all of them or none
//     (CheckGroups makes tests fail on a Tx that made several ungrouped);
//   - values handed to Put are owned by the store from then on;
//   - an *Entry is borrowed for the length of the Tx that returned it: the
//     entries of a shard are carved from slabs (slab.go) and a removed one
//     is zeroed and reused once the shard's lock is released, so nothing may
//     keep an *Entry after End (copy the key or value out instead);
//   - a hash's field deadlines share its entry's timer, armed at the earliest
//     of the key and field deadlines; the sweeper, and Get/Peek before they
//     return a hash, remove due fields, emit HDEL of them, count them in
//     Stats.ExpiredFields, and delete a hash left empty (the store's own
//     effects also include these HDELs).
//
// Collection values live in Entry.Obj and are changed in place under the
// key's shard lock: Set (set.go) is an intset, one packed buffer, or a
// member table, converted one way as Redis converts its encodings.
//
// ZSet (zset.go) is one sorted slice while small (listpack) and a skiplist
// with spans plus a member -> score map beyond, converted one way.
//
// Collection values implement Object: List (list.go) is a ring buffer of
// elements, O(1) at both ends, one small slice for a small list.
//
// Entry.MemoryUsage (memusage.go) is what a key costs in the heap: Go's
// size classes applied to each encoding's layout, plus a measured fixed
// cost per key; TestMemoryUsageTracksTheHeap holds it within 15% of what a
// dataset of each shape adds to the live heap.
//
// The maxmemory policy (policy.go) keeps the dataset within a budget:
// allkeys-lfu and volatile-lfu are ristretto's TinyLFU admission and
// sampled LFU eviction behind an admission window of new keys (lfu.go);
// the LRU, random and TTL policies sample keys as Redis does (sample.go).
// Its invariants:
//   - the shard map is the truth: the policy only chooses; an eviction
//     removes the entry under its shard lock, counts it (EvictedKeys) and
//     emits DEL like any store-decided removal;
//   - under an LFU policy every eligible key is in exactly one of the
//     window or ristretto, and the window's and main's bytes and counts are
//     the sums over their keys (checkBooks in policy_test.go);
//   - a new key is never evicted from the window, so a write can be read
//     back; ristretto's refusals and evictions are applied by the evictor,
//     and a promotion ristretto drops is offered again; a key leaving the
//     window unread while ristretto is full is evicted there (unless read
//     while absent lately), never offered;
//   - only reads feed the frequency sketch (Use): not a creating command's
//     miss, nor a change of deadline;
//   - a shard's timer heap holds at most 1.5 x its keys + 1024 timers:
//     removed keys' timers are filtered out (shard.arm).
//   - ristretto's goroutine never takes a shard lock (its callbacks queue
//     victims), so calling ristretto with a shard lock held cannot deadlock.
//
// Errors are Go sentinels (ErrWrongType, ...); package server maps them to
// wire text.
//
// Imports: standard library, sessiond/expiry, github.com/dgraph-io/ristretto/v2.
package storage
