package server

import (
	"strings"

	"sessiond/storage"
)

// debugHelp lists the DEBUG subcommands sessiond has.
var debugHelp = []string{
	"DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"DIGEST",
	"    Output a hex signature representing the current DB content.",
	"DIGEST-VALUE <key> [<key> ...]",
	"    Output a hex signature of the values of all the specified keys.",
	"HELP",
	"    Prints this help.",
}

const errDebugNotAllowed = "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", " +
	"you can run it from a local connection, otherwise you need to set this option in the configuration file, " +
	"and then restart the server."

func debugCommands() []*Command {
	return []*Command{{Name: "debug", Arity: -2, Flags: FlagAdmin | FlagNoScript | FlagLoading | FlagStale,
		Handler: cmdDebug, Group: "server", Since: "1.0.0", Summary: "A container for debugging commands",
		Complexity: "Depends on subcommand.", Categories: []string{"@admin", "@slow", "@dangerous"}}}
}

// cmdDebug is DEBUG, allowed as enable-debug-command says (no by default,
// as in Redis): DIGEST and DIGEST-VALUE, Redis's dataset digests, so that
// tests can show two servers (sessiond or redis-server) hold the same data.
func cmdDebug(c *Client, args [][]byte) {
	switch v := c.srv.cfgString("enable-debug-command"); {
	case v == "yes":
	case v == "local" && isLoopback(c.conn.RemoteAddr()):
	default:
		c.w.Error(errDebugNotAllowed)
		return
	}
	sub := strings.ToLower(string(args[1]))
	switch {
	case sub == "help" && len(args) == 2:
		writeHelp(c, debugHelp)
	case sub == "digest" && len(args) == 2:
		c.w.Simple(c.srv.store.Digest(c.nowMs).Hex())
	case sub == "digest-value":
		c.w.Array(len(args) - 2)
		for _, key := range args[2:] {
			tx := c.srv.store.Begin(c.nowMs, c.DB(), key)
			var d storage.Digest
			if e := tx.Peek(c.DB(), key); e != nil {
				d = e.ValueDigest()
			}
			tx.End()
			c.w.Simple(d.Hex())
		}
	default:
		// Redis's text for a container without a subcommand table
		c.w.Error("ERR unknown subcommand or wrong number of arguments for '" + truncate(string(args[1]), 128) + "'. Try DEBUG HELP.")
	}
}
