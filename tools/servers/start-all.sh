#!/usr/bin/env bash
# Starts every storage test server on loopback; each script waits until its server answers.
# oss-start.sh starts the S3 server (moto) first, then the OSS adapter in front of it.
set -euo pipefail
cd "$(dirname "$0")"
bash hdfs-start.sh
bash oss-start.sh
