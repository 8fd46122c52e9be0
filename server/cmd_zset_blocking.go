package server

import "sessiond/storage"

// BZPOPMIN and BZPOPMAX, on the blocking facility of blocking.go. Writers of
// sorted sets wake them through the wrappers in wrapKeyspaceWakers.

func zsetBlockingCommands() []*Command {
	const cx = "O(log(N)) with N being the number of elements in the sorted set."
	row := func(name string, h func(*Client, [][]byte), summary string) *Command {
		return &Command{Name: name, Arity: -3, Flags: FlagWrite | FlagNoScript | FlagBlocking | FlagFast, FirstKey: 1, LastKey: -2, Step: 1,
			Handler: h, Group: "sorted-set", Since: "5.0.0", Summary: summary, Complexity: cx, Syntax: "key [key ...] timeout"}
	}
	return []*Command{
		row("bzpopmin", cmdBzpopmin, "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available"),
		row("bzpopmax", cmdBzpopmax, "Remove and return the member with the highest score from one or more sorted sets, or block until one is available"),
	}
}

func cmdBzpopmin(c *Client, args [][]byte) { c.bzpop(args, false) }
func cmdBzpopmax(c *Client, args [][]byte) { c.bzpop(args, true) }

func (c *Client) bzpop(args [][]byte, fromMax bool) {
	deadline, ok := c.timeoutArg(args[len(args)-1])
	if !ok {
		return
	}
	keys := args[1 : len(args)-1]
	db := c.DB()
	tx := c.srv.store.BeginKeys(c.nowMs, db, keys)
	defer tx.End()
	for _, key := range keys {
		z, ok := c.writeZSet(&tx, db, key)
		if !ok {
			return
		}
		if z != nil && z.Len() > 0 {
			zpopReplyWithKey(c, &tx, db, z, key, fromMax)
			return
		}
	}
	w := c.newWaiter(db, keys, nil, func(tx *storage.Tx, k blockKey) bool {
		key := []byte(k.key)
		e := tx.Get(k.db, key)
		if e == nil {
			return false
		}
		z, ok := e.Obj.(*storage.ZSet)
		if !ok || z.Len() == 0 {
			return false
		}
		zpopReplyWithKey(c, tx, k.db, z, key, fromMax)
		return true
	})
	w.kind = storage.KindZSet
	c.block(&tx, w, deadline, c.w.NullArray)
}

// zpopReplyWithKey pops the lowest (highest) member of the non-empty z and
// replies [key, member, score]; the effect is the ZREM that happened.
func zpopReplyWithKey(c *Client, tx *storage.Tx, db int, z *storage.ZSet, key []byte, fromMax bool) {
	r := 0
	if fromMax {
		r = z.Len() - 1
	}
	popped := z.RemoveRange(r, r)
	emitZrem(tx, db, key, popped)
	if z.Len() == 0 {
		tx.Delete(db, key)
	}
	c.w.Array(3)
	c.w.Bulk(key)
	c.w.BulkString(popped[0].Member)
	c.w.Double(popped[0].Score)
}
