package config

import (
	"math"
	"strconv"
	"strings"
)

// value is one parsed setting: s is the text CONFIG GET prints, n the
// number for int, size and bool kinds (sizes above MaxInt64 saturate).
type value struct {
	s string
	n int64
}

// Redis 7.0's reasons, the tail of "CONFIG SET failed (...) - <reason>".
const (
	errNotInt       = "argument couldn't be parsed into an integer"
	errNotMemory    = "argument must be a memory value"
	errNotBool      = "argument must be 'yes' or 'no'"
	errWrongArgs    = "wrong number of arguments"
	errSaveParams   = "Invalid save parameters"
	errTooManyBinds = "Too many bind addresses specified."
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// parse turns the words of one setting into its value, or returns
// Redis's reason for refusing it. cur is the value held now.
func (d *directive) parse(cur string, args []string) (value, string) {
	if d.kind == kindSpecial {
		s, reason := d.special(cur, args)
		if reason != "" {
			return value{}, reason
		}
		v := value{s: s}
		if d.check != nil {
			if reason := d.check(&v); reason != "" {
				return value{}, reason
			}
		}
		return v, ""
	}
	if len(args) != 1 {
		return value{}, errWrongArgs
	}
	arg := args[0]
	var v value
	switch d.kind {
	case kindInt:
		n, ok := parseStrictInt(arg)
		if !ok {
			return value{}, errNotInt
		}
		if n < d.min || (n >= 0 && uint64(n) > d.max) {
			return value{}, d.rangeReason()
		}
		v = value{s: itoa(n), n: n}
	case kindSize:
		u, ok := parseMemory(arg)
		if !ok {
			return value{}, errNotMemory
		}
		if u < uint64(d.min) || u > d.max {
			return value{}, d.rangeReason()
		}
		n := int64(math.MaxInt64)
		if u <= math.MaxInt64 {
			n = int64(u)
		}
		v = value{s: strconv.FormatUint(u, 10), n: n}
	case kindBool:
		switch strings.ToLower(arg) {
		case "yes":
			v = value{s: "yes", n: 1}
		case "no":
			v = value{s: "no", n: 0}
		default:
			return value{}, errNotBool
		}
	case kindEnum:
		found := false
		for _, e := range append(d.enum[:len(d.enum):len(d.enum)], d.hidden...) {
			if strings.EqualFold(arg, e) {
				v, found = value{s: e}, true
				break
			}
		}
		if !found {
			return value{}, "argument(s) must be one of the following: " + strings.Join(d.enum, ", ")
		}
	default:
		v = value{s: arg}
	}
	if d.check != nil {
		if reason := d.check(&v); reason != "" {
			return value{}, reason
		}
	}
	return v, ""
}

func (d *directive) rangeReason() string {
	return "argument must be between " + itoa(d.min) + " and " + strconv.FormatUint(d.max, 10) + " inclusive"
}

// parseStrictInt accepts what Redis's string2ll accepts: an optional '-',
// then digits without a leading zero (except "0" itself), in int64 range.
func parseStrictInt(s string) (int64, bool) {
	if s == "" || len(s) > 20 {
		return 0, false
	}
	digits := s
	if digits[0] == '-' {
		digits = digits[1:]
	}
	if digits == "" || digits[0] < '1' && digits != "0" || s == "-0" {
		return 0, false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// parseMemory accepts what Redis's memtoull accepts: digits then an
// optional unit b, k (1000), kb (1024), m, mb, g, gb in any case. Like
// Redis it takes an empty number as 0 ("" and "kb" are 0) and saturates a
// number too long for 64 bits; it refuses a sign, spaces and fractions.
func parseMemory(s string) (uint64, bool) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	var mul uint64
	switch strings.ToLower(s[i:]) {
	case "", "b":
		mul = 1
	case "k":
		mul = 1000
	case "kb":
		mul = 1024
	case "m":
		mul = 1000 * 1000
	case "mb":
		mul = 1024 * 1024
	case "g":
		mul = 1000 * 1000 * 1000
	case "gb":
		mul = 1024 * 1024 * 1024
	default:
		return 0, false
	}
	if i >= 128 {
		return 0, false
	}
	var n uint64
	if i > 0 {
		var err error
		n, err = strconv.ParseUint(s[:i], 10, 64)
		if err != nil {
			n = math.MaxUint64 // strtoull saturates
		}
	}
	if n > math.MaxUint64/mul {
		return 0, false
	}
	return n * mul, true
}

// parseCLong is C's strtoll as Redis uses it for save and buffer limits:
// leading spaces and a sign allowed, the whole rest must be digits.
func parseCLong(s string) (int64, bool) {
	t := strings.TrimLeft(s, " \t\n\v\f\r")
	body := strings.TrimLeft(t, "+-")
	if len(t)-len(body) > 1 || body == "" {
		return 0, false
	}
	for i := 0; i < len(body); i++ {
		if body[i] < '0' || body[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil {
		if t[0] == '-' {
			return math.MinInt64, true
		}
		return math.MaxInt64, true
	}
	return n, true
}

func parseSave(_ string, args []string) (string, string) {
	if len(args) == 1 && args[0] == "" {
		args = nil
	}
	if len(args)%2 != 0 {
		return "", errSaveParams
	}
	words := make([]string, 0, len(args))
	for i, a := range args {
		n, ok := parseCLong(a)
		if !ok || (i%2 == 0 && n < 1) || (i%2 == 1 && n < 0) {
			return "", errSaveParams
		}
		words = append(words, itoa(n))
	}
	return strings.Join(words, " "), ""
}

// parseBind keeps the addresses as given; the server resolves them. Like
// Redis, "*" means every IPv4 address and a leading '-' marks an address
// that may fail to bind. An empty list is Redis's "bind nothing", which
// sessiond does not allow.
func parseBind(_ string, args []string) (string, string) {
	if len(args) > 16 {
		return "", errTooManyBinds
	}
	var words []string
	for _, a := range args {
		if a == "" {
			continue
		}
		if strings.ContainsAny(a, " \t\r\n") {
			return "", "Invalid bind address."
		}
		words = append(words, a)
	}
	if len(words) == 0 {
		return "", "at least one bind address is required"
	}
	return strings.Join(words, " "), ""
}

var outputBufferClasses = []string{"normal", "slave", "pubsub"}

const defaultOutputBufferLimit = "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"

func parseClientOutputBufferLimit(cur string, args []string) (string, string) {
	if len(args) == 0 || len(args)%4 != 0 {
		return "", "Wrong number of arguments in buffer limit configuration."
	}
	now := strings.Fields(cur)
	if len(now) != 12 {
		now = strings.Fields(defaultOutputBufferLimit) // only if cur was never set
	}
	for i := 0; i < len(args); i += 4 {
		class := -1
		switch strings.ToLower(args[i]) {
		case "normal":
			class = 0
		case "slave", "replica":
			class = 1
		case "pubsub":
			class = 2
		}
		if class < 0 {
			return "", "Invalid client class specified in buffer limit configuration."
		}
		hard, ok1 := parseMemory(args[i+1])
		soft, ok2 := parseMemory(args[i+2])
		secs, ok3 := parseCLong(args[i+3])
		if !ok1 || !ok2 || !ok3 || secs < 0 {
			return "", "Error in hard, soft or soft_seconds setting in buffer limit configuration."
		}
		now[class*4+1] = strconv.FormatUint(hard, 10)
		now[class*4+2] = strconv.FormatUint(soft, 10)
		now[class*4+3] = itoa(secs)
	}
	for i, c := range outputBufferClasses {
		now[i*4] = c
	}
	return strings.Join(now, " "), ""
}

func parsePercentiles(_ string, args []string) (string, string) {
	if len(args) == 1 && args[0] == "" {
		args = nil
	}
	words := make([]string, 0, len(args))
	for _, a := range args {
		f, err := strconv.ParseFloat(a, 64)
		if err != nil || math.IsNaN(f) {
			return "", "Invalid latency-tracking-info-percentiles parameters"
		}
		if f < 0 || f > 100 {
			return "", "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"
		}
		words = append(words, strconv.FormatFloat(f, 'f', -1, 64))
	}
	return strings.Join(words, " "), ""
}

func parseMaxmemoryClients(_ string, args []string) (string, string) {
	if len(args) != 1 {
		return "", errWrongArgs
	}
	a := args[0]
	if strings.HasSuffix(a, "%") {
		n, ok := parseStrictInt(a[:len(a)-1])
		if !ok || n < 0 {
			return "", "argument must be a memory or percent value"
		}
		if n > 100 {
			return "", "percentage argument must be less or equal to 100"
		}
		return itoa(n) + "%", ""
	}
	u, ok := parseMemory(a)
	if !ok {
		return "", "argument must be a memory or percent value"
	}
	if u > math.MaxInt64 {
		return "", "argument must be between 0 and 9223372036854775807 inclusive"
	}
	return strconv.FormatUint(u, 10), ""
}

func parseOOMScoreAdjValues(_ string, args []string) (string, string) {
	if len(args) != 3 {
		return "", errWrongArgs
	}
	words := make([]string, 3)
	for i, a := range args {
		n, ok := parseCLong(a)
		if !ok {
			return "", "Invalid oom-score-adj-values, elements must be between -2000 and 2000."
		}
		if n < -2000 || n > 2000 {
			return "", "Invalid oom-score-adj-values, elements must be between -2000 and 2000."
		}
		words[i] = itoa(n)
	}
	return strings.Join(words, " "), ""
}

// parseReplicaof accepts "host port" or "no one" (which clears it).
func parseReplicaof(_ string, args []string) (string, string) {
	if len(args) == 1 && args[0] == "" {
		return "", ""
	}
	if len(args) != 2 {
		return "", errWrongArgs
	}
	if strings.EqualFold(args[0], "no") && strings.EqualFold(args[1], "one") {
		return "", ""
	}
	port, ok := parseStrictInt(args[1])
	if !ok || port < 0 || port > 65535 {
		return "", "Invalid master port"
	}
	if args[0] == "" || strings.ContainsAny(args[0], " \t\r\n") {
		return "", "Invalid master host"
	}
	return args[0] + " " + itoa(port), ""
}

func parseOctalPerm(_ string, args []string) (string, string) {
	if len(args) != 1 {
		return "", errWrongArgs
	}
	n, err := strconv.ParseUint(args[0], 8, 32)
	if err != nil || n > 0777 {
		return "", "argument couldn't be parsed as an octal number"
	}
	return strconv.FormatUint(n, 8), ""
}

// Keyspace notification classes, in the order Redis 7.0 prints them.
const (
	evGeneric = 1 << iota
	evString
	evList
	evSet
	evHash
	evZset
	evExpired
	evEvicted
	evStream
	evModule
	evNew
	evKeyspace
	evKeyevent
	evKeyMiss
	evAll = evGeneric | evString | evList | evSet | evHash | evZset | evExpired | evEvicted | evStream | evModule
)

const eventClassOrder = "g$lshzxetdn"

func parseKeyspaceEvents(_ string, args []string) (string, string) {
	if len(args) != 1 {
		return "", errWrongArgs
	}
	flags := 0
	for i := 0; i < len(args[0]); i++ {
		c := args[0][i]
		switch c {
		case 'A':
			flags |= evAll
		case 'K':
			flags |= evKeyspace
		case 'E':
			flags |= evKeyevent
		case 'm':
			flags |= evKeyMiss
		default:
			j := strings.IndexByte(eventClassOrder, c)
			if j < 0 {
				return "", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."
			}
			flags |= 1 << j
		}
	}
	// Render as Redis does, including its quirk: 'A' hides 'n'.
	var b strings.Builder
	if flags&evAll == evAll {
		b.WriteByte('A')
	} else {
		for j := 0; j < len(eventClassOrder); j++ {
			if flags&(1<<j) != 0 {
				b.WriteByte(eventClassOrder[j])
			}
		}
	}
	if flags&evKeyspace != 0 {
		b.WriteByte('K')
	}
	if flags&evKeyevent != 0 {
		b.WriteByte('E')
	}
	if flags&evKeyMiss != 0 {
		b.WriteByte('m')
	}
	return b.String(), ""
}
