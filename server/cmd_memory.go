package server

import (
	"runtime/debug"
	"strings"
)

// memoryHelp lists the MEMORY subcommands sessiond has; DOCTOR and STATS
// are not among them yet.
var memoryHelp = []string{
	"MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"MALLOC-STATS",
	"    Return internal statistics report from the memory allocator.",
	"PURGE",
	"    Attempt to purge dirty pages for reclamation by the allocator.",
	"USAGE <key> [SAMPLES <count>]",
	"    Return memory in bytes used by <key> and its value. Nested values are",
	"    sampled up to <count> times (default: 5, 0 means sample all).",
	"HELP",
	"    Prints this help.",
}

func memoryCommands() []*Command {
	const ls = FlagLoading | FlagStale
	sub := func(h func(*Client, [][]byte), flags Flag, summary, complexity string) *Command {
		return &Command{Arity: 2, Flags: flags, Handler: h, Since: "4.0.0", Summary: summary, Complexity: complexity}
	}
	return []*Command{
		{Name: "memory", Arity: -2, Handler: func(c *Client, args [][]byte) {
			c.w.Error(errUnknownSubcommand(string(args[1]), "MEMORY"))
		}, Group: "server", Since: "4.0.0", Summary: "A container for memory diagnostics commands", Complexity: "Depends on subcommand.",
			Subcommands: map[string]*Command{
				"usage": {Arity: -3, Flags: FlagReadonly, FirstKey: 2, LastKey: 2, Step: 1, Handler: cmdMemoryUsage,
					Categories: []string{"@read"}, Since: "4.0.0", Summary: "Estimate the memory usage of a key",
					Complexity: "O(N) where N is the number of samples.", Syntax: "key [SAMPLES count]"},
				"purge": sub(func(c *Client, _ [][]byte) { debug.FreeOSMemory(); c.w.OK() }, 0,
					"Ask the allocator to release memory", "Depends on how much memory is allocated, could be slow"),
				"malloc-stats": sub(func(c *Client, _ [][]byte) {
					c.w.BulkString("Stats not supported for the current allocator")
				}, 0, "Show allocator internal stats", "Depends on how much memory is allocated, could be slow"),
				"help": sub(func(c *Client, _ [][]byte) { writeHelp(c, memoryHelp) }, ls,
					"Show helpful text about the different subcommands", "O(1)"),
			}},
	}
}

// cmdMemoryUsage is MEMORY USAGE key [SAMPLES count]: the bytes the key
// takes in sessiond's heap (storage.Entry.MemoryUsage), nil if it is
// missing. The key is not marked accessed.
func cmdMemoryUsage(c *Client, args [][]byte) {
	samples := int64(5)
	for i := 3; i < len(args); i += 2 {
		if !strings.EqualFold(string(args[i]), "samples") || i+1 >= len(args) {
			c.w.Error(errSyntax)
			return
		}
		n, ok := parseInteger(args[i+1])
		if !ok {
			c.w.Error(errNotInteger)
			return
		}
		if n < 0 {
			c.w.Error(errSyntax)
			return
		}
		samples = n
	}
	tx := c.srv.store.Begin(c.nowMs, c.DB(), args[2])
	defer tx.End()
	if e := c.objectLookup(&tx, args[2]); e != nil {
		c.w.Int(e.MemoryUsage(int(min(samples, 1<<30))))
	}
}
