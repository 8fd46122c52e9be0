package server

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// chunkReader delivers data in reads whose sizes come from size. With now
// set it also answers ReadNow (as a socket does for the connection loop),
// finding bytes waiting on every other call.
type chunkReader struct {
	data     []byte
	size     func() int
	reads    int
	now      bool
	nowCalls int
}

func (c *chunkReader) ReadNow(p []byte) (int, error) {
	c.nowCalls++
	if !c.now || c.nowCalls%2 == 0 || len(c.data) == 0 {
		return 0, nil
	}
	return c.Read(p)
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := min(max(c.size(), 1), len(p), len(c.data))
	copy(p, c.data[:n])
	c.data = c.data[n:]
	c.reads++
	return n, nil
}

func wholeReads() int { return 1 << 30 }
func byteReads() int  { return 1 }
func randomReads(seed uint64) func() int {
	rng := rand.New(rand.NewPCG(seed, 1))
	return func() int { return 1 + rng.IntN(17) }
}

// parseAll runs the connection loop (next until nil, then fillNow when the
// buffer was full, else fill) over src and returns every command and the error that ended the stream (io.EOF when
// the input simply ran out).
func parseAll(src io.Reader, lim Limits, unauthed bool) ([][]string, *reader, error) {
	rd := newReader(src, lim)
	rd.unauthed = unauthed
	var cmds [][]string
	for {
		for {
			args, err := rd.next()
			if err != nil {
				return cmds, rd, err
			}
			if args == nil {
				break
			}
			cmd := make([]string, len(args))
			for i, a := range args {
				cmd[i] = string(a)
			}
			cmds = append(cmds, cmd)
		}
		if rd.full() && rd.fillNow() {
			continue
		}
		if err := rd.fill(); err != nil {
			return cmds, rd, err
		}
	}
}

// splits are the read patterns every table case is run with.
var splits = []struct {
	name string
	size func() int
}{
	{"whole", wholeReads},
	{"bytes", byteReads},
	{"random1", randomReads(1)},
	{"random2", randomReads(2)},
	{"random3", randomReads(3)},
}

