package server

import (
	"strconv"
)

// Argument parsing shared by handlers. Each parser writes the Redis error
// itself and reports false, so a handler reads:
//
//	n, ok := c.intArg(args[2])
//	if !ok { return }

// intArg parses a 64-bit integer the way Redis's string2ll does.
func (c *Client) intArg(b []byte) (int64, bool) {
	n, ok := parseInteger(b)
	if !ok {
		c.w.Error(errNotInteger)
	}
	return n, ok
}

// parseInteger accepts exactly what Redis's string2ll accepts: an optional
// '-', digits, no leading zeros, no '+', no spaces, within int64.
func parseInteger(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	i := 0
	if b[0] == '-' {
		i = 1
		if len(b) == 1 {
			return 0, false
		}
	}
	if b[i] < '1' || b[i] > '9' {
		return 0, false
	}
	for _, ch := range b[i:] {
		if ch < '0' || ch > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	return n, err == nil
}

// eq reports whether arg equals the lower-case option name, ignoring case.
func eq(arg []byte, lower string) bool {
	if len(arg) != len(lower) {
		return false
	}
	for i := 0; i < len(arg); i++ {
		c := arg[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// rankRange normalises Redis's inclusive start/stop indexes (negative ones
// count from the end) against length n, for LRANGE, LTRIM, ZRANGE and
// ZREMRANGEBYRANK; false reports an empty range.
func rankRange(start, stop int64, n int) (int, int, bool) {
	ln := int64(n)
	if start < 0 {
		start += ln
	}
	if stop < 0 {
		stop += ln
	}
	if start < 0 {
		start = 0
	}
	if start > stop || start >= ln {
		return 0, 0, false
	}
	if stop >= ln {
		stop = ln - 1
	}
	return int(start), int(stop), true
}
