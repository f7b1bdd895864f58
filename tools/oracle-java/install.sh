#!/usr/bin/env bash
# Builds tools/oracle-java/target/paimon-oracle.jar: the Paimon 1.4.2 Java test oracle, one
# runnable jar with the Hadoop client inside, plus target/lib/paimon-s3-1.4.2.jar (Paimon's
# s3:// file system plugin, loaded through the jar's manifest Class-Path). Idempotent: does nothing when the jar is newer
# than pom.xml and every source file. Also records a class-data-sharing archive
# (target/paimon-oracle.jsa) that roughly halves the oracle's JVM start-up time.
#
#   ORACLE_MAVEN_PROFILES=s3  also bundle hadoop-aws (s3a://); adds ~280 MB of AWS SDK
#   ORACLE_FORCE_BUILD=1      rebuild even when the jar looks up to date
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
target="$here/target"
jar="$target/paimon-oracle.jar"
jsa="$target/paimon-oracle.jsa"

command -v java >/dev/null || { echo "install.sh: java (11+, 17 recommended) is required" >&2; exit 1; }
command -v mvn >/dev/null || { echo "install.sh: mvn (Maven 3.8+) is required" >&2; exit 1; }

mkdir -p "$target"
# Concurrent callers (e.g. parallel tests running ./oracle before the jar exists) build once.
if command -v flock >/dev/null; then
  exec 9>"$target/.install.lock"
  flock 9
fi

up_to_date() {
  [[ -f "$jar" && "${ORACLE_FORCE_BUILD:-0}" != "1" ]] || return 1
  # Paimon's s3:// plugin, on the jar's manifest Class-Path (see pom.xml)
  compgen -G "$target/lib/paimon-s3-*.jar" >/dev/null || return 1
  [[ -z "$(find "$here/pom.xml" "$here/src" -type f -newer "$jar" -print -quit)" ]]
}

if ! up_to_date; then
  profiles=()
  if [[ -n "${ORACLE_MAVEN_PROFILES:-}" ]]; then
    profiles=("-P${ORACLE_MAVEN_PROFILES}")
  fi
  log="$target/build.log"
  # Maven's output (even with -q) goes to a log that is shown only when the build fails.
  if ! (cd "$here" && mvn -B -q package -DskipTests ${profiles[@]+"${profiles[@]}"}) >"$log" 2>&1; then
    cat "$log" >&2
    echo "install.sh: maven build failed (log: $log)" >&2
    exit 1
  fi
  [[ -f "$jar" ]] || { echo "install.sh: build finished but $jar is missing" >&2; exit 1; }
  touch "$jar"
  rm -f "$jsa"
fi

# Class-data-sharing archive: a short training run (write, read, describe on a scratch table)
# records the classes it loads. Optional; on any failure the oracle just starts slower.
if [[ ! -f "$jsa" || "$jsa" -ot "$jar" ]]; then
  scratch="$(mktemp -d)"
  trap 'rm -rf "$scratch"' EXIT
  wh="$scratch/wh"
  requests=""
  for fmt in parquet orc avro; do
    requests+='{"id":"w-'$fmt'","cmd":"write","args":{"warehouse":"'$wh'","table":"train.t_'$fmt'",'
    requests+='"create":{"fields":[{"name":"id","type":"BIGINT NOT NULL"},{"name":"s","type":"STRING"},'
    requests+='{"name":"d","type":"DECIMAL(38, 10)"},{"name":"ts","type":"TIMESTAMP(6)"},{"name":"a","type":"ARRAY<INT>"},'
    requests+='{"name":"m","type":"MAP<STRING, BIGINT>"},{"name":"r","type":"ROW<x INT, y STRING>"}],'
    requests+='"primaryKeys":["id"],"options":{"bucket":"1","file.format":"'$fmt'"}},'
    requests+='"commits":[{"rows":[{"kind":"+I","row":{"id":"1","s":"a","d":"1.5","ts":"2024-01-01T00:00:00.000001","a":[1],"m":[["k","1"]],"r":{"x":1,"y":"y"}}}]},'
    requests+='{"rows":[{"kind":"-D","row":{"id":"1"}}],"compact":"full"}]}}'$'\n'
    requests+='{"id":"r-'$fmt'","cmd":"read-table","args":{"warehouse":"'$wh'","table":"train.t_'$fmt'","snapshot":1}}'$'\n'
    requests+='{"id":"d-'$fmt'","cmd":"describe","args":{"warehouse":"'$wh'","table":"train.t_'$fmt'"}}'$'\n'
  done
  if printf '%s' "$requests" | ORACLE_CDS_DUMP="$jsa.tmp" "$here/oracle" serve >"$scratch/out" 2>"$scratch/err" \
      && ! grep -q '"ok":false' "$scratch/out" && [[ -s "$jsa.tmp" ]]; then
    mv -f "$jsa.tmp" "$jsa"
  else
    rm -f "$jsa.tmp"
    echo "install.sh: note: class-data-sharing training run failed; the oracle will start slower" >&2
    sed -n '1,20p' "$scratch/err" >&2
  fi
fi
