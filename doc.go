// Command sessiond is a session cache server that speaks the Redis protocol.
//
//	sessiond [config-file] [--directive value ...]
//
// This package owns start-up and shutdown only: it parses the command line
// and config file (package config), sets up logging through log/slog,
// chooses GOMAXPROCS, opens one listener per bind address, runs the server
// (package server) and stops it on SIGINT, SIGTERM or the SHUTDOWN command.
//
// Invariants: nothing is served until every listener is open; values and
// passwords are never logged.
//
// Imports: standard library, sessiond/{clock,config,server}.
package main
