package server

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"sessiond/clock"
)

func TestClientIDNameInfo(t *testing.T) {
	clk := clock.NewFake(time.Unix(1700000000, 0))
	_, addr := startServer(t, nil, clk)
	c := dial(t, addr)
	id := strings.TrimSuffix(strings.TrimPrefix(c.do("CLIENT", "ID"), ":"), "\r\n")
	if _, err := strconv.Atoi(id); err != nil {
		t.Fatalf("CLIENT ID: %q", id)
	}
	mustReply(t, c.do("CLIENT", "GETNAME"), "$-1\r\n")
	mustReply(t, c.do("CLIENT", "SETNAME", "a b"), "-"+errClientName+"\r\n")
	mustReply(t, c.do("CLIENT", "SETNAME", "web-1"), "+OK\r\n")
	mustReply(t, c.do("CLIENT", "GETNAME"), "$5\r\nweb-1\r\n")
	mustReply(t, c.do("CLIENT", "SETINFO", "lib-name", "go redis"), "-ERR lib-name cannot contain spaces, newlines or special characters.\r\n")
	mustReply(t, c.do("CLIENT", "SETINFO", "LIB-VER", "9\n"), "-ERR LIB-VER cannot contain spaces, newlines or special characters.\r\n")
	mustReply(t, c.do("CLIENT", "SETINFO", "lib-foo", "x"), "-ERR Unrecognized option 'lib-foo'\r\n")
	mustReply(t, c.do("CLIENT", "SETINFO", "LIB-NAME", "go-redis(sessiond)"), "+OK\r\n")
	mustReply(t, c.do("CLIENT", "SETINFO", "lib-ver", "9.23.0"), "+OK\r\n")
	mustReply(t, c.do("CLIENT", "NO-EVICT", "on"), "+OK\r\n")
	mustReply(t, c.do("CLIENT", "NO-TOUCH", "ON"), "+OK\r\n")
	mustReply(t, c.do("CLIENT", "NO-TOUCH", "maybe"), "-ERR syntax error\r\n")
	c.do("SELECT", "3")
	clk.Advance(3 * time.Second)
	line := bulkBody(t, c.do("CLIENT", "INFO"))
	want := `^id=` + id + ` addr=127\.0\.0\.1:\d+ laddr=` + regexp.QuoteMeta(addr) + ` fd=\d+ name=web-1 age=3 idle=0 flags=eT db=3 ` +
		`sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 ` +
		`events=r cmd=client\|info user=default redir=-1 resp=2 lib-name=go-redis\(sessiond\) lib-ver=9\.23\.0\n$`
	if !regexp.MustCompile(want).MatchString(line) {
		t.Errorf("CLIENT INFO\n%q\ndoes not match\n%s", line, want)
	}
	mustReply(t, c.do("CLIENT", "SETNAME", ""), "+OK\r\n")
	mustReply(t, c.do("CLIENT", "GETNAME"), "$-1\r\n")
	mustReply(t, c.do("CLIENT", "FOO"), "-ERR unknown subcommand 'FOO'. Try CLIENT HELP.\r\n")
	mustReply(t, c.do("CLIENT"), "-ERR wrong number of arguments for 'client' command\r\n")
	if r := c.do("CLIENT", "HELP"); !strings.HasPrefix(r, "*") || !strings.Contains(r, "+KILL <ip:port>\r\n") {
		t.Errorf("CLIENT HELP: %q", r)
	}
}

func TestClientList(t *testing.T) {
	clk := clock.NewFake(time.Unix(1700000000, 0))
	_, addr := startServer(t, nil, clk)
	a, b := dial(t, addr), dial(t, addr)
	a.do("CLIENT", "SETNAME", "a")
	b.do("CLIENT", "SETNAME", "b")
	clk.Advance(10 * time.Second)
	b.do("PING")
	clk.Advance(2 * time.Second)
	list := bulkBody(t, a.do("CLIENT", "LIST"))
	lines := strings.Split(strings.TrimSuffix(list, "\n"), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], " name=a age=12 idle=0 ") || !strings.Contains(lines[1], " name=b age=12 idle=2 ") ||
		!strings.Contains(lines[1], " cmd=ping ") {
		t.Fatalf("CLIENT LIST:\n%s", list)
	}
	bid := b.do("CLIENT", "ID")[1:]
	bid = strings.TrimSuffix(bid, "\r\n")
	only := bulkBody(t, a.do("CLIENT", "LIST", "ID", bid, "999999"))
	if strings.Count(only, "\n") != 1 || !strings.HasPrefix(only, "id="+bid+" ") {
		t.Errorf("CLIENT LIST ID: %q", only)
	}
	mustReply(t, a.do("CLIENT", "LIST", "ID", "x"), "-"+errInvalidClientID+"\r\n")
	mustReply(t, a.do("CLIENT", "LIST", "TYPE", "foo"), "-ERR Unknown client type 'foo'\r\n")
	mustReply(t, a.do("CLIENT", "LIST", "TYPE", "pubsub"), "$0\r\n\r\n")
	if r := bulkBody(t, a.do("CLIENT", "LIST", "TYPE", "NORMAL")); strings.Count(r, "\n") != 2 {
		t.Errorf("CLIENT LIST TYPE normal: %q", r)
	}
	mustReply(t, a.do("CLIENT", "LIST", "FOO"), "-ERR syntax error\r\n")
	a.do("HELLO", "3")
	if r := a.do("CLIENT", "LIST", "ID", bid); !strings.HasPrefix(r, "=") || !strings.Contains(r, "txt:id="+bid+" ") {
		t.Errorf("RESP3 CLIENT LIST: %q", r)
	}
}

