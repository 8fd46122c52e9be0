package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"sessiond/bench/internal/resp"
)

// workload is the traffic mix; see doc.go.
type workload struct {
	users, size, ttl, conns, warmup, ops, readbackAfter int
	theta, oneoff, logins                               float64
	mode, slide                                         string
}

func (w *workload) check() error {
	switch {
	case w.users < 2 || w.conns < 1 || w.ops < 1 || w.warmup < 0 || w.size < 10 || w.ttl < 1:
		return errors.New("--users ≥ 2, --conns ≥ 1, --ops ≥ 1, --warmup ≥ 0, --size ≥ 10 and --ttl ≥ 1 are required")
	case w.theta <= 0 || w.theta >= 1:
		return errors.New("--zipf must be in (0,1)")
	case w.oneoff < 0 || w.logins < 0 || w.oneoff+w.logins >= 1:
		return errors.New("--oneoff and --logins must be ≥ 0 with a sum below 1")
	case w.mode != "string" && w.mode != "hash":
		return fmt.Errorf("--mode %q: want string or hash", w.mode)
	case w.slide != "getex" && w.slide != "expire":
		return fmt.Errorf("--slide %q: want getex or expire", w.slide)
	}
	return nil
}

// result is one target's counts over the measured operations.
type result struct {
	label, policy, evicted, usedMemory, rss string
	keys                                    int64
	hits, misses, found, lost, errors       int64
	opsPerSec                               float64
}

func (r *result) hitRatio() float64 { return float64(r.hits) / float64(max(r.hits+r.misses, 1)) }
func (r *result) readback() float64 { return float64(r.found) / float64(max(r.found+r.lost, 1)) }

func (r *result) add(o *result) {
	r.hits += o.hits
	r.misses += o.misses
	r.found += o.found
	r.lost += o.lost
	r.errors += o.errors
}

// run creates the active users' sessions, then runs the mix on w.conns
// connections against addr.
func (w *workload) run(ctx context.Context, addr string) (*result, error) {
	if err := w.populate(addr); err != nil {
		return nil, fmt.Errorf("populate: %v", err)
	}
	z := newZipf(w.users, w.theta)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		total    result
		firstErr error
		start    sync.WaitGroup // counted phase: all connections finished warming up
	)
	start.Add(w.conns)
	var t0, t1 time.Time
	var once sync.Once
	for i := range w.conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &client{w: w, z: z, id: i, rng: rand.New(rand.NewPCG(uint64(i)+1, 42))}
			res, err := c.loop(ctx, addr, start.Done, func() { start.Wait(); once.Do(func() { t0 = time.Now() }) })
			mu.Lock()
			defer mu.Unlock()
			if err != nil && firstErr == nil {
				firstErr = err
			}
			if res != nil {
				total.add(res)
			}
		}()
	}
	wg.Wait()
	t1 = time.Now()
	if firstErr != nil {
		return nil, firstErr
	}
	total.opsPerSec = float64(w.conns*w.ops) / t1.Sub(t0).Seconds()
	return &total, nil
}

func (w *workload) activeKey(i int) string { return "sess:user:" + strconv.Itoa(i) }

