package server

import (
	"math"
	"strconv"

	"sessiond/glob"
	"sessiond/storage"
)

// The generic key commands: DEL, UNLINK, EXISTS, TYPE, KEYS, SCAN,
// RANDOMKEY, RENAME, RENAMENX, COPY, MOVE, SWAPDB, TOUCH, the EXPIRE family,
// TTL and friends, PERSIST and OBJECT. Replies and error texts follow Redis
// 7.0.15. Commands on several keys lock all their shards in one Tx, so they
// are atomic; every mutation emits its effect with absolute times while the
// Tx is open.

func errUnsupportedOption(opt []byte) string { return "ERR Unsupported option " + string(opt) }

// cloner is implemented by collection values that COPY can duplicate: Clone
// returns a deep copy sharing no mutable memory with the original.
type cloner interface{ Clone() storage.Object }

// encoder is implemented by collection values that report their internal
// encoding to OBJECT ENCODING.
type encoder interface{ Encoding() string }

var objectHelp = []string{
	"OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"ENCODING <key>",
	"    Return the kind of internal representation used in order to store the value",
	"    associated with a <key>.",
	"FREQ <key>",
	"    Return the access frequency index of the <key>. The returned integer is",
	"    proportional to the logarithm of the recent access frequency of the key.",
	"IDLETIME <key>",
	"    Return the idle time of the <key>, that is the approximated number of",
	"    seconds elapsed since the last access to the key.",
	"REFCOUNT <key>",
	"    Return the number of references of the value associated with the specified",
	"    <key>.",
	"HELP",
	"    Prints this help.",
}

