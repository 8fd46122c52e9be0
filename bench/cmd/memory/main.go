package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"sessiond/bench/internal/resp"
	"sessiond/bench/internal/stats"
	"sessiond/bench/internal/target"
)

type config struct {
	keys, size, ttl, reps, batch int
	typ                          string // string or hash
	fields                       int    // fields per hash
	conns                        int    // > 0: measure idle connections instead of keys
}

// units is what the RSS growth is divided by: keys, or connections.
func (c config) units() int {
	if c.conns > 0 {
		return c.conns
	}
	return c.keys
}

// sample is one load into one fresh target.
type sample struct{ base, loaded int64 }

func (s sample) perKey(keys int) float64 { return float64(s.loaded-s.base) / float64(keys) }

func main() {
	fs := flag.NewFlagSet("memory", flag.ExitOnError)
	topts := target.RegisterFlags(fs)
	var cfg config
	fs.IntVar(&cfg.keys, "keys", 1000000, "keys to load")
	fs.IntVar(&cfg.size, "size", 1024, "value size in bytes")
	fs.IntVar(&cfg.ttl, "ttl", 3600, "EX seconds on every key")
	fs.IntVar(&cfg.reps, "reps", 3, "repetitions per target")
	fs.IntVar(&cfg.batch, "batch", 1000, "keys per pipelined batch")
	fs.StringVar(&cfg.typ, "type", "string", "value type: string (SET) or hash (HSET of --fields fields)")
	fs.IntVar(&cfg.fields, "fields", 10, "fields per hash with --type hash")
	fs.IntVar(&cfg.conns, "conns", 0, "instead of keys: open this many connections, each sending one PING, and report RSS per connection")
	_ = fs.Parse(os.Args[1:])
	sizeSet := false
	fs.Visit(func(f *flag.Flag) { sizeSet = sizeSet || f.Name == "size" })
	switch {
	case cfg.typ == "hash" && !sizeSet:
		cfg.size = 8 // small field values, as sessions hold
	case cfg.typ != "hash" && cfg.typ != "string":
		fmt.Fprintf(os.Stderr, "memory: --type must be string or hash, not %q\n", cfg.typ)
		os.Exit(2)
	}
	target.Main(func(ctx context.Context) error { return run(ctx, cfg, topts) })
}

func run(ctx context.Context, cfg config, topts *target.Options) error {
	specs, err := topts.Specs()
	if err != nil {
		return err
	}
	shape := "string"
	if cfg.typ == "hash" {
		shape = fmt.Sprintf("hash of %d fields", cfg.fields)
	}
	unit := "key"
	if cfg.conns > 0 {
		unit = "conn"
		fmt.Printf("memory: %s\nconns=%d, each idle after one PING, reps=%d, one fresh server at a time\n\n",
			topts.Describe(specs), cfg.conns, cfg.reps)
	} else {
		fmt.Printf("memory: %s\nkeys=%d (%s) size=%d ttl=%ds reps=%d, one fresh server at a time\n\n",
			topts.Describe(specs), cfg.keys, shape, cfg.size, cfg.ttl, cfg.reps)
	}
	samples := map[string][]sample{}
	for rep := 0; rep < cfg.reps; rep++ {
		for _, spec := range target.Order(rep, specs) {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			s, err := measure(ctx, cfg, spec, rep == 0)
			if err != nil {
				return err
			}
			samples[spec.Name] = append(samples[spec.Name], s)
			fmt.Fprintf(os.Stderr, "rep %d/%d %s: baseline %.1f MiB, loaded %.1f MiB, %.0f B/%s\n",
				rep+1, cfg.reps, spec.Name, mib(s.base), mib(s.loaded), s.perKey(cfg.units()), unit)
		}
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "target\tbaseline MiB\tloaded MiB\tB/%[1]s median\tB/%[1]s min\tB/%[1]s max\t\n", unit)
	perKey := map[string]float64{}
	for _, spec := range specs {
		var base, loaded, pk []float64
		for _, s := range samples[spec.Name] {
			base = append(base, mib(s.base))
			loaded = append(loaded, mib(s.loaded))
			pk = append(pk, s.perKey(cfg.units()))
		}
		perKey[spec.Name] = stats.Median(pk)
		fmt.Fprintf(tw, "%s\t%.1f\t%.1f\t%.0f\t%.0f\t%.0f\t\n", spec.Name, stats.Median(base), stats.Median(loaded),
			perKey[spec.Name], minOf(pk), maxOf(pk))
	}
	_ = tw.Flush()
	fmt.Printf("ratio sessiond/redis RSS per %s: %.2f (>1 means sessiond uses more)\n",
		unit, stats.Ratio(perKey[target.Sessiond], perKey[target.Redis]))
	return nil
}

