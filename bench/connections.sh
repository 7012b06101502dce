#!/usr/bin/env bash
# Connection scale (issue 10): what one server JVM spends to hold many idle connections, and how
# it serves a share of them at once. A separate client process, packetstream.jar conn-load (one
# selector thread, no library engine), opens the connections in steps to
#
#   ours      packetstream.jar rr-server; each connection sends one rr request (type 0, 32 bytes)
#             whose answer, the payload reversed, is checked, and then stays open and idle
#   rsocket   the RSocket anchor's server of ../shared/perf (anchors-perf.jar rsocket server),
#             holding the same number of plain TCP connections that send nothing
#
# After each step the script reads the server's /proc/PID/status (VmRSS, VmHWM, Threads) and
# counts /proc/PID/fd. Then ACTIVE of ours's connections keep WINDOW requests in flight each for
# ACTIVE_SECONDS: aggregate rate, p50/p99 latency and errors, and the server's figures after it.
# The lines go to bench/results/connections-<UTC time>.txt (OUT); a Markdown table of them is
# printed on stdout at the end. Without the anchors built, only ours runs (a note says so).
#
# Limits of the machine to keep in mind: 20,000 open files per process, ~32,000 threads in all.
# Today's engine takes 2 threads per connection, so keep its STEPS at or below ~3,000 there.
#
# usage: bench/connections.sh      (run from anywhere, after mvn -B -DskipTests package)
#
# Environment (optional):
#   STEPS            ours's connection totals, rising (default 1000,5000,10000)
#   RSOCKET_STEPS    the RSocket anchor's (default: STEPS)
#   ACTIVE           how many of ours's connections to load after the last step, 0 for none
#                    (default 1000, at most the last step)
#   WINDOW           requests in flight per active connection (default 4)
#   ACTIVE_SECONDS   how long the active phase lasts (default 10)
#   JAVA_OPTS        JVM options of both servers (default -Xmx1g)
#   CLIENT_JAVA_OPTS JVM options of the client (default -Xmx1g)
#   PS_JAR           the jar with rr-server and conn-load (default packetstream-cli/target/packetstream.jar)
#   PERF             the anchors' harness (default ../shared/perf); it must hold
#                    target/anchors-perf.jar, so build a writable copy when ../shared is read-only:
#                    cp -r ../shared/perf /tmp/perf && (cd /tmp/perf && mvn -q -DskipTests package)
#   SETTLE_SECONDS   pause between a step's end and the measurement (default 2)
#   CONNECTING       connections being opened at once by the client (default 100)
#   BASE_PORT        the first port tried on 127.0.0.1 (default 29900, below Linux's ephemeral
#                    ports: a run leaves thousands of closed connections in TIME_WAIT on ephemeral
#                    ports, one of which a second run's server could not bind)
#   OUT              the results file
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PS_JAR="${PS_JAR:-$ROOT/packetstream-cli/target/packetstream.jar}"
PERF="${PERF:-$(cd "$ROOT/.." && pwd)/shared/perf}"
STEPS="${STEPS:-1000,5000,10000}"
RSOCKET_STEPS="${RSOCKET_STEPS:-$STEPS}"
ACTIVE="${ACTIVE:-1000}"
WINDOW="${WINDOW:-4}"
ACTIVE_SECONDS="${ACTIVE_SECONDS:-10}"
JAVA="${JAVA:-java}"
JAVA_OPTS="${JAVA_OPTS:--Xmx1g}"
CLIENT_JAVA_OPTS="${CLIENT_JAVA_OPTS:--Xmx1g}"
SETTLE_SECONDS="${SETTLE_SECONDS:-2}"
CONNECTING="${CONNECTING:-100}"
PORT="${BASE_PORT:-29900}"
START_TIMEOUT=60     # seconds for a server to listen
LINE_TIMEOUT=900     # seconds to wait for the client's next line
SERVER_MAX_SECONDS=3600

[[ -f "$PS_JAR" ]] || { echo "connections.sh: $PS_JAR not found; run: mvn -B -q -DskipTests package" >&2; exit 2; }
for v in STEPS RSOCKET_STEPS; do
  [[ "${!v}" =~ ^[0-9]+(,[0-9]+)*$ ]] || { echo "connections.sh: $v must be numbers joined by commas, got '${!v}'" >&2; exit 2; }
done
for v in ACTIVE WINDOW SETTLE_SECONDS CONNECTING PORT; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || { echo "connections.sh: $v must be a number, got '${!v}'" >&2; exit 2; }
done

mkdir -p "$ROOT/bench/results"
OUT="${OUT:-$ROOT/bench/results/connections-$(date -u +%Y%m%dT%H%M%SZ).txt}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/connections.XXXXXX")"

