package rbench

import (
	"math"
	"strings"
	"testing"
)

func TestParseCSV70(t *testing.T) {
	const in = `"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
"SET","327868.84","2.147","0.552","1.919","4.319","5.231","5.575"
"MSET (10 keys)","42016.80","0.636","0.160","0.607","0.879","1.167","2.431"
`
	got, err := ParseCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Result{
		{"SET", 327868.84, 2.147, 0.552, 1.919, 4.319, 5.231, 5.575},
		{"MSET (10 keys)", 42016.80, 0.636, 0.160, 0.607, 0.879, 1.167, 2.431},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d rows, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestParseCSVHeaderless(t *testing.T) {
	got, err := ParseCSV(strings.NewReader("\"PING_INLINE\",\"98039.22\"\n\"GET\",\"97087.38\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[1].Test != "GET" || got[1].RPS != 97087.38 || !math.IsNaN(got[1].P99Ms) {
		t.Fatalf("got %+v", got)
	}
}

func TestParseCSVHeaderOnlyAndBad(t *testing.T) {
	got, err := ParseCSV(strings.NewReader("\"test\",\"rps\"\n"))
	if err != nil || len(got) != 0 {
		t.Fatalf("header only: %v %v", got, err)
	}
	if _, err := ParseCSV(strings.NewReader("\"SET\",\"fast\"\n")); err == nil {
		t.Fatal("non-numeric rps accepted")
	}
}
