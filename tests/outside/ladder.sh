#!/usr/bin/env bash
# The ladder from outside, as an integrator meets it: only the CLI and the JSON API of
# SPEC §11, and the mails the file transport writes to the outbox. A fresh data dir; with
# STAFFEL_DATABASE_URL set, that database (PostgreSQL) instead of SQLite.
#
# Usage: tests/outside/ladder.sh [path/to/staffel] [port]   — ends with "N passed, N failed".
set -u
BIN=$(realpath "${1:-target/debug/staffel}")
PORT=${2:-8791}
WORK=$(mktemp -d)
cd "$WORK"
export STAFFEL_DATA_DIR="$WORK/data" ROCKET_PORT=$PORT ROCKET_ADDRESS=127.0.0.1 STAFFEL_BASE_URL="http://127.0.0.1:$PORT"
export ROCKET_LOG_LEVEL=off
passed=0
failed=0
check() { # check WHAT EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then passed=$((passed + 1)); echo "ok   $1"; else failed=$((failed + 1)); echo "FAIL $1: expected $2, got $3"; fi
}
status() { curl -s -o /dev/null -w "%{http_code}" "$@"; }
json() { curl -s -H 'Content-Type: application/json' "$@"; }

"$BIN" migrate >/dev/null
"$BIN" school add --slug gym --name "Gymnasium Nord" >/dev/null
"$BIN" user add --email sa@gym.test --name "Sam Admin" --role school_admin --school gym --password geheim-geheim-1 >/dev/null
"$BIN" user add --email ag@desk.test --name "Agnes Agent" --role agent --password geheim-geheim-2 >/dev/null
"$BIN" provider add --slug netz --name "Netz GmbH" --email noc@netz.test --service network >/dev/null
SCHOOL=$("$BIN" token new --email sa@gym.test | tail -n1)
AGENT=$("$BIN" token new --email ag@desk.test | tail -n1)
"$BIN" serve >serve.log 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 1 60); do [ "$(status "http://127.0.0.1:$PORT/healthz")" = 200 ] && break; sleep 0.5; done
API="http://127.0.0.1:$PORT/api/v1"

check "the school admin is known" sa@gym.test "$(json -H "Authorization: Bearer $SCHOOL" "$API/me" | python3 -c 'import json,sys; print(json.load(sys.stdin)["email"])')"
check "the school opens a ticket" 201 "$(status -X POST -H "Authorization: Bearer $SCHOOL" -H 'Content-Type: application/json' \
  -d '{"title":"WLAN im Altbau weg","description":"Seit 8 Uhr kein Netz","service":"network","priority":"P2","triage":{"scope":"school","fault_type":"unknown"}}' "$API/tickets")"
check "the agent takes it" 200 "$(status -X POST -H "Authorization: Bearer $AGENT" -H 'Content-Type: application/json' -d '{"agent":"me"}' "$API/tickets/T-000001/assign")"
check "the agent forwards it with P2" 200 "$(status -X POST -H "Authorization: Bearer $AGENT" -H 'Content-Type: application/json' \
  -d '{"provider":"netz","priority":"P2","message":"Bitte den Uplink prüfen"}' "$API/tickets/T-000001/forward")"
TOKEN=""
for _ in $(seq 1 20); do
  TOKEN=$(grep -sho "/provider/[0-9a-f]\{64\}" data/outbox/*.eml | head -n1 | cut -d/ -f3)
  [ -n "$TOKEN" ] && break
  sleep 0.5
done
check "the provider's mail carries its link" 64 "${#TOKEN}"
check "the link opens the shared ticket" 200 "$(status "$API/provider/$TOKEN")"
check "the provider acknowledges" 200 "$(status -X POST -H 'Content-Type: application/json' -d '{"reference":"NN-4711"}' "$API/provider/$TOKEN/ack")"
check "the provider resolves" 200 "$(status -X POST -H 'Content-Type: application/json' -d '{"solution":"Switch im Keller getauscht"}' "$API/provider/$TOKEN/resolve")"
check "the ticket is back at the desk, resolved" resolved "$(json -H "Authorization: Bearer $AGENT" "$API/tickets/T-000001" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')"
check "the agent closes it" 200 "$(status -X POST -H "Authorization: Bearer $AGENT" -H 'Content-Type: application/json' -d '{}' "$API/tickets/T-000001/close")"
check "the closed ticket's link is gone" 410 "$(status "$API/provider/$TOKEN")"
check "a mistyped link was never there" 404 "$(status "$API/provider/${TOKEN:0:63}x")"
SOLVED=""
for _ in $(seq 1 20); do
  SOLVED=$(grep -sl "Switch im Keller getauscht" data/outbox/*.eml | xargs -r grep -l "^To:.*sa@gym.test" | head -n1)
  [ -n "$SOLVED" ] && break
  sleep 0.5
done
check "the school admin gets the solution by mail" yes "$([ -n "$SOLVED" ] && echo yes || echo no)"
check "the school sees it closed" closed "$(json -H "Authorization: Bearer $SCHOOL" "$API/tickets/T-000001" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')"

echo "outside: $passed passed, $failed failed"
[ "$failed" = 0 ]
