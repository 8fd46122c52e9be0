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
	p := Start(256 << 20)
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
	if p := Start(DefaultHeadroom); p != nil {
		p.Stop()
		t.Fatal("Start paced although GOGC is set")
	}
}
