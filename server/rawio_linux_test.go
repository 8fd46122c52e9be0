package server

import (
	"bytes"
	"io"
	"net"
	"testing"
)

// rawPair returns both ends of a loopback TCP connection, closed at the
// test's end, and the raw reader/writer of the server end.
func rawPair(t *testing.T) (client, srv net.Conn, r *rawIO) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	srv, err = ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	if r = newRawIO(srv); r == nil {
		t.Fatal("newRawIO returned nil for a TCP connection")
	}
	return client, srv, r
}

// TestRawIONoAllocs checks that a read and a write through rawIO allocate
// nothing: per-call garbage on the request path makes the collector run
// in proportion to the request rate.
func TestRawIONoAllocs(t *testing.T) {
	client, _, r := rawPair(t)
	req, pong := []byte("*1\r\n$4\r\nPING\r\n"), []byte("+PONG\r\n")
	in, out := make([]byte, 64), make([]byte, len(pong))
	round := func() {
		if _, err := client.Write(req); err != nil {
			t.Fatal(err)
		}
		got := 0
		for got < len(req) {
			n, err := r.Read(in[got:])
			if err != nil {
				t.Fatal(err)
			}
			got += n
		}
		if _, err := r.Write(pong); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(client, out); err != nil {
			t.Fatal(err)
		}
	}
	round() // the first wait registers the socket with the poller
	if allocs := testing.AllocsPerRun(200, round); allocs > 0 {
		t.Fatalf("a read and a write through rawIO allocate %.1f objects, want 0", allocs)
	}
	if string(out) != "+PONG\r\n" {
		t.Fatalf("client read %q", out)
	}
	client.Close()
	if n, err := r.Read(in); err != io.EOF {
		t.Fatalf("read after the peer closed = %d, %v; want io.EOF", n, err)
	}
}

// TestRequestPathNoAllocs runs SET over an existing key and GET through a
// real server and checks the whole process allocates nothing per pair: a
// steady GET/SET load must leave the collector idle.
func TestRequestPathNoAllocs(t *testing.T) {
	_, addr := startServer(t, nil, nil)
	c := dial(t, addr)
	if got := c.do("SET", "session:1", "0123456789abcdef"); got != "+OK\r\n" {
		t.Fatalf("SET = %q", got)
	}
	req := []byte("*3\r\n$3\r\nSET\r\n$9\r\nsession:1\r\n$16\r\nfedcba9876543210\r\n" +
		"*2\r\n$3\r\nGET\r\n$9\r\nsession:1\r\n")
	want := "+OK\r\n$16\r\nfedcba9876543210\r\n"
	got := make([]byte, len(want))
	round := func() {
		if _, err := c.c.Write(req); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(c.c, got); err != nil {
			t.Fatal(err)
		}
	}
	round()
	// Below one object per two pairs: a background tick may allocate now and then.
	if allocs := testing.AllocsPerRun(500, round); allocs >= 0.5 {
		t.Fatalf("SET and GET allocate %.2f objects per pair, want none", allocs)
	}
	if string(got) != want {
		t.Fatalf("replies %q, want %q", got, want)
	}
}

// TestRawIOWritev sends more segments than one writev takes and more bytes
// than the socket buffers hold, so Writev meets partial writes, segments
// cut in the middle and EAGAIN; the reader must see every byte in order.
func TestRawIOWritev(t *testing.T) {
	client, srv, r := rawPair(t)
	var segs [][]byte
	var want []byte
	for i := range 3000 {
		seg := make([]byte, i%7*1000) // some empty, most not
		for j := range seg {
			seg[j] = byte(i + j)
		}
		segs = append(segs, seg)
		want = append(want, seg...)
	}
	got := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(client)
		got <- b
	}()
	n, err := r.Writev(segs)
	if err != nil || n != len(want) {
		t.Fatalf("Writev: %d, %v; want %d", n, err, len(want))
	}
	srv.Close()
	if b := <-got; !bytes.Equal(b, want) {
		t.Fatalf("the reader got %d bytes, not the %d written in order", len(b), len(want))
	}
}
