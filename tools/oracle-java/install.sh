#!/usr/bin/env bash
# Builds tools/oracle-java/target/paimon-oracle.jar (Paimon 1.4.2 + Hadoop client, one runnable jar).
# Idempotent: does nothing when the jar is newer than pom.xml and every source file.
# ORACLE_MAVEN_PROFILES=s3 adds hadoop-aws (s3a://); ORACLE_FORCE_BUILD=1 rebuilds regardless.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
jar="$here/target/paimon-oracle.jar"

command -v java >/dev/null || { echo "install.sh: java (17+) is required" >&2; exit 1; }
command -v mvn >/dev/null || { echo "install.sh: mvn (Maven 3.8+) is required" >&2; exit 1; }

if [[ -f "$jar" && "${ORACLE_FORCE_BUILD:-0}" != "1" ]]; then
  newer="$(find "$here/pom.xml" "$here/src" -type f -newer "$jar" -print -quit)"
  if [[ -z "$newer" ]]; then
    exit 0
  fi
fi

profiles=()
if [[ -n "${ORACLE_MAVEN_PROFILES:-}" ]]; then
  profiles=("-P${ORACLE_MAVEN_PROFILES}")
fi

cd "$here"
mkdir -p "$here/target"
log="$here/target/build.log"
# Maven's output (even with -q) is kept in a log and shown only when the build fails.
if ! mvn -B -q package -DskipTests ${profiles[@]+"${profiles[@]}"} >"$log" 2>&1; then
  cat "$log" >&2
  echo "install.sh: maven build failed (log: $log)" >&2
  exit 1
fi
test -f "$jar" || { echo "install.sh: build finished but $jar is missing" >&2; exit 1; }
# make sure the jar is newer than the sources even if the build reused outputs
touch "$jar"
