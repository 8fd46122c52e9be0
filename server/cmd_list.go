package server

import (
	"strconv"

	"sessiond/storage"
)

func listCommands() []*Command {
	const (
		pushComplexity = "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments."
		popComplexity  = "O(N) where N is the number of elements returned"
		mpopComplexity = "O(N+M) where N is the number of provided keys and M is the number of elements returned."
		bpopComplexity = "O(N) where N is the number of provided keys."
	)
	row := func(name string, arity int, flags Flag, first, last int, h func(*Client, [][]byte), since, summary, complexity, syntax string) *Command {
		step := 1
		if first == 0 {
			step = 0
		}
		return &Command{Name: name, Arity: arity, Flags: flags, FirstKey: first, LastKey: last, Step: step, Handler: h,
			Group: "list", Since: since, Summary: summary, Complexity: complexity, Syntax: syntax}
	}
	const (
		w  = FlagWrite
		wd = FlagWrite | FlagDenyOOM
		ro = FlagReadonly
		f  = FlagFast
		bl = FlagNoScript | FlagBlocking
	)
	return []*Command{
		row("lpush", -3, wd|f, 1, 1, cmdLpush, "1.0.0", "Prepend one or multiple elements to a list", pushComplexity, "key element [element ...]"),
		row("rpush", -3, wd|f, 1, 1, cmdRpush, "1.0.0", "Append one or multiple elements to a list", pushComplexity, "key element [element ...]"),
		row("lpushx", -3, wd|f, 1, 1, cmdLpushx, "2.2.0", "Prepend an element to a list, only if the list exists", pushComplexity, "key element [element ...]"),
		row("rpushx", -3, wd|f, 1, 1, cmdRpushx, "2.2.0", "Append an element to a list, only if the list exists", pushComplexity, "key element [element ...]"),
		row("lpop", -2, w|f, 1, 1, cmdLpop, "1.0.0", "Remove and get the first elements in a list", popComplexity, "key [count]"),
		row("rpop", -2, w|f, 1, 1, cmdRpop, "1.0.0", "Remove and get the last elements in a list", popComplexity, "key [count]"),
		row("llen", 2, ro|f, 1, 1, cmdLlen, "1.0.0", "Get the length of a list", "O(1)", "key"),
		row("lrange", 4, ro, 1, 1, cmdLrange, "1.0.0", "Get a range of elements from a list",
			"O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.", "key start stop"),
		row("lindex", 3, ro, 1, 1, cmdLindex, "1.0.0", "Get an element from a list by its index",
			"O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).", "key index"),
		row("lset", 4, wd, 1, 1, cmdLset, "1.0.0", "Set the value of an element in a list by its index",
			"O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).", "key index element"),
		row("lrem", 4, w, 1, 1, cmdLrem, "1.0.0", "Remove elements from a list", "O(N+M) where N is the length of the list and M is the number of elements removed.", "key count element"),
		row("ltrim", 4, w, 1, 1, cmdLtrim, "1.0.0", "Trim a list to the specified range", "O(N) where N is the number of elements to be removed by the operation.", "key start stop"),
		row("linsert", 5, wd, 1, 1, cmdLinsert, "2.2.0", "Insert an element before or after another element in a list",
			"O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).",
			"key BEFORE | AFTER pivot element"),
		row("lpos", -3, ro, 1, 1, cmdLpos, "6.0.6", "Return the index of matching elements on a list",
			"O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.",
			"key element [RANK rank] [COUNT num-matches] [MAXLEN len]"),
		row("lmove", 5, wd, 1, 2, cmdLmove, "6.2.0", "Pop an element from a list, push it to another list and return it", "O(1)", "source destination LEFT | RIGHT LEFT | RIGHT"),
		row("rpoplpush", 3, wd, 1, 2, cmdRpoplpush, "1.2.0", "Remove the last element in a list, prepend it to another list and return it", "O(1)", "source destination"),
		row("lmpop", -4, w, 0, 0, cmdLmpop, "7.0.0", "Pop elements from a list", mpopComplexity, "numkeys key [key ...] LEFT | RIGHT [COUNT count]"),
		row("blpop", -3, w|bl, 1, -2, cmdBlpop, "2.0.0", "Remove and get the first element in a list, or block until one is available", bpopComplexity, "key [key ...] timeout"),
		row("brpop", -3, w|bl, 1, -2, cmdBrpop, "2.0.0", "Remove and get the last element in a list, or block until one is available", bpopComplexity, "key [key ...] timeout"),
		row("blmove", 6, wd|bl, 1, 2, cmdBlmove, "6.2.0", "Pop an element from a list, push it to another list and return it; or block until one is available", "O(1)",
			"source destination LEFT | RIGHT LEFT | RIGHT timeout"),
		row("brpoplpush", 4, wd|bl, 1, 2, cmdBrpoplpush, "2.2.0", "Pop an element from a list, push it to another list and return it; or block until one is available", "O(1)",
			"source destination timeout"),
		row("blmpop", -5, w|FlagBlocking, 0, 0, cmdBlmpop, "7.0.0", "Pop elements from a list, or block until one is available", mpopComplexity,
			"timeout numkeys key [key ...] LEFT | RIGHT [COUNT count]"),
	}
}

