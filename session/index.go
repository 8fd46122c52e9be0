package session

import (
	"slices"
	"sync"
)

// Index maps each database's session keys to their owners, and owners to
// their session keys. Safe for concurrent use.
type Index struct {
	mu  sync.Mutex
	dbs map[int]*dbIndex
	n   int // session keys in all databases
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
		d.unlink(key, old)
	} else {
		x.n++
	}
	d.owner[key] = owner
	if owner == "" {
		return
	}
	set := d.keys[owner]
	if set == nil {
		set = map[string]struct{}{}
		d.keys[owner] = set
	}
	set[key] = struct{}{}
}

func (d *dbIndex) unlink(key, owner string) {
	if owner == "" {
		return
	}
	if set := d.keys[owner]; set != nil {
		delete(set, key)
		if len(set) == 0 {
			delete(d.keys, owner)
		}
	}
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
	d.unlink(key, owner)
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
}
