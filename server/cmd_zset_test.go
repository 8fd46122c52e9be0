package server

func (c *testConfig) ZsetMaxListpackEntries() int { return 128 }
func (c *testConfig) ZsetMaxListpackValue() int   { return 64 }
