#!/usr/bin/env bash
# Stops the adapter oss-start.sh started (by its pid file only). Idempotent. The S3
# server it fronts keeps running: stop it with s3-stop.sh.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PID="$HERE/.run/oss.pid"
[[ -f "$PID" ]] || { echo "oss-stop: not running" >&2; exit 0; }
pid="$(cat "$PID")"
if kill -0 "$pid" 2>/dev/null; then
  kill "$pid"
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid" || true
  echo "oss-stop: stopped pid $pid" >&2
fi
rm -f "$PID"
