#!/usr/bin/env bash
# Stops every storage test server started by start-all.sh (missing ones are fine).
cd "$(dirname "$0")"
bash oss-stop.sh || true
bash s3-stop.sh || true
bash hdfs-stop.sh || true
