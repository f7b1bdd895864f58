#!/usr/bin/env bash
# Stops every storage test server started by start-all.sh (missing ones are fine).
cd "$(dirname "$0")"
bash hdfs-stop.sh || true
