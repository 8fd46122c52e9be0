package storage

import "hash/maphash"

// index is a shard's map from key to entry, keyed by the key's seeded
// 64-bit hash (the same hash that picks the shard) instead of by the key
// string. Its slots then hold one pointer, into an entry slab, and no
// pointer to a key: a collection walks the map's tables and the slabs in
// address order instead of visiting every key's bytes at a random address
// from the map. With slabs it marks a million keys in about 0.6 of the
// time, and each slot is 8 bytes smaller.
//
// Two keys with the same 64-bit hash are possible (the seed is random per
// process, so nobody can make them on purpose): the first holds the slot in
// m, the others live in over, keyed by the key itself. A lookup checks the
// key of the entry it finds in m, then over.
type index struct {
	m    map[uint64]*Entry
	over map[string]*Entry // keys whose hash another key holds in m; nil when none
}

func newIndex() index { return index{m: make(map[uint64]*Entry)} }

// find returns the entry for key, whose hash is h, or nil.
func find[K string | []byte](x *index, h uint64, key K) *Entry {
	if e := x.m[h]; e != nil && e.Key == string(key) {
		return e
	}
	if x.over != nil {
		return x.over[string(key)]
	}
	return nil
}

// add inserts e, whose key has hash h and is not in the index.
func (x *index) add(h uint64, e *Entry) {
	if x.m[h] == nil {
		x.m[h] = e
		return
	}
	if x.over == nil {
		x.over = make(map[string]*Entry)
	}
	x.over[e.Key] = e
}

// del removes e, whose key has hash h.
func (x *index) del(h uint64, e *Entry) {
	if x.m[h] == e {
		delete(x.m, h)
		return
	}
	delete(x.over, e.Key)
	if len(x.over) == 0 {
		x.over = nil
	}
}

// timed returns the entry with hash h whose timer is armed at when, or nil
// (the timer is stale: the key is gone, or another timer is armed for it).
func (x *index) timed(seed maphash.Seed, h uint64, when int64) *Entry {
	if e := x.m[h]; e != nil && e.timer == when {
		return e
	}
	for k, e := range x.over {
		if e.timer == when && maphash.String(seed, k) == h {
			return e
		}
	}
	return nil
}

// hashed returns an entry with hash h that ok accepts, or nil.
func (x *index) hashed(seed maphash.Seed, h uint64, ok func(*Entry) bool) *Entry {
	if e := x.m[h]; e != nil && ok(e) {
		return e
	}
	for k, e := range x.over {
		if ok(e) && maphash.String(seed, k) == h {
			return e
		}
	}
	return nil
}

func (x *index) len() int { return len(x.m) + len(x.over) }

// each calls fn with every entry and its key's hash until fn returns false;
// it reports whether it went through all of them.
func (x *index) each(seed maphash.Seed, fn func(h uint64, e *Entry) bool) bool {
	for h, e := range x.m {
		if !fn(h, e) {
			return false
		}
	}
	for k, e := range x.over {
		if !fn(maphash.String(seed, k), e) {
			return false
		}
	}
	return true
}
