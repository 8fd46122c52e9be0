package server

import (
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"sessiond/clock"
	"sessiond/storage"
)

// bulkBody returns the payload of a bulk or verbatim reply.
func bulkBody(t *testing.T, reply string) string {
	t.Helper()
	if len(reply) == 0 || reply[0] != '$' && reply[0] != '=' {
		t.Fatalf("not a bulk reply: %q", reply)
	}
	_, body, _ := strings.Cut(reply, "\r\n")
	body = strings.TrimSuffix(body, "\r\n")
	if reply[0] == '=' {
		body = strings.TrimPrefix(body, "txt:")
	}
	return body
}

func infoField(t *testing.T, info, name string) string {
	t.Helper()
	for _, line := range strings.Split(info, "\r\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && k == name {
			return v
		}
	}
	t.Fatalf("INFO has no field %s:\n%s", name, info)
	return ""
}

func infoHeaders(info string) []string {
	var out []string
	for _, line := range strings.Split(info, "\r\n") {
		if strings.HasPrefix(line, "# ") {
			out = append(out, line[2:])
		}
	}
	return out
}

func TestInfoSections(t *testing.T) {
	_, addr := startServer(t, nil, nil)
	c := dial(t, addr)
	dflt := "Server Clients Memory Persistence Stats Replication CPU Modules Errorstats Cluster Keyspace"
	all := "Server Clients Memory Persistence Stats Replication CPU Modules Commandstats Errorstats Latencystats Cluster Keyspace"
	for _, tt := range []struct {
		args []string
		want string
	}{
		{nil, dflt},
		{[]string{"default"}, dflt},
		{[]string{"all"}, all},
		{[]string{"everything"}, all + " Sessions"},
		{[]string{"sessions"}, "Sessions"},
		{[]string{"KEYSPACE", "cpu"}, "CPU Keyspace"},
		{[]string{"cpu", "cpu", "nosuch"}, "CPU"},
		{[]string{"default", "commandstats"}, all[:strings.Index(all, " Errorstats")] + " Errorstats Cluster Keyspace"},
	} {
		info := bulkBody(t, c.do(append([]string{"INFO"}, tt.args...)...))
		if got := strings.Join(infoHeaders(info), " "); got != tt.want {
			t.Errorf("INFO %v sections %q, want %q", tt.args, got, tt.want)
		}
	}
	mustReply(t, c.do("INFO", "nosuch"), "$0\r\n\r\n")
	mustReply(t, c.do("INFO", "modules"), "$11\r\n# Modules\r\n\r\n")
	// sections are separated by a blank line, each line ends with CRLF
	info := bulkBody(t, c.do("INFO", "cpu", "cluster"))
	if !strings.HasPrefix(info, "# CPU\r\nused_cpu_sys:") || !strings.HasSuffix(info, "\r\n\r\n# Cluster\r\ncluster_enabled:0\r\n") {
		t.Errorf("INFO cpu cluster layout: %q", info)
	}
	c.do("HELLO", "3")
	if r := c.do("INFO", "cluster"); r != "=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n" {
		t.Errorf("RESP3 INFO: %q", r)
	}
}

func TestInfoFields(t *testing.T) {
	clk := clock.NewFake(time.Unix(1700000000, 0))
	s, addr := startServer(t, nil, clk)
	c := dial(t, addr)
	clk.Advance(90061 * time.Second)
	info := bulkBody(t, c.do("INFO"))
	_, port, _ := net.SplitHostPort(addr)
	for name, want := range map[string]string{
		"redis_version":     redisCompat,
		"sessiond_version":  Version,
		"redis_mode":        "standalone",
		"tcp_port":          port,
		"uptime_in_seconds": "90061",
		"uptime_in_days":    "1",
		"connected_clients": "1",
		"maxclients":        "10000",
		"role":              "master",
		"aof_enabled":       "0",
		"loading":           "0",
		"panics":            "0",
		"evicted_keys":      "0",
	} {
		if got := infoField(t, info, name); got != want {
			t.Errorf("%s:%s, want %s", name, got, want)
		}
	}
	for name, re := range map[string]string{
		"master_replid":           "^[0-9a-f]{40}$",
		"run_id":                  "^[0-9a-f]{40}$",
		"used_memory":             "^[1-9][0-9]*$",
		"used_memory_human":       `^[0-9.]+[BKMGTP]$`,
		"used_memory_rss":         "^[0-9]+$",
		"mem_fragmentation_ratio": `^[0-9]+\.[0-9]{2}$`,
		"used_cpu_user":           `^[0-9]+\.[0-9]{6}$`,
		"process_id":              "^[1-9][0-9]*$",
		"server_time_usec":        "^" + strconv.FormatInt(clk.Now().UnixMicro(), 10) + "$",
	} {
		if got := infoField(t, info, name); !regexp.MustCompile(re).MatchString(got) {
			t.Errorf("%s:%s does not match %s", name, got, re)
		}
	}
	if a, b := infoField(t, info, "master_replid"), infoField(t, bulkBody(t, c.do("INFO", "replication")), "master_replid"); a != b {
		t.Errorf("master_replid changed: %s then %s", a, b)
	}
	_ = s
}

