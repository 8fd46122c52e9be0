package config

import "testing"

func TestZsetListpackLimits(t *testing.T) {
	c := Default()
	if c.ZsetMaxListpackEntries() != 128 || c.ZsetMaxListpackValue() != 64 {
		t.Fatalf("defaults %d %d, want 128 64", c.ZsetMaxListpackEntries(), c.ZsetMaxListpackValue())
	}
	if err := c.Set([]string{"zset-max-ziplist-entries", "7", "zset-max-listpack-value", "1kb"}); err != nil {
		t.Fatal(err)
	}
	if c.ZsetMaxListpackEntries() != 7 || c.ZsetMaxListpackValue() != 1024 {
		t.Fatalf("after CONFIG SET: %d %d, want 7 1024", c.ZsetMaxListpackEntries(), c.ZsetMaxListpackValue())
	}
	if !Used("zset-max-listpack-entries") || !Used("zset-max-ziplist-value") {
		t.Fatal("zset listpack directives are not flagged used")
	}
}
