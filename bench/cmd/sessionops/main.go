package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"sessiond/bench/internal/resp"
	"sessiond/bench/internal/stats"
	"sessiond/bench/internal/target"
)

type opts struct {
	check          string
	sessions       int
	conns          int
	pipelines      []int
	seconds        float64
	rounds         int
	memorySessions int
	specs          []target.Spec
}

// fieldValue is one of a session's 4 fields: with its 2-byte name, 256
// bytes, so a session holds 1 KiB.
var fieldValue = strings.Repeat("v", 254)

func main() {
	fs := flag.NewFlagSet("sessionops", flag.ExitOnError)
	topts := target.RegisterFlags(fs)
	var o opts
	var pipes string
	fs.StringVar(&o.check, "check", "get", "get, create or memory")
	fs.IntVar(&o.sessions, "sessions", 10000, "get: sessions read")
	fs.IntVar(&o.conns, "conns", 50, "connections")
	fs.StringVar(&pipes, "pipelines", "1,16", "requests in flight per connection")
	fs.Float64Var(&o.seconds, "seconds", 3, "seconds per measurement")
	fs.IntVar(&o.rounds, "rounds", 5, "rounds (medians over them)")
	fs.IntVar(&o.memorySessions, "memory-sessions", 200000, "memory: sessions loaded")
	_ = fs.Parse(os.Args[1:])
	for _, p := range strings.Split(pipes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n < 1 {
			fmt.Fprintln(os.Stderr, "--pipelines: a list of positive integers")
			os.Exit(2)
		}
		o.pipelines = append(o.pipelines, n)
	}
	target.Main(func(ctx context.Context) error {
		specs, err := topts.Specs("--maxmemory", "0")
		if err != nil {
			return err
		}
		o.specs = specs
		fmt.Printf("sessionops --check %s: %s\n", o.check, topts.Describe(specs))
		switch o.check {
		case "get", "create":
			return throughput(ctx, o)
		case "memory":
			return memory(ctx, o)
		}
		return fmt.Errorf("--check %q: want get, create or memory", o.check)
	})
}

// request is what a connection sends: the command for the i-th request.
type request func(rng *rand.Rand, buf []byte) []byte

func throughput(ctx context.Context, o opts) error {
	type key struct {
		name string
		pipe int
	}
	rps := map[key][]float64{}
	for round := range o.rounds {
		for _, spec := range target.Order(round, o.specs) {
			s, err := spec.Start(ctx)
			if err != nil {
				return err
			}
			req, err := prepare(s, spec, o)
			if err != nil {
				s.Stop()
				return err
			}
			for _, p := range o.pipelines {
				r, err := closedLoop(s.Addr(), o.conns, p, time.Duration(o.seconds*float64(time.Second)), req)
				if err != nil {
					s.Stop()
					return err
				}
				rps[key{spec.Name, p}] = append(rps[key{spec.Name, p}], r)
				fmt.Fprintf(os.Stderr, "round %d, %s -P %d: %.0f requests/s\n", round+1, spec.Name, p, r)
			}
			s.Stop()
		}
	}
	what := map[string]string{"get": "SESSION.GET id | GETEX key EX 1800", "create": "SESSION.CREATE | SET key v EX 1800"}[o.check]
	for _, p := range o.pipelines {
		a, b := rps[key{o.specs[0].Name, p}], rps[key{o.specs[1].Name, p}]
		fmt.Printf("%s, -c %d -P %d: %s %.0f/s (runs %v), %s %.0f/s (runs %v), ratio %.3f\n", what, o.conns, p,
			o.specs[0].Name, stats.Median(a), rounded(a), o.specs[1].Name, stats.Median(b), rounded(b),
			stats.Ratio(stats.Median(a), stats.Median(b)))
	}
	return nil
}

func rounded(xs []float64) []int {
	out := make([]int, len(xs))
	for i, x := range xs {
		out[i] = int(x + 0.5)
	}
	return out
}

