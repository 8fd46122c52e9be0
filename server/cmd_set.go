package server

import (
	"math"
	"slices"
	"strconv"

	"sessiond/glob"
	"sessiond/storage"
)

func setCommands() []*Command {
	const (
		interComplexity = "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets."
		unionComplexity = "O(N) where N is the total number of elements in all given sets."
	)
	return []*Command{
		{Name: "sadd", Arity: -3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Handler: cmdSadd,
			Group: "set", Since: "1.0.0", Summary: "Add one or more members to a set",
			Complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
			Syntax:     "key member [member ...]"},
		{Name: "srem", Arity: -3, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Handler: cmdSrem,
			Group: "set", Since: "1.0.0", Summary: "Remove one or more members from a set",
			Complexity: "O(N) where N is the number of members to be removed.", Syntax: "key member [member ...]"},
		{Name: "smembers", Arity: 2, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, Handler: cmdSmembers,
			Group: "set", Since: "1.0.0", Summary: "Get all the members in a set",
			Complexity: "O(N) where N is the set cardinality.", Syntax: "key"},
		{Name: "sismember", Arity: 3, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Handler: cmdSismember,
			Group: "set", Since: "1.0.0", Summary: "Determine if a given value is a member of a set", Complexity: "O(1)", Syntax: "key member"},
		{Name: "smismember", Arity: -3, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Handler: cmdSmismember,
			Group: "set", Since: "6.2.0", Summary: "Returns the membership associated with the given elements for a set",
			Complexity: "O(N) where N is the number of elements being checked for membership", Syntax: "key member [member ...]"},
		{Name: "scard", Arity: 2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Handler: cmdScard,
			Group: "set", Since: "1.0.0", Summary: "Get the number of members in a set", Complexity: "O(1)", Syntax: "key"},
		{Name: "spop", Arity: -2, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Handler: cmdSpop,
			Group: "set", Since: "1.0.0", Summary: "Remove and return one or multiple random members from a set",
			Complexity: "Without the count argument O(1), otherwise O(N) where N is the value of the passed count.", Syntax: "key [count]"},
		{Name: "srandmember", Arity: -2, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, Handler: cmdSrandmember,
			Group: "set", Since: "1.0.0", Summary: "Get one or multiple random members from a set",
			Complexity: "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.", Syntax: "key [count]"},
		{Name: "smove", Arity: 4, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 2, Step: 1, Handler: cmdSmove,
			Group: "set", Since: "1.0.0", Summary: "Move a member from one set to another", Complexity: "O(1)", Syntax: "source destination member"},
		{Name: "sinter", Arity: -2, Flags: FlagReadonly, FirstKey: 1, LastKey: -1, Step: 1, Handler: cmdSinter,
			Group: "set", Since: "1.0.0", Summary: "Intersect multiple sets", Complexity: interComplexity, Syntax: "key [key ...]"},
		{Name: "sintercard", Arity: -3, Flags: FlagReadonly, Handler: cmdSintercard,
			Group: "set", Since: "7.0.0", Summary: "Intersect multiple sets and return the cardinality of the result",
			Complexity: interComplexity, Syntax: "numkeys key [key ...] [LIMIT limit]"},
		{Name: "sunion", Arity: -2, Flags: FlagReadonly, FirstKey: 1, LastKey: -1, Step: 1, Handler: cmdSunion,
			Group: "set", Since: "1.0.0", Summary: "Add multiple sets", Complexity: unionComplexity, Syntax: "key [key ...]"},
		{Name: "sdiff", Arity: -2, Flags: FlagReadonly, FirstKey: 1, LastKey: -1, Step: 1, Handler: cmdSdiff,
			Group: "set", Since: "1.0.0", Summary: "Subtract multiple sets", Complexity: unionComplexity, Syntax: "key [key ...]"},
		{Name: "sinterstore", Arity: -3, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: -1, Step: 1, Handler: cmdSinterstore,
			Group: "set", Since: "1.0.0", Summary: "Intersect multiple sets and store the resulting set in a key",
			Complexity: interComplexity, Syntax: "destination key [key ...]"},
		{Name: "sunionstore", Arity: -3, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: -1, Step: 1, Handler: cmdSunionstore,
			Group: "set", Since: "1.0.0", Summary: "Add multiple sets and store the resulting set in a key",
			Complexity: unionComplexity, Syntax: "destination key [key ...]"},
		{Name: "sdiffstore", Arity: -3, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: -1, Step: 1, Handler: cmdSdiffstore,
			Group: "set", Since: "1.0.0", Summary: "Subtract multiple sets and store the resulting set in a key",
			Complexity: unionComplexity, Syntax: "destination key [key ...]"},
		{Name: "sscan", Arity: -3, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, Handler: cmdSscan,
			Group: "set", Since: "2.8.0", Summary: "Incrementally iterate Set elements",
			Complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
			Syntax:     "key cursor [MATCH pattern] [COUNT count]"},
	}
}

