package server

import (
	"math"
	"math/big"
	"strconv"

	"sessiond/storage"
)

func stringCommands() []*Command {
	const (
		rangeComplexity = "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings."
		expireSyntax    = "EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds"
	)
	return []*Command{
		{Name: "get", Arity: 2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Handler: cmdGet,
			Group: "string", Since: "1.0.0", Summary: "Get the value of a key", Complexity: "O(1)", Syntax: "key"},
		{Name: "set", Arity: -3, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1, Handler: cmdSet,
			Group: "string", Since: "1.0.0", Summary: "Set the string value of a key",
			Complexity: "O(1)", Syntax: "key value [NX | XX] [GET] [" + expireSyntax + " | KEEPTTL]"},
		{Name: "setex", Arity: 4, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1, Handler: cmdSetex,
			Group: "string", Since: "2.0.0", Summary: "Set the value and expiration of a key", Complexity: "O(1)", Syntax: "key seconds value"},
		{Name: "psetex", Arity: 4, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1, Handler: cmdPsetex,
			Group: "string", Since: "2.6.0", Summary: "Set the value and expiration in milliseconds of a key", Complexity: "O(1)", Syntax: "key milliseconds value"},
		{Name: "setnx", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Handler: cmdSetnx,
			Group: "string", Since: "1.0.0", Summary: "Set the value of a key, only if the key does not exist", Complexity: "O(1)", Syntax: "key value"},
		{Name: "getex", Arity: -2, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Handler: cmdGetex,
			Group: "string", Since: "6.2.0", Summary: "Get the value of a key and optionally set its expiration", Complexity: "O(1)",
			Syntax: "key [" + expireSyntax + " | PERSIST]"},
		{Name: "getdel", Arity: 2, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Handler: cmdGetdel,
			Group: "string", Since: "6.2.0", Summary: "Get the value of a key and delete the key", Complexity: "O(1)", Syntax: "key"},
		{Name: "getset", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Handler: cmdGetset,
			Group: "string", Since: "1.0.0", Summary: "Set the string value of a key and return its old value", Complexity: "O(1)", Syntax: "key value"},
		{Name: "mget", Arity: -2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: -1, Step: 1, Handler: cmdMget,
			Group: "string", Since: "1.0.0", Summary: "Get the values of all the given keys", Complexity: "O(N) where N is the number of keys to retrieve.", Syntax: "key [key ...]"},
		{Name: "mset", Arity: -3, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: -1, Step: 2, Handler: cmdMset,
			Group: "string", Since: "1.0.1", Summary: "Set multiple keys to multiple values", Complexity: "O(N) where N is the number of keys to set.", Syntax: "key value [key value ...]"},
		{Name: "msetnx", Arity: -3, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: -1, Step: 2, Handler: cmdMsetnx,
			Group: "string", Since: "1.0.1", Summary: "Set multiple keys to multiple values, only if none of the keys exist", Complexity: "O(N) where N is the number of keys to set.", Syntax: "key value [key value ...]"},
		{Name: "incr", Arity: 2, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Handler: cmdIncr,
			Group: "string", Since: "1.0.0", Summary: "Increment the integer value of a key by one", Complexity: "O(1)", Syntax: "key"},
		{Name: "decr", Arity: 2, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Handler: cmdDecr,
			Group: "string", Since: "1.0.0", Summary: "Decrement the integer value of a key by one", Complexity: "O(1)", Syntax: "key"},
		{Name: "incrby", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Handler: cmdIncrby,
			Group: "string", Since: "1.0.0", Summary: "Increment the integer value of a key by the given amount", Complexity: "O(1)", Syntax: "key increment"},
		{Name: "decrby", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Handler: cmdDecrby,
			Group: "string", Since: "1.0.0", Summary: "Decrement the integer value of a key by the given number", Complexity: "O(1)", Syntax: "key decrement"},
		{Name: "incrbyfloat", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Handler: cmdIncrbyfloat,
			Group: "string", Since: "2.6.0", Summary: "Increment the float value of a key by the given amount", Complexity: "O(1)", Syntax: "key increment"},
		{Name: "append", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Handler: cmdAppend,
			Group: "string", Since: "2.0.0", Summary: "Append a value to a key",
			Complexity: "O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation.",
			Syntax:     "key value"},
		{Name: "strlen", Arity: 2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Handler: cmdStrlen,
			Group: "string", Since: "2.2.0", Summary: "Get the length of the value stored in a key", Complexity: "O(1)", Syntax: "key"},
		{Name: "getrange", Arity: 4, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, Handler: cmdGetrange,
			Group: "string", Since: "2.4.0", Summary: "Get a substring of the string stored at a key", Complexity: rangeComplexity, Syntax: "key start end"},
		{Name: "substr", Arity: 4, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, Handler: cmdGetrange,
			Group: "string", Since: "1.0.0", Summary: "Get a substring of the string stored at a key", Complexity: rangeComplexity, Syntax: "key start end"},
		{Name: "setrange", Arity: 4, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1, Handler: cmdSetrange,
			Group: "string", Since: "2.2.0", Summary: "Overwrite part of a string at key starting at the specified offset",
			Complexity: "O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.",
			Syntax:     "key offset value"},
	}
}