// keyCommands lists the generic key commands.
func keyCommands() []*Command {
	const (
		g          = "generic"
		cond       = " [NX | XX | GT | LT]"
		rw         = FlagWrite
		rwf        = FlagWrite | FlagFast
		rof        = FlagReadonly | FlagFast
		delComplex = "O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1)."
	)
	one := func(name string, arity int, flags Flag, h func(*Client, [][]byte), since, summary, syntax string) *Command {
		return &Command{Name: name, Arity: arity, Flags: flags, FirstKey: 1, LastKey: 1, Step: 1, Handler: h,
			Group: g, Since: since, Summary: summary, Complexity: "O(1)", Syntax: syntax}
	}
	objSub := func(h func(*Client, [][]byte), since, summary string) *Command {
		return &Command{Arity: 3, Flags: FlagReadonly, FirstKey: 2, LastKey: 2, Step: 1, Handler: h,
			Since: since, Summary: summary, Complexity: "O(1)", Syntax: "key"}
	}
	return []*Command{
		{Name: "del", Arity: -2, Flags: rw, FirstKey: 1, LastKey: -1, Step: 1, Handler: cmdDel,
			Group: g, Since: "1.0.0", Summary: "Delete a key", Complexity: delComplex, Syntax: "key [key ...]"},
		{Name: "unlink", Arity: -2, Flags: rwf, FirstKey: 1, LastKey: -1, Step: 1, Handler: cmdDel,
			Group: g, Since: "4.0.0", Summary: "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.",
			Complexity: "O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.",
			Syntax:     "key [key ...]"},
		{Name: "exists", Arity: -2, Flags: rof, FirstKey: 1, LastKey: -1, Step: 1, Handler: cmdExists,
			Group: g, Since: "1.0.0", Summary: "Determine if a key exists", Complexity: "O(N) where N is the number of keys to check.", Syntax: "key [key ...]"},
		{Name: "touch", Arity: -2, Flags: rof, FirstKey: 1, LastKey: -1, Step: 1, Handler: cmdTouch,
			Group: g, Since: "3.2.1", Summary: "Alters the last access time of a key(s). Returns the number of existing keys specified.",
			Complexity: "O(N) where N is the number of keys that will be touched.", Syntax: "key [key ...]"},
		one("type", 2, rof, cmdType, "1.0.0", "Determine the type stored at key", "key"),
		{Name: "keys", Arity: 2, Flags: FlagReadonly, Handler: cmdKeys, Categories: []string{"@keyspace", "@dangerous"},
			Group: g, Since: "1.0.0", Summary: "Find all keys matching the given pattern",
			Complexity: "O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.",
			Syntax:     "pattern"},
		{Name: "scan", Arity: -2, Flags: FlagReadonly, Handler: cmdScan, Categories: []string{"@keyspace"},
			Group: g, Since: "2.8.0", Summary: "Incrementally iterate the keys space",
			Complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.",
			Syntax:     "cursor [MATCH pattern] [COUNT count] [TYPE type]"},
		{Name: "randomkey", Arity: 1, Flags: FlagReadonly, Handler: cmdRandomkey, Categories: []string{"@keyspace"},
			Group: g, Since: "1.0.0", Summary: "Return a random key from the keyspace", Complexity: "O(1)"},
		{Name: "rename", Arity: 3, Flags: rw, FirstKey: 1, LastKey: 2, Step: 1, Handler: cmdRename,
			Group: g, Since: "1.0.0", Summary: "Rename a key", Complexity: "O(1)", Syntax: "key newkey"},
		{Name: "renamenx", Arity: 3, Flags: rwf, FirstKey: 1, LastKey: 2, Step: 1, Handler: cmdRenamenx,
			Group: g, Since: "1.0.0", Summary: "Rename a key, only if the new key does not exist", Complexity: "O(1)", Syntax: "key newkey"},
		{Name: "copy", Arity: -3, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 2, Step: 1, Handler: cmdCopy,
			Group: g, Since: "6.2.0", Summary: "Copy a key",
			Complexity: "O(N) worst case for collections, where N is the number of nested items. O(1) for string values.",
			Syntax:     "source destination [DB destination-db] [REPLACE]"},
		one("move", 3, rwf, cmdMove, "1.0.0", "Move a key to another database", "key db"),
		// Redis files SWAPDB under "server", which COMMAND DOCS reports.
		{Name: "swapdb", Arity: 3, Flags: rwf, Handler: cmdSwapdb, Categories: []string{"@keyspace", "@dangerous"},
			Group: "server", Since: "4.0.0", Summary: "Swaps two Redis databases",
			Complexity: "O(N) where N is the count of clients watching or blocking on keys from both databases.",
			Syntax:     "index1 index2"},
		one("expire", -3, rwf, cmdExpire, "1.0.0", "Set a key's time to live in seconds", "key seconds"+cond),
		one("pexpire", -3, rwf, cmdPexpire, "2.6.0", "Set a key's time to live in milliseconds", "key milliseconds"+cond),
		one("expireat", -3, rwf, cmdExpireat, "1.2.0", "Set the expiration for a key as a UNIX timestamp", "key unix-time-seconds"+cond),
		one("pexpireat", -3, rwf, cmdPexpireat, "2.6.0", "Set the expiration for a key as a UNIX timestamp specified in milliseconds", "key unix-time-milliseconds"+cond),
		one("ttl", 2, rof, cmdTTL, "1.0.0", "Get the time to live for a key in seconds", "key"),
		one("pttl", 2, rof, cmdPTTL, "2.6.0", "Get the time to live for a key in milliseconds", "key"),
		one("expiretime", 2, rof, cmdExpiretime, "7.0.0", "Get the expiration Unix timestamp for a key", "key"),
		one("pexpiretime", 2, rof, cmdPexpiretime, "7.0.0", "Get the expiration Unix timestamp for a key in milliseconds", "key"),
		one("persist", 2, rwf, cmdPersist, "2.2.0", "Remove the expiration from a key", "key"),
		{Name: "object", Arity: -2, Handler: cmdObjectBare,
			Group: g, Since: "2.2.3", Summary: "A container for object introspection commands", Complexity: "Depends on subcommand.",
			Subcommands: map[string]*Command{
				"encoding": objSub(cmdObjectEncoding, "2.2.3", "Inspect the internal encoding of a Redis object"),
				"freq":     objSub(cmdObjectFreq, "4.0.0", "Get the logarithmic access frequency counter of a Redis object"),
				"idletime": objSub(cmdObjectIdletime, "2.2.3", "Get the time since a Redis object was last accessed"),
				"refcount": objSub(cmdObjectRefcount, "2.2.3", "Get the number of references to the value of the key"),
				"help": {Arity: 2, Flags: FlagLoading | FlagStale, Handler: func(c *Client, _ [][]byte) { writeHelp(c, objectHelp) },
					Categories: []string{"@keyspace"},
					Since:      "6.2.0", Summary: "Show helpful text about the different subcommands", Complexity: "O(1)"},
			}},
	}
}

