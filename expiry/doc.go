// Package expiry owns the timing of key expiry: the per-shard timer heap
// (Heap) and the active expirer loop (Runner).
//
// Deadlines are absolute unix milliseconds held in each storage entry; this
// package only schedules reminders to look at a key again. Invariants:
//   - a timer never deletes by itself: the owner re-checks the entry's
//     current deadline when a timer fires (a slide moves the deadline without
//     touching the heap, the fired timer is then re-armed at the new deadline);
//   - the Runner reads time only from the injected clock.Clock, once per sweep.
//
// Imports: standard library and sessiond/clock. It must not import storage
// (storage imports it).
package expiry
