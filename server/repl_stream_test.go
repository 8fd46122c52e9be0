package server

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"sessiond/replication"
)

// TestStreamParser reads a stream of commands, a keepalive and a value
// bigger than the parser keeps: every command comes back whole with its
// exact byte count, and the args of one command stay intact while later
// args of the same command grow the buffer.
func TestStreamParser(t *testing.T) {
	big := strings.Repeat("v", maxKeptStreamBuf+10)
	cmds := [][]string{
		{"SELECT", "3"},
		{"SET", "k", "v", "PXAT", "1700000000000"},
		nil, // a keepalive newline
		{"HSET", "h", "f", big, "g", "x"},
		{"DEL", "k"},
		{"PING"},
	}
	var stream []byte
	var sizes []int
	for _, c := range cmds {
		before := len(stream)
		if c == nil {
			stream = append(stream, '\n')
		} else {
			bs := make([][]byte, len(c))
			for i, a := range c {
				bs[i] = []byte(a)
			}
			stream = replication.AppendCommand(stream, bs...)
		}
		sizes = append(sizes, len(stream)-before)
	}
	// a small bufio buffer makes every bulk span several reads
	br := bufio.NewReaderSize(bytes.NewReader(stream), 16)
	var sp streamParser
	for i, want := range cmds {
		args, n, err := sp.next(br)
		if err != nil {
			t.Fatalf("command %d: %v", i, err)
		}
		if n != sizes[i] {
			t.Fatalf("command %d: %d bytes, want %d", i, n, sizes[i])
		}
		got := make([]string, len(args))
		for j, a := range args {
			got[j] = string(a)
		}
		if strings.Join(got, " ") != strings.Join(want, " ") || len(got) != len(want) {
			t.Fatalf("command %d: got %.60q, want %.60q", i, got, want)
		}
	}
	if _, _, err := sp.next(br); !errors.Is(err, io.EOF) {
		t.Fatalf("after the stream: %v, want EOF", err)
	}
	if cap(sp.buf) > maxKeptStreamBuf {
		sp.next(bufio.NewReader(strings.NewReader("\n")))
		if cap(sp.buf) > maxKeptStreamBuf {
			t.Fatalf("the parser kept a %d-byte buffer", cap(sp.buf))
		}
	}
}

// FuzzStreamParser feeds arbitrary bytes as a primary's stream: the parser
// never panics, always makes progress, and never counts more bytes than
// it was given.
func FuzzStreamParser(f *testing.F) {
	f.Add([]byte("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n\n*1\r\n$4\r\nPING\r\n"))
	f.Add([]byte("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$-1\r\n"))
	f.Add([]byte("*1\r\n$3\r\nabcde\r\n"))
	f.Add([]byte("+FULLRESYNC\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		br := bufio.NewReaderSize(bytes.NewReader(data), 16)
		var sp streamParser
		total := 0
		for {
			args, n, err := sp.next(br)
			if err != nil {
				break
			}
			if n <= 0 {
				t.Fatalf("a command of %d bytes (%q)", n, args)
			}
			total += n
		}
		if total > len(data) {
			t.Fatalf("counted %d bytes of %d", total, len(data))
		}
	})
}
