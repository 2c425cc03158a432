#!/usr/bin/env bash
# make compare: the same kit scenarios through the tools a user would pick, side by side: `az acr
# check-health`, `az acr login --expose-token` (Debian's azure-cli, signed in as the kit's service
# principal) and `docker acrcheck`. Prints what each names (az's error code or first error line,
# acrcheck's cause ids) and how long each took. Everything runs against the loopback kit; az reaches it
# through the kit's proxy, which refuses every other host, and check-health, which resolves the login
# server itself on a machine without DNS, runs in a private mount namespace whose /etc/hosts maps the
# kit's registries to loopback.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${ACRDIAG_BIN:-$root/bin}
for tool in az docker unshare; do
  command -v "$tool" >/dev/null || { echo "compare: $tool is not installed (az: apt-get install azure-cli)" >&2; exit 2; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/acrdiag-compare.XXXXXX")
kitpid=""
cleanup() {
  [ -n "$kitpid" ] && kill "$kitpid" 2>/dev/null && wait "$kitpid" 2>/dev/null
  [ -n "${COMPARE_KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

# name=scenario, and the diagnosis's extra flags: what a user would check for that registry.
scenarios=(
  "myregistry=healthy|--repository hello --action push"
  "firewalled=firewall|"
  "norole=no-role|"
  "pullonly=pull-only|--repository hello --action push"
  "expiring=expired-tokens|"
  "acronly=arm-audience-disabled|"
  "blocked=data-endpoint-blocked|--repository hello"
)
kitargs=()
hosts="127.0.0.1 localhost"
for s in "${scenarios[@]}"; do
  reg=${s%%|*}
  kitargs+=(-registry "$reg")
  hosts="$hosts ${reg%%=*}.azurecr.io"
done

go build -o "$work/acrkit" "$root/internal/acrtest/acrkit"
# ci-sp may read every registry's configuration in ARM (az needs it to find a registry by name), but
# reading a configuration gives no right to the content: the scenarios keep their data-plane roles.
"$work/acrkit" -dir "$work/kit" "${kitargs[@]}" -config-reader ci-sp >"$work/kit.log" 2>&1 &
kitpid=$!
for _ in $(seq 100); do [ -f "$work/kit/env.sh" ] && break; sleep 0.1; done
[ -f "$work/kit/env.sh" ] || { cat "$work/kit.log"; exit 1; }
# shellcheck disable=SC1091
. "$work/kit/env.sh"
# shellcheck disable=SC1091
. "$work/kit/identity-ci-sp.env"
echo "$hosts" >"$work/hosts"

export HOME="$work/home" DOCKER_CONFIG="$work/home/.docker" XDG_CACHE_HOME="$work/home/.cache"
export XDG_CONFIG_HOME="$work/home/.config" DOCKER_HOST="unix://$work/no-daemon.sock"
export AZURE_TOKEN_CREDENTIALS=EnvironmentCredential   # acrcheck: the service principal, never instance metadata
mkdir -p "$DOCKER_CONFIG/cli-plugins"
cp "$bin/docker-acrcheck" "$DOCKER_CONFIG/cli-plugins/"
export PATH="$bin:$PATH"

# The real az: its own config, the kit's CA for Python's requests, and nothing that calls home (no
# telemetry, no survey, a version check on record so it does not probe azure.microsoft.com).
export AZURE_CONFIG_DIR="$work/home/.azure" REQUESTS_CA_BUNDLE="$SSL_CERT_FILE"
export AZURE_CORE_COLLECT_TELEMETRY=false AZURE_CORE_SURVEY_MESSAGE=false AZURE_CORE_NO_COLOR=true
mkdir -p "$AZURE_CONFIG_DIR"
python=$(head -1 "$(command -v az)" | sed -n 's/^#! *\([^ ]*python[^ ]*\).*/\1/p')
azversion=$("${python:-python3}" -c 'from azure.cli.core import __version__; print(__version__)')
printf '{"versions": {"azure-cli": {"local": "%s"}, "core": {"local": "%s"}}, "update_time": "%s"}' \
  "$azversion" "$azversion" "$(date '+%Y-%m-%d %H:%M:%S.000000')" >"$AZURE_CONFIG_DIR/versionCheck.json"
az login --service-principal -u "$AZURE_CLIENT_ID" -p "$AZURE_CLIENT_SECRET" --tenant "$AZURE_TENANT_ID" -o none

ns=(unshare -m)
[ "$(id -u)" = 0 ] || ns=(unshare -r -m)

now() { date +%s%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fs", (b - a) / 1e9 }'; }
row() { printf '%-34s %-28s %6s  %s\n' "$1" "$2" "$3" "$4"; }

row "registry (scenario)" "tool" "time" "names"
for s in "${scenarios[@]}"; do
  reg=${s%%|*}; flags=${s#*|}; name=${reg%%=*}; host=$name.azurecr.io; label="$name (${reg#*=})"

  t0=$(now)
  out=$("${ns[@]}" sh -c 'mount --bind "$1" /etc/hosts && shift && exec "$@"' sh "$work/hosts" \
    az acr check-health -n "$name" --ignore-errors --yes 2>&1 || true)
  t1=$(now)
  # The docker, helm and notary checks are about local tools (no daemon runs here): left out.
  codes=$(printf '%s\n' "$out" | sed -n 's/.*An error occurred: \([A-Z_]*\).*/\1/p' |
    grep -vE '^(DOCKER_COMMAND_ERROR|DOCKER_DAEMON_ERROR|DOCKER_PULL_ERROR|HELM_COMMAND_ERROR|NOTARY_COMMAND_ERROR)$' | paste -sd, - || true)
  row "$label" "az acr check-health" "$(secs "$t0" "$t1")" "${codes:-OK}"

  t0=$(now)
  out=$(az acr login -n "$name" --expose-token -o none 2>&1) && said=OK ||
    said=$(printf '%s\n' "$out" | grep -m1 '^ERROR' | cut -c1-100)
  t1=$(now)
  row "" "az acr login --expose-token" "$(secs "$t0" "$t1")" "$said"

  t0=$(now)
  # shellcheck disable=SC2086 # flags are words
  out=$(docker acrcheck "$host" $flags --format json 2>"$work/acrcheck.err" || true)
  t1=$(now)
  # As for check-health, the finding about the local daemon (none runs here) is left out.
  causes=$(printf '%s' "$out" | "${python:-python3}" -c 'import json, sys
try: r = json.load(sys.stdin)
except ValueError: sys.exit()
print(",".join(c for c in r["causes"] if c != "docker.daemon_unreachable") or "OK")')
  [ -n "$out" ] || causes="no report: $(head -c 100 "$work/acrcheck.err")"
  row "" "docker acrcheck" "$(secs "$t0" "$t1")" "$causes"
done

# Every CONNECT the kit's proxy refused, but the blocked scenario's own data endpoint, is a host a tool
# tried to reach outside the kit.
if refused=$(grep '^proxy' "$work/kit/requests.txt" | grep -v ' 200 ' | grep -v 'blocked by policy'); then
  echo; echo "refused by the kit's proxy (a tool tried to leave the kit):"
  printf '%s\n' "$refused" | sort | uniq -c
  exit 1
fi
