package expiry

import (
	"context"
	"time"

	"sessiond/clock"
)

// Sweeper deletes keys whose deadline has passed. SweepExpired removes at most
// budget keys that are due at nowMs and reports how many it removed.
type Sweeper interface {
	SweepExpired(nowMs int64, budget int) int
}

// Runner is the active expirer: every tick it reads the clock once and asks
// the sweeper to delete what is due, repeating while a sweep fills its whole
// budget so a burst of expiries is drained within the tick rather than
// waiting a full interval per budget.
type Runner struct {
	Clock    clock.Clock
	Sweeper  Sweeper
	Interval time.Duration // default 100ms
	Budget   int           // keys per sweep call, default 2000
}

// Run loops until ctx is done.
func (r *Runner) Run(ctx context.Context) {
	interval := r.Interval
	if interval <= 0 {
		interval = 100 * time.Millisecond
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			r.Tick()
		}
	}
}

// Tick runs one round of sweeping at the clock's current time.
func (r *Runner) Tick() int {
	budget := r.Budget
	if budget <= 0 {
		budget = 2000
	}
	total := 0
	// Bounded so one tick cannot monopolise the store: at most 64 budgets.
	for range 64 {
		n := r.Sweeper.SweepExpired(r.Clock.Now().UnixMilli(), budget)
		total += n
		if n < budget {
			break
		}
	}
	return total
}
