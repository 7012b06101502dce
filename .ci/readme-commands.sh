#!/usr/bin/env bash
# The README's tool and benchmark commands, each run once with tiny counts so that CI notices
# when one of them stops working (the figures they print are not checked: timing lives in the
# benchmarks, not in tests). Needs the jars that `mvn verify` built. The set-up commands and the
# sample walk-through are .ci/sample-e2e.sh's.
set -euo pipefail
cd "$(dirname "$0")/.."

passed=0
fail() {
  echo "readme-commands: FAIL: $*" >&2
  exit 1
}
ok() {
  passed=$((passed + 1))
  echo "readme-commands: ok: $*"
}

CLI=packetstream-cli/target/packetstream.jar
[[ -f "$CLI" ]] || { echo "readme-commands: $CLI is missing; run mvn verify first" >&2; exit 2; }

# the results files, and the .log that ../shared/perf/bench.sh writes beside its results file
rr_results=$(mktemp)
results=$(mktemp)
trap 'rm -f "$rr_results" "$rr_results.lines" "$results" "$results.log"' EXIT
# a cancelled CI job (INT, TERM) exits through the EXIT trap
trap 'exit 143' INT TERM
# the servers' ports: BASE_PORT + 1 and up, below 32768, so never in Linux's ephemeral range
# (32768-60999) where the clients' own ends of connections are
base_port() { echo $((20000 + RANDOM % 10000)); }

# java -jar packetstream-cli/target/packetstream.jar --help
out=$(java -jar "$CLI" --help)
for command in call conformance-server conformance-client rr-server rr-client; do
  grep -qw -- "$command" <<<"$out" || fail "--help does not list $command: $out"
done
ok "packetstream.jar --help"

# ANCHORS=0 bench/rr.sh 1: every configuration answers without errors
ANCHORS=0 OUT="$rr_results.lines" BASE_PORT=$(base_port) N_ps_1_32=2000 N_ps_16_32=20000 \
  N_ps_256_32=50000 N_ps_64_4096=20000 N_ps_spin_1_32=2000 N_ps_spin_16_32=20000 \
  N_ps_spin_256_32=50000 N_ps_spin_64_4096=20000 bench/rr.sh 1 >"$rr_results" \
  || fail "bench/rr.sh failed after printing: $(cat "$rr_results")"
out=$(cat "$rr_results")
[[ $(grep -c '^rr impl=packetstream-java .* errors=0$' <<<"$out") == 4 ]] \
  && [[ $(grep -c '^rr impl=packetstream-java-spin .* errors=0$' <<<"$out") == 4 ]] \
  || fail "bench/rr.sh printed: $out"
ok "ANCHORS=0 bench/rr.sh 1"

# ../shared/perf/bench.sh --summarize FILE (the README's way to the table of a results file):
# needs only the harness's script, which is executable where ../shared is read-only, and awk
SUMMARIZE=../shared/perf/bench.sh
if [[ -x "$SUMMARIZE" ]] && command -v awk >/dev/null; then
  table=$("$SUMMARIZE" --summarize "$rr_results")
  [[ $(grep -c '^| packetstream-java | ' <<<"$table") == 4 ]] \
    && [[ $(grep -c '^| packetstream-java-spin | ' <<<"$table") == 4 ]] \
    || fail "$SUMMARIZE --summarize made of bench/rr.sh's lines: $table"
  ok "$SUMMARIZE --summarize"
else
  echo "readme-commands: skipped $SUMMARIZE --summarize: it or awk is not there"
fi

# bench/starter-overhead.sh: the three servers each serve the load
OUT="$results" N=50000 BASE_PORT=$(base_port) bench/starter-overhead.sh 1 >/dev/null
for impl in core spring spring-unmetered; do
  grep -q "^rr impl=$impl .* errors=0 " "$results" || fail "starter-overhead.sh wrote: $(cat "$results")"
done
ok "bench/starter-overhead.sh 1"

# bench/connections.sh: ours only, tiny steps, every connection answered
OUT="$results" STEPS=20,40 ACTIVE=10 ACTIVE_SECONDS=1 SETTLE_SECONDS=0 PERF=/nonexistent \
  BASE_PORT=$(base_port) JAVA_OPTS=-Xmx256m CLIENT_JAVA_OPTS=-Xmx256m \
  bench/connections.sh >/dev/null 2>&1 || fail "connections.sh failed: $(cat "$results")"
grep -q "^connections impl=packetstream-java step=40 .* answered=40 errors=0 " "$results" \
  || fail "connections.sh wrote: $(cat "$results")"
grep -q "^connections impl=packetstream-java active=10 .* errors=0 " "$results" \
  || fail "connections.sh's active phase wrote: $(cat "$results")"
ok "bench/connections.sh"

# bench/soak.sh: a tiny soak on the default JDK, 0 defects
OUT="$results" REQUESTS=3000 JDK21=none bench/soak.sh --connections 10 >/dev/null 2>&1 \
  || fail "soak.sh failed: $(cat "$results")"
grep -q "^soak requests=3000 .* defects=0 " "$results" || fail "soak.sh wrote: $(cat "$results")"
ok "bench/soak.sh"

# bench/hostile.sh: a few seconds of attack, its goals judged but the rate (a timing) not
OUT="$results" WARMUP_SECONDS=1 BASELINE_SECONDS=2 ATTACK_SECONDS=3 \
  HOSTILE_OPTS="--min-ratio 0 --tricklers 5 --settle-seconds 10" bench/hostile.sh >/dev/null 2>&1 \
  || fail "hostile.sh failed: $(grep '^hostile' "$results")"
grep -q "^hostile result .* defects=0 oom=0 " "$results" || fail "hostile.sh wrote: $(grep '^hostile' "$results")"
ok "bench/hostile.sh"

# bench/fuzz.sh: one target fuzzed for a few seconds
bench/fuzz.sh 5 'WireFuzzTest#bsuint' >/dev/null 2>&1 || fail "fuzz.sh 5 WireFuzzTest#bsuint failed"
ok "bench/fuzz.sh"

# mvn -B -q -pl packetstream-core -Pjmh test-compile exec:exec, one short iteration of each
out=$(mvn -B -q -pl packetstream-core -Pjmh test-compile exec:exec \
  -Djmh.args="-f 1 -wi 0 -i 1 -r 100ms -foe true")
for benchmark in CodecBenchmark.encode CodecBenchmark.decode ConnectionBenchmark.roundTrip \
    ConnectionBenchmark.window64; do
  grep -q "$benchmark" <<<"$out" || fail "JMH ran no $benchmark: $out"
done
ok "core JMH benchmarks"

echo "readme-commands: $passed passed, 0 failed"