var (
	bLPOP      = []byte("LPOP")
	bRPOP      = []byte("RPOP")
	bLMOVE     = []byte("LMOVE")
	bRPOPLPUSH = []byte("RPOPLPUSH")
	bLEFT      = []byte("LEFT")
	bRIGHT     = []byte("RIGHT")
)

// readList looks key up for a read of a list, counting the lookup; it
// replies WRONGTYPE and reports false for another type. A missing key is
// (nil, true).
func (c *Client) readList(tx *storage.Tx, db int, key []byte) (*storage.List, bool) {
	e := c.lookup(tx, db, key)
	c.countLookup(e)
	return c.asList(e)
}

// writeList looks key up for a write of a list.
func (c *Client) writeList(tx *storage.Tx, db int, key []byte) (*storage.List, bool) {
	return c.asList(c.lookup(tx, db, key))
}

func (c *Client) asList(e *storage.Entry) (*storage.List, bool) {
	if e == nil {
		return nil, true
	}
	l, ok := e.Obj.(*storage.List)
	if !ok {
		c.w.Error(errWrongType)
		return nil, false
	}
	return l, true
}

func listOf(e *storage.Entry) *storage.List {
	if e == nil {
		return nil
	}
	l, _ := e.Obj.(*storage.List)
	return l
}

func cmdLpush(c *Client, args [][]byte)  { c.push(args, true, false, "LPUSH") }
func cmdRpush(c *Client, args [][]byte)  { c.push(args, false, false, "RPUSH") }
func cmdLpushx(c *Client, args [][]byte) { c.push(args, true, true, "LPUSHX") }
func cmdRpushx(c *Client, args [][]byte) { c.push(args, false, true, "RPUSHX") }

func (c *Client) push(args [][]byte, left, onlyExisting bool, name string) {
	db := c.DB()
	key := args[1]
	defer c.wakeBlocked()
	tx := c.srv.store.Begin(c.nowMs, db, key)
	defer tx.End()
	l, ok := c.writeList(&tx, db, key)
	if !ok {
		return
	}
	if l == nil {
		if onlyExisting {
			c.w.Int(0)
			return
		}
		l = storage.NewList()
		tx.Put(db, clone(key), nil, l, 0)
	}
	if len(args) == 3 {
		pushOne(l, left, clone(args[2]))
	} else {
		// one allocation the list may keep
		for _, v := range storage.CloneArgs(args[2:]) {
			pushOne(l, left, v)
		}
	}
	c.srv.blocked.signal(db, key)
	if tx.Logging() {
		tx.Emit(db, append([][]byte{[]byte(name)}, args[1:]...)...)
	}
	c.w.Int(int64(l.Len()))
}

