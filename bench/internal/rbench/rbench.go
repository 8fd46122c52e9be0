package rbench

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os/exec"
	"strconv"
	"strings"
)

// Result is one row of redis-benchmark's CSV output. Latencies are in
// milliseconds; NaN when the CSV had no such column.
type Result struct {
	Test  string
	RPS   float64
	AvgMs float64
	MinMs float64
	P50Ms float64
	P95Ms float64
	P99Ms float64
	MaxMs float64
}

// ParseCSV reads redis-benchmark --csv output.
func ParseCSV(r io.Reader) ([]Result, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	rows, err := cr.ReadAll()
	if err != nil {
		return nil, err
	}
	cols := map[string]int{"test": 0, "rps": 1}
	if len(rows) > 0 && len(rows[0]) > 0 && rows[0][0] == "test" {
		cols = map[string]int{}
		for i, name := range rows[0] {
			cols[name] = i
		}
		rows = rows[1:]
	}
	field := func(row []string, name string) (float64, error) {
		i, ok := cols[name]
		if !ok || i >= len(row) {
			return math.NaN(), nil
		}
		return strconv.ParseFloat(row[i], 64)
	}
	var out []Result
	for _, row := range rows {
		if len(row) < 2 {
			return nil, fmt.Errorf("rbench: short CSV row %q", row)
		}
		res := Result{Test: row[cols["test"]]}
		for _, f := range []struct {
			name string
			dst  *float64
		}{
			{"rps", &res.RPS},
			{"avg_latency_ms", &res.AvgMs},
			{"min_latency_ms", &res.MinMs},
			{"p50_latency_ms", &res.P50Ms},
			{"p95_latency_ms", &res.P95Ms},
			{"p99_latency_ms", &res.P99Ms},
			{"max_latency_ms", &res.MaxMs},
		} {
			if *f.dst, err = field(row, f.name); err != nil {
				return nil, fmt.Errorf("rbench: %s in row %q: %v", f.name, row, err)
			}
		}
		out = append(out, res)
	}
	return out, nil
}

// Run executes bin (redis-benchmark) against host:port with --csv and the
// extra args. It returns the parsed rows, every non-empty stderr line, and
// an error when the process failed or printed no rows.
func Run(ctx context.Context, bin, host string, port int, args ...string) ([]Result, []string, error) {
	full := append([]string{"-h", host, "-p", strconv.Itoa(port), "--csv"}, args...)
	cmd := exec.CommandContext(ctx, bin, full...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var errLines []string
	for _, l := range strings.Split(stderr.String(), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			errLines = append(errLines, l)
		}
	}
	res, parseErr := ParseCSV(&stdout)
	switch {
	case runErr != nil:
		return res, errLines, fmt.Errorf("%s %s: %v", bin, strings.Join(full, " "), runErr)
	case parseErr != nil:
		return res, errLines, parseErr
	case len(res) == 0:
		return res, errLines, fmt.Errorf("%s printed no results", bin)
	}
	return res, errLines, nil
}
