package server

import (
	"bytes"
	"errors"
	"io"
	"math"
)

// The guard is our own read loop in front of redcon's types. redcon v1.6.4's
// reader panics on a huge bulk length, spins on a huge multibulk count,
// recurses once per partial read and copies every command; so we parse the
// request stream ourselves, enforce every limit before allocating, and hand
// the dispatcher only complete commands. Replies still go through redcon's
// append functions (see reply.go).

// Limits bound what one connection may send.
type Limits struct {
	MaxBulk      int64 // proto-max-bulk-len
	MaxMultibulk int64 // arguments per command (Redis 6: 1024*1024; 7.0 allows INT_MAX, we keep the tighter bound)
	MaxInline    int   // inline line and header line length (Redis: 64 KiB)
	MaxQueryBuf  int64 // client-query-buffer-limit: bytes buffered for one command
}

// DefaultLimits are Redis's defaults.
func DefaultLimits() Limits {
	return Limits{MaxBulk: 512 << 20, MaxMultibulk: 1 << 20, MaxInline: 64 << 10, MaxQueryBuf: 1 << 30}
}

// protoError is a protocol violation: the client is sent "-ERR Protocol
// error: <msg>" and disconnected.
type protoError struct{ msg string }

func (e *protoError) Error() string { return "Protocol error: " + e.msg }

var (
	errBigInline       = &protoError{"too big inline request"}
	errBigMbulkCount   = &protoError{"too big mbulk count string"}
	errBigBulkCount    = &protoError{"too big bulk count string"}
	errMultibulkLength = &protoError{"invalid multibulk length"}
	errBulkLength      = &protoError{"invalid bulk length"}
	errUnbalanced      = &protoError{"unbalanced quotes in request"}
	// errQueryBuf closes the connection without a reply, as Redis does.
	errQueryBuf = errors.New("client query buffer limit reached")
	// errHTTP closes the connection without a reply: a browser or a
	// cross-protocol attack sent HTTP to us.
	errHTTP = errors.New("HTTP request on the RESP port")
)

const minRead = 16 << 10

// Redis's limits for a client that has not authenticated yet (requirepass
// set): a handful of arguments and small bulks, so an anonymous peer cannot
// make us buffer much.
const (
	unauthMaxMultibulk = 10
	unauthMaxBulk      = 16384
)

var (
	errUnauthMultibulk = &protoError{"unauthenticated multibulk length"}
	errUnauthBulk      = &protoError{"unauthenticated bulk length"}
)

// reader splits a connection's byte stream into commands. The args it
// returns alias its buffer: the slice is reused by the next call to next and
// the bytes stay valid until the next call to fill.
//
// Every decision depends only on the bytes, never on how they were split
// into reads: the same stream yields the same commands and the same error
// however it arrives (FuzzReader checks this).
type reader struct {
	src io.Reader
	lim Limits
	buf []byte
	r   int // start of unparsed data
	w   int // end of data

	// unauthed applies Redis's limits for unauthenticated clients; the
	// connection sets it before each call to next.
	unauthed bool

	// State of a multibulk command being parsed, so a command that arrives
	// in many reads is never re-parsed from its start.
	inCmd   bool
	want    int64    // arguments announced by the header
	pos     int      // parse position relative to r
	bulkLen int64    // length of the bulk being read, -1 if at a header
	spans   [][2]int // argument spans relative to r
	args    [][]byte

	// scanned is how many bytes of the line being read (inline line or
	// header) are known to hold no terminator, so a line arriving a byte at
	// a time is searched once, not once per read.
	scanned int

	// Work counters, for tests: bytes searched for a line terminator and
	// bytes copied when compacting or growing the buffer. Both stay linear
	// in the input however it is split.
	examined, copied int64
}

func newReader(src io.Reader, lim Limits) *reader {
	return &reader{src: src, lim: lim, buf: make([]byte, minRead), bulkLen: -1}
}

// line finds the terminator of the line that starts data, searching only
// bytes not searched before; -1 means not yet buffered.
func (rd *reader) line(data []byte, term byte) int {
	i := bytes.IndexByte(data[rd.scanned:], term)
	if i < 0 {
		rd.examined += int64(len(data) - rd.scanned)
		rd.scanned = len(data)
		return -1
	}
	rd.examined += int64(i + 1)
	rd.scanned += i // finding it again costs one byte
	return rd.scanned
}

