package config

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
)

func mustGet(t *testing.T, c *Config, name, want string) {
	t.Helper()
	got, ok := c.Value(name)
	if !ok || got != want {
		t.Errorf("%s = %q (known %v), want %q", name, got, ok, want)
	}
}

func mustSetErr(t *testing.T, c *Config, want string, pairs ...string) {
	t.Helper()
	err := c.Set(pairs)
	var e *Error
	if !errors.As(err, &e) || e.Msg != want {
		t.Errorf("Set(%q) = %v, want %q", pairs, err, want)
	}
}

func TestParseMemory(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"0", 0, true}, {"100", 100, true}, {"1k", 1000, true}, {"1kb", 1024, true},
		{"1K", 1000, true}, {"1KB", 1024, true}, {"2m", 2000000, true}, {"2mb", 2 << 20, true},
		{"3g", 3000000000, true}, {"3gb", 3 << 30, true}, {"3Gb", 3 << 30, true}, {"5b", 5, true},
		{"010", 10, true}, {"", 0, true}, {"kb", 0, true},
		{"-1", 0, false}, {"+5", 0, false}, {" 5", 0, false}, {"1.5gb", 0, false},
		{"0x10", 0, false}, {"1x", 0, false}, {"1tb", 0, false}, {"99999999999gb", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseMemory(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseMemory(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseStrictInt(t *testing.T) {
	good := map[string]int64{"0": 0, "5": 5, "-1": -1, "9223372036854775807": 1<<63 - 1}
	for in, want := range good {
		if got, ok := parseStrictInt(in); !ok || got != want {
			t.Errorf("parseStrictInt(%q) = %d, %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "-", "00", "01", "-0", "+1", " 1", "1 ", "1e3", "9223372036854775808", "abc"} {
		if _, ok := parseStrictInt(in); ok {
			t.Errorf("parseStrictInt(%q) accepted", in)
		}
	}
}

func TestDefaults(t *testing.T) {
	c := Default()
	if c.Port() != 6379 || c.Databases() != 16 || c.MaxClients() != 10000 || c.Timeout() != 0 ||
		c.ProtoMaxBulkLen() != 512<<20 || c.QueryBufferLimit() != 1<<30 || c.LogLevel() != "notice" ||
		c.LogFile() != "" || c.Maxmemory() != DefaultMaxmemory() || c.MaxmemoryPolicy() != "allkeys-lfu" || c.Hz() != 10 ||
		c.Requirepass() != "" || !c.ProtectedMode() || c.TCPKeepalive().Seconds() != 300 {
		t.Errorf("unexpected defaults: %+v", c.Get("*"))
	}
	if s := c.Shards(); s < 256 || s&(s-1) != 0 {
		t.Errorf("Shards() = %d, want a power of two >= 256", s)
	}
	if !reflect.DeepEqual(c.Bind(), []string{"127.0.0.1"}) {
		t.Errorf("Bind() = %q", c.Bind())
	}
	mustGet(t, c, "save", "3600 1 300 100 60 10000")
	mustGet(t, c, "client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60")
	if len(c.NoEffect()) != 0 {
		t.Errorf("NoEffect() = %q on defaults", c.NoEffect())
	}
}

func TestParseFile(t *testing.T) {
	conf := `# a comment
   # indented comment

port 7000
bind 127.0.0.1 ::1
requirepass "p\x41ss\n\"q\"\\"
masterauth 'it\'s'
MAXCLIENTS 50
maxmemory 1gb
save 900 1
save 300 10
hash-max-ziplist-entries 64
notify-keyspace-events KEA
client-output-buffer-limit pubsub 1mb 2kb 3
loglevel nothing
shards 64
`
	c, err := ParseFile("t.conf", []byte(conf))
	if err != nil {
		t.Fatal(err)
	}
	if c.Port() != 7000 || c.MaxClients() != 50 || c.Maxmemory() != 1<<30 || c.Shards() != 64 {
		t.Errorf("port %d maxclients %d maxmemory %d shards %d", c.Port(), c.MaxClients(), c.Maxmemory(), c.Shards())
	}
	if !reflect.DeepEqual(c.Bind(), []string{"127.0.0.1", "::1"}) {
		t.Errorf("Bind() = %q", c.Bind())
	}
	if got := c.Requirepass(); got != "pAss\n\"q\"\\" {
		t.Errorf("requirepass = %q", got)
	}
	mustGet(t, c, "masterauth", "it's")
	mustGet(t, c, "save", "900 1 300 10")
	mustGet(t, c, "hash-max-listpack-entries", "64")
	mustGet(t, c, "notify-keyspace-events", "AKE")
	mustGet(t, c, "client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 2048 3")
	mustGet(t, c, "loglevel", "nothing")
	if c.HashMaxListpackEntries() != 64 || c.HashMaxListpackValue() != 64 {
		t.Errorf("hash listpack limits %d %d", c.HashMaxListpackEntries(), c.HashMaxListpackValue())
	}
	want := []string{"masterauth", "save", "notify-keyspace-events", "client-output-buffer-limit"}
	if got := c.NoEffect(); !reflect.DeepEqual(got, want) {
		t.Errorf("NoEffect() = %q, want %q", got, want)
	}
}

func TestParseFileErrors(t *testing.T) {
	tests := []struct{ conf, want string }{
		{"port 1\n\nfoo bar\n", "config file f.conf line 3: unknown directive 'foo'"},
		{"maxclients abc", "config file f.conf line 1: 'maxclients': argument couldn't be parsed into an integer"},
		{"maxclients 0", "config file f.conf line 1: 'maxclients': argument must be between 1 and 4294967295 inclusive"},
		{"port 1 2", "config file f.conf line 1: 'port': wrong number of arguments"},
		{"port", "config file f.conf line 1: 'port': wrong number of arguments"},
		{"maxmemory 1x", "config file f.conf line 1: 'maxmemory': argument must be a memory value"},
		{"protected-mode maybe", "config file f.conf line 1: 'protected-mode': argument must be 'yes' or 'no'"},
		{"loglevel loud", "config file f.conf line 1: 'loglevel': argument(s) must be one of the following: debug, verbose, notice, warning"},
		{"requirepass \"abc", "config file f.conf line 1: unbalanced quotes"},
		{"requirepass \"abc\"def", "config file f.conf line 1: unbalanced quotes"},
		{"save 1", "config file f.conf line 1: 'save': Invalid save parameters"},
		{"appendonly yes", "config file f.conf line 1: 'appendonly': persistence is not supported yet (appendonly must be no)"},
		{"daemonize yes", "config file f.conf line 1: 'daemonize': daemonize is not supported (run sessiond under a supervisor)"},
		{"cluster-enabled yes", "config file f.conf line 1: 'cluster-enabled': cluster mode is not supported (cluster-enabled must be no)"},
		{"tls-port 6380", "config file f.conf line 1: 'tls-port': TLS is not supported (tls-port must be 0)"},
		{"shards 3", "config file f.conf line 1: 'shards': argument must be 0 or a power of two"},
		{"include other.conf", "config file f.conf line 1: include is not supported: put all directives in one file"},
		{"notify-keyspace-events Zq", "config file f.conf line 1: 'notify-keyspace-events': Invalid event class character. Use 'Ag$lshzxeKEtmdn'."},
	}
	for _, tt := range tests {
		_, err := ParseFile("f.conf", []byte(tt.conf))
		if err == nil || err.Error() != tt.want {
			t.Errorf("ParseFile(%q) = %v, want %q", tt.conf, err, tt.want)
		}
	}
}

func TestParseFlagsOverrideFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.conf")
	if err := os.WriteFile(path, []byte("port 7000\nmaxclients 10\nsave 900 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Parse([]string{"--maxclients", "20", path, "--save", "", "--bind", "127.0.0.1 -::1", "--slowlog-log-slower-than", "-1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Port() != 7000 || c.MaxClients() != 20 {
		t.Errorf("port %d maxclients %d", c.Port(), c.MaxClients())
	}
	mustGet(t, c, "save", "")
	mustGet(t, c, "slowlog-log-slower-than", "-1")
	if !reflect.DeepEqual(c.Bind(), []string{"127.0.0.1", "-::1"}) {
		t.Errorf("Bind() = %q", c.Bind())
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--foo", "1"}, "unknown flag: --foo (see sessiond --help)"},
		{[]string{"--maxclients", "x"}, `flag --maxclients "x": argument couldn't be parsed into an integer`},
		{[]string{"--appendonly", "yes"}, `flag --appendonly "yes": persistence is not supported yet (appendonly must be no)`},
		{[]string{"a.conf", "b.conf"}, `unexpected arguments ["b.conf"]: give at most one config file, and quote multi-word values (--save "900 1 300 10") (see sessiond --help)`},
	}
	for _, tt := range tests {
		_, err := Parse(tt.args, nil)
		if err == nil || err.Error() != tt.want {
			t.Errorf("Parse(%q) = %v, want %q", tt.args, err, tt.want)
		}
	}
	if _, err := Parse([]string{filepath.Join(t.TempDir(), "missing.conf")}, nil); err == nil {
		t.Error("missing config file accepted")
	}
}

func TestHelpVersion(t *testing.T) {
	var out bytes.Buffer
	if _, err := Parse([]string{"-v"}, &out); err != ErrVersion || out.String() != "sessiond v="+Version+"\n" {
		t.Errorf("-v: %v %q", err, out.String())
	}
	out.Reset()
	if _, err := Parse([]string{"--help"}, &out); err != ErrHelp || !strings.Contains(out.String(), "Examples:") {
		t.Errorf("--help: %v %q", err, out.String())
	}
}

func TestGet(t *testing.T) {
	c := Default()
	if got := c.Get("maxmemory*"); !reflect.DeepEqual(got, []string{
		"maxmemory", strconv.FormatInt(DefaultMaxmemory(), 10), "maxmemory-clients", "0", "maxmemory-eviction-tenacity", "10",
		"maxmemory-policy", "allkeys-lfu", "maxmemory-samples", "5"}) {
		t.Errorf("Get(maxmemory*) = %q", got)
	}
	if got := c.Get("MAXCLIENTS"); !reflect.DeepEqual(got, []string{"MAXCLIENTS", "10000"}) {
		t.Errorf("Get(MAXCLIENTS) = %q", got)
	}
	if got := c.Get("maxc*", "maxclients"); !reflect.DeepEqual(got, []string{"maxclients", "10000"}) {
		t.Errorf("Get(maxc*, maxclients) = %q", got)
	}
	if got := c.Get("nosuch"); len(got) != 0 {
		t.Errorf("Get(nosuch) = %q", got)
	}
	if got := c.Get("slave-read-only"); !reflect.DeepEqual(got, []string{"slave-read-only", "yes"}) {
		t.Errorf("Get(slave-read-only) = %q", got)
	}
	if got := c.Get("*"); len(got) != 2*(192+6) { // Redis 7.0.15 lists 192 names; sessiond adds shards and session-*
		t.Errorf("Get(*) has %d names", len(got)/2)
	}
}

func TestSetErrors(t *testing.T) {
	c := Default()
	const failed = "ERR CONFIG SET failed (possibly related to argument "
	mustSetErr(t, c, "ERR Unknown option or number of arguments for CONFIG SET - 'foo'", "foo", "bar")
	mustSetErr(t, c, "ERR Unknown option or number of arguments for CONFIG SET - 'foo'", "maxclients", "abc", "foo", "bar")
	mustSetErr(t, c, failed+"'maxclients') - argument couldn't be parsed into an integer", "maxclients", "abc")
	mustSetErr(t, c, failed+"'maxclients') - argument must be between 1 and 4294967295 inclusive", "maxclients", "-1")
	mustSetErr(t, c, failed+"'databases') - can't set immutable config", "maxclients", "abc", "databases", "3")
	mustSetErr(t, c, failed+"'port') - can't set immutable config", "port", "1")
	mustSetErr(t, c, failed+"'dir') - can't set protected config", "dir", "/tmp")
	mustSetErr(t, c, failed+"'MAXCLIENTS') - duplicate parameter", "maxclients", "10", "MAXCLIENTS", "20")
	mustSetErr(t, c, failed+"'maxclients') - duplicate parameter", "maxclients", "5", "maxclients", "abc")
	mustSetErr(t, c, failed+"'loglevel') - argument(s) must be one of the following: debug, verbose, notice, warning", "loglevel", "bad")
	mustSetErr(t, c, failed+"'appendonly') - argument must be 'yes' or 'no'", "appendonly", "maybe")
	mustSetErr(t, c, failed+"'maxmemory') - argument must be a memory value", "maxmemory", "1x")
	mustSetErr(t, c, failed+"'timeout') - argument couldn't be parsed into an integer", "timeout", " 5")
	mustSetErr(t, c, failed+"'save') - Invalid save parameters", "save", "1 2 3")
	mustSetErr(t, c, failed+"'client-output-buffer-limit') - Invalid client class specified in buffer limit configuration.", "client-output-buffer-limit", "foo 1 2 3")
	mustSetErr(t, c, failed+"'proto-max-bulk-len') - argument must be between 1048576 and 9223372036854775807 inclusive", "proto-max-bulk-len", "1")
	mustSetErr(t, c, "ERR syntax error", "maxclients", "10", "foo")
	mustSetErr(t, c, "ERR wrong number of arguments for 'config|set' command", "maxclients")
}

func TestSetAllOrNothing(t *testing.T) {
	c := Default()
	mustSetErr(t, c, "ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer",
		"maxclients", "7", "timeout", "30", "hz", "x")
	if c.MaxClients() != 10000 || c.Timeout() != 0 {
		t.Errorf("failed Set changed values: maxclients %d timeout %v", c.MaxClients(), c.Timeout())
	}
	calls := 0
	c.OnChange("maxclients", func() { calls++ })
	if err := c.Set([]string{"maxclients", "7", "timeout", "30", "hz", "100000", "slave-read-only", "no", "replica-read-only", "yes"}); err != nil {
		t.Fatal(err)
	}
	if c.MaxClients() != 7 || c.Timeout().Seconds() != 30 || c.Hz() != 500 || calls != 1 {
		t.Errorf("maxclients %d timeout %v hz %d calls %d", c.MaxClients(), c.Timeout(), c.Hz(), calls)
	}
	mustGet(t, c, "hz", "500")
	mustGet(t, c, "replica-read-only", "yes")
	if err := c.Set([]string{"notify-keyspace-events", "nmx", "client-output-buffer-limit", "replica 1mb 2 3", "maxmemory", "2GB"}); err != nil {
		t.Fatal(err)
	}
	mustGet(t, c, "notify-keyspace-events", "xnm")
	mustGet(t, c, "client-output-buffer-limit", "normal 0 0 0 slave 1048576 2 3 pubsub 33554432 8388608 60")
	mustGet(t, c, "maxmemory", "2147483648")
	if got := c.NoEffect(); !reflect.DeepEqual(got, []string{"replica-read-only", "notify-keyspace-events", "client-output-buffer-limit"}) {
		t.Errorf("NoEffect() = %q", got)
	}
}

func TestKeyspaceEvents(t *testing.T) {
	for in, want := range map[string]string{"": "", "KEA": "AKE", "g$lshzxetd": "A", "g$lshzxet": "g$lshzxet", "AnmKE": "AKEm", "nmKEg": "gnKEm", "K": "K"} {
		got, reason := parseKeyspaceEvents("", []string{in})
		if got != want || reason != "" {
			t.Errorf("notify-keyspace-events %q -> %q %q, want %q", in, got, reason, want)
		}
	}
}

func TestSplitArgs(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{`a b  c`, []string{"a", "b", "c"}},
		{`"a b" 'c d'`, []string{"a b", "c d"}},
		{`"\x41\x4a\t\\" ''`, []string{"AJ\t\\", ""}},
		{`""`, []string{""}},
		{`'a\'b'`, []string{"a'b"}},
		{``, nil},
	}
	for _, tt := range tests {
		got, err := splitArgs(tt.in)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitArgs(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestConcurrentAccess(t *testing.T) {
	c := Default()
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				_ = c.Set([]string{"maxclients", "100", "requirepass", "x"})
				_ = c.Get("max*")
			}
		}()
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				_ = c.MaxClients() + int(c.ProtoMaxBulkLen())
				_ = c.Requirepass() + c.LogLevel()
				_ = c.Bind()
			}
		}()
	}
	wg.Wait()
}

func FuzzParseFile(f *testing.F) {
	f.Add([]byte("port 6379\nbind 127.0.0.1 ::1\nsave 900 1\nsave 300 10\n"))
	f.Add([]byte("requirepass \"a\\x41\\n\"\nmasterauth 'x\\'y'\n# comment\n\n"))
	f.Add([]byte("client-output-buffer-limit normal 1mb 2kb 3\nnotify-keyspace-events KEA\n"))
	f.Add([]byte("maxmemory 1gb\nmaxmemory-policy allkeys-lfu\nhz 100000\nshards 64\n"))
	f.Add([]byte("replicaof 10.0.0.1 6379\nlatency-tracking-info-percentiles \"50 99.9\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseFile("fuzz.conf", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "config file fuzz.conf line ") {
				t.Fatalf("error without file and line: %v", err)
			}
			return
		}
		// Whatever was accepted renders and is accepted again by CONFIG SET
		// (for the mutable directives), unchanged.
		for _, d := range table {
			if d.flags&(immutable|protected) != 0 {
				continue
			}
			v, _ := c.Value(d.name)
			if err := c.Set([]string{d.name, v}); err != nil {
				t.Fatalf("CONFIG SET %s %q (from the file) failed: %v", d.name, v, err)
			}
			if v2, _ := c.Value(d.name); v2 != v {
				t.Fatalf("%s: %q re-set became %q", d.name, v, v2)
			}
		}
	})
}

func TestDefaultMaxmemory(t *testing.T) {
	cases := []struct {
		limits []int64
		want   int64
	}{
		{[]int64{0, 0, 8 << 30}, 4 << 30},       // no cgroup limit: half the RAM
		{[]int64{2 << 30, 0, 8 << 30}, 1 << 30}, // a cgroup v2 limit below the RAM
		{[]int64{0, 0, 0}, 0},                   // nothing readable: no limit
	}
	for _, c := range cases {
		if got := defaultMaxmemory(c.limits...); got != c.want {
			t.Errorf("defaultMaxmemory(%v) = %d, want %d", c.limits, got, c.want)
		}
	}
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if got := readLimit(write("max", "max\n")); got != 0 {
		t.Errorf("readLimit(max) = %d", got)
	}
	if got := readLimit(write("v1", "9223372036854771712\n")); got != 0 {
		t.Errorf("readLimit(cgroup v1 none) = %d", got)
	}
	if got := readLimit(write("lim", "1073741824\n")); got != 1<<30 {
		t.Errorf("readLimit(1 GiB) = %d", got)
	}
	if got := memTotal(write("meminfo", "MemTotal:       24684000 kB\nMemFree: 1 kB\n")); got != 24684000<<10 {
		t.Errorf("memTotal = %d", got)
	}
	if got := readLimit(filepath.Join(dir, "absent")); got != 0 {
		t.Errorf("readLimit(absent) = %d", got)
	}
}
