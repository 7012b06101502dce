#!/usr/bin/env bash
# What the Spring Boot starter costs per request: the rr load (CONFORMANCE.md section 2) played
# by packetstream.jar's rr-client against three servers, interleaved, medians of REPS rounds:
#
#   core              packetstream.jar rr-server --request-handler: a plain core RequestHandler
#                     (not rr-server's default BufferHandler, which no @PacketHandler can be)
#   spring            SpringRrServer: the same reverse as a @PacketHandler method in a Spring Boot
#                     application, with the starter's meters (a SimpleMeterRegistry)
#   spring-unmetered  the same application with packetstream.metrics.enabled=false
#   spring-no-active  the same application without the observations' long-task timers (Boot's
#                     management.metrics.observations.ignored-meters=long-task-timer): what the
#                     NAME.active meters cost
#
# All three answer on the connection's event loop, so the difference between them is the
# starter's routing, argument resolution, result mapping and meters.
#
# See also bench/connections.sh: the server's memory, threads and file descriptors for 1k to
# 10k held connections against the RSocket anchor's, and 1,000 of them active at window 4.
#
# usage: bench/starter-overhead.sh [REPS]    (default 3; after mvn -B -DskipTests package)
#
# Environment (optional): CONFIGS (WINDOW:PAYLOAD pairs, default "256:32"), JAVA_OPTS (default
# -Xms512m -Xmx512m -XX:+UseParallelGC, for every server and client), N (requests per run,
# default 4000000), PS_JAR (the rr-server and rr-client jar), OUT (the results file, default
# bench/results/starter-<UTC time>.txt), PERF (the harness whose bench.sh plays the rounds,
# default ../shared/perf; a writable copy where ../shared is read-only, as for bench/rr.sh).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PERF="${PERF:-$(cd "$ROOT/.." && pwd)/shared/perf}"
PS_JAR="${PS_JAR:-$ROOT/packetstream-cli/target/packetstream.jar}"
STARTER="$ROOT/packetstream-spring-boot-starter"
REPS="${1:-3}"
N="${N:-4000000}"
export JAVA_OPTS="${JAVA_OPTS:--Xms512m -Xmx512m -XX:+UseParallelGC}"

[[ -f "$PS_JAR" ]] || { echo "starter-overhead.sh: $PS_JAR not found; run: mvn -B -DskipTests package" >&2; exit 2; }

# the Spring server lives in the starter's src/jmh, compiled with the jmh profile
CP_FILE="$STARTER/target/bench.cp"
(cd "$ROOT" && mvn -B -q -Pjmh -pl packetstream-spring-boot-starter -am -DskipTests test-compile \
  dependency:build-classpath -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=test)
CP="$STARTER/target/test-classes:$STARTER/target/classes:$(cat "$CP_FILE")"

client() { # the rr-client command line, its result line renamed to impl=$1
  echo "java \$JAVA_OPTS -jar $PS_JAR rr-client --port PORT --requests REQUESTS --window WINDOW --payload PAYLOAD | sed 's/impl=packetstream-java/impl=$1/'"
}
spring() { # the Spring server's command line, extra Spring arguments in $1
  echo "java \$JAVA_OPTS -cp $CP io.packetstream.spring.bench.SpringRrServer --packetstream.server.port=PORT $1"
}

export SERVER_CMD_core="java \$JAVA_OPTS -jar $PS_JAR rr-server --port PORT --request-handler"
export CLIENT_CMD_core="$(client core)"
export SERVER_CMD_spring="$(spring '')"
export CLIENT_CMD_spring="$(client spring)"
export SERVER_CMD_spring_unmetered="$(spring --packetstream.metrics.enabled=false)"
export CLIENT_CMD_spring_unmetered="$(client spring-unmetered)"
export SERVER_CMD_spring_no_active="$(spring --management.metrics.observations.ignored-meters=long-task-timer)"
export CLIENT_CMD_spring_no_active="$(client spring-no-active)"
CONFIGS="${CONFIGS:-256:32}"
for cfg in $CONFIGS; do
  W="${cfg%%:*}" B="${cfg##*:}"
  for impl in core spring spring_unmetered spring_no_active; do
    export "N_${impl}_${W}_${B}=$N"
  done
done

mkdir -p "$ROOT/bench/results"
OUT="${OUT:-$ROOT/bench/results/starter-$(date -u +%Y%m%dT%H%M%SZ).txt}" \
IMPLS="core spring spring-unmetered spring-no-active" CONFIGS="$CONFIGS" APPEND_SERVER_RSS=1 \
  exec "$PERF/bench.sh" "$REPS"
