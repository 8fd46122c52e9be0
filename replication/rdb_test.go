package replication

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"sessiond/storage"
)

// testStore holds every type in two databases, in both encodings of each,
// with lengths across the RDB length forms (6, 14 and 32 bits), and
// deadlines an hour from now.
func testStore(now int64) *storage.Store {
	s := storage.New(storage.Options{Databases: 16, Shards: 4})
	put := func(db int, key string, str []byte, obj storage.Object, deadline int64) {
		tx := s.Begin(now, db, []byte(key))
		tx.Put(db, []byte(key), str, obj, deadline)
		tx.End()
	}
	hour := now + 3_600_000
	put(0, "s", []byte("hello"), nil, 0)
	put(0, "n", []byte("-12345"), nil, hour)
	put(0, "empty", []byte{}, nil, 0)
	put(0, "big", bytes.Repeat([]byte("x"), 70000), nil, 0)
	put(0, "mid", bytes.Repeat([]byte("y"), 300), nil, 0)
	for _, n := range []int{3, 200, 20000} {
		l := storage.NewList()
		set := storage.NewSet()
		h := storage.NewHash()
		z := storage.NewZSet(n < 128)
		for i := range n {
			v := []byte("e" + strconv.Itoa(i))
			l.PushBack(v)
			set.Add(v, 512)
			h.Set(v, []byte(strconv.Itoa(i*7)), false, 128, 64)
			z.Add(string(v), float64(i)/3-100, 128, 64)
		}
		z.Add("inf", math.Inf(1), 128, 64)
		suffix := strconv.Itoa(n)
		put(0, "l"+suffix, nil, l, 0)
		put(0, "set"+suffix, nil, set, hour)
		put(0, "h"+suffix, nil, h, 0)
		put(0, "z"+suffix, nil, z, hour)
	}
	ints := storage.NewSet()
	for i := range 10 {
		ints.Add([]byte(strconv.Itoa(i*1000-3)), 512)
	}
	put(0, "ints", nil, ints, 0)
	put(9, "s", []byte("in db 9"), nil, hour)
	return s
}

// startRedisOn runs redis-server over dir/dump.rdb on a unix socket in dir,
// or skips when it is not installed.
func startRedisOn(t *testing.T, dir string) *redis.Client {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not installed: install Debian package redis-server (package replication's RDB tests)")
	}
	sock := filepath.Join(dir, "redis.sock")
	cmd := exec.Command(bin, "--port", "0", "--unixsocket", sock, "--dir", dir, "--dbfilename", "dump.rdb",
		"--save", "", "--appendonly", "no", "--enable-debug-command", "yes", "--logfile", filepath.Join(dir, "redis.log"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	c := redis.NewClient(&redis.Options{Network: "unix", Addr: sock, MaxRetries: -1})
	t.Cleanup(func() { c.Close() })
	ctx := context.Background()
	for start := time.Now(); ; {
		err := c.Ping(ctx).Err()
		if err == nil {
			return c
		}
		if time.Since(start) > 20*time.Second {
			log, _ := os.ReadFile(filepath.Join(dir, "redis.log"))
			t.Fatalf("redis-server not ready: %v\n%s", err, log)
		}
		time.Sleep(10 * time.Millisecond) // polling for readiness (or the end of LOADING)
	}
}

// TestRedisLoadsOurRDB: redis-server 7.0 loads the RDB WriteRDB writes, and
// then holds exactly our data: equal DEBUG DIGEST, every deadline within a
// second.
func TestRedisLoadsOurRDB(t *testing.T) {
	now := time.Now().UnixMilli()
	s := testStore(now)
	dir := t.TempDir()
	var buf bytes.Buffer
	aux := func() []Aux { return []Aux{{"redis-ver", "7.0.15"}, {"redis-bits", "64"}} }
	if err := WriteRDB(&buf, s, now, aux); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "dump.rdb"), buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	c := startRedisOn(t, dir)
	ctx := context.Background()
	got, err := c.Do(ctx, "DEBUG", "DIGEST").Text()
	if err != nil {
		t.Fatal(err)
	}
	if want := s.Digest(now).Hex(); got != want {
		log, _ := os.ReadFile(filepath.Join(dir, "redis.log"))
		t.Fatalf("redis-server digest %s, ours %s\n%s", got, want, log)
	}
	for _, k := range []string{"n", "set200", "z20000"} {
		pt, err := c.PExpireTime(ctx, k).Result()
		if err != nil {
			t.Fatal(err)
		}
		if d := pt.Milliseconds() - (now + 3_600_000); d != 0 {
			t.Errorf("%s: deadline off by %d ms", k, d)
		}
	}
}

// A write error stops the encoder and is returned.
func TestWriteRDBError(t *testing.T) {
	s := testStore(0)
	if err := WriteRDB(failAfter{n: 100000}, s, 0, nil); err == nil || !strings.Contains(err.Error(), "full") {
		t.Fatalf("error %v", err)
	}
}

type failAfter struct{ n int }

func (f failAfter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}