// setOf returns e's set, or replies WRONGTYPE and reports false when e
// holds another type. A nil entry is (nil, true).
func (c *Client) setOf(e *storage.Entry) (*storage.Set, bool) {
	if e == nil {
		return nil, true
	}
	s, ok := e.Obj.(*storage.Set)
	if !ok {
		c.w.Error(errWrongType)
		return nil, false
	}
	return s, true
}

// readSet looks key up for a read: it counts the lookup and replies
// WRONGTYPE when the key holds another type. A missing key is (nil, true).
func (c *Client) readSet(tx *storage.Tx, db int, key []byte) (*storage.Set, bool) {
	e := c.lookup(tx, db, key)
	c.countLookup(e)
	return c.setOf(e)
}

// emitMembers logs name key members... (members already owned by the
// caller).
func emitMembers(tx *storage.Tx, db int, name string, key []byte, members [][]byte) {
	eff := make([][]byte, 0, len(members)+2)
	eff = append(eff, []byte(name), clone(key))
	eff = append(eff, members...)
	tx.Emit(db, eff...)
}

func cmdSadd(c *Client, args [][]byte) {
	db := c.DB()
	key := args[1]
	tx := c.srv.store.Begin(c.nowMs, db, key)
	defer tx.End()
	s, ok := c.setOf(c.lookup(&tx, db, key))
	if !ok {
		return
	}
	created := s == nil
	if created {
		s = storage.NewSet()
	}
	maxIntset := c.srv.cfg.SetMaxIntsetEntries()
	logging := tx.Logging()
	var added [][]byte
	n := 0
	for _, m := range args[2:] {
		if s.Add(m, maxIntset) {
			n++
			if logging {
				added = append(added, clone(m))
			}
		}
	}
	if created {
		tx.Put(db, key, nil, s, 0)
	}
	if logging && n > 0 {
		emitMembers(&tx, db, "SADD", key, added)
	}
	c.w.Int(int64(n))
}

func cmdSrem(c *Client, args [][]byte) {
	db := c.DB()
	key := args[1]
	tx := c.srv.store.Begin(c.nowMs, db, key)
	defer tx.End()
	s, ok := c.setOf(c.lookup(&tx, db, key))
	if !ok {
		return
	}
	if s == nil {
		c.w.Int(0)
		return
	}
	logging := tx.Logging()
	var removed [][]byte
	n := 0
	for _, m := range args[2:] {
		if s.Remove(m) {
			n++
			if logging {
				removed = append(removed, clone(m))
			}
			if s.Len() == 0 {
				break
			}
		}
	}
	if s.Len() == 0 {
		tx.Delete(db, key)
	}
	if logging && n > 0 {
		emitMembers(&tx, db, "SREM", key, removed)
	}
	c.w.Int(int64(n))
}

func cmdSmembers(c *Client, args [][]byte) {
	db := c.DB()
	tx := c.srv.store.Begin(c.nowMs, db, args[1])
	defer tx.End()
	s, ok := c.readSet(&tx, db, args[1])
	switch {
	case !ok:
	case s == nil:
		c.w.Set(0)
	default:
		c.writeSet(s)
	}
}

// writeSet replies with every member of s as a set.
func (c *Client) writeSet(s *storage.Set) {
	c.w.Set(s.Len())
	s.Each(func(m []byte) bool {
		c.w.Bulk(m)
		return true
	})
}

func cmdSismember(c *Client, args [][]byte) {
	db := c.DB()
	tx := c.srv.store.Begin(c.nowMs, db, args[1])
	defer tx.End()
	s, ok := c.readSet(&tx, db, args[1])
	switch {
	case !ok:
	case s != nil && s.Has(args[2]):
		c.w.Int(1)
	default:
		c.w.Int(0)
	}
}

