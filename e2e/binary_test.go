package e2e

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// lockedBuffer collects a child's output while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// proc is a running sessiond binary.
type proc struct {
	cmd  *exec.Cmd
	out  *lockedBuffer // standard output and standard error together
	done chan struct{} // closed when the process has exited
	err  error         // Wait's result, valid after done
}

func startBinary(t *testing.T, args ...string) *proc {
	t.Helper()
	bin := sessiondBinary(t)
	p := &proc{cmd: exec.Command(bin, args...), out: &lockedBuffer{}, done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	p.cmd.Dir = t.TempDir()
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// wait waits for the process to exit and returns its exit code.
func (p *proc) wait(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(timeout):
		t.Fatalf("sessiond did not exit within %v; output:\n%s", timeout, p.out.String())
	}
	var ee *exec.ExitError
	switch {
	case p.err == nil:
		return 0
	case errors.As(p.err, &ee):
		return ee.ExitCode()
	}
	t.Fatalf("sessiond: %v", p.err)
	return -1
}

// serveBinary starts the binary on a free loopback port with args and
// returns once it answers there itself (INFO's process_id is its pid). A
// port taken by a parallel test's server between freePort and the bind
// makes it exit, or lets the other server answer: then another port is
// tried.
func serveBinary(t *testing.T, args ...string) (*proc, string) {
	t.Helper()
	for attempt := 1; ; attempt++ {
		port := strconv.Itoa(freePort(t))
		addr := "127.0.0.1:" + port
		p := startBinary(t, append([]string{"--port", port, "--bind", "127.0.0.1"}, args...)...)
		if answersAs(t, 20*time.Second, addr, p.cmd.Process.Pid, p.exited) {
			return p, addr
		}
		if attempt == 5 {
			t.Fatalf("sessiond did not get a port of its own in %d attempts; last output:\n%s", attempt, p.out.String())
		}
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// waitReady polls PING until the binary answers on addr.
func (p *proc) waitReady(t *testing.T, addr string) {
	t.Helper()
	waitFor(t, 20*time.Second, "sessiond to answer PING on "+addr, func() bool {
		if p.exited() {
			t.Fatalf("sessiond exited before answering PING; output:\n%s", p.out.String())
		}
		r, err := respOnce(addr, "PING")
		return err == nil && r == "PONG"
	})
}

// runBinary runs the binary to completion and returns its exit code,
// standard output and standard error.
func runBinary(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	bin := sessiondBinary(t)
	stdout, stderr, err := runTool(t, 30*time.Second, bin, args...)
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, stdout, stderr
	case errors.As(err, &ee):
		return ee.ExitCode(), stdout, stderr
	}
	t.Fatalf("sessiond %s: %v", strings.Join(args, " "), err)
	return -1, "", ""
}

func mustReply(t *testing.T, rc *respConn, want any, args ...string) {
	t.Helper()
	got, err := rc.do(args...)
	if err != nil {
		t.Fatalf("%s: %v", strings.Join(args, " "), err)
	}
	if g, ok := got.(respError); ok {
		if w, ok := want.(respError); !ok || !strings.HasPrefix(string(g), string(w)) {
			t.Errorf("%s: error %q, want %#v", strings.Join(args, " "), g, want)
		}
		return
	}
	if !equalReply(got, want) {
		t.Errorf("%s = %#v, want %#v", strings.Join(args, " "), got, want)
	}
}

func equalReply(a, b any) bool {
	as, aok := a.([]any)
	bs, bok := b.([]any)
	if aok != bok {
		return false
	}
	if !aok {
		return a == b
	}
	if len(as) != len(bs) {
		return false
	}
	for i := range as {
		if !equalReply(as[i], bs[i]) {
			return false
		}
	}
	return true
}

// TestBinaryServeAndSIGTERM builds sessiond, serves clients, stops it with
// SIGTERM and checks that it exits 0 and that its log shows no stored
// value, not even from commands that failed.
func TestBinaryServeAndSIGTERM(t *testing.T) {
	p, addr := serveBinary(t)

	secrets := []string{"s3cr3t-session-token-0001", "s3cr3t-user-record-0002", "s3cr3t-in-a-bad-command-0003"}
	rc, err := dialRESP(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	mustReply(t, rc, "OK", "SET", "session:1", secrets[0], "EX", "100")
	mustReply(t, rc, secrets[0], "GET", "session:1")
	mustReply(t, rc, "OK", "SET", "user:1", secrets[1])
	mustReply(t, rc, respError("ERR value is not an integer"), "INCR", "user:1")
	mustReply(t, rc, respError("ERR syntax error"), "SET", "k", secrets[2], "BADOPTION")
	mustReply(t, rc, respError("ERR unknown command"), "NOSUCHCOMMAND", secrets[2])
	mustReply(t, rc, respError("ERR wrong number of arguments"), "GET", secrets[2], secrets[2])
	mustReply(t, rc, []any{secrets[0], secrets[1], nil}, "MGET", "session:1", "user:1", "missing")
	mustReply(t, rc, int64(2), "DBSIZE")

	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t, 20*time.Second); code != 0 {
		t.Errorf("exit code after SIGTERM = %d, want 0; output:\n%s", code, p.out.String())
	}
	log := p.out.String()
	if !strings.Contains(log, "ready to accept connections") {
		t.Errorf("log lacks the ready line:\n%s", log)
	}
	for _, s := range secrets {
		if strings.Contains(log, s) {
			t.Errorf("log contains the value %q:\n%s", s, log)
		}
	}
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, "level=ERROR") || strings.Contains(l, "level=WARN") {
			t.Errorf("log has a warning or error during a clean run: %s", l)
		}
	}
	if _, err := respOnce(addr, "PING"); err == nil {
		t.Errorf("the port still answers after sessiond exited")
	}
}

