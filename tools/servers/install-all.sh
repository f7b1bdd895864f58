#!/usr/bin/env bash
# Installs every storage test server (idempotent).
set -euo pipefail
cd "$(dirname "$0")"
bash hdfs-install.sh
bash s3-install.sh
