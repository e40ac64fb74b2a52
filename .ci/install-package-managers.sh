#!/usr/bin/env bash
# Install pnpm, yarn (classic 1.x: npm's "yarn" package) and bun from the npm registry, globally, when one
# is missing or does not run: tests/core/test_package_managers_e2e.py needs all three (corepack cannot
# download them on machines that only reach package registries). Idempotent; prints one line when it installs.
set -euo pipefail

works() { timeout 60 "$1" --version >/dev/null 2>&1; }

missing=()
for pm in pnpm yarn bun; do
  works "$pm" || missing+=("$pm")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v npm >/dev/null 2>&1; then
  echo "install-package-managers: npm is missing; install Node.js (apt-get install nodejs npm) first" >&2
  exit 1
fi
# --force: replace a broken shim of the same name (e.g. corepack's, which cannot download here).
npm install --global --force --no-audit --no-fund --loglevel=error "${missing[@]}" >/dev/null
hash -r
# bun's postinstall links its binary (from an optional dependency); run it if npm skipped it.
bun_pkg="$(npm root --global --loglevel=error)/bun"
if [[ " ${missing[*]} " == *" bun "* ]] && ! works bun && [ -f "$bun_pkg/install.js" ]; then
  (cd "$bun_pkg" && node install.js >/dev/null)
fi
versions=()
for pm in "${missing[@]}"; do
  if ! works "$pm"; then
    echo "install-package-managers: $pm was installed but does not run (is $(npm prefix --global --loglevel=error)/bin on PATH?)" >&2
    exit 1
  fi
  versions+=("$pm $("$pm" --version)")
done
echo "install-package-managers: installed ${versions[*]}"
