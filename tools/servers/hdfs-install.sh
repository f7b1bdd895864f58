#!/usr/bin/env bash
# Builds the HDFS test server (tools/servers/hdfs): a MiniDFSCluster launcher, Hadoop
# 3.3.6 from Maven Central, as target/hdfs-test-server.jar + target/lib/*.jar.
# Idempotent: does nothing when the jar is newer than pom.xml and every source file.
# HDFS_FORCE_BUILD=1 rebuilds regardless. Needs java (17+) and mvn (3.8+).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/hdfs"
jar="$here/target/hdfs-test-server.jar"

command -v java >/dev/null || { echo "hdfs-install: java (17+) is required" >&2; exit 1; }
command -v mvn >/dev/null || { echo "hdfs-install: mvn (Maven 3.8+) is required" >&2; exit 1; }

if [[ -f "$jar" && -d "$here/target/lib" && "${HDFS_FORCE_BUILD:-0}" != "1" ]]; then
  newer="$(find "$here/pom.xml" "$here/src" -type f -newer "$jar" -print -quit)"
  if [[ -z "$newer" ]]; then
    echo "hdfs-install: up to date ($jar)" >&2
    exit 0
  fi
fi

start=$(date +%s)
cd "$here"
mkdir -p "$here/target"
log="$here/target/build.log"
# Maven's output (even with -q) is kept in a log and shown only when the build fails.
# target/lib is rebuilt from scratch so a dependency dropped from the pom leaves no jar behind.
rm -rf "$here/target/lib"
if ! mvn -B -q package -DskipTests >"$log" 2>&1; then
  cat "$log" >&2
  echo "hdfs-install: maven build failed (log: $log)" >&2
  exit 1
fi
test -f "$jar" || { echo "hdfs-install: build finished but $jar is missing" >&2; exit 1; }
touch "$jar"
echo "hdfs-install: built $jar ($(ls "$here/target/lib" | wc -l) jars, $(du -sh "$here/target/lib" | cut -f1)) in $(( $(date +%s) - start ))s" >&2
