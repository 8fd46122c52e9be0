package server

import (
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"

	"sessiond/glob"
	"sessiond/storage"
)

func zsetCommands() []*Command {
	const (
		g           = "sorted-set"
		rangeCx     = "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned."
		byCx        = "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N))."
		remCx       = "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation."
		popCx       = "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped."
		storeSyntax = "destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM | MIN | MAX]"
	)
	one := func(name string, arity int, flags Flag, h func(*Client, [][]byte), since, summary, cx, syntax string) *Command {
		return &Command{Name: name, Arity: arity, Flags: flags, FirstKey: 1, LastKey: 1, Step: 1, Handler: h,
			Group: g, Since: since, Summary: summary, Complexity: cx, Syntax: syntax}
	}
	wf := FlagWrite | FlagDenyOOM | FlagFast
	rf := FlagReadonly | FlagFast
	return []*Command{
		one("zadd", -4, wf, cmdZadd, "1.2.0", "Add one or more members to a sorted set, or update its score if it already exists",
			"O(log(N)) for each item added, where N is the number of elements in the sorted set.",
			"key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...]"),
		one("zincrby", 4, wf, cmdZincrby, "1.2.0", "Increment the score of a member in a sorted set",
			"O(log(N)) where N is the number of elements in the sorted set.", "key increment member"),
		one("zrem", -3, FlagWrite|FlagFast, cmdZrem, "1.2.0", "Remove one or more members from a sorted set",
			"O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.", "key member [member ...]"),
		one("zscore", 3, rf, cmdZscore, "1.2.0", "Get the score associated with the given member in a sorted set", "O(1)", "key member"),
		one("zmscore", -3, rf, cmdZmscore, "6.2.0", "Get the score associated with the given members in a sorted set",
			"O(N) where N is the number of members being requested.", "key member [member ...]"),
		one("zcard", 2, rf, cmdZcard, "1.2.0", "Get the number of members in a sorted set", "O(1)", "key"),
		one("zcount", 4, rf, cmdZcount, "2.0.0", "Count the members in a sorted set with scores within the given values",
			"O(log(N)) with N being the number of elements in the sorted set.", "key min max"),
		one("zlexcount", 4, rf, cmdZlexcount, "2.8.9", "Count the number of members in a sorted set between a given lexicographical range",
			"O(log(N)) with N being the number of elements in the sorted set.", "key min max"),
		one("zrange", -4, FlagReadonly, cmdZrange, "1.2.0", "Return a range of members in a sorted set", rangeCx,
			"key start stop [BYSCORE | BYLEX] [REV] [LIMIT offset count] [WITHSCORES]"),
		{Name: "zrangestore", Arity: -5, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 2, Step: 1, Handler: cmdZrangestore,
			Group: g, Since: "6.2.0", Summary: "Store a range of members from sorted set into another key",
			Complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.",
			Syntax:     "dst src min max [BYSCORE | BYLEX] [REV] [LIMIT offset count]"},
		one("zrangebyscore", -4, FlagReadonly, cmdZrangebyscore, "1.0.5", "Return a range of members in a sorted set, by score", byCx,
			"key min max [WITHSCORES] [LIMIT offset count]"),
		one("zrevrangebyscore", -4, FlagReadonly, cmdZrevrangebyscore, "2.2.0", "Return a range of members in a sorted set, by score, with scores ordered from high to low", byCx,
			"key max min [WITHSCORES] [LIMIT offset count]"),
		one("zrangebylex", -4, FlagReadonly, cmdZrangebylex, "2.8.9", "Return a range of members in a sorted set, by lexicographical range", byCx,
			"key min max [LIMIT offset count]"),
		one("zrevrangebylex", -4, FlagReadonly, cmdZrevrangebylex, "2.8.9", "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.", byCx,
			"key max min [LIMIT offset count]"),
		one("zrevrange", -4, FlagReadonly, cmdZrevrange, "1.2.0", "Return a range of members in a sorted set, by index, with scores ordered from high to low", rangeCx,
			"key start stop [WITHSCORES]"),
		one("zrank", -3, rf, cmdZrank, "2.0.0", "Determine the index of a member in a sorted set", "O(log(N))", "key member [WITHSCORE]"),
		one("zrevrank", -3, rf, cmdZrevrank, "2.0.0", "Determine the index of a member in a sorted set, with scores ordered from high to low", "O(log(N))", "key member [WITHSCORE]"),
		one("zremrangebyscore", 4, FlagWrite, cmdZremrangebyscore, "1.2.0", "Remove all members in a sorted set within the given scores", remCx, "key min max"),
		one("zremrangebyrank", 4, FlagWrite, cmdZremrangebyrank, "2.0.0", "Remove all members in a sorted set within the given indexes", remCx, "key start stop"),
		one("zremrangebylex", 4, FlagWrite, cmdZremrangebylex, "2.8.9", "Remove all members in a sorted set between the given lexicographical range", remCx, "key min max"),
		one("zpopmin", -2, FlagWrite|FlagFast, cmdZpopmin, "5.0.0", "Remove and return members with the lowest scores in a sorted set", popCx, "key [count]"),
		one("zpopmax", -2, FlagWrite|FlagFast, cmdZpopmax, "5.0.0", "Remove and return members with the highest scores in a sorted set", popCx, "key [count]"),
		one("zrandmember", -2, FlagReadonly, cmdZrandmember, "6.2.0", "Get one or multiple random elements from a sorted set",
			"O(N) where N is the number of elements returned", "key [count [WITHSCORES]]"),
		one("zscan", -3, FlagReadonly, cmdZscan, "2.8.0", "Incrementally iterate sorted sets elements and associated scores",
			"O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
			"key cursor [MATCH pattern] [COUNT count]"),
		one("zunionstore", -4, FlagWrite|FlagDenyOOM, cmdZunionstore, "2.0.0", "Add multiple sorted sets and store the resulting sorted set in a new key",
			"O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.", storeSyntax),
		one("zinterstore", -4, FlagWrite|FlagDenyOOM, cmdZinterstore, "2.0.0", "Intersect multiple sorted sets and store the resulting sorted set in a new key",
			"O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.", storeSyntax),
	}
}

