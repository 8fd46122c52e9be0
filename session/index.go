package session

import (
	"slices"
	"sync"
	"sync/atomic"
)

// Index maps each database's session keys to their owners, and owners to
// their session keys. Safe for concurrent use.
type Index struct {
	mu    sync.Mutex
	dbs   map[int]*dbIndex
	n     int          // session keys in all databases
	bytes atomic.Int64 // what the maps hold, estimated (Bytes)
}

// Estimated heap bytes per entry beyond the key and owner bytes: the
// key's string and map slot in owner (with the owner's string header),
// and its slot in its owner's set, and per owner its set. Checked against
// the heap by TestIndexBytesTrackTheHeap.
const (
	keyCost   = 55
	ownedCost = 10
	ownerCost = 280
)

// Bytes is the memory the index holds, estimated: it counts toward
// used_memory and maxmemory.
func (x *Index) Bytes() int64 { return x.bytes.Load() }

func entryBytes(key, owner string) int64 {
	n := int64(keyCost + len(key))
	if owner != "" {
		n += ownedCost + int64(len(owner))
	}
	return n
}

type dbIndex struct {
	owner map[string]string              // session key -> owner ("" for none)
	keys  map[string]map[string]struct{} // owner -> its session keys
}

// NewIndex returns an empty index.
func NewIndex() *Index { return &Index{dbs: map[int]*dbIndex{}} }

func (x *Index) db(db int) *dbIndex {
	d := x.dbs[db]
	if d == nil {
		d = &dbIndex{owner: map[string]string{}, keys: map[string]map[string]struct{}{}}
		x.dbs[db] = d
	}
	return d
}

// Set records key in db as a session of owner, replacing what was known.
func (x *Index) Set(db int, key, owner string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	d := x.db(db)
	if old, ok := d.owner[key]; ok {
		if old == owner {
			return
		}
		x.bytes.Add(-entryBytes(key, old) - d.unlink(key, old))
	} else {
		x.n++
	}
	d.owner[key] = owner
	x.bytes.Add(entryBytes(key, owner))
	if owner == "" {
		return
	}
	set := d.keys[owner]
	if set == nil {
		set = map[string]struct{}{}
		d.keys[owner] = set
		x.bytes.Add(ownerCost)
	}
	set[key] = struct{}{}
}

// unlink takes key out of owner's set; it returns the bytes of a set
// that went with it.
func (d *dbIndex) unlink(key, owner string) int64 {
	if owner == "" {
		return 0
	}
	if set := d.keys[owner]; set != nil {
		delete(set, key)
		if len(set) == 0 {
			delete(d.keys, owner)
			return ownerCost
		}
	}
	return 0
}

// Remove forgets key in db; it reports whether it was a session.
func (x *Index) Remove(db int, key string) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	d := x.dbs[db]
	if d == nil {
		return false
	}
	owner, ok := d.owner[key]
	if !ok {
		return false
	}
	delete(d.owner, key)
	x.bytes.Add(-entryBytes(key, owner) - d.unlink(key, owner))
	x.n--
	return true
}

// Has reports whether key in db is a known session.
func (x *Index) Has(db int, key string) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	d := x.dbs[db]
	if d == nil {
		return false
	}
	_, ok := d.owner[key]
	return ok
}

// Keys returns owner's session keys in db, sorted.
func (x *Index) Keys(db int, owner string) []string {
	x.mu.Lock()
	defer x.mu.Unlock()
	d := x.dbs[db]
	if d == nil || owner == "" {
		return nil
	}
	out := make([]string, 0, len(d.keys[owner]))
	for k := range d.keys[owner] {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Len is the number of sessions in every database.
func (x *Index) Len() int {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.n
}

// Swap exchanges databases a and b (SWAPDB).
func (x *Index) Swap(a, b int) {
	x.mu.Lock()
	defer x.mu.Unlock()
	da, db := x.dbs[a], x.dbs[b]
	delete(x.dbs, a)
	delete(x.dbs, b)
	if da != nil {
		x.dbs[b] = da
	}
	if db != nil {
		x.dbs[a] = db
	}
}

// Reset forgets everything (a replica about to load a snapshot).
func (x *Index) Reset() {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.dbs, x.n = map[int]*dbIndex{}, 0
	x.bytes.Store(0)
}
