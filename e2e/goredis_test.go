package e2e

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestGoRedis runs one scenario per command group with go-redis v9, once
// as a RESP3 client (HELLO 3, CLIENT SETINFO, maintenance notifications
// negotiation) and once as a RESP2 client. Each subtest has its own
// server, so key counts are exact.
func TestGoRedis(t *testing.T) {
	runGoRedis(t, false, startSessiond)
}

// TestGoRedisReference runs the same scenarios against a real
// redis-server 7.0, to show that the scenarios state Redis's behaviour.
// Redis 7.0 predates CLIENT SETINFO, so the library identity is not
// checked there.
func TestGoRedisReference(t *testing.T) {
	needTool(t, "redis-server", "redis-server")
	runGoRedis(t, true, func(t *testing.T) string {
		return "127.0.0.1:" + strconv.Itoa(startRedisServer(t))
	})
}

func runGoRedis(t *testing.T, reference bool, start func(*testing.T) string) {
	for _, proto := range []int{3, 2} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			for _, sc := range goredisScenarios {
				t.Run(sc.name, func(t *testing.T) {
					mark := goredisLog.mark()
					addr := start(t)
					rdb := newGoRedis(t, addr, proto, 0)
					e := &gr{t: t, ctx: context.Background(), rdb: rdb, addr: addr, proto: proto, reference: reference}
					sc.run(e)
					// Close before reading the log, so errors logged
					// while tearing the pool down are seen too.
					rdb.Close()
					if lines := goredisLog.since(mark); len(lines) > 0 {
						t.Errorf("go-redis logged %d line(s) (HELLO, CLIENT SETINFO or maintenance notifications trouble?):\n%s",
							len(lines), strings.Join(lines, "\n"))
					}
				})
			}
		})
	}
}

func newGoRedis(t *testing.T, addr string, proto, db int) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{
		Addr:         addr,
		Protocol:     proto,
		DB:           db,
		DialTimeout:  5 * time.Second,
		ReadTimeout:  10 * time.Second,
		WriteTimeout: 10 * time.Second,
		MaxRetries:   -1, // a retried command would hide a dropped connection
	})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// gr is the environment of one go-redis scenario.
type gr struct {
	t     *testing.T
	ctx   context.Context
	rdb   *redis.Client
	addr  string
	proto int
	// reference is set when the server is a real redis-server 7.0.
	reference bool
}

