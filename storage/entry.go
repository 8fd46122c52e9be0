package storage

import "strconv"

// Kind is the Redis type of a value, as TYPE reports it.
type Kind uint8

// The kinds a key can hold.
const (
	KindNone Kind = iota
	KindString
	KindList
	KindSet
	KindZSet
	KindHash
)

// String returns the name TYPE replies with.
func (k Kind) String() string {
	switch k {
	case KindString:
		return "string"
	case KindList:
		return "list"
	case KindSet:
		return "set"
	case KindZSet:
		return "zset"
	case KindHash:
		return "hash"
	}
	return "none"
}

// Object is a value of a collection kind (list, set, zset, hash).
type Object interface {
	Kind() Kind
}

// Entry is one key's record in a shard map. The map is the source of truth.
//
// A string value lives in Str (Obj is nil); any other kind lives in Obj.
// Deadline is the absolute expiry in unix milliseconds, 0 for none; change
// it only through Tx.SetDeadline so the shard's timers and counters follow.
type Entry struct {
	Key      string
	Str      []byte
	Obj      Object
	Deadline int64
	timer    int64 // When of the earliest timer pending for this entry, 0 if none
	// cost is what the entry is charged in its shard's bytes (MemoryUsage):
	// -1 for an entry put in the open Tx and not charged yet, 0 once removed.
	cost   int64
	access uint32 // unix seconds of the last access, for OBJECT IDLETIME and eviction
	// Raw marks a string changed in place by APPEND or SETRANGE, which
	// Redis reports as encoding "raw" whatever its length. Put clears it.
	Raw    bool
	pstate uint8 // untracked, inWindow or inMain (policy.go)
	freq   uint8 // Redis's LFU counter, kept under an LFU policy (policy.go)
	// read: accessed since it was put, as the LFU policy's sketch counts
	// (Use), kept under an LFU policy; one never read leaves the
	// admission window without being offered to ristretto (lfu.promote)
	read bool
}

// InheritAccess gives e the access time of from (RENAME and MOVE keep a
// key's idle time).
func (e *Entry) InheritAccess(from *Entry) { e.access, e.freq = from.access, from.freq }

// IdleSeconds returns how long the entry has not been accessed, in seconds.
func (e *Entry) IdleSeconds(nowMs int64) int64 {
	return max(nowMs/1000-int64(e.access), 0)
}

// Kind returns the entry's type.
func (e *Entry) Kind() Kind {
	if e.Obj != nil {
		return e.Obj.Kind()
	}
	return KindString
}

// Effect is one mutation as a deterministic command with absolute times,
// for the replication log and (later) persistence. Args alias nothing the
// caller may change afterwards only if the sink copies them: sinks must copy
// what they keep.
type Effect struct {
	DB   int
	Args [][]byte
}

func formatInt(n int64) string {
	return strconv.FormatInt(n, 10)
}
