#!/usr/bin/env bash
# Write benchmark: the same generated CDC stream written by paimon-ts, Java Paimon 1.4.2 and
# pypaimon 2.1.0, one after another, each in its own process under /usr/bin/time -v; every
# final table is read back by Java and compared with the generator's model. Prints a markdown
# report and writes it into docs/benchmarks.md (see tools/bench/README.md).
#
#   bash tools/bench/run.sh [--rows N] [--batch N] [--workdir DIR] [--keep] [--no-doc]
#                           [--only paimon-ts,java,pypaimon]
#
#   defaults: --rows 1000000 --batch 10000, workdir /tmp/paimon-ts-bench-PID
#   quick try: bash tools/bench/run.sh --rows 100000 --no-doc
#
#   BENCH_SKIP_BUILD=1    do not (re)build the TypeScript packages, the oracle jar or the venv
#   BENCH_JAVA_OPTS=...   JVM flags of the Java writer (default: -Xmx2g)
#   BENCH_NODE_OPTS=...   node flags of the paimon-ts writer (e.g. --cpu-prof --cpu-prof-dir=DIR)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

[[ -x /usr/bin/time ]] || { echo "run.sh: /usr/bin/time (GNU time) is required for peak RSS" >&2; exit 1; }
command -v java >/dev/null || { echo "run.sh: java is required" >&2; exit 1; }

if [[ "${BENCH_SKIP_BUILD:-0}" != "1" ]]; then
  echo "[bench] building @paimon-ts/bench and its dependencies ..." >&2
  pnpm -s turbo run build --filter=@paimon-ts/bench... --output-logs=errors-only >&2
  echo "[bench] oracle jar and pypaimon venv ..." >&2
  bash tools/oracle-java/install.sh >&2
  bash tools/oracle-py/install.sh >&2
fi

exec node "$here/dist/run.js" "$@"