// check fails the test unless err is nil and got equals want.
func check[T any](e *gr, what string, got T, err error, want T) {
	e.t.Helper()
	if err != nil {
		e.t.Errorf("%s: error %v, want %#v", what, err, want)
		return
	}
	if !reflect.DeepEqual(got, want) {
		e.t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

// checkErr fails the test unless err's text is want.
func checkErr(e *gr, what string, err error, want string) {
	e.t.Helper()
	switch {
	case err == nil:
		e.t.Errorf("%s: no error, want %q", what, want)
	case err.Error() != want:
		e.t.Errorf("%s: error %q, want %q", what, err.Error(), want)
	}
}

// checkNil fails the test unless err is redis.Nil (a nil reply).
func checkNil(e *gr, what string, err error) {
	e.t.Helper()
	if !errors.Is(err, redis.Nil) {
		e.t.Errorf("%s: error %v, want redis.Nil", what, err)
	}
}

// checkBetween fails unless lo <= got <= hi: for TTLs, which count down
// while the test runs.
func checkBetween(e *gr, what string, got time.Duration, err error, lo, hi time.Duration) {
	e.t.Helper()
	if err != nil {
		e.t.Errorf("%s: error %v", what, err)
		return
	}
	if got < lo || got > hi {
		e.t.Errorf("%s = %v, want between %v and %v", what, got, lo, hi)
	}
}

var goredisScenarios = []struct {
	name string
	run  func(e *gr)
}{
	{"Ping", scenarioPing},
	{"Handshake", scenarioHandshake},
	{"SetGetTTL", scenarioSetGetTTL},
	{"Strings", scenarioStrings},
	{"Counters", scenarioCounters},
	{"Expire", scenarioExpire},
	{"Keys", scenarioKeys},
	{"Scan", scenarioScan},
	{"Rename", scenarioRename},
	{"Select", scenarioSelect},
	{"Pipeline", scenarioPipeline},
	{"Transaction", scenarioTransaction},
	{"ClientName", scenarioClientName},
	{"Config", scenarioConfig},
	{"InfoDBSizeFlush", scenarioInfoDBSizeFlush},
}

func scenarioPing(e *gr) {
	v, err := e.rdb.Ping(e.ctx).Result()
	check(e, "PING", v, err, "PONG")
	s, err := e.rdb.Echo(e.ctx, "héllo\r\nworld").Result()
	check(e, "ECHO", s, err, "héllo\r\nworld")
}

// scenarioHandshake checks what the connection set-up negotiated: the
// protocol (HELLO), the library identity (CLIENT SETINFO), and that
// replies use the protocol's types.
func scenarioHandshake(e *gr) {
	conn := e.rdb.Conn()
	defer conn.Close()
	hello, err := conn.Do(e.ctx, "HELLO").Result()
	if err != nil {
		e.t.Fatalf("HELLO: %v", err)
	}
	fields := map[string]any{}
	switch h := hello.(type) {
	case map[any]any: // RESP3 map
		if e.proto != 3 {
			e.t.Errorf("HELLO replied with a RESP3 map to a RESP%d client", e.proto)
		}
		for k, v := range h {
			fields[fmt.Sprint(k)] = v
		}
	case []any: // RESP2 flat array
		if e.proto != 2 {
			e.t.Errorf("HELLO replied with a flat array to a RESP%d client", e.proto)
		}
		for i := 0; i+1 < len(h); i += 2 {
			fields[fmt.Sprint(h[i])] = h[i+1]
		}
	default:
		e.t.Fatalf("HELLO reply %#v", hello)
	}
	if got := fields["proto"]; got != int64(e.proto) {
		e.t.Errorf("HELLO proto = %#v, want %d", got, e.proto)
	}
	if got := fields["server"]; got != "redis" {
		e.t.Errorf("HELLO server = %#v, want \"redis\"", got)
	}
	for _, k := range []string{"version", "id", "mode", "role", "modules"} {
		if _, ok := fields[k]; !ok {
			e.t.Errorf("HELLO reply lacks %q: %#v", k, hello)
		}
	}

	info, err := conn.Do(e.ctx, "CLIENT", "INFO").Text()
	if err != nil {
		e.t.Fatalf("CLIENT INFO: %v", err)
	}
	f := clientInfoFields(info)
	want := map[string]string{"resp": strconv.Itoa(e.proto)}
	if !e.reference {
		want["lib-name"] = "go-redis(," + runtime.Version() + ")"
		want["lib-ver"] = redis.Version()
	}
	for k, v := range want {
		if f[k] != v {
			e.t.Errorf("CLIENT INFO %s=%q, want %q (in %q)", k, f[k], v, info)
		}
	}

	// A map-shaped reply decodes as a map in RESP3, a flat array in RESP2.
	cg, err := conn.Do(e.ctx, "CONFIG", "GET", "databases").Result()
	var wantCG any = []any{"databases", "16"}
	if e.proto == 3 {
		wantCG = map[any]any{"databases": "16"}
	}
	check(e, "raw CONFIG GET databases", cg, err, wantCG)
}

func scenarioSetGetTTL(e *gr) {
	s, err := e.rdb.Set(e.ctx, "k", "v", 0).Result()
	check(e, "SET k v", s, err, "OK")
	s, err = e.rdb.Get(e.ctx, "k").Result()
	check(e, "GET k", s, err, "v")
	_, err = e.rdb.Get(e.ctx, "missing").Result()
	checkNil(e, "GET missing", err)
	d, err := e.rdb.TTL(e.ctx, "k").Result()
	check(e, "TTL of a key without expiry", d, err, time.Duration(-1))
	d, err = e.rdb.PTTL(e.ctx, "missing").Result()
	check(e, "PTTL missing", d, err, time.Duration(-2))

	// EX: a whole number of seconds.
	s, err = e.rdb.Set(e.ctx, "ex", "session-data", 100*time.Second).Result()
	check(e, "SET ex EX 100", s, err, "OK")
	d, err = e.rdb.TTL(e.ctx, "ex").Result()
	checkBetween(e, "TTL ex", d, err, 99*time.Second, 100*time.Second)
	d, err = e.rdb.PTTL(e.ctx, "ex").Result()
	checkBetween(e, "PTTL ex", d, err, 90*time.Second, 100*time.Second)
	s, err = e.rdb.Get(e.ctx, "ex").Result()
	check(e, "GET ex", s, err, "session-data")

	// PX: milliseconds.
	s, err = e.rdb.Set(e.ctx, "px", "v", 86_400_500*time.Millisecond).Result()
	check(e, "SET px PX 86400500", s, err, "OK")
	d, err = e.rdb.PTTL(e.ctx, "px").Result()
	checkBetween(e, "PTTL px", d, err, 86_390*time.Second, 86_400_500*time.Millisecond)

	// SET ... KEEPTTL, and SET without it clears the TTL.
	s, err = e.rdb.Set(e.ctx, "ex", "v2", redis.KeepTTL).Result()
	check(e, "SET ex v2 KEEPTTL", s, err, "OK")
	d, err = e.rdb.TTL(e.ctx, "ex").Result()
	checkBetween(e, "TTL ex after KEEPTTL", d, err, 90*time.Second, 100*time.Second)
	s, err = e.rdb.SetArgs(e.ctx, "ex", "v3", redis.SetArgs{Get: true}).Result()
	check(e, "SET ex v3 GET", s, err, "v2")
	d, err = e.rdb.TTL(e.ctx, "ex").Result()
	check(e, "TTL ex after SET without KEEPTTL", d, err, time.Duration(-1))

	// SETEX and SET EXAT.
	s, err = e.rdb.Do(e.ctx, "SETEX", "setex", "30", "v").Text()
	check(e, "SETEX setex 30 v", s, err, "OK")
	d, err = e.rdb.TTL(e.ctx, "setex").Result()
	checkBetween(e, "TTL setex", d, err, 29*time.Second, 30*time.Second)
	at := time.Now().Add(time.Hour).Truncate(time.Second)
	s, err = e.rdb.SetArgs(e.ctx, "exat", "v", redis.SetArgs{ExpireAt: at}).Result()
	check(e, "SET exat v EXAT", s, err, "OK")
	d, err = e.rdb.ExpireTime(e.ctx, "exat").Result()
	check(e, "EXPIRETIME exat", d, err, time.Duration(at.Unix())*time.Second)

	// SET NX / XX.
	err = e.rdb.SetArgs(e.ctx, "k", "other", redis.SetArgs{Mode: "NX"}).Err()
	checkNil(e, "SET k other NX on an existing key", err)
	err = e.rdb.SetArgs(e.ctx, "newkey", "x", redis.SetArgs{Mode: "XX"}).Err()
	checkNil(e, "SET newkey x XX on a missing key", err)
	s, err = e.rdb.Get(e.ctx, "k").Result()
	check(e, "GET k after a refused SET NX", s, err, "v")
	n, err := e.rdb.Exists(e.ctx, "newkey").Result()
	check(e, "EXISTS newkey after SET XX", n, err, int64(0))

	// Errors.
	err = e.rdb.Do(e.ctx, "SET", "k", "v", "EX", "0").Err()
	checkErr(e, "SET k v EX 0", err, "ERR invalid expire time in 'set' command")
	err = e.rdb.Do(e.ctx, "SET", "k", "v", "NX", "XX").Err()
	checkErr(e, "SET k v NX XX", err, "ERR syntax error")
	err = e.rdb.Do(e.ctx, "GET").Err()
	checkErr(e, "GET without a key", err, "ERR wrong number of arguments for 'get' command")
}

func scenarioStrings(e *gr) {
	ok, err := e.rdb.SetNX(e.ctx, "nx", "first", 0).Result()
	check(e, "SETNX nx first", ok, err, true)
	ok, err = e.rdb.SetNX(e.ctx, "nx", "second", 0).Result()
	check(e, "SETNX nx second", ok, err, false)
	s, err := e.rdb.Get(e.ctx, "nx").Result()
	check(e, "GET nx", s, err, "first")
	ok, err = e.rdb.SetNX(e.ctx, "nxttl", "v", 20*time.Second).Result()
	check(e, "SET nxttl v EX 20 NX", ok, err, true)
	d, err := e.rdb.TTL(e.ctx, "nxttl").Result()
	checkBetween(e, "TTL nxttl", d, err, 19*time.Second, 20*time.Second)

	s, err = e.rdb.MSet(e.ctx, "a", "1", "b", "2", "c", "three").Result()
	check(e, "MSET", s, err, "OK")
	vals, err := e.rdb.MGet(e.ctx, "a", "b", "missing", "c").Result()
	check(e, "MGET", vals, err, []any{"1", "2", nil, "three"})
	ok, err = e.rdb.MSetNX(e.ctx, "a", "x", "fresh", "y").Result()
	check(e, "MSETNX with an existing key", ok, err, false)
	n, err := e.rdb.Exists(e.ctx, "fresh").Result()
	check(e, "EXISTS fresh after a refused MSETNX", n, err, int64(0))

	// GETEX sets or clears the TTL and returns the value.
	e.rdb.Set(e.ctx, "g", "gv", 0)
	s, err = e.rdb.GetEx(e.ctx, "g", 50*time.Second).Result()
	check(e, "GETEX g EX 50", s, err, "gv")
	d, err = e.rdb.TTL(e.ctx, "g").Result()
	checkBetween(e, "TTL g after GETEX EX 50", d, err, 49*time.Second, 50*time.Second)
	s, err = e.rdb.GetEx(e.ctx, "g", 1500*time.Millisecond+time.Hour).Result()
	check(e, "GETEX g PX", s, err, "gv")
	d, err = e.rdb.PTTL(e.ctx, "g").Result()
	checkBetween(e, "PTTL g after GETEX PX", d, err, time.Hour, time.Hour+1500*time.Millisecond)
	s, err = e.rdb.GetEx(e.ctx, "g", 0).Result()
	check(e, "GETEX g PERSIST", s, err, "gv")
	d, err = e.rdb.TTL(e.ctx, "g").Result()
	check(e, "TTL g after GETEX PERSIST", d, err, time.Duration(-1))
	_, err = e.rdb.GetEx(e.ctx, "missing", time.Minute).Result()
	checkNil(e, "GETEX missing", err)

	s, err = e.rdb.GetDel(e.ctx, "g").Result()
	check(e, "GETDEL g", s, err, "gv")
	n, err = e.rdb.Exists(e.ctx, "g").Result()
	check(e, "EXISTS g after GETDEL", n, err, int64(0))
	_, err = e.rdb.GetDel(e.ctx, "g").Result()
	checkNil(e, "GETDEL g again", err)

	n, err = e.rdb.Append(e.ctx, "ap", "sess").Result()
	check(e, "APPEND ap sess", n, err, int64(4))
	n, err = e.rdb.Append(e.ctx, "ap", "ion").Result()
	check(e, "APPEND ap ion", n, err, int64(7))
	n, err = e.rdb.StrLen(e.ctx, "ap").Result()
	check(e, "STRLEN ap", n, err, int64(7))
	s, err = e.rdb.GetRange(e.ctx, "ap", 1, -2).Result()
	check(e, "GETRANGE ap 1 -2", s, err, "essio")

	// A value with every byte survives the round trip.
	bin := make([]byte, 256)
	for i := range bin {
		bin[i] = byte(i)
	}
	e.rdb.Set(e.ctx, "bin", bin, 0)
	got, err := e.rdb.Get(e.ctx, "bin").Bytes()
	check(e, "GET bin", got, err, bin)
}

func scenarioCounters(e *gr) {
	n, err := e.rdb.Incr(e.ctx, "n").Result()
	check(e, "INCR n", n, err, int64(1))
	n, err = e.rdb.IncrBy(e.ctx, "n", 10).Result()
	check(e, "INCRBY n 10", n, err, int64(11))
	n, err = e.rdb.DecrBy(e.ctx, "n", 20).Result()
	check(e, "DECRBY n 20", n, err, int64(-9))
	n, err = e.rdb.Decr(e.ctx, "n").Result()
	check(e, "DECR n", n, err, int64(-10))
	s, err := e.rdb.Get(e.ctx, "n").Result()
	check(e, "GET n", s, err, "-10")

	f, err := e.rdb.IncrByFloat(e.ctx, "f", 1.5).Result()
	check(e, "INCRBYFLOAT f 1.5", f, err, 1.5)
	f, err = e.rdb.IncrByFloat(e.ctx, "f", 0.25).Result()
	check(e, "INCRBYFLOAT f 0.25", f, err, 1.75)
	s, err = e.rdb.Get(e.ctx, "f").Result()
	check(e, "GET f", s, err, "1.75")
	e.rdb.Set(e.ctx, "f3", "3.0", 0)
	f, err = e.rdb.IncrByFloat(e.ctx, "f3", 1).Result()
	check(e, "INCRBYFLOAT f3 1", f, err, 4.0)
	s, err = e.rdb.Get(e.ctx, "f3").Result()
	check(e, "GET f3 (no trailing zeros)", s, err, "4")

	// INCR keeps the TTL.
	e.rdb.Set(e.ctx, "ttln", "5", time.Minute)
	n, err = e.rdb.Incr(e.ctx, "ttln").Result()
	check(e, "INCR ttln", n, err, int64(6))
	d, err := e.rdb.TTL(e.ctx, "ttln").Result()
	checkBetween(e, "TTL ttln after INCR", d, err, 59*time.Second, time.Minute)

	e.rdb.Set(e.ctx, "word", "abc", 0)
	checkErr(e, "INCR word", e.rdb.Incr(e.ctx, "word").Err(), "ERR value is not an integer or out of range")
	checkErr(e, "INCRBYFLOAT word", e.rdb.IncrByFloat(e.ctx, "word", 1).Err(), "ERR value is not a valid float")
	e.rdb.Set(e.ctx, "max", "9223372036854775807", 0)
	checkErr(e, "INCR max", e.rdb.Incr(e.ctx, "max").Err(), "ERR increment or decrement would overflow")
	checkErr(e, "INCRBY n x", e.rdb.Do(e.ctx, "INCRBY", "n", "x").Err(), "ERR value is not an integer or out of range")
}

func scenarioExpire(e *gr) {
	e.rdb.Set(e.ctx, "e", "1", 0)
	ok, err := e.rdb.Expire(e.ctx, "e", 100*time.Second).Result()
	check(e, "EXPIRE e 100", ok, err, true)
	d, err := e.rdb.TTL(e.ctx, "e").Result()
	checkBetween(e, "TTL e", d, err, 99*time.Second, 100*time.Second)

	ok, err = e.rdb.ExpireNX(e.ctx, "e", 50*time.Second).Result()
	check(e, "EXPIRE e 50 NX with a TTL", ok, err, false)
	ok, err = e.rdb.ExpireXX(e.ctx, "e", 200*time.Second).Result()
	check(e, "EXPIRE e 200 XX", ok, err, true)
	ok, err = e.rdb.ExpireGT(e.ctx, "e", 150*time.Second).Result()
	check(e, "EXPIRE e 150 GT (shorter)", ok, err, false)
	ok, err = e.rdb.ExpireLT(e.ctx, "e", 150*time.Second).Result()
	check(e, "EXPIRE e 150 LT", ok, err, true)
	d, err = e.rdb.TTL(e.ctx, "e").Result()
	checkBetween(e, "TTL e after LT", d, err, 149*time.Second, 150*time.Second)

	ok, err = e.rdb.PExpire(e.ctx, "e", 120_500*time.Millisecond).Result()
	check(e, "PEXPIRE e 120500", ok, err, true)
	d, err = e.rdb.PTTL(e.ctx, "e").Result()
	checkBetween(e, "PTTL e", d, err, 110*time.Second, 120_500*time.Millisecond)

	at := time.Now().Add(300 * time.Second).Truncate(time.Second)
	ok, err = e.rdb.ExpireAt(e.ctx, "e", at).Result()
	check(e, "EXPIREAT e", ok, err, true)
	d, err = e.rdb.ExpireTime(e.ctx, "e").Result()
	check(e, "EXPIRETIME e", d, err, time.Duration(at.Unix())*time.Second)
	d, err = e.rdb.PExpireTime(e.ctx, "e").Result()
	check(e, "PEXPIRETIME e", d, err, time.Duration(at.UnixMilli())*time.Millisecond)

	atMs := time.Now().Add(400 * time.Second).Truncate(time.Millisecond)
	ok, err = e.rdb.PExpireAt(e.ctx, "e", atMs).Result()
	check(e, "PEXPIREAT e", ok, err, true)
	d, err = e.rdb.PExpireTime(e.ctx, "e").Result()
	check(e, "PEXPIRETIME e after PEXPIREAT", d, err, time.Duration(atMs.UnixMilli())*time.Millisecond)

	ok, err = e.rdb.Persist(e.ctx, "e").Result()
	check(e, "PERSIST e", ok, err, true)
	ok, err = e.rdb.Persist(e.ctx, "e").Result()
	check(e, "PERSIST e again", ok, err, false)
	d, err = e.rdb.TTL(e.ctx, "e").Result()
	check(e, "TTL e after PERSIST", d, err, time.Duration(-1))
	d, err = e.rdb.ExpireTime(e.ctx, "e").Result()
	check(e, "EXPIRETIME e without TTL", d, err, time.Duration(-1))
	ok, err = e.rdb.ExpireNX(e.ctx, "e", 10*time.Second).Result()
	check(e, "EXPIRE e 10 NX without TTL", ok, err, true)

	ok, err = e.rdb.Expire(e.ctx, "missing", time.Minute).Result()
	check(e, "EXPIRE missing", ok, err, false)
	d, err = e.rdb.ExpireTime(e.ctx, "missing").Result()
	check(e, "EXPIRETIME missing", d, err, time.Duration(-2))

	// A deadline in the past deletes the key.
	e.rdb.Set(e.ctx, "past", "v", 0)
	ok, err = e.rdb.ExpireAt(e.ctx, "past", time.Now().Add(-time.Hour)).Result()
	check(e, "EXPIREAT past (in the past)", ok, err, true)
	n, err := e.rdb.Exists(e.ctx, "past").Result()
	check(e, "EXISTS past", n, err, int64(0))

	// A short TTL expires: poll until the key is gone.
	e.rdb.Set(e.ctx, "short", "v", 50*time.Millisecond)
	waitFor(e.t, 10*time.Second, "key short to expire", func() bool {
		_, err := e.rdb.Get(e.ctx, "short").Result()
		return errors.Is(err, redis.Nil)
	})

	checkErr(e, "EXPIRE e 10 NX XX", e.rdb.Do(e.ctx, "EXPIRE", "e", "10", "NX", "XX").Err(),
		"ERR NX and XX, GT or LT options at the same time are not compatible")
	checkErr(e, "EXPIRE e ten", e.rdb.Do(e.ctx, "EXPIRE", "e", "ten").Err(),
		"ERR value is not an integer or out of range")
}

func scenarioKeys(e *gr) {
	e.rdb.MSet(e.ctx, "user:1", "a", "user:2", "b", "user:3", "c", "other", "d")
	e.rdb.Set(e.ctx, "user:10", "e", time.Hour)

	keys, err := e.rdb.Keys(e.ctx, "user:?").Result()
	slices.Sort(keys)
	check(e, "KEYS user:?", keys, err, []string{"user:1", "user:2", "user:3"})
	keys, err = e.rdb.Keys(e.ctx, "*").Result()
	slices.Sort(keys)
	check(e, "KEYS *", keys, err, []string{"other", "user:1", "user:10", "user:2", "user:3"})
	keys, err = e.rdb.Keys(e.ctx, "nomatch*").Result()
	check(e, "KEYS nomatch*", keys, err, []string{})

	n, err := e.rdb.Exists(e.ctx, "user:1", "user:1", "missing", "other").Result()
	check(e, "EXISTS user:1 user:1 missing other", n, err, int64(3))
	s, err := e.rdb.Type(e.ctx, "user:1").Result()
	check(e, "TYPE user:1", s, err, "string")
	s, err = e.rdb.Type(e.ctx, "missing").Result()
	check(e, "TYPE missing", s, err, "none")

	n, err = e.rdb.Del(e.ctx, "user:1", "user:2", "missing").Result()
	check(e, "DEL user:1 user:2 missing", n, err, int64(2))
	n, err = e.rdb.Unlink(e.ctx, "user:3").Result()
	check(e, "UNLINK user:3", n, err, int64(1))
	n, err = e.rdb.Exists(e.ctx, "user:1", "user:2", "user:3").Result()
	check(e, "EXISTS after DEL", n, err, int64(0))
	n, err = e.rdb.DBSize(e.ctx).Result()
	check(e, "DBSIZE", n, err, int64(2))

	n, err = e.rdb.Touch(e.ctx, "other", "missing").Result()
	check(e, "TOUCH other missing", n, err, int64(1))
	s, err = e.rdb.RandomKey(e.ctx).Result()
	if err != nil || (s != "other" && s != "user:10") {
		e.t.Errorf("RANDOMKEY = %q, %v; want other or user:10", s, err)
	}
}

func scenarioScan(e *gr) {
	want := map[string]bool{}
	_, err := e.rdb.Pipelined(e.ctx, func(p redis.Pipeliner) error {
		for i := range 300 {
			k := fmt.Sprintf("sess:%03d", i)
			want[k] = true
			p.Set(e.ctx, k, i, 0)
		}
		for i := range 50 {
			p.Set(e.ctx, fmt.Sprintf("other:%d", i), i, 0)
		}
		return nil
	})
	if err != nil {
		e.t.Fatalf("loading keys: %v", err)
	}
	got := map[string]bool{}
	returned := 0
	it := e.rdb.Scan(e.ctx, 0, "sess:*", 10).Iterator()
	for it.Next(e.ctx) {
		got[it.Val()] = true
		returned++
	}
	if err := it.Err(); err != nil {
		e.t.Fatalf("SCAN iterator: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		e.t.Errorf("SCAN MATCH sess:* returned %d distinct keys, want the %d sess:* keys", len(got), len(want))
	}
	if returned > 2*len(want) {
		e.t.Errorf("SCAN returned %d keys for %d distinct ones", returned, len(want))
	}

	// ScanType with TYPE string sees everything; TYPE hash nothing.
	all := map[string]bool{}
	it = e.rdb.ScanType(e.ctx, 0, "", 100, "string").Iterator()
	for it.Next(e.ctx) {
		all[it.Val()] = true
	}
	if err := it.Err(); err != nil || len(all) != 350 {
		e.t.Errorf("SCAN TYPE string: %d distinct keys, err %v; want 350", len(all), err)
	}
	keys, cursor, err := e.rdb.ScanType(e.ctx, 0, "", 1000, "hash").Result()
	if err != nil || len(keys) != 0 {
		e.t.Errorf("SCAN 0 COUNT 1000 TYPE hash = %v, %d, %v; want no keys", keys, cursor, err)
	}
	checkErr(e, "SCAN x", e.rdb.Do(e.ctx, "SCAN", "x").Err(), "ERR invalid cursor")
}

func scenarioRename(e *gr) {
	e.rdb.Set(e.ctx, "old", "value", 0)
	s, err := e.rdb.Rename(e.ctx, "old", "new").Result()
	check(e, "RENAME old new", s, err, "OK")
	s, err = e.rdb.Get(e.ctx, "new").Result()
	check(e, "GET new", s, err, "value")
	n, err := e.rdb.Exists(e.ctx, "old").Result()
	check(e, "EXISTS old", n, err, int64(0))
	checkErr(e, "RENAME missing x", e.rdb.Rename(e.ctx, "missing", "x").Err(), "ERR no such key")

	// The TTL moves with the key; an existing destination is overwritten.
	e.rdb.Set(e.ctx, "ttl", "t", time.Hour)
	e.rdb.Set(e.ctx, "dest", "overwritten", 0)
	s, err = e.rdb.Rename(e.ctx, "ttl", "dest").Result()
	check(e, "RENAME ttl dest", s, err, "OK")
	s, err = e.rdb.Get(e.ctx, "dest").Result()
	check(e, "GET dest", s, err, "t")
	d, err := e.rdb.TTL(e.ctx, "dest").Result()
	checkBetween(e, "TTL dest", d, err, time.Hour-time.Second, time.Hour)

	ok, err := e.rdb.RenameNX(e.ctx, "new", "dest").Result()
	check(e, "RENAMENX new dest (exists)", ok, err, false)
	ok, err = e.rdb.RenameNX(e.ctx, "new", "fresh").Result()
	check(e, "RENAMENX new fresh", ok, err, true)
	s, err = e.rdb.Get(e.ctx, "fresh").Result()
	check(e, "GET fresh", s, err, "value")
	s, err = e.rdb.Rename(e.ctx, "fresh", "fresh").Result()
	check(e, "RENAME fresh fresh", s, err, "OK")
}

func scenarioSelect(e *gr) {
	db3 := newGoRedis(e.t, e.addr, e.proto, 3)
	s, err := db3.Set(e.ctx, "only3", "x", 0).Result()
	check(e, "SET only3 in db 3", s, err, "OK")
	s, err = db3.Get(e.ctx, "only3").Result()
	check(e, "GET only3 in db 3", s, err, "x")
	n, err := e.rdb.Exists(e.ctx, "only3").Result()
	check(e, "EXISTS only3 in db 0", n, err, int64(0))
	n, err = db3.DBSize(e.ctx).Result()
	check(e, "DBSIZE db 3", n, err, int64(1))
	n, err = e.rdb.DBSize(e.ctx).Result()
	check(e, "DBSIZE db 0", n, err, int64(0))
	info, err := db3.Do(e.ctx, "CLIENT", "INFO").Text()
	if err != nil || clientInfoFields(info)["db"] != "3" {
		e.t.Errorf("CLIENT INFO on a DB 3 client = %q, %v; want db=3", info, err)
	}

	// SELECT on one connection.
	conn := e.rdb.Conn()
	defer conn.Close()
	s, err = conn.Select(e.ctx, 3).Result()
	check(e, "SELECT 3", s, err, "OK")
	s, err = conn.Get(e.ctx, "only3").Result()
	check(e, "GET only3 after SELECT 3", s, err, "x")
	checkErr(e, "SELECT 16", conn.Select(e.ctx, 16).Err(), "ERR DB index is out of range")
	checkErr(e, "SELECT x", conn.Do(e.ctx, "SELECT", "x").Err(), "ERR value is not an integer or out of range")

	// FLUSHDB in db 3 leaves db 0 alone.
	e.rdb.Set(e.ctx, "in0", "y", 0)
	s, err = db3.FlushDB(e.ctx).Result()
	check(e, "FLUSHDB db 3", s, err, "OK")
	n, err = db3.DBSize(e.ctx).Result()
	check(e, "DBSIZE db 3 after FLUSHDB", n, err, int64(0))
	n, err = e.rdb.DBSize(e.ctx).Result()
	check(e, "DBSIZE db 0 after FLUSHDB in db 3", n, err, int64(1))
}

func scenarioPipeline(e *gr) {
	const each = 250
	cmds, err := e.rdb.Pipelined(e.ctx, func(p redis.Pipeliner) error {
		for i := range each {
			p.Set(e.ctx, fmt.Sprintf("p:%d", i), fmt.Sprintf("v%d", i), 0)
		}
		for i := range each {
			p.Get(e.ctx, fmt.Sprintf("p:%d", i))
		}
		for range each {
			p.Incr(e.ctx, "p:counter")
		}
		for i := range each {
			p.PTTL(e.ctx, fmt.Sprintf("p:%d", i))
		}
		return nil
	})
	if err != nil {
		e.t.Fatalf("Pipelined: %v", err)
	}
	if len(cmds) != 4*each {
		e.t.Fatalf("Pipelined returned %d commands, want %d", len(cmds), 4*each)
	}
	for i := range each {
		s, err := cmds[i].(*redis.StatusCmd).Result()
		check(e, fmt.Sprintf("pipelined SET p:%d", i), s, err, "OK")
		s, err = cmds[each+i].(*redis.StringCmd).Result()
		check(e, fmt.Sprintf("pipelined GET p:%d", i), s, err, fmt.Sprintf("v%d", i))
		n, err := cmds[2*each+i].(*redis.IntCmd).Result()
		check(e, fmt.Sprintf("pipelined INCR #%d", i+1), n, err, int64(i+1))
		d, err := cmds[3*each+i].(*redis.DurationCmd).Result()
		check(e, fmt.Sprintf("pipelined PTTL p:%d", i), d, err, time.Duration(-1))
	}
	n, err := e.rdb.DBSize(e.ctx).Result()
	check(e, "DBSIZE after the pipeline", n, err, int64(each+1))

	// An error in the middle of a pipeline fails only its command.
	cmds, err = e.rdb.Pipelined(e.ctx, func(p redis.Pipeliner) error {
		p.Set(e.ctx, "pw", "word", 0)
		p.Incr(e.ctx, "pw")
		p.Get(e.ctx, "pw")
		return nil
	})
	checkErr(e, "pipeline with a failing INCR", err, "ERR value is not an integer or out of range")
	if len(cmds) == 3 {
		s, err := cmds[2].(*redis.StringCmd).Result()
		check(e, "GET after the failed INCR in the pipeline", s, err, "word")
	}
}

func scenarioTransaction(e *gr) {
	conn := e.rdb.Conn()
	err := conn.Do(e.ctx, "MULTI").Err()
	if err != nil && strings.HasPrefix(err.Error(), "ERR unknown command") {
		conn.Close()
		e.t.Skipf("MULTI is not implemented: %v", err)
	}
	if err != nil {
		e.t.Fatalf("MULTI: %v", err)
	}
	v, err := conn.Do(e.ctx, "DISCARD").Result()
	check(e, "DISCARD", v, err, any("OK"))
	conn.Close()

	cmds, err := e.rdb.TxPipelined(e.ctx, func(p redis.Pipeliner) error {
		p.Incr(e.ctx, "tx")
		p.IncrBy(e.ctx, "tx", 5)
		p.Get(e.ctx, "tx")
		return nil
	})
	if err != nil {
		e.t.Fatalf("TxPipelined: %v", err)
	}
	n, err := cmds[0].(*redis.IntCmd).Result()
	check(e, "INCR tx in MULTI", n, err, int64(1))
	n, err = cmds[1].(*redis.IntCmd).Result()
	check(e, "INCRBY tx 5 in MULTI", n, err, int64(6))
	s, err := cmds[2].(*redis.StringCmd).Result()
	check(e, "GET tx in MULTI", s, err, "6")
}

func scenarioClientName(e *gr) {
	conn := e.rdb.Conn()
	defer conn.Close()
	_, err := conn.ClientGetName(e.ctx).Result()
	checkNil(e, "CLIENT GETNAME before SETNAME", err)
	ok, err := conn.ClientSetName(e.ctx, "e2e-conn").Result()
	check(e, "CLIENT SETNAME e2e-conn", ok, err, true)
	s, err := conn.ClientGetName(e.ctx).Result()
	check(e, "CLIENT GETNAME", s, err, "e2e-conn")
	id, err := conn.ClientID(e.ctx).Result()
	if err != nil || id <= 0 {
		e.t.Errorf("CLIENT ID = %d, %v; want a positive id", id, err)
	}
	info, err := conn.Do(e.ctx, "CLIENT", "INFO").Text()
	if f := clientInfoFields(info); err != nil || f["id"] != strconv.FormatInt(id, 10) || f["name"] != "e2e-conn" {
		e.t.Errorf("CLIENT INFO = %q, %v; want id=%d and name=e2e-conn", info, err, id)
	}
	list, err := e.rdb.ClientList(e.ctx).Result()
	if err != nil || !strings.Contains(list, " name=e2e-conn ") {
		e.t.Errorf("CLIENT LIST = %q, %v; want a line with name=e2e-conn", list, err)
	}
	checkErr(e, "CLIENT SETNAME with a space", conn.ClientSetName(e.ctx, "a b").Err(),
		"ERR Client names cannot contain spaces, newlines or special characters.")
	// The empty name clears it.
	ok, err = conn.ClientSetName(e.ctx, "").Result()
	check(e, "CLIENT SETNAME \"\"", ok, err, true)
	_, err = conn.ClientGetName(e.ctx).Result()
	checkNil(e, "CLIENT GETNAME after clearing", err)

	// A name given in the options is set by HELLO ... SETNAME.
	named := redis.NewClient(&redis.Options{Addr: e.addr, Protocol: e.proto, ClientName: "from-options", MaxRetries: -1})
	defer named.Close()
	nc := named.Conn()
	defer nc.Close()
	s, err = nc.ClientGetName(e.ctx).Result()
	check(e, "CLIENT GETNAME of a client named in its options", s, err, "from-options")
}

func scenarioConfig(e *gr) {
	m, err := e.rdb.ConfigGet(e.ctx, "databases").Result()
	check(e, "CONFIG GET databases", m, err, map[string]string{"databases": "16"})
	m, err = e.rdb.ConfigGet(e.ctx, "max*clients").Result()
	check(e, "CONFIG GET max*clients", m, err, map[string]string{"maxclients": "10000", "maxmemory-clients": "0"})
	m, err = e.rdb.ConfigGet(e.ctx, "no-such-directive").Result()
	check(e, "CONFIG GET no-such-directive", m, err, map[string]string{})

	s, err := e.rdb.ConfigSet(e.ctx, "hz", "20").Result()
	check(e, "CONFIG SET hz 20", s, err, "OK")
	m, err = e.rdb.ConfigGet(e.ctx, "hz").Result()
	check(e, "CONFIG GET hz", m, err, map[string]string{"hz": "20"})
	s, err = e.rdb.ConfigSet(e.ctx, "hz", "10").Result()
	check(e, "CONFIG SET hz 10", s, err, "OK")
	checkErr(e, "CONFIG SET maxmemory-policy bogus", e.rdb.ConfigSet(e.ctx, "maxmemory-policy", "bogus").Err(),
		"ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction")
	checkErr(e, "CONFIG SET no-such 1", e.rdb.ConfigSet(e.ctx, "no-such", "1").Err(),
		"ERR Unknown option or number of arguments for CONFIG SET - 'no-such'")
}

func scenarioInfoDBSizeFlush(e *gr) {
	e.rdb.MSet(e.ctx, "a", "1", "b", "2")
	e.rdb.Set(e.ctx, "c", "3", time.Hour)

	all, err := e.rdb.Info(e.ctx).Result()
	if err != nil {
		e.t.Fatalf("INFO: %v", err)
	}
	for _, want := range []string{"# Server\r\n", "\r\nredis_version:", "\r\ntcp_port:", "# Clients\r\n", "\r\nconnected_clients:", "# Memory\r\n", "# Stats\r\n", "# Keyspace\r\n"} {
		if !strings.Contains(all, want) {
			e.t.Errorf("INFO lacks %q", want)
		}
	}
	ks, err := e.rdb.Info(e.ctx, "keyspace").Result()
	if err != nil {
		e.t.Fatalf("INFO keyspace: %v", err)
	}
	const wantKS = "# Keyspace\r\ndb0:keys=3,expires=1,avg_ttl="
	if !strings.HasPrefix(ks, wantKS) || strings.Contains(ks, "# Server") {
		e.t.Errorf("INFO keyspace = %q, want it to start %q and hold only that section", ks, wantKS)
	}
	srv, err := e.rdb.Info(e.ctx, "server").Result()
	if err != nil || !strings.HasPrefix(srv, "# Server\r\n") || strings.Contains(srv, "# Keyspace") {
		e.t.Errorf("INFO server = %q, %v; want only the Server section", srv, err)
	}
	stats, err := e.rdb.Info(e.ctx, "stats").Result()
	if err != nil || !strings.Contains(stats, "\r\ntotal_commands_processed:") || !strings.Contains(stats, "\r\nkeyspace_hits:") {
		e.t.Errorf("INFO stats = %q, %v; want total_commands_processed and keyspace_hits", stats, err)
	}

	n, err := e.rdb.DBSize(e.ctx).Result()
	check(e, "DBSIZE", n, err, int64(3))
	s, err := e.rdb.FlushDB(e.ctx).Result()
	check(e, "FLUSHDB", s, err, "OK")
	n, err = e.rdb.DBSize(e.ctx).Result()
	check(e, "DBSIZE after FLUSHDB", n, err, int64(0))
	ks, err = e.rdb.Info(e.ctx, "keyspace").Result()
	check(e, "INFO keyspace of an empty server", ks, err, "# Keyspace\r\n")
	s, err = e.rdb.FlushDBAsync(e.ctx).Result()
	check(e, "FLUSHDB ASYNC", s, err, "OK")
	s, err = e.rdb.FlushAll(e.ctx).Result()
	check(e, "FLUSHALL", s, err, "OK")
}

// clientInfoFields splits a CLIENT INFO line into its name=value fields.
func clientInfoFields(line string) map[string]string {
	out := map[string]string{}
	for _, kv := range strings.Fields(line) {
		k, v, _ := strings.Cut(kv, "=")
		out[k] = v
	}
	return out
}
