#!/usr/bin/env bash
# The long soak (issue 11): packetstream.jar soak -- one in-process server and 100 client
# connections at window 16, a killer that aborts a random client-side or server-side connection
# every 20 ms, then a graceful phase (the last tenth of the requests) with graceful closes only --
# for 1,000,000 requests, on the default JDK and then on a JDK 21+ (virtual-thread handlers), one
# run after the other. Each run's result line (and its stderr: samples of any defect) goes to
# bench/results/soak-<UTC time>.txt (OUT) and to stdout. The exit status is 1 if either run found
# a defect, or a request ended by its connection's end in the graceful phase.
#
# usage: bench/soak.sh [extra soak options]     (run from anywhere, after mvn -B -DskipTests package)
#        e.g. bench/soak.sh --requests 5000000 --seed 42
#
# Environment (optional):
#   REQUESTS    requests per run (default 1000000)
#   JAVA_OPTS   JVM options (default -Xmx1g)
#   JDK21       the JDK 21+ to use (default: the first under /usr/lib/jvm, as .ci/run finds it);
#               JDK21=none runs only the default JDK
#   PS_JAR      the jar (default packetstream-cli/target/packetstream.jar)
#   OUT         the results file
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PS_JAR="${PS_JAR:-$ROOT/packetstream-cli/target/packetstream.jar}"
REQUESTS="${REQUESTS:-1000000}"
JAVA_OPTS="${JAVA_OPTS:--Xmx1g}"
OUT="${OUT:-$ROOT/bench/results/soak-$(date -u +%Y%m%dT%H%M%SZ).txt}"
[[ -f "$PS_JAR" ]] || { echo "soak.sh: $PS_JAR not found; run: mvn -q -B -DskipTests package" >&2; exit 2; }

find_jdk21() {
  local home version
  for home in /usr/lib/jvm/*; do
    [[ -x "$home/bin/java" ]] || continue
    version=$("$home/bin/java" -XshowSettings:properties -version 2>&1 \
      | sed -nE 's/^ *java\.specification\.version = ([0-9]+).*/\1/p')
    if (( ${version:-0} >= 21 )); then
      echo "$home"
      return
    fi
  done
}

JDK21="${JDK21:-$(find_jdk21)}"
javas=("$(command -v java)")
if [[ -n "$JDK21" && "$JDK21" != none ]]; then
  javas+=("$JDK21/bin/java")
else
  echo "soak.sh: no JDK 21+ under /usr/lib/jvm; only the default JDK runs" >&2
fi

mkdir -p "$(dirname "$OUT")"
{
  echo "# bench/soak.sh $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(hostname), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' (with changes)'), JAVA_OPTS=$JAVA_OPTS, options: --requests $REQUESTS $*"
} | tee "$OUT"
status=0
for java in "${javas[@]}"; do
  version=$("$java" -XshowSettings:properties -version 2>&1 | sed -nE 's/^ *java\.runtime\.version = (.*)/\1/p')
  echo "# java $version ($java)" | tee -a "$OUT"
  errors=$(mktemp)
  # shellcheck disable=SC2086
  if ! "$java" $JAVA_OPTS -jar "$PS_JAR" soak --requests "$REQUESTS" "$@" 2>"$errors" | tee -a "$OUT"; then
    status=1
  fi
  sed 's/^/# stderr: /' "$errors" | tee -a "$OUT"
  rm -f "$errors"
done
echo "soak.sh: results in $OUT" >&2
exit $status
