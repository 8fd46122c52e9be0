// Command sessionops measures the SESSION.* commands (issue 6, point 4)
// against the closest plain-Redis pattern on redis-server, in the same
// run, alternating targets, each round on fresh servers:
//
//	--check get     --sessions sessions of 1 KiB (4 fields), then --conns
//	                closed-loop connections, each with --pipelines
//	                requests in flight, read random sessions for --seconds:
//	                SESSION.GET id (slides the idle deadline) on sessiond,
//	                GETEX key EX 1800 (a string session, slid) on
//	                redis-server; requests/s, medians, ratio
//	--check create  the same loop creating sessions of 1 KiB: SESSION.CREATE
//	                OWNER u IDLE 1800 FIELDS 4 ... on sessiond, SET key v
//	                EX 1800 on redis-server (one round trip, no owner)
//	--check memory  --memory-sessions sessions of 1 KiB in each fresh
//	                server, pipelined: used_memory and RSS per session for
//	                SESSION.CREATE on sessiond, and for a plain hash of the
//	                same 4 fields with EXPIRE on sessiond and on redis-server
//
// Usage (from the module root):
//
//	go run ./bench/cmd/sessionops --check get [--pipelines 1,16] [--rounds 5]
//	go run ./bench/cmd/sessionops --check create
//	go run ./bench/cmd/sessionops --check memory [--memory-sessions 200000]
package main
