package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// cliTargets returns the servers the redis-cli tests run against: an
// in-process sessiond, and a real redis-server when one is installed, to
// show that the expected outputs are Redis's.
func cliTargets(t *testing.T) []struct {
	name  string
	start func(*testing.T) string
} {
	t.Helper()
	return []struct {
		name  string
		start func(*testing.T) string
	}{
		{"sessiond", func(t *testing.T) string { return portOf(t, startSessiond(t)) }},
		{"reference", func(t *testing.T) string {
			needTool(t, "redis-server", "redis-server")
			return strconv.Itoa(startRedisServer(t))
		}},
	}
}

// TestRedisCLIOneShot runs redis-cli once per command and compares its
// standard output byte for byte with what redis-cli prints for Redis 7.0.
// Standard output is not a terminal, so redis-cli prints raw replies
// unless --no-raw is given.
func TestRedisCLIOneShot(t *testing.T) {
	cli := needTool(t, "redis-cli", "redis-tools")
	cases := []struct {
		args string
		want string
	}{
		{"PING", "PONG\n"},
		{"SET k v", "OK\n"},
		{"GET k", "v\n"},
		{"--raw GET k", "v\n"},
		{"--no-raw GET k", "\"v\"\n"},
		{"-3 GET k", "v\n"},
		{"-3 --no-raw GET k", "\"v\"\n"},
		{"GET missing", "\n"},
		{"--no-raw GET missing", "(nil)\n"},
		{"-3 --no-raw GET missing", "(nil)\n"},
		{"INCR n", "1\n"},
		{"--no-raw INCR n", "(integer) 2\n"},
		{"-3 --no-raw INCRBY n 10", "(integer) 12\n"},
		{"-3 --no-raw INCRBYFLOAT f 1.5", "\"1.5\"\n"},
		{"--no-raw TTL k", "(integer) -1\n"},
		{"EXPIRE k 100", "1\n"},
		{"-3 --no-raw EXISTS k missing", "(integer) 1\n"},
		{"-3 --no-raw TYPE k", "string\n"},
		{"MSET a 1 b 2", "OK\n"},
		{"--no-raw MGET a missing b", "1) \"1\"\n2) (nil)\n3) \"2\"\n"},
		{"-3 --no-raw MGET a missing", "1) \"1\"\n2) (nil)\n"},
		{"--no-raw KEYS nomatch*", "(empty array)\n"},
		{"-3 --no-raw DBSIZE", "(integer) 5\n"},
		{"CONFIG GET maxclients", "maxclients\n10000\n"},
		{"--no-raw CONFIG GET maxclients", "1) \"maxclients\"\n2) \"10000\"\n"},
		{"-3 --no-raw CONFIG GET maxclients", "1# \"maxclients\" => \"10000\"\n"},
		{"-3 CONFIG GET maxclients", "maxclients 10000\n"},
		{"-n 2 SET x y", "OK\n"},
		{"-n 2 GET x", "y\n"},
		{"GET x", "\n"},
		{"--no-raw GETDEL k", "\"v\"\n"},
		{"GET", "ERR wrong number of arguments for 'get' command\n\n"},
		{"--no-raw GET", "(error) ERR wrong number of arguments for 'get' command\n"},
		{"INCR a b", "ERR wrong number of arguments for 'incr' command\n\n"},
		{"--no-raw SET a", "(error) ERR wrong number of arguments for 'set' command\n"},
		{"FOO bar", "ERR unknown command 'FOO', with args beginning with: 'bar' \n\n"},
		{"-3 --no-raw FLUSHALL", "OK\n"},
		{"-3 --no-raw DBSIZE", "(integer) 0\n"},
	}
	for _, target := range cliTargets(t) {
		t.Run(target.name, func(t *testing.T) {
			port := target.start(t)
			for _, c := range cases {
				args := append([]string{"-p", port}, strings.Fields(c.args)...)
				out, errOut, err := runTool(t, 30*time.Second, cli, args...)
				if err != nil {
					t.Errorf("redis-cli %s: %v (stderr %q)", c.args, err, errOut)
					continue
				}
				if out != c.want {
					t.Errorf("redis-cli %s\n got %q\nwant %q (stderr %q)", c.args, out, c.want, errOut)
				}
			}
		})
	}
}

