#!/usr/bin/env bash
# Runs the four sessiond-vs-redis benchmarks with their defaults and prints
# every table at the end. Arguments are target flags passed to every tool,
# e.g.  bench/run.sh --target2 redis   (validate: redis in both slots)
#       bench/run.sh --sessiond-addr 127.0.0.1:6380 --sessiond-pid 1234
# QUICK=1 shrinks every run (a smoke test, not a measurement).
# OUT=dir keeps the reports there (default: a new directory under /tmp).
set -euo pipefail
cd "$(dirname "$0")/.."

out=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/sessiond-bench-results-XXXXXX")}
mkdir -p "$out"
bin=$(mktemp -d "${TMPDIR:-/tmp}/sessiond-bench-bin-XXXXXX")
trap 'rm -rf "$bin"' EXIT

for tool in compare loadgen memory pipe; do
	go build -o "$bin/$tool" "./bench/cmd/$tool"
done

args=("$@")
case " ${args[*]-} " in
*" --sessiond-bin"* | *" --sessiond-addr"* | *" --target2"*) ;;
*)
	echo "building sessiond"
	go build -o "$bin/sessiond" .
	args+=(--sessiond-bin "$bin/sessiond")
	;;
esac

if [[ ${QUICK:-} == 1 ]]; then
	compare_flags=(--reps 2 --seconds 1)
	loadgen_flags=(--compare --reps 1 --duration 3s --warmup 1s -r 100000 --sat-reps 1 --sat-n 100000)
	memory_flags=(--keys 200000 --reps 1)
	pipe_flags=(--keys 200000 --reps 1)
else
	compare_flags=()
	loadgen_flags=(--compare)
	memory_flags=()
	pipe_flags=()
fi

run() {
	local tool=$1
	shift
	echo "== $tool $*"
	"$bin/$tool" "$@" "${args[@]}" 2> >(tee "$out/$tool.log" >&2) | tee "$out/$tool.txt"
}

run compare --json "$out/compare.json" "${compare_flags[@]}"
run loadgen "${loadgen_flags[@]}"
run memory "${memory_flags[@]}"
run pipe "${pipe_flags[@]}"

echo
echo "==================== summary (reports in $out) ===================="
for tool in compare loadgen memory pipe; do
	echo
	echo "---- $tool"
	cat "$out/$tool.txt"
done
