package server

import (
	"slices"
	"strings"

	"sessiond/glob"
)

// COMMAND and its subcommands: every reply is generated from the command
// table, so it describes exactly what this server runs.

var commandHelp = []string{
	"COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"(no subcommand)",
	"    Return details about all sessiond commands.",
	"COUNT",
	"    Return the total number of commands in this server.",
	"LIST [FILTERBY (MODULE <module-name>|ACLCAT <category>|PATTERN <pattern>)]",
	"    Return a list of all commands in this server.",
	"INFO [<command-name> ...]",
	"    Return details about multiple commands.",
	"    If no command names are given, documentation details for all",
	"    commands are returned.",
	"DOCS [<command-name> ...]",
	"    Return documentation details about multiple commands.",
	"    If no command names are given, documentation details for all",
	"    commands are returned.",
	"GETKEYS <full-command>",
	"    Return the keys from a full command.",
	"GETKEYSANDFLAGS <full-command>",
	"    Return the keys and the access flags from a full command.",
	"HELP",
	"    Prints this help.",
}

func commandCommand() *Command {
	const fl = FlagLoading | FlagStale
	cat := []string{"@connection"}
	return &Command{Name: "command", Arity: -1, Flags: fl, Handler: cmdCommand, Categories: cat,
		Group: "server", Since: "2.8.13", Summary: "Returns detailed information about all commands.", Complexity: "O(N) where N is the total number of commands",
		Subcommands: map[string]*Command{
			"count": {Arity: 2, Flags: fl, Handler: cmdCommandCount, Categories: cat,
				Since: "2.8.13", Summary: "Returns a count of commands.", Complexity: "O(1)"},
			"list": {Arity: -2, Flags: fl, Handler: cmdCommandList, Categories: cat,
				Since: "7.0.0", Summary: "Returns a list of command names.", Complexity: "O(N) where N is the total number of commands",
				Syntax: "[FILTERBY <MODULE module-name | ACLCAT category | PATTERN pattern>]"},
			"info": {Arity: -2, Flags: fl, Handler: cmdCommandInfo, Categories: cat,
				Since: "2.8.13", Summary: "Returns information about one, multiple or all commands.", Complexity: "O(N) where N is the number of commands to look up",
				Syntax: "[command-name [command-name ...]]"},
			"docs": {Arity: -2, Flags: fl, Handler: cmdCommandDocs, Categories: cat,
				Since: "7.0.0", Summary: "Returns documentary information about one, multiple or all commands.", Complexity: "O(N) where N is the number of commands to look up",
				Syntax: "[command-name [command-name ...]]"},
			"getkeys": {Arity: -4, Flags: fl, Handler: cmdCommandGetkeys, Categories: cat,
				Since: "2.8.13", Summary: "Extracts the key names from an arbitrary command.", Complexity: "O(N) where N is the number of arguments to the command",
				Syntax: "command [arg [arg ...]]"},
			"getkeysandflags": {Arity: -4, Flags: fl, Handler: cmdCommandGetkeys, Categories: cat,
				Since: "7.0.0", Summary: "Extracts the key names and access flags for an arbitrary command.", Complexity: "O(N) where N is the number of arguments to the command",
				Syntax: "command [arg [arg ...]]"},
			"help": {Arity: 2, Flags: fl, Handler: func(c *Client, _ [][]byte) { writeHelp(c, commandHelp) }, Categories: cat,
				Since: "5.0.0", Summary: "Returns helpful text about the different subcommands.", Complexity: "O(1)"},
		}}
}

// writeHelp writes a HELP reply: one status line per element.
func writeHelp(c *Client, lines []string) {
	c.w.Array(len(lines))
	for _, l := range lines {
		c.w.Simple(l)
	}
}

func cmdCommand(c *Client, args [][]byte) {
	if len(args) > 1 {
		// a subcommand the dispatcher did not resolve cannot reach here
		c.w.Error(errUnknownSubcommand(string(args[1]), "COMMAND"))
		return
	}
	cmds := c.srv.table.sorted()
	c.w.Array(len(cmds))
	for _, cmd := range cmds {
		writeCommandInfo(c, cmd)
	}
}

func cmdCommandCount(c *Client, args [][]byte) { c.w.Int(int64(len(c.srv.table.cmds))) }

// findCommand resolves a name as COMMAND INFO/DOCS take it: "get" or
// "client|list".
func (t *table) findCommand(name string) *Command {
	name = strings.ToLower(name)
	top, sub, ok := strings.Cut(name, "|")
	cmd := t.cmds[top]
	if cmd == nil || !ok {
		return cmd
	}
	return cmd.Subcommands[sub]
}

