package main

import "testing"

func TestParseSummary(t *testing.T) {
	const out = "All data transferred. Waiting for the last reply...\nLast reply received from server.\nerrors: 0, replies: 1000000\n"
	if e, r, ok := parseSummary(out); !ok || e != 0 || r != 1000000 {
		t.Fatalf("got %d %d %v", e, r, ok)
	}
	if e, r, ok := parseSummary("ERR something\nerrors: 3, replies: 10\r\n"); !ok || e != 3 || r != 10 {
		t.Fatalf("got %d %d %v", e, r, ok)
	}
	if _, _, ok := parseSummary("Error writing to the server: Connection reset by peer\n"); ok {
		t.Fatal("summary found in output without one")
	}
}
