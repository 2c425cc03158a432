#!/usr/bin/env bash
# make demo: start the bundled ACR emulator (internal/acrtest) on loopback, install acrdiag into a throwaway
# DOCKER_CONFIG, and show the main job on a few registries. Everything it starts is stopped on exit.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/acrdiag-demo.XXXXXX")
kitpid=""
cleanup() {
  [ -n "$kitpid" ] && kill "$kitpid" 2>/dev/null && wait "$kitpid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

bold=$(printf '\033[1m'); reset=$(printf '\033[0m')
[ -t 1 ] && [ -z "${NO_COLOR:-}" ] || { bold=""; reset=""; }
step() { printf '\n%s$ %s%s\n' "$bold" "$*" "$reset"; }
show() { step "$*"; "$@" 2>&1 | sed 's/^/  /' || true; }

echo "Starting the ACR emulator (fake Entra ID, token service, real OCI registry, CONNECT proxy) ..."
go build -o "$work/acrkit" "$root/internal/acrtest/acrkit"
"$work/acrkit" -dir "$work/kit" -registry myregistry=healthy -registry firewalled=firewall \
  -registry pullonly=pull-only >"$work/kit.log" 2>&1 &
kitpid=$!
for _ in $(seq 100); do [ -f "$work/kit/env.sh" ] && break; sleep 0.1; done
[ -f "$work/kit/env.sh" ] || { cat "$work/kit.log"; exit 1; }
# shellcheck disable=SC1091
. "$work/kit/env.sh"
cat "$work/kit.log"

# A throwaway Docker configuration with acrdiag installed the way a user would.
export HOME="$work/home" DOCKER_CONFIG="$work/home/.docker" XDG_CACHE_HOME="$work/home/.cache"
export DOCKER_HOST="unix://$work/no-daemon.sock"   # the demo needs no daemon
export AZURE_TOKEN_CREDENTIALS=dev                 # developer credentials only: never probe instance metadata
mkdir -p "$DOCKER_CONFIG/cli-plugins"
cp "$root/bin/docker-acrcheck" "$DOCKER_CONFIG/cli-plugins/"
export PATH="$root/bin:$PATH"

show docker acrcheck version
show docker info --format '{{range .ClientInfo.Plugins}}{{.Name}}: {{.ShortDescription}} ({{.Vendor}}) {{end}}'

echo
echo "Requests the emulator served:"
sed -e 's/^{"time":"[^"]*",//' "$work/kit/requests.jsonl" | cut -c1-150 | sed 's/^/  /'
