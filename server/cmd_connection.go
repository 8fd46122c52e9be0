package server

import "crypto/subtle"

// Version is the sessiond release; redisCompat is the Redis version whose
// behaviour we implement, reported as redis_version.
const (
	Version     = "0.1.0"
	redisCompat = "7.0.15"
)

func connectionCommands() []*Command {
	return []*Command{
		{Name: "ping", Arity: -1, Flags: FlagFast | FlagStale | FlagLoading, Handler: cmdPing,
			Group: "connection", Since: "1.0.0", Summary: "Returns the server's liveliness response.", Complexity: "O(1)", Syntax: "[message]"},
		{Name: "echo", Arity: 2, Flags: FlagFast | FlagStale | FlagLoading, Handler: cmdEcho,
			Group: "connection", Since: "1.0.0", Summary: "Returns the given string.", Complexity: "O(1)", Syntax: "message"},
		{Name: "quit", Arity: -1, Flags: FlagNoAuth | FlagNoScript | FlagStale | FlagLoading | FlagFast | FlagAllowBusy, Handler: cmdQuit,
			Group: "connection", Since: "1.0.0", Summary: "Closes the connection.", Complexity: "O(1)"},
		{Name: "auth", Arity: -2, Flags: FlagNoScript | FlagLoading | FlagStale | FlagFast | FlagNoAuth | FlagAllowBusy, Handler: cmdAuth,
			Group: "connection", Since: "1.0.0", Summary: "Authenticates the connection.", Complexity: "O(N) where N is the number of passwords defined for the user", Syntax: "[username] password"},
		{Name: "hello", Arity: -1, Flags: FlagNoScript | FlagLoading | FlagStale | FlagFast | FlagNoAuth | FlagAllowBusy, Handler: cmdHello,
			Group: "connection", Since: "6.0.0", Summary: "Handshakes with the Redis server.", Complexity: "O(1)", Syntax: "[protover [AUTH username password] [SETNAME clientname]]"},
		{Name: "select", Arity: 2, Flags: FlagLoading | FlagStale | FlagFast, Handler: cmdSelect,
			Group: "connection", Since: "1.0.0", Summary: "Changes the selected database.", Complexity: "O(1)", Syntax: "index"},
		{Name: "reset", Arity: 1, Flags: FlagNoScript | FlagLoading | FlagStale | FlagFast | FlagNoAuth | FlagAllowBusy, Handler: cmdReset,
			Group: "connection", Since: "6.2.0", Summary: "Resets the connection.", Complexity: "O(1)"},
	}
}

func cmdPing(c *Client, args [][]byte) {
	switch len(args) {
	case 1:
		c.w.Simple("PONG")
	case 2:
		c.w.Bulk(args[1])
	default:
		c.w.Error(errWrongArgs("ping"))
	}
}

func cmdEcho(c *Client, args [][]byte) { c.w.Bulk(args[1]) }

func cmdQuit(c *Client, args [][]byte) {
	c.w.OK()
	c.closed = true
}

// checkPassword compares in constant time; only the "default" user exists.
func (c *Client) checkPassword(user, pass []byte) bool {
	want := c.srv.cfg.Requirepass()
	if user != nil && string(user) != "default" {
		return false
	}
	if want == "" {
		return true // the default user has nopass
	}
	return subtle.ConstantTimeCompare(pass, []byte(want)) == 1
}

func cmdAuth(c *Client, args [][]byte) {
	if len(args) > 3 {
		c.w.Error(errSyntax)
		return
	}
	var user, pass []byte
	if len(args) == 3 {
		user, pass = args[1], args[2]
	} else {
		pass = args[1]
		if c.srv.cfg.Requirepass() == "" {
			c.w.Error(errNoPassword)
			return
		}
	}
	if !c.checkPassword(user, pass) {
		c.w.Error(errWrongPass)
		return
	}
	c.authed = true
	c.w.OK()
}

func cmdHello(c *Client, args [][]byte) {
	proto := int(c.proto.Load())
	if len(args) >= 2 {
		v, ok := parseInteger(args[1])
		if !ok {
			c.w.Error("ERR Protocol version is not an integer or out of range")
			return
		}
		if v < 2 || v > 3 {
			c.w.Error("NOPROTO unsupported protocol version")
			return
		}
		proto = int(v)
	}
	var setname []byte
	authed := c.authed
	for i := 2; i < len(args); i++ {
		more := len(args) - i - 1
		switch {
		case eq(args[i], "auth") && more >= 2:
			if !c.checkPassword(args[i+1], args[i+2]) {
				c.w.Error(errWrongPass)
				return
			}
			authed = true
			i += 2
		case eq(args[i], "setname") && more >= 1:
			setname = args[i+1]
			if !validClientName(setname) {
				c.w.Error(errClientName)
				return
			}
			i++
		default:
			c.w.Error("ERR Syntax error in HELLO option '" + truncate(string(args[i]), 128) + "'")
			return
		}
	}
	if !authed {
		c.w.Error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time")
		return
	}
	c.authed = true
	if setname != nil {
		c.mu.Lock()
		c.name = string(setname)
		c.mu.Unlock()
	}
	c.proto.Store(int32(proto))
	c.w.proto = proto
	c.w.Map(7)
	c.w.BulkString("server")
	c.w.BulkString("redis")
	c.w.BulkString("version")
	c.w.BulkString(redisCompat)
	c.w.BulkString("proto")
	c.w.Int(int64(proto))
	c.w.BulkString("id")
	c.w.Int(c.id)
	c.w.BulkString("mode")
	c.w.BulkString("standalone")
	c.w.BulkString("role")
	c.w.BulkString("master")
	c.w.BulkString("modules")
	c.w.Array(0)
}

func validClientName(b []byte) bool {
	for _, ch := range b {
		if ch < '!' || ch > '~' {
			return false
		}
	}
	return true
}

func cmdSelect(c *Client, args [][]byte) {
	n, ok := parseInteger(args[1])
	if !ok {
		c.w.Error(errNotInteger)
		return
	}
	if n < 0 || n >= int64(c.srv.store.Databases()) {
		c.w.Error(errDBIndex)
		return
	}
	c.db.Store(int32(n))
	c.w.OK()
}

func cmdReset(c *Client, args [][]byte) {
	c.db.Store(0)
	c.proto.Store(2)
	c.w.proto = 2
	c.authed = c.srv.cfg.Requirepass() == ""
	c.noEvict.Store(false)
	c.noTouch.Store(false)
	c.mu.Lock()
	c.name = ""
	c.mu.Unlock()
	c.w.Simple("RESET")
}