func TestInfoStatsAndKeyspace(t *testing.T) {
	clk := clock.NewFake(time.Unix(1700000000, 0))
	_, addr := startServer(t, nil, clk)
	c := dial(t, addr)
	mustReply(t, bulkBodyOrEmpty(c.do("INFO", "keyspace")), "# Keyspace\r\n")
	c.do("SET", "a", "1")
	c.do("SET", "b", "1", "PX", "10000")
	c.do("SET", "c", "1", "PX", "20000")
	c.do("SELECT", "3")
	c.do("SET", "z", "1")
	c.do("GET", "z")
	c.do("GET", "nope")
	mustReply(t, bulkBody(t, c.do("INFO", "keyspace")),
		"# Keyspace\r\ndb0:keys=3,expires=2,avg_ttl=15000\r\ndb3:keys=1,expires=0,avg_ttl=0\r\n")
	st := bulkBody(t, c.do("INFO", "stats"))
	if infoField(t, st, "keyspace_hits") != "1" || infoField(t, st, "keyspace_misses") != "1" {
		t.Errorf("hits/misses: %s", st)
	}
	// a command is counted after it runs, as in Redis: this INFO is not included
	if infoField(t, st, "total_commands_processed") != "9" || infoField(t, st, "total_connections_received") != "1" {
		t.Errorf("commands/connections: %s", st)
	}
	c.do("SELECT", "0")
	clk.Advance(15 * time.Second)
	c.do("GET", "b") // lazily expired
	if got := infoField(t, bulkBody(t, c.do("INFO", "stats")), "expired_keys"); got != "1" {
		t.Errorf("expired_keys:%s", got)
	}
	mustReply(t, c.do("CONFIG", "RESETSTAT"), "+OK\r\n")
	st = bulkBody(t, c.do("INFO", "stats"))
	for _, f := range []string{"keyspace_hits", "keyspace_misses", "expired_keys", "total_connections_received"} {
		if infoField(t, st, f) != "0" {
			t.Errorf("after RESETSTAT %s:%s", f, infoField(t, st, f))
		}
	}
	// RESETSTAT zeroes the counters, then is counted itself
	if got := infoField(t, st, "total_commands_processed"); got != "1" {
		t.Errorf("total_commands_processed after RESETSTAT: %s", got)
	}
}

func bulkBodyOrEmpty(reply string) string {
	_, body, _ := strings.Cut(reply, "\r\n")
	return strings.TrimSuffix(body, "\r\n")
}

func TestOpsPerSecSampler(t *testing.T) {
	var st infoState
	t0 := time.Unix(1000, 0)
	for i := 0; i <= opsSamples; i++ {
		st.sample(t0.Add(time.Duration(i)*opsInterval), int64(i)*50) // 500 ops/s
	}
	if got := st.opsPerSec(); got != 500 {
		t.Errorf("opsPerSec %d, want 500", got)
	}
	st.sample(t0.Add(time.Duration(opsSamples+1)*opsInterval), 0) // counters reset
	if got := st.opsPerSec(); got > 500 || got < 0 {
		t.Errorf("opsPerSec after reset %d", got)
	}
}

func TestConfigCommands(t *testing.T) {
	cfg := newTestConfig()
	cfg.values["maxmemory"] = "0"
	cfg.values["hz"] = "10"
	_, addr := startServer(t, cfg, nil)
	c := dial(t, addr)
	mustReply(t, c.do("CONFIG", "GET", "maxmemory", "hz", "maxmemory", "nosuch"),
		"*4\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n$2\r\nhz\r\n$2\r\n10\r\n")
	mustReply(t, c.do("CONFIG", "SET", "hz", "20"), "+OK\r\n")
	mustReply(t, c.do("CONFIG", "GET", "hz"), "*2\r\n$2\r\nhz\r\n$2\r\n20\r\n")
	mustReply(t, c.do("CONFIG", "SET", "nosuch", "1"), "-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n")
	mustReply(t, c.do("CONFIG", "SET", "hz"), "-ERR wrong number of arguments for 'config|set' command\r\n")
	mustReply(t, c.do("CONFIG", "GET"), "-ERR wrong number of arguments for 'config|get' command\r\n")
	mustReply(t, c.do("CONFIG", "REWRITE"), "-"+errNoConfigFile+"\r\n")
	mustReply(t, c.do("CONFIG", "NOPE"), "-ERR unknown subcommand 'NOPE'. Try CONFIG HELP.\r\n")
	if r := c.do("CONFIG", "HELP"); !strings.HasPrefix(r, "*11\r\n+CONFIG <subcommand>") {
		t.Errorf("CONFIG HELP: %q", r)
	}
	c.do("HELLO", "3")
	mustReply(t, c.do("CONFIG", "GET", "hz"), "%1\r\n$2\r\nhz\r\n$2\r\n20\r\n")
}

