#!/usr/bin/env bash
# Merge the shard directories of a sweep_array.sbatch job and aggregate them:
#   $OUT/merged/runs.jsonl   every record once, in canonical order
#   $OUT/phase.csv           counts per (lr, delay) cell
#   $OUT/scaling.txt         the no-solution exponent (two-step and likelihood estimators)
#
# Uses the same PRESET, OUT and DYNPHASE variables as sweep_array.sbatch. Set SCALING=0 to
# stop after the phase table, and EXPERIMENT to the scaling experiment (default: the preset
# name for nopost/post/long-tau/no-memory, nopost for quick).
set -euo pipefail

PRESET=${PRESET:-nopost}
OUT=${OUT:-sweeps/$PRESET}
DYNPHASE=${DYNPHASE:-dynphase}
SCALING=${SCALING:-1}
case "$PRESET" in
  quick|nopost-broad|nopost-narrow) EXPERIMENT=${EXPERIMENT:-nopost} ;;
  *) EXPERIMENT=${EXPERIMENT:-$PRESET} ;;
esac

"$DYNPHASE" merge --out "$OUT/merged" "$OUT"/shard-* --force
"$DYNPHASE" phase "$OUT/merged" --out "$OUT/phase.csv"
if [ "$SCALING" = 1 ]; then
  {
    echo "# two-step (the paper's procedure)"
    "$DYNPHASE" scaling "$OUT/phase.csv" --experiment "$EXPERIMENT" --boundary failure
    echo "# binomial likelihood"
    "$DYNPHASE" scaling "$OUT/phase.csv" --experiment "$EXPERIMENT" --boundary failure --method mle
  } | tee "$OUT/scaling.txt"
fi