func cmdLpop(c *Client, args [][]byte) { c.pop(args, true) }
func cmdRpop(c *Client, args [][]byte) { c.pop(args, false) }

// positiveArg parses a count that must be >= 0, replying msg otherwise.
func (c *Client) positiveArg(b []byte, msg string) (int64, bool) {
	n, ok := parseInteger(b)
	if !ok || n < 0 {
		c.w.Error(msg)
		return 0, false
	}
	return n, true
}

func (c *Client) pop(args [][]byte, left bool) {
	if len(args) > 3 {
		c.w.Error(errWrongArgs(c.cmdName(args)))
		return
	}
	hasCount := len(args) == 3
	var count int64
	if hasCount {
		var ok bool
		if count, ok = c.positiveArg(args[2], errMustBePositive); !ok {
			return
		}
	}
	db := c.DB()
	key := args[1]
	tx := c.srv.store.Begin(c.nowMs, db, key)
	defer tx.End()
	l, ok := c.writeList(&tx, db, key)
	switch {
	case !ok:
		return
	case l == nil && hasCount:
		c.w.NullArray()
		return
	case l == nil:
		c.w.Null()
		return
	case hasCount && count == 0:
		c.w.Array(0)
		return
	}
	if !hasCount {
		c.w.Bulk(popOne(l, left))
		c.emitPop(&tx, db, key, left, -1)
	} else {
		n := int(min(count, int64(l.Len())))
		c.w.Array(n)
		for i := 0; i < n; i++ {
			c.w.Bulk(popOne(l, left))
		}
		c.emitPop(&tx, db, key, left, n)
	}
	if l.Len() == 0 {
		tx.Delete(db, key)
	}
}

// cmdName is the command's name as the client sent it in lower case.
func (c *Client) cmdName(args [][]byte) string {
	if cmd := c.srv.table.lookup(args[0]); cmd != nil {
		return cmd.Name
	}
	return string(args[0])
}

func popOne(l *storage.List, left bool) []byte {
	if left {
		return l.PopFront()
	}
	return l.PopBack()
}

func pushOne(l *storage.List, left bool, v []byte) {
	if left {
		l.PushFront(v)
	} else {
		l.PushBack(v)
	}
}

// emitPop logs LPOP/RPOP key [n]; n < 0 means without a count.
func (c *Client) emitPop(tx *storage.Tx, db int, key []byte, left bool, n int) {
	if !tx.Logging() {
		return
	}
	name := bRPOP
	if left {
		name = bLPOP
	}
	if n < 0 {
		tx.Emit(db, name, key)
		return
	}
	tx.Emit(db, name, key, []byte(strconv.Itoa(n)))
}

func cmdLlen(c *Client, args [][]byte) {
	db := c.DB()
	tx := c.srv.store.Begin(c.nowMs, db, args[1])
	defer tx.End()
	l, ok := c.readList(&tx, db, args[1])
	switch {
	case !ok:
	case l == nil:
		c.w.Int(0)
	default:
		c.w.Int(int64(l.Len()))
	}
}

func cmdLrange(c *Client, args [][]byte) {
	start, ok := c.intArg(args[2])
	if !ok {
		return
	}
	stop, ok := c.intArg(args[3])
	if !ok {
		return
	}
	db := c.DB()
	tx := c.srv.store.Begin(c.nowMs, db, args[1])
	defer tx.End()
	l, ok := c.readList(&tx, db, args[1])
	if !ok {
		return
	}
	if l == nil {
		c.w.Array(0)
		return
	}
	from, to, nonEmpty := rankRange(start, stop, l.Len())
	if !nonEmpty {
		c.w.Array(0)
		return
	}
	c.w.Array(to - from + 1)
	for i := from; i <= to; i++ {
		c.w.Bulk(l.At(i))
	}
}

// listIndex maps a Redis index (negative from the tail) to a position, or
// -1 when out of range.
func listIndex(idx int64, n int) int {
	if idx < 0 {
		idx += int64(n)
	}
	if idx < 0 || idx >= int64(n) {
		return -1
	}
	return int(idx)
}