func cmdSmismember(c *Client, args [][]byte) {
	db := c.DB()
	tx := c.srv.store.Begin(c.nowMs, db, args[1])
	defer tx.End()
	s, ok := c.readSet(&tx, db, args[1])
	if !ok {
		return
	}
	c.w.Array(len(args) - 2)
	for _, m := range args[2:] {
		if s != nil && s.Has(m) {
			c.w.Int(1)
		} else {
			c.w.Int(0)
		}
	}
}

func cmdScard(c *Client, args [][]byte) {
	db := c.DB()
	tx := c.srv.store.Begin(c.nowMs, db, args[1])
	defer tx.End()
	s, ok := c.readSet(&tx, db, args[1])
	switch {
	case !ok:
	case s == nil:
		c.w.Int(0)
	default:
		c.w.Int(int64(s.Len()))
	}
}

// cmdSpop logs the members it popped as SREM, or DEL when it took them all.
func cmdSpop(c *Client, args [][]byte) {
	if len(args) > 3 {
		c.w.Error(errSyntax)
		return
	}
	count := int64(-1)
	if len(args) == 3 {
		n, ok := parseInteger(args[2])
		if !ok || n < 0 {
			c.w.Error(errMustBePositive)
			return
		}
		count = n
	}
	db := c.DB()
	key := args[1]
	tx := c.srv.store.Begin(c.nowMs, db, key)
	defer tx.End()
	s, ok := c.setOf(c.lookup(&tx, db, key))
	if !ok {
		return
	}
	if count < 0 { // no count: one member or null
		if s == nil {
			c.w.Null()
			return
		}
		m := s.Pop()
		if s.Len() == 0 {
			tx.Delete(db, key)
		}
		if tx.Logging() {
			tx.Emit(db, []byte("SREM"), clone(key), m)
		}
		c.w.Bulk(m)
		return
	}
	if s == nil || count == 0 {
		c.w.Set(0)
		return
	}
	if count >= int64(s.Len()) {
		c.writeSet(s)
		tx.Delete(db, key)
		if tx.Logging() {
			tx.Emit(db, []byte("DEL"), clone(key))
		}
		return
	}
	popped := s.PopMany(int(count), c.srv.cfg.SetMaxIntsetEntries())
	c.w.Set(len(popped))
	for _, m := range popped {
		c.w.Bulk(m)
	}
	if tx.Logging() {
		emitMembers(&tx, db, "SREM", key, popped)
	}
}

// maxRandomReply bounds SRANDMEMBER's negative count, whose reply repeats
// members as often as asked: Redis has no bound and would build a reply of
// any size, which one request must not make sessiond do.
const maxRandomReply = 1 << 22

func cmdSrandmember(c *Client, args [][]byte) {
	if len(args) > 3 {
		c.w.Error(errSyntax)
		return
	}
	withCount := len(args) == 3
	var count int64
	if withCount {
		n, ok := c.intArg(args[2])
		if !ok {
			return
		}
		if n == math.MinInt64 {
			c.w.Error(errRandCountRange)
			return
		}
		if n < -maxRandomReply {
			c.w.Error(errRandCountTooBig)
			return
		}
		count = n
	}
	db := c.DB()
	tx := c.srv.store.Begin(c.nowMs, db, args[1])
	defer tx.End()
	s, ok := c.readSet(&tx, db, args[1])
	switch {
	case !ok:
	case !withCount && s == nil:
		c.w.Null()
	case !withCount:
		c.w.Bulk(s.Random())
	case s == nil || count == 0:
		c.w.Array(0)
	case count < 0:
		// members may repeat; the reply is as long as asked
		c.w.Array(int(-count))
		s.RandomRepeat(int(-count), func(m []byte) { c.w.Bulk(m) })
	case count >= int64(s.Len()):
		c.w.Array(s.Len())
		s.Each(func(m []byte) bool {
			c.w.Bulk(m)
			return true
		})
	default:
		ms := s.RandomDistinct(int(count))
		c.w.Array(len(ms))
		for _, m := range ms {
			c.w.Bulk(m)
		}
	}
}

