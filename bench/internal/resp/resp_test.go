package resp

import (
	"bufio"
	"net"
	"strconv"
	"strings"
	"testing"
)

func TestAppendCommand(t *testing.T) {
	got := string(AppendCommand(nil, "SET", "k", ""))
	want := "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n"
	if got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestReadAndSkip(t *testing.T) {
	const in = "+OK\r\n-ERR bad\r\n:42\r\n$3\r\nabc\r\n$-1\r\n*2\r\n$1\r\nx\r\n:7\r\n*-1\r\n"
	r := bufio.NewReader(strings.NewReader(in))
	want := []Reply{
		{Kind: '+', Str: "OK"},
		{Kind: '-', Str: "ERR bad"},
		{Kind: ':', Int: 42},
		{Kind: '$', Str: "abc"},
		{Kind: '$', Nil: true},
		{Kind: '*', Array: []Reply{{Kind: '$', Str: "x"}, {Kind: ':', Int: 7}}},
		{Kind: '*', Nil: true},
	}
	for i, w := range want {
		got, err := Read(r)
		if err != nil {
			t.Fatalf("reply %d: %v", i, err)
		}
		if got.Kind != w.Kind || got.Str != w.Str || got.Int != w.Int || got.Nil != w.Nil || len(got.Array) != len(w.Array) {
			t.Fatalf("reply %d: got %+v, want %+v", i, got, w)
		}
	}

	r = bufio.NewReader(strings.NewReader(in))
	for i := range want {
		err := Skip(r)
		if _, isServer := err.(ServerError); err != nil && !(i == 1 && isServer) {
			t.Fatalf("skip %d: %v", i, err)
		}
	}
	if _, err := r.ReadByte(); err == nil {
		t.Fatal("Skip left bytes unread")
	}
}

func TestInfoField(t *testing.T) {
	client, server := net.Pipe()
	defer client.Close()
	info := "# Memory\r\nused_memory:1024\r\nmaxmemory_policy:allkeys-lfu\r\n"
	go func() {
		defer server.Close()
		r := bufio.NewReader(server)
		for range 2 {
			if _, err := Read(r); err != nil {
				return
			}
			if _, err := server.Write([]byte("$" + strconv.Itoa(len(info)) + "\r\n" + info + "\r\n")); err != nil {
				return
			}
		}
	}()
	c := &Conn{Conn: client, R: bufio.NewReader(client), W: bufio.NewWriter(client)}
	if v, ok := c.InfoField("memory", "maxmemory_policy"); !ok || v != "allkeys-lfu" {
		t.Errorf("maxmemory_policy = %q, %v", v, ok)
	}
	if v, ok := c.InfoField("memory", "evicted_keys"); ok {
		t.Errorf("evicted_keys found: %q", v)
	}
}

// TestPipeline: every command reaches the server in order, in batches, and
// an error reply stops the load at its batch.
func TestPipeline(t *testing.T) {
	client, server := net.Pipe()
	defer client.Close()
	got := make(chan []string, 1)
	go func() {
		defer server.Close()
		r := bufio.NewReader(server)
		var keys []string
		defer func() { got <- keys }()
		for {
			rep, err := Read(r)
			if err != nil {
				return
			}
			keys = append(keys, rep.Array[1].Str)
			answer := "+OK\r\n"
			if rep.Array[1].Str == "k7" {
				answer = "-ERR no\r\n"
			}
			if _, err := server.Write([]byte(answer)); err != nil {
				return
			}
		}
	}()
	c := &Conn{Conn: client, R: bufio.NewReader(client), W: bufio.NewWriter(client)}
	cmd := func(buf []byte, i int) []byte { return AppendCommand(buf, "SET", "k"+strconv.Itoa(i), "v") }
	if err := c.Pipeline(5, 2, cmd); err != nil {
		t.Fatal(err)
	}
	err := c.Pipeline(10, 3, func(buf []byte, i int) []byte { return cmd(buf, i+5) })
	if _, ok := err.(ServerError); !ok || err.Error() != "ERR no" {
		t.Fatalf("error reply: got %v", err)
	}
	client.Close()
	keys := <-got
	// batches k0-k1, k2-k3, k4; then k5-k7, whose k7 failed: k8 on never went
	want := []string{"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7"}
	if strings.Join(keys, ",") != strings.Join(want, ",") {
		t.Fatalf("server saw %v, want %v", keys, want)
	}
}
