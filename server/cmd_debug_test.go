package server

import (
	"io"
	"strings"
	"testing"

	"sessiond/config"
)

// TestDebugNeedsEnabling: DEBUG is refused unless enable-debug-command
// allows it, as in Redis ("local": from a loopback connection, which a
// test's is); enabled, DIGEST follows the data and DIGEST-VALUE each key.
func TestDebugNeedsEnabling(t *testing.T) {
	for _, mode := range []string{"no", "local", "yes"} {
		t.Run(mode, func(t *testing.T) {
			cfg, err := config.Parse([]string{"--enable-debug-command", mode, "--maxmemory", "0"}, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			_, addr := startServer(t, cfg, nil)
			c := dial(t, addr)
			if mode == "no" {
				runSteps(t, c, []replyStep{step(kErr(errDebugNotAllowed), "DEBUG", "DIGEST")})
				return
			}
			empty := "+" + strings.Repeat("0", 40) + "\r\n"
			runSteps(t, c, []replyStep{
				step(empty, "DEBUG", "DIGEST"),
				step(kArr(empty), "DEBUG", "DIGEST-VALUE", "k"),
				step("+OK\r\n", "SET", "k", "v"),
			})
			d1 := c.do("DEBUG", "DIGEST")
			v1 := c.do("DEBUG", "DIGEST-VALUE", "k")
			c.do("SET", "k", "w")
			if d2, v2 := c.do("DEBUG", "DIGEST"), c.do("DEBUG", "DIGEST-VALUE", "k"); d1 == empty || d2 == d1 || v2 == v1 {
				t.Fatalf("digests do not follow the data: %q %q / %q %q", d1, d2, v1, v2)
			}
			runSteps(t, c, []replyStep{
				step(kErr("ERR unknown subcommand or wrong number of arguments for 'nope'. Try DEBUG HELP."), "DEBUG", "nope"),
			})
		})
	}
}
