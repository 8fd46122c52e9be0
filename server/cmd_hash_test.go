package server

import "strconv"

// The hash encoding limits, read from the settable values (CONFIG SET in
// tests) with Redis's defaults.
func (c *testConfig) HashMaxListpackEntries() int {
	return c.intValue("hash-max-listpack-entries", 512)
}
func (c *testConfig) HashMaxListpackValue() int { return c.intValue("hash-max-listpack-value", 64) }

func (c *testConfig) intValue(name string, def int) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.values[name]; ok {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	return def
}
