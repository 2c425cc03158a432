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
  -registry pullonly=pull-only -reader dev-user >"$work/kit.log" 2>&1 &
kitpid=$!
for _ in $(seq 100); do [ -f "$work/kit/env.sh" ] && break; sleep 0.1; done
[ -f "$work/kit/env.sh" ] || { cat "$work/kit.log"; exit 1; }
# shellcheck disable=SC1091
. "$work/kit/env.sh"
cat "$work/kit.log"

# A throwaway Docker configuration with acrdiag installed the way a user would.
export HOME="$work/home" DOCKER_CONFIG="$work/home/.docker" XDG_CACHE_HOME="$work/home/.cache"
# setup also edits containers' auth.json: the throwaway one, never the user's.
export XDG_CONFIG_HOME="$work/home/.config" XDG_RUNTIME_DIR="$work/home/run"
unset REGISTRY_AUTH_FILE
export DOCKER_HOST="unix://$work/no-daemon.sock"   # the demo needs no daemon
export AZURE_TOKEN_CREDENTIALS=dev                 # developer credentials only: never probe instance metadata
mkdir -p "$DOCKER_CONFIG/cli-plugins"
cp "$root/bin/docker-acrcheck" "$DOCKER_CONFIG/cli-plugins/"
export PATH="$root/bin:$PATH"

# The machine's identity is a user signed in to the (fake) Azure CLI.
# shellcheck disable=SC1091
. "$work/kit/identity-dev-user.env"
export PATH="$ACRKIT_AZ_DIR:$PATH" AZURE_TOKEN_CREDENTIALS=AzureCLICredential

show docker acrcheck version
echo
echo "${bold}setup sends the registries to the credential helper and turns on the hook that explains failures:${reset}"
show docker acrcheck setup myregistry.azurecr.io firewalled.azurecr.io pullonly.azurecr.io
show cat "$DOCKER_CONFIG/config.json"

echo
echo "${bold}The helper turns the Azure CLI login into an ACR refresh token (shown here without its signature):${reset}"
step "echo myregistry.azurecr.io | docker-credential-acrdiag get"
{ echo myregistry.azurecr.io | docker-credential-acrdiag get || true; } | sed -E 's/("Secret":"[^.]*\.[^.]*\.)[^"]*"/\1<signature>"/; s/^/  /'

echo
echo "${bold}crane (like docker, buildx and kubelet) now just works, and the second call is served from the cache:${reset}"
show crane ls myregistry.azurecr.io/hello
show crane copy myregistry.azurecr.io/hello:1 myregistry.azurecr.io/hello:2
show crane ls myregistry.azurecr.io/hello

echo
echo "${bold}A registry whose firewall refuses this machine: the helper says why, with the fix:${reset}"
show crane ls firewalled.azurecr.io/hello

echo
echo "${bold}An identity with AcrPull only: pull works, push is refused by the registry:${reset}"
show crane ls pullonly.azurecr.io/hello
show crane copy pullonly.azurecr.io/hello:1 pullonly.azurecr.io/hello:2

echo
echo "${bold}docker acrcheck diagnoses a registry end to end and names the cause with its fix:${reset}"
show docker acrcheck pullonly.azurecr.io --repository hello --action push
show docker acrcheck firewalled.azurecr.io --checks challenge,exchange

echo
echo "${bold}A failed docker login, explained in place by the hook (the CLI runs hooks only on a terminal):${reset}"
if command -v script >/dev/null; then
  step "docker login firewalled.azurecr.io -u 00000000-0000-0000-0000-000000000000 -p not-a-token"
  script -qec "docker login firewalled.azurecr.io -u 00000000-0000-0000-0000-000000000000 -p not-a-token" /dev/null \
    | tr -d '\r' | sed 's/^/  /' || true
else
  echo "  (script(1) is not installed: no terminal to show the hook on)"
fi

echo
echo "${bold}explain classifies error text pasted from anywhere:${reset}"
show docker acrcheck explain 'Failed to pull image "pullonly.azurecr.io/app:1": rpc error: code = Unknown desc = failed to pull and unpack image: failed to resolve reference: failed to do request: Head "https://pullonly.azurecr.io/v2/app/manifests/1": dial tcp 10.1.2.7:443: i/o timeout'

echo
echo "${bold}The identity may read the registries in (fake) Azure Resource Manager, so the 403 gets its precise cause:${reset}"
show docker acrcheck firewalled.azurecr.io --checks challenge,azure_registry,network_rules,roles

echo
echo "${bold}The registry's own log of logins (ContainerRegistryLoginEvents, through Log Analytics):${reset}"
show docker acrcheck logs myregistry.azurecr.io --all --since 10m

echo
echo "${bold}Docker throws most helper errors away, so acrdiag records them, and docker acrcheck last explains them:${reset}"
show docker acrcheck last
show cat "$XDG_CACHE_HOME/acrdiag/last-failure.json"

echo
echo "${bold}What the emulator saw (token service calls; no secrets are logged):${reset}"
grep -E 'oauth2|entra|^arm|^logs' "$work/kit/requests.txt" | cut -c1-150 | sed 's/^/  /'
