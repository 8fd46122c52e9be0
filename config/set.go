package config

// Set settings: the typed getter the set commands read on every write.

func init() {
	byName["set-max-intset-entries"].apply = func(c *Config, v value) { c.setMaxIntsetEntries.Store(v.n) }
}

// SetMaxIntsetEntries is set-max-intset-entries: the most members a set of
// integers keeps in the intset encoding.
func (c *Config) SetMaxIntsetEntries() int { return int(c.setMaxIntsetEntries.Load()) }
