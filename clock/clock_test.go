package clock

import (
	"testing"
	"time"
)

func TestFakeAfterFunc(t *testing.T) {
	f := NewFake(time.Unix(1000, 0))
	fired := make(chan int, 10)
	f.AfterFunc(2*time.Second, func() { fired <- 2 })
	f.AfterFunc(time.Second, func() { fired <- 1 })
	stopped := f.AfterFunc(time.Second, func() { fired <- 99 })
	if !stopped.Stop() || stopped.Stop() {
		t.Fatal("Stop of a pending timer must report true once")
	}
	if f.Pending() != 2 {
		t.Fatalf("pending %d, want 2", f.Pending())
	}
	f.Advance(999 * time.Millisecond)
	if f.Pending() != 2 {
		t.Fatalf("pending %d after 999ms, want 2", f.Pending())
	}
	select {
	case v := <-fired:
		t.Fatalf("timer %d fired early", v)
	default:
	}
	f.Advance(time.Millisecond)
	if v := <-fired; v != 1 {
		t.Fatalf("fired %d, want 1", v)
	}
	f.Set(time.Unix(1005, 0))
	if v := <-fired; v != 2 {
		t.Fatalf("fired %d, want 2", v)
	}
	if f.Pending() != 0 {
		t.Fatalf("pending %d after firing", f.Pending())
	}
	f.AfterFunc(0, func() { fired <- 0 })
	if v := <-fired; v != 0 {
		t.Fatalf("fired %d, want 0", v)
	}
}
