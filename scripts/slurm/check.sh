#!/usr/bin/env bash
# Runs scenarios/cluster/sweep.sbatch and merge.sbatch on a real single-node
# Slurm started on this machine (no systemd: munged, slurmctld and slurmd are
# started directly, with their state in a temporary folder), and checks that
#   1. a full array (--array=0-(N-1)) with overrides after the scenario, merged
#      by an afterany merge job, gives results byte-identical to a local
#      `collagesim sweep` of the same scenario and overrides;
#   2. a partial, non-contiguous array (--array=0,2 of 3 shards) leaves the
#      merge job failing loudly with the missing points and the indexes to
#      resubmit; resubmitting them (--array=1) completes the sweep, and the
#      merge is byte-identical again.
# The daemons are stopped and the temporary folder removed whatever happens.
#
#   scripts/slurm/check.sh [BIN]        (make slurm-check; root, for apt-get and the daemons)
#
# The run log goes to $OUT/slurm-check/run.log (OUT defaults to out).
# Installs slurmctld, slurmd, slurm-client and munge with apt-get when absent.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
bin=$(realpath "${1:-bin/collagesim}")
outdir=${OUT:-out}/slurm-check
mkdir -p "$outdir"
logfile=$(realpath "$outdir")/run.log
: >"$logfile"
exec > >(tee -a "$logfile") 2>&1

say() { echo "[$(date -u +%T)] $*"; }
die() {
	say "FAIL: $*"
	exit 1
}

[ -x "$bin" ] || die "no collagesim binary at $bin: run make build first, or give its path"
[ "$(id -u)" = 0 ] || die "run as root: the check installs packages and starts munged, slurmctld and slurmd"

# ---- packages ------------------------------------------------------------
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
	say "installing Slurm and munge (apt-get)"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	apt-get install -y -q slurmctld slurmd slurm-client munge >/dev/null ||
		apt-get install -y -q slurm-wlm munge >/dev/null ||
		die "apt-get could not install slurmctld slurmd slurm-client munge"
fi
say "$(slurmctld -V), $(munged -V 2>&1 | head -n 1)"