// cmdDel is DEL and UNLINK (memory is reclaimed by the collector either
// way); both are logged as DEL of the keys actually removed.
func cmdDel(c *Client, args [][]byte) {
	db := c.DB()
	keys := args[1:]
	tx := c.srv.store.BeginKeys(c.nowMs, db, keys)
	defer tx.End()
	var deleted [][]byte
	for _, k := range keys {
		if tx.Delete(db, k) {
			deleted = append(deleted, k)
		}
	}
	if len(deleted) > 0 && tx.Logging() {
		eff := make([][]byte, 0, len(deleted)+1)
		eff = append(eff, []byte("DEL"))
		for _, k := range deleted {
			eff = append(eff, clone(k))
		}
		tx.Emit(db, eff...)
	}
	c.w.Int(int64(len(deleted)))
}

// cmdExists counts the keys that exist, a key named twice counting twice.
// It does not mark them accessed.
func cmdExists(c *Client, args [][]byte) { c.countKeys(args[1:], false) }

// cmdTouch marks the keys accessed (even in NO-TOUCH mode) and counts those
// that exist.
func cmdTouch(c *Client, args [][]byte) { c.countKeys(args[1:], true) }

func (c *Client) countKeys(keys [][]byte, touch bool) {
	db := c.DB()
	tx := c.srv.store.BeginReadKeys(c.nowMs, db, keys)
	defer tx.End()
	n := 0
	for _, k := range keys {
		var e *storage.Entry
		if touch {
			e = tx.Get(db, k)
		} else {
			e = tx.Peek(db, k)
		}
		c.countLookup(e)
		if e != nil {
			n++
		}
	}
	c.w.Int(int64(n))
}

func cmdType(c *Client, args [][]byte) {
	db := c.DB()
	tx := c.srv.store.BeginRead(c.nowMs, db, args[1])
	defer tx.End()
	e := tx.Peek(db, args[1])
	c.countLookup(e)
	kind := storage.KindNone
	if e != nil {
		kind = e.Kind()
	}
	c.w.Simple(kind.String())
}

// hasGlobMeta reports whether a pattern contains a character that glob
// treats specially; without one it matches only itself.
func hasGlobMeta(p []byte) bool {
	for _, ch := range p {
		switch ch {
		case '*', '?', '[', '\\':
			return true
		}
	}
	return false
}

// cmdKeys replies with the live keys matching the pattern. A pattern
// without wildcards is one lookup; otherwise the shards are walked one at a
// time, each locked only while its keys are matched.
func cmdKeys(c *Client, args [][]byte) {
	db := c.DB()
	pat := args[1]
	if len(pat) > 0 && !hasGlobMeta(pat) {
		tx := c.srv.store.Begin(c.nowMs, db, pat)
		defer tx.End()
		e := tx.Peek(db, pat)
		if e == nil {
			c.w.Array(0)
			return
		}
		c.w.Array(1)
		c.w.Bulk(pat)
		return
	}
	all := len(pat) == 1 && pat[0] == '*'
	p := string(pat)
	var keys []string
	c.srv.store.Each(db, c.nowMs, func(e *storage.Entry) bool {
		if all || glob.Match(p, e.Key, false) {
			keys = append(keys, e.Key)
		}
		return true
	})
	c.w.Array(len(keys))
	for _, k := range keys {
		c.w.BulkString(k)
	}
}

// parseCursor accepts what Redis's strtoul-based parser accepts: an
// optional sign and decimal digits within 64 bits, no leading space and
// nothing after the digits. An empty string is cursor 0, and a negative
// value wraps around as in C.
func parseCursor(b []byte) (uint64, bool) {
	if len(b) == 0 {
		return 0, true
	}
	neg := false
	i := 0
	if b[0] == '+' || b[0] == '-' {
		neg = b[0] == '-'
		i = 1
	}
	if i == len(b) {
		return 0, false
	}
	var n uint64
	for ; i < len(b); i++ {
		ch := b[i]
		if ch < '0' || ch > '9' {
			return 0, false
		}
		d := uint64(ch - '0')
		if n > (math.MaxUint64-d)/10 {
			return 0, false // ERANGE
		}
		n = n*10 + d
	}
	if neg {
		n = -n
	}
	return n, true
}