// TestRedisCLIInteractive drives an interactive redis-cli in a tmux pane:
// the argument hints it shows while a command is typed (which redis-cli
// 7.0 builds from COMMAND DOCS) and a typed session, compared with what
// it shows against Redis 7.0.
func TestRedisCLIInteractive(t *testing.T) {
	cli := needTool(t, "redis-cli", "redis-tools")
	needTool(t, "tmux", "tmux")
	hints := []struct{ typed, shown string }{
		{"SET k", "SET k value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]"},
		{"set k v ", "set k v [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]"},
		{"GET ", "GET key"},
		{"GETEX k ", "GETEX k [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|PERSIST]"},
		{"EXPIRE k 10 ", "EXPIRE k 10 [NX|XX|GT|LT]"},
		{"INCRBYFLOAT k ", "INCRBYFLOAT k increment"},
		{"MSET ", "MSET key value [key value ...]"},
		{"SCAN 0 ", "SCAN 0 [MATCH pattern] [COUNT count] [TYPE type]"},
		{"CLIENT SETNAME ", "CLIENT SETNAME connection-name"},
		{"CONFIG GET ", "CONFIG GET parameter [parameter ...]"},
	}
	// The session as the screen shows it; P stands for the prompt
	// "127.0.0.1:<port>".
	session := []struct {
		typed string
		shown []string
	}{
		{"SET k hello", []string{"OK"}},
		{"GET k", []string{`"hello"`}},
		{"INCR k", []string{"(error) ERR value is not an integer or out of range"}},
		{"TTL k", []string{"(integer) -1"}},
		{"EXPIRE k 100", []string{"(integer) 1"}},
		{"TYPE k", []string{"string"}},
		{"MGET k nokey", []string{`1) "hello"`, "2) (nil)"}},
		{"CONFIG GET maxclients", []string{`1) "maxclients"`, `2) "10000"`}},
		{"DEL k", []string{"(integer) 1"}},
		{"GET k", []string{"(nil)"}},
		{"KEYS *", []string{"(empty array)"}},
		{"SELECT 2", []string{"OK"}},
		{"SET x 1", []string{"OK"}},
		{"INCRBYFLOAT x 0.5", []string{`"1.5"`}},
		{"FOO bar", []string{"(error) ERR unknown command 'FOO', with args beginning with: 'bar' "}},
		{"PING", []string{"PONG"}},
	}
	for _, target := range cliTargets(t) {
		t.Run(target.name, func(t *testing.T) {
			port := target.start(t)
			prompt := "127.0.0.1:" + port + ">"
			pane := startTmux(t, fmt.Sprintf("env REDISCLI_HISTFILE=/dev/null REDISCLI_RCFILE=/dev/null %s -p %s", cli, port))
			pane.waitLine0(t, "the redis-cli prompt", prompt)

			for _, h := range hints {
				pane.sendLiteral(t, h.typed)
				want := prompt + " " + h.shown
				if got, ok := pane.pollLine0(want, 5*time.Second); !ok {
					t.Errorf("typing %q shows\n%q\nwant\n%q", h.typed, got, want)
				}
				pane.sendKey(t, "C-u")
				pane.waitLine0(t, "the line to clear", prompt)
			}

			var want []string
			p := prompt
			for i, step := range session {
				pane.sendLiteral(t, step.typed)
				pane.sendKey(t, "Enter")
				want = append(want, p+" "+step.typed)
				for _, l := range step.shown {
					want = append(want, strings.TrimRight(l, " ")) // the capture is right-trimmed
				}
				if step.typed == "SELECT 2" {
					p = "127.0.0.1:" + port + "[2]>"
				}
				n := i + 2
				screen, ok := pane.pollScreen(5*time.Second, func(lines []string) bool {
					return len(lines) > 0 && lines[len(lines)-1] == p && countPrefix(lines, "127.0.0.1:"+port) == n
				})
				if !ok {
					t.Fatalf("after typing %q the screen did not settle to a new prompt:\n%s", step.typed, strings.Join(screen, "\n"))
				}
			}
			want = append(want, p)
			screen, _ := pane.pollScreen(0, func([]string) bool { return true })
			if strings.Join(screen, "\n") != strings.Join(want, "\n") {
				t.Errorf("session screen:\n%s\n\nwant:\n%s", strings.Join(screen, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

func countPrefix(lines []string, prefix string) int {
	n := 0
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			n++
		}
	}
	return n
}

var tmuxSeq atomic.Int64

// tmuxPane is a detached tmux session on a private server socket, so the
// test never touches other tmux sessions.
type tmuxPane struct {
	bin, sock string
}

func startTmux(t *testing.T, command string) *tmuxPane {
	t.Helper()
	p := &tmuxPane{
		bin:  needTool(t, "tmux", "tmux"),
		sock: fmt.Sprintf("sessiond-e2e-%d-%d", os.Getpid(), tmuxSeq.Add(1)),
	}
	if out, err := p.run("-f", "/dev/null", "new-session", "-d", "-s", "e2e", "-x", "200", "-y", "50", command); err != nil {
		t.Skipf("tmux cannot start a session here: %v: %s", err, out)
	}
	t.Cleanup(func() { p.run("kill-server") })
	return p
}

func (p *tmuxPane) run(args ...string) (string, error) {
	cmd := exec.Command(p.bin, append([]string{"-L", p.sock}, args...)...)
	cmd.Env = append(os.Environ(), "TERM=xterm")
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (p *tmuxPane) sendLiteral(t *testing.T, s string) {
	t.Helper()
	if out, err := p.run("send-keys", "-t", "e2e", "-l", s); err != nil {
		t.Fatalf("tmux send-keys %q: %v: %s", s, err, out)
	}
}

func (p *tmuxPane) sendKey(t *testing.T, key string) {
	t.Helper()
	if out, err := p.run("send-keys", "-t", "e2e", key); err != nil {
		t.Fatalf("tmux send-keys %s: %v: %s", key, err, out)
	}
}

// pollScreen captures the pane until cond holds on its lines (right-trimmed,
// trailing blank lines dropped) or timeout passes; it returns the last
// capture and whether cond held.
func (p *tmuxPane) pollScreen(timeout time.Duration, cond func([]string) bool) ([]string, bool) {
	deadline := time.Now().Add(timeout)
	for {
		out, err := p.run("capture-pane", "-p", "-t", "e2e")
		var lines []string
		if err == nil {
			for _, l := range strings.Split(out, "\n") {
				lines = append(lines, strings.TrimRight(l, " "))
			}
			for len(lines) > 0 && lines[len(lines)-1] == "" {
				lines = lines[:len(lines)-1]
			}
			if cond(lines) {
				return lines, true
			}
		}
		if time.Now().After(deadline) {
			return lines, false
		}
		time.Sleep(20 * time.Millisecond) // poll interval
	}
}

// pollLine0 waits for the first screen line to read want.
func (p *tmuxPane) pollLine0(want string, timeout time.Duration) (string, bool) {
	lines, ok := p.pollScreen(timeout, func(lines []string) bool {
		return len(lines) > 0 && lines[0] == want
	})
	if len(lines) == 0 {
		return "", ok
	}
	return lines[0], ok
}

func (p *tmuxPane) waitLine0(t *testing.T, what, want string) {
	t.Helper()
	if got, ok := p.pollLine0(want, 10*time.Second); !ok {
		t.Fatalf("waiting for %s: first line %q, want %q", what, got, want)
	}
}

// TestRedisCLISessions drives the SESSION.* commands from redis-cli, as a
// person would from a shell, and reads the same session with plain
// commands.
func TestRedisCLISessions(t *testing.T) {
	cli := needTool(t, "redis-cli", "redis-tools")
	port := portOf(t, startSessiond(t))
	run := func(args ...string) string {
		t.Helper()
		out, errOut, err := runTool(t, 30*time.Second, cli, append([]string{"-p", port}, args...)...)
		if err != nil {
			t.Fatalf("redis-cli %v: %v (stderr %q)", args, err, errOut)
		}
		return out
	}
	id := strings.TrimSpace(run("SESSION.CREATE", "OWNER", "alice", "IDLE", "1800", "FIELDS", "1", "user", "alice"))
	if len(id) != 22 {
		t.Fatalf("SESSION.CREATE printed %q", id)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--no-raw", "SESSION.GET", id}, "1) \"user\"\n2) \"alice\"\n"},
		{[]string{"-3", "--no-raw", "SESSION.GET", id}, "1# \"user\" => \"alice\"\n"},
		{[]string{"--no-raw", "SESSION.TTL", id}, "1) (integer) 1800\n2) (integer) 86400\n"},
		{[]string{"--no-raw", "SESSION.COUNT", "alice"}, "(integer) 1\n"},
		{[]string{"HGET", "session:" + id, "user"}, "alice\n"},
		{[]string{"TTL", "session:" + id}, "1800\n"},
		{[]string{"--no-raw", "SESSION.SET", "nope", "f", "v"}, "(error) ERR no such session\n"},
		{[]string{"--no-raw", "SESSION.REVOKE", "alice"}, "(integer) 1\n"},
		{[]string{"--no-raw", "SESSION.GET", id}, "(nil)\n"},
	} {
		if got := run(c.args...); got != c.want {
			t.Errorf("redis-cli %v\n got %q\nwant %q", c.args, got, c.want)
		}
	}
}
