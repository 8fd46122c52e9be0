package session

import (
	"strconv"
	"strings"
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
	s := string(v)
	if id, ok := strings.CutPrefix(s, "moved="); ok {
		return Meta{MovedTo: id}, id != ""
	}
	var m Meta
	for _, f := range []struct {
		name string
		dst  *int64
	}{{"created=", &m.Created}, {" idle=", &m.Idle}, {" absolute=", &m.Absolute}, {" version=", &m.Version}} {
		rest, ok := strings.CutPrefix(s, f.name)
		if !ok {
			return Meta{}, false
		}
		end := strings.IndexByte(rest, ' ')
		if end < 0 {
			return Meta{}, false
		}
		n, err := strconv.ParseInt(rest[:end], 10, 64)
		if err != nil || n < 0 {
			return Meta{}, false
		}
		*f.dst, s = n, rest[end:]
	}
	owner, ok := strings.CutPrefix(s, " owner=")
	if !ok {
		return Meta{}, false
	}
	m.Owner = owner
	return m, true
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
