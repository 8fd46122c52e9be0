package server

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// CLIENT and its subcommands. Other clients' state is read through the
// shared fields of Client (atomics, or c.mu); the client set is
// snapshotted under srv.mu.

func errUnknownClientType(t string) string { return "ERR Unknown client type '" + t + "'" }
func errNoSuchUser(u string) string        { return "ERR No such user '" + u + "'" }
func errUnrecognizedOption(o string) string {
	return "ERR Unrecognized option '" + o + "'"
}
func errClientAttr(attr string) string {
	return "ERR " + attr + " cannot contain spaces, newlines or special characters."
}

var clientHelp = []string{
	"CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"GETNAME",
	"    Return the name of the current connection.",
	"ID",
	"    Return the ID of the current connection.",
	"INFO",
	"    Return information about the current client connection.",
	"KILL <ip:port>",
	"    Kill connection made from <ip:port>.",
	"KILL <option> <value> [<option> <value> [...]]",
	"    Kill connections. Options are:",
	"    * ADDR (<ip:port>|<unixsocket>:0)",
	"      Kill connections made from the specified address",
	"    * LADDR (<ip:port>|<unixsocket>:0)",
	"      Kill connections made to specified local address",
	"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
	"      Kill connections by type.",
	"    * USER <username>",
	"      Kill connections authenticated by <username>.",
	"    * SKIPME (YES|NO)",
	"      Skip killing current connection (default: yes).",
	"    * ID <client-id>",
	"      Kill connections by client id.",
	"LIST [options ...]",
	"    Return information about client connections. Options:",
	"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
	"      Return clients of specified type.",
	"    * ID <client-id> [<client-id> ...]",
	"      Return clients of specified IDs.",
	"SETNAME <name>",
	"    Assign the name <name> to the current connection.",
	"SETINFO <option> <value>",
	"    Set client meta attr. Options are:",
	"    * LIB-NAME: the client lib name.",
	"    * LIB-VER: the client lib version.",
	"NO-EVICT (ON|OFF)",
	"    Protect current client connection from eviction.",
	"NO-TOUCH (ON|OFF)",
	"    Will not touch LRU/LFU stats when this mode is on.",
	"MAINT_NOTIFICATIONS (ON|OFF) [<option> <value> ...]",
	"    Accepted for client compatibility; sessiond sends no maintenance notifications.",
	"HELP",
	"    Prints this help.",
}

