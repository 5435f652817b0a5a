#!/usr/bin/env bash
# Fuzzes the committed spec (openapi/openapi.yaml) with schemathesis against
# `api serve --demo` on a fresh SQLite database, once per token: bureau_admin
# (admin02), an org_user (org09) and an expert (expert01); all checks, seed 42.
# Fails on any server error or conformance failure.
#   SCHEMATHESIS   the schemathesis executable (default: on PATH)
#   ST_EXAMPLES    max examples per operation and token (default 30)
#   ST_MAX_TIME    seconds per token for the whole run (CI: 60; default: none)
#   ST_USERS       the accounts (default: admin02 org09 expert01)
#   ST_REPORT_DIR  where the JUnit/NDJSON reports go (default: a temp folder)
set -euo pipefail
if ! command -v python3 >/dev/null 2>&1; then
  echo "schemathesis pass skipped: Python 3 is not installed"
  exit 0
fi
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ST="${SCHEMATHESIS:-schemathesis}"
EXAMPLES="${ST_EXAMPLES:-30}"
REPORTS="${ST_REPORT_DIR:-$(mktemp -d)}"
mkdir -p "$REPORTS"
status=0
# A fresh demo server per token: the administrator's pass may disable or
# reset accounts it finds through the API's links.
for user in ${ST_USERS:-admin02 org09 expert01}; do
  (
    source "$HERE/server.sh"
    cd "$WORK"  # schemathesis keeps a cache in the working folder
    tok="$(token "$user")"
    echo "--- schemathesis as $user ($EXAMPLES examples per operation, seed 42)"
    "$ST" --config-file "$ROOT/tests/spec/schemathesis.toml" --no-color \
      run "$ROOT/openapi/openapi.yaml" --url "$BASE/api/v1" \
      -H "Authorization: Bearer $tok" \
      --checks all --seed 42 --max-examples "$EXAMPLES" --workers 1 ${ST_MAX_TIME:+--max-time "$ST_MAX_TIME"} \
      --generation-database none --output-truncate true --suppress-health-check too_slow \
      --report junit,ndjson --report-dir "$REPORTS/$user" \
      || { echo "schemathesis found failures as $user; server log: $WORK/server.log" >&2; exit 1; }
  ) || status=1
done
exit "$status"
