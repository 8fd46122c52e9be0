package server

import (
	"hash/maphash"
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"

	"sessiond/glob"
	"sessiond/storage"
)

func hashCommands() []*Command {
	const (
		g        = "hash"
		rw       = FlagWrite | FlagDenyOOM | FlagFast
		ro       = FlagReadonly | FlagFast
		fieldsN  = "FIELDS numfields field [field ...]"
		expireNO = "[NX | XX | GT | LT] " + fieldsN
		allN     = "O(N) where N is the size of the hash."
	)
	row := func(name string, arity int, flags Flag, h func(*Client, [][]byte), since, summary, complexity, syntax string) *Command {
		return &Command{Name: name, Arity: arity, Flags: flags, FirstKey: 1, LastKey: 1, Step: 1, Handler: h,
			Group: g, Since: since, Summary: summary, Complexity: complexity, Syntax: syntax}
	}
	return []*Command{
		row("hset", -4, rw, cmdHset, "2.0.0", "Set the string value of a hash field",
			"O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.",
			"key field value [field value ...]"),
		row("hsetnx", 4, rw, cmdHsetnx, "2.0.0", "Set the value of a hash field, only if the field does not exist", "O(1)", "key field value"),
		row("hmset", -4, rw, cmdHmset, "2.0.0", "Set multiple hash fields to multiple values",
			"O(N) where N is the number of fields being set.", "key field value [field value ...]"),
		row("hget", 3, ro, cmdHget, "2.0.0", "Get the value of a hash field", "O(1)", "key field"),
		row("hmget", -3, ro, cmdHmget, "2.0.0", "Get the values of all the given hash fields",
			"O(N) where N is the number of fields being requested.", "key field [field ...]"),
		row("hgetall", 2, FlagReadonly, cmdHgetall, "2.0.0", "Get all the fields and values in a hash", allN, "key"),
		row("hdel", -3, FlagWrite|FlagFast, cmdHdel, "2.0.0", "Delete one or more hash fields",
			"O(N) where N is the number of fields to be removed.", "key field [field ...]"),
		row("hexists", 3, ro, cmdHexists, "2.0.0", "Determine if a hash field exists", "O(1)", "key field"),
		row("hlen", 2, ro, cmdHlen, "2.0.0", "Get the number of fields in a hash", "O(1)", "key"),
		row("hkeys", 2, FlagReadonly, cmdHkeys, "2.0.0", "Get all the fields in a hash", allN, "key"),
		row("hvals", 2, FlagReadonly, cmdHvals, "2.0.0", "Get all the values in a hash", allN, "key"),
		row("hincrby", 4, rw, cmdHincrby, "2.0.0", "Increment the integer value of a hash field by the given number", "O(1)", "key field increment"),
		row("hincrbyfloat", 4, rw, cmdHincrbyfloat, "2.6.0", "Increment the float value of a hash field by the given amount", "O(1)", "key field increment"),
		row("hstrlen", 3, ro, cmdHstrlen, "3.2.0", "Get the length of the value of a hash field", "O(1)", "key field"),
		row("hrandfield", -2, FlagReadonly, cmdHrandfield, "6.2.0", "Get one or multiple random fields from a hash",
			"O(N) where N is the number of fields returned", "key [count [WITHVALUES]]"),
		row("hscan", -3, FlagReadonly, cmdHscan, "2.8.0", "Incrementally iterate hash fields and associated values",
			"O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
			"key cursor [MATCH pattern] [COUNT count]"),
		// Redis 7.4 hash-field expiry
		row("hexpire", -6, FlagWrite|FlagFast, cmdHexpire, "7.4.0", "Set expiry for hash field using relative time to expire (seconds)",
			"O(N) where N is the number of specified fields", "key seconds "+expireNO),
		row("hpexpire", -6, FlagWrite|FlagFast, cmdHpexpire, "7.4.0", "Set expiry for hash field using relative time to expire (milliseconds)",
			"O(N) where N is the number of specified fields", "key milliseconds "+expireNO),
		row("hexpireat", -6, FlagWrite|FlagFast, cmdHexpireat, "7.4.0", "Set expiry for hash field using an absolute Unix timestamp (seconds)",
			"O(N) where N is the number of specified fields", "key unix-time-seconds "+expireNO),
		row("hpexpireat", -6, FlagWrite|FlagFast, cmdHpexpireat, "7.4.0", "Set expiry for hash field using an absolute Unix timestamp (milliseconds)",
			"O(N) where N is the number of specified fields", "key unix-time-milliseconds "+expireNO),
		row("httl", -5, ro, cmdHttl, "7.4.0", "Returns the TTL in seconds of a hash field.",
			"O(N) where N is the number of specified fields", "key "+fieldsN),
		row("hpttl", -5, ro, cmdHpttl, "7.4.0", "Returns the TTL in milliseconds of a hash field.",
			"O(N) where N is the number of specified fields", "key "+fieldsN),
		row("hexpiretime", -5, ro, cmdHexpiretime, "7.4.0", "Returns the expiration time of a hash field as a Unix timestamp, in seconds.",
			"O(N) where N is the number of specified fields", "key "+fieldsN),
		row("hpexpiretime", -5, ro, cmdHpexpiretime, "7.4.0", "Returns the expiration time of a hash field as a Unix timestamp, in msec.",
			"O(N) where N is the number of specified fields", "key "+fieldsN),
		row("hpersist", -5, FlagWrite|FlagFast, cmdHpersist, "7.4.0", "Removes the expiration time for each specified field",
			"O(N) where N is the number of specified fields", "key "+fieldsN),
		// Redis 8.0
		row("hgetdel", -5, FlagWrite|FlagFast, cmdHgetdel, "8.0.0", "Returns the value of a field and deletes it from the hash.",
			"O(N) where N is the number of specified fields", "key "+fieldsN),
		row("hgetex", -5, FlagWrite|FlagFast, cmdHgetex, "8.0.0", "Get the value of one or more fields of a given hash key, and optionally set their expiration.",
			"O(N) where N is the number of specified fields",
			"key [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | PERSIST] "+fieldsN),
		row("hsetex", -6, rw, cmdHsetex, "8.0.0", "Set the value of one or more fields of a given hash key, and optionally set their expiration.",
			"O(N) where N is the number of fields being set.",
			"key [FNX | FXX] [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL] FIELDS numfields field value [field value ...]"),
	}
}

