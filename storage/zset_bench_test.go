package storage

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// BenchmarkZSetAddRandom adds members with random scores to one growing
// skiplist-encoded sorted set (what redis-benchmark's ZADD test does): the
// cost is the skiplist walk, dominated by cache misses once the set is
// large. The set is capped at 1M members; past that members repeat.
func BenchmarkZSetAddRandom(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	members := make([]string, 1<<20)
	for i := range members {
		members[i] = "element:" + strconv.Itoa(rng.IntN(1000000))
	}
	z := NewZSet(false)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		z.Add(members[i&(len(members)-1)], float64(rng.IntN(1000000)), 128, 64)
	}
}
