package server

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// listModel is a plain model of a database of lists, written from the Redis
// documentation, not from cmd_list.go.
type listModel map[string][]string

func rInt(n int) string     { return ":" + strconv.Itoa(n) + "\r\n" }
func rBulk(s string) string { return "$" + strconv.Itoa(len(s)) + "\r\n" + s + "\r\n" }
func rArr(items ...string) string {
	return "*" + strconv.Itoa(len(items)) + "\r\n" + strings.Join(items, "")
}
func rBulks(ss []string) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = rBulk(s)
	}
	return rArr(out...)
}

const rNull, rNullArr, rOK = "$-1\r\n", "*-1\r\n", "+OK\r\n"

func (m listModel) set(k string, l []string) {
	if len(l) == 0 {
		delete(m, k)
	} else {
		m[k] = l
	}
}

// norm resolves a Redis index against n; ok is false when out of range.
func norm(i, n int) (int, bool) {
	if i < 0 {
		i += n
	}
	return i, i >= 0 && i < n
}

func (m listModel) apply(args []string) string {
	k := args[1]
	l := m[k]
	n := len(l)
	atoi := func(s string) int { v, _ := strconv.Atoi(s); return v }
	switch args[0] {
	case "LPUSH", "RPUSH", "LPUSHX", "RPUSHX":
		if strings.HasSuffix(args[0], "X") && n == 0 {
			return rInt(0)
		}
		for _, v := range args[2:] {
			if args[0][0] == 'L' {
				l = append([]string{v}, l...)
			} else {
				l = append(l, v)
			}
		}
		m.set(k, l)
		return rInt(len(l))
	case "LPOP", "RPOP":
		if len(args) == 2 {
			if n == 0 {
				return rNull
			}
			var v string
			if args[0] == "LPOP" {
				v, l = l[0], l[1:]
			} else {
				v, l = l[n-1], l[:n-1]
			}
			m.set(k, l)
			return rBulk(v)
		}
		if n == 0 {
			return rNullArr
		}
		c := min(atoi(args[2]), n)
		var got []string
		for range c {
			if args[0] == "LPOP" {
				got, l = append(got, l[0]), l[1:]
			} else {
				got, l = append(got, l[len(l)-1]), l[:len(l)-1]
			}
		}
		m.set(k, l)
		return rBulks(got)
	case "LLEN":
		return rInt(n)
	case "LRANGE":
		a, b := atoi(args[2]), atoi(args[3])
		if a < 0 {
			a = max(a+n, 0)
		}
		if b < 0 {
			b += n
		}
		b = min(b, n-1)
		if a > b {
			return rArr()
		}
		return rBulks(l[a : b+1])
	case "LINDEX":
		if i, ok := norm(atoi(args[2]), n); ok {
			return rBulk(l[i])
		}
		return rNull
	case "LSET":
		if n == 0 {
			return "-" + errNoSuchKey + "\r\n"
		}
		i, ok := norm(atoi(args[2]), n)
		if !ok {
			return "-" + errIndexRange + "\r\n"
		}
		l[i] = args[3]
		return rOK
	case "LREM":
		c, v := atoi(args[2]), args[3]
		removed := 0
		var out []string
		if c >= 0 {
			for _, x := range l {
				if x == v && (c == 0 || removed < c) {
					removed++
					continue
				}
				out = append(out, x)
			}
		} else {
			for i := n - 1; i >= 0; i-- {
				if l[i] == v && removed < -c {
					removed++
					continue
				}
				out = append([]string{l[i]}, out...)
			}
		}
		m.set(k, out)
		return rInt(removed)
	case "LTRIM":
		a, b := atoi(args[2]), atoi(args[3])
		if a < 0 {
			a = max(a+n, 0)
		}
		if b < 0 {
			b += n
		}
		b = min(b, n-1)
		if a > b {
			m.set(k, nil)
		} else {
			m.set(k, slices.Clone(l[a:b+1]))
		}
		return rOK
	case "LINSERT":
		if n == 0 {
			return rInt(0)
		}
		i := slices.Index(l, args[3])
		if i < 0 {
			return rInt(-1)
		}
		if args[2] == "AFTER" {
			i++
		}
		m.set(k, slices.Insert(l, i, args[4]))
		return rInt(n + 1)
	case "LPOS":
		rank, count, maxlen := 1, -1, 0
		for j := 3; j < len(args); j += 2 {
			switch args[j] {
			case "RANK":
				rank = atoi(args[j+1])
			case "COUNT":
				count = atoi(args[j+1])
			case "MAXLEN":
				maxlen = atoi(args[j+1])
			}
		}
		var idx []int
		for i := range l {
			if rank > 0 {
				idx = append(idx, i)
			} else {
				idx = append(idx, n-1-i)
			}
		}
		if maxlen > 0 && len(idx) > maxlen {
			idx = idx[:maxlen]
		}
		var hits []string
		seen := 0
		for _, i := range idx {
			if l[i] != args[2] {
				continue
			}
			seen++
			if seen >= abs(rank) {
				hits = append(hits, rInt(i))
				if count >= 0 && count != 0 && len(hits) == count || count < 0 {
					break
				}
			}
		}
		if count >= 0 {
			return rArr(hits...)
		}
		if len(hits) == 0 {
			return rNull
		}
		return hits[0]
	case "LMOVE", "RPOPLPUSH":
		from, to := "RIGHT", "LEFT"
		if args[0] == "LMOVE" {
			from, to = args[3], args[4]
		}
		if n == 0 {
			return rNull
		}
		var v string
		if from == "LEFT" {
			v, l = l[0], l[1:]
		} else {
			v, l = l[n-1], l[:n-1]
		}
		m.set(k, l)
		d := m[args[2]]
		if to == "LEFT" {
			d = append([]string{v}, d...)
		} else {
			d = append(d, v)
		}
		m.set(args[2], d)
		return rBulk(v)
	case "LMPOP":
		nk := atoi(args[1])
		keys := args[2 : 2+nk]
		where := args[2+nk]
		c := atoi(args[len(args)-1])
		for _, key := range keys {
			if len(m[key]) > 0 {
				op := "LPOP"
				if where == "RIGHT" {
					op = "RPOP"
				}
				got := m.apply([]string{op, key, strconv.Itoa(c)})
				return rArr(rBulk(key), got)
			}
		}
		return rNullArr
	case "EXISTS":
		if n > 0 {
			return rInt(1)
		}
		return rInt(0)
	}
	panic("model: " + args[0])
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// TestListRandomAgainstModel sends random list commands to sessiond and to
// the model and compares every reply.
func TestListRandomAgainstModel(t *testing.T) {
	_, addr := startServer(t, nil, fakeClock())
	c := dial(t, addr)
	keys := []string{"a", "b", "c"}
	vals := []string{"x", "y", "z", "", "long-" + strings.Repeat("v", 40)}
	for seed := uint64(1); seed <= 4; seed++ {
		c.do("FLUSHALL")
		m := listModel{}
		r := rand.New(rand.NewPCG(seed, 7))
		key := func() string { return keys[r.IntN(len(keys))] }
		val := func() string { return vals[r.IntN(len(vals))] }
		idx := func() string { return strconv.Itoa(r.IntN(13) - 6) }
		side := func() string { return []string{"LEFT", "RIGHT"}[r.IntN(2)] }
		for i := 0; i < 1500; i++ {
			var args []string
			switch r.IntN(16) {
			case 0, 1:
				args = []string{"RPUSH", key()}
				for range 1 + r.IntN(4) {
					args = append(args, val())
				}
			case 2:
				args = []string{[]string{"LPUSH", "LPUSHX", "RPUSHX"}[r.IntN(3)], key(), val(), val()}
			case 3:
				args = []string{[]string{"LPOP", "RPOP"}[r.IntN(2)], key()}
				if r.IntN(2) == 0 {
					args = append(args, strconv.Itoa(1+r.IntN(4)))
				}
			case 4:
				args = []string{"LLEN", key()}
			case 5:
				args = []string{"LRANGE", key(), idx(), idx()}
			case 6:
				args = []string{"LINDEX", key(), idx()}
			case 7:
				args = []string{"LSET", key(), idx(), val()}
			case 8:
				args = []string{"LREM", key(), strconv.Itoa(r.IntN(5) - 2), val()}
			case 9:
				if r.IntN(3) == 0 {
					args = []string{"LTRIM", key(), idx(), idx()}
				} else {
					args = []string{"LLEN", key()}
				}
			case 10:
				args = []string{"LINSERT", key(), []string{"BEFORE", "AFTER"}[r.IntN(2)], val(), val()}
			case 11:
				args = []string{"LPOS", key(), val()}
				if r.IntN(2) == 0 {
					rank := r.IntN(3) + 1
					if r.IntN(2) == 0 {
						rank = -rank
					}
					args = append(args, "RANK", strconv.Itoa(rank))
				}
				if r.IntN(2) == 0 {
					args = append(args, "COUNT", strconv.Itoa(r.IntN(3)))
				}
				if r.IntN(2) == 0 {
					args = append(args, "MAXLEN", strconv.Itoa(r.IntN(4)))
				}
			case 12:
				args = []string{"LMOVE", key(), key(), side(), side()}
			case 13:
				args = []string{"RPOPLPUSH", key(), key()}
			case 14:
				args = []string{"LMPOP", "2", key(), key(), side(), "COUNT", strconv.Itoa(1 + r.IntN(3))}
			default:
				args = []string{"EXISTS", key()}
			}
			want := m.apply(args)
			if got := c.do(args...); got != want {
				t.Fatalf("seed %d step %d %q: reply %q, model %q", seed, i, args, got, want)
			}
		}
		for _, k := range keys {
			if got, want := c.do("LRANGE", k, "0", "-1"), rBulks(m[k]); got != want {
				t.Fatalf("seed %d: final %s = %q, model %q", seed, k, got, want)
			}
		}
	}
}