// clone copies an argument, which aliases the connection's read buffer, into
// memory the store may keep.
func clone(b []byte) []byte {
	out := make([]byte, len(b))
	copy(out, b)
	return out
}

// ownValue returns val in memory the store may keep for a string entry that
// replaces old: old's buffer when it is a string whose capacity fits val
// without keeping much slack alive, else a fresh copy. String buffers are
// owned by their entry alone, so overwriting one in place is safe under the
// shard lock.
func ownValue(old *storage.Entry, val []byte) []byte {
	if old != nil && old.Obj == nil && cap(old.Str) >= len(val) && cap(old.Str) <= 2*len(val)+32 {
		return append(old.Str[:0], val...)
	}
	return clone(val)
}

// lookup is tx.Lookup for the running command's use of keys (c.use), or
// tx.Peek for a CLIENT NO-TOUCH connection, whose commands leave the keys'
// access times alone.
func (c *Client) lookup(tx *storage.Tx, db int, key []byte) *storage.Entry {
	return c.lookupFor(tx, db, key, c.use)
}

// lookupFor is lookup for a use other than the command's.
func (c *Client) lookupFor(tx *storage.Tx, db int, key []byte, u storage.Use) *storage.Entry {
	if c.noTouch.Load() {
		return tx.Peek(db, key)
	}
	return tx.Lookup(db, key, u)
}

// countLookup counts a read lookup in keyspace_hits / keyspace_misses as
// Redis does: a key of the wrong type is a hit.
func (c *Client) countLookup(e *storage.Entry) {
	if e == nil {
		c.srv.stats.keyspaceMiss.Add(1)
	} else {
		c.srv.stats.keyspaceHits.Add(1)
	}
}

// readString looks key up for a read of a string: it counts the lookup
// and, when the key holds another type, replies WRONGTYPE and reports false.
// A missing key is (nil, true).
func (c *Client) readString(tx *storage.Tx, db int, key []byte) (*storage.Entry, bool) {
	e := c.lookup(tx, db, key)
	c.countLookup(e)
	if e != nil && e.Obj != nil {
		c.w.Error(errWrongType)
		return nil, false
	}
	return e, true
}

func cmdGet(c *Client, args [][]byte) {
	db := c.DB()
	tx := c.srv.store.BeginRead(c.nowMs, db, args[1])
	defer tx.End()
	e, ok := c.readString(&tx, db, args[1])
	switch {
	case !ok:
	case e == nil:
		c.w.Null()
	default:
		c.w.Bulk(e.Str)
	}
}

// Options of SET and GETEX, as bits, named after Redis's OBJ_* flags.
const (
	optNX = 1 << iota
	optXX
	optGet
	optKeepTTL
	optPersist
	optEX
	optPX
	optEXAT
	optPXAT
	optExpire = optEX | optPX | optEXAT | optPXAT
)

