#!/usr/bin/env bash
# The README quick start, step by step: a verified delivery, a retry and a
# dead letter, and its redrive. Run it while `make dev` runs in another
# terminal.
# Knobs: HOOKRELAY_ADDR (API, default 127.0.0.1:8080), LISTEN_PORT (receiver,
# default 9000), HOOKRELAY (the CLI, default `go run ./cmd/hookrelay`),
# QUICKSTART_WAIT (seconds to wait for each step, default 300: the default
# retry schedule takes 90 s to reach attempt 3).
set -euo pipefail
cd "$(dirname "$0")/.."
HK=${HOOKRELAY:-go run ./cmd/hookrelay}
API=http://${HOOKRELAY_ADDR:-127.0.0.1:8080}
PORT=${LISTEN_PORT:-9000}
WORK=$(mktemp -d)
stop_listener() { if [ -n "${LPID:-}" ]; then pkill -P "$LPID" 2>/dev/null || true; kill "$LPID" 2>/dev/null || true; wait "$LPID" 2>/dev/null || true; fi; }
trap 'stop_listener; rm -rf "$WORK"' EXIT
# wait_for FILE TEXT: wait until FILE contains TEXT (a grep pattern), then print FILE.
# A receiver that exited (its port taken, say) fails the wait at once, with
# its own words, instead of after the whole wait.
wait_for() {
  for _ in $(seq "${QUICKSTART_WAIT:-300}"); do
    grep -q -- "$2" "$1" 2>/dev/null && { cat "$1"; return; }
    if [ -n "${LPID:-}" ] && ! kill -0 "$LPID" 2>/dev/null; then
      echo "quickstart: the receiver on port $PORT exited (LISTEN_PORT picks another):" >&2; cat "$1" >&2; return 1
    fi
    sleep 1
  done
  echo "quickstart: timed out waiting for '$2' in:" >&2; cat "$1" >&2; return 1
}
# listen FLAGS...: (re)start the receiver on $PORT; its output goes to listen.log.
# The secret goes in through the environment: a --secret value would be
# readable by every user of the machine in the process list.
listen() { stop_listener; HOOKRELAY_LISTEN_SECRET="$SECRET" $HK listen --port "$PORT" "$@" >"$WORK/listen.log" 2>&1 & LPID=$!; wait_for "$WORK/listen.log" '^Listening on' >/dev/null; }
# publish: step 4, one emailClick event.
publish() {
  curl -sSf -X POST "$API/api/v1/events" -H "Authorization: Bearer $T" -H 'Content-Type: application/json' \
    -d '{"event_name":"emailClick","data":{"email":"jane@example.com","message_id":"msg_1","url":"https://example.com/pricing","occurred_at":"2026-11-23T10:00:00Z"}}'
  echo
}

echo "== 1. a token for organization org_a"
T=$($HK token --org org_a)

echo "== 2. register an endpoint (the signing secret is returned once, here)"
curl -sSf -X POST "$API/api/v1/organization/webhooks" -H "Authorization: Bearer $T" -H 'Content-Type: application/json' \
  -d "{\"name\":\"My endpoint\",\"url\":\"http://127.0.0.1:$PORT/hook\",\"event_types\":[\"emailClick\"]}" >"$WORK/webhook.json"
SECRET=$(grep -o '"signing_secret":"[^"]*"' "$WORK/webhook.json" | cut -d'"' -f4)
ID=$(grep -o '"id":"wh_[^"]*"' "$WORK/webhook.json" | cut -d'"' -f4)
echo "webhook $ID"

echo "== 3. a local receiver that verifies both signature families"
listen

echo "== 4. publish an event: the receiver prints it, verified"
publish
wait_for "$WORK/listen.log" 'attempt 1 .*✓ webhook-signature  → 200'

echo "== 5. a retry: the receiver fails twice, attempt 3 is delivered (same delivery id)"
listen --fail-first 2
publish
wait_for "$WORK/listen.log" 'attempt 3 .*→ 200'
echo "-- the attempt log, newest first:"
curl -sSf "$API/api/v1/organization/webhooks/$ID/deliveries?limit=3" -H "Authorization: Bearer $T"; echo

echo "== 6. a dead letter: 400 is permanent, so the delivery goes to the DLQ at once"
listen --status 400
publish
wait_for "$WORK/listen.log" 'attempt 1 .*→ 400'
for _ in $(seq 30); do $HK dlq ls --webhook "$ID" >"$WORK/dlq.txt" && grep -q permanent_status "$WORK/dlq.txt" && break; sleep 1; done
cat "$WORK/dlq.txt"

echo "== 7. the endpoint fixed (the receiver answers 200 again): redrive its dead letters, same delivery id"
DLV=$(grep -o 'dlv_[0-9a-f]*  attempt 1 .*→ 400' "$WORK/listen.log" | head -1 | cut -d' ' -f1)
listen
$HK dlq redrive --webhook "$ID"
wait_for "$WORK/listen.log" "${DLV:?no dead-lettered delivery id in the receiver output} .*→ 200"
$HK dlq ls --webhook "$ID"
