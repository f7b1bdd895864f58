#!/usr/bin/env bash
# Stops the HDFS test server started by hdfs-start.sh (the pid in tools/servers/.run/hdfs.pid,
# only if that process is ours). Waits up to 20 s for a clean shutdown, then kills it.
# Not running: no-op. HDFS_KEEP_DATA=1 keeps tools/servers/.run/hdfs for inspection.
set -euo pipefail

servers="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
run="$servers/.run"
pidfile="$run/hdfs.pid"

if [[ ! -f "$pidfile" ]]; then
  echo "hdfs-stop: not running (no $pidfile)" >&2
  exit 0
fi
pid="$(cat "$pidfile")"
if [[ -z "$pid" ]] || ! kill -0 "$pid" 2>/dev/null || ! grep -q "dev.paimonts.hdfs.Main" "/proc/$pid/cmdline" 2>/dev/null; then
  echo "hdfs-stop: pid ${pid:-?} is not the HDFS test server any more; removing the stale pid file" >&2
  rm -f "$pidfile"
  exit 0
fi
kill "$pid"
for _ in $(seq 1 40); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.5
done
if kill -0 "$pid" 2>/dev/null; then
  echo "hdfs-stop: pid $pid ignored SIGTERM for 20s; killing it" >&2
  kill -9 "$pid" 2>/dev/null || true
fi
rm -f "$pidfile"
if [[ "${HDFS_KEEP_DATA:-0}" != "1" ]]; then rm -rf "$run/hdfs"; fi
echo "hdfs-stop: stopped (pid $pid)" >&2
