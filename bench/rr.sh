#!/usr/bin/env bash
# Runs the rr load (CONFORMANCE.md section 2) with packetstream.jar's rr-server and rr-client for
# the four configurations of issue 3 -- windows 1, 16 and 256 at 32-byte payloads, window 64 at
# 4096 bytes -- and prints the result lines.
#
# When the anchors of ../shared/perf are built (target/anchors-perf.jar), the same configurations
# run interleaved with them (raw, grpc, rsocket) through that harness's bench.sh, which also
# prints the medians as a Markdown table. Without them (a note on stderr says so unless
# ANCHORS=0) only ours runs. Either way the lines are kept under bench/results/ (OUT).
#
# Ours runs twice per configuration: as "packetstream-java" with the library's defaults, and as
# "packetstream-java-spin" with a read spin of SPIN_US microseconds on both ends (README,
# "Spinning readers"), relabelled so that the two get rows of their own.
#
# See also bench/connections.sh: the server's memory, threads and file descriptors for 1k to
# 10k held connections against the RSocket anchor's, and 1,000 of them active at window 4.
#
# usage: bench/rr.sh [REPS]         (default 3; run from anywhere, after mvn -DskipTests package)
#
# Environment (optional):
#   ANCHORS=0        only ours, even when the anchors are built
#   IMPLS            implementations for the interleaved run (default "raw grpc rsocket ps ps-spin")
#   SPIN_US          the read spin of ps-spin, in microseconds (default 50)
#   OUT              the results file (default bench/results/rr-<UTC time>.txt)
#   CONFIGS          WINDOW:PAYLOAD pairs (default "1:32 16:32 256:32 64:4096")
#   JAVA_OPTS        JVM options of server and client (default -Xms512m -Xmx512m -XX:+UseParallelGC)
#   PS_ARGS          extra rr-server/rr-client options, e.g. "--grace-ms 1"
#   PS_JAR           the jar to measure (default packetstream-cli/target/packetstream.jar);
#                    a copy keeps a long run safe from rebuilds
#   PERF             the anchors' harness (default ../shared/perf); point it at a writable copy
#                    when ../shared is read-only, e.g. cp -r ../shared/perf /tmp/perf and build
#                    there with (cd /tmp/perf && mvn -q -DskipTests package)
#   KEEP_AWAKE=1     passed on to the harness (see its README)
#   BEFORE_JAR       another build's packetstream.jar (e.g. the previous release's), measured
#                    interleaved as "packetstream-java-before" (impl ps-before) beside ours, for
#                    before/after comparisons of an engine change
#   N_ps_<w>_<b>     our measured request count per configuration
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PS_JAR="${PS_JAR:-$ROOT/packetstream-cli/target/packetstream.jar}"
PERF="${PERF:-$(cd "$ROOT/.." && pwd)/shared/perf}"
REPS="${1:-3}"
CONFIGS="${CONFIGS:-1:32 16:32 256:32 64:4096}"
export JAVA_OPTS="${JAVA_OPTS:--Xms512m -Xmx512m -XX:+UseParallelGC}"
PS_ARGS="${PS_ARGS:-}"
JAVA="${JAVA:-java}"

