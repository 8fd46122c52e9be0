package session

import (
	"bytes"
	"math"
	"strconv"
)

// MetaField is the hash field that holds a session's Meta. A hash without
// it is not a session; commands refuse it as a field name of their own.
const MetaField = "__sessiond"

// Meta is a session's bookkeeping. Times are unix milliseconds, timeouts
// seconds (0: none).
type Meta struct {
	Created  int64
	Idle     int64
	Absolute int64
	Version  int64
	Owner    string
	// MovedTo is set on the alias a rotation leaves behind: the new ID,
	// which the old one answers for during its grace period.
	MovedTo string
}

// Encode renders m as the MetaField value: words a person can read in
// HGETALL, the owner last so it may hold any byte.
func (m Meta) Encode() []byte {
	if m.MovedTo != "" {
		return []byte("moved=" + m.MovedTo)
	}
	b := make([]byte, 0, 64+len(m.Owner))
	b = append(b, "created="...)
	b = strconv.AppendInt(b, m.Created, 10)
	b = append(b, " idle="...)
	b = strconv.AppendInt(b, m.Idle, 10)
	b = append(b, " absolute="...)
	b = strconv.AppendInt(b, m.Absolute, 10)
	b = append(b, " version="...)
	b = strconv.AppendInt(b, m.Version, 10)
	b = append(b, " owner="...)
	return append(b, m.Owner...)
}

// ParseMeta reads a MetaField value; false when it is not one.
func ParseMeta(v []byte) (Meta, bool) {
	m, owner, ok := parse(v)
	if ok && m.MovedTo == "" {
		m.Owner = string(owner)
	}
	return m, ok
}

// ParseClocks is ParseMeta without the owner (left ""): what a read needs,
// parsed without allocating.
func ParseClocks(v []byte) (Meta, bool) {
	m, _, ok := parse(v)
	return m, ok
}

var metaWords = [4]string{"created=", " idle=", " absolute=", " version="}

func parse(v []byte) (m Meta, owner []byte, ok bool) {
	if id, found := bytes.CutPrefix(v, []byte("moved=")); found {
		return Meta{MovedTo: string(id)}, nil, len(id) > 0
	}
	dst := [4]*int64{&m.Created, &m.Idle, &m.Absolute, &m.Version}
	for i, w := range metaWords {
		rest, found := bytes.CutPrefix(v, []byte(w))
		if !found {
			return Meta{}, nil, false
		}
		n, k := digits(rest)
		if k == 0 {
			return Meta{}, nil, false
		}
		*dst[i], v = n, rest[k:]
	}
	owner, found := bytes.CutPrefix(v, []byte(" owner="))
	return m, owner, found
}

// digits parses the decimal number at the start of b: its value and
// length, length 0 when there is none or it overflows.
func digits(b []byte) (int64, int) {
	var n int64
	k := 0
	for ; k < len(b) && b[k] >= '0' && b[k] <= '9'; k++ {
		if n > (math.MaxInt64-9)/10 {
			return 0, 0
		}
		n = n*10 + int64(b[k]-'0')
	}
	return n, k
}

// Cap is the absolute deadline (unix ms), 0 for none.
func (m Meta) Cap() int64 {
	if m.Absolute == 0 {
		return 0
	}
	return m.Created + m.Absolute*1000
}

// Deadline is the session's deadline after an access at now: the idle
// clock restarted, never past the absolute cap; 0 for none.
func (m Meta) Deadline(now int64) int64 {
	d := int64(0)
	if m.Idle > 0 {
		d = now + m.Idle*1000
	}
	if c := m.Cap(); c != 0 && (d == 0 || c < d) {
		d = c
	}
	return d
}
