// Package stats holds the arithmetic the bench tools report with: medians
// over repetitions, ratios, and a log-linear latency histogram.
//
// The histogram is HDR-like: values below 2^subBits are exact, above that
// each power of two is split into 2^subBits equal buckets, so any recorded
// value is reported within 1/2^subBits (under 1%) of its true value, in
// bounded memory, whatever the run length. It is not safe for concurrent
// use: keep one per goroutine and Merge them at the end. It imports only
// the standard library.
package stats
