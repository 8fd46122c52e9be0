package main

import (
	"bufio"
	"strings"
	"testing"

	"sessiond/bench/internal/resp"
)

func TestAppendKeyCommand(t *testing.T) {
	buf := appendKeyCommand(nil, "get", 42, nil)
	buf = appendKeyCommand(buf, "set", 999999999999, []byte("abc"))
	r := bufio.NewReader(strings.NewReader(string(buf)))
	for _, want := range [][]string{{"GET", "key:000000000042"}, {"SET", "key:999999999999", "abc"}} {
		rep, err := resp.Read(r)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Array) != len(want) {
			t.Fatalf("got %+v, want %q", rep, want)
		}
		for i, w := range want {
			if rep.Array[i].Str != w {
				t.Fatalf("arg %d: got %q, want %q", i, rep.Array[i].Str, w)
			}
		}
	}
}
