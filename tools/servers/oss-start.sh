#!/usr/bin/env bash
# Starts the OSS test adapter (oss-adapter.mjs) on loopback in the background, in front
# of the S3 test server, which it starts first (s3-start.sh, idempotent).
# Port: $PAIMON_TS_OSS_PORT (default 19331); upstream: $PAIMON_TS_S3_PORT (default 19330).
# Pid and log: tools/servers/.run/oss.{pid,log}. Idempotent.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PORT="${PAIMON_TS_OSS_PORT:-19331}"
S3_PORT="${PAIMON_TS_S3_PORT:-19330}"
RUN="$HERE/.run"
PID="$RUN/oss.pid"
LOG="$RUN/oss.log"
mkdir -p "$RUN"

bash "$HERE/s3-start.sh"

up() {
  node -e 'require("net").connect(+process.argv[1], "127.0.0.1").on("connect", () => process.exit(0)).on("error", () => process.exit(1))' "$PORT" 2>/dev/null
}

if up; then
  if [[ -f "$PID" ]] && kill -0 "$(cat "$PID")" 2>/dev/null; then
    echo "oss-start: already running (pid $(cat "$PID"), http://127.0.0.1:$PORT)" >&2
    exit 0
  fi
  echo "oss-start: port $PORT is in use by a process this script did not start; stop it or set the port variable" >&2
  exit 1
fi

setsid node "$HERE/oss-adapter.mjs" --port "$PORT" --upstream "http://127.0.0.1:$S3_PORT" >"$LOG" 2>&1 < /dev/null &
echo $! > "$PID"
for _ in $(seq 1 50); do
  if up; then
    echo "oss-start: OSS adapter on http://127.0.0.1:$PORT -> S3 http://127.0.0.1:$S3_PORT (pid $(cat "$PID"), log $LOG)" >&2
    exit 0
  fi
  if ! kill -0 "$(cat "$PID")" 2>/dev/null; then break; fi
  sleep 0.1
done
echo "oss-start: adapter did not come up; log tail:" >&2
tail -n 30 "$LOG" >&2 || true
exit 1