func cmdScan(c *Client, args [][]byte) {
	cursor, ok := parseCursor(args[1])
	if !ok {
		c.w.Error(errBadCursor)
		return
	}
	o, ok := c.parseScanOpts(args, 2, true)
	if !ok {
		return
	}
	count, pattern, typ := o.count, o.pattern, o.typ
	usePattern := pattern != nil
	// As Redis does, keep stepping until count keys were visited (before
	// filtering), the iteration is complete, or 10*count steps were taken.
	p := string(pattern)
	var keys []string
	visited := int64(0)
	visit := func(e *storage.Entry) {
		visited++
		if typ != nil && !eq(typ, e.Kind().String()) {
			return
		}
		if usePattern && !glob.Match(p, e.Key, false) {
			return
		}
		keys = append(keys, e.Key)
	}
	db := c.DB()
	maxSteps := int64(math.MaxInt64)
	if count < math.MaxInt64/10 {
		maxSteps = 10 * count
	}
	next := cursor
	for steps := int64(1); ; steps++ {
		next = c.srv.store.Scan(db, c.nowMs, next, int(min(count-visited, math.MaxInt32)), visit)
		if next == 0 || visited >= count || steps >= maxSteps {
			break
		}
	}
	c.w.Array(2)
	c.w.BulkString(strconv.FormatUint(next, 10))
	c.w.Array(len(keys))
	for _, k := range keys {
		c.w.BulkString(k)
	}
}

func cmdRandomkey(c *Client, args [][]byte) {
	key, ok := c.srv.store.RandomKey(c.DB(), c.nowMs)
	if !ok {
		c.w.Null()
		return
	}
	c.w.BulkString(key)
}

func cmdRename(c *Client, args [][]byte)   { c.rename(args, false) }
func cmdRenamenx(c *Client, args [][]byte) { c.rename(args, true) }

// rename moves the value and deadline of key to newkey in one Tx holding
// both shards, and logs RENAME.
func (c *Client) rename(args [][]byte, nx bool) {
	db := c.DB()
	key, newkey := args[1], args[2]
	tx := c.srv.store.BeginKeys(c.nowMs, db, args[1:3])
	defer tx.End()
	e := c.lookup(&tx, db, key)
	if e == nil {
		c.w.Error(errNoSuchKey)
		return
	}
	if string(key) == string(newkey) {
		if nx {
			c.w.Int(0)
		} else {
			c.w.OK()
		}
		return
	}
	if c.lookup(&tx, db, newkey) != nil && nx {
		c.w.Int(0)
		return
	}
	str, obj, deadline := e.Str, e.Obj, e.Deadline
	tx.Delete(db, key)
	ne := tx.Put(db, clone(newkey), str, obj, deadline)
	ne.InheritAccess(e)
	ne.Raw = e.Raw
	if tx.Logging() {
		tx.Emit(db, []byte("RENAME"), clone(key), clone(newkey))
	}
	if nx {
		c.w.Int(1)
	} else {
		c.w.OK()
	}
}

// dbArg parses a database index as Redis's getIntFromObjectOrReply and
// selectDb do, writing the error when it is invalid.
func (c *Client) dbArg(b []byte) (int, bool) {
	n, ok := parseInteger(b)
	if !ok {
		c.w.Error(errNotInteger)
		return 0, false
	}
	if n < math.MinInt32 || n > math.MaxInt32 {
		c.w.Error(errIntRange)
		return 0, false
	}
	if n < 0 || n >= int64(c.srv.store.Databases()) {
		c.w.Error(errDBIndex)
		return 0, false
	}
	return int(n), true
}

