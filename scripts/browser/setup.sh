#!/usr/bin/env bash
# setup.sh installs the pinned node modules of the browser checks (npm ci in
# scripts/browser) unless node_modules already holds exactly the versions in
# package-lock.json. Safe to run often and from several processes at once:
# a lock file keeps two installs apart. render-comment.sh runs it; run it
# before calling check.mjs directly.
#
# Usage: scripts/browser/setup.sh        (needs node 18 or later and npm)
# Exit status: 0 installed or already current, 2 npm or node missing or
# npm ci failed, 3 the modules are not installed and the npm registry
# cannot be reached (checked with one `npm ping` of at most
# $ping_timeout_ms ms before `npm ci`, so that an offline machine is told
# so at once instead of after minutes of retries).
set -euo pipefail

dir=$(cd "$(dirname "$0")" && pwd)
# ping_timeout_ms bounds the registry check before an install.
ping_timeout_ms=10000
for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "setup.sh: $tool not found on PATH (install Node.js 18 or later)" >&2; exit 2; }
done

install() {
  local stamp="$dir/node_modules/.installed-package-lock.json"
  if [ -f "$stamp" ] && cmp -s "$stamp" "$dir/package-lock.json"; then
    return 0
  fi
  local registry err
  registry=$(cd "$dir" && npm config get registry 2>/dev/null || echo "the npm registry")
  if ! err=$(cd "$dir" && npm ping --fetch-retries=0 --fetch-timeout="$ping_timeout_ms" 2>&1); then
    err=$(printf '%s\n' "$err" | grep -m1 -E 'npm (error|ERR!) (code|errno|[0-9]{3}|request)' || true)
    echo "setup.sh: the npm registry $registry cannot be reached${err:+ ($err)}; the node modules of the browser checks are not installed" >&2
    return 3
  fi
  echo "setup.sh: installing the pinned node modules (npm ci in $dir)" >&2
  (cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >&2) || {
    echo "setup.sh: npm ci in $dir failed" >&2; return 2; }
  cp "$dir/package-lock.json" "$stamp"
}

if command -v flock >/dev/null; then
  exec 9>"$dir/.install.lock"
  flock 9
fi
install || exit $?
