#!/usr/bin/env bash
# Starts moto's S3 server on loopback in the background (installing it first if needed).
# Port: $PAIMON_TS_S3_PORT (default 19330). Pid and log: tools/servers/.run/s3.{pid,log}.
# Idempotent: a server already running from this pid file is left as it is.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PORT="${PAIMON_TS_S3_PORT:-19330}"
RUN="$HERE/.run"
PID="$RUN/s3.pid"
LOG="$RUN/s3.log"
mkdir -p "$RUN"

bash "$HERE/s3-install.sh"

up() { # any HTTP answer will do (GET / is ListBuckets, cheap at any state)
  "$HERE/.venv-s3/bin/python" - "$PORT" <<'PY' >/dev/null 2>&1
import sys, urllib.error, urllib.request
try:
    urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/", timeout=2).read()
except urllib.error.HTTPError:
    pass
PY
}
if up; then
  if [[ -f "$PID" ]] && kill -0 "$(cat "$PID")" 2>/dev/null; then
    echo "s3-start: already running (pid $(cat "$PID"), http://127.0.0.1:$PORT)" >&2
    exit 0
  fi
  echo "s3-start: port $PORT is in use by a process this script did not start; stop it or set the port variable" >&2
  exit 1
fi

# setsid: the server outlives this script and ignores the caller's terminal signals.
# s3-moto-server.py is moto_server with conditional writes made atomic (see its docstring).
setsid "$HERE/.venv-s3/bin/python" "$HERE/s3-moto-server.py" -H 127.0.0.1 -p "$PORT" >"$LOG" 2>&1 < /dev/null &
echo $! > "$PID"
for _ in $(seq 1 100); do
  if up; then
    echo "s3-start: moto S3 server on http://127.0.0.1:$PORT (pid $(cat "$PID"), log $LOG)" >&2
    exit 0
  fi
  if ! kill -0 "$(cat "$PID")" 2>/dev/null; then break; fi
  sleep 0.2
done
echo "s3-start: server did not come up; log tail:" >&2
tail -n 30 "$LOG" >&2 || true
exit 1