// next parses one command from the buffered bytes. It returns nil args and a
// nil error when more bytes are needed (call fill), and skips empty commands.
func (rd *reader) next() ([][]byte, error) {
	for rd.r < rd.w {
		if !rd.inCmd {
			if rd.buf[rd.r] != '*' {
				args, ok, err := rd.inline()
				if err != nil || !ok {
					return nil, err
				}
				if len(args) == 0 {
					continue
				}
				return args, nil
			}
			// multibulk header
			data := rd.buf[rd.r:rd.w]
			// The line's own length decides, whether or not its CR has
			// arrived (Redis checks only while it is missing, so its
			// verdict depends on read sizes).
			nl := rd.line(data, '\r')
			if nl < 0 && len(data) > rd.lim.MaxInline || nl > rd.lim.MaxInline {
				return nil, errBigMbulkCount
			}
			if nl < 0 {
				return nil, nil
			}
			if nl+1 >= len(data) {
				return nil, nil // need the \n
			}
			n, ok := parseInteger(data[1:nl])
			// Redis's order: malformed or over INT_MAX, then the
			// unauthenticated bound, then (ours) the configured bound.
			if !ok || n > math.MaxInt32 {
				return nil, errMultibulkLength
			}
			if n > unauthMaxMultibulk && rd.unauthed {
				return nil, errUnauthMultibulk
			}
			if n > rd.lim.MaxMultibulk {
				return nil, errMultibulkLength
			}
			rd.scanned = 0
			if n <= 0 {
				rd.r += nl + 2
				continue
			}
			rd.inCmd, rd.want, rd.pos, rd.bulkLen = true, n, nl+2, -1
			rd.spans = rd.spans[:0]
		}
		done, err := rd.bulks()
		if err != nil || !done {
			return nil, err
		}
		rd.args = rd.args[:0]
		for _, sp := range rd.spans {
			rd.args = append(rd.args, rd.buf[rd.r+sp[0]:rd.r+sp[1]:rd.r+sp[1]])
		}
		rd.r += rd.pos
		rd.inCmd = false
		if isHTTP(rd.args[0]) {
			return nil, errHTTP
		}
		return rd.args, nil
	}
	return nil, nil
}

// bulks reads the bulk arguments of the current multibulk command; it
// reports whether all of them are buffered.
func (rd *reader) bulks() (bool, error) {
	for int64(len(rd.spans)) < rd.want {
		data := rd.buf[rd.r+rd.pos : rd.w]
		if rd.bulkLen < 0 {
			// Like Redis, wait for the whole header line before looking
			// at its first byte.
			nl := rd.line(data, '\r')
			if nl < 0 && len(data) > rd.lim.MaxInline || nl > rd.lim.MaxInline {
				return false, errBigBulkCount
			}
			if nl < 0 {
				return false, nil
			}
			if nl+1 >= len(data) {
				return false, nil
			}
			if data[0] != '$' {
				return false, &protoError{"expected '$', got '" + string(data[0]) + "'"}
			}
			n, ok := parseInteger(data[1:nl])
			if !ok || n < 0 || n > rd.lim.MaxBulk {
				return false, errBulkLength
			}
			if n > unauthMaxBulk && rd.unauthed {
				return false, errUnauthBulk
			}
			rd.scanned = 0
			rd.bulkLen = n
			rd.pos += nl + 2
			data = data[nl+2:]
			// Decided on the announced size, not on what happens to be
			// buffered, so the outcome does not depend on read sizes.
			if int64(rd.pos)+n+2 > rd.lim.MaxQueryBuf {
				return false, errQueryBuf
			}
		}
		if int64(len(data)) < rd.bulkLen+2 {
			return false, nil
		}
		rd.spans = append(rd.spans, [2]int{rd.pos, rd.pos + int(rd.bulkLen)})
		rd.pos += int(rd.bulkLen) + 2 // like Redis, the trailing CRLF is skipped unchecked
		rd.bulkLen = -1
	}
	return true, nil
}

// inline parses a space-separated command line. ok is false when the line
// is not complete yet.
func (rd *reader) inline() (args [][]byte, ok bool, err error) {
	data := rd.buf[rd.r:rd.w]
	nl := rd.line(data, '\n')
	if nl < 0 {
		if len(data) > rd.lim.MaxInline {
			return nil, false, errBigInline
		}
		return nil, false, nil
	}
	// As for headers, the line's own length decides.
	if nl > rd.lim.MaxInline {
		return nil, false, errBigInline
	}
	line := data[:nl]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	rd.r += nl + 1
	rd.scanned = 0
	args, err = splitArgs(line, rd.args[:0])
	if err != nil {
		return nil, false, err
	}
	rd.args = args
	if len(args) > 0 && isHTTP(args[0]) {
		return nil, false, errHTTP
	}
	return args, true, nil
}

// isHTTP reports a command name Redis treats as a cross-protocol attack
// (an HTTP request line or header sent to the Redis port).
func isHTTP(name []byte) bool {
	return bytes.EqualFold(name, []byte("POST")) || bytes.EqualFold(name, []byte("Host:"))
}

// buffered returns the number of bytes read but not yet parsed.
func (rd *reader) buffered() int { return rd.w - rd.r }

// nowReader is a source that can also read without waiting (rawIO).
type nowReader interface {
	// ReadNow returns 0 and no error when no bytes are waiting.
	ReadNow(p []byte) (int, error)
}

// full reports whether the last read filled the buffer to its end, so the
// sender has probably written more than one read could take.
func (rd *reader) full() bool { return rd.w == len(rd.buf) }

