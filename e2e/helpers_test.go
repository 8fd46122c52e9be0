package e2e

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"sessiond/config"
	"sessiond/server"
)

// goredisLog records every line go-redis logs; it is installed for the
// whole run by TestMain because go-redis's logger is global.
var goredisLog = &logRecorder{}

// binDir holds the sessiond binary built by sessiondBinary.
var binDir string

func TestMain(m *testing.M) {
	redis.SetLogger(goredisLog)
	dir, err := os.MkdirTemp("", "sessiond-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// logRecorder implements go-redis's internal.Logging.
type logRecorder struct {
	mu    sync.Mutex
	lines []string
}

func (r *logRecorder) Printf(_ context.Context, format string, v ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = append(r.lines, fmt.Sprintf(format, v...))
}

// mark returns the position to pass to since.
func (r *logRecorder) mark() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.lines)
}

// since returns the lines logged after mark.
func (r *logRecorder) since(mark int) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.lines[mark:]...)
}

// startSessiond runs an in-process sessiond with the default configuration
// on 127.0.0.1:0 and returns its address.
func startSessiond(t *testing.T) string {
	t.Helper()
	cfg, err := config.Parse([]string{"--port", "0"}, io.Discard)
	if err != nil {
		t.Fatalf("config.Parse: %v", err)
	}
	srv := server.New(cfg, server.Options{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		srv.Close()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve returned %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("Serve did not return after Close")
		}
	})
	return ln.Addr().String()
}

func portOf(t *testing.T, addr string) string {
	t.Helper()
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// waitFor polls cond until it holds or timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond) // poll interval, not a wait for an outcome
	}
}

// freePort returns a loopback port that was free a moment ago. Callers
// start their process on it and poll until it answers.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// needTool returns the path of an external program or skips the test,
// naming the Debian package that provides it.
func needTool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not installed: install Debian package %s", name, pkg)
	}
	return p
}

// runTool runs a program to completion under a deadline and returns its
// standard output and standard error.
func runTool(t *testing.T, timeout time.Duration, name string, args ...string) (string, string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s %s: did not finish within %v\nstdout:\n%s\nstderr:\n%s", name, strings.Join(args, " "), timeout, stdout.String(), stderr.String())
	}
	return stdout.String(), stderr.String(), err
}

// startRedisServer runs a real redis-server on a free loopback port, for
// comparing what the tools show, and returns the port. A port can be taken
// between freePort and redis-server's bind by a server of a test running in
// parallel, which would then answer in its place: the one answering must
// report redis-server's pid, or another port is tried.
func startRedisServer(t *testing.T) int {
	t.Helper()
	bin := needTool(t, "redis-server", "redis-server")
	for attempt := 1; ; attempt++ {
		port := freePort(t)
		cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", t.TempDir())
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		gone := func() bool {
			select {
			case <-exited:
				return true
			default:
				return false
			}
		}
		if answersAs(t, 10*time.Second, addr, cmd.Process.Pid, gone) {
			t.Cleanup(func() { _ = cmd.Process.Kill(); <-exited })
			return port
		}
		_ = cmd.Process.Kill()
		<-exited
		if attempt == 5 {
			t.Fatalf("redis-server found its port taken in %d attempts", attempt)
		}
	}
}

// answersAs waits until the process pid exits (false) or a server answers
// on addr, and reports whether that server is pid (INFO's process_id): a
// port freePort gave can be bound by a parallel test's server first.
func answersAs(t *testing.T, timeout time.Duration, addr string, pid int, exited func() bool) bool {
	t.Helper()
	ours := false
	waitFor(t, timeout, "process "+strconv.Itoa(pid)+" to answer on "+addr+" or exit", func() bool {
		if exited() {
			return true
		}
		r, err := respOnce(addr, "INFO", "server")
		if err != nil {
			return false
		}
		info, _ := r.(string)
		ours = strings.Contains(info, "\r\nprocess_id:"+strconv.Itoa(pid)+"\r\n")
		return true
	})
	return ours
}

// sessiondBinary builds the sessiond binary once per run and returns its
// path, or skips when the go command is not available.
func sessiondBinary(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not in PATH: cannot build the sessiond binary")
	}
	buildOnce.Do(func() {
		out := filepath.Join(binDir, "sessiond")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, goBin, "build", "-o", out, "sessiond")
		cmd.Dir = ".." // the module root
		msg, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build sessiond: %v\n%s", err, msg)
			return
		}
		buildPath = out
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildPath
}

var (
	buildOnce sync.Once
	buildPath string
	buildErr  error
)

// respError is an error reply.
type respError string

func (e respError) Error() string { return string(e) }

// respConn is a minimal RESP client for talking to processes without
// go-redis (whose logger the go-redis tests inspect).
type respConn struct {
	c net.Conn
	r *bufio.Reader
}

func dialRESP(addr string) (*respConn, error) {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return nil, err
	}
	return &respConn{c: c, r: bufio.NewReader(c)}, nil
}

func (rc *respConn) Close() error { return rc.c.Close() }

// do sends one command and reads one reply: a string for simple and bulk
// strings, int64, nil, []any, or respError.
func (rc *respConn) do(args ...string) (any, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	rc.c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(rc.c, b.String()); err != nil {
		return nil, err
	}
	return rc.read()
}

func (rc *respConn) read() (any, error) {
	line, err := rc.r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	line = strings.TrimSuffix(line, "\r\n")
	if line == "" {
		return nil, errors.New("empty reply line")
	}
	switch line[0] {
	case '+':
		return line[1:], nil
	case '-':
		return respError(line[1:]), nil
	case ':':
		return strconv.ParseInt(line[1:], 10, 64)
	case '$':
		n, err := strconv.Atoi(line[1:])
		if err != nil {
			return nil, err
		}
		if n < 0 {
			return nil, nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(rc.r, buf); err != nil {
			return nil, err
		}
		return string(buf[:n]), nil
	case '*':
		n, err := strconv.Atoi(line[1:])
		if err != nil {
			return nil, err
		}
		if n < 0 {
			return nil, nil
		}
		out := make([]any, n)
		for i := range out {
			if out[i], err = rc.read(); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("unexpected reply %q", line)
}

// respOnce dials, sends one command and returns its reply.
func respOnce(addr string, args ...string) (any, error) {
	rc, err := dialRESP(addr)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return rc.do(args...)
}