// TestBinaryShutdownCommand stops the binary with SHUTDOWN.
func TestBinaryShutdownCommand(t *testing.T) {
	p, addr := serveBinary(t)
	rc, err := dialRESP(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	// Redis closes the connection without a reply when SHUTDOWN succeeds.
	if r, err := rc.do("SHUTDOWN", "NOSAVE"); err == nil {
		t.Errorf("SHUTDOWN NOSAVE replied %#v, want the connection closed", r)
	}
	if code := p.wait(t, 20*time.Second); code != 0 {
		t.Errorf("exit code after SHUTDOWN = %d, want 0; output:\n%s", code, p.out.String())
	}
}

// TestBinaryConfigFile checks the configuration file: errors name the file
// and line and stop the start; directives sessiond accepts but does not act
// on are applied, shown by CONFIG GET and logged once each.
func TestBinaryConfigFile(t *testing.T) {
	dir := t.TempDir()
	port := strconv.Itoa(freePort(t))
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}

	bad := []struct {
		name, text string
		want       []string // in the output
	}{
		{"bad-value.conf", "# sessions\nport " + port + "\nmaxclients lots\n", []string{"bad-value.conf", "line 3", "maxclients"}},
		{"unknown.conf", "port " + port + "\nno-such-directive yes\n", []string{"unknown.conf", "line 2", "no-such-directive"}},
		{"quote.conf", "port " + port + "\nbind 127.0.0.1\nrequirepass \"unterminated\n", []string{"quote.conf", "line 3"}},
		{"range.conf", "\n\ndatabases 0\n", []string{"range.conf", "line 3", "databases"}},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			code, stdout, stderr := runBinary(t, write(b.name, b.text))
			if code == 0 {
				t.Errorf("exit code 0 for %q, want non-zero", b.text)
			}
			for _, w := range b.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q lacks %q", stderr, w)
				}
			}
			if strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
				t.Errorf("stderr has more than one line: %q", stderr)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
		})
	}

	t.Run("no-effect directives", func(t *testing.T) {
		conf := write("redis.conf", strings.Join([]string{
			"# a redis.conf with tuning that means nothing to sessiond",
			"port " + port,
			"bind 127.0.0.1",
			"list-compress-depth 1",
			"io-threads 4",
			"save \"\"",
			"appendonly no",
			"list-compress-depth 2",
			"",
		}, "\n"))
		addr := "127.0.0.1:" + port
		p := startBinary(t, conf)
		p.waitReady(t, addr)
		rc, err := dialRESP(addr)
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		mustReply(t, rc, []any{"list-compress-depth", "2"}, "CONFIG", "GET", "list-compress-depth")
		mustReply(t, rc, []any{"io-threads", "4"}, "CONFIG", "GET", "io-threads")
		mustReply(t, rc, []any{"save", ""}, "CONFIG", "GET", "save")
		mustReply(t, rc, []any{"port", port}, "CONFIG", "GET", "port")
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if code := p.wait(t, 20*time.Second); code != 0 {
			t.Errorf("exit code after SIGTERM = %d, want 0", code)
		}
		log := p.out.String()
		for _, d := range []string{"list-compress-depth", "io-threads", "save"} {
			re := regexp.MustCompile(`(^|[ ="'])` + regexp.QuoteMeta(d) + `($|[ "'])`)
			n := 0
			for _, l := range strings.Split(log, "\n") {
				if re.MatchString(l) {
					n++
				}
			}
			if n != 1 {
				t.Errorf("the log mentions directive %s %d times, want once:\n%s", d, n, log)
			}
		}
		for _, d := range []string{"port", "bind"} {
			if regexp.MustCompile(`directive=` + d + `\b`).MatchString(log) {
				t.Errorf("the log reports %s, which sessiond acts on, as having no effect:\n%s", d, log)
			}
		}
	})
}

// TestBinaryHelpVersion checks the informational flags and a bad flag.
func TestBinaryHelpVersion(t *testing.T) {
	for _, flag := range []string{"--help", "-h"} {
		code, stdout, stderr := runBinary(t, flag)
		if code != 0 || !strings.Contains(stdout, "Usage: sessiond") || stderr != "" {
			t.Errorf("sessiond %s: exit %d, stdout %q, stderr %q; want exit 0 and the usage on stdout", flag, code, stdout, stderr)
		}
	}
	for _, flag := range []string{"--version", "-v"} {
		code, stdout, stderr := runBinary(t, flag)
		if code != 0 || !regexp.MustCompile(`^sessiond v=[0-9]+\.[0-9]+\.[0-9]+\S*\n$`).MatchString(stdout) || stderr != "" {
			t.Errorf("sessiond %s: exit %d, stdout %q, stderr %q; want exit 0 and one version line", flag, code, stdout, stderr)
		}
	}
	code, stdout, stderr := runBinary(t, "--no-such-flag", "1")
	if code == 0 || !strings.Contains(stderr, "no-such-flag") || stdout != "" {
		t.Errorf("sessiond --no-such-flag 1: exit %d, stdout %q, stderr %q; want a non-zero exit naming the flag", code, stdout, stderr)
	}
}