// TestReaderPipelineLargerThanARead sends a pipeline of 40 commands of 1 KiB
// in reads of 16 KiB with more waiting behind each: the connection loop
// takes the rest with fillNow before replying, the buffer grows once to fit
// such a batch in one read, and every command comes out whole.
func TestReaderPipelineLargerThanARead(t *testing.T) {
	val := strings.Repeat("v", 1024)
	var in strings.Builder
	var want [][]string
	for i := range 40 {
		key := "key:" + itoa(int64(i))
		in.WriteString("*3\r\n$3\r\nSET\r\n$" + itoa(int64(len(key))) + "\r\n" + key + "\r\n$1024\r\n" + val + "\r\n")
		want = append(want, []string{"SET", key, val})
	}
	src := &chunkReader{data: []byte(in.String()), size: func() int { return minRead }, now: true}
	got, rd, err := parseAll(src, DefaultLimits(), false)
	if err != io.EOF {
		t.Fatalf("error %v, want io.EOF", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %d commands, want %d (or they differ)", len(got), len(want))
	}
	if len(rd.buf) != 2*minRead {
		t.Fatalf("buffer is %d bytes, want %d after a read filled it mid-command", len(rd.buf), 2*minRead)
	}
	if src.nowCalls == 0 {
		t.Fatal("fillNow never read although reads filled the buffer")
	}
}

func errText(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func TestReaderCommandsAcrossSplits(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want [][]string
	}{
		{"multibulk", "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n", [][]string{{"SET", "k", "hello"}}},
		{"pipeline", "*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$0\r\n\r\n*1\r\n$4\r\nPING\r\n",
			[][]string{{"PING"}, {"ECHO", ""}, {"PING"}}},
		{"binary bulk", "*2\r\n$4\r\nECHO\r\n$4\r\n\r\n\x00*\r\n", [][]string{{"ECHO", "\r\n\x00*"}}},
		{"bulk terminator unchecked", "*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n", [][]string{{"PING"}, {"PING"}}},
		{"inline", "SET a b\r\nGET a\n", [][]string{{"SET", "a", "b"}, {"GET", "a"}}},
		{"inline blank lines", "\r\n   \r\n\n\nPING\n", [][]string{{"PING"}}},
		{"inline quotes", `SET "a b" 'c\'d'` + "\r\n", [][]string{{"SET", "a b", "c'd"}}},
		{"mixed", "PING\r\n*2\r\n$3\r\nGET\r\n$1\r\nx\r\nECHO  x\t y \r\n",
			[][]string{{"PING"}, {"GET", "x"}, {"ECHO", "x", "y"}}},
		{"empty multibulk ignored", "*0\r\n*-1\r\n*-5\r\nPING\r\n*0\r\n", [][]string{{"PING"}}},
		{"incomplete tail", "PING\r\n*2\r\n$3\r\nGET\r\n$1\r\n", [][]string{{"PING"}}},
	}
	for _, tc := range cases {
		for _, sp := range splits {
			t.Run(tc.name+"/"+sp.name, func(t *testing.T) {
				got, _, err := parseAll(&chunkReader{data: []byte(tc.in), size: sp.size}, DefaultLimits(), false)
				if err != io.EOF {
					t.Fatalf("error %v, want io.EOF", err)
				}
				if !reflect.DeepEqual(got, tc.want) {
					t.Fatalf("commands %q, want %q", got, tc.want)
				}
			})
		}
	}
}

func TestReaderProtocolErrors(t *testing.T) {
	small := DefaultLimits()
	small.MaxBulk = 100
	small.MaxMultibulk = 5
	cases := []struct {
		name string
		in   string
		lim  Limits
		want string   // Error() text
		cmds []string // command names returned before the error
	}{
		{"bulk length overflow", "*1\r\n$9223372036854775807\r\n", DefaultLimits(), "Protocol error: invalid bulk length", nil},
		{"bulk length over int64", "*1\r\n$9223372036854775808\r\n", DefaultLimits(), "Protocol error: invalid bulk length", nil},
		{"bulk length over limit", "*1\r\n$101\r\n", small, "Protocol error: invalid bulk length", nil},
		{"bulk length negative", "*1\r\n$-1\r\n", DefaultLimits(), "Protocol error: invalid bulk length", nil},
		{"bulk length leading zero", "*1\r\n$04\r\nPING\r\n", DefaultLimits(), "Protocol error: invalid bulk length", nil},
		{"bulk length plus", "*1\r\n$+4\r\nPING\r\n", DefaultLimits(), "Protocol error: invalid bulk length", nil},
		{"bulk length space", "*1\r\n$ 4\r\nPING\r\n", DefaultLimits(), "Protocol error: invalid bulk length", nil},
		{"bulk length empty", "*1\r\n$\r\n", DefaultLimits(), "Protocol error: invalid bulk length", nil},
		{"multibulk overflow", "*9223372036854775807\r\n", DefaultLimits(), "Protocol error: invalid multibulk length", nil},
		{"multibulk over INT_MAX", "*2147483648\r\n", DefaultLimits(), "Protocol error: invalid multibulk length", nil},
		{"multibulk over limit", "*6\r\n", small, "Protocol error: invalid multibulk length", nil},
		{"multibulk leading zero", "*01\r\n", DefaultLimits(), "Protocol error: invalid multibulk length", nil},
		{"multibulk minus zero", "*-0\r\n", DefaultLimits(), "Protocol error: invalid multibulk length", nil},
		{"multibulk empty", "*\r\n", DefaultLimits(), "Protocol error: invalid multibulk length", nil},
		{"multibulk trailing space", "*1 \r\n", DefaultLimits(), "Protocol error: invalid multibulk length", nil},
		{"expected dollar", "PING\r\n*1\r\nx\r\n", DefaultLimits(), "Protocol error: expected '$', got 'x'", []string{"PING"}},
		{"expected dollar after bulk", "*2\r\n$4\r\nECHO\r\n:1\r\n", DefaultLimits(), "Protocol error: expected '$', got ':'", nil},
		{"too big inline", strings.Repeat("a", 64<<10+1), DefaultLimits(), "Protocol error: too big inline request", nil},
		{"too big inline line", strings.Repeat("a", 64<<10+1) + "\r\n", DefaultLimits(), "Protocol error: too big inline request", nil},
		{"too big mbulk count", "*" + strings.Repeat("1", 64<<10+1), DefaultLimits(), "Protocol error: too big mbulk count string", nil},
		{"too big bulk count", "*1\r\n$" + strings.Repeat("1", 64<<10+1), DefaultLimits(), "Protocol error: too big bulk count string", nil},
		{"too big bulk count no dollar", "*1\r\n" + strings.Repeat("x", 64<<10+1), DefaultLimits(), "Protocol error: too big bulk count string", nil},
		{"unbalanced double", "ECHO \"a\r\n", DefaultLimits(), "Protocol error: unbalanced quotes in request", nil},
		{"unbalanced single", "ECHO 'a\r\n", DefaultLimits(), "Protocol error: unbalanced quotes in request", nil},
		{"quote then letter", "ECHO \"a\"b\r\n", DefaultLimits(), "Protocol error: unbalanced quotes in request", nil},
		{"escaped closing quote", "ECHO \"a\\\"\r\n", DefaultLimits(), "Protocol error: unbalanced quotes in request", nil},
	}
	for _, tc := range cases {
		for _, sp := range splits {
			t.Run(tc.name+"/"+sp.name, func(t *testing.T) {
				got, _, err := parseAll(&chunkReader{data: []byte(tc.in), size: sp.size}, tc.lim, false)
				var pe *protoError
				if !errors.As(err, &pe) {
					t.Fatalf("error %v, want a protocol error", err)
				}
				if err.Error() != tc.want {
					t.Fatalf("error %q, want %q", err.Error(), tc.want)
				}
				var names []string
				for _, c := range got {
					names = append(names, c[0])
				}
				if !reflect.DeepEqual(names, tc.cmds) {
					t.Fatalf("commands before the error %q, want %q", names, tc.cmds)
				}
			})
		}
	}
}

// A header without its CR is not judged until it is complete, as in Redis.
func TestReaderWaitsForHeaderLine(t *testing.T) {
	for _, in := range []string{"*1\r\nxyz", "*1\r\n$12", "*12", "PING"} {
		got, _, err := parseAll(&chunkReader{data: []byte(in), size: byteReads}, DefaultLimits(), false)
		if err != io.EOF || len(got) != 0 {
			t.Errorf("%q: commands %q error %v, want none and io.EOF", in, got, err)
		}
	}
}

func TestReaderUnauthenticatedLimits(t *testing.T) {
	cases := []struct {
		in, want string
	}{
		{"*11\r\n", "Protocol error: unauthenticated multibulk length"},
		{"*2000000\r\n", "Protocol error: unauthenticated multibulk length"},
		{"*10\r\n", "EOF"},
		{"*1\r\n$16385\r\n", "Protocol error: unauthenticated bulk length"},
		{"*1\r\n$16384\r\n", "EOF"},
		{"*1\r\n$999999999999\r\n", "Protocol error: invalid bulk length"},
	}
	for _, tc := range cases {
		_, _, err := parseAll(&chunkReader{data: []byte(tc.in), size: wholeReads}, DefaultLimits(), true)
		if errText(err) != tc.want {
			t.Errorf("%q: error %q, want %q", tc.in, errText(err), tc.want)
		}
		_, _, err = parseAll(&chunkReader{data: []byte(tc.in), size: wholeReads}, DefaultLimits(), false)
		if err == nil || strings.Contains(err.Error(), "unauthenticated") {
			t.Errorf("%q authenticated: error %v", tc.in, err)
		}
	}
}

func TestReaderHTTPClosesSilently(t *testing.T) {
	for _, in := range []string{
		"POST / HTTP/1.1\r\nHost: x\r\n\r\n",
		"host: example.com\r\n",
		"*1\r\n$4\r\npost\r\n",
		"*2\r\n$5\r\nHOST:\r\n$1\r\nx\r\n",
	} {
		for _, sp := range splits {
			cmds, _, err := parseAll(&chunkReader{data: []byte("PING\r\n" + in + "PING\r\n"), size: sp.size}, DefaultLimits(), false)
			if !errors.Is(err, errHTTP) {
				t.Fatalf("%q/%s: error %v, want errHTTP", in, sp.name, err)
			}
			if len(cmds) != 1 || cmds[0][0] != "PING" {
				t.Fatalf("%q/%s: commands %q, want only the PING before it", in, sp.name, cmds)
			}
		}
	}
	// GET is fine: only POST and Host: are refused.
	cmds, _, err := parseAll(strings.NewReader("GET / HTTP/1.1\r\n"), DefaultLimits(), false)
	if err != io.EOF || len(cmds) != 1 {
		t.Fatalf("GET line: %q %v", cmds, err)
	}
}

func TestReaderQueryBufferLimit(t *testing.T) {
	lim := DefaultLimits()
	lim.MaxQueryBuf = 1 << 10
	// The announced size decides, before the bytes arrive.
	for _, sp := range splits {
		_, _, err := parseAll(&chunkReader{data: []byte("*2\r\n$4\r\nECHO\r\n$2000\r\n"), size: sp.size}, lim, false)
		if !errors.Is(err, errQueryBuf) {
			t.Fatalf("%s: error %v, want errQueryBuf", sp.name, err)
		}
		// The limit counts the whole command, header lines included.
		in := "*3\r\n$4\r\nECHO\r\n$500\r\n" + strings.Repeat("a", 500) + "\r\n$500\r\n"
		_, _, err = parseAll(&chunkReader{data: []byte(in), size: sp.size}, lim, false)
		if !errors.Is(err, errQueryBuf) {
			t.Fatalf("%s: two bulks: error %v, want errQueryBuf", sp.name, err)
		}
		in = "*2\r\n$4\r\nECHO\r\n$900\r\n" + strings.Repeat("a", 900) + "\r\n"
		cmds, _, err := parseAll(&chunkReader{data: []byte(in), size: sp.size}, lim, false)
		if err != io.EOF || len(cmds) != 1 || len(cmds[0][1]) != 900 {
			t.Fatalf("%s: command under the limit: %d commands, error %v", sp.name, len(cmds), err)
		}
	}
}

// Args are capped slices: appending to one never overwrites the next.
func TestReaderArgsAreCapped(t *testing.T) {
	rd := newReader(strings.NewReader("*2\r\n$1\r\na\r\n$1\r\nb\r\n"), DefaultLimits())
	if err := rd.fill(); err != nil {
		t.Fatal(err)
	}
	args, err := rd.next()
	if err != nil || len(args) != 2 {
		t.Fatalf("%q %v", args, err)
	}
	_ = append(args[0], "XXXXXXXX"...)
	if string(args[1]) != "b" {
		t.Fatalf("second arg clobbered: %q", args[1])
	}
}

// A large argument delivered one byte per read is parsed in linear work:
// the bulk is never searched for a terminator, and the buffer is copied
// only while it grows geometrically.
func TestReaderLargeArgumentByteByByte(t *testing.T) {
	const size = 4 << 20
	in := []byte("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + strconv.Itoa(size) + "\r\n")
	in = append(in, bytes.Repeat([]byte("v"), size)...)
	in = append(in, "\r\n*1\r\n$4\r\nPING\r\n"...)
	src := &chunkReader{data: in, size: byteReads}
	cmds, rd, err := parseAll(src, DefaultLimits(), false)
	if err != io.EOF || len(cmds) != 2 || len(cmds[0][2]) != size || cmds[1][0] != "PING" {
		t.Fatalf("%d commands, error %v", len(cmds), err)
	}
	if src.reads != len(in) {
		t.Fatalf("%d reads for %d bytes", src.reads, len(in))
	}
	if rd.examined > 1000 {
		t.Errorf("searched %d bytes for line ends, want only the header lines", rd.examined)
	}
	if rd.copied > 3*size {
		t.Errorf("copied %d bytes while buffering a %d-byte argument", rd.copied, size)
	}
	t.Logf("reads %d, examined %d, copied %d", src.reads, rd.examined, rd.copied)
}

// A long inline line or header arriving a byte at a time is searched once.
func TestReaderLongLineByteByByte(t *testing.T) {
	line := "ECHO " + strings.Repeat("x", 64<<10-10)
	for _, in := range []string{
		line + "\r\n",
		"*1\r\n$" + strings.Repeat("0", 60<<10) + "1\r\nx\r\n", // invalid, but only once the line is complete
	} {
		_, rd, _ := parseAll(&chunkReader{data: []byte(in), size: byteReads}, DefaultLimits(), false)
		if rd.examined > int64(2*len(in)) {
			t.Errorf("searched %d bytes for a %d-byte input", rd.examined, len(in))
		}
	}
}

func TestSplitArgs(t *testing.T) {
	cases := []struct {
		line string
		want []string // nil: unbalanced quotes
	}{
		{``, []string{}},
		{`   `, []string{}},
		{`a b  c`, []string{"a", "b", "c"}},
		{"a\tb\vc", []string{"a", "b\vc"}}, // \v separates only between args
		{"\va", []string{"a"}},
		{`"a b" c`, []string{"a b", "c"}},
		{`""`, []string{""}},
		{`''`, []string{""}},
		{`"\x41\x4g\q\n\r\t\b\a\\\""`, []string{"Ax4gq\n\r\t\b\a\\\""}},
		{`"\x4"`, []string{"x4"}},
		{`'a\'b' 'c\d'`, []string{"a'b", `c\d`}},
		{`'e\\'`, nil}, // \' is an escaped quote even after a backslash
		{`a"b c"`, []string{"ab c"}},
		{`a'b c'`, []string{"ab c"}},
		{`"a"b`, nil},
		{`'a'b`, nil},
		{`a"b c"d`, nil},
		{`"a`, nil},
		{`'a`, nil},
		{`"a\"`, nil},
		{`"a\`, nil},
		{"\"a\"\v", []string{"a"}},
		{"\"a\"\tb", []string{"a", "b"}},
		{`SET "a b" 'c\'d'`, []string{"SET", "a b", "c'd"}},
		{"\"\xff\"", []string{"\xff"}},
		{"a\x00\x00\x00b", []string{"a"}}, // a NUL ends the line, as for a C string
		{"\x00a", []string{}},
		{"\"a\x00\"", nil},
		{`"\x00" b`, []string{"\x00", "b"}},
	}
	for _, tc := range cases {
		got, err := splitArgs([]byte(tc.line), nil)
		if tc.want == nil {
			if err != errUnbalanced {
				t.Errorf("%q: %q %v, want unbalanced quotes", tc.line, got, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.line, err)
			continue
		}
		gs := make([]string, len(got))
		for i, a := range got {
			gs[i] = string(a)
		}
		if !reflect.DeepEqual(gs, tc.want) {
			t.Errorf("%q: %q, want %q", tc.line, gs, tc.want)
		}
	}
}

// TestSplitArgsMatchesRedis sends inline lines to a real redis-server as
// RPUSH arguments and compares the list Redis stored with splitArgs.
func TestSplitArgsMatchesRedis(t *testing.T) {
	addr := startGuardRedis(t)
	lines := []string{
		`SET "a b" 'c\'d'`,
		`a   b	c`,
		"a\vb \va",
		`"\x41\x4g\q\n\r\t\b\a\\\"" x`,
		`"\x4" "\x" "\xZZ"`,
		`'a\'b' 'c\d' 'e\\' '\'`,
		`a"b c" d'e f'`,
		`"" '' ""`,
		`"a"b`, `'a'b`, `"a`, `'a`, `"a\"`, `a"b c"d`,
		"\"a\"\v",
		"x \"\xff\x01\"",
	}
	for i, line := range lines {
		want, werr := splitArgs([]byte(line), nil)
		key := "guard:" + strconv.Itoa(i)
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		br := bufio.NewReader(c)
		fmt.Fprintf(c, "RPUSH %s %s\r\n", key, line)
		var out strings.Builder
		if err := readReply(br, &out); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		if werr != nil {
			if out.String() != "-ERR "+werr.Error()+"\r\n" {
				t.Errorf("%q: redis %q, we %v", line, out.String(), werr)
			}
			c.Close()
			continue
		}
		fmt.Fprintf(c, "*4\r\n$6\r\nLRANGE\r\n$%d\r\n%s\r\n$1\r\n0\r\n$2\r\n-1\r\n", len(key), key)
		out.Reset()
		if err := readReply(br, &out); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		var enc strings.Builder
		enc.WriteString("*" + strconv.Itoa(len(want)) + "\r\n")
		for _, a := range want {
			enc.WriteString("$" + strconv.Itoa(len(a)) + "\r\n" + string(a) + "\r\n")
		}
		if out.String() != enc.String() {
			t.Errorf("%q: redis stored %q, splitArgs gives %q", line, out.String(), enc.String())
		}
		c.Close()
	}
}

// startGuardRedis runs a throwaway redis-server on a free port.
func startGuardRedis(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not installed: install Debian package redis-server")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", t.TempDir())
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	addr := "127.0.0.1:" + strconv.Itoa(port)
	waitFor(t, 10*time.Second, "redis-server to accept", func() bool {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return false
		}
		c.Close()
		return true
	})
	return addr
}

func TestReaderBuffered(t *testing.T) {
	rd := newReader(strings.NewReader("PING\r\n*1\r\n$4\r\nPI"), DefaultLimits())
	if rd.buffered() != 0 {
		t.Fatalf("fresh reader has %d bytes buffered", rd.buffered())
	}
	if err := rd.fill(); err != nil {
		t.Fatal(err)
	}
	if args, err := rd.next(); err != nil || len(args) != 1 {
		t.Fatalf("%q %v", args, err)
	}
	if n := rd.buffered(); n != len("*1\r\n$4\r\nPI") {
		t.Fatalf("%d bytes buffered after the first command, want the partial second", n)
	}
	if args, err := rd.next(); args != nil || err != nil {
		t.Fatalf("partial command gave %q %v", args, err)
	}
}
