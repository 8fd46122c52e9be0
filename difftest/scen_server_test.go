package difftest

import (
	"fmt"
	"strconv"
	"strings"
)

func serverScenarios() []scenario {
	big := []string{"ZADD", "bigz"}
	bigh := []string{"HSET", "bigh"}
	bigs := []string{"SADD", "bigs"}
	for i := 0; i < 200; i++ {
		big = append(big, strconv.Itoa(i)+".25", "m"+strconv.Itoa(i))
		bigh = append(bigh, "f"+strconv.Itoa(i), "v"+strconv.Itoa(i))
		bigs = append(bigs, "s"+strconv.Itoa(i))
	}
	return []scenario{
		// DEBUG DIGEST is Redis's dataset digest: equal digests must mean
		// equal data across both servers, for every type and encoding.
		{"debug_digest", []step{
			cmd("DEBUG", "DIGEST"),
			cmd("SET", "s", "hello"),
			cmd("SET", "n", "12345"),
			cmd("SET", "t", "with ttl", "EX", "1000"),
			cmd("RPUSH", "l", "a", "17", "", "b"),
			cmd("SADD", "si", "1", "2", "3"),
			cmd("SADD", "ss", "x", "y"),
			cmd(bigs...),
			cmd("HSET", "h", "a", "1", "b", "two"),
			cmd(bigh...),
			cmd("HSET", "hl", "f", strings.Repeat("v", 100)),
			cmd("ZADD", "z", "1.1", "a", "1e20", "b", "inf", "c", "-inf", "d", "0", "e", "-2.5", "f", "3", "g", "0.1", "h"),
			cmd(big...),
			cmd("DEBUG", "DIGEST"),
			cmd("DEBUG", "DIGEST-VALUE", "s", "n", "t", "l", "si", "ss", "bigs", "h", "bigh", "hl", "z", "bigz", "nosuch"),
			cmd("DEBUG", "DIGEST-VALUE"),
			cmd("SELECT", "3"),
			cmd("SET", "s", "hello"),
			cmd("DEBUG", "DIGEST"),
			cmd("DEBUG", "DIGEST-VALUE", "s"),
			cmd("SELECT", "0"),
			cmd("PERSIST", "t"),
			cmd("DEBUG", "DIGEST-VALUE", "t"),
			cmd("FLUSHALL"),
			cmd("DEBUG", "DIGEST"),
			cmd("DEBUG", "nosuch"),
			cmd("DEBUG", "DIGEST", "x"),
			cmd("DEBUG"),
		}},
		// MEMORY USAGE's byte counts differ by design (the Go heap against
		// jemalloc's); its replies for missing keys and bad arguments do not.
		{"memory_usage_errors", []step{
			cmd("SET", "a", "b"),
			cmd("MEMORY", "USAGE", "missing"),
			cmd("MEMORY", "USAGE", "missing", "SAMPLES", "0"),
			cmd("MEMORY", "USAGE", "a", "SAMPLES", "x"),
			cmd("MEMORY", "USAGE", "a", "samples", "-1"),
			cmd("MEMORY", "USAGE", "a", "SAMPLES"),
			cmd("MEMORY", "USAGE", "a", "foo"),
			cmd("MEMORY", "USAGE", "a", "SAMPLES", "0", "extra"),
			cmd("MEMORY", "USAGE"),
			cmd("MEMORY"),
			cmd("MEMORY", "foo"),
			cmd("MEMORY", "HELP", "x"),
			cmd("MEMORY", "PURGE"),
		}},
		// Under an LFU policy OBJECT FREQ is Redis's logarithmic counter: 5
		// for a new key, 6 after its first read (certain), then growing
		// with a probability (not compared). Other policies refuse it.
		{"lfu_counter", []step{
			cmd("SET", "k", "v"),
			cmd("OBJECT", "FREQ", "k"),
			cmd("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"),
			cmd("SET", "n", "v"),
			cmd("OBJECT", "FREQ", "n"),
			cmd("GET", "n"),
			cmd("OBJECT", "FREQ", "n"),
			cmd("OBJECT", "FREQ", "missing"),
			cmd("CONFIG", "SET", "maxmemory-policy", "volatile-lfu"),
			cmd("OBJECT", "FREQ", "n"),
			cmd("CONFIG", "SET", "maxmemory-policy", "allkeys-lru"),
			cmd("OBJECT", "FREQ", "n"),
			cmd("CONFIG", "SET", "maxmemory-policy", "noeviction"),
		}},
		{"dbsize", []step{
			cmd("DBSIZE"),
			cmd("MSET", "a", "1", "b", "2"),
			cmd("DBSIZE"),
			cmd("SELECT", "1"),
			cmd("DBSIZE"),
			cmd("DBSIZE", "x"),
		}},
		{"flush", []step{
			cmd("SET", "a", "1"),
			cmd("SELECT", "1"),
			cmd("SET", "b", "1"),
			cmd("FLUSHDB"),
			cmd("DBSIZE"),
			cmd("SELECT", "0"),
			cmd("DBSIZE"),
			cmd("FLUSHDB", "ASYNC"),
			cmd("DBSIZE"),
			cmd("SET", "a", "1"),
			cmd("FLUSHDB", "sync"),
			cmd("DBSIZE"),
			cmd("FLUSHDB", "foo"),
			cmd("FLUSHDB", "ASYNC", "SYNC"),
			cmd("FLUSHDB", "SYNC", "SYNC"),
			cmd("SET", "a", "1"),
			cmd("SELECT", "3"),
			cmd("SET", "b", "1"),
			cmd("FLUSHALL", "SYNC"),
			cmd("DBSIZE"),
			cmd("SELECT", "0"),
			cmd("DBSIZE"),
			cmd("SET", "a", "1"),
			cmd("FLUSHALL", "async"),
			cmd("EXISTS", "a"),
			cmd("FLUSHALL", "foo"),
			cmd("FLUSHALL", "ASYNC", "SYNC"),
		}},
		{"time_lastsave", []step{
			cmd("TIME").typeOnly().with(timeReply),
			cmd("TIME", "x"),
			cmd("LASTSAVE").typeOnly().with(nonNegativeInt),
			cmd("LASTSAVE", "x"),
			hello3(),
			cmd("TIME").typeOnly().with(timeReply),
		}},
		{"config_get", []step{
			cmd("CONFIG", "GET", "nosuchoption"),
			cmd("CONFIG", "GET", "maxclients"),
			cmd("CONFIG", "GET", "timeout"),
			cmd("CONFIG", "GET", "databases"),
			cmd("CONFIG", "GET", "save"),
			cmd("CONFIG", "GET", "appendonly"),
			cmd("config", "get", "MAXCLIENTS"),
			cmd("CONFIG", "GET"),
			hello3(),
			cmd("CONFIG", "GET", "nosuchoption"),
			cmd("CONFIG", "GET", "databases"),
			cmd("CONFIG", "GET", "maxclients", "timeout", "databases").sorted(),
		}},
		{"config_set_errors", []step{
			cmd("CONFIG", "SET", "nosuchoption", "x"),
			cmd("CONFIG", "SET", "maxclients", "abc"),
			cmd("CONFIG", "SET", "timeout", "abc"),
			cmd("CONFIG", "SET", "appendonly", "maybe"),
			cmd("CONFIG", "SET", "databases", "5"),
			cmd("CONFIG", "SET", "maxclients"),
			cmd("CONFIG", "SET"),
			cmd("CONFIG", "GET", "maxclients"),
		}},
		{"command_info", []step{
			cmd("COMMAND", "COUNT").typeOnly().with(nonNegativeInt),
			cmd("COMMAND", "COUNT", "x"),
			cmd("COMMAND", "x"),
			cmd("INFO").typeOnly().with(bulkContaining("redis_version:")),
			cmd("INFO", "server").typeOnly().with(bulkContaining("redis_version:")),
			hello3(),
			cmd("INFO").typeOnly().with(bulkContaining("redis_version:")),
		}},
		{"swapdb", []step{
			cmd("SET", "a", "in0"),
			cmd("SELECT", "1"),
			cmd("SET", "b", "in1"),
			cmd("SWAPDB", "0", "1"),
			cmd("GET", "b"),
			cmd("GET", "a"),
			cmd("SELECT", "0"),
			cmd("GET", "b"),
			cmd("SWAPDB", "0", "0"),
			cmd("GET", "b"),
			cmd("SWAPDB", "0", "abc"),
			cmd("SWAPDB", "abc", "0"),
			cmd("SWAPDB", "0", "16"),
			cmd("SWAPDB", "-1", "0"),
			cmd("SWAPDB", "0"),
			cmd("SWAPDB", "0", "1", "2"),
			cmd("SET", "t", "v", "EX", "100"),
			cmd("SWAPDB", "1", "0"),
			cmd("SELECT", "1"),
			cmd("TTL", "t").ttl(),
		}},
		{"move", []step{
			cmd("SET", "k", "v", "EX", "100"),
			cmd("MOVE", "k", "1"),
			cmd("EXISTS", "k"),
			cmd("SELECT", "1"),
			cmd("GET", "k"),
			cmd("TTL", "k").ttl(),
			cmd("SET", "j", "x"),
			cmd("SELECT", "0"),
			cmd("SET", "j", "y"),
			cmd("MOVE", "j", "1"),
			cmd("GET", "j"),
			cmd("MOVE", "missing", "1"),
			cmd("MOVE", "j", "0"),
			cmd("MOVE", "missing", "0"),
			cmd("MOVE", "j", "16"),
			cmd("MOVE", "j", "-1"),
			cmd("MOVE", "j", "abc"),
			cmd("MOVE", "j"),
			cmd("MOVE", "j", "1", "2"),
		}},
	}
}

// timeReply checks TIME's shape: two bulks of decimal digits, the second
// (microseconds) below one million.
func timeReply(_ *client, v *value) error {
	if v.kind != '*' || len(v.elems) != 2 {
		return fmt.Errorf("want a two-element array")
	}
	for i, e := range v.elems {
		n, err := strconv.ParseUint(e.str, 10, 64)
		if e.kind != '$' || err != nil {
			return fmt.Errorf("element %d is not a decimal bulk", i)
		}
		if i == 1 && n >= 1000000 {
			return fmt.Errorf("microseconds %d out of range", n)
		}
	}
	return nil
}
