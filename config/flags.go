package config

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/pflag"
)

// setting is one --name value from the command line, kept in order so
// flags apply after the file and left to right.
type setting struct{ name, value string }

type flagValue struct {
	name string
	all  *[]setting
}

func (f *flagValue) String() string { return "" }
func (f *flagValue) Type() string   { return "value" }
func (f *flagValue) Set(s string) error {
	*f.all = append(*f.all, setting{f.name, s})
	return nil
}

// Parse reads the command line (os.Args[1:]) like redis-server: an
// optional configuration file, then --directive value flags, which
// override the file. --help and --version print to stdout and return
// ErrHelp or ErrVersion.
func Parse(args []string, stdout io.Writer) (*Config, error) {
	fs := pflag.NewFlagSet("sessiond", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	help := fs.BoolP("help", "h", false, "print this help and exit")
	version := fs.BoolP("version", "v", false, "print the version and exit")
	var settings []setting
	for _, d := range table {
		for _, name := range append([]string{d.name}, d.aliases...) {
			fs.Var(&flagValue{name: name, all: &settings}, name, "")
		}
	}
	if err := fs.Parse(args); err != nil {
		return nil, fmt.Errorf("%v (see sessiond --help)", err)
	}
	if *help {
		fmt.Fprint(stdout, usage)
		return nil, ErrHelp
	}
	if *version {
		fmt.Fprintf(stdout, "sessiond v=%s\n", Version)
		return nil, ErrVersion
	}
	c := Default()
	switch rest := fs.Args(); len(rest) {
	case 0:
	case 1:
		if rest[0] == "-" {
			return nil, fmt.Errorf("reading the configuration from standard input is not supported")
		}
		data, err := os.ReadFile(rest[0])
		if err != nil {
			return nil, fmt.Errorf("config file: %w", err)
		}
		if err := c.loadFile(rest[0], data); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("unexpected arguments %q: give at most one config file, and quote multi-word values (--save \"900 1 300 10\") (see sessiond --help)", rest[1:])
	}
	if err := c.applyFlags(settings); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Config) applyFlags(settings []setting) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range settings {
		d := byName[s.name]
		args := []string{s.value}
		if d.flags&multi != 0 {
			var err error
			if args, err = splitArgs(s.value); err != nil {
				return fmt.Errorf("flag --%s: %v", s.name, err)
			}
			if len(args) == 0 {
				args = []string{""}
			}
		}
		v, reason := d.parse(c.vals[d], args)
		if reason != "" {
			return fmt.Errorf("flag --%s %q: %s", s.name, s.value, reason)
		}
		c.store(d, v)
		c.noteExplicit(d)
	}
	return nil
}

var usage = strings.TrimLeft(`
Usage: sessiond [config-file] [--directive value ...]
       sessiond -v | --version
       sessiond -h | --help

sessiond is a Redis-protocol session server. It reads an optional
configuration file in redis.conf syntax, then applies --directive value
flags, which override the file. Every directive of the file is also a
flag; multi-word values are quoted as one argument.

Directives sessiond acts on (default in brackets):
  --port N                        TCP port [6379]
  --bind "ADDR ..."               listen addresses [127.0.0.1]
  --requirepass PASS              password for AUTH [none]
  --protected-mode yes|no         without a password, serve only loopback [yes]
  --databases N                   number of databases [16]
  --maxclients N                  most connections at once [10000]
  --timeout SECONDS               close idle clients, 0 = never [0]
  --tcp-keepalive SECONDS         TCP keepalive period [300]
  --proto-max-bulk-len SIZE       largest bulk string [512mb]
  --client-query-buffer-limit SIZE  most pending input per client [1gb]
  --maxmemory SIZE                memory limit, 0 = none [0]
  --maxmemory-policy POLICY       noeviction, allkeys-lfu, ... [noeviction]
  --hz N                          background task frequency, 1..500 [10]
  --shards N                      storage shards, power of two, 0 = auto [0]
  --loglevel LEVEL                debug, verbose, notice, warning, nothing [notice]
  --logfile PATH                  log file, "" = standard output [""]

Sizes take Redis units: 1k = 1000, 1kb = 1024, likewise m/mb and g/gb.
Other Redis 7.0 directives (save, appendonly no, replicaof, the encoding
knobs, ...) are accepted and shown by CONFIG GET, and logged at startup as
having no effect. appendonly yes, daemonize yes, cluster-enabled yes and a
non-zero tls-port are refused.

Examples:
  sessiond
  sessiond --port 7000 --requirepass s3cret
  sessiond /etc/sessiond.conf --loglevel verbose
  sessiond --maxmemory 2gb --maxmemory-policy allkeys-lfu --save ""
`, "\n")
