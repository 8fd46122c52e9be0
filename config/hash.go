package config

import "math"

// HashMaxListpackEntries is the most fields a hash keeps in the compact
// encoding (hash-max-listpack-entries).
func (c *Config) HashMaxListpackEntries() int { return clampInt(c.hashMaxListpackEntries.Load()) }

// HashMaxListpackValue is the longest field or value, in bytes, a hash
// keeps in the compact encoding (hash-max-listpack-value).
func (c *Config) HashMaxListpackValue() int { return clampInt(c.hashMaxListpackValue.Load()) }

func clampInt(n int64) int {
	if n > math.MaxInt32 {
		return math.MaxInt32
	}
	return int(n)
}
