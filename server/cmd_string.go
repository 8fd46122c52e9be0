package server

import (
	"sessiond/storage"
)

func stringCommands() []*Command {
	return []*Command{
		{Name: "get", Arity: 2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Handler: cmdGet,
			Group: "string", Since: "1.0.0", Summary: "Returns the string value of a key.", Complexity: "O(1)", Syntax: "key"},
		{Name: "set", Arity: -3, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1, Handler: cmdSet,
			Group: "string", Since: "1.0.0", Summary: "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.",
			Complexity: "O(1)", Syntax: "key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]"},
	}
}

// clone copies an argument, which aliases the connection's read buffer, into
// memory the store may keep.
func clone(b []byte) []byte {
	out := make([]byte, len(b))
	copy(out, b)
	return out
}

func cmdGet(c *Client, args [][]byte) {
	db := c.DB()
	tx := c.srv.store.Begin(c.nowMs, db, args[1])
	e := tx.Get(db, args[1])
	switch {
	case e == nil:
		c.srv.stats.keyspaceMiss.Add(1)
		c.w.Null()
	case e.Obj != nil:
		c.w.Error(errWrongType)
	default:
		c.srv.stats.keyspaceHits.Add(1)
		c.w.Bulk(e.Str)
	}
	tx.End()
}

// expireOpt is a parsed EX/PX/EXAT/PXAT/KEEPTTL/PERSIST option.
type expireOpt struct {
	deadline int64 // absolute unix ms, 0 = none
	keepTTL  bool
	persist  bool
	set      bool // an expire option was given
}

// parseExpireArg turns the value of EX/PX/EXAT/PXAT into an absolute
// deadline, writing Redis's error and returning false when invalid.
func (c *Client) parseExpireArg(unit string, v []byte, cmd string) (int64, bool) {
	n, ok := parseInteger(v)
	if !ok {
		c.w.Error(errNotInteger)
		return 0, false
	}
	if n <= 0 {
		c.w.Error(errInvalidExpire(cmd))
		return 0, false
	}
	var ms int64
	switch unit {
	case "ex":
		if n > (1<<63-1)/1000-c.nowMs {
			c.w.Error(errInvalidExpire(cmd))
			return 0, false
		}
		ms = c.nowMs + n*1000
	case "px":
		if n > 1<<63-1-c.nowMs {
			c.w.Error(errInvalidExpire(cmd))
			return 0, false
		}
		ms = c.nowMs + n
	case "exat":
		if n > (1<<63-1)/1000 {
			c.w.Error(errInvalidExpire(cmd))
			return 0, false
		}
		ms = n * 1000
	case "pxat":
		ms = n
	}
	return ms, true
}

func cmdSet(c *Client, args [][]byte) {
	var nx, xx, get bool
	var exp expireOpt
	for i := 3; i < len(args); i++ {
		a := args[i]
		more := i+1 < len(args)
		switch {
		case eq(a, "nx") && !xx:
			nx = true
		case eq(a, "xx") && !nx:
			xx = true
		case eq(a, "get"):
			get = true
		case eq(a, "keepttl") && !exp.set:
			exp.keepTTL, exp.set = true, true
		case (eq(a, "ex") || eq(a, "px") || eq(a, "exat") || eq(a, "pxat")) && !exp.set && more:
			exp.set = true
			i++
			// the value is validated after the whole syntax, as Redis does
		default:
			c.w.Error(errSyntax)
			return
		}
	}
	if exp.set && !exp.keepTTL {
		for i := 3; i < len(args)-1; i++ {
			if a := args[i]; eq(a, "ex") || eq(a, "px") || eq(a, "exat") || eq(a, "pxat") {
				d, ok := c.parseExpireArg(string(lowerASCII(a)), args[i+1], "set")
				if !ok {
					return
				}
				exp.deadline = d
				break
			}
		}
	}
	db := c.DB()
	key := args[1]
	tx := c.srv.store.Begin(c.nowMs, db, key)
	defer tx.End()
	old := tx.Get(db, key)
	if get && old != nil && old.Obj != nil {
		c.w.Error(errWrongType)
		return
	}
	if nx && old != nil || xx && old == nil {
		if get {
			c.writeOldValue(old)
		} else {
			c.w.Null()
		}
		return
	}
	if get {
		c.writeOldValue(old) // before the entry is overwritten in place
	}
	deadline := exp.deadline
	if exp.keepTTL && old != nil {
		deadline = old.Deadline
	}
	if deadline != 0 && deadline <= c.nowMs {
		// an absolute time in the past: the key is deleted, as Redis does
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
	tx.Put(db, key, clone(args[2]), nil, deadline)
	if tx.Logging() {
		c.emitSet(&tx, db, key, args[2], deadline)
	}
	if !get {
		c.w.OK()
	}
}

// emitSet logs SET key value [PXAT deadline].
func (c *Client) emitSet(tx *storage.Tx, db int, key, val []byte, deadline int64) {
	if deadline != 0 {
		tx.Emit(db, []byte("SET"), clone(key), clone(val), []byte("PXAT"), []byte(itoa(deadline)))
		return
	}
	tx.Emit(db, []byte("SET"), clone(key), clone(val))
}

func (c *Client) writeOldValue(e *storage.Entry) {
	if e == nil {
		c.w.Null()
		return
	}
	c.w.Bulk(e.Str)
}

func lowerASCII(b []byte) []byte {
	out := make([]byte, len(b))
	for i, ch := range b {
		if ch >= 'A' && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		out[i] = ch
	}
	return out
}
