package server

import (
	"bytes"
	"errors"
	"math"
	"strconv"
	"strings"
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

// floatArg parses a float the way Redis's string2ld/strtold does for
// INCRBYFLOAT: no spaces, no NaN.
func parseFloat(b []byte) (float64, bool) {
	if len(b) == 0 || len(b) > 5000 {
		return 0, false
	}
	if isSpace(b[0]) || isSpace(b[len(b)-1]) {
		return 0, false
	}
	s := string(b)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			// strtold saturates to ±inf, which callers reject as needed
			return f, !math.IsNaN(f)
		}
		// accept what Go does not: "inf" variants are handled by ParseFloat;
		// hex floats and leading '+' are accepted by strtold and Go alike.
		return 0, false
	}
	if math.IsNaN(f) {
		return 0, false
	}
	if strings.ContainsAny(s, "_") { // Go accepts digit separators, C does not
		return 0, false
	}
	return f, true
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

func upper(b []byte) string { return string(bytes.ToUpper(b)) }