// strOpts are the parsed options of SET (from args[3]) or GETEX (from args[2]).
type strOpts struct {
	flags  int
	expire []byte // the value of the last EX/PX/EXAT/PXAT
}

// parseStringOpts parses SET's or GETEX's options with Redis's rules: an
// option may repeat (the last expire value wins) but may not be combined
// with one it excludes. It reports false on a syntax error.
func parseStringOpts(args [][]byte, forSet bool) (strOpts, bool) {
	var o strOpts
	start := 2
	if forSet {
		start = 3
	}
	for i := start; i < len(args); i++ {
		a := args[i]
		more := i+1 < len(args)
		f := o.flags
		var unit int
		switch {
		case forSet && eq(a, "nx") && f&optXX == 0:
			o.flags |= optNX
		case forSet && eq(a, "xx") && f&optNX == 0:
			o.flags |= optXX
		case forSet && eq(a, "get"):
			o.flags |= optGet
		case forSet && eq(a, "keepttl") && f&(optPersist|optExpire) == 0:
			o.flags |= optKeepTTL
		case !forSet && eq(a, "persist") && f&(optExpire|optKeepTTL) == 0:
			o.flags |= optPersist
		case eq(a, "ex"):
			unit = optEX
		case eq(a, "px"):
			unit = optPX
		case eq(a, "exat"):
			unit = optEXAT
		case eq(a, "pxat"):
			unit = optPXAT
		default:
			return o, false
		}
		if unit == 0 {
			continue
		}
		// the same unit may repeat; any other exclusive option may not
		if !more || f&(optKeepTTL|optPersist|(optExpire&^unit)) != 0 {
			return o, false
		}
		o.flags |= unit
		o.expire = args[i+1]
		i++
	}
	return o, true
}

// expireDeadline turns the expire option into an absolute unix-ms deadline,
// writing Redis's error and returning false when it is invalid.
func (c *Client) expireDeadline(o strOpts, cmd string) (int64, bool) {
	unit := "pxat"
	switch o.flags & optExpire {
	case optEX:
		unit = "ex"
	case optPX:
		unit = "px"
	case optEXAT:
		unit = "exat"
	}
	return c.parseExpireArg(unit, o.expire, cmd)
}

// parseExpireArg turns the value of EX/PX/EXAT/PXAT (unit in lower case)
// into an absolute deadline as Redis's getExpireMillisecondsOrReply does,
// writing Redis's error and returning false when invalid.
func (c *Client) parseExpireArg(unit string, v []byte, cmd string) (int64, bool) {
	n, ok := parseInteger(v)
	if !ok {
		c.w.Error(errNotInteger)
		return 0, false
	}
	seconds := unit == "ex" || unit == "exat"
	if n <= 0 || seconds && n > math.MaxInt64/1000 {
		c.w.Error(errInvalidExpire(cmd))
		return 0, false
	}
	if seconds {
		n *= 1000
	}
	if unit == "ex" || unit == "px" {
		if n > math.MaxInt64-c.nowMs {
			c.w.Error(errInvalidExpire(cmd))
			return 0, false
		}
		n += c.nowMs
	}
	return n, true
}

func cmdSet(c *Client, args [][]byte) {
	o, ok := parseStringOpts(args, true)
	if !ok {
		c.w.Error(errSyntax)
		return
	}
	var deadline int64
	if o.flags&optExpire != 0 {
		if deadline, ok = c.expireDeadline(o, "set"); !ok {
			return
		}
	}
	get := o.flags&optGet != 0
	db := c.DB()
	key := args[1]
	tx := c.srv.store.Begin(c.nowMs, db, key)
	defer tx.End()
	old := c.lookup(&tx, db, key)
	if get {
		c.countLookup(old)
		if old != nil && old.Obj != nil {
			c.w.Error(errWrongType)
			return
		}
		c.writeOldValue(old) // before the entry is overwritten in place
	}
	if o.flags&optNX != 0 && old != nil || o.flags&optXX != 0 && old == nil {
		if !get {
			c.w.Null()
		}
		return
	}
	if o.flags&optKeepTTL != 0 && old != nil {
		deadline = old.Deadline
	}
	if deadline != 0 && deadline <= c.nowMs {
		// an absolute time in the past: the key is gone at once
		if old != nil {
			tx.Delete(db, key)
		}
		if tx.Logging() {
			tx.Emit(db, []byte("DEL"), clone(key))
		}
		if !get {
			c.w.OK()
		}
		return
	}
	tx.PutFound(db, key, old, ownValue(old, args[2]), nil, deadline)
	if tx.Logging() {
		c.emitSet(&tx, db, key, args[2], deadline)
	}
	if !get {
		c.w.OK()
	}
}

