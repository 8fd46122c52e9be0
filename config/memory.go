package config

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// DefaultMaxmemory is maxmemory when none is given: half of the memory the
// process may use, the smaller of the cgroup's limit and the machine's
// RAM, or 0 (no limit) when neither can be read.
//
// A session cache without a limit grows until the kernel kills it, and
// every session goes at once. Half leaves room for what the heap holds
// beyond the data it is charged (garbage between collections: sessiond
// caps the heap at maxmemory plus a fifth plus 56 MiB) and for the rest
// of the machine.
func DefaultMaxmemory() int64 {
	return defaultMaxmemory(readLimit("/sys/fs/cgroup/memory.max"),
		readLimit("/sys/fs/cgroup/memory/memory.limit_in_bytes"), memTotal("/proc/meminfo"))
}

func defaultMaxmemory(limits ...int64) int64 {
	least := int64(0)
	for _, l := range limits {
		if l > 0 && (least == 0 || l < least) {
			least = l
		}
	}
	return least / 2
}

// readLimit reads a cgroup memory limit; "max", absurd values (cgroup v1
// writes a page-rounded 2^63 for none) and unreadable files are 0.
func readLimit(name string) int64 {
	b, err := os.ReadFile(name)
	if err != nil {
		return 0
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil || n <= 0 || n >= 1<<60 {
		return 0
	}
	return n
}

// memTotal reads MemTotal from /proc/meminfo, in bytes; 0 if unreadable.
func memTotal(name string) int64 {
	f, err := os.Open(name)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemTotal:" {
			kb, err := strconv.ParseInt(fields[1], 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}
