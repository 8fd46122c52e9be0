package replication

import (
	"encoding/binary"
	"strconv"
)

// The compact value types Redis 7 writes into an RDB file: a listpack (or
// an intset) as one string holding the whole collection.
const (
	typeSetIntset       = 11
	typeHashListpack    = 16
	typeZSetListpack    = 17
	typeListQuicklist2  = 18
	typeSetListpack     = 20 // Redis 7.2
	quicklistNodePlain  = 1
	quicklistNodePacked = 2
)

// listpackEntries returns the entries of a listpack (Redis's compact
// sequence: a 6-byte header, entries each followed by its length, an end
// byte), integers as their decimal text, as Redis reads them back.
func listpackEntries(lp []byte) ([][]byte, error) {
	if len(lp) < 7 || int(binary.LittleEndian.Uint32(lp)) != len(lp) || lp[len(lp)-1] != 0xff {
		return nil, rdbErr("corrupt listpack header")
	}
	var out [][]byte
	for i := 6; ; {
		if i >= len(lp) {
			return nil, rdbErr("listpack without its end")
		}
		b := lp[i]
		if b == 0xff {
			if i != len(lp)-1 {
				return nil, rdbErr("listpack ends early")
			}
			return out, nil
		}
		var v []byte
		var size int // encoding and data, which the back-length counts
		need := func(n int) bool { return i+n <= len(lp) }
		switch {
		case b&0x80 == 0: // 7-bit unsigned
			v, size = strconv.AppendInt(nil, int64(b&0x7f), 10), 1
		case b&0xc0 == 0x80: // string of up to 63 bytes
			n := int(b & 0x3f)
			if !need(1 + n) {
				return nil, rdbErr("corrupt listpack string")
			}
			v, size = lp[i+1:i+1+n], 1+n
		case b&0xe0 == 0xc0: // 13-bit signed
			if !need(2) {
				return nil, rdbErr("corrupt listpack integer")
			}
			x := int64(b&0x1f)<<8 | int64(lp[i+1])
			if x >= 1<<12 {
				x -= 1 << 13
			}
			v, size = strconv.AppendInt(nil, x, 10), 2
		case b&0xf0 == 0xe0: // string of up to 4095 bytes
			if !need(2) {
				return nil, rdbErr("corrupt listpack string")
			}
			n := int(b&0x0f)<<8 | int(lp[i+1])
			if !need(2 + n) {
				return nil, rdbErr("corrupt listpack string")
			}
			v, size = lp[i+2:i+2+n], 2+n
		case b == 0xf0: // 32-bit string length
			if !need(5) {
				return nil, rdbErr("corrupt listpack string")
			}
			n := int(binary.LittleEndian.Uint32(lp[i+1:]))
			if n < 0 || !need(5+n) {
				return nil, rdbErr("corrupt listpack string")
			}
			v, size = lp[i+5:i+5+n], 5+n
		case b >= 0xf1 && b <= 0xf4: // 16, 24, 32, 64-bit signed
			w := map[byte]int{0xf1: 2, 0xf2: 3, 0xf3: 4, 0xf4: 8}[b]
			if !need(1 + w) {
				return nil, rdbErr("corrupt listpack integer")
			}
			var buf [8]byte
			copy(buf[:], lp[i+1:i+1+w])
			x := int64(binary.LittleEndian.Uint64(buf[:]))
			if shift := uint(64 - 8*w); shift > 0 {
				x = x << shift >> shift // sign-extend
			}
			v, size = strconv.AppendInt(nil, x, 10), 1+w
		default:
			return nil, rdbErr("listpack encoding %#x", b)
		}
		out = append(out, v)
		i += size + backlenSize(size)
	}
}

// backlenSize is how many bytes a listpack entry's back-length takes.
func backlenSize(n int) int {
	switch {
	case n <= 127:
		return 1
	case n < 16383:
		return 2
	case n < 2097151:
		return 3
	case n < 268435455:
		return 4
	}
	return 5
}

// intsetMembers returns an intset's members as decimal text.
func intsetMembers(is []byte) ([][]byte, error) {
	if len(is) < 8 {
		return nil, rdbErr("corrupt intset")
	}
	w := int(binary.LittleEndian.Uint32(is))
	n := int(binary.LittleEndian.Uint32(is[4:]))
	if w != 2 && w != 4 && w != 8 || n < 0 || len(is) != 8+n*w {
		return nil, rdbErr("corrupt intset")
	}
	out := make([][]byte, 0, n)
	for i := range n {
		p := is[8+i*w:]
		var x int64
		switch w {
		case 2:
			x = int64(int16(binary.LittleEndian.Uint16(p)))
		case 4:
			x = int64(int32(binary.LittleEndian.Uint32(p)))
		default:
			x = int64(binary.LittleEndian.Uint64(p))
		}
		out = append(out, strconv.AppendInt(nil, x, 10))
	}
	return out, nil
}