type effectLog struct {
	mu  sync.Mutex
	log []string
}

func (l *effectLog) add(e storage.Effect) {
	var parts []string
	for _, a := range e.Args {
		parts = append(parts, string(a))
	}
	l.mu.Lock()
	l.log = append(l.log, strconv.Itoa(e.DB)+":"+strings.Join(parts, " "))
	l.mu.Unlock()
}

func (l *effectLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.log, "|")
}

func TestDBSizeAndFlush(t *testing.T) {
	s, addr := startServer(t, nil, nil)
	var effects effectLog
	s.Store().SetEffectSink(effects.add)
	c := dial(t, addr)
	for _, k := range []string{"a", "b", "c"} {
		c.do("SET", k, "v")
	}
	c.do("SELECT", "2")
	c.do("SET", "x", "v")
	mustReply(t, c.do("DBSIZE"), ":1\r\n")
	mustReply(t, c.do("FLUSHDB", "FOO"), "-ERR syntax error\r\n")
	mustReply(t, c.do("FLUSHDB", "ASYNC", "SYNC"), "-ERR syntax error\r\n")
	mustReply(t, c.do("FLUSHDB", "sync"), "+OK\r\n")
	mustReply(t, c.do("DBSIZE"), ":0\r\n")
	c.do("SELECT", "0")
	mustReply(t, c.do("DBSIZE"), ":3\r\n")
	c.do("SELECT", "5")
	c.do("SET", "y", "v")
	mustReply(t, c.do("FLUSHALL"), "+OK\r\n")
	mustReply(t, c.do("DBSIZE"), ":0\r\n")
	c.do("SELECT", "0")
	mustReply(t, c.do("DBSIZE"), ":0\r\n")
	got := effects.String()
	if !strings.Contains(got, "2:FLUSHDB|") || !strings.HasSuffix(got, "5:FLUSHALL") {
		t.Errorf("effects %s", got)
	}
}

func TestTimeLastSaveSave(t *testing.T) {
	clk := clock.NewFake(time.Unix(1700000000, 123456789))
	_, addr := startServer(t, nil, clk)
	c := dial(t, addr)
	clk.Advance(5 * time.Second)
	mustReply(t, c.do("TIME"), "*2\r\n$10\r\n1700000005\r\n$6\r\n123456\r\n")
	mustReply(t, c.do("LASTSAVE"), ":1700000000\r\n")
	mustReply(t, c.do("SAVE"), "-"+errNoPersistence+"\r\n")
	mustReply(t, c.do("BGSAVE"), "-"+errNoPersistence+"\r\n")
	mustReply(t, c.do("TIME", "x"), "-ERR wrong number of arguments for 'time' command\r\n")
}

func TestShutdown(t *testing.T) {
	s, addr := startServer(t, nil, nil)
	c := dial(t, addr)
	mustReply(t, c.do("SHUTDOWN", "FOO"), "-ERR syntax error\r\n")
	mustReply(t, c.do("SHUTDOWN", "SAVE", "NOSAVE"), "-ERR syntax error\r\n")
	mustReply(t, c.do("SHUTDOWN", "ABORT"), "-ERR No shutdown in progress.\r\n")
	mustReply(t, c.do("SHUTDOWN", "SAVE"), "-"+errShutdownRefus+"\r\n")
	select {
	case <-s.ShutdownRequested():
		t.Fatal("shutdown requested by a refused SHUTDOWN")
	default:
	}
	c.send("*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n")
	c.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if b, err := c.br.ReadByte(); err == nil {
		t.Fatalf("SHUTDOWN replied (first byte %q)", b)
	}
	select {
	case <-s.ShutdownRequested():
	case <-time.After(10 * time.Second):
		t.Fatal("shutdown not requested")
	}
}
