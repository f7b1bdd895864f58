#!/usr/bin/env bash
# Quick start, command 2: every test, with the oracles and the storage servers, on a
# fresh machine. Runs build, type checks (tsc --noEmit), lint and all jest suites
# through turbo (`pnpm test`), with the test servers on loopback, and stops them after.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
bash tools/bootstrap.sh
bash tools/oracles.sh
bash tools/servers/install-all.sh
trap 'bash tools/servers/stop-all.sh || true' EXIT
bash tools/servers/start-all.sh
export TURBO_TELEMETRY_DISABLED=1
status=0
pnpm test || status=$?
echo "tools/test.sh: finished in $(( $(date +%s) - start ))s with status $status"
exit $status
