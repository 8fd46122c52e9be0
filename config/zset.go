package config

import "strconv"

// ZsetMaxListpackEntries is the most members a sorted set keeps in the
// compact (listpack) encoding.
func (c *Config) ZsetMaxListpackEntries() int { return c.intValue("zset-max-listpack-entries") }

// ZsetMaxListpackValue is the longest member, in bytes, a sorted set keeps
// in the compact (listpack) encoding.
func (c *Config) ZsetMaxListpackValue() int { return c.intValue("zset-max-listpack-value") }

// intValue reads a numeric directive from its committed text. It is for
// settings read once per command at most, not on every hot-path access.
func (c *Config) intValue(name string) int {
	v, _ := c.Value(name)
	n, _ := strconv.ParseInt(v, 10, 64)
	return int(min(n, int64(^uint(0)>>1)))
}
