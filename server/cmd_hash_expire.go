package server

import (
	"strconv"

	"sessiond/storage"
)

// Hash-field expiry: Redis 7.4's HEXPIRE family and Redis 8's HGETEX,
// HSETEX and HGETDEL. Deadlines are absolute unix ms kept per field by
// storage.Hash; the shard timer of the key fires at the earliest of them
// (Tx.ArmFieldTimer), and every command removes due fields before it reads
// (hashLookup), so an expired field is never seen.

// maxFieldDeadline is the latest field deadline Redis accepts
// (EB_EXPIRE_TIME_MAX, 2^48-1 ms).
const maxFieldDeadline = 1<<48 - 1

// Per-field reply codes of the HEXPIRE family.
const (
	fieldMissing  = -2
	fieldNoTTL    = -1
	fieldNotMet   = 0
	fieldSet      = 1
	fieldDeleted  = 2
	fieldRemoved  = 1 // HPERSIST
	condNone      = 0
	condNX        = 1
	condXX        = 2
	condGT        = 3
	condLT        = 4
	fieldsKeyword = "fields"
)

// parseFields reads "FIELDS numfields field..." starting at args[at], with
// per fields arguments for each field (2 for HSETEX's field value pairs).
func (c *Client) parseFields(args [][]byte, at, per int) ([][]byte, bool) {
	if at >= len(args) || !eq(args[at], fieldsKeyword) {
		c.w.Error(errFieldsMissing)
		return nil, false
	}
	if at+1 >= len(args) {
		c.w.Error(errNumFields)
		return nil, false
	}
	n, ok := parseInteger(args[at+1])
	if !ok || n < 1 {
		c.w.Error(errNumFields)
		return nil, false
	}
	rest := args[at+2:]
	if n > int64(len(rest)) || int(n)*per != len(rest) {
		c.w.Error(errNumFieldsMatch)
		return nil, false
	}
	return rest, true
}

func cmdHexpire(c *Client, args [][]byte)    { c.hexpire(args, c.nowMs, 1000, "hexpire") }
func cmdHpexpire(c *Client, args [][]byte)   { c.hexpire(args, c.nowMs, 1, "hpexpire") }
func cmdHexpireat(c *Client, args [][]byte)  { c.hexpire(args, 0, 1000, "hexpireat") }
func cmdHpexpireat(c *Client, args [][]byte) { c.hexpire(args, 0, 1, "hpexpireat") }

// fieldTime turns a time argument into an absolute deadline as Redis 7.4's
// hexpireGenericCommand does.
func (c *Client) fieldTime(arg []byte, base, unit int64, cmd string) (int64, bool) {
	t, ok := c.intArg(arg)
	if !ok {
		return 0, false
	}
	if t < 0 {
		c.w.Error(errExpireNegative)
		return 0, false
	}
	if unit == 1000 {
		if t > maxFieldDeadline/1000 {
			c.w.Error(errInvalidExpire(cmd))
			return 0, false
		}
		t *= 1000
	}
	if t > maxFieldDeadline-base {
		c.w.Error(errInvalidExpire(cmd))
		return 0, false
	}
	return t + base, true
}