// zlimits returns the configured listpack limits, read once per command.
func (c *Client) zlimits() (entries, value int) {
	return c.srv.cfg.ZsetMaxListpackEntries(), c.srv.cfg.ZsetMaxListpackValue()
}

// readZSet looks key up for a read of a sorted set: it counts the lookup
// and replies WRONGTYPE (reporting false) when the key holds another type.
// A missing key is (nil, true).
func (c *Client) readZSet(tx *storage.Tx, db int, key []byte) (*storage.ZSet, bool) {
	e := c.lookup(tx, db, key)
	c.countLookup(e)
	return c.asZSet(e)
}

// writeZSet looks key up for a write of a sorted set, as readZSet without
// counting the lookup.
func (c *Client) writeZSet(tx *storage.Tx, db int, key []byte) (*storage.ZSet, bool) {
	return c.asZSet(c.lookup(tx, db, key))
}

func (c *Client) asZSet(e *storage.Entry) (*storage.ZSet, bool) {
	if e == nil {
		return nil, true
	}
	z, ok := e.Obj.(*storage.ZSet)
	if !ok {
		c.w.Error(errWrongType)
		return nil, false
	}
	return z, true
}

// isCSpace is C's isspace.
func isCSpace(ch byte) bool {
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\v' || ch == '\f' || ch == '\r'
}

// parseScore parses a score or weight as Redis's getDoubleFromObject does
// with strtod: no leading space, nothing after the number, no NaN, and no
// overflow or underflow to zero.
func parseScore(b []byte) (float64, bool) {
	if len(b) == 0 || isCSpace(b[0]) {
		return 0, false
	}
	f, err := cParseFloat(b)
	if err != nil || math.IsNaN(f) || f == 0 && hasNonZeroMantissa(b) {
		return 0, false
	}
	return f, true
}

// cParseFloat is strconv.ParseFloat accepting, as strtod does, a hex
// number without a binary exponent ("0x10").
func cParseFloat(b []byte) (float64, error) {
	s := string(b)
	t := strings.TrimLeft(s, "+-")
	if len(t) > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X') && !strings.ContainsAny(t, "pP") {
		s += "p0"
	}
	return strconv.ParseFloat(s, 64)
}

// hasNonZeroMantissa reports whether a decimal number's digits before any
// exponent include a non-zero one (so a zero result means underflow).
func hasNonZeroMantissa(b []byte) bool {
	for _, ch := range b {
		if ch == 'e' || ch == 'E' || ch == 'p' || ch == 'P' {
			return false
		}
		if ch >= '1' && ch <= '9' {
			return true
		}
	}
	return false
}

// parseRangeFloat parses one end of a score range as Redis's zslParseRange
// does with bare strtod: leading space is skipped, overflow gives an
// infinity, an empty string is 0, and NaN or trailing bytes are errors.
func parseRangeFloat(b []byte) (float64, bool) {
	i := 0
	for i < len(b) && isCSpace(b[i]) {
		i++
	}
	b = b[i:]
	if len(b) == 0 {
		return 0, i == 0
	}
	f, err := cParseFloat(b)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
			return 0, false
		}
	}
	return f, !math.IsNaN(f)
}

// scoreRange is a parsed min/max score interval.
type scoreRange struct {
	min, max     float64
	minex, maxex bool
}

func parseScoreBound(b []byte) (float64, bool, bool) {
	if len(b) > 0 && b[0] == '(' {
		f, ok := parseRangeFloat(b[1:])
		return f, true, ok
	}
	f, ok := parseRangeFloat(b)
	return f, false, ok
}

func parseScoreRange(min, max []byte) (scoreRange, bool) {
	var r scoreRange
	var ok1, ok2 bool
	r.min, r.minex, ok1 = parseScoreBound(min)
	r.max, r.maxex, ok2 = parseScoreBound(max)
	return r, ok1 && ok2
}

// ranks returns the ascending rank interval [lo, hi] of z within r.
func (r scoreRange) ranks(z *storage.ZSet) (int, int) {
	lo := z.Search(func(it storage.ZItem) bool {
		if r.minex {
			return it.Score > r.min
		}
		return it.Score >= r.min
	})
	hi := z.Search(func(it storage.ZItem) bool {
		if r.maxex {
			return it.Score >= r.max
		}
		return it.Score > r.max
	}) - 1
	return lo, hi
}

// lexBound is one end of a lex range: "-" (inf < 0), "+" (inf > 0), or a
// string that is inclusive ('[') or exclusive ('(').
type lexBound struct {
	inf int
	s   string
	ex  bool
}

type lexRange struct{ min, max lexBound }

func parseLexBound(b []byte) (lexBound, bool) {
	if len(b) == 0 {
		return lexBound{}, false
	}
	switch b[0] {
	case '+', '-':
		if len(b) != 1 {
			return lexBound{}, false
		}
		if b[0] == '+' {
			return lexBound{inf: 1}, true
		}
		return lexBound{inf: -1}, true
	case '(':
		return lexBound{s: string(b[1:]), ex: true}, true
	case '[':
		return lexBound{s: string(b[1:])}, true
	}
	return lexBound{}, false
}

func parseLexRange(min, max []byte) (lexRange, bool) {
	a, ok1 := parseLexBound(min)
	b, ok2 := parseLexBound(max)
	return lexRange{a, b}, ok1 && ok2
}

