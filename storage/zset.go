package storage

import "sort"

// ZItem is one member of a sorted set with its score.
type ZItem struct {
	Member string
	Score  float64
}

// zless is the order of a sorted set: by score, then by member bytes.
func zless(a, b ZItem) bool {
	return a.Score < b.Score || a.Score == b.Score && a.Member < b.Member
}

// ZSet is a sorted set value. A small set is one slice sorted by (score,
// member), which OBJECT ENCODING reports as listpack; past the configured
// limits it converts, once and for good as in Redis, to a skiplist with
// spans (for ranks) plus a member -> score map.
//
// Ranks are 0-based in ascending order throughout.
type ZSet struct {
	small []ZItem            // listpack encoding, sorted; nil once converted
	dict  map[string]float64 // skiplist encoding
	sl    *zskiplist
}

// NewZSet returns an empty sorted set, in the compact encoding when
// listpack is true and as a skiplist otherwise (Redis picks by the size
// hint of the creating command).
func NewZSet(listpack bool) *ZSet {
	z := &ZSet{}
	if !listpack {
		z.toSkiplist()
	}
	return z
}

// Kind reports KindZSet.
func (z *ZSet) Kind() Kind { return KindZSet }

// Encoding is the name OBJECT ENCODING reports.
func (z *ZSet) Encoding() string {
	if z.sl != nil {
		return "skiplist"
	}
	return "listpack"
}

// Clone returns a deep copy with the same encoding.
func (z *ZSet) Clone() Object {
	if z.sl == nil {
		return &ZSet{small: append([]ZItem(nil), z.small...)}
	}
	c := NewZSet(false)
	z.Range(0, z.Len()-1, false, func(it ZItem) bool {
		c.dict[it.Member] = it.Score
		c.sl.insert(it)
		return true
	})
	return c
}

// Len returns the number of members.
func (z *ZSet) Len() int {
	if z.sl != nil {
		return z.sl.length
	}
	return len(z.small)
}

// IsListpack reports whether the set is still in the compact encoding.
func (z *ZSet) IsListpack() bool { return z.sl == nil }

// Score returns the score of member.
func (z *ZSet) Score(member string) (float64, bool) {
	if z.sl != nil {
		s, ok := z.dict[member]
		return s, ok
	}
	for _, it := range z.small {
		if it.Member == member {
			return it.Score, true
		}
	}
	return 0, false
}

func (z *ZSet) toSkiplist() {
	z.dict = make(map[string]float64, len(z.small))
	z.sl = newZskiplist()
	for _, it := range z.small {
		z.dict[it.Member] = it.Score
		z.sl.insert(it)
	}
	z.small = nil
}

// Add sets member's score, inserting it when new, and reports whether it
// was added. A compact set converts to a skiplist first when the new
// member would exceed maxEntries members or is longer than maxValue bytes,
// the checks Redis's zsetAdd makes.
func (z *ZSet) Add(member string, score float64, maxEntries, maxValue int) bool {
	old, exists := z.Score(member)
	if exists {
		z.Update(member, old, score)
		return false
	}
	z.Insert(member, score, maxEntries, maxValue)
	return true
}

// Update moves an existing member from score old to score.
func (z *ZSet) Update(member string, old, score float64) {
	if old != score {
		z.remove(member, old)
		z.insert(ZItem{member, score})
	}
}

// Insert adds a member the caller knows is absent, converting as Add does.
func (z *ZSet) Insert(member string, score float64, maxEntries, maxValue int) {
	if z.sl == nil && (len(z.small)+1 > maxEntries || len(member) > maxValue) {
		z.toSkiplist()
	}
	z.insert(ZItem{member, score})
}

func (z *ZSet) insert(it ZItem) {
	if z.sl != nil {
		z.dict[it.Member] = it.Score
		z.sl.insert(it)
		return
	}
	if it.Score == 0 {
		it.Score = 0 // a listpack keeps scores as text, where -0 reads back as 0
	}
	i := sort.Search(len(z.small), func(i int) bool { return !zless(z.small[i], it) })
	z.small = append(z.small, ZItem{})
	copy(z.small[i+1:], z.small[i:])
	z.small[i] = it
}

