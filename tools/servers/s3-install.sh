#!/usr/bin/env bash
# Installs moto's standalone server (pinned in s3-requirements.txt) into
# tools/servers/.venv-s3. Idempotent: a stamp holds the sha256 of the requirements;
# when it matches and moto_server still imports, nothing is done.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$HERE/.venv-s3"
REQ="$HERE/s3-requirements.txt"
STAMP="$VENV/.requirements.sha256"
PYTHON="${PYTHON:-python3}"

want="$(sha256sum "$REQ" | cut -d' ' -f1)"
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]] \
    && "$VENV/bin/python" -c 'import moto.server' >/dev/null 2>&1; then
  echo "s3-install: .venv-s3 up to date (requirements sha256 ${want:0:12})" >&2
  exit 0
fi

echo "s3-install: creating $VENV ..." >&2
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
export PIP_DISABLE_PIP_VERSION_CHECK=1
"$VENV/bin/python" -m pip install --quiet --no-input -r "$REQ"
"$VENV/bin/python" -c 'import moto.server' >/dev/null
echo "$want" > "$STAMP"
echo "s3-install: installed moto $("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("moto"))')" >&2
