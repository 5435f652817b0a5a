# Sourced by the spec scripts: starts `api serve --demo` on a fresh SQLite
# database in a temporary folder, on a free port, and stops it on exit.
#   API_BIN   the api binary (default target/debug/api, built if missing)
# Sets BASE (http://127.0.0.1:PORT) and WORK (the temporary folder).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
API_BIN="${API_BIN:-$ROOT/target/debug/api}"
if [ ! -x "$API_BIN" ]; then
  (cd "$ROOT" && cargo build -q -p api)
fi
WORK="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
export REGISTRY_DATABASE_URL="sqlite://$WORK/registry.db?mode=rwc"
export REGISTRY_BIND="127.0.0.1:$PORT"
export REGISTRY_PUBLIC_BASE_URL="$BASE"
export REGISTRY_DOCUMENTS_DIR="$WORK/documents"
export REGISTRY_ADMIN_PASSWORD="Admin@2026dg-spec"
export REGISTRY_ACCESS_TOKEN_TTL_SECS=7200
export REGISTRY_LOG_FORMAT=json
export REGISTRY_SCHEDULER__ENABLED=false
(cd "$WORK" && exec "$API_BIN" serve --demo >"$WORK/server.log" 2>&1) &
SERVER_PID=$!
stop_server() { kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; }
trap stop_server EXIT
for _ in $(seq 1 120); do
  if curl -fsS "$BASE/readyz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then cat "$WORK/server.log"; echo "server did not start" >&2; exit 1; fi
  sleep 1
done
curl -fsS "$BASE/readyz" >/dev/null

# token USERNAME: an access token of a demo account (password Demo@2026dg).
token() {
  curl -fsS -X POST "$BASE/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"Demo@2026dg\"}" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
