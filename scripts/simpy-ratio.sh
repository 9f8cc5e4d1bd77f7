#!/usr/bin/env bash
# Speed of collagesim against a SimPy model of the same scenario
# (bench/cloud-six.toml and bench/simpy/collage_sim.py: 9 S-CNN servers, cloud-trace
# service times drawn i.i.d., Poisson groups of 9, six strategies), at 100k and 1M
# requests per strategy: wall time, CPU time and peak RSS (/usr/bin/time -v) of
# `collagesim run --workers 1 --no-plots` and of the SimPy model, and their ratios.
# It also checks that the two models agree, per strategy, on the mean, p50 and p99
# latency and on tasks per request: they draw different random numbers, so they
# agree within sampling error (tolerances MEAN_TOL for mean and p50, P99_TOL for p99,
# 1 % for tasks per request, all relative, at 1M requests, and times sqrt(1M/n) at n
# requests); a ratio between two different models would mean nothing.
#
#   scripts/simpy-ratio.sh [BIN]          (make bench-simpy)
#
# Both programs run pinned to one CPU (taskset; BENCH_CPU, default the last
# online CPU): on a virtual machine the CPUs need not be equally fast, and a
# ratio of times taken on two different ones would mean little. collagesim's
# garbage collector then shares that CPU too: the run is single-threaded.
#
# Environment: SIZES (default "100000 1000000"), COLLAGESIM_CLOUD_SAMPLES (the trace's
# samples; default ../shared/data/cloud-latency-samples-ms.txt from the repository root,
# the file bench/cloud-six.toml names), MEAN_TOL (default 0.015), P99_TOL (default 0.035),
# PYTHON (a python3 with simpy; default /usr/bin/python3, Debian's python3-simpy3).
# Skips (exit 0) with a message when the samples file is absent. Installs python3-simpy3
# and time with apt-get when missing and run as root.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bin=$(realpath "${1:-bin/collagesim}")
sizes=${SIZES:-100000 1000000}
mean_tol=${MEAN_TOL:-0.015}
p99_tol=${P99_TOL:-0.035}
. scripts/cloud-samples.sh
cloud_samples simpy-ratio
[ -x "$bin" ] || {
	echo "simpy-ratio: no collagesim binary at $bin: run make build first" >&2
	exit 1
}

py=${PYTHON:-/usr/bin/python3}
need=()
"$py" -c 'import simpy' 2>/dev/null || need+=(python3-simpy3)
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
		echo "simpy-ratio: needs ${need[*]} (Debian packages; or PYTHON=a python3 with simpy, and GNU time at /usr/bin/time)" >&2
		exit 1
	fi
	echo "simpy-ratio: installing ${need[*]} (apt-get)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null ||
		{ apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null; }
	py=/usr/bin/python3
	"$py" -c 'import simpy' || exit 1
fi

