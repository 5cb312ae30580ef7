#!/usr/bin/env bash
# The SLURM path under test, on a real single-node SLURM cluster started for the purpose.
#
#   bash tests/slurm/run.sh            (as root; called by .ci/run)
#
# 1. Installs slurm-wlm and munge with apt-get when they are missing (services are kept from
#    starting while apt runs), then starts a private munged, slurmctld and slurmd with their
#    key, socket, configuration, state and logs in a temporary directory and free ports: the
#    system's /etc/slurm and /etc/munge are not touched.
# 2. Submits examples/slurm/sweep_array.sbatch as a 4-task array on a tiny grid (real
#    training, a few seconds per task). While it runs, one task is cancelled in the middle of
#    its shard (scancel) and resubmitted (sbatch --array=I), and another is requeued in the
#    middle of its shard (scontrol requeue). Each must resume with exactly the records it had
#    written. The tasks train on different kernel paths (DYNPHASE_KERNEL by task id, as on
#    nodes of different CPU generations). finish.sh merges the shards, and the merged records
#    must equal those of a single-process sweep byte for byte apart from wall_s.
# 3. A task killed by its --time limit (fake executor, slow runs) is resubmitted, with
#    finish.sbatch submitted as a job depending on it (--dependency=afterok); the merged
#    records must equal a single-process sweep the same way.
#
# On exit (success or not) it cancels its jobs, stops the daemons it started and removes its
# temporary directory and the apt policy file it may have created; installed packages stay.
#
# Environment: DYNPHASE (binary; default: cargo build --release), KEEP=1 keeps the temporary
# directory for inspection, DYNPHASE_SKIP_SLURM=1 skips the test (prints why) where SLURM
# cannot be installed (not root, no package registry).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SCRIPTS=$ROOT/examples/slurm
say() { echo "[slurm-test $(date -u +%H:%M:%S)] $*"; }
die() {
  say "FAIL: $*"
  exit 1
}

if [ "${DYNPHASE_SKIP_SLURM:-0}" = 1 ]; then
  say "skipped (DYNPHASE_SKIP_SLURM=1)"
  exit 0
fi

