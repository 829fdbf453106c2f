#!/usr/bin/env bash
# Runs the whole vitest suite twice in parallel, ROUNDS times, and counts failures: the check
# that no test depends on timing (docs/reliability.md, "Flake runs").
#   bash test/stress.sh [ROUNDS] [LOGDIR]
# Builds dist/ once first (the suites' globalSetup then finds it fresh). Each suite's output is
# kept in LOGDIR/round-<n>-<a|b>.log; the last lines name the failed tests of every round.
set -u
cd "$(dirname "$0")/.."
ROUNDS=${1:-20}
LOGDIR=${2:-$(mktemp -d -t awaitwhat-stress-XXXXXX)}
mkdir -p "$LOGDIR"
npx tsc -p tsconfig.json || exit 2
runs=0 failed=0
for round in $(seq 1 "$ROUNDS"); do
  pids=()
  for side in a b; do
    npx vitest run --reporter=default >"$LOGDIR/round-$round-$side.log" 2>&1 &
    pids+=($!)
  done
  for i in 0 1; do
    side=$([ "$i" = 0 ] && echo a || echo b)
    runs=$((runs + 1))
    if wait "${pids[$i]}"; then
      echo "round $round/$side: passed ($(grep -Eo 'Tests +[0-9]+ passed[^)]*' "$LOGDIR/round-$round-$side.log" | head -1))"
    else
      failed=$((failed + 1))
      echo "round $round/$side: FAILED"
      grep -E '^ (FAIL|×) ' "$LOGDIR/round-$round-$side.log" | sort -u | sed 's/^/    /'
    fi
  done
done
echo "suite runs: $runs, failed: $failed (logs in $LOGDIR)"
[ "$failed" = 0 ]