// cmdCopy duplicates source into destination (in the DB option's
// database), deadline included, and logs the command in its canonical form
// COPY source destination DB n REPLACE.
func cmdCopy(c *Client, args [][]byte) {
	src := c.DB()
	dst := src
	replace := false
	for i := 3; i < len(args); i++ {
		switch {
		case eq(args[i], "replace"):
			replace = true
		case eq(args[i], "db") && i+1 < len(args):
			n, ok := c.dbArg(args[i+1])
			if !ok {
				return
			}
			dst = n
			i++
		default:
			c.w.Error(errSyntax)
			return
		}
	}
	key, newkey := args[1], args[2]
	if src == dst && string(key) == string(newkey) {
		c.w.Error(errSameObject)
		return
	}
	tx := c.srv.store.BeginMany(c.nowMs, storage.Ref{DB: src, Key: key}, storage.Ref{DB: dst, Key: newkey})
	defer tx.End()
	e := c.lookup(&tx, src, key)
	c.countLookup(e)
	if e == nil {
		c.w.Int(0)
		return
	}
	if c.lookup(&tx, dst, newkey) != nil && !replace {
		c.w.Int(0)
		return
	}
	var str []byte
	var obj storage.Object
	if e.Obj != nil {
		cl, ok := e.Obj.(cloner)
		if !ok {
			c.w.Error(errCopyUnsupport)
			return
		}
		obj = cl.Clone()
	} else {
		str = clone(e.Str)
	}
	tx.Put(dst, clone(newkey), str, obj, e.Deadline).Raw = e.Raw
	if tx.Logging() {
		tx.Emit(src, []byte("COPY"), clone(key), clone(newkey), []byte("DB"), []byte(itoa(int64(dst))), []byte("REPLACE"))
	}
	c.w.Int(1)
}

// cmdMove moves key, with its deadline, to another database unless the
// key exists there; logged as MOVE.
func cmdMove(c *Client, args [][]byte) {
	src := c.DB()
	dst, ok := c.dbArg(args[2])
	if !ok {
		return
	}
	if src == dst {
		c.w.Error(errSameObject)
		return
	}
	key := args[1]
	tx := c.srv.store.BeginMany(c.nowMs, storage.Ref{DB: src, Key: key}, storage.Ref{DB: dst, Key: key})
	defer tx.End()
	e := c.lookup(&tx, src, key)
	if e == nil || c.lookup(&tx, dst, key) != nil {
		c.w.Int(0)
		return
	}
	str, obj, deadline := e.Str, e.Obj, e.Deadline
	tx.Delete(src, key)
	ne := tx.Put(dst, clone(key), str, obj, deadline)
	ne.InheritAccess(e)
	ne.Raw = e.Raw
	if tx.Logging() {
		tx.Emit(src, []byte("MOVE"), clone(key), []byte(itoa(int64(dst))))
	}
	c.w.Int(1)
}

// cmdSwapdb swaps two databases; the store emits SWAPDB.
func cmdSwapdb(c *Client, args [][]byte) {
	parse := func(b []byte, msg string) (int64, bool) {
		n, ok := parseInteger(b)
		if !ok || n < math.MinInt32 || n > math.MaxInt32 {
			c.w.Error(msg)
			return 0, false
		}
		return n, true
	}
	a, ok := parse(args[1], errSwapFirstDB)
	if !ok {
		return
	}
	b, ok := parse(args[2], errSwapSecondDB)
	if !ok {
		return
	}
	n := int64(c.srv.store.Databases())
	if a < 0 || a >= n || b < 0 || b >= n {
		c.w.Error(errDBIndex)
		return
	}
	c.srv.store.Swap(int(a), int(b))
	c.w.OK()
}

func cmdExpire(c *Client, args [][]byte)    { c.expire(args, c.nowMs, true, "expire") }
func cmdPexpire(c *Client, args [][]byte)   { c.expire(args, c.nowMs, false, "pexpire") }
func cmdExpireat(c *Client, args [][]byte)  { c.expire(args, 0, true, "expireat") }
func cmdPexpireat(c *Client, args [][]byte) { c.expire(args, 0, false, "pexpireat") }

