package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// cpuCap holds a process to a share of the CPU: a cgroup of its own whose
// CPU bandwidth is a given number of cores (cgroup v2's cpu.max, or v1's
// CFS quota). The throughput check uses it to give a primary the same CPU
// with and without replicas, so that what it measures is the primary's own
// cost of replication, not the CPU the replicas and redis-benchmark take
// from it on a small machine.
type cpuCap struct {
	dir    string // the cgroup's directory
	parent string // where the process goes back to
}

// capPeriod is the bandwidth period: short, so a capped server is held
// back in many small pauses rather than a few long ones.
const capPeriod = 10000 // µs

// newCPUCap moves pid into a new cgroup limited to cpus cores.
func newCPUCap(pid int, cpus float64) (*cpuCap, error) {
	quota := int(cpus * capPeriod)
	name := "sessiond-bench-" + strconv.Itoa(os.Getpid()) + "-" + strconv.Itoa(pid)
	if c, err := os.ReadFile("/sys/fs/cgroup/cgroup.controllers"); err == nil && hasWord(string(c), "cpu") {
		root := "/sys/fs/cgroup"
		if err := os.WriteFile(filepath.Join(root, "cgroup.subtree_control"), []byte("+cpu"), 0); err != nil {
			return nil, fmt.Errorf("cgroup v2: enable cpu: %w", err)
		}
		cc := &cpuCap{dir: filepath.Join(root, name), parent: root}
		return cc, cc.create(pid, map[string]string{"cpu.max": fmt.Sprintf("%d %d", quota, capPeriod)})
	}
	for _, root := range []string{"/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct"} {
		if _, err := os.Stat(filepath.Join(root, "cpu.cfs_quota_us")); err == nil {
			cc := &cpuCap{dir: filepath.Join(root, name), parent: root}
			return cc, cc.create(pid, map[string]string{
				"cpu.cfs_period_us": strconv.Itoa(capPeriod),
				"cpu.cfs_quota_us":  strconv.Itoa(quota),
			})
		}
	}
	return nil, errors.New("no cgroup cpu controller found (cgroup v2 with cpu, or v1 cpu)")
}

// create makes the cgroup, writes its settings in order (v1 wants the
// period before the quota) and moves pid in.
func (cc *cpuCap) create(pid int, settings map[string]string) error {
	if err := os.Mkdir(cc.dir, 0o755); err != nil {
		return err
	}
	for _, f := range []string{"cpu.cfs_period_us", "cpu.cfs_quota_us", "cpu.max"} {
		if v, ok := settings[f]; ok {
			if err := os.WriteFile(filepath.Join(cc.dir, f), []byte(v), 0); err != nil {
				cc.remove(pid)
				return fmt.Errorf("%s: %w", f, err)
			}
		}
	}
	if err := os.WriteFile(filepath.Join(cc.dir, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0); err != nil {
		cc.remove(pid)
		return fmt.Errorf("move %d in: %w", pid, err)
	}
	return nil
}

// remove moves pid back (if it still runs) and deletes the cgroup.
func (cc *cpuCap) remove(pid int) {
	_ = os.WriteFile(filepath.Join(cc.parent, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0)
	_ = os.Remove(cc.dir)
}

func hasWord(s, w string) bool {
	for _, f := range strings.Fields(s) {
		if f == w {
			return true
		}
	}
	return false
}
