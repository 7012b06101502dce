#!/usr/bin/env bash
# End to end, as the README tells a newcomer: runs the sample's jar (the README's main command,
# on free ports instead of 8080/9090), talks to it with the `call` command, and reads its health,
# meters and connections over HTTP. Needs the jars that `mvn verify` built, and only bash, curl
# and Java: both ports are 0 (the system picks free ones); the HTTP port is read from the log,
# the packetstream port from the Actuator endpoint.
set -euo pipefail
cd "$(dirname "$0")/.."

SAMPLE=sample-app/target/packetstream-sample.jar
CLI=packetstream-cli/target/packetstream.jar
for jar in "$SAMPLE" "$CLI"; do
  [[ -f "$jar" ]] || { echo "sample-e2e: $jar is missing; run mvn verify first" >&2; exit 2; }
done

LOG=$(mktemp)
APP=
HOLD=
stop() {
  exec 3>&- 2>/dev/null || true
  if [[ -n "$HOLD" ]]; then
    kill -TERM "$HOLD" 2>/dev/null || true
  fi
  if [[ -n "$APP" ]]; then
    kill -TERM -- "-$APP" 2>/dev/null || kill -TERM "$APP" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$APP" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$APP" 2>/dev/null || kill -KILL "$APP" 2>/dev/null || true
  fi
  rm -f "$LOG"
}
trap stop EXIT
# a cancelled CI job (INT, TERM) exits, and so runs stop: the sample does not outlive it
trap 'exit 143' INT TERM

# its own session and process group (setsid), so that stop ends all of it
setsid java -jar "$SAMPLE" --server.port=0 --server.address=127.0.0.1 \
  --packetstream.server.port=0 >"$LOG" 2>&1 </dev/null &
APP=$!

fail() {
  echo "sample-e2e: FAIL: $*" >&2
  sed 's/^/[sample] /' "$LOG" >&2
  exit 1
}
passed=0
ok() {
  passed=$((passed + 1))
  echo "sample-e2e: ok: $*"
}
get() { curl -fsS --max-time 5 "http://127.0.0.1:$HTTP_PORT$1"; }

deadline=$((SECONDS + 90))
HTTP_PORT=
until [[ -n "$HTTP_PORT" ]]; do
  HTTP_PORT=$(sed -nE 's/.*Tomcat started on port[^0-9]*([0-9]+).*/\1/p' "$LOG" | head -n 1)
  [[ -n "$HTTP_PORT" ]] && break
  kill -0 "$APP" 2>/dev/null || fail "the sample exited before it was up"
  ((SECONDS < deadline)) || fail "the sample did not log its HTTP port within 90 s"
  sleep 0.5
done
until get /actuator/health >/dev/null 2>&1; do
  kill -0 "$APP" 2>/dev/null || fail "the sample exited before it was up"
  ((SECONDS < deadline)) || fail "the sample was not up within 90 s"
  sleep 0.5
done
endpoint=$(get /actuator/packetstream) || fail "no packetstream endpoint"
PS_PORT=$(grep -o '"server":{[^}]*}' <<<"$endpoint" | grep -o '"port":[0-9]*' | cut -d: -f2) \
  || fail "the packetstream endpoint names no server port: $endpoint"
echo "sample-e2e: the sample is up, HTTP on $HTTP_PORT, packetstream on $PS_PORT"

call() { java -jar "$CLI" call --port "$PS_PORT" "$@"; }

out=$(call --type 1 --text '{"key":"greeting","value":"hello"}') || fail "put: $out"
grep -qx 'ok: true' <<<"$out" || fail "put answered: $out"
ok "put"
out=$(call --type 2 --text greeting) || fail "get: $out"
grep -qx 'payload: hello' <<<"$out" || fail "get answered: $out"
ok "get"
set +e
out=$(call --type 2 --text no-such-key)
rc=$?
set -e
[[ $rc == 1 ]] || fail "get of a missing key exited $rc, not 1: $out"
grep -qx 'ok: false' <<<"$out" || fail "get of a missing key answered: $out"
ok "get of a missing key"

# the packetstream component's own status, not any "status" in the document: the top level of
# /actuator/health/packetstream, once the objects nested in it are cut out
# (not get: a DOWN component answers 503, and its document says why)
health=$(curl -sS --max-time 5 "http://127.0.0.1:$HTTP_PORT/actuator/health/packetstream") \
  || fail "no answer from /actuator/health/packetstream"
top=$(sed -E 's/^\{//; s/\}$//; :a; s/\{[^{}]*\}/0/g; ta' <<<"$health")
grep -q '"status":"UP"' <<<"$top" || fail "the packetstream component is not UP: $health"
ok "health: packetstream UP"
get /actuator/metrics/packetstream.connections.open >/dev/null \
  || fail "no packetstream.connections.open meter"
ok "packetstream.connections.open meter"

# the README's look at the server's meters: call --hold-seconds keeps its connection open after
# the answer; the server's request timer counts its request with the successful get before it
call --type 2 --text greeting --hold-seconds 30 >/dev/null 2>&1 &
HOLD=$!
deadline=$((SECONDS + 15))
until metric=$(get '/actuator/metrics/packetstream.server.requests?tag=rq.type:2&tag=outcome:SUCCESS' 2>/dev/null) \
    && grep -qE '"statistic":"COUNT","value":2(\.0)?[,}]' <<<"$metric"; do
  kill -0 "$HOLD" 2>/dev/null || fail "call --hold-seconds 30 ended before its meters showed"
  ((SECONDS < deadline)) || fail "packetstream.server.requests does not count both successful gets of rq.type 2: ${metric:-}"
  sleep 0.3
done
kill -TERM "$HOLD" 2>/dev/null || true
wait "$HOLD" 2>/dev/null || true
HOLD=
ok "call --hold-seconds: the connection's request timer"

# `call` closes its connection at once; hold one open from here (a TCP peer that sends nothing)
# and look for the server's end of it among the endpoint's connections
exec 3<>"/dev/tcp/127.0.0.1/$PS_PORT" || fail "cannot connect to $PS_PORT"
deadline=$((SECONDS + 10))
endpoint=$(get /actuator/packetstream) || fail "no packetstream endpoint"
until grep -q '"name":"packetstream-server#[0-9]*"' <<<"$endpoint"; do
  ((SECONDS < deadline)) || fail "the packetstream endpoint lists no server connection: $endpoint"
  sleep 0.2
  endpoint=$(get /actuator/packetstream) || fail "no packetstream endpoint"
done
exec 3>&-
ok "endpoint lists the open connection"
echo "sample-e2e: $passed passed, 0 failed"