func cmdSetex(c *Client, args [][]byte)  { c.setWithExpire(args, "ex", "setex") }
func cmdPsetex(c *Client, args [][]byte) { c.setWithExpire(args, "px", "psetex") }

// setWithExpire is SETEX / PSETEX: key ttl value.
func (c *Client) setWithExpire(args [][]byte, unit, cmd string) {
	deadline, ok := c.parseExpireArg(unit, args[2], cmd)
	if !ok {
		return
	}
	db := c.DB()
	key := args[1]
	tx := c.srv.store.Begin(c.nowMs, db, key)
	defer tx.End()
	old := c.lookup(&tx, db, key)
	tx.PutFound(db, key, old, ownValue(old, args[3]), nil, deadline)
	if tx.Logging() {
		c.emitSet(&tx, db, key, args[3], deadline)
	}
	c.w.OK()
}

func cmdSetnx(c *Client, args [][]byte) {
	db := c.DB()
	key := args[1]
	tx := c.srv.store.Begin(c.nowMs, db, key)
	defer tx.End()
	if c.lookup(&tx, db, key) != nil {
		c.w.Int(0)
		return
	}
	tx.Put(db, key, clone(args[2]), nil, 0)
	if tx.Logging() {
		c.emitSet(&tx, db, key, args[2], 0)
	}
	c.w.Int(1)
}

func cmdGetex(c *Client, args [][]byte) {
	o, ok := parseStringOpts(args, false)
	if !ok {
		c.w.Error(errSyntax)
		return
	}
	db := c.DB()
	key := args[1]
	tx := c.srv.store.Begin(c.nowMs, db, key)
	defer tx.End()
	e, ok := c.readString(&tx, db, key)
	if !ok {
		return
	}
	if e == nil {
		c.w.Null()
		return
	}
	var deadline int64
	if o.flags&optExpire != 0 {
		if deadline, ok = c.expireDeadline(o, "getex"); !ok {
			return
		}
	}
	c.w.Bulk(e.Str)
	switch {
	case o.flags&(optEXAT|optPXAT) != 0 && deadline <= c.nowMs:
		tx.Delete(db, key)
		if tx.Logging() {
			tx.Emit(db, []byte("DEL"), clone(key))
		}
	case o.flags&optExpire != 0:
		tx.SetDeadline(db, e, deadline)
		if tx.Logging() {
			tx.Emit(db, []byte("PEXPIREAT"), clone(key), strconv.AppendInt(nil, deadline, 10))
		}
	case o.flags&optPersist != 0 && e.Deadline != 0:
		tx.SetDeadline(db, e, 0)
		if tx.Logging() {
			tx.Emit(db, []byte("PERSIST"), clone(key))
		}
	}
}

func cmdGetdel(c *Client, args [][]byte) {
	db := c.DB()
	key := args[1]
	tx := c.srv.store.Begin(c.nowMs, db, key)
	defer tx.End()
	e, ok := c.readString(&tx, db, key)
	if !ok {
		return
	}
	if e == nil {
		c.w.Null()
		return
	}
	c.w.Bulk(e.Str)
	tx.Delete(db, key)
	if tx.Logging() {
		tx.Emit(db, []byte("DEL"), clone(key))
	}
}

