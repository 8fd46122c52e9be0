// Package clock owns the notion of "now" for sessiond.
//
// Invariant: only the server reads a Clock, once per command, and passes the
// instant down as unix milliseconds. Packages storage and expiry never call
// time.Now themselves, so tests control time by injecting a Fake.
//
// Clock.AfterFunc is the timer facility (blocking command timeouts): the
// Fake fires due timers when Advance or Set moves it, so tests never sleep.
//
// Imports: standard library only.
package clock
