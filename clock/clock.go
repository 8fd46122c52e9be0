package clock

import (
	"sort"
	"sync"
	"time"
)

// Clock tells the time. The server reads it once per command; storage and
// expiry never read time themselves but take the instant as an argument.
//
// AfterFunc runs f in its own goroutine once d has passed on this clock (at
// once when d <= 0); blocking commands take their timeouts from it, so tests
// drive them with a Fake and never sleep.
type Clock interface {
	Now() time.Time
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending AfterFunc.
type Timer interface {
	// Stop cancels the call; it reports false when f already ran or was
	// started.
	Stop() bool
}

// System is the real wall clock.
type System struct{}

// Now returns time.Now().
func (System) Now() time.Time { return time.Now() }

// AfterFunc is time.AfterFunc.
func (System) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

// Fake is a manually advanced clock for tests. The zero value starts at the
// unix epoch; use NewFake to start elsewhere.
type Fake struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer // pending, in no particular order
	seq    int64
}

type fakeTimer struct {
	f    *Fake
	when time.Time
	seq  int64 // creation order, to fire timers due at one instant in order
	fn   func()
}

// Stop removes the timer if it is still pending.
func (t *fakeTimer) Stop() bool {
	t.f.mu.Lock()
	defer t.f.mu.Unlock()
	for i, p := range t.f.timers {
		if p == t {
			t.f.timers = append(t.f.timers[:i], t.f.timers[i+1:]...)
			return true
		}
	}
	return false
}

// AfterFunc schedules fn for when the fake clock reaches Now()+d; Advance and
// Set start the due calls, each in its own goroutine as time.AfterFunc does.
func (f *Fake) AfterFunc(d time.Duration, fn func()) Timer {
	f.mu.Lock()
	f.seq++
	t := &fakeTimer{f: f, when: f.now.Add(d), seq: f.seq, fn: fn}
	if d <= 0 {
		f.mu.Unlock()
		go fn()
		return t
	}
	f.timers = append(f.timers, t)
	f.mu.Unlock()
	return t
}

// Pending returns the number of timers not yet fired or stopped.
func (f *Fake) Pending() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.timers)
}

// fireLocked removes the due timers and returns them in deadline order.
func (f *Fake) fireLocked() []*fakeTimer {
	var due []*fakeTimer
	keep := f.timers[:0]
	for _, t := range f.timers {
		if !t.when.After(f.now) {
			due = append(due, t)
		} else {
			keep = append(keep, t)
		}
	}
	clear(f.timers[len(keep):])
	f.timers = keep
	sort.Slice(due, func(i, j int) bool {
		if !due[i].when.Equal(due[j].when) {
			return due[i].when.Before(due[j].when)
		}
		return due[i].seq < due[j].seq
	})
	return due
}

func start(due []*fakeTimer) {
	for _, t := range due {
		go t.fn()
	}
}

// NewFake returns a Fake clock reading t.
func NewFake(t time.Time) *Fake { return &Fake{now: t} }

// Now returns the fake instant.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// Advance moves the clock forward by d.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	due := f.fireLocked()
	f.mu.Unlock()
	start(due)
}

// Set moves the clock to t.
func (f *Fake) Set(t time.Time) {
	f.mu.Lock()
	f.now = t
	due := f.fireLocked()
	f.mu.Unlock()
	start(due)
}
