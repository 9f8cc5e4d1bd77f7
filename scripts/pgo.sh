#!/usr/bin/env bash
# Writes cmd/collagesim/default.pgo, the CPU profile `go build` uses for a
# profile-guided build of collagesim (inlining and layout of the hot paths;
# results do not depend on it). The profile merges three runs on one core:
# bench/cloud-six.toml at 3M requests per strategy (the direct path on a
# sample table), the same at 300k by the event loop (--event-loop), and the
# default scenario (`make run`'s job). Regenerate it after changing the
# simulator's hot paths: a stale profile still builds correctly, only less
# fast. Needs the cloud trace's samples at ../shared/data (as the scenario
# names them) or COLLAGESIM_CLOUD_SAMPLES.
#
#   scripts/pgo.sh            (make pgo)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. scripts/cloud-samples.sh
cloud_samples pgo fail
tmp=$(mktemp -d /tmp/collagesim-pgo.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
sed "s#$ref#$samples#g" bench/cloud-six.toml >"$tmp"/cloud-six.toml
# Without the old profile, so the new one describes code built the plain way.
"${GO:-go}" build -pgo=off -o "$tmp"/collagesim ./cmd/collagesim
run() { COLLAGESIM_CPUPROFILE="$tmp/$1.prof" "$tmp"/collagesim run "${@:2}" --workers 1 --quiet --out "$tmp/out-$1" >/dev/null; }
run direct "$tmp"/cloud-six.toml --no-plots --requests 3000000
run events "$tmp"/cloud-six.toml --no-plots --requests 300000 --event-loop
run default
"${GO:-go}" tool pprof -proto "$tmp"/direct.prof "$tmp"/events.prof "$tmp"/default.prof >"$tmp"/default.pgo 2>/dev/null
mv "$tmp"/default.pgo cmd/collagesim/default.pgo
echo "pgo: wrote cmd/collagesim/default.pgo ($(wc -c <cmd/collagesim/default.pgo) bytes)"
