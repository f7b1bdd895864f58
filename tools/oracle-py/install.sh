#!/usr/bin/env bash
# Creates tools/oracle-py/.venv with the pinned requirements (pypaimon 2.1.0 + deps).
# Idempotent: a stamp file in the venv holds the sha256 of requirements.txt; when it
# matches and the venv's python still runs, nothing is done. When requirements.txt
# changed, the venv is rebuilt from scratch so no stale package stays behind.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$HERE/.venv"
REQ="$HERE/requirements.txt"
STAMP="$VENV/.requirements.sha256"
PYTHON="${PYTHON:-python3}"

want="$(sha256sum "$REQ" | cut -d' ' -f1)"

if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]] \
    && "$VENV/bin/python" -c 'import pypaimon' >/dev/null 2>&1; then
  echo "oracle-py: .venv up to date (requirements sha256 ${want:0:12})" >&2
  exit 0
fi

echo "oracle-py: creating $VENV ..." >&2
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
export PIP_DISABLE_PIP_VERSION_CHECK=1
"$VENV/bin/python" -m pip install --quiet --no-input -r "$REQ"
# Smoke test: the oracle's imports work.
"$VENV/bin/python" -c 'import pypaimon, pyarrow, fastavro; from pypaimon import CatalogFactory' >/dev/null
echo "$want" > "$STAMP"
echo "oracle-py: installed $("$VENV/bin/python" -c 'import importlib.metadata as m; print("pypaimon", m.version("pypaimon"), "pyarrow", m.version("pyarrow"))')" >&2