func (c *Client) hexpire(args [][]byte, base, unit int64, cmd string) {
	db := c.DB()
	key := args[1]
	tx := c.srv.store.Begin(c.nowMs, db, key)
	defer tx.End()
	e, h, ok := c.hashLookup(&tx, db, key, false)
	if !ok {
		return
	}
	deadline, ok := c.fieldTime(args[2], base, unit, cmd)
	if !ok {
		return
	}
	cond, at := condNone, 3
	switch a := args[3]; {
	case eq(a, "nx"):
		cond = condNX
	case eq(a, "xx"):
		cond = condXX
	case eq(a, "gt"):
		cond = condGT
	case eq(a, "lt"):
		cond = condLT
	}
	if cond != condNone {
		at++
	}
	fields, ok := c.parseFields(args, at, 1)
	if !ok {
		return
	}
	c.w.Array(len(fields))
	if e == nil {
		for range fields {
			c.w.Int(fieldMissing)
		}
		return
	}
	var set, deleted [][]byte // for the effects only
	logging := tx.Logging()
	for _, f := range fields {
		if !h.Has(f) {
			c.w.Int(fieldMissing)
			continue
		}
		prev := h.FieldDeadline(f)
		if prev == 0 {
			// no deadline counts as infinite: LT passes, XX and GT fail
			if cond == condXX || cond == condGT {
				c.w.Int(fieldNotMet)
				continue
			}
		} else if cond == condNX || cond == condGT && prev >= deadline || cond == condLT && prev <= deadline {
			c.w.Int(fieldNotMet)
			continue
		}
		if deadline <= c.nowMs {
			h.Delete(f)
			if logging {
				deleted = append(deleted, f)
			}
			c.w.Int(fieldDeleted)
			continue
		}
		h.SetFieldDeadline(f, deadline)
		if logging {
			set = append(set, f)
		}
		c.w.Int(fieldSet)
	}
	tx.ArmFieldTimer(db, e)
	hashDeleteIfEmpty(&tx, db, key, h)
	if logging {
		emitFieldDeadline(&tx, db, key, deadline, set)
		emitHdel(&tx, db, key, deleted)
	}
}

// emitFieldDeadline emits HPEXPIREAT key deadline FIELDS n fields, or
// HPERSIST key FIELDS n fields for deadline 0; nothing for no fields.
func emitFieldDeadline(tx *storage.Tx, db int, key []byte, deadline int64, fields [][]byte) {
	if len(fields) == 0 {
		return
	}
	n := strconv.AppendInt(nil, int64(len(fields)), 10)
	out := [][]byte{[]byte("HPERSIST"), key, []byte("FIELDS"), n}
	if deadline != 0 {
		out = [][]byte{[]byte("HPEXPIREAT"), key, strconv.AppendInt(nil, deadline, 10), []byte("FIELDS"), n}
	}
	emitArgs(tx, db, append(out, fields...)...)
}

func emitHdel(tx *storage.Tx, db int, key []byte, fields [][]byte) {
	if len(fields) == 0 {
		return
	}
	emitArgs(tx, db, append([][]byte{[]byte("HDEL"), key}, fields...)...)
}

func cmdHttl(c *Client, args [][]byte)         { c.httl(args, true, 1000) }
func cmdHpttl(c *Client, args [][]byte)        { c.httl(args, true, 1) }
func cmdHexpiretime(c *Client, args [][]byte)  { c.httl(args, false, 1000) }
func cmdHpexpiretime(c *Client, args [][]byte) { c.httl(args, false, 1) }

func (c *Client) httl(args [][]byte, relative bool, unit int64) {
	tx, h, ok := c.hashRead(args[1])
	defer tx.End()
	if !ok {
		return
	}
	fields, ok := c.parseFields(args, 2, 1)
	if !ok {
		return
	}
	var base int64
	if relative {
		base = c.nowMs
	}
	c.w.Array(len(fields))
	for _, f := range fields {
		switch {
		case h == nil || !h.Has(f):
			c.w.Int(fieldMissing)
		case h.FieldDeadline(f) == 0:
			c.w.Int(fieldNoTTL)
		default:
			c.w.Int((h.FieldDeadline(f) - base + unit - 1) / unit)
		}
	}
}

