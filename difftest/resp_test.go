package difftest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// replyTimeout bounds the wait for one reply, so a server that never
// answers fails the scenario instead of hanging the suite.
const replyTimeout = 5 * time.Second

// maxBulk refuses absurd lengths from a broken server before allocating.
const maxBulk = 1 << 30

// value is one parsed RESP2/RESP3 reply. raw holds the exact bytes the
// server sent for it (for an attribute, the attribute and the reply it
// decorates).
type value struct {
	kind  byte // the RESP type byte: + - : $ * _ , # ! = ( % ~ > |
	str   string
	null  bool // $-1 or *-1 (RESP2 nulls); RESP3 null is kind '_'
	elems []*value
	raw   []byte
}

// isAggregate reports whether v holds elements.
func (v *value) isAggregate() bool {
	switch v.kind {
	case '*', '%', '~', '>', '|':
		return !v.null
	}
	return false
}

// client is a minimal RESP client of our own: it writes one command as a
// RESP array (or raw bytes) and reads exactly one reply.
type client struct {
	addr string
	conn net.Conn
	rd   *bufio.Reader
	rec  bytes.Buffer // bytes of the reply being read
}

func dial(addr string) (*client, error) {
	conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return nil, err
	}
	return &client{addr: addr, conn: conn, rd: bufio.NewReader(conn)}, nil
}

func (c *client) close() { _ = c.conn.Close() }

// encode renders args as a RESP array of bulk strings.
func encode(args []string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	return b.Bytes()
}

// do sends args as one command and returns its reply.
func (c *client) do(args ...string) (*value, error) {
	return c.send(encode(args))
}

// send writes raw request bytes and reads one reply.
func (c *client) send(req []byte) (*value, error) {
	if err := c.conn.SetDeadline(time.Now().Add(replyTimeout)); err != nil {
		return nil, err
	}
	if _, err := c.conn.Write(req); err != nil {
		return nil, fmt.Errorf("write to %s: %w", c.addr, err)
	}
	c.rec.Reset()
	v, err := c.read()
	if err != nil {
		return nil, fmt.Errorf("read from %s (got %q so far): %w", c.addr, c.rec.Bytes(), err)
	}
	return v, nil
}

// line reads up to and including CRLF, records it, and returns it without CRLF.
func (c *client) line() (string, error) {
	s, err := c.rd.ReadString('\n')
	c.rec.WriteString(s)
	if err != nil {
		return "", err
	}
	if len(s) < 2 || s[len(s)-2] != '\r' {
		return "", fmt.Errorf("line not terminated by CRLF: %q", s)
	}
	return s[:len(s)-2], nil
}

// read parses one complete reply; raw is the recorded span of it.
func (c *client) read() (*value, error) {
	start := c.rec.Len()
	v, err := c.readBody()
	if err != nil {
		return nil, err
	}
	v.raw = append([]byte(nil), c.rec.Bytes()[start:]...)
	return v, nil
}

func (c *client) readBody() (*value, error) {
	hdr, err := c.line()
	if err != nil {
		return nil, err
	}
	if hdr == "" {
		return nil, errors.New("empty reply line")
	}
	v := &value{kind: hdr[0]}
	rest := hdr[1:]
	switch v.kind {
	case '+', '-', ':', ',', '(', '#':
		v.str = rest
		if v.kind == ':' {
			if _, err := strconv.ParseInt(rest, 10, 64); err != nil {
				return nil, fmt.Errorf("bad integer reply %q", hdr)
			}
		}
		return v, nil
	case '_':
		if rest != "" {
			return nil, fmt.Errorf("bad null reply %q", hdr)
		}
		return v, nil
	case '$', '!', '=':
		n, err := strconv.Atoi(rest)
		if err != nil || n < -1 || n > maxBulk {
			return nil, fmt.Errorf("bad bulk length %q", hdr)
		}
		if n == -1 {
			if v.kind != '$' {
				return nil, fmt.Errorf("null only allowed for $: %q", hdr)
			}
			v.null = true
			return v, nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(c.rd, buf); err != nil {
			c.rec.Write(buf)
			return nil, err
		}
		c.rec.Write(buf)
		if buf[n] != '\r' || buf[n+1] != '\n' {
			return nil, fmt.Errorf("bulk of %d bytes not followed by CRLF", n)
		}
		v.str = string(buf[:n])
		return v, nil
	case '*', '~', '>', '%', '|':
		n, err := strconv.Atoi(rest)
		if err != nil || n < -1 || n > maxBulk {
			return nil, fmt.Errorf("bad aggregate length %q", hdr)
		}
		if n == -1 {
			if v.kind != '*' {
				return nil, fmt.Errorf("null only allowed for *: %q", hdr)
			}
			v.null = true
			return v, nil
		}
		if v.kind == '%' || v.kind == '|' {
			n *= 2
		}
		for i := 0; i < n; i++ {
			e, err := c.read()
			if err != nil {
				return nil, err
			}
			v.elems = append(v.elems, e)
		}
		if v.kind == '|' {
			// An attribute decorates the reply that follows it: read that
			// too, so "one reply" means the whole thing.
			next, err := c.read()
			if err != nil {
				return nil, err
			}
			v.elems = append(v.elems, next)
		}
		return v, nil
	}
	return nil, fmt.Errorf("unknown reply type %q", hdr)
}