// closedByServer reports whether the server closed r's connection.
func closedByServer(r *rawConn) bool {
	r.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err := r.br.ReadByte()
	return err != nil
}

func TestClientKill(t *testing.T) {
	s, addr := startServer(t, nil, nil)
	a, b, c := dial(t, addr), dial(t, addr), dial(t, addr)
	b.do("PING")
	c.do("PING")
	waitFor(t, 10*time.Second, "three clients", func() bool { return s.clientCount() == 3 })
	baddr := b.c.LocalAddr().String()
	mustReply(t, a.do("CLIENT", "KILL", "1.2.3.4:5"), "-ERR No such client\r\n")
	mustReply(t, a.do("CLIENT", "KILL", baddr), "+OK\r\n")
	if !closedByServer(b) {
		t.Fatal("killed client still connected")
	}
	waitFor(t, 10*time.Second, "two clients", func() bool { return s.clientCount() == 2 })

	mustReply(t, a.do("CLIENT", "KILL", "ID", "x"), "-"+errClientIDPositive+"\r\n")
	mustReply(t, a.do("CLIENT", "KILL", "ID", "0"), "-"+errClientIDPositive+"\r\n")
	mustReply(t, a.do("CLIENT", "KILL", "TYPE", "x"), "-ERR Unknown client type 'x'\r\n")
	mustReply(t, a.do("CLIENT", "KILL", "USER", "bob"), "-ERR No such user 'bob'\r\n")
	mustReply(t, a.do("CLIENT", "KILL", "SKIPME", "maybe"), "-ERR syntax error\r\n")
	mustReply(t, a.do("CLIENT", "KILL", "FOO", "bar"), "-ERR syntax error\r\n")
	mustReply(t, a.do("CLIENT", "KILL", "ID", "1", "TYPE"), "-ERR syntax error\r\n")
	mustReply(t, a.do("CLIENT", "KILL", "ID", "999999"), ":0\r\n")
	mustReply(t, a.do("CLIENT", "KILL", "TYPE", "pubsub"), ":0\r\n")

	// the filter form skips the caller by default
	cid := strings.TrimSuffix(c.do("CLIENT", "ID")[1:], "\r\n")
	mustReply(t, a.do("CLIENT", "KILL", "ID", cid, "LADDR", addr), ":1\r\n")
	if !closedByServer(c) {
		t.Fatal("client killed by id still connected")
	}
	mustReply(t, a.do("CLIENT", "KILL", "USER", "default"), ":0\r\n")
	// killing yourself replies, then closes
	mustReply(t, a.do("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "no"), ":1\r\n")
	if !closedByServer(a) {
		t.Fatal("self-killed client still connected")
	}
	waitFor(t, 10*time.Second, "no clients", func() bool { return s.clientCount() == 0 })
}

func TestClientMaintNotifications(t *testing.T) {
	_, addr := startServer(t, nil, nil)
	c := dial(t, addr)
	mustReply(t, c.do("CLIENT", "MAINT_NOTIFICATIONS", "on", "moving-endpoint-type", "internal-ip"), "+OK\r\n")
	mustReply(t, c.do("CLIENT", "MAINT_NOTIFICATIONS", "ON"), "+OK\r\n")
	mustReply(t, c.do("CLIENT", "MAINT_NOTIFICATIONS", "off"), "+OK\r\n")
	mustReply(t, c.do("CLIENT", "MAINT_NOTIFICATIONS", "off", "moving-endpoint-type", "none"), "-ERR syntax error\r\n")
	mustReply(t, c.do("CLIENT", "MAINT_NOTIFICATIONS", "on", "moving-endpoint-type"), "-ERR syntax error\r\n")
	mustReply(t, c.do("CLIENT", "MAINT_NOTIFICATIONS", "on", "moving-endpoint-type", "bogus"), "-ERR syntax error\r\n")
	mustReply(t, c.do("CLIENT", "MAINT_NOTIFICATIONS", "maybe"), "-ERR syntax error\r\n")
	mustReply(t, c.do("CLIENT", "MAINT_NOTIFICATIONS"), "-ERR wrong number of arguments for 'client|maint_notifications' command\r\n")
}

// go-redis v9 sends HELLO 3, CLIENT SETINFO and CLIENT MAINT_NOTIFICATIONS
// when it connects, and parses CLIENT INFO into a struct.
func TestClientGoRedis(t *testing.T) {
	_, addr := startServer(t, nil, nil)
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: addr, Protocol: 3, ClientName: "web-1"})
	defer rdb.Close()
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	info, err := rdb.ClientInfo(ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	if info.Name != "web-1" || info.LibName == "" || info.LibVer == "" || info.Resp != 3 || info.User != "default" {
		t.Errorf("CLIENT INFO parsed as %+v", info)
	}
	if err := rdb.ClientMaintNotifications(ctx, true, "internal-ip").Err(); err != nil {
		t.Errorf("CLIENT MAINT_NOTIFICATIONS: %v", err)
	}
	if list, err := rdb.ClientList(ctx).Result(); err != nil || !strings.Contains(list, "name=web-1 ") {
		t.Errorf("CLIENT LIST: %q, %v", list, err)
	}
}