// fillNow reads whatever bytes are already waiting, without blocking, and
// reports whether any came. Errors are left for the next fill to report.
// The args of the last command become invalid.
func (rd *reader) fillNow() bool {
	src, ok := rd.src.(nowReader)
	if !ok || rd.makeRoom() != nil {
		return false
	}
	n, err := src.ReadNow(rd.buf[rd.w:])
	rd.w += n
	return n > 0 && err == nil
}

// fill reads more bytes from the connection, compacting or growing the
// buffer as needed; the args of the last command become invalid.
func (rd *reader) fill() error {
	if err := rd.makeRoom(); err != nil {
		return err
	}
	n, err := rd.src.Read(rd.buf[rd.w:])
	rd.w += n
	if n > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

// makeRoom makes space after the buffered bytes: it rewinds an empty
// buffer, moves a partial command to the front, or grows the buffer (up to
// the query buffer limit).
func (rd *reader) makeRoom() error {
	if rd.r == rd.w && !rd.inCmd {
		rd.r, rd.w = 0, 0
		if len(rd.buf) > 4*minRead {
			rd.buf = make([]byte, minRead) // give back a buffer grown by a big command
		}
	}
	if rd.w == len(rd.buf) {
		if rd.r > 0 {
			// Move the partial command to the front. A read filled the
			// buffer in the middle of a command, so the client pipelines
			// more than one read takes: a small buffer grows once, to take
			// the next batch in a single read.
			dst := rd.buf
			if len(dst) < 2*minRead && 2*minRead <= rd.lim.MaxQueryBuf {
				dst = make([]byte, 2*minRead)
			}
			rd.w = copy(dst, rd.buf[rd.r:rd.w])
			rd.copied += int64(rd.w)
			rd.buf, rd.r = dst, 0
		} else {
			size := 2 * len(rd.buf)
			if rd.inCmd && rd.bulkLen >= 0 {
				// grow straight to what the pending bulk needs, no further
				size = max(size, min(rd.pos+int(rd.bulkLen)+2, 2*len(rd.buf)+(1<<20)))
			}
			// A pending command needs at most MaxQueryBuf bytes plus one
			// header line in progress.
			if limit := rd.lim.MaxQueryBuf + int64(rd.lim.MaxInline) + 2; int64(size) > limit {
				size = int(limit)
			}
			if size <= len(rd.buf) {
				return errQueryBuf
			}
			nb := make([]byte, size)
			rd.copied += int64(copy(nb, rd.buf[:rd.w]))
			rd.buf = nb
		}
	}
	return nil
}

// splitArgs splits an inline command line the way redis-cli and Redis do:
// spaces separate arguments, "double quotes" take \n \r \t \b \a \\ \" and
// \xHH escapes, 'single quotes' take only \'. A closing quote must be
// followed by a space or the end of the line.
//
// Redis splits a C string, so a NUL byte ends the line: later bytes are
// ignored, and a quote still open is unbalanced. (Redis itself never gets
// that far: its newline search stops at the NUL, and the line ends as "too
// big inline request" once 64 KiB arrive.)
func splitArgs(line []byte, out [][]byte) ([][]byte, error) {
	if nul := bytes.IndexByte(line, 0); nul >= 0 {
		line = line[:nul]
	}
	i := 0
	for {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i >= len(line) {
			return out, nil
		}
		var cur []byte
		inDQ, inSQ, done := false, false, false
		for !done {
			if i >= len(line) {
				if inDQ || inSQ {
					return nil, errUnbalanced
				}
				break
			}
			c := line[i]
			switch {
			case inDQ:
				if c == '\\' && i+3 < len(line) && line[i+1] == 'x' && isHex(line[i+2]) && isHex(line[i+3]) {
					cur = append(cur, unhex(line[i+2])<<4|unhex(line[i+3]))
					i += 3
				} else if c == '\\' && i+1 < len(line) {
					i++
					switch line[i] {
					case 'n':
						cur = append(cur, '\n')
					case 'r':
						cur = append(cur, '\r')
					case 't':
						cur = append(cur, '\t')
					case 'b':
						cur = append(cur, '\b')
					case 'a':
						cur = append(cur, '\a')
					default:
						cur = append(cur, line[i])
					}
				} else if c == '"' {
					if i+1 < len(line) && !isSpace(line[i+1]) {
						return nil, errUnbalanced
					}
					done = true
				} else {
					cur = append(cur, c)
				}
			case inSQ:
				if c == '\\' && i+1 < len(line) && line[i+1] == '\'' {
					i++
					cur = append(cur, '\'')
				} else if c == '\'' {
					if i+1 < len(line) && !isSpace(line[i+1]) {
						return nil, errUnbalanced
					}
					done = true
				} else {
					cur = append(cur, c)
				}
			default:
				switch c {
				case ' ', '\n', '\r', '\t':
					done = true
				case '"':
					inDQ = true
				case '\'':
					inSQ = true
				default:
					cur = append(cur, c)
				}
			}
			if i < len(line) {
				i++
			}
		}
		if cur == nil {
			cur = []byte{}
		}
		out = append(out, cur)
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f'
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