func cmdHpersist(c *Client, args [][]byte) {
	db := c.DB()
	key := args[1]
	tx := c.srv.store.Begin(c.nowMs, db, key)
	defer tx.End()
	_, h, ok := c.hashLookup(&tx, db, key, false)
	if !ok {
		return
	}
	fields, ok := c.parseFields(args, 2, 1)
	if !ok {
		return
	}
	c.w.Array(len(fields))
	var persisted [][]byte // for the effect only
	logging := tx.Logging()
	for _, f := range fields {
		switch {
		case h == nil || !h.Has(f):
			c.w.Int(fieldMissing)
		case h.FieldDeadline(f) == 0:
			c.w.Int(fieldNoTTL)
		default:
			h.SetFieldDeadline(f, 0)
			if logging {
				persisted = append(persisted, f)
			}
			c.w.Int(fieldRemoved)
		}
	}
	emitFieldDeadline(&tx, db, key, 0, persisted)
}

func cmdHgetdel(c *Client, args [][]byte) {
	db := c.DB()
	key := args[1]
	tx := c.srv.store.Begin(c.nowMs, db, key)
	defer tx.End()
	e, h, ok := c.hashLookup(&tx, db, key, true)
	if !ok {
		return
	}
	fields, ok := c.parseFields(args, 2, 1)
	if !ok {
		return
	}
	c.w.Array(len(fields))
	var deleted [][]byte // for the effect only
	logging := tx.Logging()
	for _, f := range fields {
		if h == nil {
			c.w.Null()
			continue
		}
		v, found := h.Get(f)
		if !found {
			c.w.Null()
			continue
		}
		c.w.Bulk(v) // written before the delete reuses its bytes
		h.Delete(f)
		if logging {
			deleted = append(deleted, f)
		}
	}
	if e == nil {
		return
	}
	hashDeleteIfEmpty(&tx, db, key, h)
	if logging {
		emitHdel(&tx, db, key, deleted)
	}
}

// fieldExpireOpt is the parsed expiry option of HGETEX or HSETEX.
type fieldExpireOpt struct {
	set      bool  // EX, PX, EXAT or PXAT given
	deadline int64 // absolute unix ms when set
	persist  bool  // HGETEX PERSIST
	keepTTL  bool  // HSETEX KEEPTTL
}

// parseFieldExpire reads HGETEX's / HSETEX's options from args[at] up to
// FIELDS, returning the index of FIELDS. fnx and fxx are HSETEX's
// conditions; forSet allows them and KEEPTTL, else PERSIST is allowed.
func (c *Client) parseFieldExpire(args [][]byte, at int, forSet bool, cmd string) (o fieldExpireOpt, cond int, next int, ok bool) {
	seen := false
	for ; at < len(args) && !eq(args[at], fieldsKeyword); at++ {
		a := args[at]
		switch {
		case forSet && (eq(a, "fnx") || eq(a, "fxx")):
			if cond != condNone {
				c.w.Error(errSyntax)
				return o, 0, 0, false
			}
			cond = condNX
			if eq(a, "fxx") {
				cond = condXX
			}
			continue
		case !forSet && eq(a, "persist"), forSet && eq(a, "keepttl"):
			if seen {
				c.w.Error(errSyntax)
				return o, 0, 0, false
			}
			seen = true
			o.persist, o.keepTTL = !forSet, forSet
			continue
		}
		var base, unit int64
		switch {
		case eq(a, "ex"):
			base, unit = c.nowMs, 1000
		case eq(a, "px"):
			base, unit = c.nowMs, 1
		case eq(a, "exat"):
			unit = 1000
		case eq(a, "pxat"):
			unit = 1
		default:
			c.w.Error(errSyntax)
			return o, 0, 0, false
		}
		if seen || at+1 >= len(args) {
			c.w.Error(errSyntax)
			return o, 0, 0, false
		}
		seen = true
		t, isInt := parseInteger(args[at+1])
		if !isInt {
			c.w.Error(errNotInteger)
			return o, 0, 0, false
		}
		if t < 0 || unit == 1000 && t > maxFieldDeadline/1000 || t*unit > maxFieldDeadline-base {
			c.w.Error(errInvalidExpire(cmd))
			return o, 0, 0, false
		}
		o.set, o.deadline = true, t*unit+base
		at++
	}
	return o, cond, at, true
}

