package target

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"sessiond/bench/internal/resp"
)

// Names of the two targets, used as labels in every report.
const (
	Sessiond = "sessiond"
	Redis    = "redis"
)

// Options are the target flags shared by the bench tools.
type Options struct {
	RedisBin     string
	RedisAddr    string
	SessiondBin  string
	SessiondAddr string
	SessiondArgs string
	SessiondPID  int
	Target2      string
}

// RegisterFlags adds the shared target flags to fs.
func RegisterFlags(fs *flag.FlagSet) *Options {
	o := &Options{}
	fs.StringVar(&o.RedisBin, "redis-bin", "redis-server", "redis-server binary")
	fs.StringVar(&o.RedisAddr, "redis-addr", "", "use an already-running redis at host:port instead of starting one")
	fs.StringVar(&o.SessiondBin, "sessiond-bin", "", "sessiond binary (default: go build the module root once)")
	fs.StringVar(&o.SessiondAddr, "sessiond-addr", "", "use an already-running sessiond at host:port instead of starting one")
	fs.StringVar(&o.SessiondArgs, "sessiond-args", "", "extra space-separated arguments for sessiond")
	fs.IntVar(&o.SessiondPID, "sessiond-pid", 0, "pid of the --sessiond-addr server, for RSS (default: INFO server process_id)")
	fs.StringVar(&o.Target2, "target2", Sessiond, `what runs in the sessiond slot: "sessiond", or "redis" to validate the tools against a second redis-server`)
	return o
}

// Spec says how to get one fresh target.
type Spec struct {
	Name string   // Sessiond or Redis
	Bin  string   // executable to start, when Addr is empty
	Args []string // arguments after --port P --bind 127.0.0.1
	Addr string   // external server: use it, never start or stop it
	PID  int      // external server's pid, if known
	kind string   // "redis" or "sessiond": how to build the command line
}

// Specs returns the sessiond slot and the redis slot, in that order, each
// started with extra after its own arguments.
func (o *Options) Specs(extra ...string) ([]Spec, error) {
	redis := Spec{Name: Redis, Bin: o.RedisBin, Addr: o.RedisAddr, kind: Redis,
		Args: []string{"--save", "", "--appendonly", "no"}}
	sd := Spec{Name: Sessiond, Addr: o.SessiondAddr, PID: o.SessiondPID, kind: Sessiond,
		Bin: o.SessiondBin, Args: strings.Fields(o.SessiondArgs)}
	switch o.Target2 {
	case Sessiond:
		if sd.Addr == "" && sd.Bin == "" {
			bin, err := buildSessiond()
			if err != nil {
				return nil, err
			}
			sd.Bin = bin
		}
	case Redis:
		if sd.Addr == "" {
			sd.Bin, sd.Args, sd.kind = redis.Bin, redis.Args, Redis
		}
	default:
		return nil, fmt.Errorf("--target2 %q: want sessiond or redis", o.Target2)
	}
	sd.Args = append(slices.Clip(sd.Args), extra...)
	redis.Args = append(slices.Clip(redis.Args), extra...)
	return []Spec{sd, redis}, nil
}

// Describe is a one-line account of how the two slots are filled.
func (o *Options) Describe(specs []Spec) string {
	var parts []string
	for _, s := range specs {
		what := s.Bin
		if s.Addr != "" {
			what = "external " + s.Addr
		} else if s.kind != s.Name {
			what += " (validation: same server in both slots)"
		}
		parts = append(parts, s.Name+"="+what)
	}
	return strings.Join(parts, ", ")
}