func cmdLindex(c *Client, args [][]byte) {
	db := c.DB()
	tx := c.srv.store.Begin(c.nowMs, db, args[1])
	defer tx.End()
	l, ok := c.readList(&tx, db, args[1])
	switch {
	case !ok:
		return
	case l == nil:
		c.w.Null()
		return
	}
	idx, ok := c.intArg(args[2])
	if !ok {
		return
	}
	if i := listIndex(idx, l.Len()); i >= 0 {
		c.w.Bulk(l.At(i))
	} else {
		c.w.Null()
	}
}

func cmdLset(c *Client, args [][]byte) {
	db := c.DB()
	tx := c.srv.store.Begin(c.nowMs, db, args[1])
	defer tx.End()
	l, ok := c.writeList(&tx, db, args[1])
	switch {
	case !ok:
		return
	case l == nil:
		c.w.Error(errNoSuchKey)
		return
	}
	idx, ok := c.intArg(args[2])
	if !ok {
		return
	}
	i := listIndex(idx, l.Len())
	if i < 0 {
		c.w.Error(errIndexRange)
		return
	}
	l.Set(i, clone(args[3]))
	if tx.Logging() {
		tx.Emit(db, []byte("LSET"), args[1], args[2], args[3])
	}
	c.w.OK()
}

func cmdLrem(c *Client, args [][]byte) {
	count, ok := c.intArg(args[2])
	if !ok {
		return
	}
	db := c.DB()
	key := args[1]
	tx := c.srv.store.Begin(c.nowMs, db, key)
	defer tx.End()
	l, ok := c.writeList(&tx, db, key)
	switch {
	case !ok:
		return
	case l == nil:
		c.w.Int(0)
		return
	}
	elem := args[3]
	// Remove matches at positions >= from, at most limit of them (0: all);
	// from the tail, from is where the -count'th match from the end sits.
	from, limit := 0, count
	if count < 0 {
		limit = -count
		seen := int64(0)
		for i := l.Len() - 1; i >= 0; i-- {
			if string(l.At(i)) == string(elem) {
				from = i
				if seen++; seen == limit {
					break
				}
			}
		}
	}
	removed := int64(0)
	l.Filter(func(i int, v []byte) bool {
		if i < from || (limit > 0 && removed == limit) || string(v) != string(elem) {
			return true
		}
		removed++
		return false
	})
	if removed > 0 {
		if tx.Logging() {
			tx.Emit(db, []byte("LREM"), key, args[2], elem)
		}
		if l.Len() == 0 {
			tx.Delete(db, key)
		}
	}
	c.w.Int(removed)
}

func cmdLtrim(c *Client, args [][]byte) {
	start, ok := c.intArg(args[2])
	if !ok {
		return
	}
	stop, ok := c.intArg(args[3])
	if !ok {
		return
	}
	db := c.DB()
	key := args[1]
	tx := c.srv.store.Begin(c.nowMs, db, key)
	defer tx.End()
	l, ok := c.writeList(&tx, db, key)
	switch {
	case !ok:
		return
	case l == nil:
		c.w.OK()
		return
	}
	n := l.Len()
	from, to, nonEmpty := rankRange(start, stop, n)
	if !nonEmpty {
		tx.Delete(db, key)
	} else {
		l.Trim(from, to)
	}
	if l.Len() != n && tx.Logging() {
		tx.Emit(db, []byte("LTRIM"), key, args[2], args[3])
	}
	c.w.OK()
}