# Nothing is left running when the script ends, fails or is interrupted: the server runs in a
# process group of its own (setsid), stopped by that group's id; the client by its pid.
SPID="" CPID="" TO="" FROM=""
stop_client() {
  if [[ -n "$TO" ]]; then exec {TO}>&-; TO=""; fi
  if [[ -n "$FROM" ]]; then exec {FROM}<&-; FROM=""; fi
  if [[ -n "$CPID" ]]; then
    kill -TERM "$CPID" 2>/dev/null || true
    wait "$CPID" 2>/dev/null || true
    CPID=""
  fi
}
stop_server() {
  if [[ -n "$SPID" ]]; then
    kill -TERM -- "-$SPID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$SPID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$SPID" 2>/dev/null || true
    wait "$SPID" 2>/dev/null || true
    SPID=""
  fi
}
cleanup() { stop_client; stop_server; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'cleanup; trap - INT; kill -INT $$' INT
trap 'cleanup; exit 143' TERM HUP
trap '' PIPE  # a write to a client that is gone fails rather than ends the script

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# "rss_kb=.. hwm_kb=.. threads=.. fds=.." of a process, each name prefixed with $2
figures() {
  local pid="$1" p="$2" st
  st="$(cat "/proc/$pid/status")"
  printf '%srss_kb=%s %shwm_kb=%s %sthreads=%s %sfds=%s' \
    "$p" "$(awk '/^VmRSS:/ {print $2}' <<<"$st")" "$p" "$(awk '/^VmHWM:/ {print $2}' <<<"$st")" \
    "$p" "$(awk '/^Threads:/ {print $2}' <<<"$st")" "$p" "$(ls "/proc/$pid/fd" | wc -l)"
}

# run IMPL PROTOCOL STEPS ACTIVE SERVER-COMMAND...: one server, one client, a line per measurement
run() {
  local impl="$1" protocol="$2" steps="$3" active="$4" line rc
  shift 4
  while port_open "$PORT"; do PORT=$((PORT + 1)); done
  local log="$WORK/$impl-server.log" clog="$WORK/$impl-client.log"
  setsid "$@" --port "$PORT" >"$log" 2>&1 </dev/null &
  SPID=$!
  local deadline=$((SECONDS + START_TIMEOUT)) bind_retries=0
  until port_open "$PORT"; do
    if ! kill -0 "$SPID" 2>/dev/null && grep -q 'Address already in use' "$log" \
      && ((++bind_retries <= 20)); then
      # the port is held by a closed connection in TIME_WAIT, not a listener: take the next
      PORT=$((PORT + 1))
      setsid "$@" --port "$PORT" >"$log" 2>&1 </dev/null &
      SPID=$!
      continue
    fi
    if ! kill -0 "$SPID" 2>/dev/null || ((SECONDS >= deadline)); then
      echo "connections.sh: the $impl server is not listening on 127.0.0.1:$PORT; its output:" >&2
      cat "$log" >&2
      stop_server
      return 1
    fi
    sleep 0.1
  done
  # setsid did not fork (this shell's jobs are no group leaders), so SPID is the JVM itself
  [[ "$(cat "/proc/$SPID/comm")" == java ]] || { echo "connections.sh: $SPID is not the server JVM" >&2; stop_server; return 1; }
  echo "connections impl=$impl step=0 open=0 $(figures "$SPID" server_)" | tee -a "$OUT"

  local args=(--port "$PORT" --protocol "$protocol" --steps "$steps" --connecting "$CONNECTING" --wait-stdin)
  if ((active > 0)); then
    args+=(--active "$active" --window "$WINDOW" --active-seconds "$ACTIVE_SECONDS")
  fi
  rm -f "$WORK/to" "$WORK/from"
  mkfifo "$WORK/to" "$WORK/from"
  # shellcheck disable=SC2086 # CLIENT_JAVA_OPTS holds several words
  "$JAVA" $CLIENT_JAVA_OPTS -jar "$PS_JAR" conn-load "${args[@]}" <"$WORK/to" >"$WORK/from" 2>"$clog" &
  CPID=$!
  exec {TO}>"$WORK/to"
  exec {FROM}<"$WORK/from"
  while IFS= read -r -t "$LINE_TIMEOUT" -u "$FROM" line; do
    case "$line" in
      "conn step="* | "conn active="*)
        sleep "$SETTLE_SECONDS"
        if ! kill -0 "$SPID" 2>/dev/null; then
          echo "connections.sh: the $impl server is gone; its output:" >&2
          cat "$log" >&2
          break
        fi
        echo "connections impl=$impl ${line#conn } $(figures "$SPID" server_) $(figures "$CPID" client_)" | tee -a "$OUT"
        echo go >&"$TO" || true  # a client that is gone ends the loop at the next read
        ;;
      "conn done "*)
        echo "connections impl=$impl ${line#conn }" | tee -a "$OUT"
        ;;
      *) echo "$line" >&2 ;;
    esac
  done
  exec {TO}>&- {FROM}<&-
  TO="" FROM=""
  rc=0
  wait "$CPID" || rc=$?
  CPID=""
  if [[ "$rc" != 0 ]]; then
    echo "connections.sh: the $impl client exited with $rc; its errors:" >&2
    cat "$clog" >&2
  fi
  stop_server
  head -n 20 "$log" | sed "s/^/# $impl server: /" >>"$OUT"
  PORT=$((PORT + 1))
  return 0
}

