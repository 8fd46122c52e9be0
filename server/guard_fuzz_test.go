package server

import (
	"bytes"
	"io"
	"reflect"
	"strconv"
	"testing"
)

// fuzzLimits are the limit sets FuzzReader chooses from: small ones so
// short inputs reach every limit, and Redis's defaults.
var fuzzLimits = []Limits{
	{MaxBulk: 16, MaxMultibulk: 4, MaxInline: 32, MaxQueryBuf: 64},
	{MaxBulk: 1 << 10, MaxMultibulk: 64, MaxInline: 100, MaxQueryBuf: 1 << 10},
	DefaultLimits(),
}

// FuzzReader checks, for any bytes and any split into reads, that the
// reader never panics, never yields a command beyond its limits, and yields
// the same commands and the same final error as when the bytes arrive in
// one read.
func FuzzReader(f *testing.F) {
	f.Add([]byte("*1\r\n$4\r\nPING\r\n"), []byte{1}, byte(0))
	f.Add([]byte("SET \"a b\" 'c\\'d'\r\n"), []byte{3, 1}, byte(2))
	f.Fuzz(func(t *testing.T, data, split []byte, mode byte) {
		lim := fuzzLimits[int(mode)%len(fuzzLimits)]
		unauthed := mode&0x80 != 0
		i := 0
		size := func() int {
			if len(split) == 0 {
				return 1
			}
			n := int(split[i%len(split)])
			i++
			return n
		}
		whole, _, werr := parseAll(&chunkReader{data: data, size: wholeReads}, lim, unauthed)
		parts, _, perr := parseAll(&chunkReader{data: data, size: size, now: true}, lim, unauthed)
		if errText(werr) != errText(perr) {
			t.Fatalf("whole read ends with %v, split reads with %v", werr, perr)
		}
		if !reflect.DeepEqual(whole, parts) {
			t.Fatalf("whole read gives %q, split reads %q", whole, parts)
		}
		maxArgs := max(lim.MaxMultibulk, int64(lim.MaxInline/2+1))
		if unauthed {
			maxArgs = max(min(lim.MaxMultibulk, unauthMaxMultibulk), int64(lim.MaxInline/2+1))
		}
		maxArg := max(lim.MaxBulk, int64(lim.MaxInline))
		for _, cmd := range whole {
			if len(cmd) == 0 {
				t.Fatal("empty command")
			}
			if int64(len(cmd)) > maxArgs {
				t.Fatalf("%d args, limit %d", len(cmd), maxArgs)
			}
			total := int64(0)
			for _, a := range cmd {
				if int64(len(a)) > maxArg {
					t.Fatalf("arg of %d bytes, limit %d", len(a), maxArg)
				}
				total += int64(len(a))
			}
			if total > max(lim.MaxQueryBuf, int64(lim.MaxInline)) {
				t.Fatalf("command of %d bytes, limits %d/%d", total, lim.MaxQueryBuf, lim.MaxInline)
			}
		}
	})
}

// FuzzRESPRoundTrip checks that args encoded as RESP multibulk, or as an
// inline line in double quotes with \xHH escapes, parse back to the same
// args. The fuzzer's bytes are cut into args at each 0xFF byte.
func FuzzRESPRoundTrip(f *testing.F) {
	f.Add([]byte("SET\xffkey\xffvalue"), byte(1))
	f.Add([]byte("\xff\xff\r\n\"'\\ \x00"), byte(7))
	f.Fuzz(func(t *testing.T, data []byte, chunk byte) {
		args := bytes.Split(data, []byte{0xff})
		var resp, inline []byte
		resp = append(resp, "*"+strconv.Itoa(len(args))+"\r\n"...)
		for _, a := range args {
			resp = append(resp, "$"+strconv.Itoa(len(a))+"\r\n"...)
			resp = append(resp, a...)
			resp = append(resp, "\r\n"...)
			inline = append(inline, " \""...)
			for _, c := range a {
				if c < ' ' || c > '~' || c == '"' || c == '\\' {
					inline = append(inline, `\x`+hex2(c)...)
				} else {
					inline = append(inline, c)
				}
			}
			inline = append(inline, '"')
		}
		inline = append(inline, "\r\n"...)
		// The RESP command twice, then the inline one: pipelining must not
		// disturb any of them.
		in := append(append(append([]byte{}, resp...), resp...), inline...)
		n := int(chunk%32) + 1
		got, _, err := parseAll(&chunkReader{data: in, size: func() int { return n }}, DefaultLimits(), false)
		if err != io.EOF {
			t.Fatalf("error %v", err)
		}
		if len(got) != 3 {
			t.Fatalf("%d commands, want 3", len(got))
		}
		for _, cmd := range got {
			if len(cmd) != len(args) {
				t.Fatalf("%d args, want %d", len(cmd), len(args))
			}
			for i := range args {
				if cmd[i] != string(args[i]) {
					t.Fatalf("arg %d is %q, want %q", i, cmd[i], args[i])
				}
			}
		}
	})
}

func hex2(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&15]})
}