func cmdLinsert(c *Client, args [][]byte) {
	var after bool
	switch {
	case eq(args[2], "after"):
		after = true
	case eq(args[2], "before"):
	default:
		c.w.Error(errSyntax)
		return
	}
	db := c.DB()
	key := args[1]
	defer c.wakeBlocked()
	tx := c.srv.store.Begin(c.nowMs, db, key)
	defer tx.End()
	l, ok := c.writeList(&tx, db, key)
	switch {
	case !ok:
		return
	case l == nil:
		c.w.Int(0)
		return
	}
	pivot := args[3]
	for i := 0; i < l.Len(); i++ {
		if string(l.At(i)) != string(pivot) {
			continue
		}
		if after {
			i++
		}
		l.Insert(i, clone(args[4]))
		c.srv.blocked.signal(db, key)
		if tx.Logging() {
			where := []byte("BEFORE")
			if after {
				where = []byte("AFTER")
			}
			tx.Emit(db, []byte("LINSERT"), key, where, pivot, args[4])
		}
		c.w.Int(int64(l.Len()))
		return
	}
	c.w.Int(-1)
}

func cmdLpos(c *Client, args [][]byte) {
	rank, count, maxlen := int64(1), int64(-1), int64(0)
	for j := 3; j < len(args); j++ {
		more := j+1 < len(args)
		switch {
		case eq(args[j], "rank") && more:
			j++
			r, ok := c.intArg(args[j])
			if !ok {
				return
			}
			if r == 0 {
				c.w.Error(errRankZero)
				return
			}
			rank = r
		case eq(args[j], "count") && more:
			j++
			n, ok := c.positiveArg(args[j], errCountNegative)
			if !ok {
				return
			}
			count = n
		case eq(args[j], "maxlen") && more:
			j++
			n, ok := c.positiveArg(args[j], errMaxlenNegative)
			if !ok {
				return
			}
			maxlen = n
		default:
			c.w.Error(errSyntax)
			return
		}
	}
	fromTail := false
	if rank < 0 {
		rank = -rank // LLONG_MIN stays negative, as in Redis
		fromTail = true
	}
	db := c.DB()
	tx := c.srv.store.Begin(c.nowMs, db, args[1])
	defer tx.End()
	l, ok := c.readList(&tx, db, args[1])
	switch {
	case !ok:
		return
	case l == nil && count != -1:
		c.w.Array(0)
		return
	case l == nil:
		c.w.Null()
		return
	}
	elem := args[2]
	n := l.Len()
	var found []int64
	var matches int64
	match := int64(-1)
	for index := int64(0); index < int64(n) && (maxlen == 0 || index < maxlen); index++ {
		pos := index
		if fromTail {
			pos = int64(n) - index - 1
		}
		if string(l.At(int(pos))) != string(elem) {
			continue
		}
		matches++
		if matches >= rank {
			if count == -1 {
				match = pos
				break
			}
			found = append(found, pos)
			if count != 0 && matches-rank+1 >= count {
				break
			}
		}
	}
	if count != -1 {
		c.w.Array(len(found))
		for _, p := range found {
			c.w.Int(p)
		}
		return
	}
	if match >= 0 {
		c.w.Int(match)
	} else {
		c.w.Null()
	}
}

// whereArg parses LEFT or RIGHT.
func whereArg(b []byte) (left, ok bool) {
	switch {
	case eq(b, "left"):
		return true, true
	case eq(b, "right"):
		return false, true
	}
	return false, false
}

func whereName(left bool) []byte {
	if left {
		return bLEFT
	}
	return bRIGHT
}

func cmdLmove(c *Client, args [][]byte) {
	from, ok1 := whereArg(args[3])
	to, ok2 := whereArg(args[4])
	if !ok1 || !ok2 {
		c.w.Error(errSyntax)
		return
	}
	c.lmove(args[1], args[2], from, to, false)
}

func cmdRpoplpush(c *Client, args [][]byte) { c.lmove(args[1], args[2], false, true, true) }

func (c *Client) lmove(src, dst []byte, from, to, rpoplpush bool) {
	db := c.DB()
	defer c.wakeBlocked()
	tx := c.srv.store.BeginKeys(c.nowMs, db, [][]byte{src, dst})
	defer tx.End()
	l, ok := c.writeList(&tx, db, src)
	switch {
	case !ok:
	case l == nil:
		c.w.Null()
	default:
		moveOne(c, &tx, db, l, src, dst, from, to, rpoplpush, c.srv.blocked.signal)
	}
}

