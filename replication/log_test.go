package replication

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"sessiond/storage"
)

func eff(db int, args ...string) storage.Effect {
	e := storage.Effect{DB: db}
	for _, a := range args {
		e.Args = append(e.Args, []byte(a))
	}
	return e
}

// readAll drains a follower.
func readAll(t *testing.T, f *Follower) []byte {
	t.Helper()
	var out []byte
	p := make([]byte, 7) // small, to cross chunk and call boundaries
	for {
		n, wake, err := f.Next(p)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			if wake == nil {
				t.Fatal("no bytes and no wake channel")
			}
			return out
		}
		out = append(out, p[:n]...)
	}
}

// The stream is the effects as RESP commands, with a SELECT whenever the
// database changes (and after Reselect), counted in bytes from the start.
func TestLogStream(t *testing.T) {
	l := NewLog(5000, 1<<20)
	f, err := l.Follow(5000, Limit{Hard: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	l.Append(eff(0, "SET", "k", "v"))
	l.Append(eff(0, "DEL", "k"))
	l.Append(eff(3, "PEXPIREAT", "k", "123"))
	l.Reselect()
	l.Append(eff(3, "DEL", "k"))
	want := "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n" +
		"*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n" +
		"*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nk\r\n$3\r\n123\r\n" +
		"*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n"
	if got := string(readAll(t, f)); got != want {
		t.Fatalf("stream\n%q\nwant\n%q", got, want)
	}
	if l.Offset() != 5000+int64(len(want)) || f.Pos() != l.Offset() {
		t.Fatalf("offset %d, follower at %d, want %d", l.Offset(), f.Pos(), 5000+len(want))
	}
	// caught up: the wake channel closes at the next append
	_, wake, _ := f.Next(make([]byte, 10))
	select {
	case <-wake:
		t.Fatal("woken with nothing appended")
	default:
	}
	l.AppendRaw([]byte("*1\r\n$4\r\nPING\r\n"))
	<-wake
	if got := string(readAll(t, f)); got != "*1\r\n$4\r\nPING\r\n" {
		t.Fatalf("after PING: %q", got)
	}
}

// Without followers the log keeps the backlog and no more; a follower
// keeps what it has not read, up to its limit, and is then cut off.
func TestLogBacklogAndLimits(t *testing.T) {
	l := NewLog(0, 40<<10)
	val := strings.Repeat("v", 1000)
	for range 500 {
		l.Append(eff(0, "SET", "k", val))
	}
	end := l.Offset()
	if l.Has(0) || !l.Has(end-40<<10) || !l.Has(end) || l.Has(end+1) {
		t.Fatalf("Has: 0 %v, end-backlog %v, end %v", l.Has(0), l.Has(end-40<<10), l.Has(end))
	}
	if _, err := l.Follow(0, Limit{Hard: 1 << 20}); !errors.Is(err, ErrTooOld) {
		t.Fatalf("Follow(0): %v", err)
	}
	held := func() int {
		n := 0
		for _, c := range l.chunks {
			n += len(c)
		}
		return n
	}
	if h := held(); h > 40<<10+chunkSize {
		t.Fatalf("no follower, backlog 40 KiB: %d bytes held", h)
	}
	slow, _ := l.Follow(end, Limit{Hard: 200 << 10})
	fast, _ := l.Follow(end, Limit{Hard: 200 << 10})
	for range 150 { // 150 KB: within the slow follower's limit
		l.Append(eff(0, "SET", "k", val))
		readAll(t, fast)
	}
	if h := held(); h < 150_000 {
		t.Fatalf("a follower's unread bytes were dropped: %d held", h)
	}
	got := readAll(t, slow)
	if !bytes.HasPrefix(got, []byte("*3\r\n$3\r\nSET")) || int64(len(got)) != l.Offset()-end {
		t.Fatalf("slow follower read %d bytes, want %d", len(got), l.Offset()-end)
	}
	for range 250 { // 250 KB unread: past its limit
		l.Append(eff(0, "SET", "k", val))
		readAll(t, fast)
	}
	if _, _, err := slow.Next(make([]byte, 10)); !errors.Is(err, ErrCutOff) {
		t.Fatalf("slow follower past its limit: %v", err)
	}
	if h := held(); h > 40<<10+chunkSize {
		t.Fatalf("after the cut-off: %d bytes held", h)
	}
	fast.Close()
}

// The soft limit cuts a follower off only once its unread bytes stayed
// past it for longer than its time.
func TestLogSoftLimit(t *testing.T) {
	now := time.Unix(1000, 0)
	l := NewLog(0, 1<<10)
	l.SetClock(func() time.Time { return now })
	f, _ := l.Follow(0, Limit{Hard: 1 << 20, Soft: 10 << 10, SoftFor: 60 * time.Second})
	val := strings.Repeat("v", 1000)
	for range 20 { // 20 KB unread: past the soft limit
		l.Append(eff(0, "SET", "k", val))
	}
	now = now.Add(59 * time.Second)
	l.Append(eff(0, "SET", "k", val))
	if _, _, err := f.Next(make([]byte, 1)); err != nil {
		t.Fatalf("cut off within its 60 s: %v", err)
	}
	readAll(t, f) // back under: the soft clock starts over
	for range 20 {
		l.Append(eff(0, "SET", "k", val))
	}
	now = now.Add(59 * time.Second)
	l.Append(eff(0, "SET", "k", val))
	if _, _, err := f.Next(make([]byte, 1)); err != nil {
		t.Fatalf("the soft clock did not start over: %v", err)
	}
	now = now.Add(2 * time.Second)
	l.Append(eff(0, "SET", "k", val))
	if _, _, err := f.Next(make([]byte, 1)); !errors.Is(err, ErrCutOff) {
		t.Fatalf("past the soft limit for 61 s: %v", err)
	}
}