# ---------------------------------------------------------------- packages
POLICY=/usr/sbin/policy-rc.d
MADE_POLICY=0
T=""
STARTED=()
cleanup() {
  local rc=$?
  set +e
  if [ -n "$T" ] && [ -f "$T/slurm.conf" ] && [ -f "$T/slurmctld.pid" ]; then
    SLURM_CONF=$T/slurm.conf scancel --quiet --user="$(id -un)" 2>/dev/null
    for _ in $(seq 1 50); do
      [ -z "$(SLURM_CONF=$T/slurm.conf squeue -h -t R,CG 2>/dev/null)" ] && break
      sleep 0.2
    done
  fi
  local k d stopped=""
  for ((k = ${#STARTED[@]} - 1; k >= 0; k--)); do
    d=${STARTED[k]}
    stopped="$stopped $d"
    local pid
    pid=$(cat "$T/$d.pid" 2>/dev/null) || continue
    kill "$pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  done
  [ -n "$stopped" ] && say "stopped$stopped"
  if [ "$MADE_POLICY" = 1 ]; then rm -f "$POLICY"; fi
  if [ -n "$T" ]; then
    if [ "${KEEP:-0}" = 1 ]; then say "kept $T"; else rm -rf "$T"; fi
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

need=()
for b in munged slurmctld slurmd sbatch; do
  command -v "$b" >/dev/null 2>&1 || need=(slurm-wlm munge)
done
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "slurm-wlm and munge are missing and installing them needs root (set DYNPHASE_SKIP_SLURM=1 to skip)"
  say "installing ${need[*]} with apt-get"
  if [ ! -e "$POLICY" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$POLICY"
    chmod 755 "$POLICY"
    MADE_POLICY=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null 2>&1; then
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null ||
      die "apt-get install ${need[*]} failed"
  fi
  if [ "$MADE_POLICY" = 1 ]; then rm -f "$POLICY"; MADE_POLICY=0; fi
fi
[ "$(id -u)" = 0 ] || die "the test cluster runs its daemons as root (SlurmUser=root); run as root"
say "$(slurmctld -V), $(munged --version 2>&1 | head -n1)"

if [ -z "${DYNPHASE:-}" ]; then
  (cd "$ROOT" && cargo build --release --quiet --bin dynphase)
  DYNPHASE=$ROOT/target/release/dynphase
fi
[ -x "$DYNPHASE" ] || die "no dynphase binary at $DYNPHASE"

# ---------------------------------------------------------------- the cluster
T=$(mktemp -d /tmp/dynphase-slurm.XXXXXX)
chmod 755 "$T"
mkdir -p "$T/munge" "$T/state" "$T/spool" "$T/work"
chmod 700 "$T/munge"
HOST=$(hostname -s)
NCPU=$(nproc)
free_port() {
  local p
  for _ in $(seq 1 100); do
    p=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  die "no free TCP port"
}
CTLD_PORT=$(free_port)
SLURMD_PORT=$(free_port)
[ "$CTLD_PORT" != "$SLURMD_PORT" ] || SLURMD_PORT=$((CTLD_PORT + 1))

dd if=/dev/urandom of="$T/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$T/munge/munge.key"
munged --key-file="$T/munge/munge.key" --socket="$T/munge/munge.socket" \
  --pid-file="$T/munged.pid" --log-file="$T/munged.log" --seed-file="$T/munge/munge.seed" \
  --force >/dev/null 2>&1 || die "munged did not start: $(tail -n 3 "$T/munged.log" 2>/dev/null)"
STARTED+=(munged)

cat >"$T/slurm.conf" <<EOF
ClusterName=dynphase-ci
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$T/munge/munge.socket
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/slurmctld.log
SlurmdLogFile=$T/slurmd.log
KillWait=2
MinJobAge=600
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$NCPU RealMemory=1000 State=UNKNOWN
PartitionName=ci Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$T/slurm.conf

slurmctld -f "$SLURM_CONF" -i || die "slurmctld did not start: $(tail -n 5 "$T/slurmctld.log" 2>/dev/null)"
STARTED+=(slurmctld)
slurmd -f "$SLURM_CONF" || die "slurmd did not start: $(tail -n 5 "$T/slurmd.log" 2>/dev/null)"
STARTED+=(slurmd)
state=""
for _ in $(seq 1 120); do
  state=$(sinfo -h -n "$HOST" -o %T 2>/dev/null || true)
  [ "$state" = idle ] && break
  sleep 0.5
done
[ "$state" = idle ] || die "node $HOST is '$state', not idle: $(tail -n 5 "$T/slurmd.log")"
say "cluster up: node $HOST idle with $NCPU CPUs (slurmctld :$CTLD_PORT, slurmd :$SLURMD_PORT)"

# ---------------------------------------------------------------- helpers
job_state() { # job_state JOB_TASK -> PENDING/RUNNING/COMPLETED/...
  scontrol -o show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -n1
}
wait_state() { # wait_state JOB_TASK SECONDS STATE...
  local id=$1 secs=$2 s
  shift 2
  for _ in $(seq 1 $((secs * 5))); do
    s=$(job_state "$id")
    for want in "$@"; do [ "$s" = "$want" ] && return 0; done
    sleep 0.2
  done
  die "job $id is '$s' after ${secs}s, expected $*"
}
records() { # complete lines of a runs.jsonl
  if [ -f "$1" ]; then tr -cd '\n' <"$1" | wc -c; else echo 0; fi
}
wait_mid_shard() { # wait_mid_shard JOB_TASK RUNS_FILE TOTAL: until 1 <= records < TOTAL
  local n
  for _ in $(seq 1 600); do
    n=$(records "$2")
    if [ "$n" -ge 1 ] && [ "$n" -lt "$3" ]; then return 0; fi
    [ "$n" -ge "$3" ] && die "task $1 finished its shard before it could be interrupted"
    sleep 0.1
  done
  die "task $1 wrote no record in 60 s"
}
strip_wall() { sed -E 's/,"wall_s":[^,}]*}$/}/' "$1"; }
same_records() { # same_records A B WHAT
  if cmp -s <(strip_wall "$1") <(strip_wall "$2"); then
    say "records identical: $3 ($(records "$1") records, byte for byte apart from wall_s)"
  else
    diff <(strip_wall "$1") <(strip_wall "$2") | head -n 5
    die "$3: records differ"
  fi
}
no_duplicates() { # every id once in a shard's runs.jsonl
  local dups
  dups=$(sed -E 's/^\{"id":"([^"]*)".*/\1/' "$1" | sort | uniq -d | wc -l)
  [ "$dups" = 0 ] || die "$1 holds $dups duplicated ids"
}
submit() { # submit ARGS... -> job id
  sbatch --parsable --chdir="$T/work" --cpus-per-task=1 --mem=200M --open-mode=append \
    --output="$T/work/slurm-%A_%a.out" "$@" | cut -d';' -f1
}

cd "$T/work"
export DYNPHASE

# Mixed nodes: the array tasks train on different kernel paths (DYNPHASE_KERNEL), as on
# nodes of different CPU generations, through a wrapper that picks the path by task id.
# The SIMD paths only: the portable path (software fused multiply-adds) is about 100 times
# slower; tests/sweep_kernels.rs covers it on a smaller grid.
flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || true)
PATHS=()
if [[ " $flags " == *" avx2 "* && " $flags " == *" fma "* ]]; then
  PATHS=(avx2)
  if [[ " $flags " == *" avx512f "* ]]; then PATHS=(avx512 avx2); fi
else
  PATHS=(portable)
fi
NODE=$T/dynphase-node
cat >"$NODE" <<WRAPPER
#!/usr/bin/env bash
paths=(${PATHS[*]})
export DYNPHASE_KERNEL=\${paths[\$(( \${SLURM_ARRAY_TASK_ID:-0} % \${#paths[@]} ))]}
exec "$DYNPHASE" "\$@"
WRAPPER
chmod 755 "$NODE"

# ---------------------------------------------------------------- time limit (runs alongside)
# 60 runs of 2 s each on one thread: two minutes of work under a one-minute limit.
TL=$T/work/timeout
export PRESET=test-tiny NSHARDS=1 OUT=$TL SWEEP_ARGS="--seeds 10 --executor fake --fake-sleep-ms 2000"
tl_job=$(submit --array=0 --time=1 --job-name=dynphase-timeout "$SCRIPTS/sweep_array.sbatch")
say "array submitted: job $tl_job (time-limit test, 1 task, --time=1)"

# ---------------------------------------------------------------- the array
# test-tiny with 4 seeds: 2 lrs x 3 delays x 4 seeds = 24 networks, 150 epochs each.
SW=$T/work/array
export PRESET=test-tiny NSHARDS=4 OUT=$SW SWEEP_ARGS="--seeds 4 --epochs 150"
PER_SHARD=6
job=$(DYNPHASE=$NODE submit --array=0-3 --job-name=dynphase-array "$SCRIPTS/sweep_array.sbatch")
say "array submitted: job $job (4 tasks of $PER_SHARD networks: $SWEEP_ARGS; task I on kernel path I mod ${#PATHS[@]} of: ${PATHS[*]})"
# Meanwhile, the same grid in one process, uninterrupted (the time-limit task mostly sleeps).
# shellcheck disable=SC2086
"$DYNPHASE" sweep --preset test-tiny $SWEEP_ARGS --out "$T/work/single" --threads 1 --no-progress \
  >"$T/work/single.log" 2>&1 &
single_pid=$!

# Task 1: requeued in the middle of its shard; SLURM runs it again by itself.
wait_state "${job}_1" 120 RUNNING
wait_mid_shard "${job}_1" "$SW/shard-1/runs.jsonl" $PER_SHARD
scontrol requeue "${job}_1"
wait_state "${job}_1" 60 PENDING
kept1=$(records "$SW/shard-1/runs.jsonl")
say "requeued task ${job}_1 in the middle of its shard ($kept1 of $PER_SHARD records written)"
# A requeued job waits for a begin time; let it start now.
scontrol update jobid="${job}_1" StartTime=now >/dev/null 2>&1 || true

# Task 2: cancelled in the middle of its shard, then resubmitted as --array=2.
wait_state "${job}_2" 120 RUNNING
wait_mid_shard "${job}_2" "$SW/shard-2/runs.jsonl" $PER_SHARD
scancel "${job}_2"
wait_state "${job}_2" 60 CANCELLED
kept2=$(records "$SW/shard-2/runs.jsonl")
say "cancelled task ${job}_2 in the middle of its shard ($kept2 of $PER_SHARD records written)"
job2=$(DYNPHASE=$NODE submit --array=2 --job-name=dynphase-array "$SCRIPTS/sweep_array.sbatch")
say "resubmitted task 2 as job ${job2}_2"
for i in 0 1 3; do wait_state "${job}_$i" 300 COMPLETED; done
wait_state "${job2}_2" 300 COMPLETED

grep -q "shard 1/4: $PER_SHARD runs, $kept1 already done" "$T/work/slurm-${job}_1.out" ||
  die "requeued task 1 did not resume with its $kept1 records: $(cat "$T/work/slurm-${job}_1.out")"
grep -q "shard 2/4: $PER_SHARD runs, $kept2 already done" "$T/work/slurm-${job2}_2.out" ||
  die "resubmitted task 2 did not resume with its $kept2 records: $(cat "$T/work/slurm-${job2}_2.out")"
say "requeued task 1 resumed with its $kept1 records, resubmitted task 2 with its $kept2: only runs in flight were redone"
for i in 0 1 2 3; do
  [ "$(records "$SW/shard-$i/runs.jsonl")" = $PER_SHARD ] || die "shard $i has $(records "$SW/shard-$i/runs.jsonl") records, expected $PER_SHARD"
  no_duplicates "$SW/shard-$i/runs.jsonl"
done
"$DYNPHASE" status "$SW"/shard-* | sed 's/^/  /'

SCALING=0 bash "$SCRIPTS/finish.sh" 2>&1 | sed 's/^/  /'
# The single-process sweep, put in canonical order by merge.
wait "$single_pid" || die "single-process sweep failed: $(cat "$T/work/single.log")"
sed 's/^/  /' "$T/work/single.log"
"$DYNPHASE" merge --out "$T/work/single-canon" "$T/work/single" 2>&1 | sed 's/^/  /'
same_records "$SW/merged/runs.jsonl" "$T/work/single-canon/runs.jsonl" "SLURM array (with a requeued and a cancelled task) vs single process"
kernels=$(sed -n 's/.*"kernel": *"\([^"]*\)".*/\1/p' "$SW/merged/sweep.json")
say "kernel paths of the merged shards: ${kernels:-(not recorded by this build)}"

# ---------------------------------------------------------------- time limit: check and resume
wait_state "${tl_job}_0" 240 TIMEOUT
tl_kept=$(records "$TL/shard-0/runs.jsonl")
say "task ${tl_job}_0 killed by its time limit (state TIMEOUT) with $tl_kept of 60 records written"
[ "$tl_kept" -gt 0 ] && [ "$tl_kept" -lt 60 ] || die "time-limited task wrote $tl_kept records, expected between 1 and 59"
export PRESET=test-tiny NSHARDS=1 OUT=$TL SWEEP_ARGS="--seeds 10 --executor fake"
tl_job2=$(submit --array=0 --job-name=dynphase-timeout "$SCRIPTS/sweep_array.sbatch")
# finish.sbatch as a dependency job: it merges once the resubmitted array has succeeded.
fin_job=$(sbatch --parsable --chdir="$T/work" --mem=200M --output="$T/work/slurm-%j-finish.out" \
  --dependency="afterok:$tl_job2" --export=ALL,SCALING=0,FINISH="$SCRIPTS/finish.sh" \
  "$SCRIPTS/finish.sbatch" | cut -d';' -f1)
say "dependency job submitted: job $fin_job (finish.sbatch, afterok:$tl_job2)"
wait_state "${tl_job2}_0" 120 COMPLETED
grep -q "shard 0/1: 60 runs, $tl_kept already done" "$T/work/slurm-${tl_job2}_0.out" ||
  die "the resubmitted task did not resume with its $tl_kept records: $(cat "$T/work/slurm-${tl_job2}_0.out")"
say "resubmitted the timed-out task as job ${tl_job2}_0: it resumed with its $tl_kept records"
no_duplicates "$TL/shard-0/runs.jsonl"
wait_state "$fin_job" 120 COMPLETED
sed 's/^/  /' "$T/work/slurm-$fin_job-finish.out"
say "dependency job $fin_job ran finish.sh after the array succeeded"
"$DYNPHASE" sweep --preset test-tiny --seeds 10 --executor fake --out "$T/work/single-fake" --threads 1 --no-progress 2>&1 | sed 's/^/  /'
"$DYNPHASE" merge --out "$T/work/single-fake-canon" "$T/work/single-fake" 2>&1 | sed 's/^/  /'
same_records "$TL/merged/runs.jsonl" "$T/work/single-fake-canon/runs.jsonl" "time-limited and resubmitted task vs single process"

say "PASS"
