package resp

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// ServerError is an error reply ("-ERR ...") sent by the server.
type ServerError string

func (e ServerError) Error() string { return string(e) }

// Reply is one decoded RESP2 reply. Kind is the type byte: '+', '-', ':',
// '$' or '*'. Nil marks a null bulk string or a null array.
type Reply struct {
	Kind  byte
	Str   string
	Int   int64
	Array []Reply
	Nil   bool
}

// AppendCommand appends args encoded as a RESP array of bulk strings.
func AppendCommand(buf []byte, args ...string) []byte {
	buf = append(buf, '*')
	buf = strconv.AppendInt(buf, int64(len(args)), 10)
	buf = append(buf, '\r', '\n')
	for _, a := range args {
		buf = append(buf, '$')
		buf = strconv.AppendInt(buf, int64(len(a)), 10)
		buf = append(buf, '\r', '\n')
		buf = append(buf, a...)
		buf = append(buf, '\r', '\n')
	}
	return buf
}

// Read decodes one full reply from r.
func Read(r *bufio.Reader) (Reply, error) {
	line, err := readLine(r)
	if err != nil {
		return Reply{}, err
	}
	if len(line) == 0 {
		return Reply{}, errors.New("resp: empty line")
	}
	rep := Reply{Kind: line[0]}
	body := line[1:]
	switch rep.Kind {
	case '+', '-':
		rep.Str = string(body)
	case ':':
		rep.Int, err = strconv.ParseInt(string(body), 10, 64)
	case '$':
		var n int64
		if n, err = strconv.ParseInt(string(body), 10, 64); err != nil || n < 0 {
			rep.Nil = err == nil
			break
		}
		b := make([]byte, n+2)
		if _, err = io.ReadFull(r, b); err == nil {
			rep.Str = string(b[:n])
		}
	case '*':
		var n int64
		if n, err = strconv.ParseInt(string(body), 10, 64); err != nil || n < 0 {
			rep.Nil = err == nil
			break
		}
		rep.Array = make([]Reply, 0, n)
		for i := int64(0); i < n && err == nil; i++ {
			var el Reply
			el, err = Read(r)
			rep.Array = append(rep.Array, el)
		}
	default:
		err = fmt.Errorf("resp: unexpected type byte %q", rep.Kind)
	}
	return rep, err
}

// Skip consumes one full reply without keeping its contents. It returns a
// ServerError for an error reply, so callers can count errors cheaply.
func Skip(r *bufio.Reader) error {
	line, err := readLine(r)
	if err != nil {
		return err
	}
	if len(line) == 0 {
		return errors.New("resp: empty line")
	}
	switch line[0] {
	case '+', ':':
		return nil
	case '-':
		return ServerError(line[1:])
	case '$':
		n, err := strconv.Atoi(string(line[1:]))
		if err != nil || n < 0 {
			return err
		}
		_, err = r.Discard(n + 2)
		return err
	case '*':
		n, err := strconv.Atoi(string(line[1:]))
		if err != nil {
			return err
		}
		for i := 0; i < n; i++ {
			if err := Skip(r); err != nil {
				if _, ok := err.(ServerError); !ok {
					return err
				}
			}
		}
		return nil
	}
	return fmt.Errorf("resp: unexpected type byte %q", line[0])
}

// readLine returns the next line without its CRLF. The slice is only valid
// until the next read from r.
func readLine(r *bufio.Reader) ([]byte, error) {
	line, err := r.ReadSlice('\n')
	if err != nil {
		return nil, err
	}
	if len(line) < 2 || line[len(line)-2] != '\r' {
		return nil, errors.New("resp: line not terminated by CRLF")
	}
	return line[:len(line)-2], nil
}

// Conn is a blocking client connection for setup and inspection commands.
type Conn struct {
	net.Conn
	R *bufio.Reader
	W *bufio.Writer
}

// Dial connects to addr with a timeout.
func Dial(addr string, timeout time.Duration) (*Conn, error) {
	c, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, err
	}
	return &Conn{Conn: c, R: bufio.NewReaderSize(c, 64<<10), W: bufio.NewWriterSize(c, 64<<10)}, nil
}

// Do sends one command and reads its reply. An error reply is returned as
// a ServerError.
func (c *Conn) Do(args ...string) (Reply, error) {
	if _, err := c.W.Write(AppendCommand(nil, args...)); err != nil {
		return Reply{}, err
	}
	if err := c.W.Flush(); err != nil {
		return Reply{}, err
	}
	rep, err := Read(c.R)
	if err == nil && rep.Kind == '-' {
		err = ServerError(rep.Str)
	}
	return rep, err
}

// InfoField returns one field of an INFO section, and whether the server
// gave it.
func (c *Conn) InfoField(section, field string) (string, bool) {
	r, err := c.Do("INFO", section)
	if err != nil {
		return "", false
	}
	for _, line := range strings.Split(r.Str, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), field+":"); ok {
			return v, true
		}
	}
	return "", false
}

// Pipeline sends n commands, the i-th appended to a buffer by cmd, in
// batches of batch commands, reading each batch's replies before the next
// goes: a fast load that never lets more than one batch queue up. It stops
// at the first error, an error reply included.
func (c *Conn) Pipeline(n, batch int, cmd func(buf []byte, i int) []byte) error {
	var buf []byte
	for start := 0; start < n; start += batch {
		k := min(batch, n-start)
		buf = buf[:0]
		for i := range k {
			buf = cmd(buf, start+i)
		}
		if _, err := c.W.Write(buf); err != nil {
			return err
		}
		if err := c.W.Flush(); err != nil {
			return err
		}
		for range k {
			if err := Skip(c.R); err != nil {
				return err
			}
		}
	}
	return nil
}