// populate creates every active user's session, pipelined.
func (w *workload) populate(addr string) error {
	c, err := resp.Dial(addr, 5*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	s := &session{w: w}
	const batch = 500
	for lo := 0; lo < w.users; lo += batch {
		n := 0
		for i := lo; i < min(lo+batch, w.users); i++ {
			n += s.writeCreate(c, w.activeKey(i))
		}
		if err := c.W.Flush(); err != nil {
			return err
		}
		for range n {
			r, err := resp.Read(c.R)
			if err != nil {
				return err
			}
			if r.Kind == '-' {
				return resp.ServerError(r.Str)
			}
		}
	}
	return nil
}

// session writes the commands that create and read one session.
type session struct {
	w     *workload
	value string
	field [10]string
}

// writeCreate buffers the commands that create key and returns how many.
func (s *session) writeCreate(c *resp.Conn, key string) int {
	ttl := strconv.Itoa(s.w.ttl)
	if s.w.mode == "string" {
		if s.value == "" {
			s.value = strings.Repeat("s", s.w.size)
		}
		c.W.Write(resp.AppendCommand(nil, "SET", key, s.value, "EX", ttl))
		return 1
	}
	if s.value == "" {
		s.value = strings.Repeat("h", s.w.size/10)
		for i := range s.field {
			s.field[i] = "field" + strconv.Itoa(i)
		}
	}
	args := []string{"HSET", key}
	for _, f := range s.field {
		args = append(args, f, s.value)
	}
	c.W.Write(resp.AppendCommand(nil, args...))
	c.W.Write(resp.AppendCommand(nil, "EXPIRE", key, ttl))
	return 2
}

// writeRead buffers the commands that read and slide key and returns how
// many; the first reply says whether the session was there.
func (s *session) writeRead(c *resp.Conn, key string, slide bool) int {
	ttl := strconv.Itoa(s.w.ttl)
	switch {
	case s.w.mode == "hash":
		c.W.Write(resp.AppendCommand(nil, "HGETALL", key))
	case slide && s.w.slide == "getex":
		c.W.Write(resp.AppendCommand(nil, "GETEX", key, "EX", ttl))
		return 1
	default:
		c.W.Write(resp.AppendCommand(nil, "GET", key))
	}
	if !slide {
		return 1
	}
	c.W.Write(resp.AppendCommand(nil, "EXPIRE", key, ttl))
	return 2
}

// client is one connection's share of the mix.
type client struct {
	w   *workload
	z   *zipf
	id  int
	rng *rand.Rand
	c   *resp.Conn
	s   session
	res result
}

type pending struct {
	key string
	due int
}

// exchange flushes n buffered commands and reads their replies; it
// reports whether the first reply held a session (not nil, not empty).
func (cl *client) exchange(n int) (bool, error) {
	if err := cl.c.W.Flush(); err != nil {
		return false, err
	}
	there := false
	for i := range n {
		r, err := resp.Read(cl.c.R)
		if err != nil {
			return false, err
		}
		if r.Kind == '-' {
			cl.res.errors++
			continue
		}
		if i == 0 {
			there = !r.Nil && (r.Kind != '*' || len(r.Array) > 0)
		}
	}
	return there, nil
}

func (cl *client) loop(ctx context.Context, addr string, warmed, startCounting func()) (*result, error) {
	w := cl.w
	var once sync.Once
	markWarm := func() { once.Do(warmed) }
	defer markWarm() // on an early return too, or the others wait forever
	c, err := resp.Dial(addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	cl.c, cl.s.w = c, w
	var queue []pending
	serial := 0
	for op := 0; op < w.warmup+w.ops; op++ {
		if op == w.warmup {
			markWarm()
			startCounting()
			cl.res = result{}
			queue = queue[:0] // logins of the warm-up are not counted
		}
		if op%1024 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if len(queue) > 0 && queue[0].due <= op {
			p := queue[0]
			queue = queue[1:]
			there, err := cl.exchange(cl.s.writeRead(c, p.key, false))
			if err != nil {
				return nil, err
			}
			if there {
				cl.res.found++
			} else {
				cl.res.lost++
			}
			continue
		}
		r := cl.rng.Float64()
		switch {
		case r < w.oneoff:
			serial++
			if _, err := cl.exchange(cl.s.writeCreate(c, fmt.Sprintf("sess:bot:%d:%d", cl.id, serial))); err != nil {
				return nil, err
			}
		case r < w.oneoff+w.logins:
			serial++
			key := fmt.Sprintf("sess:login:%d:%d", cl.id, serial)
			if _, err := cl.exchange(cl.s.writeCreate(c, key)); err != nil {
				return nil, err
			}
			queue = append(queue, pending{key, op + w.readbackAfter})
		default:
			key := w.activeKey(cl.z.next(cl.rng))
			there, err := cl.exchange(cl.s.writeRead(c, key, true))
			if err != nil {
				return nil, err
			}
			if there {
				cl.res.hits++
				continue
			}
			cl.res.misses++
			if _, err := cl.exchange(cl.s.writeCreate(c, key)); err != nil { // the user logs in again
				return nil, err
			}
		}
	}
	return &cl.res, nil // check() makes ops ≥ 1, so counting began
}
