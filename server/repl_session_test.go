package server

import (
	"context"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"sessiond/config"
)

// sessionLoad runs a session workload from a few connections: sessions
// created with owners, fields and both clocks, read (sliding), written,
// fields deleted, rotated, destroyed, revoked, and some short-lived ones
// that expire on the primary meanwhile.
func sessionLoad(t *testing.T, addr string, rounds int) {
	t.Helper()
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2})
			defer c.Close()
			var ids []string
			for i := range rounds {
				owner := "user" + strconv.Itoa((w*rounds+i)%13)
				if len(ids) == 0 || i%5 == 0 {
					idle := 3600
					if i%17 == 0 {
						idle = 1 // expires on the primary during the load
					}
					id, err := c.Do(ctx, "SESSION.CREATE", "OWNER", owner, "IDLE", idle, "ABSOLUTE", 7200,
						"FIELDS", 2, "user", owner, "csrf", strconv.Itoa(i)).Text()
					if err != nil {
						t.Errorf("SESSION.CREATE: %v", err)
						return
					}
					ids = append(ids, id)
					continue
				}
				id := ids[i%len(ids)]
				switch i % 7 {
				case 0:
					c.Do(ctx, "SESSION.GET", id)
				case 1:
					c.Do(ctx, "SESSION.SET", id, "cart", strings.Repeat("x", i%300), "seen", i)
				case 2:
					c.Do(ctx, "SESSION.DEL", id, "csrf")
				case 3:
					grace := 1 + i%3 // ends during the test: the primary's DEL
					if i%2 == 0 {
						grace = 600 // the alias outlives the test: replicated as such
					}
					if nid, err := c.Do(ctx, "SESSION.ROTATE", id, "GRACE", grace).Text(); err == nil {
						ids[i%len(ids)] = nid
					}
				case 4:
					c.Do(ctx, "SESSION.TOUCH", id)
				case 5:
					if i%3 == 0 {
						c.Do(ctx, "SESSION.DESTROY", id)
					} else {
						c.Do(ctx, "SESSION.LOCK", id, 100) // memory only: nothing to replicate
					}
				case 6:
					if i%11 == 0 {
						c.Do(ctx, "SESSION.REVOKE", owner, "EXCEPT", id)
					} else {
						c.Do(ctx, "SESSION.GET", id, "user")
					}
				}
			}
		}()
	}
	wg.Wait()
}

// sessionDeadlines is every session key's PEXPIRETIME on a server.
func sessionDeadlines(t *testing.T, c *redis.Client) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	keys, err := c.Keys(ctx, "session:*").Result()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, k := range keys {
		d, err := c.Do(ctx, "PEXPIRETIME", k).Int64()
		if err != nil {
			t.Fatal(err)
		}
		out[k] = d
	}
	return out
}

// TestSessionsReplicate: a sessiond replica and a real redis-server
// replica of a primary running a session workload end with the primary's
// data (equal digests) and the same session keys and deadlines; the
// sessiond replica's owner index lists what the primary's does.
func TestSessionsReplicate(t *testing.T) {
	cfg, err := config.Parse([]string{"--maxmemory", "0", "--enable-debug-command", "yes", "--session-touch-interval", "0"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	p, paddr := startServer(t, cfg, nil)
	ctx := context.Background()
	sessionLoad(t, paddr, 200) // before the replicas: in the snapshot
	redisReplica := startRedisReplica(t, paddr)
	host, port, _ := strings.Cut(paddr, ":")
	r, raddr := startReplServer(t, "--replicaof", host+" "+port)
	rc := client(t, raddr)
	eventually(t, "both replicas' links up", func() bool {
		a, _ := redisReplica.Info(ctx, "replication").Result()
		b, _ := rc.Info(ctx, "replication").Result()
		return strings.Contains(a, "master_link_status:up") && strings.Contains(b, "master_link_status:up")
	})
	sessionLoad(t, paddr, 1500) // the stream
	now := func() int64 { return time.Now().UnixMilli() }
	eventually(t, "three equal digests", func() bool {
		d := p.Store().Digest(now())
		rd, _ := redisReplica.Do(ctx, "DEBUG", "DIGEST").Text()
		return r.Store().Digest(now()) == d && rd == d.Hex()
	})
	// Keys that expire within a minute (short sessions, rotated IDs in
	// their grace) may go between the reads of the three servers: compare
	// the others.
	lasting := func(m map[string]int64) map[string]int64 {
		out := map[string]int64{}
		for k, d := range m {
			// -1: no deadline; -2 is a key gone between KEYS and PEXPIRETIME
			if d == -1 || d > now()+60000 {
				out[k] = d
			}
		}
		return out
	}
	pc := client(t, paddr)
	want := lasting(sessionDeadlines(t, pc))
	if len(want) < 100 {
		t.Fatalf("only %d lasting sessions on the primary", len(want))
	}
	t.Logf("%d lasting session keys (sessions and rotated IDs in their grace) compared", len(want))
	for name, c := range map[string]*redis.Client{"redis-server": redisReplica, "sessiond": rc} {
		got := lasting(sessionDeadlines(t, c))
		if len(got) != len(want) {
			t.Errorf("%s replica: %d lasting session keys, the primary %d", name, len(got), len(want))
		}
		for k, d := range want {
			if got[k] != d {
				t.Errorf("%s replica: %s deadline %d, the primary's %d", name, k, got[k], d)
			}
		}
	}
	for i := range 13 {
		owner := "user" + strconv.Itoa(i)
		a, _ := pc.Do(ctx, "SESSION.LIST", owner).Slice()
		b, _ := rc.Do(ctx, "SESSION.LIST", owner).Slice()
		ids := func(list []any) []string {
			var out []string
			for _, item := range list {
				if id := item.(map[any]any)["id"].(string); want["session:"+id] != 0 {
					out = append(out, id) // a lasting session
				}
			}
			slices.Sort(out)
			return out
		}
		if !slices.Equal(ids(a), ids(b)) {
			t.Errorf("%s: the primary lists %v, the sessiond replica %v", owner, ids(a), ids(b))
		}
	}
	info, _ := pc.Info(ctx, "sessions").Result()
	if !strings.Contains(info, "sessions_rotated:") || strings.Contains(info, "sessions_rotated:0\r") {
		t.Errorf("INFO sessions after the load:\n%s", info)
	}
}
