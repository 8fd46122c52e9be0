// Package clock owns the notion of "now" for sessiond.
//
// Invariant: only the server reads a Clock, once per command, and passes the
// instant down as unix milliseconds. Packages storage and expiry never call
// time.Now themselves, so tests control time by injecting a Fake.
//
// Imports: standard library only.
package clock
