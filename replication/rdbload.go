package replication

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"

	"sessiond/storage"
)

// Limits are the encoding thresholds a loaded value is built with (the
// set-max-intset-entries and *-max-listpack-* directives).
type Limits struct {
	SetMaxIntset                 int
	HashMaxEntries, HashMaxValue int
	ZSetMaxEntries, ZSetMaxValue int
}

// Put receives one loaded key: a string (str) or a collection (obj), its
// database and its deadline (unix ms, 0 for none).
type Put func(db int, key, str []byte, obj storage.Object, deadline int64) error

// ErrRDB wraps every error about the bytes of an RDB file.
var ErrRDB = errors.New("rdb")

func rdbErr(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrRDB}, a...)...)
}

// maxRDBString bounds one string of an RDB file (proto-max-bulk-len's
// default): a length past it is corrupt input, not an allocation to try.
const maxRDBString = 512 << 20

// ReadRDB reads one RDB file from r, up to and including its checksum
// (which it verifies unless it is 0, as Redis writes with rdbchecksum no),
// and hands every key to put. It reads the plain encodings WriteRDB writes,
// Redis's integer and LZF string forms, and the compact types Redis 7
// writes (intset, listpack hashes, sorted sets and sets, quicklist lists);
// the ziplist types of Redis before 7, streams and module values are
// refused with an error. It returns the aux fields. It reads nothing
// past the checksum, so an EOF mark that follows can be read from r.
func ReadRDB(r *bufio.Reader, lim Limits, put Put) (map[string]string, error) {
	d := &dec{r: r}
	magic := make([]byte, 9)
	if err := d.full(magic); err != nil {
		return nil, err
	}
	if string(magic[:5]) != "REDIS" {
		return nil, rdbErr("not an RDB file")
	}
	ver, err := strconv.Atoi(string(magic[5:]))
	if err != nil || ver < 1 || ver > 10 {
		return nil, rdbErr("unsupported version %q", magic[5:])
	}
	aux := map[string]string{}
	db := 0
	var deadline int64
	for {
		op, err := d.byte()
		if err != nil {
			return nil, err
		}
		switch op {
		case opEOF:
			if ver < 5 {
				return aux, nil
			}
			want := uint64(d.sum)
			var tail [8]byte
			if _, err := io.ReadFull(d.r, tail[:]); err != nil {
				return nil, rdbErr("checksum: %v", err)
			}
			if got := binary.LittleEndian.Uint64(tail[:]); got != 0 && got != want {
				return nil, rdbErr("checksum %#x, computed %#x", got, want)
			}
			return aux, nil
		case opAux:
			k, err := d.str()
			if err != nil {
				return nil, err
			}
			v, err := d.str()
			if err != nil {
				return nil, err
			}
			aux[string(k)] = string(v)
		case opSelectDB:
			n, err := d.len()
			if err != nil {
				return nil, err
			}
			if n > math.MaxInt32 {
				return nil, rdbErr("database %d", n)
			}
			db = int(n)
		case opResizeDB:
			if _, err := d.len(); err != nil {
				return nil, err
			}
			if _, err := d.len(); err != nil {
				return nil, err
			}
		case opExpireMS:
			var b [8]byte
			if err := d.full(b[:]); err != nil {
				return nil, err
			}
			deadline = int64(binary.LittleEndian.Uint64(b[:]))
		case opExpireSec:
			var b [4]byte
			if err := d.full(b[:]); err != nil {
				return nil, err
			}
			deadline = int64(binary.LittleEndian.Uint32(b[:])) * 1000
		case opIdle:
			if _, err := d.len(); err != nil {
				return nil, err
			}
		case opFreq:
			if _, err := d.byte(); err != nil {
				return nil, err
			}
		default:
			key, str, obj, err := d.value(op, lim)
			if err != nil {
				return nil, err
			}
			if err := put(db, key, str, obj, deadline); err != nil {
				return nil, err
			}
			deadline = 0
		}
	}
}

const (
	opExpireSec = 0xfd
	opFreq      = 0xf9
	opIdle      = 0xf8
	typeZSet    = 3 // scores as strings
)

// dec reads RDB encodings, keeping the CRC-64 of what it read.
type dec struct {
	r   *bufio.Reader
	sum crc64
}

func (d *dec) full(p []byte) error {
	if _, err := io.ReadFull(d.r, p); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return rdbErr("%v", err)
	}
	d.sum.Write(p)
	return nil
}

func (d *dec) byte() (byte, error) {
	var b [1]byte
	err := d.full(b[:])
	return b[0], err
}