// moveOne moves one element of the non-empty list l at src to dst, replying
// with it, or replies WRONGTYPE when dst holds another type. signal
// announces the push to dst.
func moveOne(c *Client, tx *storage.Tx, db int, l *storage.List, src, dst []byte, from, to, rpoplpush bool, signal func(int, []byte)) {
	de := tx.Get(db, dst)
	dl := listOf(de)
	if de != nil && dl == nil {
		c.w.Error(errWrongType)
		return
	}
	v := popOne(l, from)
	if dl == nil {
		dl = storage.NewList()
		tx.Put(db, clone(dst), nil, dl, 0)
	}
	pushOne(dl, to, v)
	signal(db, dst)
	if tx.Logging() {
		if rpoplpush {
			tx.Emit(db, bRPOPLPUSH, src, dst)
		} else {
			tx.Emit(db, bLMOVE, src, dst, whereName(from), whereName(to))
		}
	}
	if l.Len() == 0 {
		tx.Delete(db, src)
	}
	c.w.Bulk(v)
}

// mpopArgs are LMPOP's and BLMPOP's parsed arguments.
type mpopArgs struct {
	keys  [][]byte
	left  bool
	count int64
}

// parseMpop parses numkeys key... LEFT|RIGHT [COUNT count] from args[at].
func (c *Client) parseMpop(args [][]byte, at int) (mpopArgs, bool) {
	var m mpopArgs
	numkeys, ok := parseInteger(args[at])
	if !ok || numkeys < 1 {
		c.w.Error(errNumkeysPositive)
		return m, false
	}
	whereAt := int64(at) + numkeys + 1
	if whereAt >= int64(len(args)) {
		c.w.Error(errSyntax)
		return m, false
	}
	m.keys = args[at+1 : whereAt]
	if m.left, ok = whereArg(args[whereAt]); !ok {
		c.w.Error(errSyntax)
		return m, false
	}
	m.count = -1
	for j := int(whereAt) + 1; j < len(args); j++ {
		if m.count == -1 && eq(args[j], "count") && j+1 < len(args) {
			j++
			n, ok := parseInteger(args[j])
			if !ok || n < 1 {
				c.w.Error(errCountPositive)
				return m, false
			}
			m.count = n
			continue
		}
		c.w.Error(errSyntax)
		return m, false
	}
	if m.count == -1 {
		m.count = 1
	}
	return m, true
}

func cmdLmpop(c *Client, args [][]byte) {
	m, ok := c.parseMpop(args, 1)
	if !ok {
		return
	}
	db := c.DB()
	tx := c.srv.store.BeginKeys(c.nowMs, db, m.keys)
	defer tx.End()
	if !c.mpopFirst(&tx, db, m) {
		c.w.NullArray()
	}
}

// mpopFirst pops from the first non-empty list among m.keys (LMPOP and
// BLMPOP's first try). It reports whether a reply was written: the pop, or
// WRONGTYPE for a key that is not a list.
func (c *Client) mpopFirst(tx *storage.Tx, db int, m mpopArgs) bool {
	for _, key := range m.keys {
		l, ok := c.writeList(tx, db, key)
		if !ok {
			return true
		}
		if l != nil {
			mpopFrom(c, tx, db, l, key, m.left, m.count)
			return true
		}
	}
	return false
}

// mpopFrom pops up to count elements of the non-empty list l at key and
// replies [key, [elements]].
func mpopFrom(c *Client, tx *storage.Tx, db int, l *storage.List, key []byte, left bool, count int64) {
	n := int(min(count, int64(l.Len())))
	c.w.Array(2)
	c.w.Bulk(key)
	c.w.Array(n)
	for i := 0; i < n; i++ {
		c.w.Bulk(popOne(l, left))
	}
	c.emitPop(tx, db, key, left, n)
	if l.Len() == 0 {
		tx.Delete(db, key)
	}
}

// The blocking commands. Each first tries to serve at once, exactly like
// its non-blocking form; otherwise it parks (blocking.go) with a try that
// serves it from whichever key becomes ready.

