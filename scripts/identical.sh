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