// lenOrEnc reads a length, or the special string encoding it announces.
func (d *dec) lenOrEnc() (n uint64, enc int, err error) {
	b, err := d.byte()
	if err != nil {
		return 0, -1, err
	}
	switch b >> 6 {
	case 0:
		return uint64(b & 0x3f), -1, nil
	case 1:
		c, err := d.byte()
		return uint64(b&0x3f)<<8 | uint64(c), -1, err
	case 3:
		return 0, int(b & 0x3f), nil
	}
	switch b {
	case 0x80:
		var x [4]byte
		err := d.full(x[:])
		return uint64(binary.BigEndian.Uint32(x[:])), -1, err
	case 0x81:
		var x [8]byte
		err := d.full(x[:])
		return binary.BigEndian.Uint64(x[:]), -1, err
	}
	return 0, -1, rdbErr("length prefix %#x", b)
}

func (d *dec) len() (uint64, error) {
	n, enc, err := d.lenOrEnc()
	if err == nil && enc >= 0 {
		err = rdbErr("encoded string where a length belongs")
	}
	return n, err
}

// str reads a string: plain, an integer form, or LZF-compressed.
func (d *dec) str() ([]byte, error) {
	n, enc, err := d.lenOrEnc()
	if err != nil {
		return nil, err
	}
	switch enc {
	case -1:
		return d.bytes(n)
	case 0, 1, 2:
		var x [4]byte
		w := 1 << enc
		if err := d.full(x[:w]); err != nil {
			return nil, err
		}
		var v int64
		switch enc {
		case 0:
			v = int64(int8(x[0]))
		case 1:
			v = int64(int16(binary.LittleEndian.Uint16(x[:2])))
		case 2:
			v = int64(int32(binary.LittleEndian.Uint32(x[:4])))
		}
		return strconv.AppendInt(nil, v, 10), nil
	case 3:
		clen, err := d.len()
		if err != nil {
			return nil, err
		}
		ulen, err := d.len()
		if err != nil {
			return nil, err
		}
		if ulen > maxRDBString {
			return nil, rdbErr("string of %d bytes", ulen)
		}
		c, err := d.bytes(clen)
		if err != nil {
			return nil, err
		}
		return lzfDecompress(c, int(ulen))
	}
	return nil, rdbErr("string encoding %d", enc)
}

