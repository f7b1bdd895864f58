#!/usr/bin/env bash
# Starts every storage test server on loopback; each script waits until its server answers.
set -euo pipefail
cd "$(dirname "$0")"
bash hdfs-start.sh
