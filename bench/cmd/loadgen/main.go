package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"sessiond/bench/internal/rbench"
	"sessiond/bench/internal/stats"
	"sessiond/bench/internal/target"
)

type config struct {
	load
	cmds      []string
	rates     []float64
	compare   bool
	fractions []float64
	reps      int
	satReps   int
	satN      int
	rbBin     string
}

// row is one command at one rate, with the runs of both targets.
type row struct {
	cmd   string
	label string // e.g. "50% of redis" or "fixed"
	rate  float64
	runs  map[string][]*outcome
}

func main() {
	fs := flag.NewFlagSet("loadgen", flag.ExitOnError)
	topts := target.RegisterFlags(fs)
	var cfg config
	var cmds, rates, fractions string
	fs.IntVar(&cfg.clients, "c", 50, "connections")
	fs.StringVar(&cmds, "cmds", "get,set", "commands to run: get, set or both")
	fs.IntVar(&cfg.size, "d", 64, "value size in bytes")
	fs.IntVar(&cfg.keyspace, "r", 1000000, "keyspace: keys key:000000000000 .. r-1")
	fs.StringVar(&rates, "rates", "", "comma-separated total rates in requests/s (without --compare)")
	fs.BoolVar(&cfg.compare, "compare", false, "derive the rates from redis's saturated throughput times --fractions")
	fs.StringVar(&fractions, "fractions", "0.5,0.8", "fractions of redis's saturated throughput for --compare")
	fs.DurationVar(&cfg.duration, "duration", 10*time.Second, "measured time per run")
	fs.DurationVar(&cfg.warmup, "warmup", 2*time.Second, "time per run before measuring")
	fs.DurationVar(&cfg.drain, "drain", 10*time.Second, "wait for outstanding replies at the end of a run")
	fs.IntVar(&cfg.reps, "reps", 3, "repetitions per target and row")
	fs.IntVar(&cfg.satReps, "sat-reps", 3, "redis-benchmark runs to measure saturation (--compare)")
	fs.IntVar(&cfg.satN, "sat-n", 200000, "redis-benchmark -n for the saturation runs")
	fs.StringVar(&cfg.rbBin, "redis-benchmark", "redis-benchmark", "redis-benchmark binary")
	_ = fs.Parse(os.Args[1:])
	var err error
	if cfg.rates, err = floats(rates); err == nil {
		cfg.fractions, err = floats(fractions)
	}
	for _, c := range strings.Split(cmds, ",") {
		if c = strings.ToLower(strings.TrimSpace(c)); c != "get" && c != "set" {
			err = fmt.Errorf("--cmds: %q is not get or set", c)
		}
		cfg.cmds = append(cfg.cmds, c)
	}
	if err == nil && !cfg.compare && len(cfg.rates) == 0 {
		err = fmt.Errorf("give --rates or --compare")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	target.Main(func(ctx context.Context) error { return run(ctx, cfg, topts) })
}

func floats(s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		x, err := strconv.ParseFloat(f, 64)
		if err != nil || x <= 0 {
			return nil, fmt.Errorf("bad number %q", f)
		}
		out = append(out, x)
	}
	return out, nil
}

func run(ctx context.Context, cfg config, topts *target.Options) error {
	specs, err := topts.Specs()
	if err != nil {
		return err
	}
	fmt.Printf("loadgen: %s\nc=%d d=%d r=%d duration=%v warmup=%v reps=%d, open loop, latency from scheduled send\n\n",
		topts.Describe(specs), cfg.clients, cfg.size, cfg.keyspace, cfg.duration, cfg.warmup, cfg.reps)
	var rows []*row
	for _, cmd := range cfg.cmds {
		if !cfg.compare {
			for _, r := range cfg.rates {
				rows = append(rows, &row{cmd: cmd, label: "fixed", rate: r})
			}
			continue
		}
		sat, err := saturation(ctx, cfg, cmd, specs[1])
		if err != nil {
			return err
		}
		fmt.Printf("redis saturated %s: %.0f req/s (redis-benchmark -c %d -P 1, median of %d)\n",
			strings.ToUpper(cmd), sat, cfg.clients, cfg.satReps)
		for _, f := range cfg.fractions {
			rows = append(rows, &row{cmd: cmd, label: fmt.Sprintf("%.0f%% of redis", f*100), rate: math.Round(f * sat)})
		}
	}
	for _, rw := range rows {
		rw.runs = map[string][]*outcome{}
		for rep := 0; rep < cfg.reps; rep++ {
			for _, spec := range target.Order(rep, specs) {
				out, err := runOnce(ctx, cfg, rw, spec)
				if err != nil {
					return err
				}
				rw.runs[spec.Name] = append(rw.runs[spec.Name], out)
				fmt.Fprintf(os.Stderr, "%s %.0f/s rep %d/%d %s: p50 %s p99 %s p99.9 %s max %s achieved %.0f/s lag p99 %s errors %d lost %d\n",
					strings.ToUpper(rw.cmd), rw.rate, rep+1, cfg.reps, spec.Name,
					ms(out.lat.Quantile(0.5)), ms(out.lat.Quantile(0.99)), ms(out.lat.Quantile(0.999)),
					ms(out.lat.Max()), out.achieved, ms(out.lag.Quantile(0.99)), out.errors, out.lost)
			}
		}
	}
	fmt.Println()
	printTable(rows)
	return nil
}

