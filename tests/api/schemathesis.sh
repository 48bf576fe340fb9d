#!/usr/bin/env bash
# The JSON API against its own OpenAPI document, measured by schemathesis with every check:
# as a school admin, an agent and an anonymous caller, on a fresh demo installation.
# Fails when any check fails for any role.
#
# Usage: tests/api/schemathesis.sh [path/to/staffel] [port]
set -u
BIN=$(realpath "${1:-target/debug/staffel}")
PORT=${2:-8797}
CONFIG=$(realpath "$(dirname "$0")/schemathesis.toml")
WORK=$(mktemp -d)
cd "$WORK"
export STAFFEL_DATA_DIR="$WORK/data" ROCKET_PORT=$PORT ROCKET_ADDRESS=127.0.0.1 STAFFEL_BASE_URL="http://127.0.0.1:$PORT"
export ROCKET_LOG_LEVEL=off
"$BIN" demo >/dev/null
SCHOOL=$("$BIN" token new --email admin@gym-mitte.demo | tail -n1)
AGENT=$("$BIN" token new --email agent1@desk.demo | tail -n1)
"$BIN" serve >serve.log 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.5; done
if ! kill -0 $SERVER 2>/dev/null; then
  echo "FAIL the server did not start"
  cat serve.log
  exit 1
fi

failed=0
run() { # run ROLE [HEADER]
  local role=$1
  shift
  echo "== schemathesis as $role"
  # The WebSocket route cannot be spoken by an HTTP fuzzer; its SSE twin is tested. One
  # worker: several threads trip a CPython 3.11 bug in `ast` (SystemError: AST constructor
  # recursion depth mismatch) inside hypothesis.
  if ! st --config-file "$CONFIG" run "http://127.0.0.1:$PORT/api/v1/openapi.json" \
    --checks all --exclude-path '/chats/{id}/ws' \
    --max-examples 20 --seed 20261202 --generation-database none --workers 1 \
    --request-timeout 10 --no-color "$@" >"$WORK/$role.out" 2>&1; then
    failed=$((failed + 1))
    cat "$WORK/$role.out"
  else
    sed -n '/SUMMARY/,$p' "$WORK/$role.out"
  fi
}
run school_admin -H "Authorization: Bearer $SCHOOL"
run agent -H "Authorization: Bearer $AGENT"
run anonymous
if ! kill -0 $SERVER 2>/dev/null; then
  echo "FAIL the server died during the run"
  tail -n 40 serve.log
  failed=$((failed + 1))
fi
echo "schemathesis: $failed of 3 roles failed"
[ "$failed" = 0 ]
