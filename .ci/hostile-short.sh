#!/usr/bin/env bash
# The hostile-peer run (bench/hostile.sh) for a few seconds, on the default JDK and on a JDK 21+
# when the machine has one: the server in a JVM of its own with a 512 MB heap, fewer attackers.
# It fails on a defect, an OutOfMemoryError, a dead server, a heap that stays up or a log that
# does not name what the server dropped; not on the rate (--min-ratio 0): timing lives in the
# long run, not in CI. Needs the jar that `mvn verify` built. About 30 s per JDK.
set -euo pipefail
cd "$(dirname "$0")/.."

jdks=("$(command -v java)")
for home in /usr/lib/jvm/*; do
  [[ -x "$home/bin/java" ]] || continue
  version=$("$home/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -nE 's/^ *java\.specification\.version = ([0-9]+).*/\1/p')
  if (( ${version:-0} >= 21 )); then
    jdks+=("$home/bin/java")
    break
  fi
done

for java in "${jdks[@]}"; do
  out=$(mktemp)
  echo "hostile-short: $("$java" -version 2>&1 | head -1)"
  if ! JAVA="$java" OUT="$out" WARMUP_SECONDS=1 BASELINE_SECONDS=2 ATTACK_SECONDS=4 \
      HOSTILE_OPTS="--min-ratio 0 --tricklers 10 --silent-max 100 --settle-seconds 15" \
      bash bench/hostile.sh; then
    echo "hostile-short: FAIL on $java; the run:" >&2
    cat "$out" >&2
    rm -f "$out"
    exit 1
  fi
  rm -f "$out"
done
echo "hostile-short: ok on ${#jdks[@]} JDK(s)"