// hashLookup looks key up as a hash; the store has removed its fields whose
// deadline has passed (so no command ever sees an expired field; a hash
// left empty is deleted). read counts the lookup in keyspace_hits/misses.
// A key of another type gets WRONGTYPE and ok false; a missing key is
// (nil, nil, true).
func (c *Client) hashLookup(tx *storage.Tx, db int, key []byte, read bool) (*storage.Entry, *storage.Hash, bool) {
	e := c.lookup(tx, db, key) // drops due fields, and a hash left empty
	if read {
		c.countLookup(e)
	}
	if e == nil {
		return nil, nil, true
	}
	h, ok := e.Obj.(*storage.Hash)
	if !ok {
		c.w.Error(errWrongType)
		return nil, nil, false
	}
	return e, h, true
}

func (c *Client) hashLimits() (entries, value int) {
	return c.srv.cfg.HashMaxListpackEntries(), c.srv.cfg.HashMaxListpackValue()
}

// hashCreate stores a new empty hash at key. Callers create it only when
// they are about to add a field, so no empty hash is ever visible. (Put
// copies the key into the entry's string: no clone here.)
func hashCreate(tx *storage.Tx, db int, key []byte) (*storage.Entry, *storage.Hash) {
	h := storage.NewHash()
	return tx.Put(db, key, nil, h, 0), h
}

// hashDeleteIfEmpty removes the key of a hash left without fields, and
// else gives back the memory fields removed by the command freed.
func hashDeleteIfEmpty(tx *storage.Tx, db int, key []byte, h *storage.Hash) {
	if h.Empty() {
		tx.Delete(db, key)
		return
	}
	h.Trim()
}

func emitArgs(tx *storage.Tx, db int, args ...[]byte) {
	tx.Emit(db, args...) // the sink copies what it keeps, while we wait
}

func cmdHset(c *Client, args [][]byte)  { c.hset(args, "hset") }
func cmdHmset(c *Client, args [][]byte) { c.hset(args, "hmset") }

