//go:build race

package storage

// raceEnabled: under the race detector sync.Pool drops a quarter of what is
// put back, so ristretto's read buffers (stripes kept in a sync.Pool) next
// to never fill and reads never reach its sketch.
const raceEnabled = true
