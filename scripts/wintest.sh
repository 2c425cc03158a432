#!/usr/bin/env bash
# Runs the Windows build of the unit tests under wine (Debian's wine64 8.0), from nothing: a wine prefix of
# this run's own, the bcryptprimitives.dll shim Go's runtime needs (wine 8.0 lacks it), then
# GOOS=windows go test -exec wine64 for every package with Windows-specific code, and the Windows-built
# binaries' end-to-end test (TestWindowsBinaries in e2e/). Needs: apt-get install wine64 gcc-mingw-w64-x86-64.
#   scripts/wintest.sh                  the packages below, then the e2e test
#   scripts/wintest.sh PACKAGE...       those packages only (./internal/config); e2e: the e2e test only
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}

WINE=${WINE:-$(command -v wine64 || echo /usr/lib/wine/wine64)}
CC=${WIN_CC:-x86_64-w64-mingw32-gcc}
missing=()
[ -x "$WINE" ] || missing+=(wine64)
command -v "$CC" >/dev/null || missing+=(gcc-mingw-w64-x86-64)
if [ ${#missing[@]} -gt 0 ]; then
  echo "wintest: ${missing[*]} not installed, so the Windows tests cannot run. Fix: sudo apt-get install -y ${missing[*]}" >&2
  # CI (ACRDIAG_E2E=require) fails; elsewhere this is a skip, like the e2e tests' missing tools.
  [ "${ACRDIAG_E2E:-}" = require ] && exit 1
  exit 0
fi

# The packages with Windows-specific code (build-tagged files, runtime.GOOS, paths) and what tests them.
PACKAGES=(atomicfile filelock config cachedir engineproc tokencache jwt helper renew plugin dockerconfig lastfailure explain cause check testfs winacl)
pkgs=("${PACKAGES[@]/#/./internal/}") e2e=1
if [ $# -gt 0 ]; then
  pkgs=() e2e=0
  for a in "$@"; do if [ "$a" = e2e ]; then e2e=1; else pkgs+=("$a"); fi; done
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/acrdiag-wintest.XXXXXX")
export WINEPREFIX="$work/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" # no Mono/Gecko prompts
# wine names the Windows profile after $USER: C:\users\Jürgen Müller, a path with a space and non-ASCII
# letters, as many enterprise desktops have.
export USER="Jürgen Müller" LOGNAME="Jürgen Müller" LANG=C.UTF-8 LC_ALL=C.UTF-8
cleanup() {
  "$(dirname "$WINE")/wineserver" -k 2>/dev/null || true # this prefix's server only
  rm -rf "$work"
}
trap cleanup EXIT

start=$SECONDS
"$WINE" wineboot --init >/dev/null 2>&1
"$CC" -shared -O2 -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" scripts/wintest/bcryptprimitives.c -ladvapi32
echo "wintest: wine prefix ready in $((SECONDS - start))s ($("$WINE" --version))"

export WINE_EXEC="$WINE" # e2e's TestWindowsBinaries runs the .exe files with it
if [ ${#pkgs[@]} -gt 0 ]; then
  GOOS=windows GOARCH=amd64 CGO_ENABLED=0 "$GO" test -count=1 -exec "$WINE" "${pkgs[@]}"
fi
rc=0
if [ $e2e = 1 ]; then
  "$GO" test -count=1 -run '^TestWindowsBinaries$' -v ./e2e/ >"$work/e2e.log" 2>&1 || rc=$?
  grep -vE '^=== (PAUSE|CONT)' "$work/e2e.log" | tail -40
fi
echo "wintest: done in $((SECONDS - start))s"
exit $rc