func measure(ctx context.Context, cfg config, spec target.Spec, showInfo bool) (sample, error) {
	srv, err := spec.Start(ctx)
	if err != nil {
		return sample{}, err
	}
	defer srv.Stop()
	var s sample
	if s.base, err = srv.RSS(); err != nil {
		return s, err
	}
	if cfg.conns > 0 {
		conns, err := openIdle(ctx, srv, cfg.conns)
		for _, c := range conns {
			defer c.Close()
		}
		if err != nil {
			return s, fmt.Errorf("%s: %v", spec.Name, err)
		}
		s.loaded, err = srv.RSS()
		return s, err
	}
	c, err := srv.Dial()
	if err != nil {
		return s, err
	}
	defer c.Close()
	if err := load(ctx, c, cfg); err != nil {
		return s, fmt.Errorf("%s: load: %v", spec.Name, err)
	}
	if s.loaded, err = srv.RSS(); err != nil {
		return s, err
	}
	if rep, err := c.Do("DBSIZE"); err != nil || rep.Int != int64(cfg.keys) {
		fmt.Fprintf(os.Stderr, "warning: %s: DBSIZE = %d, %v (want %d)\n", spec.Name, rep.Int, err, cfg.keys)
	}
	if showInfo {
		printInfoMemory(c, spec.Name)
	}
	return s, nil
}

// openIdle opens n connections to srv, each answered one PING, and leaves
// them open and idle.
func openIdle(ctx context.Context, srv *target.Server, n int) ([]*resp.Conn, error) {
	var conns []*resp.Conn
	for i := 0; i < n; i++ {
		if ctx.Err() != nil {
			return conns, ctx.Err()
		}
		c, err := srv.Dial()
		if err != nil {
			return conns, fmt.Errorf("connection %d: %v", i+1, err)
		}
		conns = append(conns, c)
		if rep, err := c.Do("PING"); err != nil || rep.Str != "PONG" {
			return conns, fmt.Errorf("connection %d: PING = %+v, %v", i+1, rep, err)
		}
	}
	return conns, nil
}

// load sends SET key:N value EX ttl for every key, or with --type hash
// HSET key:N field:0 value ... and EXPIRE key:N ttl, cfg.batch keys at a time.
func load(ctx context.Context, c *resp.Conn, cfg config) error {
	value := strings.Repeat("v", cfg.size)
	ttl := strconv.Itoa(cfg.ttl)
	hset := []string{"HSET", ""}
	for f := 0; f < cfg.fields; f++ {
		hset = append(hset, "field:"+strconv.Itoa(f), value)
	}
	replies := 1
	if cfg.typ == "hash" {
		replies = 2
	}
	var buf []byte
	for start := 0; start < cfg.keys; start += cfg.batch {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		n := min(cfg.batch, cfg.keys-start)
		buf = buf[:0]
		for i := start; i < start+n; i++ {
			key := "key:" + strconv.Itoa(i)
			if cfg.typ == "hash" {
				hset[1] = key
				buf = resp.AppendCommand(buf, hset...)
				buf = resp.AppendCommand(buf, "EXPIRE", key, ttl)
				continue
			}
			buf = resp.AppendCommand(buf, "SET", key, value, "EX", ttl)
		}
		if _, err := c.W.Write(buf); err != nil {
			return err
		}
		if err := c.W.Flush(); err != nil {
			return err
		}
		for i := 0; i < n*replies; i++ {
			if err := resp.Skip(c.R); err != nil {
				return err
			}
		}
	}
	return nil
}

// printInfoMemory shows the INFO memory fields that explain RSS, or the
// whole section if none of them is there.
func printInfoMemory(c *resp.Conn, name string) {
	rep, err := c.Do("INFO", "memory")
	if err != nil || strings.TrimSpace(rep.Str) == "" {
		fmt.Printf("%s INFO memory: not available (%v)\n", name, err)
		return
	}
	want := []string{"used_memory_human", "used_memory_rss_human", "used_memory_peak_human",
		"mem_fragmentation_ratio", "maxmemory_human", "mem_allocator"}
	var picked []string
	for _, line := range strings.Split(rep.Str, "\n") {
		line = strings.TrimSpace(line)
		for _, w := range want {
			if strings.HasPrefix(line, w+":") {
				picked = append(picked, line)
			}
		}
	}
	if len(picked) == 0 {
		picked = strings.Fields(rep.Str)
	}
	fmt.Printf("%s INFO memory: %s\n", name, strings.Join(picked, " "))
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

func minOf(xs []float64) float64 {
	m := xs[0]
	for _, x := range xs {
		m = min(m, x)
	}
	return m
}

func maxOf(xs []float64) float64 {
	m := xs[0]
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}