{
  echo "# connections.sh $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -srm) nproc=$(nproc) loadavg=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# $("$JAVA" -version 2>&1 | head -n 1)"
  echo "# STEPS=$STEPS RSOCKET_STEPS=$RSOCKET_STEPS ACTIVE=$ACTIVE WINDOW=$WINDOW ACTIVE_SECONDS=$ACTIVE_SECONDS JAVA_OPTS=$JAVA_OPTS CLIENT_JAVA_OPTS=$CLIENT_JAVA_OPTS SETTLE_SECONDS=$SETTLE_SECONDS CONNECTING=$CONNECTING"
  echo "# ulimit -n $(ulimit -n), threads-max $(cat /proc/sys/kernel/threads-max)"
} >>"$OUT"

# shellcheck disable=SC2086 # JAVA_OPTS holds several words
run packetstream-java packetstream "$STEPS" "$ACTIVE" "$JAVA" $JAVA_OPTS -jar "$PS_JAR" rr-server
if [[ -f "$PERF/target/anchors-perf.jar" ]]; then
  # shellcheck disable=SC2086
  run rsocket tcp "$RSOCKET_STEPS" 0 "$JAVA" $JAVA_OPTS -jar "$PERF/target/anchors-perf.jar" rsocket server \
    --max-seconds "$SERVER_MAX_SECONDS"
else
  echo "connections.sh: $PERF/target/anchors-perf.jar not found: only packetstream-java ran, with" \
    "no RSocket figures to compare (build the anchors as the header says, and set PERF)" | tee -a "$OUT" >&2
fi
echo "connections.sh: the lines are in $OUT" >&2

# the table: one row per connection count, ours and the anchor side by side
awk '
  function field(name,   i, kv) {
    for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == name) return kv[2] }
    return ""
  }
  function mb(kb) { return kb == "" ? "-" : sprintf("%.1f", kb / 1024) }
  /^connections / && field("step") != "" {
    impl = field("impl") == "rsocket" ? "r" : "p"; n = field("step") + 0
    if (!(n in seen)) { seen[n] = 1; ns[++count] = n }
    rss[impl, n] = field("server_rss_kb"); thr[impl, n] = field("server_threads"); fds[impl, n] = field("server_fds")
  }
  /^connections / && field("active") != "" {
    active = active sprintf("\n%s, %s connections at window %s for %s s: %s requests/s, p50 %s us, p99 %s us, errors %s; server afterwards: RSS %s MB (peak %s MB), %s threads, %s fds", \
      field("impl"), field("active"), field("window"), field("seconds"), field("rps"), field("p50_us"), field("p99_us"), field("errors"), \
      mb(field("server_rss_kb")), mb(field("server_hwm_kb")), field("server_threads"), field("server_fds"))
  }
  END {
    for (i = 1; i <= count; i++) for (j = i + 1; j <= count; j++) if (ns[j] < ns[i]) { t = ns[i]; ns[i] = ns[j]; ns[j] = t }
    print "| connections | ours RSS MB | ours threads | ours fds | rsocket RSS MB | rsocket threads | rsocket fds |"
    print "|---:|---:|---:|---:|---:|---:|---:|"
    for (i = 1; i <= count; i++) {
      n = ns[i]
      printf "| %d | %s | %s | %s | %s | %s | %s |\n", n, mb(rss["p", n]), \
        (("p", n) in thr) ? thr["p", n] : "-", (("p", n) in fds) ? fds["p", n] : "-", \
        mb(rss["r", n]), (("r", n) in thr) ? thr["r", n] : "-", (("r", n) in fds) ? fds["r", n] : "-"
    }
    if (active != "") print substr(active, 2)
  }
' "$OUT"
grep '^connections impl=[^ ]* done ' "$OUT" | sed 's/^connections impl=\([^ ]*\) done /\1: /' || true
