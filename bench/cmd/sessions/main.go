package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"sessiond/bench/internal/resp"
	"sessiond/bench/internal/target"
)

func main() {
	fs := flag.NewFlagSet("sessions", flag.ExitOnError)
	topts := target.RegisterFlags(fs)
	var w workload
	var maxmemory, sdPolicies, rdPolicies string
	fs.StringVar(&maxmemory, "maxmemory", "200mb", "maxmemory given to every target")
	fs.StringVar(&sdPolicies, "sessiond-policies", "", `comma-separated maxmemory-policy values for sessiond ("" = its default, no flag)`)
	fs.StringVar(&rdPolicies, "redis-policies", "allkeys-lru,allkeys-lfu", "comma-separated maxmemory-policy values for redis-server")
	fs.IntVar(&w.users, "users", 100000, "active users (sessions read with Zipf popularity)")
	fs.Float64Var(&w.theta, "zipf", 0.9, "Zipf exponent of active users' popularity, in (0,1)")
	fs.Float64Var(&w.oneoff, "oneoff", 0.5, "share of operations that create a one-off session")
	fs.Float64Var(&w.logins, "logins", 0.02, "share of operations that are new logins, read back later")
	fs.IntVar(&w.readbackAfter, "readback-after", 20, "operations on the same connection between a login and its read-back")
	fs.IntVar(&w.size, "size", 1024, "bytes per session")
	fs.IntVar(&w.ttl, "ttl", 3600, "session TTL in seconds")
	fs.StringVar(&w.mode, "mode", "string", "string or hash sessions")
	fs.StringVar(&w.slide, "slide", "getex", "string mode: getex (GETEX key EX ttl) or expire (GET + EXPIRE)")
	fs.IntVar(&w.conns, "conns", 32, "connections")
	fs.IntVar(&w.warmup, "warmup", 20000, "uncounted operations per connection before measuring")
	fs.IntVar(&w.ops, "ops", 40000, "counted operations per connection")
	_ = fs.Parse(os.Args[1:])
	if err := w.check(); err != nil {
		fmt.Fprintln(os.Stderr, "sessions:", err)
		os.Exit(2)
	}
	target.Main(func(ctx context.Context) error {
		specs, err := topts.Specs()
		if err != nil {
			return err
		}
		var runs []variant
		for _, p := range strings.Split(sdPolicies, ",") {
			runs = append(runs, variant{specs[0], strings.TrimSpace(p), maxmemory})
		}
		for _, p := range strings.Split(rdPolicies, ",") {
			if p = strings.TrimSpace(p); p != "" {
				runs = append(runs, variant{specs[1], p, maxmemory})
			}
		}
		fmt.Printf("sessions: %s\nmaxmemory=%s users=%d zipf=%.2f oneoff=%.2f logins=%.2f size=%d mode=%s slide=%s conns=%d warmup=%d ops=%d per connection\n\n",
			topts.Describe(specs), maxmemory, w.users, w.theta, w.oneoff, w.logins, w.size, w.mode, w.slide, w.conns, w.warmup, w.ops)
		var results []*result
		for _, v := range runs {
			res, err := v.run(ctx, &w)
			if err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "%s: hit ratio %.4f, read-back %.4f, %.0f ops/s\n", v.label(), res.hitRatio(), res.readback(), res.opsPerSec)
			results = append(results, res)
		}
		printTable(results)
		return nil
	})
}

// variant is one target under one policy.
type variant struct {
	spec      target.Spec
	policy    string
	maxmemory string
}

func (v variant) label() string {
	p := v.policy
	if p == "" {
		p = "(default)"
	}
	return v.spec.Name + " " + p
}

func (v variant) run(ctx context.Context, w *workload) (*result, error) {
	spec := v.spec
	spec.Args = append(append([]string(nil), spec.Args...), "--maxmemory", v.maxmemory)
	if v.policy != "" {
		spec.Args = append(spec.Args, "--maxmemory-policy", v.policy)
	}
	srv, err := spec.Start(ctx)
	if err != nil {
		return nil, err
	}
	defer srv.Stop()
	res, err := w.run(ctx, srv.Addr())
	if err != nil {
		return nil, fmt.Errorf("%s: %v", v.label(), err)
	}
	res.label = v.label()
	c, err := srv.Dial()
	if err != nil {
		return nil, err
	}
	defer c.Close()
	res.policy = infoField(c, "memory", "maxmemory_policy")
	res.evicted = infoField(c, "stats", "evicted_keys")
	res.usedMemory = infoField(c, "memory", "used_memory_human")
	res.keys = dbsize(c)
	if rss, err := srv.RSS(); err == nil {
		res.rss = fmt.Sprintf("%.1fM", float64(rss)/(1<<20))
	}
	return res, nil
}

func infoField(c *resp.Conn, section, field string) string {
	if v, ok := c.InfoField(section, field); ok {
		return v
	}
	return "-"
}

func dbsize(c *resp.Conn) int64 {
	r, err := c.Do("DBSIZE")
	if err != nil {
		return -1
	}
	return r.Int
}

func printTable(results []*result) {
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "target\tpolicy\tactive hit ratio\tlogins found\tops/s\tevicted_keys\tkeys\tused_memory\tRSS\terror replies\t")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%s\t%.4f\t%.4f\t%.0f\t%s\t%d\t%s\t%s\t%d\t\n", r.label, r.policy, r.hitRatio(), r.readback(),
			r.opsPerSec, r.evicted, r.keys, r.usedMemory, r.rss, r.errors)
	}
	_ = tw.Flush()
	fmt.Println("active hit ratio = active users' reads that found their session; logins found = new logins found on read-back")
}
