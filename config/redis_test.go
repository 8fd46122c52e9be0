package config

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// respConn is a minimal RESP2 client, enough for CONFIG GET and SET.
type respConn struct {
	c net.Conn
	r *bufio.Reader
}

func (rc *respConn) do(args ...string) (string, []string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := io.WriteString(rc.c, b.String()); err != nil {
		return "", nil, err
	}
	line, err := rc.r.ReadString('\n')
	if err != nil {
		return "", nil, err
	}
	line = strings.TrimSuffix(line, "\r\n")
	switch line[0] {
	case '+', '-':
		return line, nil, nil
	case '*':
		n, _ := strconv.Atoi(line[1:])
		out := make([]string, 0, n)
		for i := 0; i < n; i++ {
			h, err := rc.r.ReadString('\n')
			if err != nil {
				return "", nil, err
			}
			l, _ := strconv.Atoi(strings.TrimSuffix(h[1:], "\r\n"))
			buf := make([]byte, l+2)
			if _, err := io.ReadFull(rc.r, buf); err != nil {
				return "", nil, err
			}
			out = append(out, string(buf[:l]))
		}
		return "", out, nil
	}
	return line, nil, nil
}

// startRedis runs a real redis-server on a free loopback port for the
// differential tests, or skips when it is not installed.
func startRedis(t *testing.T) *respConn {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not installed: install Debian package redis-server")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--dir", t.TempDir())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err == nil {
			t.Cleanup(func() { c.Close() })
			return &respConn{c: c, r: bufio.NewReader(c)}
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server did not start: %v", err)
		}
		time.Sleep(20 * time.Millisecond) // polling for readiness, not waiting a fixed time
	}
}

// TestAgainstRedisDefaults compares every name and default with a real
// redis-server 7.0, except those that depend on how it was started.
func TestAgainstRedisDefaults(t *testing.T) {
	rc := startRedis(t)
	_, got, err := rc.do("CONFIG", "GET", "*")
	if err != nil {
		t.Fatal(err)
	}
	real := map[string]string{}
	for i := 0; i+1 < len(got); i += 2 {
		real[got[i]] = got[i+1]
	}
	ours := map[string]string{}
	all := Default().Get("*")
	for i := 0; i+1 < len(all); i += 2 {
		ours[all[i]] = all[i+1]
	}
	// startup: set when each was started; sessiond ships a memory limit
	// and an eviction policy by default (config/memory.go, README)
	startup := map[string]bool{"port": true, "bind": true, "save": true, "dir": true,
		"maxmemory": true, "maxmemory-policy": true}
	for name, v := range real {
		o, ok := ours[name]
		switch {
		case !ok:
			t.Errorf("redis has %s, sessiond does not", name)
		case !startup[name] && o != v:
			t.Errorf("%s: redis %q, sessiond %q", name, v, o)
		}
	}
	for name := range ours {
		if _, ok := real[name]; !ok && name != "shards" && !strings.HasPrefix(name, "session-") {
			t.Errorf("sessiond has %s, redis does not", name)
		}
	}
}

// TestAgainstRedisSet sends the same CONFIG SET to redis-server and to
// Set and compares the replies byte for byte, then the values.
func TestAgainstRedisSet(t *testing.T) {
	rc := startRedis(t)
	c := Default()
	// as redis-server was started; and Redis's memory defaults, which
	// sessiond deliberately does not share (TestAgainstRedisDefaults)
	if err := c.Set([]string{"save", "", "maxmemory", "0", "maxmemory-policy", "noeviction"}); err != nil {
		t.Fatal(err)
	}
	cases := [][]string{
		{"foo", "bar"}, {"maxclients", "abc"}, {"maxclients", "0"}, {"maxclients", "10", "maxclients", "20"},
		{"maxclients", "10", "MAXCLIENTS", "20"}, {"maxclients", "abc", "foo", "bar"}, {"maxclients", "abc", "databases", "3"},
		{"databases", "3"}, {"dir", "/"}, {"loglevel", "loud"}, {"appendonly", "maybe"}, {"maxmemory", "1x"},
		{"maxmemory", "-1"}, {"maxmemory", "1.5gb"}, {"maxmemory", "3GB"}, {"maxmemory", "010"}, {"maxmemory", ""},
		{"hz", "0"}, {"hz", "100000"}, {"hz", "1e3"}, {"timeout", "00"}, {"timeout", "-1"}, {"protected-mode", "1"},
		{"protected-mode", "NO"}, {"save", "1 2 3"}, {"save", "a b"}, {"save", "-1 1"}, {"save", "1 0"}, {"save", "100 10 200 20"},
		{"client-output-buffer-limit", "foo 1 2 3"}, {"client-output-buffer-limit", "normal 1 2"},
		{"client-output-buffer-limit", "normal x 2 3"}, {"client-output-buffer-limit", "replica 1mb 2kb 3"},
		{"notify-keyspace-events", "Zq"}, {"notify-keyspace-events", "KEA"}, {"notify-keyspace-events", "AnmKE"},
		{"tcp-keepalive", "99999999999999"}, {"active-expire-effort", "11"}, {"maxmemory-policy", "foo"},
		{"maxmemory-policy", "NOEVICTION"}, {"proto-max-bulk-len", "1"}, {"repl-backlog-size", "0"},
		{"list-max-listpack-size", "-5"}, {"slowlog-log-slower-than", "-2"}, {"maxmemory-clients", "101%"},
		{"maxmemory-clients", "5%"}, {"maxmemory-clients", "1x"}, {"oom-score-adj-values", "1 2"},
		{"oom-score-adj-values", "1 2 9999"}, {"latency-tracking-info-percentiles", "50 101"},
		{"latency-tracking-info-percentiles", "x"}, {"latency-tracking-info-percentiles", "50 99.9"},
		{"slave-read-only", "no", "replica-read-only", "yes"}, {"hash-max-ziplist-entries", "100"},
		{"sanitize-dump-payload", "x"}, {"cluster-enabled", "no"}, {"replicaof", "no one"}, {"maxclients", "10", "foo"},
	}
	for _, args := range cases {
		line, _, err := rc.do(append([]string{"CONFIG", "SET"}, args...)...)
		if err != nil {
			t.Fatal(err)
		}
		want := strings.TrimPrefix(line, "-")
		got := "+OK"
		if err := c.Set(args); err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("CONFIG SET %q:\n redis    %q\n sessiond %q", args, want, got)
		}
		for i := 0; i < len(args); i += 2 {
			if args[i] == "dir" {
				continue // depends on where each started
			}
			_, rv, _ := rc.do("CONFIG", "GET", args[i])
			ov := c.Get(args[i])
			if fmt.Sprint(rv) != fmt.Sprint(ov) {
				t.Errorf("after CONFIG SET %q: redis %q, sessiond %q", args, rv, ov)
			}
		}
	}
}
