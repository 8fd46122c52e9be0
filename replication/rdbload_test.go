package replication

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"sessiond/storage"
)

var testLimits = Limits{SetMaxIntset: 512, HashMaxEntries: 128, HashMaxValue: 64, ZSetMaxEntries: 128, ZSetMaxValue: 64}

// loadInto is a Put that stores into s.
// saveDump has redis-server (started on dir) SAVE, and opens its dump,
// closed when the test ends.
func saveDump(t *testing.T, c *redis.Client, dir string) *os.File {
	t.Helper()
	if err := c.Save(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, "dump.rdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func loadInto(s *storage.Store, now int64) Put {
	return func(db int, key, str []byte, obj storage.Object, deadline int64) error {
		tx := s.Begin(now, db, key)
		tx.Put(db, key, str, obj, deadline)
		tx.End()
		return nil
	}
}

// What WriteRDB writes, ReadRDB reads back whole: equal digests, the aux
// fields, and nothing read past the checksum.
func TestRDBRoundTrip(t *testing.T) {
	now := time.Now().UnixMilli()
	src := testStore(now)
	var buf bytes.Buffer
	if err := WriteRDB(&buf, src, now, func() []Aux { return []Aux{{"repl-offset", "42"}} }); err != nil {
		t.Fatal(err)
	}
	buf.WriteString("TRAILER")
	dst := storage.New(storage.Options{Databases: 16, Shards: 2})
	r := bufio.NewReader(&buf)
	aux, err := ReadRDB(r, testLimits, loadInto(dst, now))
	if err != nil {
		t.Fatal(err)
	}
	if aux["repl-offset"] != "42" {
		t.Errorf("aux %v", aux)
	}
	if rest, _ := r.ReadString(0); rest != "TRAILER" {
		t.Errorf("read past the checksum: left %q", rest)
	}
	if a, b := src.Digest(now), dst.Digest(now); a != b {
		t.Fatalf("digest after the round trip %s, before %s", b.Hex(), a.Hex())
	}
}

// A flipped byte fails the checksum; a truncated file fails; neither
// panics.
func TestRDBCorrupt(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteRDB(&buf, testStore(0), 0, nil); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	bad := bytes.Clone(good)
	bad[len(bad)/2] ^= 0x40
	if _, err := ReadRDB(bufio.NewReader(bytes.NewReader(bad)), testLimits, func(int, []byte, []byte, storage.Object, int64) error { return nil }); !errors.Is(err, ErrRDB) {
		t.Errorf("flipped byte: %v", err)
	}
	if _, err := ReadRDB(bufio.NewReader(bytes.NewReader(good[:len(good)-3])), testLimits, func(int, []byte, []byte, storage.Object, int64) error { return nil }); !errors.Is(err, ErrRDB) {
		t.Errorf("truncated: %v", err)
	}
}

// A real redis-server's RDB of strings: its integer and LZF forms and its
// seconds... every string read back as Redis holds it.
func TestReadRedisStrings(t *testing.T) {
	dir := t.TempDir()
	c := startRedisOn(t, dir)
	ctx := context.Background()
	want := map[string]string{
		"int8": "-5", "int16": "1234", "int32": "-1234567", "big": "12345678901234567890",
		"lzf": strings.Repeat("abcabcabd", 500), "plain": "hello", "empty": "",
	}
	for k, v := range want {
		c.Set(ctx, k, v, 0)
	}
	c.Set(ctx, "ttl", "x", time.Hour)
	want["ttl"] = "x"
	f := saveDump(t, c, dir)
	got := map[string]string{}
	var deadline int64
	_, err := ReadRDB(bufio.NewReader(f), testLimits, func(db int, key, str []byte, obj storage.Object, d int64) error {
		got[string(key)] = string(str)
		if string(key) == "ttl" {
			deadline = d
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q", k, got[k], v)
		}
	}
	if left := deadline - time.Now().UnixMilli(); left < 3_500_000 || left > 3_600_000 {
		t.Errorf("ttl's deadline %d ms away", left)
	}
}

// FuzzReadRDB: no input makes ReadRDB panic, and what it accepts it hands
// out as whole values. The last seed must load: it is checked below.
func FuzzReadRDB(f *testing.F) {
	small := storage.New(storage.Options{Databases: 2, Shards: 1})
	put := loadInto(small, 0)
	l, set, h, z := storage.NewList(), storage.NewSet(), storage.NewHash(), storage.NewZSet(true)
	l.PushBack([]byte("a"))
	set.Add([]byte("7"), 512)
	h.Set([]byte("f"), []byte("v"), false, 128, 64)
	z.Add("m", 1.5, 128, 64)
	put(0, []byte("s"), []byte("v"), nil, 99)
	put(1, []byte("l"), nil, l, 0)
	put(1, []byte("set"), nil, set, 0)
	put(1, []byte("h"), nil, h, 0)
	put(1, []byte("z"), nil, z, 0)
	var buf bytes.Buffer
	WriteRDB(&buf, small, 0, func() []Aux { return []Aux{{"a", "b"}} })
	f.Add(buf.Bytes())
	f.Add(buf.Bytes()[:40])
	f.Add([]byte("REDIS0010\xfe\x00\x00\x01k\xc3\x02\x05\x01ab\xff"))
	// a listpack hash {f: v}, an intset {-2, 300}, a quicklist of one
	// packed node ["x", 1000], with no checksum
	f.Add([]byte("REDIS0010\x10\x01h\x0d\x0d\x00\x00\x00\x02\x00\x81f\x02\x81v\x02\xff" +
		"\x0b\x01s\x0c\x02\x00\x00\x00\x02\x00\x00\x00\xfe\xff\x2c\x01" +
		"\x12\x01l\x01\x02\x0d\x0d\x00\x00\x00\x02\x00\x81x\x02\xc3\xe8\x02\xff" +
		"\xff\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ReadRDB(bufio.NewReader(bytes.NewReader(data)), testLimits, func(_ int, key, str []byte, obj storage.Object, _ int64) error {
			if obj == nil && str == nil {
				t.Fatal("a key with no value")
			}
			return nil
		})
	})
}

