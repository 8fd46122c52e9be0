package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"sessiond/bench/internal/rbench"
	"sessiond/bench/internal/resp"
	"sessiond/bench/internal/stats"
	"sessiond/bench/internal/target"
)

type opts struct {
	check            string
	rounds, requests int
	rate, seconds    int
	primaryCPU       float64 // throughput: cap each primary at this many cores (0: none)
	pin              bool    // throughput: each primary alone on the last CPU
	pinCPU           int     // the CPU pinSelf left to the primaries
	keys             int
	keyspace         int // throughput, cost: keys written, all set first
	benchBin         string
	spec             target.Spec
	redis            target.Spec // throughput: the same measurement of redis-server
}

func main() {
	fs := flag.NewFlagSet("repl", flag.ExitOnError)
	topts := target.RegisterFlags(fs)
	var o opts
	fs.StringVar(&o.check, "check", "throughput", "throughput, cost, lag or fullsync")
	fs.IntVar(&o.rounds, "rounds", 5, "throughput, cost: rounds")
	fs.IntVar(&o.requests, "requests", 200000, "throughput: redis-benchmark -n")
	fs.Float64Var(&o.primaryCPU, "primary-cpu", 0, "throughput: hold every primary to this many cores (a cgroup; needs root), so that replicas and redis-benchmark do not take its CPU")
	fs.BoolVar(&o.pin, "pin", false, "throughput: run every primary alone on the last CPU, and the replicas and redis-benchmark on the others")
	fs.IntVar(&o.rate, "rate", 50000, "lag, cost: writes per second")
	fs.IntVar(&o.seconds, "seconds", 10, "lag, cost: how long")
	fs.IntVar(&o.keys, "keys", 1000000, "fullsync: sessions of 1 KiB")
	fs.IntVar(&o.keyspace, "keyspace", 100000, "throughput, cost: the SETs overwrite this many keys, all set before the replicas attach (0: 1,000,000 keys, not set first, so the dataset grows)")
	fs.StringVar(&o.benchBin, "redis-benchmark", "redis-benchmark", "redis-benchmark binary")
	_ = fs.Parse(os.Args[1:])
	target.Main(func(ctx context.Context) error {
		specs, err := topts.Specs("--maxmemory", "0")
		if err != nil {
			return err
		}
		o.spec, o.redis = specs[0], specs[1]
		shown := specs[:1]
		if o.check == "throughput" || o.check == "cost" {
			shown = specs
		}
		fmt.Printf("repl --check %s: %s\n", o.check, topts.Describe(shown))
		if o.check == "throughput" && o.primaryCPU > 0 {
			fmt.Printf("each primary held to %.2f cores (replicas and redis-benchmark are not)\n", o.primaryCPU)
		}
		if o.check == "throughput" && o.pin {
			if o.pinCPU, err = pinSelf(); err != nil {
				return err
			}
			fmt.Printf("each primary alone on CPU %d; replicas and redis-benchmark on the others\n", o.pinCPU)
		}
		switch o.check {
		case "throughput":
			return throughput(ctx, o)
		case "cost":
			return cost(ctx, o)
		case "lag":
			return lag(ctx, o)
		case "fullsync":
			return fullsync(ctx, o)
		}
		return fmt.Errorf("--check %q: want throughput, cost, lag or fullsync", o.check)
	})
}