func (z *ZSet) remove(member string, score float64) {
	if z.sl != nil {
		delete(z.dict, member)
		z.sl.delete(ZItem{member, score})
		return
	}
	it := ZItem{member, score}
	i := sort.Search(len(z.small), func(i int) bool { return !zless(z.small[i], it) })
	copy(z.small[i:], z.small[i+1:])
	z.small[len(z.small)-1] = ZItem{}
	z.small = z.small[:len(z.small)-1]
}

// Remove deletes member and reports whether it was present.
func (z *ZSet) Remove(member string) bool {
	s, ok := z.Score(member)
	if ok {
		z.remove(member, s)
	}
	return ok
}

// Rank returns member's ascending rank.
func (z *ZSet) Rank(member string) (int, bool) {
	s, ok := z.Score(member)
	if !ok {
		return 0, false
	}
	it := ZItem{member, s}
	return z.Search(func(x ZItem) bool { return !zless(x, it) }), true
}

// Search returns the rank of the first member for which f is true, or Len
// if none; f must be false then true along the order (like sort.Search).
func (z *ZSet) Search(f func(ZItem) bool) int {
	if z.sl != nil {
		return z.sl.search(f)
	}
	return sort.Search(len(z.small), func(i int) bool { return f(z.small[i]) })
}

// At returns the member at rank r, which must be in [0, Len).
func (z *ZSet) At(r int) ZItem {
	if z.sl != nil {
		n := z.sl.byRank(r + 1)
		return ZItem{n.member, n.score}
	}
	return z.small[r]
}

// Range calls fn for the ranks start..end (inclusive, clamped by the
// caller to [0, Len)), ascending, or descending from end to start when
// rev, until fn returns false.
func (z *ZSet) Range(start, end int, rev bool, fn func(ZItem) bool) {
	if start > end || start < 0 || end >= z.Len() {
		return
	}
	if z.sl == nil {
		if rev {
			for i := end; i >= start; i-- {
				if !fn(z.small[i]) {
					return
				}
			}
			return
		}
		for i := start; i <= end; i++ {
			if !fn(z.small[i]) {
				return
			}
		}
		return
	}
	if rev {
		n := z.sl.byRank(end + 1)
		for i := end; i >= start && n != nil; i-- {
			if !fn(ZItem{n.member, n.score}) {
				return
			}
			n = n.back
		}
		return
	}
	n := z.sl.byRank(start + 1)
	for i := start; i <= end && n != nil; i++ {
		if !fn(ZItem{n.member, n.score}) {
			return
		}
		n = n.level[0].next
	}
}

// RemoveRange deletes the ranks start..end (inclusive, in range) and
// returns the removed members in ascending order.
func (z *ZSet) RemoveRange(start, end int) []ZItem {
	if start > end || start < 0 || end >= z.Len() {
		return nil
	}
	out := make([]ZItem, 0, end-start+1)
	z.Range(start, end, false, func(it ZItem) bool {
		out = append(out, it)
		return true
	})
	if z.sl == nil {
		z.small = append(z.small[:start], z.small[end+1:]...)
		return out
	}
	for _, it := range out {
		z.remove(it.Member, it.Score)
	}
	return out
}

// zskiplist is Redis's skiplist: levels with spans so that rank lookups
// and rank searches are O(log n), and a back pointer for reverse walks.
type zskiplist struct {
	head   *zslNode
	tail   *zslNode
	length int
	level  int
	rnd    uint64 // xorshift state for node levels
}

// zslNode is one skiplist node. A search reads score, level and (for a
// level-1 node, three in four) one of every node it passes, and member only
// on a score tie: those come first, so most visits touch one cache line.
type zslNode struct {
	score float64
	level []zslLevel
	// one holds the level of a level-1 node, so following its link costs
	// no second allocation and no second cache miss.
	one    [1]zslLevel
	member string
	back   *zslNode
}

// before reports whether n sorts before it: by score, then member.
func (n *zslNode) before(it ZItem) bool {
	if n.score != it.Score {
		return n.score < it.Score
	}
	return n.member < it.Member
}

type zslLevel struct {
	next *zslNode
	span int
}

const zslMaxLevel = 32

func newZskiplist() *zskiplist {
	return &zskiplist{
		head:  &zslNode{level: make([]zslLevel, zslMaxLevel)},
		level: 1,
		rnd:   0x9E3779B97F4A7C15,
	}
}