# the script runs from the repository, so that the results name their files relative to it: the
# paths given relative to where it was started are made absolute first
absolute() { if [[ -z "$1" || "$1" == /* ]]; then echo "$1"; else echo "$PWD/$1"; fi; }
PS_JAR="$(absolute "$PS_JAR")"
PERF="$(absolute "$PERF")"
BEFORE_JAR="$(absolute "${BEFORE_JAR:-}")"
[[ -z "${OUT:-}" ]] || OUT="$(absolute "$OUT")"
cd "$ROOT"

[[ -f "$PS_JAR" ]] || { echo "rr.sh: $PS_JAR not found; run: mvn -q -B -DskipTests package" >&2; exit 2; }

# measured requests per configuration: each measured phase lasts a few seconds here
export N_ps_1_32="${N_ps_1_32:-100000}"
export N_ps_16_32="${N_ps_16_32:-1000000}"
export N_ps_256_32="${N_ps_256_32:-4000000}"
export N_ps_64_4096="${N_ps_64_4096:-1000000}"

export N_ps_before_1_32="${N_ps_before_1_32:-$N_ps_1_32}"
export N_ps_before_16_32="${N_ps_before_16_32:-$N_ps_16_32}"
export N_ps_before_256_32="${N_ps_before_256_32:-$N_ps_256_32}"
export N_ps_before_64_4096="${N_ps_before_64_4096:-$N_ps_64_4096}"

export N_ps_spin_1_32="${N_ps_spin_1_32:-300000}"
export N_ps_spin_16_32="${N_ps_spin_16_32:-3000000}"
export N_ps_spin_256_32="${N_ps_spin_256_32:-6000000}"
export N_ps_spin_64_4096="${N_ps_spin_64_4096:-1000000}"
SPIN_US="${SPIN_US:-50}"

SERVER="$JAVA $JAVA_OPTS -jar $PS_JAR rr-server --port PORT $PS_ARGS"
CLIENT="$JAVA $JAVA_OPTS -jar $PS_JAR rr-client --port PORT --requests REQUESTS --window WINDOW --payload PAYLOAD $PS_ARGS"
SPIN_SERVER="$SERVER --spin-us $SPIN_US"
BEFORE_SERVER="$JAVA $JAVA_OPTS -jar ${BEFORE_JAR:-} rr-server --port PORT $PS_ARGS"
BEFORE_CLIENT="set -o pipefail; $JAVA $JAVA_OPTS -jar ${BEFORE_JAR:-} rr-client --port PORT --requests REQUESTS --window WINDOW --payload PAYLOAD $PS_ARGS | sed 's/^rr impl=packetstream-java /rr impl=packetstream-java-before /'"
SPIN_CLIENT="set -o pipefail; $CLIENT --spin-us $SPIN_US | sed 's/^rr impl=packetstream-java /rr impl=packetstream-java-spin /'"

mkdir -p "$ROOT/bench/results"
# relative to the repository, so that what the harness writes into the results (where a failed
# round's log is) holds in any clone
OUT="${OUT:-bench/results/rr-$(date -u +%Y%m%dT%H%M%SZ).txt}"

if [[ "${ANCHORS:-1}" != 0 ]]; then
  if [[ -f "$PERF/target/anchors-perf.jar" ]]; then
    OUT="$OUT" \
    IMPLS="${IMPLS:-raw grpc rsocket ps ps-spin${BEFORE_JAR:+ ps-before}}" CONFIGS="$CONFIGS" \
    SERVER_CMD_ps="$SERVER" CLIENT_CMD_ps="$CLIENT" \
    SERVER_CMD_ps_before="$BEFORE_SERVER" CLIENT_CMD_ps_before="$BEFORE_CLIENT" \
    SERVER_CMD_ps_spin="$SPIN_SERVER" CLIENT_CMD_ps_spin="$SPIN_CLIENT" \
    APPEND_SERVER_RSS="${APPEND_SERVER_RSS:-1}" \
      exec "$PERF/bench.sh" "$REPS"
  fi
  echo "rr.sh: $PERF/target/anchors-perf.jar not found: only packetstream-java runs, with no" \
    "anchors to compare it to (build them as the README says, or set ANCHORS=0)" >&2
fi

# only ours: the same start / measure / stop cycle, without the harness
PORT="${BASE_PORT:-47600}"
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# a cancelled or failed run leaves no server behind: each runs in a process group of its own
SPID=""
stop_server() {
  if [[ -n "$SPID" ]]; then
    kill -TERM -- "-$SPID" 2>/dev/null || true
    wait "$SPID" 2>/dev/null || true
    SPID=""
  fi
}
trap stop_server EXIT
trap 'stop_server; trap - INT; kill -INT $$' INT
trap 'stop_server; exit 143' TERM
for ((rep = 1; rep <= REPS; rep++)); do
  for cfg in $CONFIGS; do
    W="${cfg%%:*}" B="${cfg##*:}"
    for impl in ps ps_spin; do
      var="N_${impl}_${W}_${B}"
      N="${!var:-500000}"
      server="$SERVER" client="$CLIENT"
      if [[ "$impl" == ps_spin ]]; then server="$SPIN_SERVER" client="$SPIN_CLIENT"; fi
      PORT=$((PORT + 1))
      setsid bash -c "${server//PORT/$PORT}" >/dev/null 2>&1 </dev/null &
      SPID=$!
      for _ in $(seq 1 300); do port_open "$PORT" && break; sleep 0.1; done
      line="${client//PORT/$PORT}"
      line="${line//REQUESTS/$N}"; line="${line//WINDOW/$W}"; line="${line//PAYLOAD/$B}"
      bash -c "$line" | tee -a "$OUT" \
        || echo "rr.sh: $impl client failed for window $W payload $B" >&2
      stop_server
    done
  done
done
echo "rr.sh: the lines are in $OUT" >&2