func runOnce(ctx context.Context, cfg config, rw *row, spec target.Spec) (*outcome, error) {
	srv, err := spec.Start(ctx)
	if err != nil {
		return nil, err
	}
	defer srv.Stop()
	if rw.cmd == "get" {
		if err := populate(srv.Addr(), cfg.keyspace, cfg.size); err != nil {
			return nil, fmt.Errorf("%s: %v", spec.Name, err)
		}
	}
	l := cfg.load
	l.cmd, l.rate = rw.cmd, rw.rate
	return l.run(ctx, srv.Addr())
}

// saturation is redis's median closed-loop throughput for cmd on a fresh,
// loaded server.
func saturation(ctx context.Context, cfg config, cmd string, redis target.Spec) (float64, error) {
	var rps []float64
	for i := 0; i < cfg.satReps; i++ {
		srv, err := redis.Start(ctx)
		if err != nil {
			return 0, err
		}
		err = populate(srv.Addr(), cfg.keyspace, cfg.size)
		var res []rbench.Result
		var errs []string
		if err == nil {
			res, errs, err = rbench.Run(ctx, cfg.rbBin, srv.Host, srv.Port, "-t", cmd, "-c", strconv.Itoa(cfg.clients),
				"-P", "1", "-d", strconv.Itoa(cfg.size), "-r", strconv.Itoa(cfg.keyspace), "-n", strconv.Itoa(cfg.satN))
		}
		srv.Stop()
		if err != nil {
			return 0, fmt.Errorf("saturation run: %v %s", err, strings.Join(errs, "; "))
		}
		rps = append(rps, res[0].RPS)
	}
	return stats.Median(rps), nil
}

func ms(ns int64) string {
	if ns < 0 {
		return "-"
	}
	return strconv.FormatFloat(float64(ns)/1e6, 'f', 3, 64)
}

// each applies f to each run of one target, in run order.
func each(runs []*outcome, f func(*outcome) float64) []float64 {
	xs := make([]float64, len(runs))
	for i, o := range runs {
		xs[i] = f(o)
	}
	return xs
}

// median applies f to each run of one target and returns the median.
func median(runs []*outcome, f func(*outcome) float64) float64 {
	return stats.Median(each(runs, f))
}

func quantile(q float64) func(*outcome) float64 {
	return func(o *outcome) float64 {
		if o.lat.Count() == 0 {
			return math.NaN()
		}
		return float64(o.lat.Quantile(q)) / 1e6
	}
}

func printTable(rows []*row) {
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "cmd\trate\t\ttarget\tp50 ms\tp99 ms\tp99.9 ms\tmax ms\tachieved/s\tlag p99 ms\terrors\tlost\tp99 ratio\t")
	for _, rw := range rows {
		p99 := map[string]float64{}
		for _, name := range []string{target.Sessiond, target.Redis} {
			runs := rw.runs[name]
			p99[name] = median(runs, quantile(0.99))
			ratio := ""
			if name == target.Redis {
				q := stats.Quantiles(stats.PairedRatios(each(rw.runs[target.Sessiond], quantile(0.99)),
					each(runs, quantile(0.99))), 0.25, 0.5, 0.75)
				ratio = fmt.Sprintf("%.2f (%.2f–%.2f)", q[1], q[0], q[2])
			}
			fmt.Fprintf(tw, "%s\t%.0f\t%s\t%s\t%.3f\t%.3f\t%.3f\t%.3f\t%.0f\t%.3f\t%.0f\t%.0f\t%s\t\n",
				strings.ToUpper(rw.cmd), rw.rate, rw.label, name,
				median(runs, quantile(0.5)), p99[name], median(runs, quantile(0.999)),
				median(runs, quantile(1)), median(runs, func(o *outcome) float64 { return o.achieved }),
				median(runs, func(o *outcome) float64 { return float64(o.lag.Quantile(0.99)) / 1e6 }),
				median(runs, func(o *outcome) float64 { return float64(o.errors) }),
				median(runs, func(o *outcome) float64 { return float64(o.lost) }), ratio)
		}
	}
	_ = tw.Flush()
	fmt.Println("lag = how late loadgen itself sent (included in latency, same for both targets)")
	fmt.Println("medians over reps; p99 ratio = median over reps of sessiond p99 / redis p99, the two runs of a rep")
	fmt.Println("taken back to back (quartiles in brackets); >1 means sessiond's tail is longer")
}
