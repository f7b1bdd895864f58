#!/usr/bin/env bash
# Starts the HDFS test server in the background: one NameNode + one DataNode
# (MiniDFSCluster) on 127.0.0.1 with WebHDFS, permissions off, formatted afresh.
#   NameNode RPC : hdfs://127.0.0.1:${PAIMON_TS_HDFS_RPC_PORT:-9000}   (warehouse URIs)
#   WebHDFS HTTP : http://127.0.0.1:${PAIMON_TS_HDFS_HTTP_PORT:-9870}  (what the client talks to)
# Pid, log and data live under tools/servers/.run/ (hdfs.pid, hdfs.log, hdfs/).
# Returns once WebHDFS answers GETFILESTATUS on / (timeout: HDFS_START_TIMEOUT, 120 s).
# Builds the server first when needed (hdfs-install.sh). Already running: no-op.
# Extra JVM flags: HDFS_JAVA_OPTS.
set -euo pipefail

servers="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
run="$servers/.run"
pidfile="$run/hdfs.pid"
log="$run/hdfs.log"
data="$run/hdfs"
rpc_port="${PAIMON_TS_HDFS_RPC_PORT:-9000}"
http_port="${PAIMON_TS_HDFS_HTTP_PORT:-9870}"
timeout="${HDFS_START_TIMEOUT:-120}"
probe_url="http://127.0.0.1:${http_port}/webhdfs/v1/?op=GETFILESTATUS&user.name=hadoop"

probe() {
  if command -v curl >/dev/null; then
    curl -fsS -o /dev/null --max-time 5 "$probe_url" 2>/dev/null
  else
    node -e 'fetch(process.argv[1],{signal:AbortSignal.timeout(5000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' "$probe_url"
  fi
}

ours_running() {
  [[ -f "$pidfile" ]] || return 1
  local pid; pid="$(cat "$pidfile")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && grep -q "dev.paimonts.hdfs.Main" "/proc/$pid/cmdline" 2>/dev/null
}

if ours_running && probe; then
  echo "hdfs-start: already running (pid $(cat "$pidfile")): hdfs://127.0.0.1:${rpc_port} webhdfs http://127.0.0.1:${http_port}" >&2
  exit 0
fi
if probe; then
  echo "hdfs-start: something else already answers WebHDFS on port ${http_port}; stop it or set PAIMON_TS_HDFS_HTTP_PORT" >&2
  exit 1
fi

bash "$servers/hdfs-install.sh"

mkdir -p "$run"
rm -rf "$data"
mkdir -p "$data"
hdfs_dir="$servers/hdfs"
start=$(date +%s.%N)
# setsid: the server outlives this script and its caller's process group
# shellcheck disable=SC2086
setsid java \
  -Xmx1g -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto \
  -Djava.net.preferIPv4Stack=true -Dfile.encoding=UTF-8 \
  ${HDFS_JAVA_OPTS:-} \
  -cp "$hdfs_dir/target/hdfs-test-server.jar:$hdfs_dir/target/lib/*" \
  dev.paimonts.hdfs.Main --rpc-port "$rpc_port" --http-port "$http_port" --data "$data/cluster" \
  >"$log" 2>&1 </dev/null &
pid=$!
echo "$pid" >"$pidfile"

deadline=$(( $(date +%s) + timeout ))
until grep -q "^HDFS READY" "$log" 2>/dev/null && probe; do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "hdfs-start: the server exited during start-up; last lines of $log:" >&2
    tail -n 40 "$log" >&2
    rm -f "$pidfile"
    exit 1
  fi
  if (( $(date +%s) >= deadline )); then
    echo "hdfs-start: WebHDFS did not answer within ${timeout}s; last lines of $log:" >&2
    tail -n 40 "$log" >&2
    kill "$pid" 2>/dev/null || true
    rm -f "$pidfile"
    exit 1
  fi
  sleep 0.5
done
elapsed=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
echo "hdfs-start: ready in ${elapsed}s (pid $pid): hdfs://127.0.0.1:${rpc_port} webhdfs http://127.0.0.1:${http_port} (log $log)" >&2