// cmdGetset is SET key value GET, logged as SET as Redis propagates it.
func cmdGetset(c *Client, args [][]byte) {
	db := c.DB()
	key := args[1]
	tx := c.srv.store.Begin(c.nowMs, db, key)
	defer tx.End()
	old := c.lookup(&tx, db, key)
	c.countLookup(old)
	if old != nil && old.Obj != nil {
		c.w.Error(errWrongType)
		return
	}
	c.writeOldValue(old)
	tx.PutFound(db, key, old, ownValue(old, args[2]), nil, 0)
	if tx.Logging() {
		c.emitSet(&tx, db, key, args[2], 0)
	}
}

func cmdMget(c *Client, args [][]byte) {
	db := c.DB()
	keys := args[1:]
	tx := c.srv.store.BeginReadKeys(c.nowMs, db, keys)
	defer tx.End()
	c.w.Array(len(keys))
	var hits, misses int64
	for _, k := range keys {
		e := c.lookup(&tx, db, k)
		switch {
		case e == nil:
			misses++
			c.w.Null()
		case e.Obj != nil:
			hits++
			c.w.Null()
		default:
			hits++
			c.w.Bulk(e.Str)
		}
	}
	if hits > 0 {
		c.srv.stats.keyspaceHits.Add(hits)
	}
	if misses > 0 {
		c.srv.stats.keyspaceMiss.Add(misses)
	}
}

func cmdMset(c *Client, args [][]byte)   { c.mset(args, false) }
func cmdMsetnx(c *Client, args [][]byte) { c.mset(args, true) }

// mset is MSET / MSETNX: all keys are locked together, so the command is
// atomic. Both are logged as MSET: the effect is what was stored.
func (c *Client) mset(args [][]byte, nx bool) {
	if len(args)%2 == 0 {
		name := "mset"
		if nx {
			name = "msetnx"
		}
		c.w.Error(errWrongArgs(name))
		return
	}
	var buf [16][]byte
	keys := buf[:0]
	for i := 1; i < len(args); i += 2 {
		keys = append(keys, args[i])
	}
	db := c.DB()
	tx := c.srv.store.BeginKeys(c.nowMs, db, keys)
	defer tx.End()
	if nx {
		for _, k := range keys {
			if c.lookup(&tx, db, k) != nil {
				c.w.Int(0)
				return
			}
		}
	}
	for i := 1; i < len(args); i += 2 {
		old := c.lookup(&tx, db, args[i])
		tx.PutFound(db, args[i], old, ownValue(old, args[i+1]), nil, 0)
	}
	if tx.Logging() {
		eff := make([][]byte, len(args))
		eff[0] = []byte("MSET")
		for i := 1; i < len(args); i++ {
			eff[i] = clone(args[i])
		}
		tx.Emit(db, eff...)
	}
	if nx {
		c.w.Int(1)
	} else {
		c.w.OK()
	}
}

func cmdIncr(c *Client, args [][]byte) { c.incrBy(args, 1, "INCR") }
func cmdDecr(c *Client, args [][]byte) { c.incrBy(args, -1, "DECR") }

func cmdIncrby(c *Client, args [][]byte) {
	n, ok := c.intArg(args[2])
	if !ok {
		return
	}
	c.incrBy(args, n, "INCRBY")
}

func cmdDecrby(c *Client, args [][]byte) {
	n, ok := c.intArg(args[2])
	if !ok {
		return
	}
	if n == math.MinInt64 {
		c.w.Error(errDecrOverflow)
		return
	}
	c.incrBy(args, -n, "DECRBY")
}

