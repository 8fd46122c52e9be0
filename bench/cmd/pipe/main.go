package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"sessiond/bench/internal/resp"
	"sessiond/bench/internal/stats"
	"sessiond/bench/internal/target"
)

type config struct {
	keys, size, ttl, reps int
	file, cliBin          string
}

func main() {
	fs := flag.NewFlagSet("pipe", flag.ExitOnError)
	topts := target.RegisterFlags(fs)
	var cfg config
	fs.IntVar(&cfg.keys, "keys", 1000000, "SET commands in the file")
	fs.IntVar(&cfg.size, "size", 1024, "value size in bytes")
	fs.IntVar(&cfg.ttl, "ttl", 3600, "EX seconds on every key")
	fs.IntVar(&cfg.reps, "reps", 3, "repetitions per target")
	fs.StringVar(&cfg.file, "file", "", "command file to use, or to create and keep (default: temporary)")
	fs.StringVar(&cfg.cliBin, "redis-cli", "redis-cli", "redis-cli binary")
	_ = fs.Parse(os.Args[1:])
	target.Main(func(ctx context.Context) error { return run(ctx, cfg, topts) })
}

func run(ctx context.Context, cfg config, topts *target.Options) error {
	specs, err := topts.Specs()
	if err != nil {
		return err
	}
	file, err := commandFile(cfg)
	if err != nil {
		return err
	}
	fmt.Printf("pipe: %s\n%d x SET key:N <%d B> EX %d from %s, reps=%d, fresh server per run\n\n",
		topts.Describe(specs), cfg.keys, cfg.size, cfg.ttl, file, cfg.reps)
	secs := map[string][]float64{}
	for rep := 0; rep < cfg.reps; rep++ {
		for _, spec := range target.Order(rep, specs) {
			d, err := timePipe(ctx, cfg, spec, file)
			if err != nil {
				return err
			}
			secs[spec.Name] = append(secs[spec.Name], d.Seconds())
			fmt.Fprintf(os.Stderr, "rep %d/%d %s: %.2f s\n", rep+1, cfg.reps, spec.Name, d.Seconds())
		}
	}
	med := map[string]float64{}
	for _, spec := range specs {
		med[spec.Name] = stats.Median(secs[spec.Name])
		fmt.Printf("%-9s median %.2f s  (%.0f SET/s)  runs %s\n", spec.Name, med[spec.Name],
			float64(cfg.keys)/med[spec.Name], fmtSecs(secs[spec.Name]))
	}
	fmt.Printf("ratio sessiond/redis seconds: %.2f (>1 means sessiond is slower)\n",
		stats.Ratio(med[target.Sessiond], med[target.Redis]))
	return nil
}

func fmtSecs(xs []float64) string {
	var parts []string
	for _, x := range xs {
		parts = append(parts, strconv.FormatFloat(x, 'f', 2, 64))
	}
	return strings.Join(parts, " ")
}

// commandFile returns the path of the RESP command file, writing it first
// unless --file names one that exists.
func commandFile(cfg config) (string, error) {
	path := cfg.file
	if path == "" {
		dir, err := target.WorkDir()
		if err != nil {
			return "", err
		}
		path = filepath.Join(dir, "sets.resp")
	} else if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	value, ttl := strings.Repeat("v", cfg.size), strconv.Itoa(cfg.ttl)
	var buf []byte
	for i := 0; i < cfg.keys; i++ {
		buf = resp.AppendCommand(buf[:0], "SET", "key:"+strconv.Itoa(i), value, "EX", ttl)
		if _, err := w.Write(buf); err != nil {
			f.Close()
			return "", err
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return "", err
	}
	return path, f.Close()
}

func timePipe(ctx context.Context, cfg config, spec target.Spec, file string) (time.Duration, error) {
	srv, err := spec.Start(ctx)
	if err != nil {
		return 0, err
	}
	defer srv.Stop()
	in, err := os.Open(file)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	cmd := exec.CommandContext(ctx, cfg.cliBin, "-h", srv.Host, "-p", strconv.Itoa(srv.Port), "--pipe")
	cmd.Stdin = in
	start := time.Now()
	out, err := cmd.CombinedOutput()
	elapsed := time.Since(start)
	if err != nil {
		return 0, fmt.Errorf("%s: redis-cli --pipe: %v\n%s", spec.Name, err, out)
	}
	errs, replies, ok := parseSummary(string(out))
	if !ok || errs != 0 || replies != cfg.keys {
		return 0, fmt.Errorf("%s: redis-cli --pipe: want errors: 0, replies: %d; got:\n%s", spec.Name, cfg.keys, out)
	}
	if c, err := srv.Dial(); err == nil {
		if rep, err := c.Do("DBSIZE"); err != nil || rep.Int != int64(cfg.keys) {
			fmt.Fprintf(os.Stderr, "warning: %s: DBSIZE = %d, %v (want %d)\n", spec.Name, rep.Int, err, cfg.keys)
		}
		c.Close()
	}
	return elapsed, nil
}

var summaryRE = regexp.MustCompile(`(?m)^errors: (\d+), replies: (\d+)\s*$`)

// parseSummary finds redis-cli --pipe's last "errors: E, replies: R" line.
func parseSummary(out string) (errs, replies int, ok bool) {
	m := summaryRE.FindAllStringSubmatch(out, -1)
	if len(m) == 0 {
		return 0, 0, false
	}
	last := m[len(m)-1]
	errs, _ = strconv.Atoi(last[1])
	replies, _ = strconv.Atoi(last[2])
	return errs, replies, true
}
