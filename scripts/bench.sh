#!/usr/bin/env bash
# make bench: the performance budget, measured as ratios of whole-process benchmarks run side by side.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
count=${BENCH_COUNT:-3}
helper=$(go test -run '^$' -bench 'ExecTrivial|Helper|Plugin' -benchtime "${BENCH_TIME:-300x}" -count "$count" ./e2e)
diag=$(go test -run '^$' -bench 'Acrcheck' -benchtime "${BENCH_DIAG_TIME:-5x}" -count "$count" ./e2e)
printf '%s\n%s\n' "$helper" "$diag" | grep -E '^Benchmark|slowest (other )?check'
make -s build >/dev/null
echo
echo "binary sizes: docker-credential-acrdiag $(( $(stat -c %s bin/docker-credential-acrdiag) / 1024 )) KiB," \
  "docker-acrcheck $(( $(stat -c %s bin/docker-acrcheck) / 1024 )) KiB"
means() { awk '/^Benchmark/ { n=$1; sub(/-[0-9]+$/, "", n); sub(/^Benchmark/, "", n); s[n]+=$3; c[n]++ }
  END { for (k in s) printf "%s %.0f\n", k, s[k]/c[k] }'; }
echo "mean per exec and ratio to a trivial Go binary printing JSON (budgets: warm get, plugin metadata and hook 2.0x):"
echo "$helper" | means | awk '{ m[$1]=$2 } END { for (k in m) printf "  %-16s %7.2f ms  %5.2fx\n", k, m[k]/1e6, m[k]/m["ExecTrivial"] }' | sort
echo "diagnosis with 100 ms added to every registry, Entra ID and ARM response (budget: 1.3x the slowest check alone):"
echo "$diag" | means | awk '{ m[$1]=$2 } END { printf "  full %.0f ms, slowest check alone %.0f ms: %.2fx\n", m["AcrcheckFull"]/1e6, m["AcrcheckSlowestCheck"]/1e6, m["AcrcheckFull"]/m["AcrcheckSlowestCheck"] }'
echo "diagnosis with Azure Resource Manager refused by the proxy, same latency (budget: 1.3x its slowest other check alone):"
echo "$diag" | means | awk '{ m[$1]=$2 } END { for (k in m) if (k ~ /^AcrcheckARMRefused\//) { f=substr(k, length("AcrcheckARMRefused/")+1);
  o=m["AcrcheckARMRefusedSlowestOther/" f]; if (o) printf "  %-13s full %.0f ms, slowest other check alone %.0f ms: %.2fx\n", f, m[k]/1e6, o/1e6, m[k]/o } }' | sort
