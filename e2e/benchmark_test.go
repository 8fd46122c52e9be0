package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestRedisBenchmark runs redis-benchmark's standard tests against the
// server, plain, pipelined and in RESP3. redis-benchmark 7.0 exits with
// "Unexpected error reply, exiting..." on the first error reply, and warns
// when CONFIG GET fails; a run passes when it exits 0, prints a result
// line for every test and no error or warning. Rates are not checked.
func TestRedisBenchmark(t *testing.T) {
	bench := needTool(t, "redis-benchmark", "redis-tools")
	tests := []string{"PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", `MSET \(10 keys\)`}
	modes := [][]string{nil, {"-P", "16"}}
	help, _, _ := runTool(t, 30*time.Second, bench, "--help")
	if strings.Contains(help, "\n -3 ") {
		modes = append(modes, []string{"-3"})
	} else {
		t.Log("this redis-benchmark has no -3 flag: RESP3 runs skipped")
	}
	for _, target := range cliTargets(t) {
		t.Run(target.name, func(t *testing.T) {
			port := target.start(t)
			for _, mode := range modes {
				args := append([]string{"-p", port, "-q", "-n", "20000", "-t", "ping,set,get,incr,mset"}, mode...)
				out, errOut, err := runTool(t, 5*time.Minute, bench, args...)
				name := "redis-benchmark " + strings.Join(args, " ")
				if err != nil {
					t.Errorf("%s: %v\nstdout:\n%s\nstderr:\n%s", name, err, out, errOut)
					continue
				}
				var lines []string
				for _, l := range strings.FieldsFunc(out+"\n"+errOut, func(r rune) bool { return r == '\r' || r == '\n' }) {
					if l = strings.TrimSpace(l); l != "" {
						lines = append(lines, l)
					}
				}
				for _, l := range lines {
					if strings.Contains(l, "ERR") || strings.Contains(strings.ToLower(l), "error") || strings.Contains(l, "WARNING") {
						t.Errorf("%s printed %q", name, l)
					}
				}
				for _, test := range tests {
					re := regexp.MustCompile(`^` + test + `: [0-9.]+ requests per second, p50=[0-9.]+ msec$`)
					found := false
					for _, l := range lines {
						found = found || re.MatchString(l)
					}
					if !found {
						t.Errorf("%s: no result line for %s in\n%s", name, strings.ReplaceAll(test, `\`, ""), strings.Join(lines, "\n"))
					}
				}
			}
		})
	}
}