// allCommands returns the top-level commands in name order, each followed
// by its subcommands in name order.
func (t *table) allCommands() []*Command {
	var out []*Command
	for _, cmd := range t.sorted() {
		out = append(out, cmd)
		out = append(out, sortedSubcommands(cmd)...)
	}
	return out
}

func sortedSubcommands(cmd *Command) []*Command {
	if len(cmd.Subcommands) == 0 {
		return nil
	}
	subs := make([]*Command, 0, len(cmd.Subcommands))
	for _, s := range cmd.Subcommands {
		subs = append(subs, s)
	}
	sortCommands(subs)
	return subs
}

func sortCommands(cmds []*Command) {
	slices.SortFunc(cmds, func(a, b *Command) int { return strings.Compare(a.Name, b.Name) })
}

func cmdCommandList(c *Client, args [][]byte) {
	all := c.srv.table.allCommands()
	if len(args) == 2 {
		c.w.Array(len(all))
		for _, cmd := range all {
			c.w.BulkString(cmd.Name)
		}
		return
	}
	if len(args) != 5 || !eq(args[2], "filterby") {
		c.w.Error(errSyntax)
		return
	}
	var match func(cmd *Command) bool
	value := string(args[4])
	switch {
	case eq(args[3], "module"):
		match = func(*Command) bool { return false }
	case eq(args[3], "aclcat"):
		want := "@" + strings.ToLower(value)
		match = func(cmd *Command) bool {
			for _, cat := range cmd.aclCategories() {
				if cat == want {
					return true
				}
			}
			return false
		}
	case eq(args[3], "pattern"):
		match = func(cmd *Command) bool { return glob.Match(value, cmd.Name, true) }
	default:
		c.w.Error(errSyntax)
		return
	}
	var names []string
	for _, cmd := range all {
		if match(cmd) {
			names = append(names, cmd.Name)
		}
	}
	c.w.Array(len(names))
	for _, n := range names {
		c.w.BulkString(n)
	}
}

func cmdCommandInfo(c *Client, args [][]byte) {
	if len(args) == 2 {
		cmds := c.srv.table.sorted()
		c.w.Array(len(cmds))
		for _, cmd := range cmds {
			writeCommandInfo(c, cmd)
		}
		return
	}
	c.w.Array(len(args) - 2)
	for _, name := range args[2:] {
		cmd := c.srv.table.findCommand(string(name))
		if cmd == nil {
			c.w.NullArray()
			continue
		}
		writeCommandInfo(c, cmd)
	}
}

// writeCommandInfo writes the 10-element description Redis 7.0 gives:
// name, arity, flags, first key, last key, step, ACL categories, tips, key
// specs, subcommands.
func writeCommandInfo(c *Client, cmd *Command) {
	w := &c.w
	w.Array(10)
	w.BulkString(cmd.Name)
	w.Int(int64(cmd.Arity))
	flags := cmd.flagNames()
	w.Set(len(flags))
	for _, f := range flags {
		w.Simple(f)
	}
	w.Int(int64(cmd.FirstKey))
	w.Int(int64(cmd.LastKey))
	w.Int(int64(cmd.Step))
	cats := cmd.aclCategories()
	w.Set(len(cats))
	for _, cat := range cats {
		w.Simple(cat)
	}
	w.Set(0) // tips
	if cmd.FirstKey == 0 {
		w.Set(0)
	} else {
		w.Set(1)
		writeKeySpec(c, cmd)
	}
	subs := sortedSubcommands(cmd)
	if subs == nil {
		w.Set(0)
		return
	}
	w.Array(len(subs))
	for _, sub := range subs {
		writeCommandInfo(c, sub)
	}
}

// keySpecFlags derives a key spec's flags from the command's flags.
func keySpecFlags(cmd *Command) []string {
	switch {
	case cmd.Flags&FlagWrite != 0:
		return []string{"RW", "update"}
	case cmd.Flags&FlagReadonly != 0:
		return []string{"RO", "access"}
	}
	return []string{"RO"}
}