func cmdHgetex(c *Client, args [][]byte) {
	db := c.DB()
	key := args[1]
	tx := c.srv.store.Begin(c.nowMs, db, key)
	defer tx.End()
	e, h, ok := c.hashLookup(&tx, db, key, true)
	if !ok {
		return
	}
	o, _, at, ok := c.parseFieldExpire(args, 2, false, "hgetex")
	if !ok {
		return
	}
	fields, ok := c.parseFields(args, at, 1)
	if !ok {
		return
	}
	c.w.Array(len(fields))
	var changed [][]byte // for the effects only
	logging, n := tx.Logging(), 0
	for _, f := range fields {
		if h == nil {
			c.w.Null()
			continue
		}
		v, found := h.Get(f)
		if !found {
			c.w.Null()
			continue
		}
		c.w.Bulk(v)
		switch {
		case o.set && o.deadline <= c.nowMs:
			h.Delete(f)
		case o.set:
			h.SetFieldDeadline(f, o.deadline)
		case o.persist && h.FieldDeadline(f) != 0:
			h.SetFieldDeadline(f, 0)
		default:
			continue
		}
		n++
		if logging {
			changed = append(changed, f)
		}
	}
	if e == nil || n == 0 {
		return
	}
	tx.ArmFieldTimer(db, e)
	hashDeleteIfEmpty(&tx, db, key, h)
	if !logging {
		return
	}
	switch {
	case o.set && o.deadline <= c.nowMs:
		emitHdel(&tx, db, key, changed)
	case o.set:
		emitFieldDeadline(&tx, db, key, o.deadline, changed)
	default:
		emitFieldDeadline(&tx, db, key, 0, changed)
	}
}

func cmdHsetex(c *Client, args [][]byte) {
	db := c.DB()
	key := args[1]
	tx := c.srv.store.Begin(c.nowMs, db, key)
	tx.Group() // HSET, then HPEXPIREAT
	defer tx.End()
	e, h, ok := c.hashLookup(&tx, db, key, false)
	if !ok {
		return
	}
	o, cond, at, ok := c.parseFieldExpire(args, 2, true, "hsetex")
	if !ok {
		return
	}
	pairs, ok := c.parseFields(args, at, 2)
	if !ok {
		return
	}
	if cond != condNone {
		for i := 0; i < len(pairs); i += 2 {
			exists := h != nil && h.Has(pairs[i])
			if cond == condNX && exists || cond == condXX && !exists {
				c.w.Int(0)
				return
			}
		}
	}
	if e == nil {
		e, h = hashCreate(&tx, db, key)
	}
	maxEntries, maxValue := c.hashLimits()
	h.SetPairs(pairs, o.keepTTL, maxEntries, maxValue)
	past := o.set && o.deadline <= c.nowMs
	for i := 0; i < len(pairs); i += 2 {
		switch {
		case past:
			h.Delete(pairs[i])
		case o.set:
			h.SetFieldDeadline(pairs[i], o.deadline)
		}
	}
	tx.ArmFieldTimer(db, e)
	hashDeleteIfEmpty(&tx, db, key, h)
	if tx.Logging() {
		fields := make([][]byte, 0, len(pairs)/2)
		for i := 0; i < len(pairs); i += 2 {
			fields = append(fields, pairs[i])
		}
		emitArgs(&tx, db, append([][]byte{[]byte("HSET"), key}, pairs...)...)
		switch {
		case past:
			emitHdel(&tx, db, key, fields)
		case o.set:
			emitFieldDeadline(&tx, db, key, o.deadline, fields)
		case o.keepTTL:
			// HSET dropped the deadlines the fields kept: restore them
			for _, f := range fields {
				if d := h.FieldDeadline(f); d != 0 {
					emitFieldDeadline(&tx, db, key, d, [][]byte{f})
				}
			}
		}
	}
	c.w.Int(1)
}