tmp=$(mktemp -d /tmp/collagesim-simpy.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
scenario=bench/cloud-six.toml
if [ "$samples" != "$(realpath -m "bench/$ref")" ]; then
	sed "s#$ref#$samples#g" bench/cloud-six.toml >"$tmp"/cloud-six.toml
	scenario=$tmp/cloud-six.toml
fi

cpu=${BENCH_CPU:-$(($(nproc) - 1))}
pin=()
if command -v taskset >/dev/null; then
	pin=(taskset -c "$cpu")
else
	cpu="none (no taskset)"
fi
echo "simpy-ratio: $(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); both pinned to CPU $cpu"
echo "simpy-ratio: load before: $(uptime | sed 's/.*load average/load average/')"
echo "simpy-ratio: $("$py" -c 'import sys, simpy; print("Python", sys.version.split()[0], "SimPy", simpy.__version__)'), $("$bin" version 2>/dev/null || echo collagesim)"
rc=0
for n in $sizes; do
	echo
	echo "== $n requests per strategy (6 strategies, 1,000 warm-up each) =="
	"${pin[@]}" /usr/bin/time -v -o "$tmp"/cs.time "$bin" run "$scenario" --workers 1 --no-plots --requests "$n" --out "$tmp"/cs-"$n" >"$tmp"/cs.out 2>&1 ||
		{ cat "$tmp"/cs.out >&2; exit 1; }
	"${pin[@]}" /usr/bin/time -v -o "$tmp"/py.time "$py" bench/simpy/collage_sim.py --samples "$samples" --requests "$n" >"$tmp"/py.jsonl 2>"$tmp"/py.err ||
		{ cat "$tmp"/py.err >&2; exit 1; }
	"$py" - "$tmp"/cs.time "$tmp"/py.time "$tmp"/cs-"$n"/summary.csv "$tmp"/py.jsonl "$n" "$mean_tol" "$p99_tol" <<'EOF' || rc=1
import csv, json, math, sys

def gnu_time(path):
    out = {}
    for line in open(path):
        k, _, v = line.strip().rpartition(": ")
        out[k] = v
    h, m, s = (["0", "0"] + out["Elapsed (wall clock) time (h:mm:ss or m:ss)"].split(":"))[-3:]
    return {"wall": int(h) * 3600 + int(m) * 60 + float(s),
            "cpu": float(out["User time (seconds)"]) + float(out["System time (seconds)"]),
            "rss": int(out["Maximum resident set size (kbytes)"]) / 1024}

cs, py = gnu_time(sys.argv[1]), gnu_time(sys.argv[2])
n = int(sys.argv[5])
# Two runs on different random numbers differ by sampling error, which
# shrinks as 1/sqrt(n): the tolerances are given at 1M requests and scaled.
scale = math.sqrt(1e6 / n)
tol = {"mean": float(sys.argv[6]) * scale, "p50": float(sys.argv[6]) * scale,
       "p99": float(sys.argv[7]) * scale, "tasks/req": 0.01 * scale}
print(f"{'':12} {'wall s':>8} {'CPU s':>8} {'peak RSS MiB':>13}")
print(f"{'collagesim':12} {cs['wall']:8.2f} {cs['cpu']:8.2f} {cs['rss']:13.1f}")
print(f"{'SimPy':12} {py['wall']:8.2f} {py['cpu']:8.2f} {py['rss']:13.1f}")
print(f"{'ratio':12} {py['wall'] / cs['wall']:7.1f}x {py['cpu'] / cs['cpu']:7.1f}x {py['rss'] / cs['rss']:12.1f}x")
rows = {r["strategy"]: r for r in csv.DictReader(open(sys.argv[3]))}
ok = True
print("agreement, collagesim then SimPy and the relative difference:")
print(f"{'strategy':18} {'mean ms':>22} {'p50 ms':>22} {'p99 ms':>24} {'tasks/request':>22}")
for line in open(sys.argv[4]):
    p = json.loads(line)
    if "strategy" not in p:
        continue
    c = rows[p["strategy"]]
    cells, bad = [], []
    for key, ck, pk in (("mean", "mean_ms", "mean_ms"), ("p50", "p50_ms", "p50_ms"),
                        ("p99", "p99_ms", "p99_ms"), ("tasks/req", "load_amplification", "tasks_per_request")):
        a, b = float(c[ck]), float(p[pk])
        d = b / a - 1
        if abs(d) > tol[key]:
            bad.append(key)
        cells.append(f"{a:7.1f} {b:7.1f} {100 * d:+5.1f}%" if key != "tasks/req" else f"{a:6.3f} {b:6.3f} {100 * d:+5.1f}%")
    ok = ok and not bad
    print(f"{p['strategy']:18} {cells[0]:>22} {cells[1]:>22} {cells[2]:>24} {cells[3]:>22}{'  DISAGREE: ' + ' '.join(bad) if bad else ''}")
print("tolerance at %d requests: mean and p50 %.1f %%, p99 %.1f %%, tasks/request %.1f %% (%g %%, %g %%, 1 %% at 1M, times sqrt(1M/n)): %s"
      % (n, 100 * tol["mean"], 100 * tol["p99"], 100 * tol["tasks/req"], 100 * float(sys.argv[6]), 100 * float(sys.argv[7]),
         "the models agree" if ok else "THE MODELS DISAGREE"))
sys.exit(0 if ok else 1)
EOF
done
echo
echo "simpy-ratio: load after: $(uptime | sed 's/.*load average/load average/')"
exit "$rc"
