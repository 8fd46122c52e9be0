package server

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"pgregory.net/rapid"

	"sessiond/storage"
)

// TestSessionOwnerIndexProperty: after any sequence of session commands
// (create, destroy, rotate, revoke), plain DEL and SET over session keys,
// FLUSHDB, expiries and evictions, every owner's SESSION.LIST and
// SESSION.COUNT are exactly the live sessions it owns in the keyspace, and
// the index holds no key the keyspace does not.
func TestSessionOwnerIndexProperty(t *testing.T) {
	s, c, clk, _ := sessionServer(t, "session-touch-interval", "0")
	owners := []string{"a", "b", "c"}
	now := func() int64 { return clk.Now().UnixMilli() }
	rapid.Check(t, func(rt *rapid.T) {
		c.FlushAll(ctx)
		var ids []string
		pick := func() string {
			if len(ids) == 0 {
				return "none"
			}
			return rapid.SampledFrom(ids).Draw(rt, "id")
		}
		steps := rapid.IntRange(1, 40).Draw(rt, "steps")
		for range steps {
			switch rapid.IntRange(0, 9).Draw(rt, "op") {
			case 0, 1:
				args := []any{"SESSION.CREATE", "IDLE", rapid.IntRange(1, 5).Draw(rt, "idle"),
					"ABSOLUTE", rapid.SampledFrom([]int{0, 3, 10}).Draw(rt, "absolute")}
				if o := rapid.SampledFrom(append([]string{""}, owners...)).Draw(rt, "owner"); o != "" {
					args = append(args, "OWNER", o)
				}
				id, err := c.Do(ctx, args...).Text()
				if err != nil {
					rt.Fatalf("CREATE: %v", err)
				}
				ids = append(ids, id)
			case 2:
				c.Do(ctx, "SESSION.DESTROY", pick())
			case 3:
				if id, err := c.Do(ctx, "SESSION.ROTATE", pick(), "GRACE", rapid.IntRange(0, 2).Draw(rt, "grace")).Text(); err == nil {
					ids = append(ids, id)
				}
			case 4:
				args := []any{"SESSION.REVOKE", rapid.SampledFrom(owners).Draw(rt, "revoke")}
				if rapid.Bool().Draw(rt, "except") {
					args = append(args, "EXCEPT", pick())
				}
				c.Do(ctx, args...)
			case 5:
				c.Del(ctx, "session:"+pick())
			case 6:
				c.Set(ctx, "session:"+pick(), "plain", 0)
			case 7:
				clk.Advance(time.Duration(rapid.IntRange(100, 4000).Draw(rt, "ms")) * time.Millisecond)
				s.store.SweepExpired(now(), 1<<20)
			case 8:
				s.store.SetMaxmemory(1, storage.AllKeysRandom)
				s.store.Evict(now(), rapid.IntRange(1, 3).Draw(rt, "evict"))
				s.store.SetMaxmemory(0, storage.NoEviction)
			case 9:
				if rapid.IntRange(0, 4).Draw(rt, "flush") == 0 {
					c.FlushDB(ctx)
				}
			}
			checkOwners(rt, s, c, owners, now())
		}
	})
}

// checkOwners compares every owner's SESSION.LIST and SESSION.COUNT, and
// the index's size, with the keyspace. The server's evictor may still be
// finishing an eviction step in the background: a comparison during which
// the keyspace changed is taken again.
func checkOwners(rt *rapid.T, s *Server, c *redis.Client, owners []string, now int64) {
	for try := 0; ; try++ {
		truth, total := liveSessions(s, now)
		lists, counts := map[string][]string{}, map[string]int{}
		for _, o := range owners {
			list, err := c.Do(ctx, "SESSION.LIST", o).Slice()
			if err != nil {
				rt.Fatalf("SESSION.LIST %s: %v", o, err)
			}
			for _, item := range list {
				lists[o] = append(lists[o], item.([]any)[1].(string))
			}
			slices.Sort(lists[o])
			counts[o], _ = c.Do(ctx, "SESSION.COUNT", o).Int()
		}
		indexed := s.sess.index.Len()
		if again, n := liveSessions(s, now); n != total || fmt.Sprint(again) != fmt.Sprint(truth) {
			if try == 10 {
				rt.Fatal("the keyspace keeps changing")
			}
			continue
		}
		for _, o := range owners {
			want := truth[o]
			if !slices.Equal(lists[o], want) {
				rt.Fatalf("owner %s: SESSION.LIST %v, live sessions %v", o, lists[o], want)
			}
			if counts[o] != len(want) {
				rt.Fatalf("owner %s: SESSION.COUNT %d, live sessions %d", o, counts[o], len(want))
			}
		}
		if indexed != total {
			rt.Fatalf("the index holds %d sessions, the keyspace %d", indexed, total)
		}
		return
	}
}

// liveSessions reads the truth from the keyspace: each owner's session IDs
// and the number of sessions.
func liveSessions(s *Server, now int64) (map[string][]string, int) {
	s.store.SweepExpired(now, 1<<20) // nothing due left in the index
	byOwner := map[string][]string{}
	n := 0
	s.store.Each(0, now, func(e *storage.Entry) bool {
		if m, _, ok := sessionOf(e); ok && m.MovedTo == "" && strings.HasPrefix(e.Key, "session:") {
			n++
			if m.Owner != "" {
				byOwner[m.Owner] = append(byOwner[m.Owner], strings.TrimPrefix(e.Key, "session:"))
			}
		}
		return true
	})
	for _, ids := range byOwner {
		slices.Sort(ids)
	}
	return byOwner, n
}
