package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"

	"golang.org/x/sys/unix"
)

// pinSelf keeps this process, and so every process it starts from now on
// (redis-benchmark, the replicas), off the last CPU, which pinPrimary
// then gives to each primary alone: replicas and load generator can no
// longer take the primary's CPU, nor it theirs, as replicas on other hosts
// could not. It needs two CPUs or more.
func pinSelf() (last int, err error) {
	n := runtime.NumCPU()
	if n < 2 {
		return 0, errors.New("--pin needs 2 CPUs or more")
	}
	var set unix.CPUSet
	for cpu := range n - 1 {
		set.Set(cpu)
	}
	// every thread of ours: one started later inherits its creator's set
	if err := setAffinity(os.Getpid(), &set); err != nil {
		return 0, err
	}
	return n - 1, nil
}

// pinPrimary moves every thread of process pid to cpu alone; threads it
// starts later inherit that.
func pinPrimary(pid, cpu int) error {
	var set unix.CPUSet
	set.Set(cpu)
	return setAffinity(pid, &set)
}

// setAffinity sets the CPU set of every thread of pid, twice over: a
// thread started while the first pass ran took its creator's old set.
func setAffinity(pid int, set *unix.CPUSet) error {
	for range 2 {
		tids, err := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/task")
		if err != nil {
			return err
		}
		for _, t := range tids {
			tid, err := strconv.Atoi(t.Name())
			if err != nil {
				continue
			}
			if err := unix.SchedSetaffinity(tid, set); err != nil && !errors.Is(err, unix.ESRCH) {
				return fmt.Errorf("pin thread %d of %d: %w", tid, pid, err)
			}
		}
	}
	return nil
}