// startReplica starts a replica of primary (by spec) and waits until its
// link is up and its sync done.
func startReplica(ctx context.Context, spec target.Spec, primary *target.Server) (*target.Server, error) {
	spec.Args = append(append([]string(nil), spec.Args...), "--replicaof", primary.Host+" "+strconv.Itoa(primary.Port))
	r, err := spec.Start(ctx)
	if err != nil {
		return nil, err
	}
	c, err := r.Dial()
	if err != nil {
		r.Stop()
		return nil, err
	}
	defer c.Close()
	for start := time.Now(); ; {
		up, _ := c.InfoField("replication", "master_link_status")
		syncing, _ := c.InfoField("replication", "master_sync_in_progress")
		if up == "up" && syncing == "0" {
			return r, nil
		}
		if time.Since(start) > 10*time.Minute {
			r.Stop()
			return nil, errors.New("replica never came up")
		}
		select {
		case <-ctx.Done():
			r.Stop()
			return nil, ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// A runKey names the runs of one server with one number of replicas.
type runKey struct {
	name     string
	replicas int
}

// eachRun calls run for both servers with 0, 1 and 2 replicas, o.rounds
// times, in an order rotated from round to round.
func eachRun(o opts, run func(round int, spec target.Spec, n int) error) error {
	for round := range o.rounds {
		for k := range 3 {
			n := (k + round) % 3
			for _, spec := range target.Order(round, []target.Spec{o.spec, o.redis}) {
				if err := run(round, spec, n); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func throughput(ctx context.Context, o opts) error {
	rps, cpu, rcpu := map[runKey][]float64{}, map[runKey][]float64{}, map[runKey][]float64{}
	specs := []target.Spec{o.spec, o.redis}
	err := eachRun(o, func(round int, spec target.Spec, n int) error {
		res, pc, rc, err := throughputOnce(ctx, o, spec, n)
		if err != nil {
			return err
		}
		kk := runKey{spec.Name, n}
		rps[kk], cpu[kk] = append(rps[kk], res), append(cpu[kk], pc)
		if n > 0 {
			rcpu[kk] = append(rcpu[kk], rc)
		}
		fmt.Fprintf(os.Stderr, "round %d, %s with %d replicas: SET %.0f rps, primary CPU %.2f us/req\n", round+1, spec.Name, n, res, pc)
		return nil
	})
	if err != nil {
		return err
	}
	for _, spec := range specs {
		base := stats.Median(rps[runKey{spec.Name, 0}])
		for n := range 3 {
			kk := runKey{spec.Name, n}
			fmt.Printf("%s, %d replicas: SET median %.0f rps (runs %v), ratio to none %.3f; primary CPU %.2f us/req",
				spec.Name, n, stats.Median(rps[kk]), rounded(rps[kk]), stats.Ratio(stats.Median(rps[kk]), base), stats.Median(cpu[kk]))
			if n > 0 {
				// each round's runs are a minute apart at most: their
				// ratio is spared the machine's slower drift
				var paired []float64
				for i, r := range rps[kk] {
					paired = append(paired, stats.Ratio(r, rps[runKey{spec.Name, 0}][i]))
				}
				fmt.Printf(", each replica's %.2f us/req; median of the rounds' own ratios %.3f", stats.Median(rcpu[kk]), stats.Median(paired))
			}
			fmt.Println()
		}
	}
	return nil
}

// throughputOnce starts a primary of spec with n replicas of the same kind
// and runs redis-benchmark SET against it: the requests per second, and
// the CPU per request of the primary and of each replica.
func throughputOnce(ctx context.Context, o opts, spec target.Spec, n int) (rps, primaryCPU, replicaCPU float64, err error) {
	p, err := spec.Start(ctx)
	if err != nil {
		return 0, 0, 0, err
	}
	defer p.Stop()
	if err := prefill(p, o.keyspace, func(buf []byte, i int) []byte {
		return resp.AppendCommand(buf, "SET", fmt.Sprintf("key:%012d", i), benchValue)
	}); err != nil {
		return 0, 0, 0, err
	}
	if o.pin {
		if err := pinPrimary(p.PID, o.pinCPU); err != nil {
			return 0, 0, 0, err
		}
	}
	if o.primaryCPU > 0 {
		cc, err := newCPUCap(p.PID, o.primaryCPU)
		if err != nil {
			return 0, 0, 0, fmt.Errorf("--primary-cpu: %w", err)
		}
		defer cc.remove(p.PID)
	}
	var reps []*target.Server
	defer func() {
		for _, r := range reps {
			r.Stop()
		}
	}()
	for range n {
		r, err := startReplica(ctx, spec, p)
		if err != nil {
			return 0, 0, 0, err
		}
		reps = append(reps, r)
	}
	cpu0 := cpuTicks(p.PID)
	var rcpu0 int64
	for _, r := range reps {
		rcpu0 += cpuTicks(r.PID)
	}
	keys := o.keyspace
	if keys == 0 {
		keys = 1000000
	}
	res, _, err := rbench.Run(ctx, o.benchBin, p.Host, p.Port, "-t", "set", "-c", "50", "-P", "1",
		"-d", "1024", "-r", strconv.Itoa(keys), "-n", strconv.Itoa(o.requests))
	if err != nil {
		return 0, 0, 0, err
	}
	// CPU in clock ticks of 10 ms
	perReq := func(ticks int64) float64 { return float64(ticks) * 1e4 / float64(o.requests) }
	primaryCPU = perReq(cpuTicks(p.PID) - cpu0)
	if n > 0 {
		var rcpu1 int64
		for _, r := range reps {
			rcpu1 += cpuTicks(r.PID)
		}
		replicaCPU = perReq(rcpu1-rcpu0) / float64(n)
	}
	return res[0].RPS, primaryCPU, replicaCPU, nil
}

// cost measures what replicas cost the primary's CPU at a steady rate of
// writes that neither server is near its limit at: the same SETs with 0,
// 1 and 2 replicas, the primary's CPU per SET, and the ratio of that with
// none to that with n, which is the throughput ratio a primary on CPUs of
// its own would reach (on a shared machine the replicas' own CPU and the
// load generator's also compete with it: --check throughput).
func cost(ctx context.Context, o opts) error {
	cpu := map[runKey][]float64{}
	specs := []target.Spec{o.spec, o.redis}
	err := eachRun(o, func(round int, spec target.Spec, n int) error {
		c, err := costOnce(ctx, o, spec, n)
		if err != nil {
			return err
		}
		cpu[runKey{spec.Name, n}] = append(cpu[runKey{spec.Name, n}], c)
		fmt.Fprintf(os.Stderr, "round %d, %s with %d replicas: primary CPU %.2f us/SET\n", round+1, spec.Name, n, c)
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Printf("SET of 1 KiB at %d/s from %d connections for %d s, %d rounds\n", o.rate, costConns, o.seconds, o.rounds)
	for _, spec := range specs {
		base := stats.Median(cpu[runKey{spec.Name, 0}])
		for n := range 3 {
			m := stats.Median(cpu[runKey{spec.Name, n}])
			fmt.Printf("%s, %d replicas: primary CPU median %.2f us/SET (runs %.2f), capacity ratio to none %.3f\n",
				spec.Name, n, m, cpu[runKey{spec.Name, n}], stats.Ratio(base, m))
		}
	}
	return nil
}

// costConns is how many connections cost writes from.
const costConns = 10

// costOnce starts a primary of spec with n replicas and writes o.rate
// SETs a second to it for o.seconds: the primary's CPU per SET.
func costOnce(ctx context.Context, o opts, spec target.Spec, n int) (float64, error) {
	p, err := spec.Start(ctx)
	if err != nil {
		return 0, err
	}
	defer p.Stop()
	// each connection writes keys of its own: cost:<conn>:<i mod perConn>
	perConn := 100000
	if o.keyspace > 0 {
		perConn = max(o.keyspace/costConns, 1)
	}
	costKey := func(w, i int) string { return "cost:" + strconv.Itoa(w) + ":" + strconv.Itoa(i%perConn) }
	if err := prefill(p, o.keyspace, func(buf []byte, i int) []byte {
		return resp.AppendCommand(buf, "SET", costKey(i%costConns, i/costConns), benchValue)
	}); err != nil {
		return 0, err
	}
	for range n {
		r, err := startReplica(ctx, spec, p)
		if err != nil {
			return 0, err
		}
		defer r.Stop()
	}
	val := benchValue
	per := max(o.rate/100/costConns, 1) // SETs per connection every 10 ms
	var stop atomic.Bool
	var wg sync.WaitGroup
	errs := make([]error, costConns)
	var sent atomic.Int64
	cpu0 := cpuTicks(p.PID)
	for w := range costConns {
		conn, err := p.Dial()
		if err != nil {
			stop.Store(true)
			wg.Wait()
			return 0, err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer conn.Close()
			t := time.NewTicker(10 * time.Millisecond)
			defer t.Stop()
			var buf []byte
			for i := 0; !stop.Load(); {
				<-t.C
				buf = buf[:0]
				for range per {
					buf = resp.AppendCommand(buf, "SET", costKey(w, i), val)
					i++
				}
				conn.W.Write(buf)
				if errs[w] = conn.W.Flush(); errs[w] != nil {
					return
				}
				for range per {
					if errs[w] = resp.Skip(conn.R); errs[w] != nil {
						return
					}
				}
				sent.Add(int64(per))
			}
		}()
	}
	select {
	case <-time.After(time.Duration(o.seconds) * time.Second):
	case <-ctx.Done():
	}
	stop.Store(true)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return 0, err
	}
	// CPU in clock ticks of 10 ms
	return float64(cpuTicks(p.PID)-cpu0) * 1e4 / float64(sent.Load()), ctx.Err()
}

func rounded(xs []float64) []int {
	out := make([]int, len(xs))
	for i, x := range xs {
		out[i] = int(x)
	}
	return out
}

func lag(ctx context.Context, o opts) error {
	p, err := o.spec.Start(ctx)
	if err != nil {
		return err
	}
	defer p.Stop()
	r, err := startReplica(ctx, o.spec, p)
	if err != nil {
		return err
	}
	defer r.Stop()
	w, err := p.Dial()
	if err != nil {
		return err
	}
	defer w.Close()
	rd, err := r.Dial()
	if err != nil {
		return err
	}
	defer rd.Close()
	var stop atomic.Bool
	var wg sync.WaitGroup
	var werr error
	var written int64
	wg.Add(1)
	go func() { // the writer: rate/100 SETs every 10 ms, pipelined
		defer wg.Done()
		per := max(o.rate/100, 1)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for !stop.Load() {
			<-t.C
			for range per {
				w.W.Write(resp.AppendCommand(nil, "SET", "lag:clock", strconv.FormatInt(time.Now().UnixNano(), 10)))
			}
			if werr = w.W.Flush(); werr != nil {
				return
			}
			for range per {
				if werr = resp.Skip(w.R); werr != nil {
					return
				}
			}
			written += int64(per)
		}
	}()
	// a lag is taken when the poller first sees a new timestamp: the time
	// from the write's creation on the writer to its visibility on the
	// replica (plus at most one poll)
	var lags []float64
	last := ""
	start := time.Now()
	for time.Since(start) < time.Duration(o.seconds)*time.Second {
		rep, err := rd.Do("GET", "lag:clock")
		if err != nil {
			stop.Store(true)
			wg.Wait()
			return err
		}
		if rep.Kind == '$' && rep.Str != "" && rep.Str != last {
			last = rep.Str
			ns, _ := strconv.ParseInt(rep.Str, 10, 64)
			lags = append(lags, float64(time.Now().UnixNano()-ns)/1e6)
		}
	}
	stop.Store(true)
	wg.Wait()
	if werr != nil {
		return werr
	}
	q := stats.Quantiles(lags, 0.5, 0.99, 1)
	fmt.Printf("lag at %d writes/s for %d s (%d written, %d new values seen on the replica): p50 %.3f ms, p99 %.3f ms, max %.3f ms\n",
		o.rate, o.seconds, written, len(lags), q[0], q[1], q[2])
	return nil
}

func fullsync(ctx context.Context, o opts) error {
	p, err := o.spec.Start(ctx)
	if err != nil {
		return err
	}
	defer p.Stop()
	c, err := p.Dial()
	if err != nil {
		return err
	}
	defer c.Close()
	val := strings.Repeat("s", 1024)
	loadStart := time.Now()
	if err := c.Pipeline(o.keys, 1000, func(buf []byte, i int) []byte {
		return resp.AppendCommand(buf, "SET", "session:"+strconv.Itoa(i), val, "EX", "86400")
	}); err != nil {
		return err
	}
	fmt.Printf("loaded %d sessions of 1 KiB in %v\n", o.keys, time.Since(loadStart).Round(time.Millisecond))
	// PING shows a pause of the whole server; GET of a random session
	// also shows a wait for its shard, which a snapshot locks while it
	// encodes the shard's keys
	rssBefore, _ := p.RSS()
	peakFrom := "the sync's start"
	if err := p.ResetPeakRSS(); err != nil {
		peakFrom = "the server's start"
	}
	probes := []*probe{{name: "PING"}, {name: "GET", keys: o.keys}}
	var stop atomic.Bool
	var wg sync.WaitGroup
	for _, pr := range probes {
		c, err := p.Dial()
		if err != nil {
			return err
		}
		defer c.Close()
		wg.Add(1)
		go func() {
			defer wg.Done()
			pr.run(c, &stop)
		}()
	}
	syncStart := time.Now()
	r, err := startReplica(ctx, o.spec, p)
	took := time.Since(syncStart)
	stop.Store(true)
	wg.Wait()
	if err != nil {
		return err
	}
	defer r.Stop()
	rc, err := r.Dial()
	if err != nil {
		return err
	}
	defer rc.Close()
	size, err := rc.Do("DBSIZE")
	if err != nil {
		return err
	}
	peak, _ := p.PeakRSS()
	fmt.Printf("full sync of %d sessions: %v until the replica's link was up with %d keys; primary RSS %d MB before, peak %d MB since %s\n",
		o.keys, took.Round(time.Millisecond), size.Int, rssBefore>>20, peak>>20, peakFrom)
	for _, pr := range probes {
		fmt.Println("  primary " + pr.String())
	}
	return nil
}

// A probe times one command, over and over, on its own connection.
type probe struct {
	name string
	keys int       // GET session:<random below keys>; 0: the name alone
	ms   []float64 // each reply's wait
	err  error
}

func (pr *probe) run(c *resp.Conn, stop *atomic.Bool) {
	for i := 0; !stop.Load(); i++ {
		args := []string{pr.name}
		if pr.keys > 0 {
			args = append(args, "session:"+strconv.Itoa(int(uint64(i)*2654435761%uint64(pr.keys))))
		}
		t := time.Now()
		if _, err := c.Do(args...); err != nil {
			pr.err = err
			return
		}
		pr.ms = append(pr.ms, float64(time.Since(t).Microseconds())/1000)
	}
}

func (pr *probe) String() string {
	if len(pr.ms) == 0 {
		return fmt.Sprintf("%s: no replies (%v)", pr.name, pr.err)
	}
	slices.Sort(pr.ms)
	q := stats.Quantiles(pr.ms, 0.5, 0.99)
	over := len(pr.ms) - sort.SearchFloat64s(pr.ms, 10)
	return fmt.Sprintf("%s p50 %.3f ms, p99 %.3f ms, longest %.3f ms, %d over 10 ms (%d sent)",
		pr.name, q[0], q[1], pr.ms[len(pr.ms)-1], over, len(pr.ms))
}

// cpuTicks is a process's user+system CPU time in clock ticks (10 ms).
func cpuTicks(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	// after the command: state is field 3, utime 14 and stime 15
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return u + st
}

// benchValue is the 1 KiB value of the throughput and cost SETs.
var benchValue = strings.Repeat("v", 1024)

// prefill sets n keys on p, the i-th by cmd, before a measured run:
// SETs that then overwrite them are a session store's steady state. (SETs
// of new keys grow the dataset instead, and on this VM, whose freed memory
// goes back to the host, each new page costs a fault that grows dearer the
// more memory the other processes take: with two replicas it came to
// 1.3 us of the primary's CPU per SET, more than replication itself.)
func prefill(p *target.Server, n int, cmd func(buf []byte, i int) []byte) error {
	if n == 0 {
		return nil
	}
	c, err := p.Dial()
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Pipeline(n, 1000, cmd); err != nil {
		return fmt.Errorf("prefill: %w", err)
	}
	return nil
}
