package server

import "testing"

func TestSmokeGetSet(t *testing.T) {
	_, addr := startServer(t, nil, nil)
	c := dial(t, addr)
	mustReply(t, c.do("PING"), "+PONG\r\n")
	mustReply(t, c.do("SET", "k", "v"), "+OK\r\n")
	mustReply(t, c.do("GET", "k"), "$1\r\nv\r\n")
	mustReply(t, c.do("GET", "nope"), "$-1\r\n")
	mustReply(t, c.do("get"), "-ERR wrong number of arguments for 'get' command\r\n")
	mustReply(t, c.do("foo", "a", "b"), "-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n")
	c.send("PING\r\n")
	mustReply(t, c.reply(), "+PONG\r\n")
	mustReply(t, c.do("HELLO", "3"), c.do("HELLO", "3"))
	mustReply(t, c.do("GET", "nope"), "_\r\n")
}