func cmdBlpop(c *Client, args [][]byte) { c.bpop(args, true) }
func cmdBrpop(c *Client, args [][]byte) { c.bpop(args, false) }

func (c *Client) bpop(args [][]byte, left bool) {
	deadline, ok := c.timeoutArg(args[len(args)-1])
	if !ok {
		return
	}
	keys := args[1 : len(args)-1]
	db := c.DB()
	tx := c.srv.store.BeginKeys(c.nowMs, db, keys)
	defer tx.End()
	for _, key := range keys {
		l, ok := c.writeList(&tx, db, key)
		if !ok {
			return
		}
		if l != nil {
			popReplyWithKey(c, &tx, db, l, key, left)
			return
		}
	}
	w := c.newWaiter(db, keys, nil, func(tx *storage.Tx, k blockKey) bool {
		key := []byte(k.key)
		l := listOf(tx.Get(k.db, key))
		if l == nil {
			return false
		}
		popReplyWithKey(c, tx, k.db, l, key, left)
		return true
	})
	c.block(&tx, w, deadline, c.w.NullArray)
}

// popReplyWithKey pops one element of the non-empty list l and replies
// [key, element], as BLPOP and BRPOP do.
func popReplyWithKey(c *Client, tx *storage.Tx, db int, l *storage.List, key []byte, left bool) {
	v := popOne(l, left)
	c.w.Array(2)
	c.w.Bulk(key)
	c.w.Bulk(v)
	c.emitPop(tx, db, key, left, -1)
	if l.Len() == 0 {
		tx.Delete(db, key)
	}
}

func cmdBlmove(c *Client, args [][]byte) {
	from, ok1 := whereArg(args[3])
	to, ok2 := whereArg(args[4])
	if !ok1 || !ok2 {
		c.w.Error(errSyntax)
		return
	}
	c.blmove(args[1], args[2], from, to, false, args[5])
}

func cmdBrpoplpush(c *Client, args [][]byte) { c.blmove(args[1], args[2], false, true, true, args[3]) }

func (c *Client) blmove(src, dst []byte, from, to, rpoplpush bool, timeout []byte) {
	deadline, ok := c.timeoutArg(timeout)
	if !ok {
		return
	}
	db := c.DB()
	defer c.wakeBlocked()
	tx := c.srv.store.BeginKeys(c.nowMs, db, [][]byte{src, dst})
	defer tx.End()
	l, ok := c.writeList(&tx, db, src)
	if !ok {
		return
	}
	if l != nil {
		moveOne(c, &tx, db, l, src, dst, from, to, rpoplpush, c.srv.blocked.signal)
		return
	}
	dstKey := clone(dst)
	b := &c.srv.blocked
	w := c.newWaiter(db, [][]byte{src}, dstKey, func(tx *storage.Tx, k blockKey) bool {
		key := []byte(k.key)
		l := listOf(tx.Get(k.db, key))
		if l == nil {
			return false
		}
		moveOne(c, tx, k.db, l, key, dstKey, from, to, rpoplpush, func(db int, key []byte) {
			b.markReadyLocked(blockKey{db, string(key)})
		})
		return true
	})
	c.block(&tx, w, deadline, c.w.NullArray)
}

func cmdBlmpop(c *Client, args [][]byte) {
	m, ok := c.parseMpop(args, 2)
	if !ok {
		return
	}
	deadline, ok := c.timeoutArg(args[1])
	if !ok {
		return
	}
	db := c.DB()
	tx := c.srv.store.BeginKeys(c.nowMs, db, m.keys)
	defer tx.End()
	if c.mpopFirst(&tx, db, m) {
		return
	}
	w := c.newWaiter(db, m.keys, nil, func(tx *storage.Tx, k blockKey) bool {
		key := []byte(k.key)
		l := listOf(tx.Get(k.db, key))
		if l == nil {
			return false
		}
		mpopFrom(c, tx, k.db, l, key, m.left, m.count)
		return true
	})
	c.block(&tx, w, deadline, c.w.NullArray)
}