func (c *Client) hset(args [][]byte, name string) {
	if len(args)%2 != 0 {
		c.w.Error(errWrongArgs(name))
		return
	}
	db := c.DB()
	key := args[1]
	tx := c.srv.store.Begin(c.nowMs, db, key)
	defer tx.End()
	e, h, ok := c.hashLookup(&tx, db, key, false)
	if !ok {
		return
	}
	if e == nil {
		_, h = hashCreate(&tx, db, key)
	}
	maxEntries, maxValue := c.hashLimits()
	added := h.SetPairs(args[2:], false, maxEntries, maxValue)
	if tx.Logging() {
		out := append([][]byte{[]byte("HSET")}, args[1:]...)
		emitArgs(&tx, db, out...)
	}
	if name == "hmset" {
		c.w.OK()
	} else {
		c.w.Int(int64(added))
	}
}

func cmdHsetnx(c *Client, args [][]byte) {
	db := c.DB()
	key := args[1]
	tx := c.srv.store.Begin(c.nowMs, db, key)
	defer tx.End()
	e, h, ok := c.hashLookup(&tx, db, key, false)
	if !ok {
		return
	}
	if e != nil && h.Has(args[2]) {
		c.w.Int(0)
		return
	}
	if e == nil {
		_, h = hashCreate(&tx, db, key)
	}
	maxEntries, maxValue := c.hashLimits()
	h.Set(args[2], args[3], false, maxEntries, maxValue)
	if tx.Logging() {
		emitArgs(&tx, db, []byte("HSET"), key, args[2], args[3])
	}
	c.w.Int(1)
}

// hashRead begins a transaction on key and looks it up as a hash for a
// read. The caller ends tx.
func (c *Client) hashRead(key []byte) (tx storage.Tx, h *storage.Hash, ok bool) {
	db := c.DB()
	tx = c.srv.store.BeginRead(c.nowMs, db, key)
	_, h, ok = c.hashLookup(&tx, db, key, true)
	return tx, h, ok
}

func cmdHget(c *Client, args [][]byte) {
	tx, h, ok := c.hashRead(args[1])
	defer tx.End()
	if !ok {
		return
	}
	if h != nil {
		if v, found := h.Get(args[2]); found {
			c.w.Bulk(v)
			return
		}
	}
	c.w.Null()
}

func cmdHmget(c *Client, args [][]byte) {
	tx, h, ok := c.hashRead(args[1])
	defer tx.End()
	if !ok {
		return
	}
	c.w.Array(len(args) - 2)
	for _, f := range args[2:] {
		if h != nil {
			if v, found := h.Get(f); found {
				c.w.Bulk(v)
				continue
			}
		}
		c.w.Null()
	}
}

func cmdHgetall(c *Client, args [][]byte) { c.hgetall(args, true, true) }
func cmdHkeys(c *Client, args [][]byte)   { c.hgetall(args, true, false) }
func cmdHvals(c *Client, args [][]byte)   { c.hgetall(args, false, true) }

func (c *Client) hgetall(args [][]byte, fields, values bool) {
	tx, h, ok := c.hashRead(args[1])
	defer tx.End()
	if !ok {
		return
	}
	n := 0
	if h != nil {
		n = h.Len()
	}
	if fields && values {
		c.w.Map(n)
	} else {
		c.w.Array(n)
	}
	if h == nil {
		return
	}
	h.Each(func(f, v []byte) bool {
		if fields {
			c.w.Bulk(f)
		}
		if values {
			c.w.Bulk(v)
		}
		return true
	})
}

func cmdHdel(c *Client, args [][]byte) {
	db := c.DB()
	key := args[1]
	tx := c.srv.store.Begin(c.nowMs, db, key)
	defer tx.End()
	e, h, ok := c.hashLookup(&tx, db, key, false)
	if !ok {
		return
	}
	if e == nil {
		c.w.Int(0)
		return
	}
	var deleted [][]byte // for the effect only
	logging, n := tx.Logging(), 0
	for _, f := range args[2:] {
		if h.Delete(f) {
			n++
			if logging {
				deleted = append(deleted, f)
			}
		}
	}
	hashDeleteIfEmpty(&tx, db, key, h)
	if logging {
		emitHdel(&tx, db, key, deleted)
	}
	c.w.Int(int64(n))
}

