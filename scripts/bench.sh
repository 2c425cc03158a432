#!/usr/bin/env bash
# make bench: the performance budget, measured as ratios of whole-process benchmarks run side by side.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
count=${BENCH_COUNT:-3}
out=$(go test -run '^$' -bench . -benchtime "${BENCH_TIME:-300x}" -count "$count" ./e2e)
echo "$out" | grep -E '^Benchmark'
make -s build >/dev/null
echo
echo "binary sizes: docker-credential-acrdiag $(( $(stat -c %s bin/docker-credential-acrdiag) / 1024 )) KiB," \
  "docker-acrcheck $(( $(stat -c %s bin/docker-acrcheck) / 1024 )) KiB"
echo "mean per exec (ms) and ratio to a trivial Go binary printing JSON (budget for a warm get: 2.0x):"
echo "$out" | awk '
  /^Benchmark/ { name=$1; sub(/-[0-9]+$/, "", name); sub(/^Benchmark/, "", name); sum[name]+=$3; n[name]++ }
  END {
    base = sum["ExecTrivial"]/n["ExecTrivial"]
    for (k in sum) { m = sum[k]/n[k]; printf "  %-16s %7.2f ms  %5.2fx\n", k, m/1e6, m/base }
  }' | sort
