package difftest

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	redisSkipReason = "redis-server not installed (Debian package redis-server); skipping differential tests"
	startTimeout    = 10 * time.Second
)

// sessiondAddr returns the address of the server under test. With
// DIFFTEST_SELF=1 it is a second redis-server, which validates the harness
// and the scenarios themselves (every scenario must pass redis-vs-redis).
// Otherwise see startSessiond.
func sessiondAddr(t *testing.T) string {
	t.Helper()
	if os.Getenv("DIFFTEST_SELF") == "1" {
		return startRedis(t)
	}
	return startSessiond(t)
}

// startRedis runs a fresh, non-persistent redis-server on a free loopback
// port and returns its address; it is killed when t ends.
func startRedis(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip(redisSkipReason)
	}
	return startProcess(t, "redis-server", func(port int) *exec.Cmd {
		return exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--save", "", "--appendonly", "no", "--enable-debug-command", "local")
	})
}

// startSessiond returns the address of the sessiond under test: SESSIOND_ADDR
// if set (an externally started server), otherwise a sessiond binary built
// once per test process from the module root and started on a free port.
func startSessiond(t *testing.T) string {
	t.Helper()
	if addr := os.Getenv("SESSIOND_ADDR"); addr != "" {
		if err := waitReady(addr, nil, startTimeout); err != nil {
			t.Fatalf("SESSIOND_ADDR=%s does not answer PING: %v", addr, err)
		}
		return addr
	}
	bin, err := buildSessiond()
	if err != nil {
		t.Fatal(err)
	}
	return startProcess(t, "sessiond", func(port int) *exec.Cmd {
		// Redis's memory defaults (sessiond ships a limit and allkeys-lfu),
		// so both start alike; scenarios that need a policy set it
		return exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--save", "", "--appendonly", "no", "--maxmemory", "0", "--maxmemory-policy", "noeviction",
			"--enable-debug-command", "local")
	})
}

var build struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

// buildSessiond compiles the sessiond main package into a temporary
// directory (removed by TestMain), once per test process.
func buildSessiond() (string, error) {
	build.once.Do(func() {
		out, err := exec.Command("go", "env", "GOMOD").Output()
		if err != nil {
			build.err = fmt.Errorf("go env GOMOD: %v", err)
			return
		}
		gomod := strings.TrimSpace(string(out))
		if gomod == "" || gomod == os.DevNull {
			build.err = fmt.Errorf("go env GOMOD: not inside a module")
			return
		}
		build.dir, err = os.MkdirTemp("", "difftest-sessiond-")
		if err != nil {
			build.err = err
			return
		}
		bin := filepath.Join(build.dir, "sessiond")
		cmd := exec.Command("go", "build", "-o", bin, "sessiond")
		cmd.Dir = filepath.Dir(gomod)
		if out, err := cmd.CombinedOutput(); err != nil {
			build.err = fmt.Errorf("go build -o %s sessiond (in %s): %v\n%s", bin, cmd.Dir, err, out)
			return
		}
		build.bin = bin
	})
	return build.bin, build.err
}

func TestMain(m *testing.M) {
	code := m.Run()
	if build.dir != "" {
		_ = os.RemoveAll(build.dir)
	}
	os.Exit(code)
}

// lockedBuffer collects a child's output; exec writes from its own goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startProcess starts the command made by mk on a free port and waits for
// PING. A port taken between choosing and binding makes the child exit;
// that is retried on a new port. The child must be the one answering: for
// servers that report process_id in INFO, the pid is checked too, so a
// stranger's server on the same port is never mistaken for ours.
func startProcess(t *testing.T, name string, mk func(port int) *exec.Cmd) string {
	t.Helper()
	var lastErr error
	var lastOut string
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			t.Fatalf("%s: free port: %v", name, err)
		}
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		out := &lockedBuffer{}
		cmd := mk(port)
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatalf("%s: start: %v", name, err)
		}
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		stop := func() {
			_ = cmd.Process.Kill()
			<-exited
		}
		err = waitReady(addr, exited, startTimeout)
		if err == nil {
			err = checkPid(addr, cmd.Process.Pid)
		}
		if err == nil {
			t.Cleanup(stop)
			return addr
		}
		stop()
		lastErr, lastOut = err, out.String()
	}
	t.Fatalf("%s did not come up: %v\noutput:\n%s", name, lastErr, lastOut)
	return ""
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// waitReady polls PING until +PONG, the process exits, or the timeout.
func waitReady(addr string, exited <-chan struct{}, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var lastErr error
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return fmt.Errorf("process exited (last error: %v)", lastErr)
		default:
		}
		c, err := dial(addr)
		if err == nil {
			var v *value
			v, err = c.do("PING")
			c.close()
			if err == nil && string(v.raw) == "+PONG\r\n" {
				return nil
			}
			if err == nil {
				err = fmt.Errorf("PING answered %q", v.raw)
			}
		}
		lastErr = err
		time.Sleep(20 * time.Millisecond) // poll interval, not a wait for a condition
	}
	return fmt.Errorf("no PONG from %s within %v: %v", addr, timeout, lastErr)
}

// checkPid fails if the server at addr reports a process_id that is not pid.
func checkPid(addr string, pid int) error {
	c, err := dial(addr)
	if err != nil {
		return err
	}
	defer c.close()
	v, err := c.do("INFO", "server")
	if err != nil {
		return err
	}
	for _, line := range strings.Split(v.str, "\r\n") {
		if got, ok := strings.CutPrefix(line, "process_id:"); ok && got != strconv.Itoa(pid) {
			return fmt.Errorf("%s is served by process %s, not our %d", addr, got, pid)
		}
	}
	return nil
}