// writeKeySpec writes the one "index + range" key spec that FirstKey,
// LastKey and Step describe. Its lastkey is relative to the first key when
// LastKey counts from the start, and counts from the end otherwise.
func writeKeySpec(c *Client, cmd *Command) {
	w := &c.w
	w.Map(3)
	w.BulkString("flags")
	flags := keySpecFlags(cmd)
	w.Set(len(flags))
	for _, f := range flags {
		w.Simple(f)
	}
	w.BulkString("begin_search")
	w.Map(2)
	w.BulkString("type")
	w.BulkString("index")
	w.BulkString("spec")
	w.Map(1)
	w.BulkString("index")
	w.Int(int64(cmd.FirstKey))
	last := cmd.LastKey
	if last >= 0 {
		last -= cmd.FirstKey
	}
	w.BulkString("find_keys")
	w.Map(2)
	w.BulkString("type")
	w.BulkString("range")
	w.BulkString("spec")
	w.Map(3)
	w.BulkString("lastkey")
	w.Int(int64(last))
	w.BulkString("keystep")
	w.Int(int64(max(cmd.Step, 1)))
	w.BulkString("limit")
	w.Int(0)
}

func cmdCommandDocs(c *Client, args [][]byte) {
	var cmds []*Command
	if len(args) == 2 {
		cmds = c.srv.table.sorted()
	} else {
		for _, name := range args[2:] {
			if cmd := c.srv.table.findCommand(string(name)); cmd != nil {
				cmds = append(cmds, cmd)
			}
		}
	}
	c.w.Map(len(cmds))
	for _, cmd := range cmds {
		c.w.BulkString(cmd.Name)
		writeCommandDocs(c, cmd)
	}
}

// writeCommandDocs writes the map COMMAND DOCS gives for one command.
func writeCommandDocs(c *Client, cmd *Command) {
	w := &c.w
	type field struct{ k, v string }
	var fields []field
	for _, f := range []field{{"summary", cmd.Summary}, {"since", cmd.Since}, {"group", cmd.Group}, {"complexity", cmd.Complexity}} {
		if f.v != "" {
			fields = append(fields, f)
		}
	}
	args := parseSyntax(cmd.Syntax)
	subs := sortedSubcommands(cmd)
	n := len(fields)
	if len(args) > 0 {
		n++
	}
	if len(subs) > 0 {
		n++
	}
	w.Map(n)
	for _, f := range fields {
		w.BulkString(f.k)
		w.BulkString(f.v)
	}
	if len(args) > 0 {
		w.BulkString("arguments")
		writeArgDocs(c, args)
	}
	if len(subs) > 0 {
		w.BulkString("subcommands")
		w.Map(len(subs))
		for _, sub := range subs {
			w.BulkString(sub.Name)
			writeCommandDocs(c, sub)
		}
	}
}

func writeArgDocs(c *Client, args []*argDoc) {
	w := &c.w
	w.Array(len(args))
	for _, a := range args {
		n := 2
		if a.Type == "key" {
			n++
		}
		if a.Token != "" {
			n++
		}
		if a.Optional || a.Multiple {
			n++
		}
		if len(a.Args) > 0 {
			n++
		}
		w.Map(n)
		w.BulkString("name")
		w.BulkString(a.Name)
		w.BulkString("type")
		w.BulkString(a.Type)
		if a.Type == "key" {
			w.BulkString("key_spec_index")
			w.Int(0)
		}
		if a.Token != "" {
			w.BulkString("token")
			w.BulkString(a.Token)
		}
		if a.Optional || a.Multiple {
			w.BulkString("flags")
			var flags []string
			if a.Optional {
				flags = append(flags, "optional")
			}
			if a.Multiple {
				flags = append(flags, "multiple")
			}
			w.Set(len(flags))
			for _, f := range flags {
				w.Simple(f)
			}
		}
		if len(a.Args) > 0 {
			w.BulkString("arguments")
			writeArgDocs(c, a.Args)
		}
	}
}

// cmdCommandGetkeys serves GETKEYS and GETKEYSANDFLAGS.
func cmdCommandGetkeys(c *Client, args [][]byte) {
	withFlags := eq(args[1], "getkeysandflags")
	full := args[2:]
	cmd := c.srv.table.lookup(full[0])
	if cmd != nil && cmd.Subcommands != nil && len(full) >= 2 {
		cmd = cmd.Subcommands[strings.ToLower(string(full[1]))]
	}
	switch {
	case cmd == nil:
		c.w.Error(errGetkeysInvalidCmd)
		return
	case !cmd.arityOK(len(full)):
		c.w.Error(errGetkeysArity)
		return
	}
	pos := cmd.keys(full)
	if len(pos) == 0 {
		c.w.Error(errGetkeysNoKeys)
		return
	}
	c.w.Array(len(pos))
	flags := keySpecFlags(cmd)
	for _, i := range pos {
		if !withFlags {
			c.w.Bulk(full[i])
			continue
		}
		c.w.Array(2)
		c.w.Bulk(full[i])
		c.w.Set(len(flags))
		for _, f := range flags {
			c.w.Simple(f)
		}
	}
}
