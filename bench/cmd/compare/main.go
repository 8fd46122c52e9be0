package main

import (
	"context"
	"encoding/json"
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
	reps     int
	tests    string
	clients  []int
	pipeline []int
	sizes    []int
	keyspace int
	requests int
	seconds  float64
	rbBin    string
	jsonPath string
}

// cell is one point of the matrix: one redis-benchmark invocation per
// target and repetition.
type cell struct{ clients, pipeline, size, requests int }

// row is one test in one cell, with every run of both targets.
type row struct {
	Test     string                       `json:"test"`
	Clients  int                          `json:"clients"`
	Pipeline int                          `json:"pipeline"`
	Size     int                          `json:"size"`
	Requests int                          `json:"requests"`
	Runs     map[string][]result          `json:"runs"`
	Summary  map[string]map[string]number `json:"medians"`
	RatioRPS number                       `json:"ratio_rps"`
	RatioLo  number                       `json:"ratio_rps_q1"`
	RatioHi  number                       `json:"ratio_rps_q3"`
}

// result is the part of one redis-benchmark row the report uses.
type result struct {
	RPS   number `json:"rps"`
	P50Ms number `json:"p50_ms"`
	P99Ms number `json:"p99_ms"`
}

// number marshals NaN as null.
type number float64

func (n number) MarshalJSON() ([]byte, error) {
	if math.IsNaN(float64(n)) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, float64(n), 'f', -1, 64), nil
}

func main() {
	fs := flag.NewFlagSet("compare", flag.ExitOnError)
	topts := target.RegisterFlags(fs)
	var cfg config
	var clients, pipeline, sizes string
	fs.IntVar(&cfg.reps, "reps", 5, "repetitions per target and cell")
	fs.StringVar(&cfg.tests, "tests", "set,get", "redis-benchmark -t list")
	fs.StringVar(&clients, "clients", "50", "comma-separated -c values")
	fs.StringVar(&pipeline, "pipeline", "1,16", "comma-separated -P values")
	fs.StringVar(&sizes, "sizes", "64,1024", "comma-separated -d values (bytes)")
	fs.IntVar(&cfg.keyspace, "keyspace", 1000000, "-r value (random keys)")
	fs.IntVar(&cfg.requests, "n", 0, "-n requests per test; 0 sizes it from a pilot run to take about --seconds")
	fs.Float64Var(&cfg.seconds, "seconds", 3, "target duration of one test when -n is 0")
	fs.StringVar(&cfg.rbBin, "redis-benchmark", "redis-benchmark", "redis-benchmark binary")
	fs.StringVar(&cfg.jsonPath, "json", "", "also write the results as JSON to this file (- for stdout)")
	_ = fs.Parse(os.Args[1:])
	var err error
	for _, p := range []struct {
		s   string
		dst *[]int
	}{{clients, &cfg.clients}, {pipeline, &cfg.pipeline}, {sizes, &cfg.sizes}} {
		if *p.dst, err = ints(p.s); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	target.Main(func(ctx context.Context) error { return run(ctx, cfg, topts) })
}

func ints(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("bad list %q", s)
		}
		out = append(out, n)
	}
	return out, nil
}

func run(ctx context.Context, cfg config, topts *target.Options) error {
	specs, err := topts.Specs()
	if err != nil {
		return err
	}
	fmt.Printf("compare: %s\nreps=%d tests=%s keyspace=%d, one fresh server per run, targets alternate\n\n",
		topts.Describe(specs), cfg.reps, cfg.tests, cfg.keyspace)
	var rows []*row
	var errLines []string
	for _, c := range cfg.clients {
		for _, p := range cfg.pipeline {
			for _, d := range cfg.sizes {
				cl := cell{clients: c, pipeline: p, size: d, requests: cfg.requests}
				if cl.requests == 0 {
					if cl.requests, err = pilot(ctx, cfg, cl, specs[1]); err != nil {
						return err
					}
				}
				cellRows, errs, err := runCell(ctx, cfg, cl, specs)
				if err != nil {
					return err
				}
				rows = append(rows, cellRows...)
				errLines = append(errLines, errs...)
			}
		}
	}
	printTable(rows)
	if len(errLines) > 0 {
		fmt.Println("\nredis-benchmark errors:")
		for _, l := range errLines {
			fmt.Println("  " + l)
		}
	}
	if cfg.jsonPath != "" {
		return writeJSON(cfg.jsonPath, rows, errLines)
	}
	return nil
}

func benchArgs(cfg config, cl cell, n int) []string {
	return []string{"-t", cfg.tests, "-c", strconv.Itoa(cl.clients), "-P", strconv.Itoa(cl.pipeline),
		"-d", strconv.Itoa(cl.size), "-r", strconv.Itoa(cfg.keyspace), "-n", strconv.Itoa(n)}
}

// pilot sizes -n from a short run against a fresh redis: the median rate
// over the tests times --seconds, rounded to 10,000.
func pilot(ctx context.Context, cfg config, cl cell, redis target.Spec) (int, error) {
	srv, err := redis.Start(ctx)
	if err != nil {
		return 0, err
	}
	defer srv.Stop()
	res, errs, err := rbench.Run(ctx, cfg.rbBin, srv.Host, srv.Port, benchArgs(cfg, cl, 20000*cl.pipeline)...)
	if err != nil {
		return 0, fmt.Errorf("pilot run: %v %s", err, strings.Join(errs, "; "))
	}
	var rps []float64
	for _, r := range res {
		rps = append(rps, r.RPS)
	}
	n := int(math.Round(stats.Median(rps)*cfg.seconds/10000)) * 10000
	return max(n, 10000), nil
}

