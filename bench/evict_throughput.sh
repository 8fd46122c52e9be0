#!/usr/bin/env bash
# evict_throughput.sh: sessiond's throughput with eviction active against its
# own with no memory limit (issue 4, point 4). Two targets, alternated by
# ab.sh through the same redis-benchmark cell:
#   full     sessiond --maxmemory M (its default policy): the random SETs
#            fill M within the first part of the run, then every SET evicts
#   nolimit  sessiond --maxmemory 0: nothing evicted, the store grows
# and the ratio full / nolimit of the medians.
#
# Usage (from the module root):
#   bench/evict_throughput.sh [-r ROUNDS] [-m MAXMEMORY] [-n REQUESTS] [-d SIZE] [-P PIPELINE]
set -euo pipefail
rounds=7 maxmemory=64mb requests=400000 size=1024 pipeline=1
while getopts "r:m:n:d:P:" o; do
	case $o in
	r) rounds=$OPTARG ;;
	m) maxmemory=$OPTARG ;;
	n) requests=$OPTARG ;;
	d) size=$OPTARG ;;
	P) pipeline=$OPTARG ;;
	*) sed -n '2,12p' "$0" >&2; exit 2 ;;
	esac
done
cd "$(dirname "$0")/.."
dir=$(mktemp -d "${TMPDIR:-/tmp}/sessiond-evict-XXXXXX")
trap 'rm -rf "$dir"' EXIT
go build -o "$dir/sessiond" .
printf '#!/bin/sh\nexec %s/sessiond --maxmemory %s "$@"\n' "$dir" "$maxmemory" >"$dir/full"
printf '#!/bin/sh\nexec %s/sessiond --maxmemory 0 "$@"\n' "$dir" >"$dir/nolimit"
chmod +x "$dir/full" "$dir/nolimit"
echo "evict_throughput: full = --maxmemory $maxmemory (default policy), nolimit = --maxmemory 0"
bench/ab.sh -r "$rounds" -t set,get -P "$pipeline" -d "$size" -n "$requests" "$dir/full" "$dir/nolimit" | tee "$dir/ab.txt"
awk -v full="$dir/full" -v nolimit="$dir/nolimit" '
	$1 == full    { f[$2] = $3 }
	$1 == nolimit { n[$2] = $3 }
	END {
		for (row in f) if (row in n && n[row] > 0)
			printf "ratio full/nolimit %-16s %.3f\n", row, f[row] / n[row]
	}' "$dir/ab.txt"
