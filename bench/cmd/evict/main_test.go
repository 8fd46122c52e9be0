package main

import "testing"

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"200mb": 200 << 20, "1gb": 1 << 30, "64kb": 64 << 10, "1k": 1000, "5m": 5e6, "123": 123, "7b": 7} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "mb", "-1mb", "1.5gb", "1x"} {
		if _, err := parseSize(bad); err == nil {
			t.Errorf("parseSize(%q) accepted", bad)
		}
	}
}
