package server

import (
	"math"
	"strconv"

	"github.com/tidwall/redcon"
)

// Writer encodes replies for one connection in its protocol version. RESP2
// encodings come from redcon's append functions; the RESP3 types redcon
// lacks (maps, sets, null, doubles, booleans, verbatim, push) are ours.
// Handlers write only through it, so a reply is right under both protocols.
type Writer struct {
	b     []byte
	proto int // 2 or 3
}

// OK writes +OK.
func (w *Writer) OK() { w.b = append(w.b, "+OK\r\n"...) }

// Simple writes a status reply.
func (w *Writer) Simple(s string) { w.b = redcon.AppendString(w.b, s) }

// Error writes an error reply; msg is the whole text, prefix included
// ("ERR ...", "WRONGTYPE ..."). Line breaks are replaced by spaces.
func (w *Writer) Error(msg string) {
	w.b = append(w.b, '-')
	for i := 0; i < len(msg); i++ {
		c := msg[i]
		if c == '\r' || c == '\n' {
			c = ' '
		}
		w.b = append(w.b, c)
	}
	w.b = append(w.b, '\r', '\n')
}

// Int writes an integer.
func (w *Writer) Int(n int64) { w.b = redcon.AppendInt(w.b, n) }

// Bulk writes a bulk string.
func (w *Writer) Bulk(b []byte) { w.b = redcon.AppendBulk(w.b, b) }

// BulkString writes a bulk string.
func (w *Writer) BulkString(s string) { w.b = redcon.AppendBulkString(w.b, s) }

// Null writes the null bulk string ($-1) or RESP3 null.
func (w *Writer) Null() {
	if w.proto == 3 {
		w.b = append(w.b, "_\r\n"...)
		return
	}
	w.b = append(w.b, "$-1\r\n"...)
}

// NullArray writes the null array (*-1) or RESP3 null.
func (w *Writer) NullArray() {
	if w.proto == 3 {
		w.b = append(w.b, "_\r\n"...)
		return
	}
	w.b = append(w.b, "*-1\r\n"...)
}

// Array writes an array header for n elements.
func (w *Writer) Array(n int) { w.b = redcon.AppendArray(w.b, n) }

// Map writes a map header for n pairs: a RESP3 map, or a flat array of 2n
// elements under RESP2.
func (w *Writer) Map(n int) {
	if w.proto == 3 {
		w.b = appendHeader(w.b, '%', n)
		return
	}
	w.Array(2 * n)
}

// Set writes a set header: a RESP3 set, or an array under RESP2.
func (w *Writer) Set(n int) {
	if w.proto == 3 {
		w.b = appendHeader(w.b, '~', n)
		return
	}
	w.Array(n)
}

// Push writes an out-of-band push header (an array under RESP2).
func (w *Writer) Push(n int) {
	if w.proto == 3 {
		w.b = appendHeader(w.b, '>', n)
		return
	}
	w.Array(n)
}

// Double writes a floating-point number: a RESP3 double, or a bulk string
// in Redis's %.17g form under RESP2.
func (w *Writer) Double(f float64) {
	if w.proto == 3 {
		w.b = append(w.b, ',')
		w.b = appendDouble(w.b, f)
		w.b = append(w.b, '\r', '\n')
		return
	}
	w.Bulk(appendDouble(nil, f))
}

// Bool writes a RESP3 boolean, or the integer 1 or 0 under RESP2.
func (w *Writer) Bool(v bool) {
	if w.proto == 3 {
		if v {
			w.b = append(w.b, "#t\r\n"...)
		} else {
			w.b = append(w.b, "#f\r\n"...)
		}
		return
	}
	if v {
		w.Int(1)
	} else {
		w.Int(0)
	}
}

// Verbatim writes a RESP3 verbatim string of format "txt", or a bulk string.
func (w *Writer) Verbatim(s string) {
	if w.proto == 3 {
		w.b = appendHeader(w.b, '=', len(s)+4)
		w.b = append(w.b, "txt:"...)
		w.b = append(w.b, s...)
		w.b = append(w.b, '\r', '\n')
		return
	}
	w.BulkString(s)
}

// Raw appends bytes that are already encoded.
func (w *Writer) Raw(b []byte) { w.b = append(w.b, b...) }

func appendHeader(b []byte, kind byte, n int) []byte {
	b = append(b, kind)
	b = strconv.AppendInt(b, int64(n), 10)
	return append(b, '\r', '\n')
}

// appendDouble formats f the way Redis 7.0 replies with doubles.
func appendDouble(b []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(b, "inf"...)
	case math.IsInf(f, -1):
		return append(b, "-inf"...)
	case math.IsNaN(f):
		return append(b, "nan"...)
	}
	return strconv.AppendFloat(b, f, 'g', 17, 64)
}
