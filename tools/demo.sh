#!/usr/bin/env bash
# Quick start, command 1: the main job on an embedded local warehouse.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/bootstrap.sh
exec pnpm -s paimon-ts demo "$@"