// incrBy adds delta to the integer at args[1], keeping its deadline, and
// logs the command itself (name, with its argument when it has one).
func (c *Client) incrBy(args [][]byte, delta int64, name string) {
	db := c.DB()
	key := args[1]
	tx := c.srv.store.Begin(c.nowMs, db, key)
	defer tx.End()
	e := c.lookup(&tx, db, key)
	var v int64
	if e != nil {
		if e.Obj != nil {
			c.w.Error(errWrongType)
			return
		}
		n, ok := parseInteger(e.Str)
		if !ok {
			c.w.Error(errNotInteger)
			return
		}
		v = n
	}
	if delta < 0 && v < 0 && delta < math.MinInt64-v || delta > 0 && v > 0 && delta > math.MaxInt64-v {
		c.w.Error(errOverflow)
		return
	}
	v += delta
	if e != nil {
		e.Str = strconv.AppendInt(e.Str[:0], v, 10) // in place: the entry owns its buffer
		e.Raw = false
	} else {
		tx.Put(db, key, strconv.AppendInt(make([]byte, 0, 20), v, 10), nil, 0)
	}
	if tx.Logging() {
		if len(args) > 2 {
			tx.Emit(db, []byte(name), clone(key), clone(args[2]))
		} else {
			tx.Emit(db, []byte(name), clone(key))
		}
	}
	c.w.Int(v)
}

// cmdIncrbyfloat computes in Redis's long double (x87 80-bit extended:
// 64-bit mantissa) so that results and their %.17Lf text match Redis. It is
// logged as SET key value KEEPTTL.
func cmdIncrbyfloat(c *Client, args [][]byte) {
	db := c.DB()
	key := args[1]
	tx := c.srv.store.Begin(c.nowMs, db, key)
	defer tx.End()
	e := c.lookup(&tx, db, key)
	value := new(big.Float).SetPrec(ldMantBits)
	if e != nil {
		if e.Obj != nil {
			c.w.Error(errWrongType)
			return
		}
		var ok bool
		if value, ok = parseLongDouble(e.Str); !ok {
			c.w.Error(errNotFloat)
			return
		}
	}
	incr, ok := parseLongDouble(args[2])
	if !ok {
		c.w.Error(errNotFloat)
		return
	}
	if value.IsInf() || incr.IsInf() {
		c.w.Error(errNaNInf) // inf + x is inf, inf - inf is NaN
		return
	}
	sum := new(big.Float).SetPrec(ldMantBits).Add(value, incr)
	if sum.MantExp(nil) > ldMaxExp {
		c.w.Error(errNaNInf)
		return
	}
	out := formatLongDouble(sum)
	if e != nil {
		e.Str, e.Raw = out, false
	} else {
		tx.Put(db, key, out, nil, 0)
	}
	if tx.Logging() {
		tx.Emit(db, []byte("SET"), clone(key), clone(out), []byte("KEEPTTL"))
	}
	c.w.Bulk(out)
}

// Long double (x87 extended precision) parameters: a 64-bit mantissa, finite
// values below 2^16384, denormals down to 2^-16445.
const (
	ldMantBits = 64
	ldMaxExp   = 16384  // |x| < 2^ldMaxExp, else strtold overflows
	ldMinExp   = -16445 // |x| < 2^(ldMinExp-1) rounds to zero
	ldMaxChars = 5 * 1024
	expClamp   = 1 << 20 // a larger exponent can only overflow or underflow
)