// sessiondKind reports whether spec runs sessiond (and not a second
// redis-server in its slot, --target2 redis).
func sessiondKind(c *resp.Conn) bool {
	v, _ := c.InfoField("server", "sessiond_version")
	return v != ""
}

// prepare loads what the check reads and returns its request maker.
func prepare(s *target.Server, spec target.Spec, o opts) (request, error) {
	c, err := s.Dial()
	if err != nil {
		return nil, err
	}
	defer c.Close()
	isSessiond := sessiondKind(c)
	var seq atomic.Int64
	switch {
	case o.check == "create" && isSessiond:
		return func(_ *rand.Rand, buf []byte) []byte {
			return resp.AppendCommand(buf, "SESSION.CREATE", "OWNER", "u"+strconv.FormatInt(seq.Add(1)%1000, 10), "IDLE", "1800",
				"FIELDS", "4", "f0", fieldValue, "f1", fieldValue, "f2", fieldValue, "f3", fieldValue)
		}, nil
	case o.check == "create":
		value := strings.Repeat("v", 1024)
		return func(_ *rand.Rand, buf []byte) []byte {
			return resp.AppendCommand(buf, "SET", "sess:"+strconv.FormatInt(seq.Add(1), 10), value, "EX", "1800")
		}, nil
	}
	ids := make([]string, o.sessions)
	if isSessiond {
		for i := range ids {
			r, err := c.Do("SESSION.CREATE", "OWNER", "u"+strconv.Itoa(i%1000), "IDLE", "1800",
				"FIELDS", "4", "f0", fieldValue, "f1", fieldValue, "f2", fieldValue, "f3", fieldValue)
			if err != nil {
				return nil, fmt.Errorf("%s: SESSION.CREATE: %v", spec.Name, err)
			}
			ids[i] = r.Str
		}
		return func(rng *rand.Rand, buf []byte) []byte {
			return resp.AppendCommand(buf, "SESSION.GET", ids[rng.IntN(len(ids))])
		}, nil
	}
	value := strings.Repeat("v", 1024)
	for i := range ids {
		ids[i] = "sess:" + strconv.Itoa(i)
		if _, err := c.Do("SET", ids[i], value, "EX", "1800"); err != nil {
			return nil, fmt.Errorf("%s: SET: %v", spec.Name, err)
		}
	}
	return func(rng *rand.Rand, buf []byte) []byte {
		return resp.AppendCommand(buf, "GETEX", ids[rng.IntN(len(ids))], "EX", "1800")
	}, nil
}

// closedLoop runs conns connections, each keeping pipe requests in flight,
// for d after a warm-up of d/5, and returns the replies per second.
func closedLoop(addr string, conns, pipe int, d time.Duration, req request) (float64, error) {
	var counting atomic.Bool
	var total, errs atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var firstErr error
	var errOnce sync.Once
	for k := range conns {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			close(stop)
			wg.Wait()
			return 0, err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer nc.Close()
			rng := rand.New(rand.NewPCG(uint64(k), 1))
			r := bufio.NewReaderSize(nc, 64<<10)
			var buf []byte
			for {
				select {
				case <-stop:
					return
				default:
				}
				buf = buf[:0]
				for range pipe {
					buf = req(rng, buf)
				}
				if _, err := nc.Write(buf); err != nil {
					errOnce.Do(func() { firstErr = err })
					return
				}
				for range pipe {
					if err := resp.Skip(r); err != nil {
						var se resp.ServerError
						if !errors.As(err, &se) {
							errOnce.Do(func() { firstErr = err })
							return
						}
						errs.Add(1)
					}
				}
				if counting.Load() {
					total.Add(int64(pipe))
				}
			}
		}()
	}
	time.Sleep(d / 5) // warm-up, not counted
	counting.Store(true)
	start := time.Now()
	time.Sleep(d)
	n := total.Load()
	took := time.Since(start)
	close(stop)
	wg.Wait()
	if firstErr != nil {
		return 0, firstErr
	}
	if e := errs.Load(); e > 0 {
		return 0, fmt.Errorf("%d error replies", e)
	}
	return float64(n) / took.Seconds(), nil
}