func clientCommand() *Command {
	const fl = FlagNoScript | FlagLoading | FlagStale
	return &Command{Name: "client", Arity: -2, Handler: cmdClientBare,
		Group: "connection", Since: "2.4.0", Summary: "A container for client connection commands.", Complexity: "Depends on subcommand.",
		Subcommands: map[string]*Command{
			"id": {Arity: 2, Flags: fl, Handler: cmdClientID,
				Since: "5.0.0", Summary: "Returns the unique client ID of the connection.", Complexity: "O(1)"},
			"setname": {Arity: 3, Flags: fl, Handler: cmdClientSetname,
				Since: "2.6.9", Summary: "Sets the connection name.", Complexity: "O(1)", Syntax: "connection-name"},
			"getname": {Arity: 2, Flags: fl, Handler: cmdClientGetname,
				Since: "2.6.9", Summary: "Returns the name of the connection.", Complexity: "O(1)"},
			"setinfo": {Arity: 4, Flags: fl, Handler: cmdClientSetinfo,
				Since: "7.2.0", Summary: "Sets information specific to the client or connection.", Complexity: "O(1)",
				Syntax: "<LIB-NAME libname | LIB-VER libver>"},
			"list": {Arity: -2, Flags: fl | FlagAdmin, Handler: cmdClientList,
				Since: "2.4.0", Summary: "Lists open connections.", Complexity: "O(N) where N is the number of client connections",
				Syntax: "[TYPE <NORMAL | MASTER | REPLICA | PUBSUB>] [ID client-id [client-id ...]]"},
			"info": {Arity: 2, Flags: fl, Handler: cmdClientInfo,
				Since: "6.2.0", Summary: "Returns information about the connection.", Complexity: "O(1)"},
			"kill": {Arity: -3, Flags: fl | FlagAdmin, Handler: cmdClientKill,
				Since: "2.4.0", Summary: "Terminates open connections.", Complexity: "O(N) where N is the number of client connections",
				Syntax: "<ip:port | [ID client-id] [TYPE <NORMAL | MASTER | SLAVE | REPLICA | PUBSUB>] [USER username] [ADDR ip:port] [LADDR ip:port] [SKIPME <YES | NO>]>"},
			"no-evict": {Arity: 3, Flags: fl | FlagAdmin, Handler: cmdClientNoEvict,
				Since: "7.0.0", Summary: "Sets the client eviction mode of the connection.", Complexity: "O(1)", Syntax: "<ON | OFF>"},
			"no-touch": {Arity: 3, Flags: fl, Handler: cmdClientNoTouch,
				Since: "7.2.0", Summary: "Controls whether commands sent by the client affect the LRU/LFU of accessed keys.", Complexity: "O(1)", Syntax: "<ON | OFF>"},
			"maint_notifications": {Arity: -3, Flags: fl, Handler: cmdClientMaintNotifications,
				Since: "8.2.0", Summary: "Enables or disables maintenance notifications (accepted, never sent).", Complexity: "O(1)",
				Syntax: "<ON | OFF> [option value [option value ...]]"},
			"help": {Arity: 2, Flags: FlagLoading | FlagStale, Handler: func(c *Client, _ [][]byte) { writeHelp(c, clientHelp) },
				Since: "5.0.0", Summary: "Returns helpful text about the different subcommands.", Complexity: "O(1)"},
		}}
}

// cmdClientBare runs for "CLIENT x" when the dispatcher found no
// subcommand x; it cannot normally be reached.
func cmdClientBare(c *Client, args [][]byte) {
	c.w.Error(errUnknownSubcommand(string(args[1]), "CLIENT"))
}

func cmdClientID(c *Client, args [][]byte) { c.w.Int(c.id) }

func cmdClientSetname(c *Client, args [][]byte) {
	if !validClientName(args[2]) {
		c.w.Error(errClientName)
		return
	}
	c.mu.Lock()
	c.name = string(args[2])
	c.mu.Unlock()
	c.w.OK()
}

func cmdClientGetname(c *Client, args [][]byte) {
	c.mu.Lock()
	name := c.name
	c.mu.Unlock()
	if name == "" {
		c.w.Null()
		return
	}
	c.w.BulkString(name)
}

func cmdClientSetinfo(c *Client, args [][]byte) {
	attr := string(args[2])
	var dst *string
	switch {
	case eq(args[2], "lib-name"):
		dst = &c.libName
	case eq(args[2], "lib-ver"):
		dst = &c.libVer
	default:
		c.w.Error(errUnrecognizedOption(attr))
		return
	}
	if !validClientName(args[3]) {
		c.w.Error(errClientAttr(attr))
		return
	}
	c.mu.Lock()
	*dst = string(args[3])
	c.mu.Unlock()
	c.w.OK()
}

func cmdClientInfo(c *Client, args [][]byte) {
	c.w.Verbatim(c.infoLine(c.nowMs))
}

func cmdClientList(c *Client, args [][]byte) {
	typeOK := true
	var ids map[int64]bool
	switch {
	case len(args) == 2:
	case len(args) == 4 && eq(args[2], "type"):
		if !validClientType(args[3]) {
			c.w.Error(errUnknownClientType(string(args[3])))
			return
		}
		typeOK = eq(args[3], "normal") // every sessiond client is a normal one
	case len(args) > 3 && eq(args[2], "id"):
		ids = make(map[int64]bool, len(args)-3)
		for _, a := range args[3:] {
			id, ok := parseInteger(a)
			if !ok {
				c.w.Error(errInvalidClientID)
				return
			}
			ids[id] = true
		}
	default:
		c.w.Error(errSyntax)
		return
	}
	var b strings.Builder
	for _, cl := range c.srv.clientSnapshot() {
		if !typeOK || ids != nil && !ids[cl.id] {
			continue
		}
		b.WriteString(cl.infoLine(c.nowMs))
	}
	c.w.Verbatim(b.String())
}

