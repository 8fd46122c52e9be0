package replication

import (
	"bufio"
	"encoding/binary"
	"io"
	"math"

	"sessiond/storage"
)

// RDB opcodes and value types (Redis's rdb.h). The value types are the
// plain encodings: every Redis since 2.x loads them, 7.0 included.
const (
	rdbVersion = "0010" // Redis 7.0

	opAux      = 0xfa
	opResizeDB = 0xfb
	opExpireMS = 0xfc
	opSelectDB = 0xfe
	opEOF      = 0xff

	typeString = 0
	typeList   = 1
	typeSet    = 2
	typeHash   = 4
	typeZSet2  = 5 // scores as binary doubles
)

// Aux is one auxiliary field of an RDB header (redis-ver, repl-id, ...).
type Aux struct{ Key, Value string }

// WriteRDB writes every live key of s at now (unix ms), as of one instant,
// to w as an RDB file: the magic, the aux fields, each non-empty database
// (SELECTDB, RESIZEDB, its keys, a key's deadline as an EXPIRETIME_MS
// opcode before it), EOF and the CRC-64 of all of it.
//
// mark is called at the instant the snapshot is of (storage.Store.Snapshot:
// every shard locked, so no effect is emitted meanwhile): a primary records
// its replication offset there. It returns the aux fields, which may
// depend on it (repl-offset). It must not block. Keys are encoded under
// their shard's lock into memory and written to w after it is released, so
// a slow destination never holds a shard.
//
// Hash fields' own deadlines (Redis 7.4) have no place in RDB version 10:
// the fields are written, their deadlines are not.
func WriteRDB(w io.Writer, s *storage.Store, now int64, mark func() []Aux) error {
	var sum crc64
	out := bufio.NewWriterSize(io.MultiWriter(w, &sum), 64<<10)
	var head enc
	var counts []storage.DBCount
	var err error
	db := -1
	s.Snapshot(now, func(c []storage.DBCount) {
		counts = c
		head.b = append(head.b, "REDIS"+rdbVersion...)
		if mark != nil {
			for _, a := range mark() {
				head.b = append(head.b, opAux)
				head.str([]byte(a.Key))
				head.str([]byte(a.Value))
			}
		}
	}, func(en *storage.Entry, b []byte) []byte {
		e := enc{b}
		e.entry(en)
		return e.b
	}, func(dbi int, b []byte) bool {
		if counts[dbi].Keys == 0 {
			return true
		}
		if dbi != db {
			db = dbi
			head.b = append(head.b, opSelectDB)
			head.len(uint64(dbi))
			head.b = append(head.b, opResizeDB)
			head.len(uint64(counts[dbi].Keys))
			head.len(uint64(counts[dbi].Volatile))
		}
		if _, err = out.Write(head.b); err == nil {
			_, err = out.Write(b)
		}
		head.b = head.b[:0]
		return err == nil
	})
	if err != nil {
		return err
	}
	head.b = append(head.b, opEOF)
	if _, err := out.Write(head.b); err != nil {
		return err
	}
	if err := out.Flush(); err != nil {
		return err
	}
	// the checksum covers every byte before it, so it goes out last,
	// past the MultiWriter
	var tail [8]byte
	binary.LittleEndian.PutUint64(tail[:], uint64(sum))
	_, err = w.Write(tail[:])
	return err
}

// enc appends RDB encodings to b.
type enc struct{ b []byte }

// len appends an RDB length: 6 bits, 14 bits, 32 or 64 bits big-endian.
func (e *enc) len(n uint64) {
	switch {
	case n < 1<<6:
		e.b = append(e.b, byte(n))
	case n < 1<<14:
		e.b = append(e.b, 0x40|byte(n>>8), byte(n))
	case n <= math.MaxUint32:
		e.b = append(e.b, 0x80)
		e.b = binary.BigEndian.AppendUint32(e.b, uint32(n))
	default:
		e.b = append(e.b, 0x81)
		e.b = binary.BigEndian.AppendUint64(e.b, n)
	}
}

// str appends a length-prefixed string (never the integer or LZF forms,
// which are optional).
func (e *enc) str(p []byte) {
	e.len(uint64(len(p)))
	e.b = append(e.b, p...)
}

// entry appends one key: its deadline, type, name and value. An empty
// collection (which the store never holds) would be written empty.
func (e *enc) entry(en *storage.Entry) {
	if en.Deadline != 0 {
		e.b = append(e.b, opExpireMS)
		e.b = binary.LittleEndian.AppendUint64(e.b, uint64(en.Deadline))
	}
	switch o := en.Obj.(type) {
	case nil:
		e.b = append(e.b, typeString)
		e.str([]byte(en.Key))
		e.str(en.Str)
	case *storage.List:
		e.b = append(e.b, typeList)
		e.str([]byte(en.Key))
		e.len(uint64(o.Len()))
		for i := range o.Len() {
			e.str(o.At(i))
		}
	case *storage.Set:
		e.b = append(e.b, typeSet)
		e.str([]byte(en.Key))
		e.len(uint64(o.Len()))
		o.Each(func(m []byte) bool {
			e.str(m)
			return true
		})
	case *storage.Hash:
		e.b = append(e.b, typeHash)
		e.str([]byte(en.Key))
		e.len(uint64(o.Len()))
		o.Each(func(f, v []byte) bool {
			e.str(f)
			e.str(v)
			return true
		})
	case *storage.ZSet:
		e.b = append(e.b, typeZSet2)
		e.str([]byte(en.Key))
		e.len(uint64(o.Len()))
		o.Range(0, o.Len()-1, false, func(it storage.ZItem) bool {
			e.str([]byte(it.Member))
			e.b = binary.LittleEndian.AppendUint64(e.b, math.Float64bits(it.Score))
			return true
		})
	}
}
