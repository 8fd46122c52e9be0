package storage

import (
	"crypto/sha1"
	"encoding/binary"
	"math"
	"strconv"
)

// Digest is a dataset digest with Redis's DEBUG DIGEST algorithm, so that
// two servers, sessiond or redis-server, can be shown to hold the same
// data: the SHA-1 mixes below, per key the key's name, its type, its
// contents (order-independent where the type is: set members, hash
// fields, sorted-set members are XORed in), and a marker when it has a
// deadline (not the deadline itself, as in Redis).
type Digest [20]byte

// Hex is the digest as DEBUG DIGEST replies it: 40 hex digits.
func (d Digest) Hex() string {
	const hexdigits = "0123456789abcdef"
	b := make([]byte, 40)
	for i, c := range d {
		b[2*i], b[2*i+1] = hexdigits[c>>4], hexdigits[c&15]
	}
	return string(b)
}

// xor folds the SHA-1 of p into d.
func (d *Digest) xor(p []byte) {
	h := sha1.Sum(p)
	for i := range d {
		d[i] ^= h[i]
	}
}

// mix folds p into d, then replaces d by its own SHA-1: unlike xor, the
// order of mixes matters.
func (d *Digest) mix(p []byte) {
	d.xor(p)
	*d = sha1.Sum(d[:])
}

// Redis's type numbers, which the digest mixes in.
var digestType = map[Kind]uint32{KindString: 0, KindList: 1, KindSet: 2, KindZSet: 3, KindHash: 4}

// ValueDigest is DEBUG DIGEST-VALUE of e: its type, contents and deadline
// marker, without its name.
func (e *Entry) ValueDigest() Digest {
	var d Digest
	e.digestValue(&d)
	return d
}

// digestValue mixes e's type, contents and deadline marker into d.
func (e *Entry) digestValue(d *Digest) {
	var t [4]byte
	binary.BigEndian.PutUint32(t[:], digestType[e.Kind()])
	d.mix(t[:])
	switch o := e.Obj.(type) {
	case nil:
		d.mix(e.Str)
	case *List:
		for i := range o.Len() {
			d.mix(o.At(i))
		}
	case *Set:
		o.Each(func(m []byte) bool {
			d.xor(m)
			return true
		})
	case *ZSet:
		o.Range(0, o.Len()-1, false, func(it ZItem) bool {
			var ed Digest
			ed.mix([]byte(it.Member))
			ed.mix(digestScore(it.Score))
			d.xor(ed[:])
			return true
		})
	case *Hash:
		o.Each(func(f, v []byte) bool {
			var ed Digest
			ed.mix(f)
			ed.mix(v)
			d.xor(ed[:])
			return true
		})
	}
	if e.Deadline != 0 {
		d.xor([]byte("!!expire!!"))
	}
}

// digestScore is a score as C's "%.17g" prints it.
func digestScore(f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return []byte("inf")
	case math.IsInf(f, -1):
		return []byte("-inf")
	}
	return strconv.AppendFloat(nil, f, 'g', 17, 64)
}

// Digest is DEBUG DIGEST: every live key of every database that has one,
// the database's number mixed in before its keys; all zeros for an empty
// dataset. Each shard is read under its lock, one after the other: a
// dataset changing meanwhile gives a digest of no single instant.
func (s *Store) Digest(now int64) Digest {
	var final Digest
	for dbi := range s.dbs {
		// the keys' digests are XORed in, in any order, after the
		// database's number is mixed: sum them first, so that a database
		// whose keys all turn out expired mixes nothing
		var sum Digest
		n := 0
		s.Each(dbi, now, func(e *Entry) bool {
			var d Digest
			d.mix([]byte(e.Key))
			e.digestValue(&d)
			sum.xor(d[:])
			n++
			return true
		})
		if n == 0 {
			continue
		}
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], uint32(dbi))
		final.mix(b[:])
		for i := range final {
			final[i] ^= sum[i]
		}
	}
	return final
}