// clientSnapshot returns the connected clients in id order.
func (s *Server) clientSnapshot() []*Client {
	s.mu.Lock()
	out := make([]*Client, 0, len(s.clients))
	for _, cl := range s.clients {
		out = append(out, cl)
	}
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b *Client) int { return cmp.Compare(a.id, b.id) })
	return out
}

func validClientType(b []byte) bool {
	return eq(b, "normal") || eq(b, "master") || eq(b, "replica") || eq(b, "slave") || eq(b, "pubsub")
}

// infoLine renders the client in CLIENT LIST / CLIENT INFO format (Redis
// 7.0's fields and order, plus lib-name and lib-ver as Redis 7.2 adds them).
// It may run on any goroutine: it reads only the shared fields.
func (cl *Client) infoLine(nowMs int64) string {
	cl.mu.Lock()
	name, libName, libVer := cl.name, cl.libName, cl.libVer
	cl.mu.Unlock()
	flags := ""
	if cl.noEvict.Load() {
		flags += "e"
	}
	if cl.noTouch.Load() {
		flags += "T"
	}
	if flags == "" {
		flags = "N"
	}
	cmd := "NULL"
	if p := cl.lastCmd.Load(); p != nil {
		cmd = *p
	}
	last := cl.lastSeen.Load()
	if last == 0 {
		last = cl.created.UnixMilli()
	}
	age := max(nowMs-cl.created.UnixMilli(), 0) / 1000
	idle := max(nowMs-last, 0) / 1000
	b := make([]byte, 0, 320)
	field := func(k, v string) {
		if len(b) > 0 {
			b = append(b, ' ')
		}
		b = append(b, k...)
		b = append(b, '=')
		b = append(b, v...)
	}
	num := func(k string, n int64) { field(k, strconv.FormatInt(n, 10)) }
	num("id", cl.id)
	field("addr", cl.addr)
	field("laddr", cl.laddr)
	num("fd", int64(cl.socketFD()))
	field("name", name)
	num("age", age)
	num("idle", idle)
	field("flags", flags)
	num("db", int64(cl.db.Load()))
	for _, k := range []string{"sub", "psub", "ssub"} {
		num(k, 0)
	}
	num("multi", -1)
	for _, k := range []string{"qbuf", "qbuf-free", "argv-mem", "multi-mem", "rbs", "rbp", "obl", "oll", "omem", "tot-mem"} {
		num(k, 0)
	}
	field("events", "r")
	field("cmd", cmd)
	field("user", "default")
	num("redir", -1)
	num("resp", int64(cl.proto.Load()))
	field("lib-name", libName)
	field("lib-ver", libVer)
	b = append(b, '\n')
	return string(b)
}

// socketFD returns the connection's file descriptor, or -1.
func (c *Client) socketFD() int {
	c.fdMu.Lock()
	defer c.fdMu.Unlock()
	if c.fd >= 0 {
		return c.fd
	}
	sc, ok := c.conn.(syscall.Conn)
	if !ok {
		return -1
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return -1
	}
	fd := -1
	if raw.Control(func(f uintptr) { fd = int(f) }) != nil {
		return -1
	}
	return fd
}

// killFilter is CLIENT KILL's filter form; zero fields match everything.
type killFilter struct {
	id     int64
	addr   string
	laddr  string
	typ    string
	user   string
	skipMe bool
}