// expire is Redis 7.0's expireGenericCommand: options first, then the
// time, then the key. A key without a deadline counts as an infinite TTL
// for GT and LT. A time at or before now deletes the key (logged as DEL);
// otherwise the deadline is logged as PEXPIREAT with the absolute time.
func (c *Client) expire(args [][]byte, base int64, seconds bool, cmd string) {
	var nx, xx, gt, lt bool
	for _, a := range args[3:] {
		switch {
		case eq(a, "nx"):
			nx = true
		case eq(a, "xx"):
			xx = true
		case eq(a, "gt"):
			gt = true
		case eq(a, "lt"):
			lt = true
		default:
			c.w.Error(errUnsupportedOption(a))
			return
		}
	}
	if nx && (xx || gt || lt) {
		c.w.Error(errNXXXGTLT)
		return
	}
	if gt && lt {
		c.w.Error(errGTLT)
		return
	}
	when, ok := c.intArg(args[2])
	if !ok {
		return
	}
	if seconds {
		if when > math.MaxInt64/1000 || when < math.MinInt64/1000 {
			c.w.Error(errInvalidExpire(cmd))
			return
		}
		when *= 1000
	}
	if when > math.MaxInt64-base {
		c.w.Error(errInvalidExpire(cmd))
		return
	}
	when += base

	db := c.DB()
	key := args[1]
	tx := c.srv.store.Begin(c.nowMs, db, key)
	defer tx.End()
	e := c.lookupFor(&tx, db, key, storage.UseDeadline)
	if e == nil {
		c.w.Int(0)
		return
	}
	cur := e.Deadline // 0: no deadline
	switch {
	case nx && cur != 0,
		xx && cur == 0,
		gt && (cur == 0 || when <= cur),
		lt && cur != 0 && when >= cur:
		c.w.Int(0)
		return
	}
	if when <= c.nowMs {
		tx.Delete(db, key)
		if tx.Logging() {
			tx.Emit(db, []byte("DEL"), clone(key))
		}
		c.w.Int(1)
		return
	}
	tx.SetDeadline(db, e, when)
	if tx.Logging() {
		tx.Emit(db, []byte("PEXPIREAT"), clone(key), []byte(itoa(when)))
	}
	c.w.Int(1)
}

func cmdTTL(c *Client, args [][]byte)         { c.ttl(args, false, false) }
func cmdPTTL(c *Client, args [][]byte)        { c.ttl(args, true, false) }
func cmdExpiretime(c *Client, args [][]byte)  { c.ttl(args, false, true) }
func cmdPexpiretime(c *Client, args [][]byte) { c.ttl(args, true, true) }

// ttl replies -2 for a missing key, -1 for one without a deadline, else the
// remaining time (or, with abs, the deadline), in ms or rounded to seconds.
func (c *Client) ttl(args [][]byte, ms, abs bool) {
	db := c.DB()
	tx := c.srv.store.BeginRead(c.nowMs, db, args[1])
	defer tx.End()
	e := tx.Peek(db, args[1])
	c.countLookup(e)
	var deadline int64 = -2
	if e != nil {
		deadline = e.Deadline
	}
	switch {
	case deadline == -2:
		c.w.Int(-2)
		return
	case deadline == 0:
		c.w.Int(-1)
		return
	}
	t := deadline
	if !abs {
		t = max(deadline-c.nowMs, 0)
	}
	if !ms {
		t = int64((uint64(t) + 500) / 1000) // unsigned: no overflow near MaxInt64
	}
	c.w.Int(t)
}

func cmdPersist(c *Client, args [][]byte) {
	db := c.DB()
	key := args[1]
	tx := c.srv.store.Begin(c.nowMs, db, key)
	defer tx.End()
	e := c.lookupFor(&tx, db, key, storage.UseDeadline)
	if e == nil || e.Deadline == 0 {
		c.w.Int(0)
		return
	}
	tx.SetDeadline(db, e, 0)
	if tx.Logging() {
		tx.Emit(db, []byte("PERSIST"), clone(key))
	}
	c.w.Int(1)
}

// cmdObjectBare runs for "OBJECT x" when the dispatcher found no
// subcommand x; it cannot normally be reached.
func cmdObjectBare(c *Client, args [][]byte) {
	c.w.Error(errUnknownSubcommand(string(args[1]), "OBJECT"))
}

// objectLookup finds the key of an OBJECT subcommand without marking it
// accessed, replying nil when it is missing; the caller ends tx.
func (c *Client) objectLookup(tx *storage.Tx, key []byte) *storage.Entry {
	e := tx.Peek(c.DB(), key)
	c.countLookup(e)
	if e == nil {
		c.w.Null()
	}
	return e
}