// parseLongDouble parses b as Redis's string2ld does with glibc's strtold:
// the whole text must be consumed (a NUL byte ends it early, so fails), it
// may not start with a space, and may not be NaN, overflow, or underflow to
// zero.
// Decimal and hexadecimal forms and "inf"/"infinity" are accepted.
func parseLongDouble(b []byte) (*big.Float, bool) {
	if len(b) == 0 || len(b) >= ldMaxChars {
		return nil, false
	}
	f := new(big.Float).SetPrec(ldMantBits)
	neg := false
	if b[0] == '+' || b[0] == '-' {
		neg = b[0] == '-'
		b = b[1:]
	}
	if eq(b, "inf") || eq(b, "infinity") {
		return f.SetInf(neg), true
	}
	base := 10
	if len(b) >= 2 && b[0] == '0' && (b[1] == 'x' || b[1] == 'X') {
		base = 16
		b = b[2:]
	}
	isDigit := func(ch byte) bool {
		if base == 16 {
			return '0' <= ch && ch <= '9' || 'a' <= ch|0x20 && ch|0x20 <= 'f'
		}
		return '0' <= ch && ch <= '9'
	}
	// mantissa: digits [. digits], at least one digit
	var mant []byte
	frac, i := 0, 0
	for ; i < len(b) && isDigit(b[i]); i++ {
		mant = append(mant, b[i])
	}
	if i < len(b) && b[i] == '.' {
		for i++; i < len(b) && isDigit(b[i]); i++ {
			mant = append(mant, b[i])
			frac++
		}
	}
	if len(mant) == 0 {
		return nil, false // also "", "+", "."
	}
	// exponent: e (decimal) or p (hex, power of two), sign, digits
	var exp int64
	if i < len(b) {
		if base == 10 && b[i]|0x20 != 'e' || base == 16 && b[i]|0x20 != 'p' {
			return nil, false
		}
		i++
		eneg := false
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			eneg = b[i] == '-'
			i++
		}
		if i == len(b) {
			return nil, false
		}
		for ; i < len(b); i++ {
			if b[i] < '0' || b[i] > '9' {
				return nil, false
			}
			if exp < expClamp {
				exp = exp*10 + int64(b[i]-'0')
			}
		}
		if eneg {
			exp = -exp
		}
	}
	m, _ := new(big.Int).SetString(string(mant), base)
	if m.Sign() == 0 {
		if neg {
			f.Neg(f)
		}
		return f, true
	}
	if base == 16 {
		// value = m * 2^(exp - 4*frac)
		e2 := exp - 4*int64(frac)
		if mag := int64(m.BitLen()) + e2; mag > ldMaxExp+1 || mag < ldMinExp-1 {
			return nil, false
		}
		f.SetInt(m)
		f.SetMantExp(f, int(e2))
	} else {
		// value = m * 10^e10, with m of nd digits, so it lies in
		// [10^(nd-1+e10), 10^(nd+e10)); far outside the range it cannot be valid
		e10 := exp - int64(frac)
		nd := int64(len(m.String()))
		if nd-1+e10 > 4933 || nd+e10 < -4952 {
			return nil, false
		}
		if e10 >= 0 {
			m.Mul(m, new(big.Int).Exp(big.NewInt(10), big.NewInt(e10), nil))
			f.SetInt(m)
		} else {
			den := new(big.Int).Exp(big.NewInt(10), big.NewInt(-e10), nil)
			f.SetRat(new(big.Rat).SetFrac(m, den))
		}
	}
	if e := f.MantExp(nil); e > ldMaxExp || e < ldMinExp {
		return nil, false // strtold: ERANGE with ±HUGE_VALL or zero
	}
	if neg {
		f.Neg(f)
	}
	return f, true
}

// formatLongDouble formats f as Redis's ld2string in LD_STR_HUMAN mode:
// %.17Lf, trailing zeros and a trailing point removed, "-0" made "0".
func formatLongDouble(f *big.Float) []byte {
	out := f.Append(make([]byte, 0, 32), 'f', 17)
	n := len(out)
	for out[n-1] == '0' {
		n--
	}
	if out[n-1] == '.' {
		n--
	}
	out = out[:n]
	if string(out) == "-0" {
		out = append(out[:0], '0')
	}
	return out
}

func cmdAppend(c *Client, args [][]byte) {
	db := c.DB()
	key := args[1]
	tx := c.srv.store.Begin(c.nowMs, db, key)
	defer tx.End()
	e := c.lookup(&tx, db, key)
	var n int
	if e == nil {
		tx.Put(db, key, clone(args[2]), nil, 0)
		n = len(args[2])
	} else {
		if e.Obj != nil {
			c.w.Error(errWrongType)
			return
		}
		if !c.lengthOK(int64(len(e.Str)), int64(len(args[2]))) {
			return
		}
		e.Str = append(e.Str, args[2]...)
		e.Raw = true
		n = len(e.Str)
	}
	if tx.Logging() {
		tx.Emit(db, []byte("APPEND"), clone(key), clone(args[2]))
	}
	c.w.Int(int64(n))
}

