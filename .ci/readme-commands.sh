#!/usr/bin/env bash
# The tool and benchmark commands of the README and of docs/ and bench/README.md, each run once
# so that CI notices when one of them stops working: docs/cli.md's examples as printed (on free
# ports), their output checked against what the page shows; the bench scripts with tiny counts
# (the figures they print are not checked: timing lives in the benchmarks, not in tests). Needs
# the jars that `mvn verify` built. The set-up commands and the sample walk-through (README) are
# .ci/sample-e2e.sh's; the property reference's agreement with the code is PropertyReferenceTest's.
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
# servers that docs/cli.md's examples start in the background, stopped on the way out
servers=()
cleanup() {
  for pid in "${servers[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${servers[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -f "$rr_results" "$rr_results.lines" "$results" "$results.log"
}
trap cleanup EXIT
# a cancelled CI job (INT, TERM) exits through the EXIT trap
trap 'exit 143' INT TERM
# the servers' ports: BASE_PORT + 1 and up, below 32768, so never in Linux's ephemeral range
# (32768-60999) where the clients' own ends of connections are
base_port() { echo $((20000 + RANDOM % 10000)); }

# java -jar packetstream-cli/target/packetstream.jar --help
out=$(java -jar "$CLI" --help)
for command in call serve conformance-server conformance-client rr-server rr-client; do
  grep -qw -- "$command" <<<"$out" || fail "--help does not list $command: $out"
done
ok "packetstream.jar --help"