// sharedIntegers is Redis's OBJ_SHARED_INTEGERS: values 0..9999 are shared
// objects, whose REFCOUNT is OBJ_SHARED_REFCOUNT.
const (
	sharedIntegers = 10000
	sharedRefcount = math.MaxInt32
)

// stringEncoding returns the encoding Redis gives a string value stored by
// SET: "int" when it reads as a 64-bit integer, "embstr" up to 44 bytes,
// else "raw".
func stringEncoding(s []byte) (enc string, n int64) {
	if len(s) <= 20 {
		if n, ok := parseInteger(s); ok {
			return "int", n
		}
	}
	if len(s) <= 44 {
		return "embstr", 0
	}
	return "raw", 0
}

func cmdObjectEncoding(c *Client, args [][]byte) {
	db := c.DB()
	tx := c.srv.store.Begin(c.nowMs, db, args[2])
	defer tx.End()
	e := c.objectLookup(&tx, args[2])
	switch {
	case e == nil:
	case e.Obj == nil:
		enc, _ := stringEncoding(e.Str)
		if e.Raw {
			enc = "raw"
		}
		c.w.BulkString(enc)
	default:
		if en, ok := e.Obj.(encoder); ok {
			c.w.BulkString(en.Encoding())
			return
		}
		c.w.BulkString(defaultEncoding(e.Obj.Kind()))
	}
}

// defaultEncoding is the encoding reported for a collection that does not
// say: Redis's encoding for a large value of that kind.
func defaultEncoding(k storage.Kind) string {
	switch k {
	case storage.KindList:
		return "quicklist"
	case storage.KindZSet:
		return "skiplist"
	}
	return "hashtable"
}

func cmdObjectFreq(c *Client, args [][]byte) {
	db := c.DB()
	tx := c.srv.store.Begin(c.nowMs, db, args[2])
	defer tx.End()
	e := c.objectLookup(&tx, args[2])
	switch {
	case e == nil:
	case !c.srv.store.Policy().LFU():
		c.w.Error(errNoLFU) // no frequencies are kept
	default:
		c.w.Int(int64(e.Freq(c.nowMs)))
	}
}

func cmdObjectIdletime(c *Client, args [][]byte) {
	db := c.DB()
	tx := c.srv.store.Begin(c.nowMs, db, args[2])
	defer tx.End()
	if e := c.objectLookup(&tx, args[2]); e != nil {
		c.w.Int(e.IdleSeconds(c.nowMs))
	}
}

func cmdObjectRefcount(c *Client, args [][]byte) {
	db := c.DB()
	tx := c.srv.store.Begin(c.nowMs, db, args[2])
	defer tx.End()
	e := c.objectLookup(&tx, args[2])
	if e == nil {
		return
	}
	if e.Obj == nil {
		if enc, n := stringEncoding(e.Str); enc == "int" && n >= 0 && n < sharedIntegers {
			c.w.Int(sharedRefcount)
			return
		}
	}
	c.w.Int(1)
}

// scanOpts are the options of SCAN and its per-type forms.
type scanOpts struct {
	count   int64  // COUNT, default 10
	pattern []byte // MATCH, nil when absent or "*"
	typ     []byte // TYPE (SCAN only)
}

// parseScanOpts reads [MATCH pattern] [COUNT n] (and [TYPE t] when
// withType) from args[from:], in any order, the last of each winning. On a
// bad option it writes Redis's error and reports false.
func (c *Client) parseScanOpts(args [][]byte, from int, withType bool) (scanOpts, bool) {
	o := scanOpts{count: 10}
	for i := from; i < len(args); i += 2 {
		if i+1 >= len(args) {
			c.w.Error(errSyntax)
			return o, false
		}
		switch a := args[i]; {
		case eq(a, "count"):
			n, ok := c.intArg(args[i+1])
			if !ok {
				return o, false
			}
			if n < 1 {
				c.w.Error(errSyntax)
				return o, false
			}
			o.count = n
		case eq(a, "match"):
			o.pattern = args[i+1]
			if len(o.pattern) == 1 && o.pattern[0] == '*' {
				o.pattern = nil
			}
		case withType && eq(a, "type"):
			o.typ = args[i+1]
		default:
			c.w.Error(errSyntax)
			return o, false
		}
	}
	return o, true
}
