package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"sessiond/bench/internal/resp"
	"sessiond/bench/internal/target"
)

var allPolicies = "allkeys-lfu,allkeys-lru,allkeys-random,volatile-lfu,volatile-lru,volatile-random,volatile-ttl,noeviction"

func main() {
	fs := flag.NewFlagSet("evict", flag.ExitOnError)
	topts := target.RegisterFlags(fs)
	var check, maxmemory, policies string
	var conns, rounds, size int
	var times float64
	fs.StringVar(&check, "check", "ryw", "ryw (read-your-writes) or fill (RSS bound)")
	fs.StringVar(&maxmemory, "maxmemory", "", "maxmemory for sessiond (default 100mb for ryw, 200mb for fill)")
	fs.StringVar(&policies, "policies", "", `comma-separated maxmemory-policy values ("" = sessiond's default; "all" = every policy)`)
	fs.IntVar(&conns, "conns", 64, "ryw: connections")
	fs.IntVar(&rounds, "rounds", 100000, "ryw: SET+GET rounds per connection")
	fs.IntVar(&size, "size", 256, "ryw: value bytes")
	fs.Float64Var(&times, "times", 3, "fill: bytes written, in multiples of maxmemory")
	_ = fs.Parse(os.Args[1:])
	if policies == "all" {
		policies = allPolicies
	}
	if maxmemory == "" {
		maxmemory = map[bool]string{true: "100mb", false: "200mb"}[check == "ryw"]
	}
	limit, err := parseSize(maxmemory)
	if err != nil {
		fmt.Fprintln(os.Stderr, "evict:", err)
		os.Exit(2)
	}
	target.Main(func(ctx context.Context) error {
		specs, err := topts.Specs()
		if err != nil {
			return err
		}
		fmt.Printf("evict --check %s: %s, maxmemory=%s\n", check, topts.Describe(specs[:1]), maxmemory)
		for _, p := range strings.Split(policies, ",") {
			spec := specs[0]
			spec.Args = append(append([]string(nil), spec.Args...), "--maxmemory", maxmemory)
			if p = strings.TrimSpace(p); p != "" {
				spec.Args = append(spec.Args, "--maxmemory-policy", p)
			}
			srv, err := spec.Start(ctx)
			if err != nil {
				return err
			}
			switch check {
			case "ryw":
				err = ryw(ctx, srv, limit, conns, rounds, size)
			case "fill":
				err = fill(ctx, srv, limit, times)
			default:
				err = fmt.Errorf("--check %q: want ryw or fill", check)
			}
			srv.Stop()
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// sampler polls a server's used_memory and RSS until stopped, keeping the
// peaks.
type sampler struct {
	peakUsed, peakRSS atomic.Int64
	stop              chan struct{}
	done              sync.WaitGroup
}

func sample(srv *target.Server, every time.Duration) (*sampler, error) {
	c, err := srv.Dial()
	if err != nil {
		return nil, err
	}
	s := &sampler{stop: make(chan struct{})}
	s.done.Add(1)
	go func() {
		defer s.done.Done()
		defer c.Close()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			if n, err := strconv.ParseInt(info(c, "memory", "used_memory"), 10, 64); err == nil && n > s.peakUsed.Load() {
				s.peakUsed.Store(n)
			}
			if n, err := srv.RSS(); err == nil && n > s.peakRSS.Load() {
				s.peakRSS.Store(n)
			}
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s, nil
}

func (s *sampler) finish() { close(s.stop); s.done.Wait() }

func ryw(ctx context.Context, srv *target.Server, limit int64, conns, rounds, size int) error {
	smp, err := sample(srv, 100*time.Millisecond)
	if err != nil {
		return err
	}
	value := strings.Repeat("s", size)
	var misses, errs, oks atomic.Int64
	var firstErr atomic.Value
	start := time.Now()
	var wg sync.WaitGroup
	for id := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := srv.Dial()
			if err != nil {
				firstErr.CompareAndSwap(nil, err)
				return
			}
			defer c.Close()
			for r := range rounds {
				if r%1024 == 0 && ctx.Err() != nil {
					return
				}
				key := "ryw:" + strconv.Itoa(id) + ":" + strconv.Itoa(r)
				rep, err := c.Do("SET", key, value)
				var se resp.ServerError
				switch {
				case errors.As(err, &se):
					errs.Add(1)
					continue
				case err != nil:
					firstErr.CompareAndSwap(nil, err)
					return
				}
				if rep.Str != "OK" {
					errs.Add(1)
					continue
				}
				oks.Add(1)
				got, err := c.Do("GET", key)
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				if got.Nil || got.Str != value {
					misses.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	smp.finish()
	if e, ok := firstErr.Load().(error); ok {
		return e
	}
	el := time.Since(start)
	c, err := srv.Dial()
	if err != nil {
		return err
	}
	defer c.Close()
	written := float64(oks.Load()) * float64(size+len("ryw:00:000000")) // payload only
	fmt.Printf("policy %s: %d SET +OK, %d GET misses after +OK, %d error replies; evicted_keys %s; payload written %.1f× maxmemory; peak used_memory %.2f× maxmemory; %.0f rounds/s\n",
		info(c, "memory", "maxmemory_policy"), oks.Load(), misses.Load(), errs.Load(), info(c, "stats", "evicted_keys"),
		written/float64(limit), float64(smp.peakUsed.Load())/float64(limit), float64(oks.Load())/el.Seconds())
	return nil
}

func fill(ctx context.Context, srv *target.Server, limit int64, times float64) error {
	smp, err := sample(srv, 50*time.Millisecond)
	if err != nil {
		return err
	}
	const conns, batch, size = 8, 64, 1024
	total := int(times * float64(limit) / size)
	value := strings.Repeat("f", size)
	var oom, other, ok atomic.Int64
	var firstErr atomic.Value
	var next atomic.Int64
	var wg sync.WaitGroup
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := srv.Dial()
			if err != nil {
				firstErr.CompareAndSwap(nil, err)
				return
			}
			defer c.Close()
			for ctx.Err() == nil {
				from := int(next.Add(batch)) - batch
				if from >= total {
					return
				}
				n := min(batch, total-from)
				for i := range n {
					// a TTL, so the volatile-* policies may evict every key
					c.W.Write(resp.AppendCommand(nil, "SET", "fill:"+strconv.Itoa(from+i), value, "EX", "86400"))
				}
				if err := c.W.Flush(); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				for range n {
					r, err := resp.Read(c.R)
					switch {
					case err != nil:
						firstErr.CompareAndSwap(nil, err)
						return
					case r.Kind == '-' && strings.HasPrefix(r.Str, "OOM"):
						oom.Add(1)
					case r.Kind == '-':
						other.Add(1)
					default:
						ok.Add(1)
					}
				}
			}
		}()
	}
	wg.Wait()
	// let the background evictor finish before the last samples
	time.Sleep(300 * time.Millisecond)
	smp.finish()
	if e, ok := firstErr.Load().(error); ok {
		return e
	}
	c, err := srv.Dial()
	if err != nil {
		return err
	}
	defer c.Close()
	bound := 1.2*float64(limit) + 64<<20
	peak := float64(smp.peakRSS.Load())
	verdict := "within"
	if peak > bound {
		verdict = "OVER"
	}
	fmt.Printf("policy %-15s wrote %d × 1 KiB (%.1f× maxmemory): %d OK, %d OOM, %d other errors; evicted_keys %s, keys %s; peak RSS %.1f MiB (bound %.1f MiB: %s); peak used_memory %.2f× maxmemory\n",
		info(c, "memory", "maxmemory_policy"), total, times, ok.Load(), oom.Load(), other.Load(), info(c, "stats", "evicted_keys"),
		dbsize(c), peak/(1<<20), bound/(1<<20), verdict, float64(smp.peakUsed.Load())/float64(limit))
	return nil
}

func info(c *resp.Conn, section, field string) string {
	if v, ok := c.InfoField(section, field); ok {
		return v
	}
	return "?"
}

func dbsize(c *resp.Conn) string {
	r, err := c.Do("DBSIZE")
	if err != nil {
		return "?"
	}
	return strconv.FormatInt(r.Int, 10)
}

// parseSize reads a memory size with Redis's units (b, k, kb, m, mb, g, gb).
func parseSize(s string) (int64, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	units := []struct {
		suffix string
		mul    int64
	}{{"gb", 1 << 30}, {"mb", 1 << 20}, {"kb", 1 << 10}, {"g", 1e9}, {"m", 1e6}, {"k", 1e3}, {"b", 1}}
	for _, u := range units {
		if num, ok := strings.CutSuffix(s, u.suffix); ok {
			n, err := strconv.ParseInt(num, 10, 64)
			if err != nil || n < 0 {
				return 0, fmt.Errorf("bad size %q", s)
			}
			return n * u.mul, nil
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return n, nil
}
