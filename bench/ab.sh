#!/usr/bin/env bash
# ab.sh: alternate several targets through the same redis-benchmark cell,
# started from the shell, and print per-target medians of throughput and of
# server CPU time per request (utime+stime from /proc, which a noisy shared
# machine disturbs less than throughput).
#
# Usage (from the module root):
#   bench/ab.sh [-r ROUNDS] [-t TESTS] [-P PIPELINE] [-d SIZE] [-n REQUESTS] TARGET...
# A TARGET is "redis" (a fresh redis-server) or the path of a sessiond binary.
#   go build -o /tmp/sd-new . && git stash && go build -o /tmp/sd-old . && git stash pop
#   bench/ab.sh -r 8 -t set,get /tmp/sd-new /tmp/sd-old redis
#
# Each round starts every target fresh, in an order rotated each round, runs
#   redis-benchmark --csv -c 50 -P P -d D -r 1000000 -n N -t TESTS
# against it and stops it. Per-run figures go to stderr.
set -euo pipefail

rounds=6 tests=set,get pipeline=1 size=64 requests=120000
while getopts "r:t:P:d:n:" o; do
	case $o in
	r) rounds=$OPTARG ;;
	t) tests=$OPTARG ;;
	P) pipeline=$OPTARG ;;
	d) size=$OPTARG ;;
	n) requests=$OPTARG ;;
	*) sed -n '2,16p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -lt 1 ]; then
	sed -n '2,16p' "$0" >&2
	exit 2
fi
for bin in redis-benchmark redis-cli redis-server; do
	command -v "$bin" >/dev/null || { echo "ab.sh: $bin not found (Debian package redis-server)" >&2; exit 1; }
done
targets=("$@")
ntests=$(tr ',' '\n' <<<"$tests" | wc -l)
out=$(mktemp)
pid=
trap 'if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi; rm -f "$out"' EXIT

freeport() { # a port nothing listens on
	local p
	while :; do
		p=$((20000 + RANDOM % 20000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
	done
}

cputicks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

echo "ab: ${targets[*]}; -t $tests -c 50 -P $pipeline -d $size -n $requests, $rounds rounds"
for ((r = 1; r <= rounds; r++)); do
	for ((i = 0; i < ${#targets[@]}; i++)); do
		t=${targets[$(((i + r) % ${#targets[@]}))]}
		port=$(freeport)
		if [ "$t" = redis ]; then
			redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no >/dev/null 2>&1 &
		else
			"$t" --port "$port" --bind 127.0.0.1 >/dev/null 2>&1 &
		fi
		pid=$!
		ready=
		for _ in $(seq 100); do
			if redis-cli -p "$port" ping 2>/dev/null | grep -q PONG; then ready=1; break; fi
			sleep 0.1
		done
		[ -n "$ready" ] || { echo "ab.sh: $t did not answer PING on port $port" >&2; exit 1; }
		a=$(cputicks "$pid")
		rows=$(redis-benchmark -p "$port" --csv -c 50 -P "$pipeline" -d "$size" -r 1000000 -n "$requests" -t "$tests" 2>/dev/null |
			awk -F'"' 'NR > 1 {gsub(/ /, "_", $2); printf "%s %s\n", $2, $4}') ||
			{ echo "ab.sh: redis-benchmark failed against $t on port $port" >&2; exit 1; }
		b=$(cputicks "$pid")
		kill "$pid"
		wait "$pid" 2>/dev/null || true
		pid=
		tick=$(getconf CLK_TCK)
		usreq=$(awk -v d=$((b - a)) -v hz="$tick" -v n=$((requests * ntests)) 'BEGIN {printf "%.2f", d / hz * 1e6 / n}')
		while read -r test rps; do
			echo "$t $test $rps" >>"$out"
		done <<<"$rows"
		echo "$t cpu_us_per_req $usreq" >>"$out"
		echo "round $r $t: $(tr '\n' ' ' <<<"$rows")cpu ${usreq} us/req" >&2
	done
done

# median per target and row
printf '\n%-40s %-16s %12s  %s\n' target row median runs
sort -k1,1 -k2,2 -k3,3g "$out" | awk '
	function flush() {
		if (n == 0) return
		m = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
		printf "%-40s %-16s %12.2f  %d\n", key1, key2, m, n
	}
	{
		if ($1 != key1 || $2 != key2) { flush(); key1 = $1; key2 = $2; n = 0 }
		v[++n] = $3
	}
	END { flush() }'