func cmdClientKill(c *Client, args [][]byte) {
	if len(args) == 3 {
		// old form: CLIENT KILL ip:port
		target := string(args[2])
		for _, cl := range c.srv.clientSnapshot() {
			if cl.addr == target {
				c.w.OK()
				c.kill(cl)
				return
			}
		}
		c.w.Error(errNoSuchClient)
		return
	}
	if len(args)%2 != 0 {
		c.w.Error(errSyntax)
		return
	}
	f := killFilter{skipMe: true}
	for i := 2; i < len(args); i += 2 {
		opt, val := args[i], args[i+1]
		switch {
		case eq(opt, "id"):
			id, ok := parseInteger(val)
			if !ok || id <= 0 {
				c.w.Error(errClientIDPositive)
				return
			}
			f.id = id
		case eq(opt, "type"):
			if !validClientType(val) {
				c.w.Error(errUnknownClientType(string(val)))
				return
			}
			f.typ = strings.ToLower(string(val))
		case eq(opt, "addr"):
			f.addr = string(val)
		case eq(opt, "laddr"):
			f.laddr = string(val)
		case eq(opt, "user"):
			if string(val) != "default" {
				c.w.Error(errNoSuchUser(string(val)))
				return
			}
			f.user = "default"
		case eq(opt, "skipme"):
			switch {
			case eq(val, "yes"):
				f.skipMe = true
			case eq(val, "no"):
				f.skipMe = false
			default:
				c.w.Error(errSyntax)
				return
			}
		default:
			c.w.Error(errSyntax)
			return
		}
	}
	var victims []*Client
	for _, cl := range c.srv.clientSnapshot() {
		switch {
		case f.id != 0 && cl.id != f.id,
			f.addr != "" && cl.addr != f.addr,
			f.laddr != "" && cl.laddr != f.laddr,
			f.typ != "" && f.typ != "normal",
			f.skipMe && cl == c:
			continue
		}
		victims = append(victims, cl)
	}
	c.w.Int(int64(len(victims)))
	for _, cl := range victims {
		c.kill(cl)
	}
}

// kill disconnects cl: another client leaves the client list at once, as
// Redis frees it synchronously, and its connection is closed (its goroutine
// then finds the read failing); this client closes after its reply is
// flushed.
func (c *Client) kill(cl *Client) {
	if cl == c {
		c.closed = true
		return
	}
	c.srv.removeClient(cl)
	cl.disconnect()
}

// onOff parses ON or OFF, writing a syntax error otherwise.
func (c *Client) onOff(b []byte) (on, ok bool) {
	switch {
	case eq(b, "on"):
		return true, true
	case eq(b, "off"):
		return false, true
	}
	c.w.Error(errSyntax)
	return false, false
}

func cmdClientNoEvict(c *Client, args [][]byte) {
	if on, ok := c.onOff(args[2]); ok {
		c.noEvict.Store(on)
		c.w.OK()
	}
}

func cmdClientNoTouch(c *Client, args [][]byte) {
	if on, ok := c.onOff(args[2]); ok {
		c.noTouch.Store(on)
		c.w.OK()
	}
}

// cmdClientMaintNotifications accepts what newer clients (go-redis 9.15+)
// send during their handshake: ON with option pairs, or OFF. sessiond
// never sends maintenance notifications, so the setting has no effect.
func cmdClientMaintNotifications(c *Client, args [][]byte) {
	on, ok := c.onOff(args[2])
	if !ok {
		return
	}
	rest := args[3:]
	if !on && len(rest) > 0 || len(rest)%2 != 0 {
		c.w.Error(errSyntax)
		return
	}
	for i := 0; i < len(rest); i += 2 {
		if !eq(rest[i], "moving-endpoint-type") {
			c.w.Error(errSyntax)
			return
		}
		switch v := strings.ToLower(string(rest[i+1])); v {
		case "internal-ip", "internal-fqdn", "external-ip", "external-fqdn", "none":
		default:
			c.w.Error(errSyntax)
			return
		}
	}
	c.w.OK()
}