# The example commands of docs/cli.md and README.md: every "$ java -jar ..." line of a code block,
# run from packetstream-cli/target for docs/cli.md's "java -jar packetstream.jar" and from the
# checkout for README.md's "java -jar packetstream-cli/target/packetstream.jar", with the pages'
# ports 9000, 9001 and 9002 replaced by three free ones (new ones for each page). A line ending in &
# starts a server (waited for until it listens, stopped on the way out); any other must exit 0 and
# print every line the page shows below it ("..." stands for any lines). A shown line matches a
# printed one word by word: a key=value whose value is a figure other than 0 (a rate, a time, a
# seed) or R matches any value of that key; a 0 of a key naming a failure (errors, defects, oom,
# ...) must be 0; a shown line ending in "..." allows more words. soak's submit_refused is not such
# a key: a request refused at submit is accounted for, not a defect, and a run may have a few.
matches() { # expected-line output: 0 when some line of output matches expected-line
  awk -v want="$1" '
    function same(w, a,   k) {
      if (w == a) return 1
      if (w !~ /=/ || a !~ /=/) return 0
      k = substr(w, 1, index(w, "="))
      if (substr(a, 1, length(k)) != k) return 0
      w = substr(w, length(k) + 1)
      if (w == "R") return 1
      if (w ~ /^-?[0-9][0-9.]*$/ && (w + 0 != 0 || k !~ /error|defect|oom|wrong|lost|hung|duplicate|leftover|unanswered|unexpected|failure|stray|other/)) return 1
      return 0
    }
    BEGIN { nw = split(want, W, /[ \t]+/); open = (W[nw] == "..."); if (open) nw-- }
    {
      na = split($0, A, /[ \t]+/)
      if (na < nw || (!open && na != nw)) next
      for (i = 1; i <= nw; i++) if (!same(W[i], A[i])) next
      found = 1; exit
    }
    END { exit found ? 0 : 1 }' <<<"$2"
}
run_doc_command() { # page, directory, command, expected lines (newline-separated)
  local page=$1 dir=$2 cmd=${3//--port 9000/--port $port_9000} expected=$4 out line port
  cmd=${cmd//--port 9001/--port $port_9001}
  cmd=${cmd//--port 9002/--port $port_9002}
  if [[ $cmd == *' &' ]]; then
    cmd=${cmd% &}
    port=$(sed -nE 's/.*--port ([0-9]+).*/\1/p' <<<"$cmd")
    (cd "$dir" && eval "exec $cmd") >/dev/null 2>&1 &
    servers+=($!)
    local deadline=$((SECONDS + 60))
    until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
      ((SECONDS < deadline)) || fail "$page: '$cmd' does not listen on $port within 60 s"
      sleep 0.3
    done
  else
    out=$(cd "$dir" && eval "timeout 300 $cmd" 2>/dev/null) \
      || fail "$page: '$cmd' exited $? after printing: $out"
    while IFS= read -r line; do
      [[ -z $line || $line == '...' ]] && continue
      matches "$line" "$out" || fail "$page: '$cmd' printed no line like '$line': $out"
    done <<<"$expected"
  fi
  doc_commands=$((doc_commands + 1))
}
run_doc_examples() { # page, jar as the page writes it, directory to run in, least commands
  local page=$1 jar=$2 dir=$3 least=$4 in_block=0 cmd= expected= line
  port_9000=$(base_port)
  port_9001=$((port_9000 + 1))
  port_9002=$((port_9000 + 2))
  doc_commands=0
  while IFS= read -r line; do
    if [[ $line == '```'* ]]; then
      if ((in_block)) && [[ -n $cmd ]]; then
        run_doc_command "$page" "$dir" "$cmd" "$expected"
      fi
      in_block=$((1 - in_block))
      cmd=
      expected=
    elif ((in_block)) && [[ $line == "\$ java -jar $jar "* ]]; then
      [[ -n $cmd ]] && run_doc_command "$page" "$dir" "$cmd" "$expected"
      cmd=${line#'$ '}
      expected=
    elif ((in_block)) && [[ -n $cmd ]]; then
      expected+="$line"$'\n'
    fi
  done <"$page"
  ((doc_commands >= least)) || fail "$page: found only $doc_commands example commands"
  ok "$page: $doc_commands example commands"
}
run_doc_examples docs/cli.md packetstream.jar packetstream-cli/target 13
run_doc_examples README.md packetstream-cli/target/packetstream.jar . 2

# docs/contributing.md's one-test-class command, read from the page and run as printed (its first
# line naming PropertyReferenceTest, the one without -Dpacketstream.docs.write=true, which would
# rewrite the reference instead of checking it). mvn verify has already run the test itself; this
# run is kept only to prove that the documented command line (one module's test class with -am)
# works as a reader would type it.
doc_cmd=$(awk '/^    mvn .*-Dtest=PropertyReferenceTest/ && !/docs\.write/ { sub(/^ +/, ""); print; exit }' \
  docs/contributing.md)
[[ -n $doc_cmd ]] || fail "docs/contributing.md no longer shows the PropertyReferenceTest command"
read -ra doc_argv <<<"$doc_cmd"
"${doc_argv[@]}" >"$results" 2>&1 \
  || fail "$doc_cmd failed: $(tail -n 30 "$results")"
ok "docs/contributing.md: $doc_cmd"

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

# bench/starter-overhead.sh: the three servers each serve the load (a Spring application may take
# longer than the harness's default 30 s to listen on a loaded machine: START_TIMEOUT is run.sh's)
OUT="$results" N=50000 BASE_PORT=$(base_port) START_TIMEOUT=180 bench/starter-overhead.sh 1 >/dev/null
for impl in core spring spring-unmetered; do
  grep -q "^rr impl=$impl .* errors=0 " "$results" || fail "starter-overhead.sh wrote: $(cat "$results")"
done
ok "bench/starter-overhead.sh 1"

# bench/starter-cpu.sh: the four servers each serve the load and have their CPU time read
OUT="$results" N=50000 WARMUP=20000 BASE_PORT=$(base_port) START_TIMEOUT=180 \
  bench/starter-cpu.sh 1 >/dev/null || fail "starter-cpu.sh failed: $(cat "$results")"
for impl in core spring spring-no-active spring-no-obs; do
  grep -Eq "^cpu impl=$impl rps=[1-9][0-9]* loop_ns_per_request=[1-9]" "$results" \
    || fail "starter-cpu.sh wrote: $(cat "$results")"
done
ok "bench/starter-cpu.sh 1"

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