func cmdHexists(c *Client, args [][]byte) {
	tx, h, ok := c.hashRead(args[1])
	defer tx.End()
	if ok {
		c.w.Int(b2i(h != nil && h.Has(args[2])))
	}
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func cmdHlen(c *Client, args [][]byte) {
	tx, h, ok := c.hashRead(args[1])
	defer tx.End()
	if !ok {
		return
	}
	if h == nil {
		c.w.Int(0)
		return
	}
	c.w.Int(int64(h.Len()))
}

func cmdHstrlen(c *Client, args [][]byte) {
	tx, h, ok := c.hashRead(args[1])
	defer tx.End()
	if !ok {
		return
	}
	n := 0
	if h != nil {
		v, _ := h.Get(args[2])
		n = len(v)
	}
	c.w.Int(int64(n))
}

func cmdHincrby(c *Client, args [][]byte) {
	incr, ok := c.intArg(args[3])
	if !ok {
		return
	}
	db := c.DB()
	key := args[1]
	tx := c.srv.store.Begin(c.nowMs, db, key)
	defer tx.End()
	e, h, ok := c.hashLookup(&tx, db, key, false)
	if !ok {
		return
	}
	var cur int64
	if e != nil {
		if v, found := h.Get(args[2]); found {
			if cur, ok = parseInteger(v); !ok {
				c.w.Error(errHashNotInteger)
				return
			}
		}
	}
	if incr < 0 && cur < 0 && incr < math.MinInt64-cur || incr > 0 && cur > 0 && incr > math.MaxInt64-cur {
		c.w.Error(errOverflow)
		return
	}
	cur += incr
	if e == nil {
		_, h = hashCreate(&tx, db, key)
	}
	maxEntries, maxValue := c.hashLimits()
	var buf [20]byte
	h.Set(args[2], strconv.AppendInt(buf[:0], cur, 10), true, maxEntries, maxValue)
	if tx.Logging() {
		emitArgs(&tx, db, []byte("HINCRBY"), key, args[2], args[3])
	}
	c.w.Int(cur)
}

func cmdHincrbyfloat(c *Client, args [][]byte) {
	incr, ok := parseLongDouble(args[3])
	if !ok {
		c.w.Error(errNotFloat)
		return
	}
	if incr.IsInf() {
		c.w.Error(errNaNInfValue)
		return
	}
	db := c.DB()
	key := args[1]
	tx := c.srv.store.Begin(c.nowMs, db, key)
	tx.Group() // HSET, then the field's HPEXPIREAT
	defer tx.End()
	e, h, ok := c.hashLookup(&tx, db, key, false)
	if !ok {
		return
	}
	value := new(big.Float).SetPrec(ldMantBits)
	if e != nil {
		if v, found := h.Get(args[2]); found {
			if value, ok = parseLongDouble(v); !ok {
				c.w.Error(errHashNotFloat)
				return
			}
		}
	}
	if value.IsInf() {
		c.w.Error(errNaNInf)
		return
	}
	sum := new(big.Float).SetPrec(ldMantBits).Add(value, incr)
	if sum.MantExp(nil) > ldMaxExp {
		c.w.Error(errNaNInf)
		return
	}
	out := formatLongDouble(sum)
	if e == nil {
		_, h = hashCreate(&tx, db, key)
	}
	maxEntries, maxValue := c.hashLimits()
	h.Set(args[2], out, true, maxEntries, maxValue)
	if tx.Logging() {
		// the result, not the increment: float arithmetic must not be
		// redone elsewhere. HSET drops a field deadline, so restore it.
		emitArgs(&tx, db, []byte("HSET"), key, args[2], out)
		if d := h.FieldDeadline(args[2]); d != 0 {
			emitArgs(&tx, db, []byte("HPEXPIREAT"), key, strconv.AppendInt(nil, d, 10), []byte("FIELDS"), []byte("1"), args[2])
		}
	}
	c.w.Bulk(out)
}

// maxRandCount bounds HRANDFIELD's negative count, whose reply Redis would
// try to build however large (and die); a hostile client must not do that.
const maxRandCount = 1 << 24

func cmdHrandfield(c *Client, args [][]byte) {
	if len(args) == 2 {
		tx, h, ok := c.hashRead(args[1])
		defer tx.End()
		switch {
		case !ok:
		case h == nil:
			c.w.Null()
		default:
			pairs := h.Pairs()
			c.w.Bulk(pairs[rand.IntN(len(pairs))].Field)
		}
		return
	}
	count, ok := c.intArg(args[2])
	if !ok {
		return
	}
	if count == math.MinInt64 {
		c.w.Error(errRandCountRange)
		return
	}
	withValues := false
	if len(args) > 4 || len(args) == 4 && !eq(args[3], "withvalues") {
		c.w.Error(errSyntax)
		return
	}
	if len(args) == 4 {
		withValues = true
		if count < -math.MaxInt64/2 || count > math.MaxInt64/2 {
			c.w.Error(errOutOfRange)
			return
		}
	}
	if count < -maxRandCount {
		c.w.Error(errOutOfRange)
		return
	}
	tx, h, ok := c.hashRead(args[1])
	defer tx.End()
	if !ok {
		return
	}
	if h == nil || count == 0 {
		c.w.Array(0)
		return
	}
	pairs := h.Pairs()
	var pick []storage.Pair
	switch {
	case count < 0:
		pick = make([]storage.Pair, -count)
		for i := range pick {
			pick[i] = pairs[rand.IntN(len(pairs))]
		}
	case count >= int64(len(pairs)):
		pick = pairs
	default:
		rand.Shuffle(len(pairs), func(i, j int) { pairs[i], pairs[j] = pairs[j], pairs[i] })
		pick = pairs[:count]
	}
	resp3 := c.w.proto == 3
	if withValues && !resp3 {
		c.w.Array(2 * len(pick))
	} else {
		c.w.Array(len(pick))
	}
	for _, p := range pick {
		if withValues && resp3 {
			c.w.Array(2)
		}
		c.w.Bulk(p.Field)
		if withValues {
			c.w.Bulk(p.Value)
		}
	}
}

// hscanSeed places fields in HSCAN's cursor space for the table encoding.
var hscanSeed = maphash.MakeSeed()

func cmdHscan(c *Client, args [][]byte) {
	cursor, ok := parseCursor(args[2])
	if !ok {
		c.w.Error(errBadCursor)
		return
	}
	tx, h, ok := c.hashRead(args[1])
	defer tx.End()
	if !ok {
		return
	}
	if h == nil {
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
	var out []storage.Pair
	var next uint64
	if h.Encoding() != "hashtable" {
		// the compact encoding is returned whole, as Redis does
		out = h.Pairs()
	} else {
		out, next = hscanTable(h, cursor, count)
	}
	if pattern != nil {
		kept := out[:0]
		for _, p := range out {
			if glob.MatchBytes(pattern, p.Field, false) {
				kept = append(kept, p)
			}
		}
		out = kept
	}
	c.w.Array(2)
	c.w.BulkString(strconv.FormatUint(next, 10))
	c.w.Array(2 * len(out))
	for _, p := range out {
		c.w.Bulk(p.Field)
		c.w.Bulk(p.Value)
	}
}

// hscanTable returns the fields whose hash falls between cursor and the
// next range boundary, ranges sized to hold about count fields, and the
// cursor after them (0 at the end). Ranges are visited in increasing order,
// so a field present for a whole iteration is returned exactly once however
// the hash grows or shrinks meanwhile.
func hscanTable(h *storage.Hash, cursor uint64, count int64) ([]storage.Pair, uint64) {
	n := int64(h.Len())
	pieces := uint(0)
	for pieces < 63 && (n/count)>>pieces > 1 {
		pieces++
	}
	width := uint64(1) << (64 - pieces)
	end := (cursor | (width - 1)) + 1 // wraps to 0 past the last range
	var out []storage.Pair
	h.Each(func(f, v []byte) bool {
		x := maphash.Bytes(hscanSeed, f)
		if x >= cursor && (end == 0 || x < end) {
			out = append(out, storage.Pair{Field: f, Value: v})
		}
		return true
	})
	return out, end
}
