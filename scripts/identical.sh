#!/usr/bin/env bash
# Proves a change leaves results byte-identical: runs every bundled scenario (run, and sweep where
# it has a [sweep] table) with a fixed request count and prints one sha256 per result file.
#   scripts/identical.sh BIN > before.txt ; (change, rebuild) ; scripts/identical.sh BIN | diff before.txt -
# REQUESTS (default 4000) and REPLICATIONS (default 2) keep it under a minute on 2 cores.
set -euo pipefail
bin=${1:?usage: scripts/identical.sh PATH-TO-collagesim}
req=${REQUESTS:-4000}
reps=${REPLICATIONS:-2}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for sc in $("$bin" scenarios | awk '{print $1}'); do
  case "$sc" in trace-inorder) [ -f ../shared/data/cloud-latency-samples-ms.txt ] || continue ;; esac
  case "$sc" in
    sweep-*|capacity-sweep) cmd=sweep ;;
    *) cmd=run ;;
  esac
  q=; [ "$cmd" = run ] && q=--quiet
  "$bin" "$cmd" "$sc" --requests "$req" --replications "$reps" --no-plots $q --out "$tmp/$sc" >/dev/null 2>&1 || echo "$sc: exit $?"
  (cd "$tmp/$sc" && find . -type f \( -name 'summary.csv' -o -name 'results.json' -o -name '*.csv' -o -name '*.json' \) | LC_ALL=C sort | xargs sha256sum | sed "s|  ./|  $sc/|")
done
# The benchmark scenario draws every service time from the 137,594 cloud samples (the compact
# sample table's path, which no bundled scenario takes): run it too when the samples are there.
if [ -f ../shared/data/cloud-latency-samples-ms.txt ]; then
  "$bin" run bench/cloud-six.toml --requests "$req" --replications "$reps" --no-plots --quiet --out "$tmp/cloud-six" >/dev/null 2>&1 || echo "cloud-six: exit $?"
  (cd "$tmp/cloud-six" && LC_ALL=C ls summary.csv results.json | xargs sha256sum | sed "s|  |  cloud-six/|")
fi
