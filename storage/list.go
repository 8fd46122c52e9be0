package storage

// List is a list value: a ring buffer of elements, so pushes and pops at
// either end are O(1) amortised and a small list is one small slice. Redis
// reports every list as encoding "quicklist" in 7.0.
//
// Elements are owned by the list: callers pass memory they no longer change
// and must not change what they get back.
type List struct {
	buf  [][]byte // len(buf) is the capacity, a power of two or 0
	head int      // index in buf of element 0
	n    int
}

// NewList returns an empty list.
func NewList() *List { return &List{} }

// Kind reports KindList.
func (l *List) Kind() Kind { return KindList }

// Encoding is what OBJECT ENCODING reports.
func (l *List) Encoding() string { return "quicklist" }

// Clone returns a copy that shares no mutable state with l.
func (l *List) Clone() Object {
	c := &List{buf: make([][]byte, capFor(l.n)), n: l.n}
	for i := 0; i < l.n; i++ {
		c.buf[i] = append([]byte(nil), l.At(i)...)
	}
	return c
}

// Len returns the number of elements.
func (l *List) Len() int { return l.n }

// capFor is the buffer size for n elements: the next power of two, so a
// one-element list holds one slot.
func capFor(n int) int {
	c := 1
	for c < n {
		c *= 2
	}
	return c
}

func (l *List) slot(i int) int { return (l.head + i) & (len(l.buf) - 1) }

// resize moves the elements to a buffer of capacity c (a power of two >= n).
func (l *List) resize(c int) {
	nb := make([][]byte, c)
	l.copyTo(nb)
	l.buf, l.head = nb, 0
}

func (l *List) copyTo(dst [][]byte) {
	if l.n == 0 {
		return
	}
	end := l.head + l.n
	if end <= len(l.buf) {
		copy(dst, l.buf[l.head:end])
		return
	}
	k := copy(dst, l.buf[l.head:])
	copy(dst[k:], l.buf[:end-len(l.buf)])
}

func (l *List) grow() {
	if l.n == len(l.buf) {
		l.resize(capFor(l.n + 1))
	}
}

// shrink gives back a buffer mostly empty after pops or removals.
func (l *List) shrink() {
	if len(l.buf) > 8 && l.n <= len(l.buf)/4 {
		l.resize(capFor(l.n * 2))
	}
}

// PushFront adds v before the first element.
func (l *List) PushFront(v []byte) {
	l.grow()
	l.head = (l.head - 1) & (len(l.buf) - 1)
	l.buf[l.head] = v
	l.n++
}

// PushBack adds v after the last element.
func (l *List) PushBack(v []byte) {
	l.grow()
	l.buf[l.slot(l.n)] = v
	l.n++
}

// PopFront removes and returns the first element; the list must not be empty.
func (l *List) PopFront() []byte {
	v := l.buf[l.head]
	l.buf[l.head] = nil
	l.head = (l.head + 1) & (len(l.buf) - 1)
	l.n--
	l.shrink()
	return v
}

// PopBack removes and returns the last element; the list must not be empty.
func (l *List) PopBack() []byte {
	s := l.slot(l.n - 1)
	v := l.buf[s]
	l.buf[s] = nil
	l.n--
	l.shrink()
	return v
}

// At returns element i, 0 <= i < Len().
func (l *List) At(i int) []byte { return l.buf[l.slot(i)] }

// Set replaces element i, 0 <= i < Len().
func (l *List) Set(i int, v []byte) { l.buf[l.slot(i)] = v }

// linear returns the elements as one slice (rotating the buffer so element 0
// is at index 0); changes to the slice's elements change the list.
func (l *List) linear() [][]byte {
	if l.head+l.n > len(l.buf) {
		l.resize(len(l.buf))
	}
	return l.buf[l.head : l.head+l.n]
}

// Insert puts v at index i (0 <= i <= Len()), shifting later elements.
func (l *List) Insert(i int, v []byte) {
	switch i {
	case 0:
		l.PushFront(v)
		return
	case l.n:
		l.PushBack(v)
		return
	}
	l.grow()
	if l.head+l.n >= len(l.buf) {
		l.resize(len(l.buf))
	}
	s := l.buf[l.head : l.head+l.n+1]
	copy(s[i+1:], s[i:])
	s[i] = v
	l.n++
}

// Filter keeps the elements for which keep reports true, in order, and
// returns how many it removed.
func (l *List) Filter(keep func(i int, v []byte) bool) int {
	s := l.linear()
	w := 0
	for i, v := range s {
		if keep(i, v) {
			s[w] = v
			w++
		}
	}
	clear(s[w:])
	removed := l.n - w
	l.n = w
	l.shrink()
	return removed
}

// Trim keeps only the elements from start to stop inclusive (0 <= start <=
// stop < Len()), or none when start > stop.
func (l *List) Trim(start, stop int) {
	if start > stop {
		l.buf, l.head, l.n = nil, 0, 0
		return
	}
	for i := 0; i < start; i++ {
		l.buf[l.slot(i)] = nil
	}
	for i := stop + 1; i < l.n; i++ {
		l.buf[l.slot(i)] = nil
	}
	l.head = l.slot(start)
	l.n = stop - start + 1
	l.shrink()
}
