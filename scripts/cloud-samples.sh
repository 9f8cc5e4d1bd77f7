# Sourced (not run) by the scripts that run bench/cloud-six.toml, from the
# repository root. ref is the samples file's path as the scenario names it
# (relative to bench/); cloud_samples NAME [fail] sets samples to the file's
# absolute path: COLLAGESIM_CLOUD_SAMPLES, else bench/$ref. Where the file is
# absent it says so under NAME and exits: 0 (skipped), or 1 with "fail".
ref=../../shared/data/cloud-latency-samples-ms.txt

cloud_samples() {
	samples=${COLLAGESIM_CLOUD_SAMPLES:-bench/$ref}
	if [ -f "$samples" ]; then
		samples=$(realpath "$samples")
		return
	fi
	local why="the cloud trace's samples are not at $samples (they are not in the repository): lay shared/data/cloud-latency-samples-ms.txt next to the checkout, or set COLLAGESIM_CLOUD_SAMPLES"
	if [ "${2:-}" = fail ]; then
		echo "$1: $why" >&2
		exit 1
	fi
	echo "$1: skipped: $why"
	exit 0
}