// The lex range functions follow Redis's algorithms step for step: a
// listpack is scanned linearly, a skiplist is searched by descent. When
// the members have different scores (Redis documents the result as
// unspecified) a listpack therefore answers exactly as Redis does; a
// skiplist's answer depends on its random node levels, in Redis as here.

func (r lexRange) gteMin(s string) bool {
	switch {
	case r.min.inf != 0:
		return r.min.inf < 0
	case r.min.ex:
		return s > r.min.s
	}
	return s >= r.min.s
}

func (r lexRange) lteMax(s string) bool {
	switch {
	case r.max.inf != 0:
		return r.max.inf > 0
	case r.max.ex:
		return s < r.max.s
	}
	return s <= r.max.s
}

// inRange is Redis's zslIsInLexRange / zzlIsInLexRange.
func (r lexRange) inRange(z *storage.ZSet) bool {
	// Redis's sdscmplex: "-" sorts before and "+" after every string
	var cmp int
	if r.min.inf != 0 || r.max.inf != 0 {
		cmp = cmpInt(r.min.inf, r.max.inf)
	} else {
		cmp = strings.Compare(r.min.s, r.max.s)
	}
	minex := r.min.ex || r.min.inf != 0
	maxex := r.max.ex || r.max.inf != 0
	if cmp > 0 || cmp == 0 && (minex || maxex) {
		return false
	}
	n := z.Len()
	return n > 0 && r.gteMin(z.At(n-1).Member) && r.lteMax(z.At(0).Member)
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// first is the rank Redis's *FirstInLexRange finds, or -1.
func (r lexRange) first(z *storage.ZSet) int {
	if !r.inRange(z) {
		return -1
	}
	n := z.Len()
	i := n
	if z.IsListpack() {
		for k := 0; k < n; k++ {
			if r.gteMin(z.At(k).Member) {
				i = k
				break
			}
		}
	} else {
		i = z.Search(func(it storage.ZItem) bool { return r.gteMin(it.Member) })
	}
	if i >= n || !r.lteMax(z.At(i).Member) {
		return -1
	}
	return i
}

// last is the rank Redis's *LastInLexRange finds, or -1.
func (r lexRange) last(z *storage.ZSet) int {
	if !r.inRange(z) {
		return -1
	}
	n := z.Len()
	i := -1
	if z.IsListpack() {
		for k := n - 1; k >= 0; k-- {
			if r.lteMax(z.At(k).Member) {
				i = k
				break
			}
		}
	} else {
		i = z.Search(func(it storage.ZItem) bool { return !r.lteMax(it.Member) }) - 1
	}
	if i < 0 || !r.gteMin(z.At(i).Member) {
		return -1
	}
	return i
}

// ranks is the interval Redis walks: from first, onwards while <= max.
func (r lexRange) ranks(z *storage.ZSet) (int, int) {
	f := r.first(z)
	if f < 0 {
		return 0, -1
	}
	end := f - 1
	z.Range(f, z.Len()-1, false, func(it storage.ZItem) bool {
		if !r.lteMax(it.Member) {
			return false
		}
		end++
		return true
	})
	return f, end
}

// count is ZLEXCOUNT: a walk for a listpack, a rank difference for a
// skiplist.
func (r lexRange) count(z *storage.ZSet) (int, int) {
	if z.IsListpack() {
		return r.ranks(z)
	}
	f := r.first(z)
	if f < 0 {
		return 0, -1
	}
	if l := r.last(z); l >= 0 {
		return f, l
	}
	return f, z.Len() - 1
}

// collect is Redis's genericZrangebylexCommand: from the first (or, in
// reverse, the last) member in range, skip offset members unchecked, then
// take up to limit while they stay in range.
func (r lexRange) collect(z *storage.ZSet, rev bool, offset, limit int64) []storage.ZItem {
	n := z.Len()
	if offset < 0 || offset > 0 && offset >= int64(n) || limit == 0 {
		return nil
	}
	var start int
	if rev {
		start = r.last(z)
	} else {
		start = r.first(z)
	}
	if start < 0 {
		return nil
	}
	var out []storage.ZItem
	if rev {
		start -= int(offset)
		if start < 0 {
			return nil
		}
		z.Range(0, start, true, func(it storage.ZItem) bool {
			if !r.gteMin(it.Member) {
				return false
			}
			out = append(out, it)
			return limit < 0 || int64(len(out)) < limit
		})
		return out
	}
	start += int(offset)
	if start >= n {
		return nil
	}
	z.Range(start, n-1, false, func(it storage.ZItem) bool {
		if !r.lteMax(it.Member) {
			return false
		}
		out = append(out, it)
		return limit < 0 || int64(len(out)) < limit
	})
	return out
}

// ---- ZADD, ZINCRBY ----

const (
	zaddNX = 1 << iota
	zaddXX
	zaddGT
	zaddLT
	zaddCH
	zaddINCR
)

func cmdZadd(c *Client, args [][]byte) {
	flags := 0
	i := 2
	for ; i < len(args); i++ {
		a := args[i]
		switch {
		case eq(a, "nx"):
			flags |= zaddNX
		case eq(a, "xx"):
			flags |= zaddXX
		case eq(a, "ch"):
			flags |= zaddCH
		case eq(a, "incr"):
			flags |= zaddINCR
		case eq(a, "gt"):
			flags |= zaddGT
		case eq(a, "lt"):
			flags |= zaddLT
		default:
			goto done
		}
	}
done:
	pairs := args[i:]
	if len(pairs) == 0 || len(pairs)%2 != 0 {
		c.w.Error(errSyntax)
		return
	}
	switch {
	case flags&zaddNX != 0 && flags&zaddXX != 0:
		c.w.Error(errZaddNXXX)
		return
	case flags&zaddNX != 0 && flags&(zaddGT|zaddLT) != 0 || flags&zaddGT != 0 && flags&zaddLT != 0:
		c.w.Error(errZaddGTLTNX)
		return
	case flags&zaddINCR != 0 && len(pairs) > 2:
		c.w.Error(errZaddIncrPair)
		return
	}
	c.zadd(args[1], pairs, flags)
}

func cmdZincrby(c *Client, args [][]byte) {
	c.zadd(args[1], args[2:], zaddINCR)
}

// zadd applies score/member pairs with ZADD's flags (already validated)
// and replies. Its effect is ZADD of the resulting scores of the members
// it added or changed.
func (c *Client) zadd(key []byte, pairs [][]byte, flags int) {
	var small [8]float64 // the common few pairs need no allocation
	scores := small[:0]
	if len(pairs)/2 > len(small) {
		scores = make([]float64, 0, len(pairs)/2)
	}
	scores = scores[:len(pairs)/2]
	for j := range scores {
		f, ok := parseScore(pairs[2*j])
		if !ok {
			c.w.Error(errNotFloat)
			return
		}
		scores[j] = f
	}
	db := c.DB()
	tx := c.srv.store.Begin(c.nowMs, db, key)
	defer tx.End()
	z, ok := c.writeZSet(&tx, db, key)
	if !ok {
		return
	}
	incr := flags&zaddINCR != 0
	// the limits matter only while the set is (or starts) compact
	maxEntries, maxValue := math.MaxInt, math.MaxInt
	if z == nil || z.IsListpack() {
		maxEntries, maxValue = c.zlimits()
	}
	if z == nil {
		if flags&zaddXX != 0 {
			if incr {
				c.w.Null()
			} else {
				c.w.Int(0)
			}
			return
		}
		// Redis 7.0 picks the encoding of a new set from its first member.
		z = storage.NewZSet(maxEntries > 0 && len(pairs[1]) <= maxValue)
		tx.Put(db, clone(key), nil, z, 0)
	}
	var effect [][]byte
	logging := tx.Logging()
	added, updated, processed := 0, 0, 0
	score := 0.0
	for j, s := range scores {
		member := pairs[2*j+1]
		cur, exists := z.Score(string(member))
		if exists {
			if flags&zaddNX != 0 {
				continue
			}
			if incr {
				s += cur
				if math.IsNaN(s) {
					c.emitZadd(&tx, db, key, effect)
					if z.Len() == 0 {
						tx.Delete(db, key)
					}
					c.w.Error(errZaddNaN)
					return
				}
			}
			if flags&zaddLT != 0 && s >= cur || flags&zaddGT != 0 && s <= cur {
				continue
			}
			processed++
			score = s
			if s != cur {
				z.Update(string(member), cur, s)
				updated++
				if logging {
					effect = append(effect, appendDouble(nil, s), member)
				}
			}
			continue
		}
		if flags&zaddXX != 0 {
			continue
		}
		z.Insert(string(member), s, maxEntries, maxValue)
		added++
		processed++
		score = s
		if logging {
			effect = append(effect, appendDouble(nil, s), member)
		}
	}
	c.emitZadd(&tx, db, key, effect)
	if z.Len() == 0 {
		tx.Delete(db, key)
	}
	switch {
	case incr && processed > 0:
		c.w.Double(score)
	case incr:
		c.w.Null()
	case flags&zaddCH != 0:
		c.w.Int(int64(added + updated))
	default:
		c.w.Int(int64(added))
	}
}

func (c *Client) emitZadd(tx *storage.Tx, db int, key []byte, pairs [][]byte) {
	if len(pairs) == 0 || !tx.Logging() {
		return
	}
	tx.Emit(db, append([][]byte{[]byte("ZADD"), key}, pairs...)...)
}

// emitZrem logs the removal of members from key.
func emitZrem(tx *storage.Tx, db int, key []byte, items []storage.ZItem) {
	if len(items) == 0 || !tx.Logging() {
		return
	}
	out := make([][]byte, 0, len(items)+2)
	out = append(out, []byte("ZREM"), key)
	for _, it := range items {
		out = append(out, []byte(it.Member))
	}
	tx.Emit(db, out...)
}

// ---- point reads and ZREM ----

func cmdZrem(c *Client, args [][]byte) {
	db := c.DB()
	tx := c.srv.store.Begin(c.nowMs, db, args[1])
	defer tx.End()
	z, ok := c.writeZSet(&tx, db, args[1])
	if !ok {
		return
	}
	if z == nil {
		c.w.Int(0)
		return
	}
	var removed [][]byte
	for _, m := range args[2:] {
		if z.Remove(string(m)) {
			removed = append(removed, m)
		}
	}
	if len(removed) > 0 && tx.Logging() {
		tx.Emit(db, append([][]byte{[]byte("ZREM"), args[1]}, removed...)...)
	}
	if z.Len() == 0 {
		tx.Delete(db, args[1])
	}
	c.w.Int(int64(len(removed)))
}

func cmdZscore(c *Client, args [][]byte) {
	db := c.DB()
	tx := c.srv.store.Begin(c.nowMs, db, args[1])
	defer tx.End()
	z, ok := c.readZSet(&tx, db, args[1])
	if !ok {
		return
	}
	if z != nil {
		if s, ok := z.Score(string(args[2])); ok {
			c.w.Double(s)
			return
		}
	}
	c.w.Null()
}

func cmdZmscore(c *Client, args [][]byte) {
	db := c.DB()
	tx := c.srv.store.Begin(c.nowMs, db, args[1])
	defer tx.End()
	z, ok := c.readZSet(&tx, db, args[1])
	if !ok {
		return
	}
	c.w.Array(len(args) - 2)
	for _, m := range args[2:] {
		if z != nil {
			if s, ok := z.Score(string(m)); ok {
				c.w.Double(s)
				continue
			}
		}
		c.w.Null()
	}
}

func cmdZcard(c *Client, args [][]byte) {
	db := c.DB()
	tx := c.srv.store.Begin(c.nowMs, db, args[1])
	defer tx.End()
	z, ok := c.readZSet(&tx, db, args[1])
	if !ok {
		return
	}
	if z == nil {
		c.w.Int(0)
		return
	}
	c.w.Int(int64(z.Len()))
}

func cmdZcount(c *Client, args [][]byte) {
	r, ok := parseScoreRange(args[2], args[3])
	if !ok {
		c.w.Error(errZMinMaxFloat)
		return
	}
	c.zcount(args[1], r.ranks)
}

func cmdZlexcount(c *Client, args [][]byte) {
	r, ok := parseLexRange(args[2], args[3])
	if !ok {
		c.w.Error(errZMinMaxLex)
		return
	}
	c.zcount(args[1], r.count)
}

func (c *Client) zcount(key []byte, ranks func(*storage.ZSet) (int, int)) {
	db := c.DB()
	tx := c.srv.store.Begin(c.nowMs, db, key)
	defer tx.End()
	z, ok := c.readZSet(&tx, db, key)
	if !ok {
		return
	}
	if z == nil {
		c.w.Int(0)
		return
	}
	lo, hi := ranks(z)
	c.w.Int(int64(max(hi-lo+1, 0)))
}

func cmdZrank(c *Client, args [][]byte)    { c.zrank(args, false) }
func cmdZrevrank(c *Client, args [][]byte) { c.zrank(args, true) }

// zrank is ZRANK and ZREVRANK, with Redis 7.2's WITHSCORE.
func (c *Client) zrank(args [][]byte, rev bool) {
	if len(args) > 4 || len(args) == 4 && !eq(args[3], "withscore") {
		c.w.Error(errSyntax)
		return
	}
	withScore := len(args) == 4
	db := c.DB()
	tx := c.srv.store.Begin(c.nowMs, db, args[1])
	defer tx.End()
	z, ok := c.readZSet(&tx, db, args[1])
	if !ok {
		return
	}
	if z != nil {
		if r, ok := z.Rank(string(args[2])); ok {
			if rev {
				r = z.Len() - 1 - r
			}
			if withScore {
				s, _ := z.Score(string(args[2]))
				c.w.Array(2)
				c.w.Int(int64(r))
				c.w.Double(s)
				return
			}
			c.w.Int(int64(r))
			return
		}
	}
	if withScore {
		c.w.NullArray()
		return
	}
	c.w.Null()
}

// ---- ranges ----

const (
	zrRank = iota
	zrScore
	zrLex
)

// zrangeSpec is a parsed ZRANGE-family request.
type zrangeSpec struct {
	by         int
	rev        bool
	withScores bool
	offset     int64
	limit      int64 // -1: no limit
	start, end int64 // by rank
	score      scoreRange
	lex        lexRange
}

// parseZrange parses the range arguments (args[0] min, args[1] max,
// options after) the way Redis's zrangeGenericCommand does; by and rev
// are preset by the legacy commands (by < 0 and !revFixed leave them to the
// options). It writes the error and reports false when invalid.
func (c *Client) parseZrange(args [][]byte, by int, rev, revFixed, store bool) (zrangeSpec, bool) {
	sp := zrangeSpec{by: by, rev: rev, limit: -1}
	for j := 2; j < len(args); j++ {
		a := args[j]
		left := len(args) - j - 1
		switch {
		case !store && eq(a, "withscores"):
			sp.withScores = true
		case eq(a, "limit") && left >= 2:
			o, ok := c.intArg(args[j+1])
			if !ok {
				return sp, false
			}
			l, ok := c.intArg(args[j+2])
			if !ok {
				return sp, false
			}
			sp.offset, sp.limit = o, l
			j += 2
		case !revFixed && !sp.rev && eq(a, "rev"):
			sp.rev = true
		case sp.by < 0 && eq(a, "bylex"):
			sp.by = zrLex
		case sp.by < 0 && eq(a, "byscore"):
			sp.by = zrScore
		default:
			c.w.Error(errSyntax)
			return sp, false
		}
	}
	if sp.by < 0 {
		sp.by = zrRank
	}
	if sp.limit != -1 && sp.by == zrRank {
		c.w.Error(errZLimitRank)
		return sp, false
	}
	if sp.withScores && sp.by == zrLex {
		c.w.Error(errZWithscoresLex)
		return sp, false
	}
	lo, hi := args[0], args[1]
	if sp.rev && sp.by != zrRank {
		lo, hi = hi, lo
	}
	switch sp.by {
	case zrRank:
		var ok bool
		if sp.start, ok = c.intArg(lo); !ok {
			return sp, false
		}
		if sp.end, ok = c.intArg(hi); !ok {
			return sp, false
		}
	case zrScore:
		r, ok := parseScoreRange(lo, hi)
		if !ok {
			c.w.Error(errZMinMaxFloat)
			return sp, false
		}
		sp.score = r
	case zrLex:
		r, ok := parseLexRange(lo, hi)
		if !ok {
			c.w.Error(errZMinMaxLex)
			return sp, false
		}
		sp.lex = r
	}
	return sp, true
}

// collect returns the members sp selects from z, in reply order.
func (sp zrangeSpec) collect(z *storage.ZSet) []storage.ZItem {
	n := z.Len()
	if sp.by == zrRank {
		lo, hi, ok := rankRange(sp.start, sp.end, n)
		if !ok {
			return nil
		}
		if sp.rev {
			lo, hi = n-1-hi, n-1-lo
		}
		out := make([]storage.ZItem, 0, hi-lo+1)
		z.Range(lo, hi, sp.rev, func(it storage.ZItem) bool {
			out = append(out, it)
			return true
		})
		return out
	}
	if sp.by == zrLex {
		return sp.lex.collect(z, sp.rev, sp.offset, sp.limit)
	}
	lo, hi := sp.score.ranks(z)
	if sp.offset < 0 || lo > hi || sp.offset >= int64(hi-lo+1) || sp.limit == 0 {
		return nil
	}
	count := int64(hi-lo+1) - sp.offset
	if sp.limit > 0 && sp.limit < count {
		count = sp.limit
	}
	if sp.rev {
		hi -= int(sp.offset)
		lo = hi - int(count) + 1
	} else {
		lo += int(sp.offset)
		hi = lo + int(count) - 1
	}
	out := make([]storage.ZItem, 0, count)
	z.Range(lo, hi, sp.rev, func(it storage.ZItem) bool {
		out = append(out, it)
		return true
	})
	return out
}

// writeItems replies with members, and their scores when withScores: flat
// under RESP2, [member, score] pairs under RESP3 when nested.
func (c *Client) writeItems(items []storage.ZItem, withScores, nested bool) {
	if !withScores {
		c.w.Array(len(items))
		for _, it := range items {
			c.w.BulkString(it.Member)
		}
		return
	}
	if nested && c.w.proto == 3 {
		c.w.Array(len(items))
		for _, it := range items {
			c.w.Array(2)
			c.w.BulkString(it.Member)
			c.w.Double(it.Score)
		}
		return
	}
	c.w.Array(2 * len(items))
	for _, it := range items {
		c.w.BulkString(it.Member)
		c.w.Double(it.Score)
	}
}

func (c *Client) zrangeReply(args [][]byte, by int, rev, revFixed bool) {
	sp, ok := c.parseZrange(args[2:], by, rev, revFixed, false)
	if !ok {
		return
	}
	db := c.DB()
	tx := c.srv.store.Begin(c.nowMs, db, args[1])
	defer tx.End()
	z, ok := c.readZSet(&tx, db, args[1])
	if !ok {
		return
	}
	if z == nil {
		c.w.Array(0)
		return
	}
	c.writeItems(sp.collect(z), sp.withScores, true)
}

func cmdZrange(c *Client, args [][]byte)           { c.zrangeReply(args, -1, false, false) }
func cmdZrangebyscore(c *Client, args [][]byte)    { c.zrangeReply(args, zrScore, false, true) }
func cmdZrevrangebyscore(c *Client, args [][]byte) { c.zrangeReply(args, zrScore, true, true) }
func cmdZrangebylex(c *Client, args [][]byte)      { c.zrangeReply(args, zrLex, false, true) }
func cmdZrevrangebylex(c *Client, args [][]byte)   { c.zrangeReply(args, zrLex, true, true) }
func cmdZrevrange(c *Client, args [][]byte)        { c.zrangeReply(args, zrRank, true, true) }

// newZSetOf builds a sorted set from items, in the compact encoding when
// they fit the configured limits (as Redis's store commands leave it).
func (c *Client) newZSetOf(items []storage.ZItem) *storage.ZSet {
	maxEntries, maxValue := c.zlimits()
	fits := len(items) <= maxEntries
	for _, it := range items {
		if len(it.Member) > maxValue {
			fits = false
			break
		}
	}
	z := storage.NewZSet(fits)
	for _, it := range items {
		z.Insert(it.Member, it.Score, math.MaxInt, math.MaxInt)
	}
	return z
}

// storeZSet replaces dst with items (deleting it when empty), logs the
// effect as DEL + ZADD, and replies with the member count.
func (c *Client) storeZSet(tx *storage.Tx, db int, dst []byte, items []storage.ZItem) {
	existed := tx.Delete(db, dst)
	if len(items) > 0 {
		tx.Put(db, clone(dst), nil, c.newZSetOf(items), 0)
	}
	if tx.Logging() && (existed || len(items) > 0) {
		tx.Emit(db, []byte("DEL"), dst)
		if len(items) > 0 {
			out := make([][]byte, 0, 2+2*len(items))
			out = append(out, []byte("ZADD"), dst)
			for _, it := range items {
				out = append(out, appendDouble(nil, it.Score), []byte(it.Member))
			}
			tx.Emit(db, out...)
		}
	}
	c.w.Int(int64(len(items)))
}

func cmdZrangestore(c *Client, args [][]byte) {
	sp, ok := c.parseZrange(args[3:], -1, false, false, true)
	if !ok {
		return
	}
	db := c.DB()
	dst, src := args[1], args[2]
	tx := c.srv.store.BeginKeys(c.nowMs, db, [][]byte{dst, src})
	tx.Group() // DEL, then ZADD
	defer tx.End()
	z, ok := c.readZSet(&tx, db, src)
	if !ok {
		return
	}
	var items []storage.ZItem
	if z != nil {
		items = sp.collect(z)
	}
	c.storeZSet(&tx, db, dst, items)
}

// ---- removals by range, pops ----

func cmdZremrangebyscore(c *Client, args [][]byte) {
	r, ok := parseScoreRange(args[2], args[3])
	if !ok {
		c.w.Error(errZMinMaxFloat)
		return
	}
	c.zremRange(args[1], r.ranks)
}

func cmdZremrangebylex(c *Client, args [][]byte) {
	r, ok := parseLexRange(args[2], args[3])
	if !ok {
		c.w.Error(errZMinMaxLex)
		return
	}
	c.zremRange(args[1], r.ranks)
}

func cmdZremrangebyrank(c *Client, args [][]byte) {
	start, ok := c.intArg(args[2])
	if !ok {
		return
	}
	end, ok := c.intArg(args[3])
	if !ok {
		return
	}
	c.zremRange(args[1], func(z *storage.ZSet) (int, int) {
		lo, hi, ok := rankRange(start, end, z.Len())
		if !ok {
			return 0, -1
		}
		return lo, hi
	})
}

func (c *Client) zremRange(key []byte, ranks func(*storage.ZSet) (int, int)) {
	db := c.DB()
	tx := c.srv.store.Begin(c.nowMs, db, key)
	defer tx.End()
	z, ok := c.writeZSet(&tx, db, key)
	if !ok {
		return
	}
	if z == nil {
		c.w.Int(0)
		return
	}
	lo, hi := ranks(z)
	removed := z.RemoveRange(lo, hi)
	emitZrem(&tx, db, key, removed)
	if z.Len() == 0 {
		tx.Delete(db, key)
	}
	c.w.Int(int64(len(removed)))
}

func cmdZpopmin(c *Client, args [][]byte) { c.zpop(args, false) }
func cmdZpopmax(c *Client, args [][]byte) { c.zpop(args, true) }

func (c *Client) zpop(args [][]byte, fromMax bool) {
	if len(args) > 3 {
		c.w.Error(errSyntax)
		return
	}
	count := int64(1)
	if len(args) == 3 {
		n, ok := parseInteger(args[2])
		if !ok || n < 0 {
			c.w.Error(errMustBePositive)
			return
		}
		if n == 0 {
			c.w.Array(0)
			return
		}
		count = n
	}
	db := c.DB()
	tx := c.srv.store.Begin(c.nowMs, db, args[1])
	defer tx.End()
	z, ok := c.writeZSet(&tx, db, args[1])
	if !ok {
		return
	}
	if z == nil {
		c.w.Array(0)
		return
	}
	n := int(min(count, int64(z.Len())))
	var popped []storage.ZItem
	if fromMax {
		popped = z.RemoveRange(z.Len()-n, z.Len()-1)
		for i, j := 0, len(popped)-1; i < j; i, j = i+1, j-1 {
			popped[i], popped[j] = popped[j], popped[i]
		}
	} else {
		popped = z.RemoveRange(0, n-1)
	}
	emitZrem(&tx, db, args[1], popped)
	if z.Len() == 0 {
		tx.Delete(db, args[1])
	}
	c.writeItems(popped, true, len(args) == 3)
}

// ---- ZRANDMEMBER, ZSCAN ----

// maxZRandReply bounds ZRANDMEMBER's negative count, whose reply repeats
// members: Redis has no bound, but a hostile client must not make the
// server build an unbounded reply.
const maxZRandReply = 1 << 22

func cmdZrandmember(c *Client, args [][]byte) {
	count, withScores, hasCount := int64(0), false, len(args) >= 3
	if hasCount {
		n, ok := c.intArg(args[2])
		if !ok {
			return
		}
		if n == math.MinInt64 {
			c.w.Error(errRandCountRange)
			return
		}
		if len(args) > 4 || len(args) == 4 && !eq(args[3], "withscores") {
			c.w.Error(errSyntax)
			return
		}
		if len(args) == 4 {
			withScores = true
			if n < -math.MaxInt64/2 || n > math.MaxInt64/2 {
				c.w.Error(errOutOfRange)
				return
			}
		}
		if n < -maxZRandReply {
			c.w.Error(errRandCountTooBig)
			return
		}
		count = n
	}
	db := c.DB()
	tx := c.srv.store.Begin(c.nowMs, db, args[1])
	defer tx.End()
	z, ok := c.readZSet(&tx, db, args[1])
	if !ok {
		return
	}
	if !hasCount {
		if z == nil {
			c.w.Null()
			return
		}
		c.w.BulkString(z.At(rand.IntN(z.Len())).Member)
		return
	}
	if z == nil || count == 0 {
		c.w.Array(0)
		return
	}
	n := z.Len()
	var items []storage.ZItem
	if count < 0 {
		// repeats allowed: -count independent draws
		items = make([]storage.ZItem, 0, min(-count, 1<<16))
		for i := int64(0); i < -count; i++ {
			items = append(items, z.At(rand.IntN(n)))
		}
	} else {
		k := int(min(count, int64(n)))
		items = make([]storage.ZItem, 0, k)
		if 2*k >= n {
			for _, r := range rand.Perm(n)[:k] {
				items = append(items, z.At(r))
			}
		} else {
			// few of many: draw distinct ranks without an O(n) permutation
			seen := make(map[int]bool, k)
			for len(items) < k {
				r := rand.IntN(n)
				if !seen[r] {
					seen[r] = true
					items = append(items, z.At(r))
				}
			}
		}
	}
	c.writeItems(items, withScores, true)
}

func cmdZscan(c *Client, args [][]byte) {
	if _, ok := parseCursor(args[2]); !ok {
		c.w.Error(errBadCursor)
		return
	}
	o, ok := c.parseScanOpts(args, 3, false)
	if !ok {
		return
	}
	pattern := o.pattern
	usePattern := pattern != nil
	db := c.DB()
	tx := c.srv.store.Begin(c.nowMs, db, args[1])
	defer tx.End()
	z, ok := c.readZSet(&tx, db, args[1])
	if !ok {
		return
	}
	// The whole set in one reply with cursor 0, as Redis answers for a
	// listpack: every member present throughout is returned exactly once.
	var items []storage.ZItem
	format := appendDouble
	if z != nil {
		if z.IsListpack() {
			format = appendListpackScore
		}
		p := string(pattern)
		z.Range(0, z.Len()-1, false, func(it storage.ZItem) bool {
			if !usePattern || glob.Match(p, it.Member, false) {
				items = append(items, it)
			}
			return true
		})
	}
	c.w.Array(2)
	c.w.BulkString("0")
	c.w.Array(2 * len(items))
	for _, it := range items {
		c.w.BulkString(it.Member)
		c.w.Bulk(format(nil, it.Score))
	}
}

// appendListpackScore formats a score as a listpack holds it (Redis's
// d2string): an integral value within ±2^62 as an integer, else %.17g.
func appendListpackScore(b []byte, f float64) []byte {
	if f >= -(1<<62) && f <= 1<<62 && f == math.Trunc(f) {
		return strconv.AppendInt(b, int64(f), 10)
	}
	return appendDouble(b, f)
}

// ---- ZUNIONSTORE, ZINTERSTORE ----

func cmdZunionstore(c *Client, args [][]byte) { c.zsetOpStore(args, false, "zunionstore") }
func cmdZinterstore(c *Client, args [][]byte) { c.zsetOpStore(args, true, "zinterstore") }

const (
	aggSum = iota
	aggMin
	aggMax
)

func aggregate(mode int, a, b float64) float64 {
	switch mode {
	case aggMin:
		return min(a, b)
	case aggMax:
		return max(a, b)
	}
	s := a + b
	if math.IsNaN(s) {
		return 0
	}
	return s
}

func (c *Client) zsetOpStore(args [][]byte, inter bool, name string) {
	numkeys, ok := c.intArg(args[2])
	if !ok {
		return
	}
	if numkeys < 1 {
		c.w.Error(errZAtLeastOneKey(name))
		return
	}
	if numkeys > int64(len(args)-3) {
		c.w.Error(errSyntax)
		return
	}
	keys := args[3 : 3+numkeys]
	db := c.DB()
	dst := args[1]
	tx := c.srv.store.BeginKeys(c.nowMs, db, append([][]byte{dst}, keys...))
	tx.Group() // DEL, then ZADD
	defer tx.End()
	srcs := make([]zsource, len(keys))
	for i, k := range keys {
		e := c.lookup(&tx, db, k)
		c.countLookup(e)
		src, ok := asZSource(e)
		if !ok {
			c.w.Error(errWrongType)
			return
		}
		srcs[i] = src
	}
	// Redis checks the input types before it parses the options.
	weights := make([]float64, numkeys)
	for i := range weights {
		weights[i] = 1
	}
	mode := aggSum
	for j := 3 + int(numkeys); j < len(args); j++ {
		left := len(args) - j - 1
		switch {
		case eq(args[j], "weights") && int64(left) >= numkeys:
			for i := range weights {
				w, ok := parseScore(args[j+1+i])
				if !ok {
					c.w.Error(errZWeightFloat)
					return
				}
				weights[i] = w
			}
			j += int(numkeys)
		case eq(args[j], "aggregate") && left >= 1:
			switch a := args[j+1]; {
			case eq(a, "sum"):
				mode = aggSum
			case eq(a, "min"):
				mode = aggMin
			case eq(a, "max"):
				mode = aggMax
			default:
				c.w.Error(errSyntax)
				return
			}
			j++
		default:
			c.w.Error(errSyntax)
			return
		}
	}
	for i := range srcs {
		srcs[i].w = weights[i]
	}
	// Redis walks the inputs from the smallest, which fixes the order in
	// which SUM adds the scores.
	sort.SliceStable(srcs, func(i, j int) bool { return srcs[i].len() < srcs[j].len() })
	weighted := func(s float64, w float64) float64 {
		v := s * w
		if math.IsNaN(v) {
			return 0
		}
		return v
	}
	acc := map[string]float64{}
	var order []string
	if inter {
		srcs[0].each(func(m string, sc float64) bool {
			score := weighted(sc, srcs[0].w)
			for _, o := range srcs[1:] {
				s, ok := o.score(m)
				if !ok {
					return true
				}
				score = aggregate(mode, score, weighted(s, o.w))
			}
			acc[m] = score
			order = append(order, m)
			return true
		})
	} else {
		for _, s := range srcs {
			s.each(func(m string, sc float64) bool {
				v := weighted(sc, s.w)
				if cur, ok := acc[m]; ok {
					acc[m] = aggregate(mode, cur, v)
				} else {
					acc[m] = v
					order = append(order, m)
				}
				return true
			})
		}
	}
	items := make([]storage.ZItem, 0, len(order))
	for _, m := range order {
		items = append(items, storage.ZItem{Member: strings.Clone(m), Score: acc[m]})
	}
	sort.Slice(items, func(i, j int) bool {
		a, b := items[i], items[j]
		return a.Score < b.Score || a.Score == b.Score && a.Member < b.Member
	})
	c.storeZSet(&tx, db, dst, items)
}

// memberSet is what ZUNIONSTORE and ZINTERSTORE need of a plain set, which
// Redis accepts as an input whose members all score 1.
type memberSet interface {
	Len() int
	Has(m []byte) bool
	Each(fn func(m []byte) bool)
}

// zsource is one input of ZUNIONSTORE/ZINTERSTORE: a sorted set, a plain
// set, or nothing (a missing key), with its weight.
type zsource struct {
	z   *storage.ZSet
	set memberSet
	w   float64
}

// asZSource wraps an input key's entry; it reports false for a type that
// is neither a sorted set nor a set.
func asZSource(e *storage.Entry) (zsource, bool) {
	if e == nil {
		return zsource{}, true
	}
	if z, ok := e.Obj.(*storage.ZSet); ok {
		return zsource{z: z}, true
	}
	if e.Kind() == storage.KindSet {
		if s, ok := e.Obj.(memberSet); ok {
			return zsource{set: s}, true
		}
	}
	return zsource{}, false
}

func (s zsource) len() int {
	switch {
	case s.z != nil:
		return s.z.Len()
	case s.set != nil:
		return s.set.Len()
	}
	return 0
}

func (s zsource) score(m string) (float64, bool) {
	switch {
	case s.z != nil:
		return s.z.Score(m)
	case s.set != nil:
		return 1, s.set.Has([]byte(m))
	}
	return 0, false
}

// each calls fn for every member and score until fn returns false.
func (s zsource) each(fn func(m string, score float64) bool) {
	switch {
	case s.z != nil:
		s.z.Range(0, s.z.Len()-1, false, func(it storage.ZItem) bool { return fn(it.Member, it.Score) })
	case s.set != nil:
		s.set.Each(func(m []byte) bool { return fn(string(m), 1) })
	}
}
