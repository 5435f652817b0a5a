#!/usr/bin/env bash
# Lints the committed spec with openapi-spec-validator, generates a Python client from the committed spec with openapi-python-client
# (any warning fails: a dropped schema or response), then runs
# tests/spec/alliance_flow.py with it against `api serve --demo`.
#   OPENAPI_PYTHON_CLIENT  the generator (default: on PATH)
#   OPENAPI_SPEC_VALIDATOR the linter (default: on PATH)
#   PYTHON                 the interpreter that has httpx and attrs (default python3)
set -euo pipefail
if ! command -v python3 >/dev/null 2>&1; then
  echo "generated-client check skipped: Python 3 is not installed"
  exit 0
fi
source "$(dirname "${BASH_SOURCE[0]}")/server.sh"
"${OPENAPI_SPEC_VALIDATOR:-openapi-spec-validator}" "$ROOT/openapi/openapi.yaml"
GEN="${OPENAPI_PYTHON_CLIENT:-openapi-python-client}"
PY="${PYTHON:-python3}"
out="$WORK/client"
mkdir -p "$out"
log="$out/generate.log"
(cd "$out" && "$GEN" generate --path "$ROOT/openapi/openapi.yaml" --config "$ROOT/tests/spec/client-config.yaml" \
  --meta none --output-path dg_registry_client) >"$log" 2>&1 || { cat "$log"; exit 1; }
cat "$log"
if grep -qiE "warning|error|unable|skipp" "$log"; then
  echo "openapi-python-client reported problems generating the client (see above)" >&2
  exit 1
fi
PYTHONPATH="$out" "$PY" "$ROOT/tests/spec/alliance_flow.py" "$BASE"
