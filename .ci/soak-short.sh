#!/usr/bin/env bash
# The short soak (issue 11) that CI runs: packetstream.jar soak for 50,000 requests (100
# connections at window 16, a kill every 20 ms, graceful closes for the last 5,000), on the
# default JDK and on a JDK 21+ when the machine has one (as .ci/run finds it). Fails on any
# defect, or on a request ended by its connection's end in the graceful phase. Run after the
# build (packetstream-cli/target/packetstream.jar); bench/soak.sh runs the long one.
set -euo pipefail
cd "$(dirname "$0")/.."
jar=packetstream-cli/target/packetstream.jar
args=(soak --requests 50000 --connections 100 --window 16 --kill-every-ms 20 --max-seconds 120)
echo "ci: soak on $(java -XshowSettings:properties -version 2>&1 | sed -nE 's/^ *java\.runtime\.version = (.*)/\1/p')"
java -Xmx512m -jar "$jar" "${args[@]}"
for home in /usr/lib/jvm/*; do
  [[ -x "$home/bin/java" ]] || continue
  version=$("$home/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -nE 's/^ *java\.specification\.version = ([0-9]+).*/\1/p')
  if (( ${version:-0} >= 21 )); then
    echo "ci: soak on $home"
    "$home/bin/java" -Xmx512m -jar "$jar" "${args[@]}"
    exit 0
  fi
done
echo "ci: no JDK 21+ under /usr/lib/jvm; the soak ran on the default JDK only"
