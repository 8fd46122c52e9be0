package gcpace

import (
	"runtime"
	"runtime/debug"
	"testing"
)

func TestPercent(t *testing.T) {
	for _, tc := range []struct {
		live, headroom uint64
		want           int
	}{
		{live: 1 << 20, headroom: 64 << 20, want: 1600}, // taken as 4 MiB: the runtime's heap minimum scales too
		{live: 4 << 20, headroom: 64 << 20, want: 1600},
		{live: 32 << 20, headroom: 64 << 20, want: 200},
		{live: 64 << 20, headroom: 64 << 20, want: 100},
		{live: 1 << 30, headroom: 64 << 20, want: 100}, // a large heap paces as GOGC=100
		{live: 0, headroom: 64 << 20, want: 1600},
		{live: 10, headroom: 0, want: 100},
	} {
		if got := Percent(tc.live, tc.headroom); got != tc.want {
			t.Errorf("Percent(%d, %d) = %d, want %d", tc.live, tc.headroom, got, tc.want)
		}
	}
}

// TestPacerFollowsCollections checks that the pacer sets GOGC at start and
// re-derives it after collections, and that Stop restores 100.
func TestPacerFollowsCollections(t *testing.T) {
	t.Setenv("GOGC", "")
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	p := Start(256<<20, 0)
	if p == nil {
		t.Fatal("Start returned nil with GOGC unset")
	}
	first := p.Percent()
	if first <= 100 {
		t.Fatalf("percent after start = %d, want > 100 for a small test heap", first)
	}
	// Grow the live heap so the wanted percentage falls by more than 10%,
	// then collect until the pacer has caught up.
	keep := make([][]byte, 0, 1024)
	for range 1024 {
		keep = append(keep, make([]byte, 128<<10)) // 128 MiB live in all
	}
	for i := 0; i < 100 && p.Percent() == first; i++ {
		runtime.GC()
		runtime.Gosched()
	}
	if got := p.Percent(); got == first || got > first {
		t.Fatalf("percent after the heap grew = %d, want below %d", got, first)
	}
	runtime.KeepAlive(keep)
	p.Stop()
	if prev := debug.SetGCPercent(100); prev != 100 {
		t.Fatalf("GOGC after Stop = %d, want 100", prev)
	}
	p.Stop() // idempotent
	var nilPacer *Pacer
	nilPacer.Stop()
}

func TestStartRespectsGOGC(t *testing.T) {
	t.Setenv("GOGC", "200")
	if p := Start(DefaultHeadroom, 0); p != nil {
		p.Stop()
		t.Fatal("Start paced although GOGC is set")
	}
}

var sink []byte

// TestPacerCollectsOnSpareCore checks the spare-core mode: the poller runs
// the collections (the runtime's own trigger is out of the way), GOMAXPROCS
// is back to its value afterwards, and Stop ends the poller.
func TestPacerCollectsOnSpareCore(t *testing.T) {
	t.Setenv("GOGC", "")
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	procs := runtime.GOMAXPROCS(0)
	runtime.GC() // a small live heap: the earlier tests' data is gone
	p := Start(8<<20, 1)
	if p == nil {
		t.Fatal("Start returned nil with GOGC unset")
	}
	// The runtime's goal is half again ours: GOGC above the plain value.
	if plain := Percent(4<<20, 8<<20); p.Percent() <= plain {
		t.Fatalf("GOGC in spare mode = %d, want above %d", p.Percent(), plain)
	}
	// Allocate garbage until the poller has collected twice (bounded: 4 GiB).
	for i := 0; i < 1<<15 && p.Collections() < 2; i++ {
		sink = make([]byte, 128<<10)
		if i%64 == 0 {
			runtime.Gosched()
		}
	}
	if n := p.Collections(); n < 2 {
		t.Fatalf("the poller ran %d collections over 4 GiB of garbage, want at least 2", n)
	}
	p.Stop()
	if got := runtime.GOMAXPROCS(0); got != procs {
		t.Fatalf("GOMAXPROCS after collections = %d, want %d", got, procs)
	}
	n := p.Collections()
	for range 256 {
		sink = make([]byte, 128<<10)
	}
	if p.Collections() != n {
		t.Fatal("the poller collected after Stop")
	}
}
