package server

import (
	"strconv"
	"strings"
	"testing"
)

func TestCommandInfoGet(t *testing.T) {
	_, addr := startServer(t, nil, nil)
	c := dial(t, addr)
	keySpec := "*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n" +
		"$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n" +
		"$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n"
	want := "*2\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n" +
		"*3\r\n+@read\r\n+@fast\r\n+@string\r\n*0\r\n*1\r\n" + keySpec + "*0\r\n" +
		"*-1\r\n"
	mustReply(t, c.do("COMMAND", "INFO", "GET", "nosuch"), want)

	c.do("HELLO", "3")
	r := c.do("COMMAND", "INFO", "get")
	if !strings.HasPrefix(r, "*1\r\n*10\r\n$3\r\nget\r\n:2\r\n~2\r\n") || !strings.Contains(r, "~0\r\n~1\r\n%3\r\n$5\r\nflags\r\n~2\r\n+RO") {
		t.Errorf("RESP3 COMMAND INFO get: %q", r)
	}
	mustReply(t, c.do("COMMAND", "INFO", "nosuch"), "*1\r\n_\r\n")
}

func TestCommandInfoContainer(t *testing.T) {
	_, addr := startServer(t, nil, nil)
	c := dial(t, addr)
	r := c.do("COMMAND", "INFO", "config")
	if !strings.HasPrefix(r, "*1\r\n*10\r\n$6\r\nconfig\r\n:-2\r\n*0\r\n:0\r\n:0\r\n:0\r\n*1\r\n+@slow\r\n*0\r\n*0\r\n*5\r\n*10\r\n$10\r\nconfig|get\r\n:-3\r\n") {
		t.Errorf("COMMAND INFO config: %q", r)
	}
	r = c.do("COMMAND", "INFO", "CLIENT|LIST")
	if !strings.HasPrefix(r, "*1\r\n*10\r\n$11\r\nclient|list\r\n:-2\r\n") {
		t.Errorf("COMMAND INFO client|list: %q", r)
	}
}

func TestCommandCountListAll(t *testing.T) {
	s, addr := startServer(t, nil, nil)
	c := dial(t, addr)
	n := len(s.table.cmds)
	mustReply(t, c.do("COMMAND", "COUNT"), ":"+strconv.Itoa(n)+"\r\n")
	if r := c.do("COMMAND"); !strings.HasPrefix(r, "*"+strconv.Itoa(n)+"\r\n*10\r\n") {
		t.Errorf("COMMAND: %.80q", r)
	}
	list := c.do("COMMAND", "LIST")
	if !strings.HasPrefix(list, "*"+strconv.Itoa(len(s.table.allCommands()))+"\r\n") || !strings.Contains(list, "$11\r\nclient|list\r\n") {
		t.Errorf("COMMAND LIST: %.200q", list)
	}
	mustReply(t, c.do("COMMAND", "LIST", "FILTERBY", "PATTERN", "config|[gs]et"), "*2\r\n$10\r\nconfig|get\r\n$10\r\nconfig|set\r\n")
	mustReply(t, c.do("COMMAND", "LIST", "FILTERBY", "MODULE", "x"), "*0\r\n")
	mustReply(t, c.do("COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuch"), "*0\r\n")
	if r := c.do("COMMAND", "LIST", "FILTERBY", "ACLCAT", "READ"); !strings.Contains(r, "$3\r\nget\r\n") || strings.Contains(r, "$3\r\nset\r\n") {
		t.Errorf("ACLCAT read: %q", r)
	}
	mustReply(t, c.do("COMMAND", "LIST", "FILTERBY", "FOO", "x"), "-ERR syntax error\r\n")
	mustReply(t, c.do("COMMAND", "LIST", "FOO"), "-ERR syntax error\r\n")
	mustReply(t, c.do("COMMAND", "COUNT", "x"), "-ERR wrong number of arguments for 'command|count' command\r\n")
	mustReply(t, c.do("COMMAND", "FOO"), "-ERR unknown subcommand 'FOO'. Try COMMAND HELP.\r\n")
	if r := c.do("COMMAND", "HELP"); !strings.HasPrefix(r, "*") || !strings.Contains(r, "+GETKEYS <full-command>\r\n") {
		t.Errorf("COMMAND HELP: %q", r)
	}
}