// cmdSmove follows Redis: a missing source answers 0 before any type
// check; source and destination must be sets (or, for the destination,
// missing); moving within one set changes nothing. It logs SMOVE when a
// member moved.
func cmdSmove(c *Client, args [][]byte) {
	db := c.DB()
	src, dst, m := args[1], args[2], args[3]
	tx := c.srv.store.BeginKeys(c.nowMs, db, args[1:3])
	defer tx.End()
	se := c.lookup(&tx, db, src)
	if se == nil {
		c.w.Int(0)
		return
	}
	de := c.lookup(&tx, db, dst)
	ss, ok := c.setOf(se)
	if !ok {
		return
	}
	ds, ok := c.setOf(de)
	if !ok {
		return
	}
	if se == de {
		if ss.Has(m) {
			c.w.Int(1)
		} else {
			c.w.Int(0)
		}
		return
	}
	if !ss.Remove(m) {
		c.w.Int(0)
		return
	}
	if ss.Len() == 0 {
		tx.Delete(db, src)
	}
	if ds == nil {
		ds = storage.NewSet()
		tx.Put(db, dst, nil, ds, 0)
	}
	ds.Add(m, c.srv.cfg.SetMaxIntsetEntries())
	if tx.Logging() {
		tx.Emit(db, []byte("SMOVE"), clone(src), clone(dst), clone(m))
	}
	c.w.Int(1)
}

// setOperands looks up keys for SINTER/SUNION/SDIFF and their STORE and
// CARD forms: a missing key is a nil set. Every key is type-checked before
// anything is computed, and every lookup is counted as a read (also for
// the STORE forms), as Redis 7.0 does.
func (c *Client) setOperands(tx *storage.Tx, db int, keys [][]byte) ([]*storage.Set, bool) {
	sets := make([]*storage.Set, len(keys))
	for i, k := range keys {
		e := c.lookup(tx, db, k)
		c.countLookup(e)
		s, ok := c.setOf(e)
		if !ok {
			return nil, false
		}
		sets[i] = s
	}
	return sets, true
}

// intersect calls fn with each member of the intersection of sets (none
// nil), walking the smallest set, until fn returns false.
func intersect(sets []*storage.Set, fn func(m []byte) bool) {
	sets = slices.Clone(sets)
	slices.SortFunc(sets, func(a, b *storage.Set) int { return a.Len() - b.Len() })
	sets[0].Each(func(m []byte) bool {
		for _, o := range sets[1:] {
			if o != sets[0] && !o.Has(m) {
				return true
			}
		}
		return fn(m)
	})
}

const (
	opUnion = iota
	opDiff
	opInter
)

// combine computes the union, difference or intersection of sets (nil
// sets are empty) as a new Set, built member by member like Redis builds
// its destination set, so its encoding is Redis's.
func combine(op int, sets []*storage.Set, maxIntset int) *storage.Set {
	out := storage.NewSet()
	switch op {
	case opInter:
		for _, s := range sets {
			if s == nil {
				return out
			}
		}
		intersect(sets, func(m []byte) bool {
			out.Add(m, maxIntset)
			return true
		})
	case opUnion:
		for _, s := range sets {
			if s == nil {
				continue
			}
			s.Each(func(m []byte) bool {
				out.Add(m, maxIntset)
				return true
			})
		}
	case opDiff:
		if sets[0] == nil {
			return out
		}
		sets[0].Each(func(m []byte) bool {
			for _, o := range sets[1:] {
				if o != nil && o.Has(m) {
					return true
				}
			}
			out.Add(m, maxIntset)
			return true
		})
	}
	return out
}

func cmdSinter(c *Client, args [][]byte) { c.setAlgebra(opInter, args[1:]) }
func cmdSunion(c *Client, args [][]byte) { c.setAlgebra(opUnion, args[1:]) }
func cmdSdiff(c *Client, args [][]byte)  { c.setAlgebra(opDiff, args[1:]) }

// setAlgebra replies with the result of op over keys, as a set.
func (c *Client) setAlgebra(op int, keys [][]byte) {
	db := c.DB()
	tx := c.srv.store.BeginKeys(c.nowMs, db, keys)
	defer tx.End()
	sets, ok := c.setOperands(&tx, db, keys)
	if !ok {
		return
	}
	if op == opInter {
		// Redis replies while walking the smallest set
		if slices.Contains(sets, nil) {
			c.w.Set(0)
			return
		}
		var out [][]byte
		intersect(sets, func(m []byte) bool {
			out = append(out, clone(m))
			return true
		})
		c.w.Set(len(out))
		for _, m := range out {
			c.w.Bulk(m)
		}
		return
	}
	c.writeSet(combine(op, sets, c.srv.cfg.SetMaxIntsetEntries()))
}

