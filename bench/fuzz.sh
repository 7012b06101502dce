#!/usr/bin/env bash
# Fuzzes every Jazzer target of packetstream-core for SECONDS each, one after another (Jazzer
# fuzzes one target per JVM), and prints each one's outcome. In a plain `mvn test` the same
# targets only replay their corpora (regression mode); this is the command that searches.
#
# usage: bench/fuzz.sh [SECONDS] [TARGET...]     (default 600 s; run from anywhere)
#   TARGET is Class#method, e.g. WireFuzzTest#frames; default all of them:
#     WireFuzzTest#bsuint           io.packetstream.wire: the integer reader
#     WireFuzzTest#frames           io.packetstream.wire: PacketCodec.decode, heap and direct, and read
#     FrameReaderFuzzTest#splitFeeding   io.packetstream.connection: the reader fed in pieces
#     ConnectionFuzzTest#peerStream      io.packetstream.connection: a whole connection over pipes
#
# Environment (optional):
#   MVN_ARGS   extra Maven options, e.g. -o to stay offline
#   LOGS       where each target's log goes (default packetstream-core/target/fuzz)
#   FUZZ_HEAP  the fuzzing JVM's -Xmx (default 512m): bounded, so that a leak ends as a finding
#
# What it uses: JAZZER_FUZZ=1 switches @FuzzTest methods from replaying to fuzzing, and
# JAZZER_MAX_DURATION (Jazzer's max_duration option, 0.26.0) overrides @FuzzTest(maxDuration).
# Inputs that found new coverage are kept in packetstream-core/.cifuzz-corpus/<class>/<method>
# (not committed) and reused by the next run. A finding fails the target, and Jazzer writes the
# input as crash-<sha1> into the target's inputs directory,
#   packetstream-core/src/test/resources/io/packetstream/<package>/<Class>Inputs/<method>/
# where every `mvn test` replays it: give it a name that says what it is, commit it, fix the bug.
# The recordings the build copies beside it (target/test-classes) are the seeds.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_EACH=${1:-600}
shift || true
TARGETS=("$@")
if (( ${#TARGETS[@]} == 0 )); then
  TARGETS=(WireFuzzTest#bsuint WireFuzzTest#frames FrameReaderFuzzTest#splitFeeding
    ConnectionFuzzTest#peerStream)
fi
LOGS=${LOGS:-packetstream-core/target/fuzz}
mkdir -p "$LOGS"

# shellcheck disable=SC2086
mvn -B -q ${MVN_ARGS:-} -pl packetstream-core test-compile

failed=0
for target in "${TARGETS[@]}"; do
  log="$LOGS/${target//#/.}.log"
  echo "fuzz: $target for ${SECONDS_EACH} s (log $log)"
  # shellcheck disable=SC2086
  if JAZZER_FUZZ=1 JAZZER_MAX_DURATION="${SECONDS_EACH}s" mvn -B ${MVN_ARGS:-} -pl packetstream-core \
      "-DargLine=-Xmx${FUZZ_HEAP:-512m}" \
      surefire:test -Dtest="$target" -Dsurefire.failIfNoSpecifiedTests=false >"$log" 2>&1; then
    echo "fuzz: $target: no finding; $(grep -E '^Done [0-9]+ runs' "$log" | tail -1)"
  else
    failed=1
    echo "fuzz: $target: FAILED, see $log:"
    grep -E 'ERROR|Exception|AssertionError|crash-|Test unit written' "$log" | head -20 || true
  fi
done
exit "$failed"