// memory loads sessions into fresh servers and reports the memory each
// takes: SESSION.CREATE on sessiond, a plain hash of the same fields with
// EXPIRE on sessiond and on redis-server.
func memory(ctx context.Context, o opts) error {
	type row struct{ name, how string }
	used, rss := map[row][]float64{}, map[row][]float64{}
	var rows []row
	for round := range o.rounds {
		for _, spec := range target.Order(round, o.specs) {
			for _, how := range []string{"session", "hash"} {
				s, err := spec.Start(ctx)
				if err != nil {
					return err
				}
				c, err := s.Dial()
				if err != nil {
					s.Stop()
					return err
				}
				if how == "session" && !sessiondKind(c) {
					c.Close()
					s.Stop()
					continue
				}
				u0, r0 := usedMemory(c), rssOf(s)
				err = loadMemory(c, how, o.memorySessions)
				u1, r1 := usedMemory(c), rssOf(s)
				c.Close()
				s.Stop()
				if err != nil {
					return err
				}
				k := row{spec.Name, how}
				if _, seen := used[k]; !seen {
					rows = append(rows, k)
				}
				n := float64(o.memorySessions)
				used[k] = append(used[k], float64(u1-u0)/n)
				rss[k] = append(rss[k], float64(r1-r0)/n)
				fmt.Fprintf(os.Stderr, "round %d, %s %s: used_memory %.0f B, RSS %.0f B per session\n", round+1, spec.Name, how,
					float64(u1-u0)/n, float64(r1-r0)/n)
			}
		}
	}
	for _, k := range rows {
		what := "SESSION.CREATE"
		if k.how == "hash" {
			what = "HSET + EXPIRE"
		}
		fmt.Printf("%d sessions of 1 KiB, %s %s: used_memory %.0f B/session, RSS %.0f B/session (medians)\n",
			o.memorySessions, k.name, what, stats.Median(used[k]), stats.Median(rss[k]))
	}
	return nil
}

func usedMemory(c *resp.Conn) int64 {
	v, _ := c.InfoField("memory", "used_memory")
	n, _ := strconv.ParseInt(v, 10, 64)
	return n
}

func rssOf(s *target.Server) int64 {
	n, _ := s.RSS()
	return n
}

// loadMemory writes n sessions of 1 KiB, pipelined 100 at a time.
func loadMemory(c *resp.Conn, how string, n int) error {
	var buf []byte
	flush := func(k int) error {
		if _, err := c.W.Write(buf); err != nil {
			return err
		}
		if err := c.W.Flush(); err != nil {
			return err
		}
		buf = buf[:0]
		for range k {
			if err := resp.Skip(c.R); err != nil {
				return err
			}
		}
		return nil
	}
	pending := 0
	for i := range n {
		if how == "session" {
			buf = resp.AppendCommand(buf, "SESSION.CREATE", "OWNER", "u"+strconv.Itoa(i%1000), "IDLE", "1800",
				"FIELDS", "4", "f0", fieldValue, "f1", fieldValue, "f2", fieldValue, "f3", fieldValue)
			pending++
		} else {
			k := "sess:" + strconv.Itoa(i)
			buf = resp.AppendCommand(buf, "HSET", k, "f0", fieldValue, "f1", fieldValue, "f2", fieldValue, "f3", fieldValue)
			buf = resp.AppendCommand(buf, "EXPIRE", k, "1800")
			pending += 2
		}
		if pending >= 100 {
			if err := flush(pending); err != nil {
				return err
			}
			pending = 0
		}
	}
	return flush(pending)
}