// Order returns specs in the order to run them in repetition rep: the
// first target of one repetition goes second in the next, so drift on a
// noisy machine falls on both alike.
func Order(rep int, specs []Spec) []Spec {
	out := append([]Spec(nil), specs...)
	if rep%2 == 1 {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out
}

// Server is a running target.
type Server struct {
	Name     string
	Host     string
	Port     int
	PID      int
	External bool

	cmd    *exec.Cmd
	exited chan struct{}
	output *tail
}

// Addr is host:port.
func (s *Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

var (
	mu      sync.Mutex
	live    = map[*Server]bool{}
	workDir string
)

// Start gives a fresh server for spec: a new process on a free port, or
// the external one after FLUSHALL. It returns once the server answers PING.
func (spec Spec) Start(ctx context.Context) (*Server, error) {
	if spec.Addr != "" {
		return startExternal(spec)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	args := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1"}, spec.Args...)
	cmd := exec.Command(spec.Bin, args...)
	out := &tail{max: 8 << 10}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %v", spec.Name, err)
	}
	s := &Server{Name: spec.Name, Host: "127.0.0.1", Port: port, PID: cmd.Process.Pid,
		cmd: cmd, exited: make(chan struct{}), output: out}
	go func() { _ = cmd.Wait(); close(s.exited) }()
	mu.Lock()
	live[s] = true
	mu.Unlock()
	if err := waitReady(ctx, s); err != nil {
		s.Stop()
		return nil, fmt.Errorf("%s (%s %s) not ready: %v\n%s", spec.Name, spec.Bin,
			strings.Join(args, " "), err, out.String())
	}
	return s, nil
}

func startExternal(spec Spec) (*Server, error) {
	host, portStr, err := net.SplitHostPort(spec.Addr)
	if err != nil {
		return nil, err
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return nil, err
	}
	s := &Server{Name: spec.Name, Host: host, Port: port, PID: spec.PID, External: true}
	c, err := resp.Dial(spec.Addr, 2*time.Second)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if _, err := c.Do("PING"); err != nil {
		return nil, fmt.Errorf("%s at %s: PING: %v", spec.Name, spec.Addr, err)
	}
	if _, err := c.Do("FLUSHALL"); err != nil {
		fmt.Fprintf(os.Stderr, "warning: %s at %s: FLUSHALL: %v\n", spec.Name, spec.Addr, err)
	}
	if s.PID == 0 {
		s.PID = infoPID(c)
	}
	return s, nil
}

// infoPID reads process_id from INFO server; 0 if unavailable.
func infoPID(c *resp.Conn) int {
	v, _ := c.InfoField("server", "process_id")
	pid, _ := strconv.Atoi(v)
	return pid
}

// waitReady polls PING until the server answers, exits, or 20s pass.
func waitReady(ctx context.Context, s *Server) error {
	deadline := time.Now().Add(20 * time.Second)
	poll := time.NewTicker(5 * time.Millisecond)
	defer poll.Stop()
	for {
		if c, err := resp.Dial(s.Addr(), time.Second); err == nil {
			rep, err := c.Do("PING")
			c.Close()
			if err == nil && rep.Str == "PONG" {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return errors.New("no PONG within 20s")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.exited:
			return fmt.Errorf("exited: %v", s.cmd.ProcessState)
		case <-poll.C:
		}
	}
}

// Stop ends the process (SIGTERM, then SIGKILL after 5s) and waits for it.
// It does nothing for an external server and is safe to call twice.
func (s *Server) Stop() {
	if s == nil || s.External {
		return
	}
	mu.Lock()
	delete(live, s)
	mu.Unlock()
	_ = syscall.Kill(-s.PID, syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-s.PID, syscall.SIGKILL)
		<-s.exited
	}
}

// RSS returns the resident set size in bytes from /proc/<pid>/status.
func (s *Server) RSS() (int64, error) { return s.statusBytes("VmRSS") }

// PeakRSS returns the largest resident set size the process has had.
func (s *Server) PeakRSS() (int64, error) { return s.statusBytes("VmHWM") }

// ResetPeakRSS makes PeakRSS count from now (Linux's clear_refs 5).
func (s *Server) ResetPeakRSS() error {
	if s.PID == 0 {
		return fmt.Errorf("%s: pid unknown", s.Name)
	}
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", s.PID), []byte("5"), 0)
}

// statusBytes reads a kB field of /proc/<pid>/status, in bytes.
func (s *Server) statusBytes(field string) (int64, error) {
	if s.PID == 0 {
		return 0, fmt.Errorf("%s: pid unknown (pass --sessiond-pid)", s.Name)
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.PID))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no %s line", field)
}

// Dial opens a setup connection to the server.
func (s *Server) Dial() (*resp.Conn, error) { return resp.Dial(s.Addr(), 5*time.Second) }

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// WorkDir is a temporary directory removed when Main returns.
func WorkDir() (string, error) {
	mu.Lock()
	defer mu.Unlock()
	if workDir == "" {
		d, err := os.MkdirTemp("", "sessiond-bench-")
		if err != nil {
			return "", err
		}
		workDir = d
	}
	return workDir, nil
}

// buildSessiond runs `go build -o <tmp>/sessiond .` in the module root.
func buildSessiond() (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	dir, err := WorkDir()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "sessiond")
	fmt.Fprintf(os.Stderr, "building sessiond from %s\n", root)
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build sessiond: %v\n%s", err, out)
	}
	return bin, nil
}

// moduleRoot walks up from the working directory to the go.mod of module
// sessiond.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil &&
			strings.HasPrefix(strings.TrimSpace(string(b)), "module sessiond") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("module sessiond not found above the working directory; pass --sessiond-bin")
		}
		dir = parent
	}
}

// Main runs a tool: run gets a context cancelled on SIGINT or SIGTERM. When
// run returns, every server still running is stopped and the work
// directory removed; the exit status is 1 on error, 130 on a signal. A
// second signal kills the servers and exits at once.
func Main(run func(ctx context.Context) error) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-sigs
		fmt.Fprintln(os.Stderr, "interrupted: stopping servers")
		cancel()
		<-sigs
		cleanup(syscall.SIGKILL)
		os.Exit(130)
	}()
	err := run(ctx)
	interrupted := ctx.Err() != nil
	cleanup(syscall.SIGTERM)
	switch {
	case interrupted:
		os.Exit(130)
	case err != nil:
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func cleanup(sig syscall.Signal) {
	mu.Lock()
	servers := make([]*Server, 0, len(live))
	for s := range live {
		servers = append(servers, s)
	}
	dir := workDir
	mu.Unlock()
	for _, s := range servers {
		if sig == syscall.SIGKILL {
			_ = syscall.Kill(-s.PID, sig)
		} else {
			s.Stop()
		}
	}
	if dir != "" {
		os.RemoveAll(dir)
	}
}

// tail keeps the last max bytes written to it, for error messages.
type tail struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