func runCell(ctx context.Context, cfg config, cl cell, specs []target.Spec) ([]*row, []string, error) {
	byTest := map[string]*row{}
	var order []string
	var errLines []string
	for rep := 0; rep < cfg.reps; rep++ {
		for _, spec := range target.Order(rep, specs) {
			if ctx.Err() != nil {
				return nil, nil, ctx.Err()
			}
			srv, err := spec.Start(ctx)
			if err != nil {
				return nil, nil, err
			}
			res, errs, err := rbench.Run(ctx, cfg.rbBin, srv.Host, srv.Port, benchArgs(cfg, cl, cl.requests)...)
			srv.Stop()
			label := fmt.Sprintf("c=%d P=%d d=%d rep %d/%d %s", cl.clients, cl.pipeline, cl.size, rep+1, cfg.reps, spec.Name)
			for _, l := range errs {
				errLines = append(errLines, label+": "+l)
			}
			if err != nil {
				errLines = append(errLines, label+": "+err.Error())
			}
			var parts []string
			for _, r := range res {
				rw := byTest[r.Test]
				if rw == nil {
					rw = &row{Test: r.Test, Clients: cl.clients, Pipeline: cl.pipeline, Size: cl.size,
						Requests: cl.requests, Runs: map[string][]result{}}
					byTest[r.Test] = rw
					order = append(order, r.Test)
				}
				rw.Runs[spec.Name] = append(rw.Runs[spec.Name], result{number(r.RPS), number(r.P50Ms), number(r.P99Ms)})
				parts = append(parts, fmt.Sprintf("%s %.0f/s p99 %.2fms", r.Test, r.RPS, r.P99Ms))
			}
			fmt.Fprintf(os.Stderr, "%s n=%d: %s\n", label, cl.requests, strings.Join(parts, ", "))
		}
	}
	var rows []*row
	for _, t := range order {
		rw := byTest[t]
		rw.Summary = map[string]map[string]number{}
		for name, runs := range rw.Runs {
			pick := func(f func(result) number) number {
				xs := make([]float64, len(runs))
				for i, r := range runs {
					xs[i] = float64(f(r))
				}
				return number(stats.Median(xs))
			}
			rw.Summary[name] = map[string]number{
				"rps":    pick(func(r result) number { return r.RPS }),
				"p50_ms": pick(func(r result) number { return r.P50Ms }),
				"p99_ms": pick(func(r result) number { return r.P99Ms }),
				"runs":   number(len(runs)),
			}
		}
		q := stats.Quantiles(stats.PairedRatios(rpsOf(rw.Runs[target.Sessiond]), rpsOf(rw.Runs[target.Redis])), 0.25, 0.5, 0.75)
		rw.RatioLo, rw.RatioRPS, rw.RatioHi = number(q[0]), number(q[1]), number(q[2])
		rows = append(rows, rw)
	}
	return rows, errLines, nil
}

// rpsOf lists the throughput of each run, in run order.
func rpsOf(runs []result) []float64 {
	out := make([]float64, len(runs))
	for i, r := range runs {
		out[i] = float64(r.RPS)
	}
	return out
}

// med is a row's median of one metric for one target; NaN if it never ran.
func med(rw *row, name, metric string) float64 {
	if m, ok := rw.Summary[name]; ok {
		return float64(m[metric])
	}
	return math.NaN()
}

func printTable(rows []*row) {
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "test\tc\tP\td\tn\tsessiond rps\tredis rps\tratio\tq1–q3\tsd p50 ms\tredis p50 ms\tsd p99 ms\tredis p99 ms\truns\t")
	for _, rw := range rows {
		sd, rd := target.Sessiond, target.Redis
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%.0f\t%.0f\t%.3f\t%.2f–%.2f\t%.3f\t%.3f\t%.3f\t%.3f\t%d+%d\t\n",
			rw.Test, rw.Clients, rw.Pipeline, rw.Size, rw.Requests,
			med(rw, sd, "rps"), med(rw, rd, "rps"), float64(rw.RatioRPS), float64(rw.RatioLo), float64(rw.RatioHi),
			med(rw, sd, "p50_ms"), med(rw, rd, "p50_ms"), med(rw, sd, "p99_ms"), med(rw, rd, "p99_ms"),
			len(rw.Runs[sd]), len(rw.Runs[rd]))
	}
	_ = tw.Flush()
	fmt.Println("ratio = median over repetitions of sessiond rps / redis rps, each repetition's two runs")
	fmt.Println("taken back to back (q1–q3: the quartiles of those ratios); >1 means sessiond is faster")
}

func writeJSON(path string, rows []*row, errLines []string) error {
	b, err := json.MarshalIndent(struct {
		Time   string   `json:"time"`
		Rows   []*row   `json:"rows"`
		Errors []string `json:"errors"`
	}{time.Now().Format(time.RFC3339), rows, errLines}, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if path == "-" {
		_, err = os.Stdout.Write(b)
		return err
	}
	return os.WriteFile(path, b, 0o644)
}
