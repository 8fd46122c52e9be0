package server

import (
	"strings"
	"testing"
)

// renderDocs writes argument docs compactly: name:type[=TOKEN][?][*][(children)].
func renderDocs(args []*argDoc) string {
	var parts []string
	for _, a := range args {
		s := a.Name + ":" + a.Type
		if a.Token != "" {
			s += "=" + a.Token
		}
		if a.Optional {
			s += "?"
		}
		if a.Multiple {
			s += "*"
		}
		if len(a.Args) > 0 {
			s += "(" + renderDocs(a.Args) + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

func TestParseSyntax(t *testing.T) {
	tests := []struct{ syntax, want string }{
		{"", ""},
		{"key", "key:key"},
		{"key [key ...]", "key:key*"},
		{"key value [key value ...]", "key_value:block*(key:key value:string)"},
		{"[username] password", "username:string? password:string"},
		{"key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]",
			"key:key value:string condition:oneof?(nx:pure-token=NX xx:pure-token=XX) get:pure-token=GET? " +
				"expiration:oneof?(seconds:integer=EX milliseconds:integer=PX unix-time-seconds:unix-time=EXAT " +
				"unix-time-milliseconds:unix-time=PXAT keepttl:pure-token=KEEPTTL)"},
		{"key seconds [NX | XX | GT | LT]", "key:key seconds:integer condition:oneof?(nx:pure-token=NX xx:pure-token=XX gt:pure-token=GT lt:pure-token=LT)"},
		{"[protover [AUTH username password] [SETNAME clientname]]",
			"arguments:block?(protover:integer username_password:block=AUTH?(username:string password:string) clientname:string=SETNAME?)"},
		{"[ID client-id [client-id ...]]", "client-id:integer=ID?*"},
		{"[section [section ...]]", "section:string?*"},
		{"<ON | OFF>", "on_off:oneof(on:pure-token=ON off:pure-token=OFF)"},
		{"ON | OFF", "on_off:oneof(on:pure-token=ON off:pure-token=OFF)"},
		{"cursor [MATCH pattern] [COUNT count] [TYPE type]", "cursor:string pattern:pattern=MATCH? count:integer=COUNT? type:string=TYPE?"},
		{"[ASYNC | SYNC]", "async:oneof?(async:pure-token=ASYNC sync:pure-token=SYNC)"},
		{"key [LIMIT offset count]", "key:key offset_count:block=LIMIT?(offset:integer count:integer)"},
		{"[key", "key:key?"},
		{"key]] |", "key:key"},
	}
	for _, tt := range tests {
		if got := renderDocs(parseSyntax(tt.syntax)); got != tt.want {
			t.Errorf("parseSyntax(%q)\n got %s\nwant %s", tt.syntax, got, tt.want)
		}
	}
}

// Every row's Syntax must give a usable tree: names and known types.
func TestTableSyntaxParses(t *testing.T) {
	s := New(newTestConfig(), Options{})
	defer s.Close()
	types := map[string]bool{"key": true, "string": true, "integer": true, "double": true, "pattern": true,
		"unix-time": true, "pure-token": true, "oneof": true, "block": true}
	var check func(cmd string, args []*argDoc)
	check = func(cmd string, args []*argDoc) {
		for _, a := range args {
			if a.Name == "" || !types[a.Type] {
				t.Errorf("%s: bad argument doc %+v", cmd, a)
			}
			if (a.Type == "oneof" || a.Type == "block") != (len(a.Args) > 0) {
				t.Errorf("%s: %s %q has children %d", cmd, a.Type, a.Name, len(a.Args))
			}
			check(cmd, a.Args)
		}
	}
	for _, cmd := range s.table.allCommands() {
		args := parseSyntax(cmd.Syntax)
		check(cmd.Name, args)
		if cmd.Syntax != "" && len(args) == 0 {
			t.Errorf("%s: syntax %q gave no arguments", cmd.Name, cmd.Syntax)
		}
	}
}

func FuzzParseSyntax(f *testing.F) {
	for _, s := range []string{"key [key ...]", "[a | <B c | D>] [E [e ...]]", "[[[", "]]]", "| | ...", "A... b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var walk func(args []*argDoc, depth int)
		walk = func(args []*argDoc, depth int) {
			if depth > len(s)+1 {
				t.Fatalf("tree deeper than the input")
			}
			for _, a := range args {
				walk(a.Args, depth+1)
			}
		}
		walk(parseSyntax(s), 0)
	})
}
