#!/usr/bin/env bash
# Installs the real Paimon implementations tests compare against: Java Paimon
# (Maven) and pypaimon (a venv). Both installs are idempotent and fast when current.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/oracle-java/install.sh
bash tools/oracle-py/install.sh
