package config

import (
	"errors"
	"fmt"
	"strings"
)

var errUnbalanced = errors.New("unbalanced quotes")

// splitArgs splits one line into words the way redis.conf lines are split
// (Redis's sdssplitargs): words are separated by spaces; "..." takes the
// escapes \n \r \t \b \a \\ \" and \xHH; '...' takes only \'; a closing
// quote must be followed by a space or the end of the line.
func splitArgs(line string) ([]string, error) {
	var args []string
	i := 0
	for {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i >= len(line) {
			return args, nil
		}
		var b strings.Builder
		inDouble, inSingle, done := false, false, false
		for !done {
			if i >= len(line) {
				if inDouble || inSingle {
					return nil, errUnbalanced
				}
				break
			}
			ch := line[i]
			switch {
			case inDouble:
				switch {
				case ch == '\\' && i+3 < len(line) && line[i+1] == 'x' && isHex(line[i+2]) && isHex(line[i+3]):
					b.WriteByte(unhex(line[i+2])<<4 | unhex(line[i+3]))
					i += 3
				case ch == '\\' && i+1 < len(line):
					i++
					switch line[i] {
					case 'n':
						b.WriteByte('\n')
					case 'r':
						b.WriteByte('\r')
					case 't':
						b.WriteByte('\t')
					case 'b':
						b.WriteByte('\b')
					case 'a':
						b.WriteByte('\a')
					default:
						b.WriteByte(line[i])
					}
				case ch == '"':
					if i+1 < len(line) && !isSpace(line[i+1]) {
						return nil, errUnbalanced
					}
					done = true
				default:
					b.WriteByte(ch)
				}
			case inSingle:
				switch {
				case ch == '\\' && i+1 < len(line) && line[i+1] == '\'':
					i++
					b.WriteByte('\'')
				case ch == '\'':
					if i+1 < len(line) && !isSpace(line[i+1]) {
						return nil, errUnbalanced
					}
					done = true
				default:
					b.WriteByte(ch)
				}
			default:
				switch ch {
				case ' ', '\n', '\r', '\t', 0:
					done = true
				case '"':
					inDouble = true
				case '\'':
					inSingle = true
				default:
					b.WriteByte(ch)
				}
			}
			i++
		}
		args = append(args, b.String())
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f'
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// refused are redis.conf directives with no place in sessiond; naming
// them is an error rather than silently ignoring something security- or
// layout-relevant.
var refused = map[string]string{
	"include":        "include is not supported: put all directives in one file",
	"rename-command": "rename-command is not supported",
	"user":           "ACL users are not supported (use requirepass)",
	"loadmodule":     "modules are not supported",
	"sentinel":       "sentinel mode is not supported",
}

// ParseFile reads a configuration in redis.conf syntax on top of the
// defaults. name is used only in error messages, which have the form
// "config file NAME line N: ...".
func ParseFile(name string, data []byte) (*Config, error) {
	c := Default()
	if err := c.loadFile(name, data); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Config) loadFile(name string, data []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	sawSave := false
	for n, line := range strings.Split(string(data), "\n") {
		fail := func(format string, a ...any) error {
			return fmt.Errorf("config file %s line %d: %s", name, n+1, fmt.Sprintf(format, a...))
		}
		line = strings.Trim(line, " \t\r\n")
		if line == "" || line[0] == '#' {
			continue
		}
		args, err := splitArgs(line)
		if err != nil {
			return fail("%v", err)
		}
		if len(args) == 0 {
			continue
		}
		key := strings.ToLower(args[0])
		if why, ok := refused[key]; ok {
			return fail("%s", why)
		}
		d := byName[key]
		if d == nil {
			return fail("unknown directive '%s'", args[0])
		}
		args = args[1:]
		cur := c.vals[d]
		if d.name == "save" {
			// Redis: the file's first save line replaces the default,
			// later ones add to it.
			if sawSave && cur != "" && !(len(args) == 1 && args[0] == "") {
				args = append(strings.Fields(cur), args...)
			}
			sawSave = true
		}
		v, reason := d.parse(cur, args)
		if reason != "" {
			return fail("'%s': %s", key, reason)
		}
		c.store(d, v)
		c.noteExplicit(d)
	}
	return nil
}
