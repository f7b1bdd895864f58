#!/usr/bin/env bash
# `pnpm test`: build, type checks, lint and every jest suite (turbo), then one closing
# line counting all tests.
set -uo pipefail
cd "$(dirname "$0")/.."
rm -rf .test-results
TURBO_TELEMETRY_DISABLED=1 pnpm -s turbo run build typecheck lint test --continue "$@"
status=$?
node tools/test-summary.cjs || status=1
exit $status
