package server

import (
	"sort"
	"strings"
)

// Flag is a command property; the dispatcher, COMMAND and (later)
// replication read them from the table, handlers never re-check them.
type Flag uint32

// Command flags, named as COMMAND reports them.
const (
	FlagWrite Flag = 1 << iota
	FlagReadonly
	FlagDenyOOM
	FlagAdmin
	FlagPubSub
	FlagNoScript
	FlagBlocking
	FlagLoading
	FlagStale
	FlagSkipMonitor
	FlagSkipSlowlog
	FlagFast
	FlagNoAuth
	FlagMayReplicate
	FlagAllowBusy
	FlagNoMulti
)

var flagNames = []struct {
	f    Flag
	name string
}{
	{FlagWrite, "write"}, {FlagReadonly, "readonly"}, {FlagDenyOOM, "denyoom"},
	{FlagAdmin, "admin"}, {FlagPubSub, "pubsub"}, {FlagNoScript, "noscript"},
	{FlagBlocking, "blocking"}, {FlagLoading, "loading"}, {FlagStale, "stale"},
	{FlagSkipMonitor, "skip_monitor"}, {FlagSkipSlowlog, "skip_slowlog"}, {FlagFast, "fast"},
	{FlagNoAuth, "no_auth"}, {FlagMayReplicate, "may_replicate"}, {FlagAllowBusy, "allow_busy"},
	{FlagNoMulti, "no_multi"},
}

// Command is one row of the command table.
type Command struct {
	Name     string // lower case; "container|sub" for subcommands
	Arity    int    // counting the name; negative means at least -Arity
	Flags    Flag
	FirstKey int // position of the first key, 0 if none
	LastKey  int // position of the last key, negative counts from the end
	Step     int
	Handler  func(c *Client, args [][]byte)

	// Documentation, for COMMAND DOCS and COMMAND INFO.
	Group      string // "string", "generic", "connection", "server", ...
	Since      string
	Summary    string
	Complexity string
	Syntax     string // argument grammar after the name, e.g. "key [NX | XX]"
	Categories []string

	Subcommands map[string]*Command
	container   *Command
}

// table is the command table: every command sessiond serves, as data.
type table struct {
	cmds map[string]*Command
}

func newTable() *table { return &table{cmds: make(map[string]*Command)} }

func (t *table) add(cmds ...*Command) {
	for _, c := range cmds {
		c.Name = strings.ToLower(c.Name)
		if _, dup := t.cmds[c.Name]; dup {
			panic("server: command registered twice: " + c.Name)
		}
		for name, sub := range c.Subcommands {
			sub.Name = c.Name + "|" + strings.ToLower(name)
			sub.container = c
			if sub.Group == "" {
				sub.Group = c.Group
			}
		}
		t.cmds[c.Name] = c
	}
}

// lookup finds a command by its name in any case, without allocating.
func (t *table) lookup(name []byte) *Command {
	var buf [32]byte
	if len(name) > len(buf) {
		return t.cmds[strings.ToLower(string(name))]
	}
	for i, c := range name {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return t.cmds[string(buf[:len(name)])]
}

// sorted returns the top-level commands in name order.
func (t *table) sorted() []*Command {
	out := make([]*Command, 0, len(t.cmds))
	for _, c := range t.cmds {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (c *Command) arityOK(n int) bool {
	if c.Arity >= 0 {
		return n == c.Arity
	}
	return n >= -c.Arity
}

// keys returns the positions of the key arguments in args.
func (c *Command) keys(args [][]byte) []int {
	if c.FirstKey == 0 {
		return nil
	}
	last := c.LastKey
	if last < 0 {
		last = len(args) + last
	}
	step := max(c.Step, 1)
	var out []int
	for i := c.FirstKey; i <= last && i < len(args); i += step {
		out = append(out, i)
	}
	return out
}

func (c *Command) flagNames() []string {
	var out []string
	for _, f := range flagNames {
		if c.Flags&f.f != 0 {
			out = append(out, f.name)
		}
	}
	return out
}

// aclCategories derives the ACL categories Redis would list.
func (c *Command) aclCategories() []string {
	var out []string
	add := func(s string) {
		for _, x := range out {
			if x == s {
				return
			}
		}
		out = append(out, s)
	}
	if c.Flags&FlagWrite != 0 {
		add("@write")
	}
	if c.Flags&FlagReadonly != 0 {
		add("@read")
	}
	if c.Flags&FlagAdmin != 0 {
		add("@admin")
		add("@dangerous")
	}
	if c.Flags&FlagPubSub != 0 {
		add("@pubsub")
	}
	if c.Flags&FlagFast != 0 {
		add("@fast")
	} else {
		add("@slow")
	}
	if c.Flags&FlagBlocking != 0 {
		add("@blocking")
	}
	group := c.Group
	switch group {
	case "generic":
		if c.FirstKey != 0 {
			add("@keyspace")
		}
	case "string", "list", "set", "hash", "connection":
		add("@" + group)
	case "sorted-set":
		add("@sortedset")
	}
	for _, cat := range c.Categories {
		add(cat)
	}
	return out
}
