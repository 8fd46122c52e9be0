package difftest

import (
	"fmt"
	"strconv"
)

// zsetScenarios cover the sorted-set commands of Redis 7.0 (ZRANK's 7.2
// WITHSCORE is tested in the server package instead).
func zsetScenarios() []scenario {
	long := "m0123456789012345678901234567890123456789012345678901234567890123456789"
	var many []string
	for i := 0; i < 130; i++ {
		many = append(many, strconv.Itoa(i), "m"+strconv.Itoa(i))
	}
	var dups []string
	for i := 0; i < 130; i++ {
		dups = append(dups, "1", "a")
	}
	return []scenario{
		{"zadd_basic", []step{
			cmd("ZADD", "z", "1", "a", "2", "b", "3", "c"),
			cmd("ZADD", "z", "1", "a"),
			cmd("ZADD", "z", "5", "a", "6", "d"),
			cmd("ZADD", "z", "CH", "5", "a", "7", "b", "8", "e"),
			cmd("ZRANGE", "z", "0", "-1", "WITHSCORES"),
			cmd("ZCARD", "z"),
			cmd("ZCARD", "missing"),
			cmd("TYPE", "z"),
			cmd("OBJECT", "ENCODING", "z"),
			cmd("ZADD", "z"),
			cmd("ZADD", "z", "1"),
			cmd("ZADD", "z", "1", "a", "2"),
			cmd("ZADD", "z", "x", "a"),
			cmd("ZADD", "z", "nan", "a"),
			cmd("ZADD", "z", "NX"),
			cmd("ZADD", "z", "NX", "1"),
			cmd("ZADD", "z", " 1", "a"),
			cmd("ZADD", "z", "1 ", "a"),
			cmd("ZADD", "z", "", "a"),
			cmd("ZADD", "z", "1e400", "a"),
			cmd("ZADD", "z", "1e-400", "a"),
			cmd("ZADD", "z", "0x10", "hex"),
			cmd("ZSCORE", "z", "hex"),
			cmd("ZCARD"),
			cmd("ZCARD", "a", "b"),
		}},
		{"zadd_flags", []step{
			cmd("ZADD", "z", "NX", "XX", "1", "a"),
			cmd("ZADD", "z", "NX", "GT", "1", "a"),
			cmd("ZADD", "z", "NX", "LT", "1", "a"),
			cmd("ZADD", "z", "GT", "LT", "1", "a"),
			cmd("ZADD", "z", "INCR", "1", "a", "2", "b"),
			cmd("ZADD", "z", "XX", "1", "a"),
			cmd("EXISTS", "z"),
			cmd("ZADD", "z", "XX", "INCR", "1", "a"),
			cmd("EXISTS", "z"),
			cmd("ZADD", "z", "NX", "1", "a", "2", "b"),
			cmd("ZADD", "z", "NX", "9", "a", "3", "c"),
			cmd("ZADD", "z", "XX", "9", "a", "4", "d"),
			cmd("ZADD", "z", "XX", "CH", "9", "a", "10", "b"),
			cmd("ZADD", "z", "GT", "CH", "1", "a", "11", "b", "5", "e"),
			cmd("ZADD", "z", "LT", "CH", "1", "a", "11", "b", "6", "f"),
			cmd("ZADD", "z", "XX", "GT", "CH", "100", "a", "100", "g"),
			cmd("ZADD", "z", "gt", "lt", "1", "a"),
			cmd("ZADD", "z", "ch", "nx", "incr", "1", "new"),
			cmd("ZADD", "z", "INCR", "NX", "1", "new"),
			cmd("ZADD", "z", "INCR", "XX", "1", "nope"),
			cmd("ZADD", "z", "INCR", "GT", "-1", "a"),
			cmd("ZADD", "z", "INCR", "LT", "-1", "a"),
			cmd("ZADD", "z", "INCR", "0", "a"),
			cmd("ZRANGE", "z", "0", "-1", "WITHSCORES"),
		}},
		{"zadd_incr_and_zincrby", []step{
			cmd("ZADD", "z", "INCR", "1.5", "a"),
			cmd("ZADD", "z", "INCR", "0.1", "a"),
			cmd("ZINCRBY", "z", "0.2", "a"),
			cmd("ZINCRBY", "z", "-10", "b"),
			cmd("ZINCRBY", "z", "inf", "b"),
			cmd("ZINCRBY", "z", "-inf", "b"),
			cmd("ZADD", "z", "INCR", "-inf", "b"),
			cmd("ZINCRBY", "z", "x", "b"),
			cmd("ZINCRBY", "z", "1"),
			cmd("ZINCRBY", "newz", "3", "m"),
			cmd("ZRANGE", "z", "0", "-1", "WITHSCORES"),
			cmd("ZRANGE", "newz", "0", "-1", "WITHSCORES"),
		}},
		{"zset_score_formatting", []step{
			cmd("ZADD", "z", "0.1", "a", "1e20", "b", "-0", "c", "1.5e-7", "d", "123456789012345678", "e", "inf", "f", "-inf", "g", "3.0", "h", "+5", "i", "1E3", "j"),
			cmd("ZRANGE", "z", "0", "-1", "WITHSCORES"),
			cmd("ZSCORE", "z", "a"),
			cmd("ZSCORE", "z", "c"),
			cmd("ZSCORE", "z", "f"),
			cmd("ZMSCORE", "z", "a", "nope", "g"),
			cmd("ZMSCORE", "missing", "a", "b"),
			cmd("ZSCORE", "missing", "a"),
			cmd("ZSCORE", "z", "nope"),
			cmd("ZMSCORE", "z"),
			cmd("ZSCAN", "z", "0"),
		}},
		{"zrem", []step{
			cmd("ZADD", "z", "1", "a", "2", "b", "3", "c"),
			cmd("ZREM", "z", "a", "x", "a"),
			cmd("ZREM", "missing", "a"),
			cmd("ZREM", "z"),
			cmd("ZREM", "z", "b", "c"),
			cmd("EXISTS", "z"),
			cmd("ZCARD", "z"),
		}},
		{"zrange_by_rank", []step{
			cmd("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"),
			cmd("ZRANGE", "z", "0", "-1"),
			cmd("ZRANGE", "z", "1", "3", "WITHSCORES"),
			cmd("ZRANGE", "z", "-2", "-1"),
			cmd("ZRANGE", "z", "-100", "100"),
			cmd("ZRANGE", "z", "3", "1"),
			cmd("ZRANGE", "z", "5", "10"),
			cmd("ZRANGE", "z", "0", "0", "REV"),
			cmd("ZRANGE", "z", "0", "-1", "REV", "WITHSCORES"),
			cmd("ZRANGE", "z", "1", "2", "rev"),
			cmd("ZREVRANGE", "z", "0", "1"),
			cmd("ZREVRANGE", "z", "-2", "-1", "WITHSCORES"),
			cmd("ZREVRANGE", "z", "0", "1", "REV"),
			cmd("ZREVRANGE", "z", "0", "1", "BYSCORE"),
			cmd("ZRANGE", "z", "a", "1"),
			cmd("ZRANGE", "z", "0", "1", "LIMIT", "0", "1"),
			cmd("ZRANGE", "z", "0", "1", "LIMIT", "0", "-1"),
			cmd("ZRANGE", "z", "0", "1", "LIMIT", "0"),
			cmd("ZRANGE", "z", "0", "1", "WITHSCORES", "x"),
			cmd("ZRANGE", "z", "0", "1", "REV", "REV"),
			cmd("ZRANGE", "z", "0", "1", "BYSCORE", "BYLEX"),
			cmd("ZRANGE", "missing", "0", "-1"),
			cmd("ZRANGE", "z", "0"),
			cmd("ZREVRANGE", "z", "0"),
		}},
		{"zrange_by_score", []step{
			cmd("ZADD", "z", "1", "a", "2", "b", "2", "bb", "3", "c", "4", "d", "5", "e", "-inf", "lo", "inf", "hi"),
			cmd("ZRANGE", "z", "2", "4", "BYSCORE"),
			cmd("ZRANGE", "z", "(2", "4", "BYSCORE", "WITHSCORES"),
			cmd("ZRANGE", "z", "2", "(4", "BYSCORE"),
			cmd("ZRANGE", "z", "-inf", "+inf", "BYSCORE"),
			cmd("ZRANGE", "z", "(-inf", "(inf", "BYSCORE"),
			cmd("ZRANGE", "z", "4", "2", "BYSCORE"),
			cmd("ZRANGE", "z", "4", "2", "BYSCORE", "REV"),
			cmd("ZRANGE", "z", "(4", "(2", "BYSCORE", "REV", "WITHSCORES"),
			cmd("ZRANGE", "z", "-inf", "inf", "BYSCORE", "LIMIT", "1", "3"),
			cmd("ZRANGE", "z", "-inf", "inf", "BYSCORE", "LIMIT", "1", "-1"),
			cmd("ZRANGE", "z", "-inf", "inf", "BYSCORE", "LIMIT", "-1", "3"),
			cmd("ZRANGE", "z", "-inf", "inf", "BYSCORE", "LIMIT", "2", "0"),
			cmd("ZRANGE", "z", "-inf", "inf", "BYSCORE", "LIMIT", "100", "3"),
			cmd("ZRANGE", "z", "inf", "-inf", "BYSCORE", "REV", "LIMIT", "1", "2", "WITHSCORES"),
			cmd("ZRANGE", "z", "2", "2", "BYSCORE"),
			cmd("ZRANGE", "z", "(2", "2", "BYSCORE"),
			cmd("ZRANGE", "z", "x", "2", "BYSCORE"),
			cmd("ZRANGE", "z", "1", "nan", "BYSCORE"),
			cmd("ZRANGE", "z", "((1", "2", "BYSCORE"),
			cmd("ZRANGE", "z", "", "2", "BYSCORE"),
			cmd("ZRANGE", "z", " 1", "1e400", "BYSCORE"),
			cmd("ZRANGE", "z", "0", "1", "BYSCORE", "LIMIT", "x", "1"),
			cmd("ZRANGEBYSCORE", "z", "2", "4"),
			cmd("ZRANGEBYSCORE", "z", "2", "4", "WITHSCORES", "LIMIT", "1", "2"),
			cmd("ZRANGEBYSCORE", "z", "2", "4", "LIMIT", "1", "2", "WITHSCORES"),
			cmd("ZRANGEBYSCORE", "z", "2", "4", "BYSCORE"),
			cmd("ZRANGEBYSCORE", "z", "2", "4", "REV"),
			cmd("ZRANGEBYSCORE", "z", "a", "4"),
			cmd("ZREVRANGEBYSCORE", "z", "4", "2"),
			cmd("ZREVRANGEBYSCORE", "z", "(4", "-inf", "WITHSCORES"),
			cmd("ZREVRANGEBYSCORE", "z", "+inf", "-inf", "LIMIT", "2", "3"),
			cmd("ZREVRANGEBYSCORE", "z", "2", "4"),
			cmd("ZCOUNT", "z", "2", "4"),
			cmd("ZCOUNT", "z", "(2", "(4"),
			cmd("ZCOUNT", "z", "-inf", "+inf"),
			cmd("ZCOUNT", "z", "4", "2"),
			cmd("ZCOUNT", "z", "x", "2"),
			cmd("ZCOUNT", "missing", "0", "1"),
			cmd("ZRANGEBYSCORE", "missing", "0", "1"),
		}},
		{"zrange_by_lex", []step{
			cmd("ZADD", "z", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e", "0", "f", "0", "ab", "0", ""),
			cmd("ZRANGE", "z", "-", "+", "BYLEX"),
			cmd("ZRANGE", "z", "[b", "[d", "BYLEX"),
			cmd("ZRANGE", "z", "(b", "(d", "BYLEX"),
			cmd("ZRANGE", "z", "[d", "[b", "BYLEX", "REV"),
			cmd("ZRANGE", "z", "+", "-", "BYLEX", "REV", "LIMIT", "1", "3"),
			cmd("ZRANGE", "z", "-", "+", "BYLEX", "LIMIT", "2", "2"),
			cmd("ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES"),
			cmd("ZRANGE", "z", "+", "-", "BYLEX"),
			cmd("ZRANGE", "z", "[", "[b", "BYLEX"),
			cmd("ZRANGE", "z", "(", "(b", "BYLEX"),
			cmd("ZRANGE", "z", "a", "[b", "BYLEX"),
			cmd("ZRANGE", "z", "[a", "++", "BYLEX"),
			cmd("ZRANGE", "z", "", "+", "BYLEX"),
			cmd("ZRANGEBYLEX", "z", "[aa", "(c"),
			cmd("ZRANGEBYLEX", "z", "-", "+", "LIMIT", "0", "3"),
			cmd("ZRANGEBYLEX", "z", "-", "+", "WITHSCORES"),
			cmd("ZRANGEBYLEX", "z", "-", "+", "BYLEX"),
			cmd("ZREVRANGEBYLEX", "z", "+", "-"),
			cmd("ZREVRANGEBYLEX", "z", "[e", "(a", "LIMIT", "1", "2"),
			cmd("ZREVRANGEBYLEX", "z", "-", "+"),
			cmd("ZLEXCOUNT", "z", "-", "+"),
			cmd("ZLEXCOUNT", "z", "[b", "(e"),
			cmd("ZLEXCOUNT", "z", "(e", "[b"),
			cmd("ZLEXCOUNT", "z", "b", "(e"),
			cmd("ZLEXCOUNT", "missing", "-", "+"),
			cmd("ZRANGEBYLEX", "missing", "-", "+"),
		}},
		{"zrank", []step{
			cmd("ZADD", "z", "1", "a", "2", "b", "3", "c"),
			cmd("ZRANK", "z", "a"),
			cmd("ZRANK", "z", "c"),
			cmd("ZREVRANK", "z", "a"),
			cmd("ZREVRANK", "z", "c"),
			cmd("ZRANK", "z", "nope"),
			cmd("ZREVRANK", "z", "nope"),
			cmd("ZRANK", "missing", "a"),
			cmd("ZRANK", "z"),
		}},
		{"zset_encoding", []step{
			cmd("ZADD", "small", "1", "a"),
			cmd("OBJECT", "ENCODING", "small"),
			cmd("ZADD", "longm", "1", long),
			cmd("OBJECT", "ENCODING", "longm"),
			cmd("ZADD", "grow", "1", "a"),
			cmd("ZADD", "grow", "2", long),
			cmd("OBJECT", "ENCODING", "grow"),
			cmd("ZREM", "grow", long),
			cmd("OBJECT", "ENCODING", "grow"),
			cmd(append([]string{"ZADD", "many"}, many...)...),
			cmd("OBJECT", "ENCODING", "many"),
			cmd("ZRANGE", "many", "120", "125", "WITHSCORES"),
			cmd("ZRANGE", "many", "(5", "10", "BYSCORE", "REV", "LIMIT", "1", "2"),
			cmd("ZRANK", "many", "m77"),
			cmd("ZREVRANK", "many", "m77"),
			cmd("ZREMRANGEBYRANK", "many", "10", "-10"),
			cmd("ZRANGE", "many", "0", "-1", "WITHSCORES"),
			cmd(append([]string{"ZADD", "dups"}, dups...)...),
			cmd("OBJECT", "ENCODING", "dups"),
			cmd("COPY", "longm", "copied"),
			cmd("OBJECT", "ENCODING", "copied"),
			cmd("ZRANGE", "copied", "0", "-1", "WITHSCORES"),
		}},
		{"zremrange", []step{
			cmd("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "6", "f"),
			cmd("ZREMRANGEBYRANK", "z", "0", "0"),
			cmd("ZREMRANGEBYRANK", "z", "-1", "-1"),
			cmd("ZREMRANGEBYRANK", "z", "5", "10"),
			cmd("ZREMRANGEBYRANK", "z", "2", "1"),
			cmd("ZRANGE", "z", "0", "-1"),
			cmd("ZREMRANGEBYSCORE", "z", "(2", "3"),
			cmd("ZREMRANGEBYSCORE", "z", "x", "3"),
			cmd("ZRANGE", "z", "0", "-1"),
			cmd("ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d"),
			cmd("ZREMRANGEBYLEX", "l", "(a", "[c"),
			cmd("ZREMRANGEBYLEX", "l", "a", "[c"),
			cmd("ZRANGE", "l", "0", "-1"),
			cmd("ZREMRANGEBYLEX", "l", "-", "+"),
			cmd("EXISTS", "l"),
			cmd("ZREMRANGEBYSCORE", "z", "-inf", "+inf"),
			cmd("EXISTS", "z"),
			cmd("ZREMRANGEBYRANK", "missing", "0", "-1"),
			cmd("ZREMRANGEBYRANK", "z", "a", "1"),
			cmd("ZREMRANGEBYSCORE", "missing", "0", "1"),
			cmd("ZREMRANGEBYLEX", "missing", "-", "+"),
		}},
		{"zpop", []step{
			cmd("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"),
			cmd("ZPOPMIN", "z"),
			cmd("ZPOPMAX", "z"),
			cmd("ZPOPMIN", "z", "2"),
			cmd("ZPOPMAX", "z", "0"),
			cmd("ZPOPMIN", "z", "-1"),
			cmd("ZPOPMIN", "z", "x"),
			cmd("ZPOPMIN", "z", "1", "2"),
			cmd("ZPOPMAX", "z", "10"),
			cmd("EXISTS", "z"),
			cmd("ZPOPMIN", "z"),
			cmd("ZPOPMAX", "missing", "3"),
		}},
		{"zrandmember", []step{
			cmd("ZADD", "z", "1", "a", "2", "b", "3", "c"),
			cmd("ZRANDMEMBER", "z").ignore(zrandShape("z", 1, false, true, false)),
			cmd("ZRANDMEMBER", "z", "2").ignore(zrandShape("z", 2, false, true, false)),
			cmd("ZRANDMEMBER", "z", "10").ignore(zrandShape("z", 3, false, true, false)),
			cmd("ZRANDMEMBER", "z", "-5").ignore(zrandShape("z", 5, false, false, false)),
			cmd("ZRANDMEMBER", "z", "2", "WITHSCORES").ignore(zrandShape("z", 2, true, true, false)),
			cmd("ZRANDMEMBER", "z", "-4", "withscores").ignore(zrandShape("z", 4, true, false, false)),
			cmd("ZRANDMEMBER", "z", "0"),
			cmd("ZRANDMEMBER", "z", "0", "WITHSCORES"),
			cmd("ZRANDMEMBER", "z", "x"),
			cmd("ZRANDMEMBER", "z", "1", "x"),
			cmd("ZRANDMEMBER", "z", "1", "WITHSCORES", "x"),
			cmd("ZRANDMEMBER", "z", "-9223372036854775808"),
			cmd("ZRANDMEMBER", "z", "9223372036854775807", "WITHSCORES"),
			cmd("ZRANDMEMBER", "missing"),
			cmd("ZRANDMEMBER", "missing", "3"),
			cmd("ZRANDMEMBER", "missing", "3", "WITHSCORES"),
		}},
		{"zscan", []step{
			cmd("ZADD", "z", "1", "a", "2.5", "b", "3", "c", "inf", "d"),
			cmd("ZSCAN", "z", "0"),
			cmd("ZSCAN", "z", "0", "MATCH", "[ab]"),
			cmd("ZSCAN", "z", "0", "COUNT", "100"),
			cmd("ZSCAN", "z", "0", "COUNT", "0"),
			cmd("ZSCAN", "z", "x"),
			cmd("ZSCAN", "z", "0", "MATCH"),
			cmd("ZSCAN", "z", "0", "FOO", "bar"),
			cmd("ZSCAN", "missing", "0"),
		}},
		{"zrangestore", []step{
			cmd("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"),
			cmd("ZRANGESTORE", "dst", "z", "1", "2"),
			cmd("ZRANGE", "dst", "0", "-1", "WITHSCORES"),
			cmd("ZRANGESTORE", "dst", "z", "(1", "+inf", "BYSCORE", "LIMIT", "1", "5"),
			cmd("ZRANGE", "dst", "0", "-1", "WITHSCORES"),
			cmd("ZRANGESTORE", "dst", "z", "+inf", "-inf", "BYSCORE", "REV", "LIMIT", "0", "2"),
			cmd("ZRANGE", "dst", "0", "-1", "WITHSCORES"),
			cmd("ZRANGESTORE", "dst", "z", "[b", "+", "BYLEX"),
			cmd("ZRANGE", "dst", "0", "-1"),
			cmd("ZRANGESTORE", "dst", "z", "0", "-1", "WITHSCORES"),
			cmd("ZRANGESTORE", "dst", "z", "5", "10"),
			cmd("EXISTS", "dst"),
			cmd("SET", "str", "v"),
			cmd("ZRANGESTORE", "str", "z", "0", "0"),
			cmd("TYPE", "str"),
			cmd("ZRANGESTORE", "dst", "missing", "0", "-1"),
			cmd("ZRANGESTORE", "dst", "str", "0", "-1"),
			cmd("ZRANGESTORE", "z", "z", "0", "1"),
			cmd("ZRANGE", "z", "0", "-1"),
			cmd("ZRANGESTORE", "dst", "z", "0"),
		}},
		{"zunion_zinter_store", []step{
			cmd("ZADD", "z1", "1", "a", "2", "b", "3", "c"),
			cmd("ZADD", "z2", "10", "b", "20", "c", "30", "d"),
			cmd("ZUNIONSTORE", "u", "2", "z1", "z2"),
			cmd("ZRANGE", "u", "0", "-1", "WITHSCORES"),
			cmd("ZINTERSTORE", "i", "2", "z1", "z2"),
			cmd("ZRANGE", "i", "0", "-1", "WITHSCORES"),
			cmd("ZUNIONSTORE", "u", "2", "z1", "z2", "WEIGHTS", "2", "0.5"),
			cmd("ZRANGE", "u", "0", "-1", "WITHSCORES"),
			cmd("ZUNIONSTORE", "u", "2", "z1", "z2", "AGGREGATE", "MIN"),
			cmd("ZRANGE", "u", "0", "-1", "WITHSCORES"),
			cmd("ZINTERSTORE", "i", "2", "z1", "z2", "AGGREGATE", "max", "WEIGHTS", "1", "-1"),
			cmd("ZRANGE", "i", "0", "-1", "WITHSCORES"),
			cmd("ZUNIONSTORE", "u", "3", "z1", "z2", "missing"),
			cmd("ZINTERSTORE", "i", "3", "z1", "z2", "missing"),
			cmd("EXISTS", "i"),
			cmd("ZADD", "inf1", "inf", "a"),
			cmd("ZADD", "inf2", "-inf", "a"),
			cmd("ZUNIONSTORE", "u", "2", "inf1", "inf2"),
			cmd("ZRANGE", "u", "0", "-1", "WITHSCORES"),
			cmd("ZUNIONSTORE", "u", "1", "inf1", "WEIGHTS", "0"),
			cmd("ZRANGE", "u", "0", "-1", "WITHSCORES"),
			cmd("ZUNIONSTORE", "u", "0", "z1"),
			cmd("ZUNIONSTORE", "u", "-1", "z1"),
			cmd("ZUNIONSTORE", "u", "x", "z1"),
			cmd("ZUNIONSTORE", "u", "3", "z1", "z2"),
			cmd("ZUNIONSTORE", "u", "2", "z1", "z2", "WEIGHTS", "1"),
			cmd("ZUNIONSTORE", "u", "2", "z1", "z2", "WEIGHTS", "1", "x"),
			cmd("ZUNIONSTORE", "u", "2", "z1", "z2", "AGGREGATE", "avg"),
			cmd("ZUNIONSTORE", "u", "2", "z1", "z2", "AGGREGATE"),
			cmd("ZINTERSTORE", "i", "0", "z1"),
			cmd("SET", "str", "v"),
			cmd("ZUNIONSTORE", "u", "2", "z1", "str"),
			cmd("ZUNIONSTORE", "str", "1", "z1"),
			cmd("TYPE", "str"),
			cmd("ZUNIONSTORE", "z1", "2", "z1", "z2"),
			cmd("ZRANGE", "z1", "0", "-1", "WITHSCORES"),
			cmd("ZINTERSTORE", "u"),
		}},
		{"zset_wrongtype", []step{
			cmd("SET", "s", "v"),
			cmd("ZADD", "s", "1", "a"),
			cmd("ZADD", "s", "XX", "1", "a"),
			cmd("ZINCRBY", "s", "1", "a"),
			cmd("ZREM", "s", "a"),
			cmd("ZSCORE", "s", "a"),
			cmd("ZMSCORE", "s", "a"),
			cmd("ZCARD", "s"),
			cmd("ZCOUNT", "s", "0", "1"),
			cmd("ZLEXCOUNT", "s", "-", "+"),
			cmd("ZRANGE", "s", "0", "1"),
			cmd("ZRANGEBYSCORE", "s", "0", "1"),
			cmd("ZREVRANGEBYSCORE", "s", "1", "0"),
			cmd("ZRANGEBYLEX", "s", "-", "+"),
			cmd("ZREVRANGEBYLEX", "s", "+", "-"),
			cmd("ZREVRANGE", "s", "0", "1"),
			cmd("ZRANK", "s", "a"),
			cmd("ZREVRANK", "s", "a"),
			cmd("ZREMRANGEBYSCORE", "s", "0", "1"),
			cmd("ZREMRANGEBYRANK", "s", "0", "1"),
			cmd("ZREMRANGEBYLEX", "s", "-", "+"),
			cmd("ZPOPMIN", "s"),
			cmd("ZPOPMAX", "s", "2"),
			cmd("ZRANDMEMBER", "s"),
			cmd("ZSCAN", "s", "0"),
			cmd("ZADD", "z", "1", "a"),
			cmd("GET", "z"),
			cmd("ZRANGE", "z", "x", "1"),
			cmd("ZRANGE", "s", "x", "1"),
		}},
		{"zset_resp3", []step{
			hello3(),
			cmd("ZADD", "z", "1", "a", "2.5", "b", "inf", "c"),
			cmd("ZADD", "z", "INCR", "1", "a"),
			cmd("ZADD", "z", "XX", "INCR", "1", "nope"),
			cmd("ZINCRBY", "z", "0.1", "b"),
			cmd("ZSCORE", "z", "a"),
			cmd("ZSCORE", "z", "nope"),
			cmd("ZMSCORE", "z", "a", "nope"),
			cmd("ZRANGE", "z", "0", "-1"),
			cmd("ZRANGE", "z", "0", "-1", "WITHSCORES"),
			cmd("ZRANGEBYSCORE", "z", "-inf", "inf", "WITHSCORES"),
			cmd("ZREVRANGE", "z", "0", "-1", "WITHSCORES"),
			cmd("ZRANK", "z", "nope"),
			cmd("ZSCAN", "z", "0"),
			cmd("ZRANDMEMBER", "z", "2", "WITHSCORES").ignore(zrandShape("z", 2, true, true, true)),
			cmd("ZRANDMEMBER", "missing"),
			cmd("ZPOPMIN", "z"),
			cmd("ZPOPMIN", "z", "1"),
			cmd("ZPOPMAX", "z", "5"),
			cmd("ZPOPMIN", "missing"),
		}},
	}
}

// zrandShape checks a ZRANDMEMBER reply: n members (1 and a bare bulk when
// the reply is not an array), each a member of key, with its score when
// withScores, distinct when asked, as [member, score] pairs when nested.
func zrandShape(key string, n int, withScores, distinct, nested bool) func(*client, *value) error {
	return func(c *client, v *value) error {
		var members, scores []string
		switch {
		case v.kind == '$' && !v.null:
			members = []string{v.str}
		case v.kind == '*' && nested:
			for _, p := range v.elems {
				if p.kind != '*' || len(p.elems) != 2 || p.elems[1].kind != ',' {
					return fmt.Errorf("want [member, double] pairs")
				}
				members = append(members, p.elems[0].str)
				scores = append(scores, p.elems[1].str)
			}
		case v.kind == '*':
			step := 1
			if withScores {
				step = 2
			}
			for i := 0; i < len(v.elems); i += step {
				members = append(members, v.elems[i].str)
				if withScores {
					scores = append(scores, v.elems[i+1].str)
				}
			}
		default:
			return fmt.Errorf("unexpected reply kind %q", v.kind)
		}
		if len(members) != n {
			return fmt.Errorf("got %d members, want %d", len(members), n)
		}
		seen := map[string]bool{}
		for i, m := range members {
			if distinct && seen[m] {
				return fmt.Errorf("member %q repeated", m)
			}
			seen[m] = true
			s, err := c.do("ZSCORE", key, m)
			if err != nil {
				return err
			}
			if s.kind != '$' && s.kind != ',' || s.null {
				return fmt.Errorf("%q is not a member of %s", m, key)
			}
			if withScores && scores[i] != s.str {
				return fmt.Errorf("score of %q is %q, ZSCORE says %q", m, scores[i], s.str)
			}
		}
		return nil
	}
}