# ---- a private cluster ---------------------------------------------------
tmp=$(mktemp -d /tmp/collagesim-slurm.XXXXXX)
chmod 755 "$tmp"
pids=()
cleanup() {
	rc=$?
	set +e
	if [ -n "${SLURM_CONF:-}" ] && [ -f "$SLURM_CONF" ] && [ ${#pids[@]} -gt 1 ]; then
		scancel --quiet --user=root >/dev/null 2>&1
		for _ in $(seq 20); do
			[ -z "$(squeue -h 2>/dev/null)" ] && break
			sleep 0.5
		done
	fi
	# Stop the daemons started here, newest first, by their process ids.
	for ((k = ${#pids[@]} - 1; k >= 0; k--)); do
		kill "${pids[k]}" 2>/dev/null
		for _ in $(seq 50); do
			kill -0 "${pids[k]}" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "${pids[k]}" 2>/dev/null
	done
	if [ "$rc" != 0 ]; then
		for f in "$tmp"/log/*; do
			[ -f "$f" ] || continue
			echo "---- last lines of $f"
			tail -n 20 "$f"
		done
	fi
	rm -rf "$tmp"
	say "daemons stopped, $tmp removed; log: $logfile"
	if [ "$rc" = 0 ]; then say "slurm-check: PASS"; else say "slurm-check: FAIL (exit $rc)"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$tmp"/munge "$tmp"/log "$tmp"/state "$tmp"/spool "$tmp"/run
chmod 755 "$tmp"/munge # munged refuses a socket folder others cannot search
dd if=/dev/urandom of="$tmp"/munge/munge.key bs=1024 count=1 status=none
chmod 400 "$tmp"/munge/munge.key
sock=$tmp/munge/munge.socket
munged --foreground --force --key-file="$tmp"/munge/munge.key --socket="$sock" \
	--pid-file="$tmp"/run/munged.pid --log-file="$tmp"/log/munged.log --seed-file="$tmp"/munge/munge.seed \
	>>"$tmp"/log/munged.out 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || die "munged did not create its socket $sock"
munge -n --socket="$sock" | unmunge --socket="$sock" >/dev/null || die "munge round trip failed"

host=$(hostname -s)
cpus=$(nproc)
mem=$(($(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024))
port=$((20000 + RANDOM % 20000))
export SLURM_CONF=$tmp/slurm.conf
cat >"$SLURM_CONF" <<EOF
ClusterName=collagesim-check
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sock
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/run/slurmctld.pid
SlurmdPidFile=$tmp/run/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=256
ReturnToService=2
MinJobAge=3600
SlurmdTimeout=60
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=check Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -D -i -f "$SLURM_CONF" >>"$tmp"/log/slurmctld.out 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" -N "$host" >>"$tmp"/log/slurmd.out 2>&1 &
pids+=($!)
for _ in $(seq 60); do
	state=$(sinfo -h -o %t 2>/dev/null || true)
	[ "$state" = idle ] && break
	sleep 0.5
done
[ "${state:-}" = idle ] || die "the node did not come up idle (sinfo says '${state:-nothing}')"
say "single-node Slurm up: node $host, $cpus CPUs, RealMemory $mem MB, partition check"

# ---- helpers ---------------------------------------------------------------
# wait_job ID: wait until job ID (and, for an array, all its tasks) left the queue.
wait_job() {
	for _ in $(seq 1200); do
		[ -z "$(squeue -h -j "$1" 2>/dev/null)" ] && return 0
		sleep 0.5
	done
	die "job $1 still in the queue after 10 minutes"
}
# job_state ID: JobState=... ExitCode=... of a finished job (every array task).
job_state() {
	scontrol -o show job "$1" | sed -E 's/^JobId=([0-9]+) (ArrayJobId=[0-9]+ ArrayTaskId=[0-9]+ )?.* JobState=([A-Z_]+) .* ExitCode=([0-9:]+).*/\1 \2state=\3 exit=\4/'
}

scenario=builtin:sweep-load
overrides=(--requests 3000 --replications 2)
points=7 # sweep-load's arrivals.rate has 7 values
run=$tmp/shared # the "shared file system" of this one-node cluster
mkdir -p "$run"
cp -r scenarios/cluster "$run"/cluster

say "local reference: $bin sweep $scenario ${overrides[*]}"
"$bin" sweep "$scenario" --out "$run"/local --no-plots --workers 2 "${overrides[@]}" >/dev/null 2>"$tmp"/log/local.err ||
	die "the local sweep failed: $(cat "$tmp"/log/local.err)"

identical() { # identical DIR: DIR's merged results equal the local sweep's, byte for byte
	for f in summary.csv results.json; do
		[ -f "$1/$f" ] || die "$1/$f was not written"
		cmp -s "$run/local/$f" "$1/$f" || die "$1/$f differs from the local sweep's"
		say "  $f byte-identical to the local sweep ($(sha256sum <"$1/$f" | cut -c1-16))"
	done
}

# ---- 1. full array ---------------------------------------------------------
cd "$run"
env1=ALL,COLLAGESIM=$bin,COLLAGESIM_SHARDS=$points
say "1. full array: sbatch --array=0-$((points - 1)) sweep.sbatch $scenario full ${overrides[*]}"
jid=$(sbatch --parsable -c 1 --array=0-$((points - 1)) --export="$env1" cluster/sweep.sbatch "$scenario" "$run"/full "${overrides[@]}")
mid=$(sbatch --parsable --dependency=afterany:"$jid" --export="$env1" cluster/merge.sbatch "$run"/full --no-plots)
say "  array job $jid, merge job $mid (afterany:$jid)"
wait_job "$jid"
wait_job "$mid"
job_state "$jid" | sed 's/^/  task: /'
job_state "$mid" | sed 's/^/  merge: /'
job_state "$mid" | grep -q 'state=COMPLETED exit=0:0' || die "merge job $mid did not complete: $(cat collagesim-merge-"$mid".out)"
shards=$(ls "$run"/full/logs | wc -l)
say "  $shards shard logs ($(ls "$run"/full/logs | head -n 1) ...), $(ls "$run"/full/points | wc -l) point files"
[ "$shards" = "$points" ] || die "expected $points shard logs in $run/full/logs"
grep -h "ran [0-9]* points" "$run"/full/logs/*.log | sed 's/^/  /'
sed 's/^/  merge: /' collagesim-merge-"$mid".out
identical "$run"/full

# ---- 2. a partial, non-contiguous array, then the rest ---------------------
env2=ALL,COLLAGESIM=$bin,COLLAGESIM_SHARDS=3
say "2. partial array: sbatch --array=0,2 (of 3 shards) sweep.sbatch $scenario part ${overrides[*]}"
jid=$(sbatch --parsable -c 1 --array=0,2 --export="$env2" cluster/sweep.sbatch "$scenario" "$run"/part "${overrides[@]}")
mid=$(sbatch --parsable --dependency=afterany:"$jid" --export="$env2" cluster/merge.sbatch "$run"/part --no-plots)
say "  array job $jid, merge job $mid (afterany:$jid)"
wait_job "$jid"
wait_job "$mid"
job_state "$jid" | sed 's/^/  task: /'
job_state "$mid" | sed 's/^/  merge: /'
job_state "$mid" | grep -q 'state=FAILED exit=1:0' || die "the merge of an incomplete sweep did not fail"
sed 's/^/  merge: /' collagesim-merge-"$mid".out
grep -q 'missing points (of 7): 1 4$' collagesim-merge-"$mid".out || die "the failed merge does not name points 1 and 4"
grep -q 'array indexes 1 of 3' collagesim-merge-"$mid".out || die "the failed merge does not name array index 1"
say "  resubmitting the missing index: sbatch --array=1"
jid=$(sbatch --parsable -c 1 --array=1 --export="$env2" cluster/sweep.sbatch "$scenario" "$run"/part "${overrides[@]}")
mid=$(sbatch --parsable --dependency=afterany:"$jid" --export="$env2" cluster/merge.sbatch "$run"/part --no-plots)
wait_job "$jid"
wait_job "$mid"
job_state "$jid" | sed 's/^/  task: /'
job_state "$mid" | sed 's/^/  merge: /'
job_state "$mid" | grep -q 'state=COMPLETED exit=0:0' || die "merge job $mid did not complete: $(cat collagesim-merge-"$mid".out)"
grep -h "ran [0-9]* points" "$run"/part/logs/*.log | sed 's/^/  /'
sed 's/^/  merge: /' collagesim-merge-"$mid".out
identical "$run"/part

# ---- 3. a task without the binary fails with a clear message ---------------
say "3. a wrong COLLAGESIM path"
jid=$(sbatch --parsable --array=0 --export=ALL,COLLAGESIM=/nonexistent/collagesim,COLLAGESIM_SHARDS=1 \
	cluster/sweep.sbatch "$scenario" "$run"/nobin)
wait_job "$jid"
job_state "$jid" | sed 's/^/  task: /'
job_state "$jid" | grep -q 'state=FAILED exit=2:0' || die "a task with a wrong binary path did not fail with exit 2"
sed 's/^/  /' collagesim-sweep-"$jid"_0.out
grep -q 'COLLAGESIM=/nonexistent/collagesim is not an executable file' collagesim-sweep-"$jid"_0.out || die "no clear message"

# ---- 4. a requeued task resumes, and keeps the log of each attempt -----------
say "4. requeue: one task running the whole sweep at --requests 400000, requeued after its first point"
jid=$(sbatch --parsable -c 1 --array=0 --export=ALL,COLLAGESIM=$bin,COLLAGESIM_SHARDS=1 \
	cluster/sweep.sbatch "$scenario" "$run"/requeue --requests 400000 --replications 1)
for _ in $(seq 600); do
	[ -n "$(ls "$run"/requeue/points 2>/dev/null)" ] && break
	sleep 0.2
done
[ -n "$(ls "$run"/requeue/points 2>/dev/null)" ] || die "task $jid wrote no point"
scontrol requeue "${jid}_0" || die "scontrol requeue ${jid}_0 failed"
say "  requeued ${jid}_0 after $(ls "$run"/requeue/points | wc -l) point(s)"
for _ in $(seq 600); do
	[ -n "$(squeue -h -j "$jid" -t PD -o %i 2>/dev/null)" ] || break
	reason=$(squeue -h -j "$jid" -o %r 2>/dev/null || true)
	# A requeued job waits for its begin time; let it start now.
	[ "$reason" = BeginTime ] && scontrol update jobid="$jid" starttime=now >/dev/null 2>&1
	sleep 0.5
done
wait_job "$jid"
job_state "$jid" | sed 's/^/  task: /'
job_state "$jid" | grep -q 'state=COMPLETED exit=0:0' || die "the requeued task did not complete"
ls "$run"/requeue/logs | sed 's/^/  log: /'
[ -f "$run/requeue/logs/${jid}_0.attempt0.log" ] && [ -f "$run/requeue/logs/${jid}_0.attempt1.log" ] ||
	die "the two attempts did not write one log each"
grep -h "ran [0-9]* points" "$run"/requeue/logs/*.log | sed 's/^/  /'
grep -q "kept [1-9][0-9]* from before" "$run/requeue/logs/${jid}_0.attempt1.log" || die "the second attempt did not keep the first one's points"
[ "$(grep -c '^sweep.sbatch: job' collagesim-sweep-"$jid"_0.out)" = 2 ] || die "Slurm's output file does not hold both attempts (open-mode append)"
sed 's/^/  slurm output: /' collagesim-sweep-"$jid"_0.out
"$bin" merge "$run"/requeue --no-plots >/dev/null || die "the requeued sweep does not merge"
"$bin" sweep "$scenario" --out "$run"/requeue-local --no-plots --workers 2 --requests 400000 --replications 1 >/dev/null 2>&1
cmp -s "$run"/requeue/results.json "$run"/requeue-local/results.json || die "the requeued sweep's results differ from a local sweep's"
say "  results.json of the requeued sweep byte-identical to the local sweep"
say "all Slurm checks passed"
