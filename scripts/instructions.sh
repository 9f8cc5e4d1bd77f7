#!/usr/bin/env bash
# Instructions per request of the cloud benchmark's runs, counted by valgrind
# (callgrind): a figure that does not move with the host's load, where the CPU
# time of `make bench` moves by a third between a quiet and a busy hour of a
# shared machine. Use it to compare two versions of the code; the CPU time is
# still the figure that matters (an instruction waiting on memory costs more
# than one that does not).
#
# For each benchmark it runs BenchmarkCloud under callgrind at N1 and N2
# requests (built as `make bench` builds it) and prints (I(N2) - I(N1)) /
# (N2 - N1): the instructions of one request more, without the set-up (the
# trace's parsing, the tables) that both runs share.
#
#   scripts/instructions.sh [BENCH...]        (make bench-instructions)
#
# BENCH defaults to "collage-first/direct all-six/direct"; any BenchmarkCloud
# sub-benchmark works ("none/direct", "parity-9/events", ...). Environment:
# N1 (default 100000), N2 (default 300000), COLLAGESIM_CLOUD_SAMPLES (as for
# the benchmarks). Skips (exit 0) with a message when the samples file is
# absent. Installs valgrind with apt-get when missing and run as root.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
n1=${N1:-100000}
n2=${N2:-300000}
benches=("$@")
[ ${#benches[@]} -gt 0 ] || benches=(collage-first/direct all-six/direct)
. scripts/cloud-samples.sh
cloud_samples instructions
if ! command -v valgrind >/dev/null; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		apt-get install -y valgrind >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y valgrind >/dev/null; }
	else
		echo "instructions: valgrind is not installed (Debian: apt-get install valgrind)" >&2
		exit 1
	fi
fi
if ! [[ $n1 =~ ^[0-9]+$ && $n2 =~ ^[0-9]+$ ]] || [ "$n2" -le "$n1" ]; then
	echo "instructions: N1 and N2 must be whole numbers with N2 > N1 (got N1=$n1 N2=$n2)" >&2
	exit 2
fi

tmp=$(mktemp -d /tmp/collagesim-instructions.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
"${GO:-go}" test -c -pgo="$root/cmd/collagesim/default.pgo" -o "$tmp/bench.test" ./bench
export COLLAGESIM_CLOUD_SAMPLES=$samples

# count B N: the instructions of the whole benchmark process at N requests.
# Valgrind now and then stops a Go program (an instruction of the runtime's
# lock spinning it does not decode, a signal it mishandles): a run is tried
# up to three times, without the runtime's preemption signals.
count() {
	local out=$tmp/callgrind.out try
	for try in 1 2 3; do
		rm -f "$out"
		if (cd bench && GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind --callgrind-out-file="$out" \
			"$tmp/bench.test" -test.run '^$' -test.bench "^BenchmarkCloud\$/^$1\$" -test.benchtime "$2x" \
			-test.cpu 1 >"$tmp/log" 2>&1) && grep -q '^PASS' "$tmp/log" && [ -s "$out" ]; then
			if ! grep -q "^BenchmarkCloud/$1[ -]" "$tmp/log"; then
				echo "instructions: no benchmark BenchmarkCloud/$1 (STRATEGY/direct or STRATEGY/events, or all-six/direct; see bench/cloud_test.go)" >&2
				exit 2
			fi
			sed -n 's/^summary: *//p' "$out"
			return
		fi
	done
	tail -20 "$tmp/log" >&2
	echo "instructions: $1 at $2 requests failed under valgrind three times (log above)" >&2
	exit 1
}

printf '%-28s %s\n' benchmark "instructions per request (N1=$n1, N2=$n2)"
for b in "${benches[@]}"; do
	i1=$(count "$b" "$n1")
	i2=$(count "$b" "$n2")
	printf '%-28s %.1f\n' "$b" "$(echo "$i1 $i2 $n1 $n2" | awk '{print ($2 - $1) / ($4 - $3)}')"
done