// TestReadRedisRDB: what a real redis-server 7.0 SAVEs, every type in its
// compact encoding (listpack, intset, quicklist) and its plain one, with
// integers of every listpack width and deadlines, loads into a store whose
// digest is redis-server's DEBUG DIGEST.
func TestReadRedisRDB(t *testing.T) {
	dir := t.TempDir()
	c := startRedisOn(t, dir)
	ctx := context.Background()
	ints := []string{"0", "7", "127", "128", "-1", "-4096", "4095", "-32768", "32767", "-8388608", "8388607",
		"-2147483648", "2147483647", "-9223372036854775808", "9223372036854775807", "12345678901", "007", "1e3"}
	long := strings.Repeat("L", 5000)
	for _, n := range []int{3, 600} { // compact, then plain
		suffix := strconv.Itoa(n)
		for i := range n {
			v := ints[i%len(ints)]
			if i%5 == 4 {
				v = "s" + strconv.Itoa(i)
			}
			c.RPush(ctx, "list"+suffix, v)
			c.HSet(ctx, "hash"+suffix, "f"+strconv.Itoa(i), v)
			c.SAdd(ctx, "set"+suffix, "m"+strconv.Itoa(i))
			c.SAdd(ctx, "intset"+suffix, i*1000-77)
			c.ZAdd(ctx, "zset"+suffix, redis.Z{Score: float64(i) * 1.5, Member: v + ":" + strconv.Itoa(i)})
		}
	}
	c.RPush(ctx, "list3", long) // a 12-bit and a 32-bit string length
	c.HSet(ctx, "hash3", "big", strings.Repeat("B", 70000))
	c.ZAdd(ctx, "zset3", redis.Z{Score: -2.25, Member: "neg"})
	c.SAdd(ctx, "intset3", -70000, 1<<40)
	c.Expire(ctx, "hash3", time.Hour)
	c.Set(ctx, "s", "x", time.Hour)
	f := saveDump(t, c, dir)
	now := time.Now().UnixMilli()
	s := storage.New(storage.Options{Databases: 16, Shards: 2})
	if _, err := ReadRDB(bufio.NewReader(f), testLimits, loadInto(s, now)); err != nil {
		t.Fatal(err)
	}
	want, err := c.Do(ctx, "DEBUG", "DIGEST").Text()
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Digest(now).Hex(); got != want {
		for _, k := range []string{"list3", "hash3", "set3", "intset3", "zset3", "list600", "hash600", "set600", "intset600", "zset600", "s"} {
			r, _ := c.Do(ctx, "DEBUG", "DIGEST-VALUE", k).Slice()
			tx := s.Begin(now, 0, []byte(k))
			var ours string
			if e := tx.Peek(0, []byte(k)); e != nil {
				ours = e.ValueDigest().Hex()
			}
			tx.End()
			if len(r) == 1 && r[0] != ours {
				t.Errorf("%s: redis %v, ours %s", k, r[0], ours)
			}
		}
		t.Fatalf("digest %s, redis-server's %s", got, want)
	}
}

// The hand-made compact seed of FuzzReadRDB is valid: a listpack hash, an
// intset and a quicklist.
func TestReadCompactSeed(t *testing.T) {
	data := []byte("REDIS0010\x10\x01h\x0d\x0d\x00\x00\x00\x02\x00\x81f\x02\x81v\x02\xff" +
		"\x0b\x01s\x0c\x02\x00\x00\x00\x02\x00\x00\x00\xfe\xff\x2c\x01" +
		"\x12\x01l\x01\x02\x0d\x0d\x00\x00\x00\x02\x00\x81x\x02\xc3\xe8\x02\xff" +
		"\xff\x00\x00\x00\x00\x00\x00\x00\x00")
	got := map[string]storage.Object{}
	_, err := ReadRDB(bufio.NewReader(bytes.NewReader(data)), testLimits, func(_ int, key, _ []byte, obj storage.Object, _ int64) error {
		got[string(key)] = obj
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	h, _ := got["h"].(*storage.Hash)
	s, _ := got["s"].(*storage.Set)
	l, _ := got["l"].(*storage.List)
	if h == nil || s == nil || l == nil {
		t.Fatalf("loaded %v", got)
	}
	if v, _ := h.Get([]byte("f")); string(v) != "v" || !s.Has([]byte("-2")) || !s.Has([]byte("300")) ||
		l.Len() != 2 || string(l.At(0)) != "x" || string(l.At(1)) != "1000" {
		t.Fatalf("hash f=%q, set %v/%v, list %d", v, s.Has([]byte("-2")), s.Has([]byte("300")), l.Len())
	}
}