func TestCommandGetkeys(t *testing.T) {
	_, addr := startServer(t, nil, nil)
	c := dial(t, addr)
	mustReply(t, c.do("COMMAND", "GETKEYS", "SET", "k", "v", "EX", "10"), "*1\r\n$1\r\nk\r\n")
	mustReply(t, c.do("COMMAND", "GETKEYS", "foo", "x"), "-"+errGetkeysInvalidCmd+"\r\n")
	mustReply(t, c.do("COMMAND", "GETKEYS", "get", "a", "b"), "-"+errGetkeysArity+"\r\n")
	mustReply(t, c.do("COMMAND", "GETKEYS", "config", "get", "x"), "-"+errGetkeysNoKeys+"\r\n")
	mustReply(t, c.do("COMMAND", "GETKEYS", "client|list", "x"), "-"+errGetkeysInvalidCmd+"\r\n")
	mustReply(t, c.do("COMMAND", "GETKEYS", "ping"), "-ERR wrong number of arguments for 'command|getkeys' command\r\n")
	mustReply(t, c.do("COMMAND", "GETKEYSANDFLAGS", "get", "k"), "*1\r\n*2\r\n$1\r\nk\r\n*2\r\n+RO\r\n+access\r\n")
}

func TestCommandDocs(t *testing.T) {
	_, addr := startServer(t, nil, nil)
	c := dial(t, addr)
	c.do("HELLO", "3")
	r := c.do("COMMAND", "DOCS", "flushdb", "nosuch")
	want := "%1\r\n$7\r\nflushdb\r\n%5\r\n" +
		"$7\r\nsummary\r\n$43\r\nRemoves all keys from the current database.\r\n" +
		"$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nserver\r\n" +
		"$10\r\ncomplexity\r\n$59\r\nO(N) where N is the number of keys in the selected database\r\n" +
		"$9\r\narguments\r\n*1\r\n%4\r\n$4\r\nname\r\n$5\r\nasync\r\n$4\r\ntype\r\n$5\r\noneof\r\n" +
		"$5\r\nflags\r\n~1\r\n+optional\r\n$9\r\narguments\r\n*2\r\n" +
		"%3\r\n$4\r\nname\r\n$5\r\nasync\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$5\r\nASYNC\r\n" +
		"%3\r\n$4\r\nname\r\n$4\r\nsync\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$4\r\nSYNC\r\n"
	mustReply(t, r, want)
	mustReply(t, c.do("COMMAND", "DOCS", "nosuch"), "%0\r\n")
	r = c.do("COMMAND", "DOCS", "set")
	for _, part := range []string{
		"$4\r\nname\r\n$9\r\ncondition\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nflags\r\n~1\r\n+optional\r\n$9\r\narguments\r\n*2\r\n",
		"%3\r\n$4\r\nname\r\n$7\r\nseconds\r\n$4\r\ntype\r\n$7\r\ninteger\r\n$5\r\ntoken\r\n$2\r\nEX\r\n",
	} {
		if !strings.Contains(r, part) {
			t.Errorf("COMMAND DOCS set lacks %q:\n%q", part, r)
		}
	}
	r = c.do("COMMAND", "DOCS", "client")
	if !strings.Contains(r, "$11\r\nsubcommands\r\n%") || !strings.Contains(r, "$11\r\nclient|list\r\n%") {
		t.Errorf("COMMAND DOCS client: %.300q", r)
	}
	// every command, RESP2: a flat array of name, doc pairs
	c.do("HELLO", "2")
	if r := c.do("COMMAND", "DOCS"); !strings.HasPrefix(r, "*") {
		t.Errorf("COMMAND DOCS: %.80q", r)
	}
}