// bytes reads n bytes, growing the buffer as they arrive, so a corrupt
// length fails at the end of the input, not in one huge allocation.
func (d *dec) bytes(n uint64) ([]byte, error) {
	if n > maxRDBString {
		return nil, rdbErr("string of %d bytes", n)
	}
	out := make([]byte, 0, min(n, 64<<10))
	for uint64(len(out)) < n {
		k := min(n-uint64(len(out)), 64<<10)
		start := len(out)
		out = append(out, make([]byte, k)...)
		if err := d.full(out[start:]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// value reads a key and a value of RDB type t.
func (d *dec) value(t byte, lim Limits) (key, str []byte, obj storage.Object, err error) {
	switch t {
	case typeString, typeList, typeSet, typeZSet, typeHash, typeZSet2,
		typeSetIntset, typeHashListpack, typeZSetListpack, typeListQuicklist2, typeSetListpack:
	default:
		return nil, nil, nil, rdbErr("unsupported value type %d", t)
	}
	if key, err = d.str(); err != nil {
		return nil, nil, nil, err
	}
	switch t {
	case typeString:
		str, err = d.str()
		return key, str, nil, err
	case typeSetIntset, typeHashListpack, typeZSetListpack, typeSetListpack, typeListQuicklist2:
		obj, err = d.compact(t, lim)
		if err != nil {
			return nil, nil, nil, err
		}
		return key, nil, obj, nil
	}
	n, err := d.len()
	if err != nil {
		return nil, nil, nil, err
	}
	switch t {
	case typeList:
		l := storage.NewList()
		for range n {
			v, err := d.str()
			if err != nil {
				return nil, nil, nil, err
			}
			l.PushBack(v)
		}
		obj = l
	case typeSet:
		s := storage.NewSet()
		for range n {
			v, err := d.str()
			if err != nil {
				return nil, nil, nil, err
			}
			s.Add(v, lim.SetMaxIntset)
		}
		obj = s
	case typeHash:
		h := storage.NewHash()
		for range n {
			f, err := d.str()
			if err != nil {
				return nil, nil, nil, err
			}
			v, err := d.str()
			if err != nil {
				return nil, nil, nil, err
			}
			h.Set(f, v, false, lim.HashMaxEntries, lim.HashMaxValue)
		}
		obj = h
	default: // the sorted sets
		z := storage.NewZSet(n <= uint64(lim.ZSetMaxEntries))
		for range n {
			m, err := d.str()
			if err != nil {
				return nil, nil, nil, err
			}
			score, err := d.score(t)
			if err != nil {
				return nil, nil, nil, err
			}
			if math.IsNaN(score) {
				return nil, nil, nil, rdbErr("NaN score")
			}
			z.Add(string(m), score, lim.ZSetMaxEntries, lim.ZSetMaxValue)
		}
		obj = z
	}
	if n == 0 {
		return nil, nil, nil, rdbErr("empty collection at key %q", key)
	}
	return key, nil, obj, nil
}

// compact reads a value in one of Redis's compact encodings (a listpack
// or an intset in a string; a list as quicklist nodes).
func (d *dec) compact(t byte, lim Limits) (storage.Object, error) {
	var items [][]byte
	if t == typeListQuicklist2 {
		nodes, err := d.len()
		if err != nil {
			return nil, err
		}
		for range nodes {
			container, err := d.len()
			if err != nil {
				return nil, err
			}
			blob, err := d.str()
			if err != nil {
				return nil, err
			}
			switch container {
			case quicklistNodePlain:
				items = append(items, blob)
			case quicklistNodePacked:
				e, err := listpackEntries(blob)
				if err != nil {
					return nil, err
				}
				items = append(items, e...)
			default:
				return nil, rdbErr("quicklist node container %d", container)
			}
		}
	} else {
		blob, err := d.str()
		if err != nil {
			return nil, err
		}
		if t == typeSetIntset {
			items, err = intsetMembers(blob)
		} else {
			items, err = listpackEntries(blob)
		}
		if err != nil {
			return nil, err
		}
	}
	if len(items) == 0 {
		return nil, rdbErr("empty collection")
	}
	switch t {
	case typeListQuicklist2:
		l := storage.NewList()
		for _, v := range items {
			l.PushBack(v)
		}
		return l, nil
	case typeSetIntset, typeSetListpack:
		s := storage.NewSet()
		for _, v := range items {
			s.Add(v, lim.SetMaxIntset)
		}
		return s, nil
	}
	if len(items)%2 != 0 {
		return nil, rdbErr("odd listpack of pairs")
	}
	if t == typeHashListpack {
		h := storage.NewHash()
		for i := 0; i < len(items); i += 2 {
			h.Set(items[i], items[i+1], false, lim.HashMaxEntries, lim.HashMaxValue)
		}
		return h, nil
	}
	z := storage.NewZSet(len(items)/2 <= lim.ZSetMaxEntries)
	for i := 0; i < len(items); i += 2 {
		score, err := strconv.ParseFloat(string(items[i+1]), 64)
		if err != nil || math.IsNaN(score) {
			return nil, rdbErr("score %q", items[i+1])
		}
		z.Add(string(items[i]), score, lim.ZSetMaxEntries, lim.ZSetMaxValue)
	}
	return z, nil
}

func (d *dec) score(t byte) (float64, error) {
	if t == typeZSet2 {
		var b [8]byte
		if err := d.full(b[:]); err != nil {
			return 0, err
		}
		return math.Float64frombits(binary.LittleEndian.Uint64(b[:])), nil
	}
	n, err := d.byte()
	if err != nil {
		return 0, err
	}
	switch n {
	case 253:
		return math.NaN(), nil
	case 254:
		return math.Inf(1), nil
	case 255:
		return math.Inf(-1), nil
	}
	b := make([]byte, n)
	if err := d.full(b); err != nil {
		return 0, err
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return 0, rdbErr("score %q", b)
	}
	return f, nil
}

// lzfDecompress expands LZF data (the format Redis compresses RDB strings
// with) to exactly n bytes.
func lzfDecompress(in []byte, n int) ([]byte, error) {
	out := make([]byte, 0, n)
	for i := 0; i < len(in); {
		ctrl := int(in[i])
		i++
		if ctrl < 32 { // a literal run of ctrl+1 bytes
			k := ctrl + 1
			if i+k > len(in) || len(out)+k > n {
				return nil, rdbErr("corrupt LZF literal")
			}
			out = append(out, in[i:i+k]...)
			i += k
			continue
		}
		k := ctrl >> 5 // a back reference
		if k == 7 {
			if i >= len(in) {
				return nil, rdbErr("corrupt LZF length")
			}
			k += int(in[i])
			i++
		}
		if i >= len(in) {
			return nil, rdbErr("corrupt LZF reference")
		}
		ref := len(out) - (ctrl&0x1f)<<8 - int(in[i]) - 1
		i++
		k += 2
		if ref < 0 || len(out)+k > n {
			return nil, rdbErr("corrupt LZF reference")
		}
		for j := range k { // may overlap what it appends
			out = append(out, out[ref+j])
		}
	}
	if len(out) != n {
		return nil, rdbErr("LZF gave %d bytes, want %d", len(out), n)
	}
	return out, nil
}