// lengthOK checks that a string of size bytes grown by add stays within
// proto-max-bulk-len, writing Redis's error when it does not.
func (c *Client) lengthOK(size, add int64) bool {
	limit := c.srv.cfg.ProtoMaxBulkLen()
	if add > limit || size > limit-add {
		c.w.Error(errStringTooBig)
		return false
	}
	return true
}

func cmdStrlen(c *Client, args [][]byte) {
	db := c.DB()
	tx := c.srv.store.BeginRead(c.nowMs, db, args[1])
	defer tx.End()
	e, ok := c.readString(&tx, db, args[1])
	switch {
	case !ok:
	case e == nil:
		c.w.Int(0)
	default:
		c.w.Int(int64(len(e.Str)))
	}
}

// cmdGetrange is GETRANGE and SUBSTR: inclusive offsets, negative ones
// counted from the end, clamped to the string.
func cmdGetrange(c *Client, args [][]byte) {
	start, ok := c.intArg(args[2])
	if !ok {
		return
	}
	end, ok := c.intArg(args[3])
	if !ok {
		return
	}
	db := c.DB()
	tx := c.srv.store.Begin(c.nowMs, db, args[1])
	defer tx.End()
	e, ok := c.readString(&tx, db, args[1])
	if !ok {
		return
	}
	if e == nil {
		c.w.BulkString("")
		return
	}
	if start < 0 && end < 0 && start > end {
		c.w.BulkString("")
		return
	}
	n := int64(len(e.Str))
	if start < 0 {
		start = max(n+start, 0)
	}
	if end < 0 {
		end = max(n+end, 0)
	}
	if end >= n {
		end = n - 1
	}
	if start > end || n == 0 {
		c.w.BulkString("")
		return
	}
	c.w.Bulk(e.Str[start : end+1])
}

func cmdSetrange(c *Client, args [][]byte) {
	offset, ok := c.intArg(args[2])
	if !ok {
		return
	}
	if offset < 0 {
		c.w.Error(errOffsetRange)
		return
	}
	val := args[3]
	db := c.DB()
	key := args[1]
	tx := c.srv.store.Begin(c.nowMs, db, key)
	defer tx.End()
	e := c.lookup(&tx, db, key)
	if e != nil && e.Obj != nil {
		c.w.Error(errWrongType)
		return
	}
	if len(val) == 0 {
		// nothing to write: a missing key stays missing
		if e == nil {
			c.w.Int(0)
		} else {
			c.w.Int(int64(len(e.Str)))
		}
		return
	}
	if !c.lengthOK(offset, int64(len(val))) {
		return
	}
	need := int(offset) + len(val)
	if e == nil {
		s := make([]byte, need)
		copy(s[offset:], val)
		e = tx.Put(db, key, s, nil, 0)
		e.Raw = true
	} else {
		e.Raw = true
		if need > len(e.Str) {
			e.Str = append(e.Str, make([]byte, need-len(e.Str))...)
		}
		copy(e.Str[offset:], val)
	}
	if tx.Logging() {
		tx.Emit(db, []byte("SETRANGE"), clone(key), clone(args[2]), clone(val))
	}
	c.w.Int(int64(len(e.Str)))
}

// emitSet logs SET key value [PXAT deadline].
// (The sink copies what it keeps while the command runs: key and val need
// no copy of their own.)
func (c *Client) emitSet(tx *storage.Tx, db int, key, val []byte, deadline int64) {
	// every SET makes one: its arguments are the client's scratch, not
	// a new slice each time (the sink is called through a pointer, so a
	// variadic list would escape to the heap)
	args := append(c.effArgs[:0], bSET, key, val)
	if deadline != 0 {
		c.effNum = strconv.AppendInt(c.effNum[:0], deadline, 10)
		args = append(args, bPXAT, c.effNum)
	}
	tx.Emit(db, args...)
	args[1], args[2] = nil, nil // hold no client buffer past the command
}

var bSET, bPXAT = []byte("SET"), []byte("PXAT")

func (c *Client) writeOldValue(e *storage.Entry) {
	if e == nil {
		c.w.Null()
		return
	}
	c.w.Bulk(e.Str)
}