// randomLevel returns a level with P(l+1)/P(l) = 1/4, as Redis does.
func (sl *zskiplist) randomLevel() int {
	l := 1
	for l < zslMaxLevel {
		sl.rnd ^= sl.rnd << 13
		sl.rnd ^= sl.rnd >> 7
		sl.rnd ^= sl.rnd << 17
		if sl.rnd&3 != 0 {
			break
		}
		l++
	}
	return l
}

// Nodes of two to four levels (one in four nodes) carry their levels in
// the same allocation too: a search visits the upper levels' nodes, and a
// separate level array was a second cache miss at each of them.
type (
	zslNode2 struct {
		zslNode
		lv [2]zslLevel
	}
	zslNode4 struct {
		zslNode
		lv [4]zslLevel
	}
)

func newZslNode(it ZItem, lvl int) *zslNode {
	var n *zslNode
	switch {
	case lvl == 1:
		n = &zslNode{}
		n.level = n.one[:]
	case lvl == 2:
		x := &zslNode2{}
		n = &x.zslNode
		n.level = x.lv[:]
	case lvl <= 4:
		x := &zslNode4{}
		n = &x.zslNode
		n.level = x.lv[:lvl]
	default:
		n = &zslNode{level: make([]zslLevel, lvl)}
	}
	n.member, n.score = it.Member, it.Score
	return n
}

func (n *zslNode) item() ZItem { return ZItem{n.member, n.score} }

func (sl *zskiplist) insert(it ZItem) {
	var update [zslMaxLevel]*zslNode
	var rank [zslMaxLevel]int
	x := sl.head
	for i := sl.level - 1; i >= 0; i-- {
		if i < sl.level-1 {
			rank[i] = rank[i+1]
		}
		for x.level[i].next != nil && x.level[i].next.before(it) {
			rank[i] += x.level[i].span
			x = x.level[i].next
		}
		update[i] = x
	}
	lvl := sl.randomLevel()
	if lvl > sl.level {
		for i := sl.level; i < lvl; i++ {
			rank[i] = 0
			update[i] = sl.head
			update[i].level[i].span = sl.length
		}
		sl.level = lvl
	}
	n := newZslNode(it, lvl)
	for i := 0; i < lvl; i++ {
		n.level[i].next = update[i].level[i].next
		update[i].level[i].next = n
		n.level[i].span = update[i].level[i].span - (rank[0] - rank[i])
		update[i].level[i].span = rank[0] - rank[i] + 1
	}
	for i := lvl; i < sl.level; i++ {
		update[i].level[i].span++
	}
	if update[0] != sl.head {
		n.back = update[0]
	}
	if n.level[0].next != nil {
		n.level[0].next.back = n
	} else {
		sl.tail = n
	}
	sl.length++
}

func (sl *zskiplist) delete(it ZItem) {
	var update [zslMaxLevel]*zslNode
	x := sl.head
	for i := sl.level - 1; i >= 0; i-- {
		for x.level[i].next != nil && x.level[i].next.before(it) {
			x = x.level[i].next
		}
		update[i] = x
	}
	x = x.level[0].next
	if x == nil || x.score != it.Score || x.member != it.Member {
		return
	}
	for i := 0; i < sl.level; i++ {
		if update[i].level[i].next == x {
			update[i].level[i].span += x.level[i].span - 1
			update[i].level[i].next = x.level[i].next
		} else {
			update[i].level[i].span--
		}
	}
	if x.level[0].next != nil {
		x.level[0].next.back = x.back
	} else {
		sl.tail = x.back
	}
	for sl.level > 1 && sl.head.level[sl.level-1].next == nil {
		sl.level--
	}
	sl.length--
}

// search returns the number of nodes before the first for which f holds.
func (sl *zskiplist) search(f func(ZItem) bool) int {
	x := sl.head
	rank := 0
	for i := sl.level - 1; i >= 0; i-- {
		for x.level[i].next != nil && !f(x.level[i].next.item()) {
			rank += x.level[i].span
			x = x.level[i].next
		}
	}
	return rank
}

// byRank returns the node of 1-based rank r, or nil.
func (sl *zskiplist) byRank(r int) *zslNode {
	x := sl.head
	traversed := 0
	for i := sl.level - 1; i >= 0; i-- {
		for x.level[i].next != nil && traversed+x.level[i].span <= r {
			traversed += x.level[i].span
			x = x.level[i].next
		}
		if traversed == r {
			return x
		}
	}
	return nil
}
