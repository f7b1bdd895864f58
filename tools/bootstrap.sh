#!/usr/bin/env bash
# Makes a fresh machine ready: pnpm (10.34.9 — 11/12 fail here), the workspace's
# dependencies from the frozen lockfile, and a build of every package. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=10.34.9
if ! command -v node >/dev/null; then
  echo "bootstrap: Node.js 20 is required" >&2
  exit 1
fi
if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  echo "bootstrap: installing pnpm $PNPM_VERSION" >&2
  npm install -g "pnpm@$PNPM_VERSION" --no-fund --no-audit --loglevel=error >&2
fi
export TURBO_TELEMETRY_DISABLED=1
pnpm install --frozen-lockfile --reporter=silent >&2
pnpm -s turbo run build --output-logs=errors-only >&2
