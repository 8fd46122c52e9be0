package replication

import (
	"bytes"
	"errors"
	"runtime"
	"strconv"
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

// TestLogReusesChunks: chunks that fall out of the backlog are reused, so
// a steady stream allocates nothing per chunk; but the slices a follower
// cut off holds from Peek keep their bytes until it is closed, and a live
// follower reads every byte in order throughout.
func TestLogReusesChunks(t *testing.T) {
	l := NewLog(0, 2*chunkSize)
	e := eff(0, "SET", "k", strings.Repeat("v", 1000))
	cmd := AppendCommand(nil, e.Args...)
	live, err := l.Follow(0, Limit{})
	if err != nil {
		t.Fatal(err)
	}
	var got []byte
	p := make([]byte, 4096)
	appends := 0
	step := func() {
		l.Append(e)
		appends++
		for {
			n, _, err := live.Next(p)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				return
			}
			got = append(got, p[:n]...)
		}
	}
	for range 200 { // 200 KB: the backlog is 32 KB, so chunks cycle
		step()
	}
	// with no follower, the backlog alone holds chunks
	alone := NewLog(0, 2*chunkSize)
	for range 200 {
		alone.Append(e)
	}
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	for range 2000 { // 2 MB, 120 chunks: each once allocated
		alone.Append(e)
	}
	runtime.ReadMemStats(&m1)
	if n := m1.Mallocs - m0.Mallocs; n > 10 {
		t.Fatalf("2000 appends (120 chunks) allocated %d objects", n)
	}

	// a follower at the end is cut off (hard limit) holding Peek's slices
	slow, err := l.Follow(l.Offset(), Limit{Hard: chunkSize})
	if err != nil {
		t.Fatal(err)
	}
	step()
	segs, _, err := slow.Peek(1 << 20)
	if err != nil || len(segs) == 0 {
		t.Fatalf("Peek: %d segments, %v", len(segs), err)
	}
	held := bytes.Clone(bytes.Join(segs, nil))
	for range 200 { // far past its limit and the backlog
		step()
	}
	if _, _, err := slow.Peek(1); !errors.Is(err, ErrCutOff) {
		t.Fatalf("the slow follower was not cut off: %v", err)
	}
	if !bytes.Equal(bytes.Join(segs, nil), held) {
		t.Fatal("a chunk a cut-off follower still held was reused before it closed")
	}
	slow.Close()
	slow.Close() // twice is harmless
	free := len(l.free)
	for range 200 {
		step()
	}
	if len(l.free) == 0 && free == 0 {
		t.Fatal("no chunk is reused after the cut-off follower closed")
	}
	want := AppendCommand(nil, []byte("SELECT"), []byte("0"))
	want = append(want, bytes.Repeat(cmd, appends)...)
	if !bytes.Equal(got, want) {
		t.Fatalf("the live follower read %d bytes, not the %d appended", len(got), len(want))
	}
}

// TestLogGroup: a group is one MULTI ... EXEC, with SELECT before MULTI
// when its first effect changes the database and inside it when a later
// one does; the next effect knows the database the group left.
func TestLogGroup(t *testing.T) {
	l := NewLog(0, 1<<20)
	f, err := l.Follow(0, Limit{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	l.Append(eff(0, "SET", "a", "1"))
	l.AppendGroup([]storage.Effect{eff(2, "DEL", "d"), eff(2, "SADD", "d", "x"), eff(3, "DEL", "e")})
	l.Append(eff(3, "SET", "b", "2"))
	l.AppendGroup(nil)
	want := "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n" +
		"*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n*1\r\n$5\r\nMULTI\r\n" +
		"*2\r\n$3\r\nDEL\r\n$1\r\nd\r\n*3\r\n$4\r\nSADD\r\n$1\r\nd\r\n$1\r\nx\r\n" +
		"*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n*2\r\n$3\r\nDEL\r\n$1\r\ne\r\n*1\r\n$4\r\nEXEC\r\n" +
		"*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n"
	if got := string(readAll(t, f)); got != want {
		t.Fatalf("stream %q\nwant %q", got, want)
	}
	if l.Offset() != int64(len(want)) {
		t.Fatalf("offset %d, want %d", l.Offset(), len(want))
	}
}

// TestLogStreamBytes: effects of every size, in several databases, read
// back as exactly their commands (with SELECTs where the database
// changes), whether they fit in the chunk being filled or cross into the
// next; CommandSize agrees with AppendCommand throughout.
func TestLogStreamBytes(t *testing.T) {
	l := NewLog(0, 1<<30)
	f, err := l.Follow(0, Limit{})
	if err != nil {
		t.Fatal(err)
	}
	var want []byte
	db := -1
	for i := range 3000 {
		args := [][]byte{[]byte("SET"), []byte("k" + strconv.Itoa(i)), []byte(strings.Repeat("v", i*7%(chunkSize+300)))}
		if i%13 == 0 { // an argument count of two digits
			for j := range 9 {
				args = append(args, []byte(strconv.Itoa(j)))
			}
		}
		if n := CommandSize(args...); n != len(AppendCommand(nil, args...)) {
			t.Fatalf("CommandSize %d, encoding %d bytes", n, len(AppendCommand(nil, args...)))
		}
		e := storage.Effect{DB: i / 1000, Args: args}
		if e.DB != db {
			want = AppendCommand(want, []byte("SELECT"), []byte(strconv.Itoa(e.DB)))
			db = e.DB
		}
		want = AppendCommand(want, args...)
		l.Append(e)
	}
	got := readAll(t, f)
	if !bytes.Equal(got, want) || l.Offset() != int64(len(want)) {
		t.Fatalf("read %d bytes (offset %d), want %d, equal %v", len(got), l.Offset(), len(want), bytes.Equal(got, want))
	}
}
