#!/usr/bin/env bash
# End to end, as the README tells a newcomer: runs the sample's jar (the README's main command,
# on free ports instead of 8080/9090), talks to it with the `call` command, and reads its health
# and meters over HTTP. Needs the jars that `mvn verify` built.
set -euo pipefail
cd "$(dirname "$0")/.."

SAMPLE=sample-app/target/packetstream-sample.jar
CLI=packetstream-cli/target/packetstream.jar
for jar in "$SAMPLE" "$CLI"; do
  [[ -f "$jar" ]] || { echo "sample-e2e: $jar is missing; run mvn verify first" >&2; exit 2; }
done

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
HTTP_PORT=$(free_port)
PS_PORT=$(free_port)
LOG=$(mktemp)
setsid java -jar "$SAMPLE" --server.port="$HTTP_PORT" --server.address=127.0.0.1 \
  --packetstream.server.port="$PS_PORT" >"$LOG" 2>&1 </dev/null &
APP=$!
stop() {
  kill -TERM "$APP" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$APP" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$APP" 2>/dev/null || true
  rm -f "$LOG"
}
trap stop EXIT

fail() {
  echo "sample-e2e: FAIL: $*" >&2
  sed 's/^/[sample] /' "$LOG" >&2
  exit 1
}

deadline=$((SECONDS + 90))
until curl -fs "http://127.0.0.1:$HTTP_PORT/actuator/health" >/dev/null; do
  kill -0 "$APP" 2>/dev/null || fail "the sample exited before it was up"
  ((SECONDS < deadline)) || fail "the sample was not up within 90 s"
  sleep 0.5
done

call() { java -jar "$CLI" call --port "$PS_PORT" "$@"; }

out=$(call --type 1 --text '{"key":"greeting","value":"hello"}') || fail "put: $out"
grep -qx 'ok: true' <<<"$out" || fail "put answered: $out"
out=$(call --type 2 --text greeting) || fail "get: $out"
grep -qx 'payload: hello' <<<"$out" || fail "get answered: $out"
set +e
out=$(call --type 2 --text no-such-key)
rc=$?
set -e
[[ $rc == 1 ]] || fail "get of a missing key exited $rc, not 1: $out"
grep -qx 'ok: false' <<<"$out" || fail "get of a missing key answered: $out"

health=$(curl -fs "http://127.0.0.1:$HTTP_PORT/actuator/health")
grep -q '"packetstream"' <<<"$health" || fail "no packetstream in health: $health"
curl -fs "http://127.0.0.1:$HTTP_PORT/actuator/metrics/packetstream.connections.open" >/dev/null \
  || fail "no packetstream.connections.open meter"
endpoint=$(curl -fs "http://127.0.0.1:$HTTP_PORT/actuator/packetstream") || fail "no packetstream endpoint"
grep -q 'connections' <<<"$endpoint" || fail "the packetstream endpoint lists no connections: $endpoint"
echo "sample-e2e: 5 passed, 0 failed"
