// Command sessiond is a session cache server that speaks the Redis protocol.
//
//	sessiond [config-file] [--directive value ...]
//
// This package owns start-up and shutdown only: it parses the command line
// and config file (package config), sets up logging through log/slog,
// starts the collector's pacing (package gcpace), opens one listener per
// bind address, runs the server (package server) and stops it on SIGINT,
// SIGTERM or the SHUTDOWN command.
//
// GOMAXPROCS is left at the runtime's default, one P per core. Until
// 2026-11-27 it was cores − 1 with the last core lent to the collector;
// measured again after the keyspace layout change, every core gave
// open-loop p99 ratios to redis-server of 0.68–1.12 in three runs of 5 reps
// (1.46 at worst with one P the same day), at the price of saturated
// -P 1 throughput when the benchmark client shares a 2-core machine (see
// the README's shortfalls).
//
// Invariants: nothing is served until every listener is open; values and
// passwords are never logged.
//
// Imports: standard library, sessiond/{clock,config,gcpace,server}.
package main