func cmdSinterstore(c *Client, args [][]byte) { c.setAlgebraStore(opInter, args) }
func cmdSunionstore(c *Client, args [][]byte) { c.setAlgebraStore(opUnion, args) }
func cmdSdiffstore(c *Client, args [][]byte)  { c.setAlgebraStore(opDiff, args) }

// setAlgebraStore stores the result of op over args[2:] in args[1]
// (replacing whatever it held, without a TTL) or deletes args[1] when the
// result is empty. It logs DEL, then SADD of the result.
func (c *Client) setAlgebraStore(op int, args [][]byte) {
	db := c.DB()
	dst := args[1]
	tx := c.srv.store.BeginKeys(c.nowMs, db, args[1:])
	tx.Group() // DEL, then SADD
	defer tx.End()
	sets, ok := c.setOperands(&tx, db, args[2:])
	if !ok {
		return
	}
	out := combine(op, sets, c.srv.cfg.SetMaxIntsetEntries())
	existed := c.lookup(&tx, db, dst) != nil
	if out.Len() == 0 {
		if existed {
			tx.Delete(db, dst)
			if tx.Logging() {
				tx.Emit(db, []byte("DEL"), clone(dst))
			}
		}
		c.w.Int(0)
		return
	}
	tx.Put(db, dst, nil, out, 0)
	if tx.Logging() {
		tx.Emit(db, []byte("DEL"), clone(dst))
		emitMembers(&tx, db, "SADD", dst, out.Members())
	}
	c.w.Int(int64(out.Len()))
}

func cmdSintercard(c *Client, args [][]byte) {
	numkeys, ok := parseInteger(args[1])
	if !ok || numkeys < 1 {
		c.w.Error(errNumkeysPositive)
		return
	}
	if numkeys > int64(len(args)-2) {
		c.w.Error(errNumkeysArgs)
		return
	}
	keys := args[2 : 2+numkeys]
	limit := int64(0)
	for i := 2 + int(numkeys); i < len(args); i++ {
		if eq(args[i], "limit") && i+1 < len(args) {
			n, ok := parseInteger(args[i+1])
			if !ok || n < 0 {
				c.w.Error(errLimitNegative)
				return
			}
			limit = n
			i++
			continue
		}
		c.w.Error(errSyntax)
		return
	}
	db := c.DB()
	tx := c.srv.store.BeginKeys(c.nowMs, db, keys)
	defer tx.End()
	sets, ok := c.setOperands(&tx, db, keys)
	if !ok {
		return
	}
	if slices.Contains(sets, nil) {
		c.w.Int(0)
		return
	}
	n := int64(0)
	intersect(sets, func([]byte) bool {
		n++
		return limit == 0 || n < limit
	})
	c.w.Int(n)
}

// cmdSscan parses the cursor before looking the key up and the options
// after, as Redis does: a missing key answers an empty scan whatever the
// options.
func cmdSscan(c *Client, args [][]byte) {
	cursor, ok := parseCursor(args[2])
	if !ok {
		c.w.Error(errBadCursor)
		return
	}
	db := c.DB()
	tx := c.srv.store.Begin(c.nowMs, db, args[1])
	defer tx.End()
	s, ok := c.readSet(&tx, db, args[1])
	if !ok {
		return
	}
	if s == nil {
		c.w.Array(2)
		c.w.BulkString("0")
		c.w.Array(0)
		return
	}
	o, ok := c.parseScanOpts(args, 3, false)
	if !ok {
		return
	}
	count, pattern := o.count, o.pattern
	usePattern := pattern != nil
	var out [][]byte
	next := s.Scan(cursor, int(min(count, math.MaxInt32)), func(m []byte) {
		if !usePattern || glob.MatchBytes(pattern, m, false) {
			out = append(out, clone(m))
		}
	})
	c.w.Array(2)
	c.w.BulkString(strconv.FormatUint(next, 10))
	c.w.Array(len(out))
	for _, m := range out {
		c.w.Bulk(m)
	}
}
