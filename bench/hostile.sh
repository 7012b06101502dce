#!/usr/bin/env bash
# Hostile peers (issue 11, item 3): one rr-server in a JVM of its own with a 512 MB heap; good
# clients (packetstream.jar hostile, another JVM) measure their rate and p99 for a baseline, then
# again while hostile peers from the same client process attack the server: 50 tricklers
# announcing a frame just under the server's limit and sending a byte every 200 ms, 5 flooders
# that never read, a random-bytes loop, a connect-and-close loop, a peer holding up to 1000
# silent connections. After the attack the command asks the server (--heap-requests) for its heap
# in use after a GC, and reads the server's log (its stderr) for the lines that name what it
# dropped and why. The goals, checked by the command (exit 1 when one is missed): no
# OutOfMemoryError, 0 defects, the attack's rate at least 60% of the baseline's, the heap back
# within 16 MB of its baseline, a log line for each kind of peer the server dropped.
#
# The results (the command's lines, the server's log, the machine's load) go to
# bench/results/hostile-<UTC time>.txt (OUT).
#
# usage: bench/hostile.sh      (run from anywhere, after mvn -B -DskipTests package)
#
# Environment (optional):
#   JAVA              the java binary of both JVMs (default: java on the PATH)
#   SERVER_HEAP       the server's -Xmx (default 512m)
#   SERVER_OPTS       rr-server's options besides --port and --heap-requests
#                     (default: --idle-timeout-ms 10000, so that silent peers are dropped)
#   CLIENT_JAVA_OPTS  JVM options of the client (default -Xmx1g)
#   WARMUP_SECONDS    good load before the baseline, not measured (default 5)
#   BASELINE_SECONDS  the baseline phase (default 10)
#   ATTACK_SECONDS    the attack phase (default 60)
#   HOSTILE_OPTS      more options of the hostile command (e.g. --min-ratio 0 --tricklers 10)
#   PS_JAR            the jar (default packetstream-cli/target/packetstream.jar)
#   BASE_PORT         the server's port on 127.0.0.1 (default: 20000 + a random number below 10000)
#   OUT               the results file
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PS_JAR="${PS_JAR:-$ROOT/packetstream-cli/target/packetstream.jar}"
JAVA="${JAVA:-java}"
SERVER_HEAP="${SERVER_HEAP:-512m}"
SERVER_OPTS="${SERVER_OPTS:---idle-timeout-ms 10000}"
CLIENT_JAVA_OPTS="${CLIENT_JAVA_OPTS:--Xmx1g}"
WARMUP_SECONDS="${WARMUP_SECONDS:-5}"
BASELINE_SECONDS="${BASELINE_SECONDS:-10}"
ATTACK_SECONDS="${ATTACK_SECONDS:-60}"
HOSTILE_OPTS="${HOSTILE_OPTS:-}"
PORT="${BASE_PORT:-$((20000 + RANDOM % 10000))}"
START_TIMEOUT=60   # seconds for the server to listen

[[ -f "$PS_JAR" ]] || { echo "hostile.sh: $PS_JAR not found; run: mvn -B -q -DskipTests package" >&2; exit 2; }
for v in WARMUP_SECONDS BASELINE_SECONDS ATTACK_SECONDS PORT; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || { echo "hostile.sh: $v must be a whole number, got '${!v}'" >&2; exit 2; }
done

mkdir -p "$ROOT/bench/results"
OUT="${OUT:-$ROOT/bench/results/hostile-$(date -u +%Y%m%dT%H%M%SZ).txt}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/hostile.XXXXXX")"
SERVER_LOG="$WORK/server.log"

# Nothing is left running when the script ends, fails or is interrupted: the server runs in a
# process group of its own (setsid), stopped by that group's id.
SPID=""
stop_server() {
  if [[ -n "$SPID" ]]; then
    kill -TERM -- "-$SPID" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$SPID" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL -- "-$SPID" 2>/dev/null || true
    wait "$SPID" 2>/dev/null || true
    SPID=""
  fi
}
trap 'stop_server; rm -rf "$WORK"' EXIT
trap 'exit 143' INT TERM

{
  echo "# bench/hostile.sh $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "# java: $("$JAVA" -version 2>&1 | head -1)"
  echo "# machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start"
  echo "# server: $JAVA -Xmx$SERVER_HEAP -jar packetstream.jar rr-server --port $PORT --heap-requests $SERVER_OPTS"
  echo "# client: hostile --warmup-seconds $WARMUP_SECONDS --baseline-seconds $BASELINE_SECONDS --attack-seconds $ATTACK_SECONDS $HOSTILE_OPTS"
} > "$OUT"

# shellcheck disable=SC2086 # the options are words on purpose
setsid "$JAVA" "-Xmx$SERVER_HEAP" -jar "$PS_JAR" rr-server --port "$PORT" --heap-requests $SERVER_OPTS \
  > "$WORK/server.out" 2> "$SERVER_LOG" &
SPID=$!
for _ in $(seq 1 $((START_TIMEOUT * 10))); do
  grep -q "listening on" "$SERVER_LOG" 2>/dev/null && break
  kill -0 "$SPID" 2>/dev/null || { cat "$SERVER_LOG" >&2; echo "hostile.sh: the server did not start" >&2; exit 1; }
  sleep 0.1
done
grep -q "listening on" "$SERVER_LOG" || { echo "hostile.sh: the server is not listening after ${START_TIMEOUT} s" >&2; exit 1; }

status=0
# shellcheck disable=SC2086
"$JAVA" $CLIENT_JAVA_OPTS -jar "$PS_JAR" hostile --port "$PORT" --server-log "$SERVER_LOG" \
  --warmup-seconds "$WARMUP_SECONDS" --baseline-seconds "$BASELINE_SECONDS" \
  --attack-seconds "$ATTACK_SECONDS" $HOSTILE_OPTS 2> "$WORK/client.err" | tee -a "$OUT" || status=$?

alive=yes
kill -0 "$SPID" 2>/dev/null || alive=no
rss_kb=$(awk '/^VmRSS/ {print $2}' "/proc/$SPID/status" 2>/dev/null || echo -1)
hwm_kb=$(awk '/^VmHWM/ {print $2}' "/proc/$SPID/status" 2>/dev/null || echo -1)
echo "hostile server alive=$alive rss_kb=${rss_kb:--1} hwm_kb=${hwm_kb:--1}" | tee -a "$OUT"
stop_server
{
  echo "# machine: load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
  echo "# the client's stderr:"
  sed 's/^/#   /' "$WORK/client.err"
  echo "# the server's log (stderr), whole: the library logs dropped peers once per 30 s per kind"
  sed 's/^/#   /' "$SERVER_LOG"
} >> "$OUT"
if [[ "$alive" != yes ]]; then
  echo "hostile.sh: the server died during the run" >&2
  status=1
fi
echo "hostile.sh: results in $OUT (exit $status)"
exit "$status"
