#!/usr/bin/env bash
# What the Spring Boot starter costs per request in CPU time, the steadier companion of
# bench/starter-overhead.sh: on 2 cores the client shares the machine with the server, so the
# throughput ratio moves with how the two happen to interleave; the CPU time the server's event
# loop spends per request does not. Each round starts a server, warms it with WARMUP requests (the
# Spring server's JIT is still compiling when a short run's measured phase begins), then reads the
# CPU time of its threads (/proc/PID/task/*/stat) around one measured rr-client run of N requests
# at window 256, 32-byte payloads. Servers, interleaved, REPS rounds each:
#
#   core             packetstream.jar rr-server --request-handler (a plain core RequestHandler)
#   spring           SpringRrServer: the same reverse as a @PacketHandler, Boot's observation
#                    support on (timers, long-task timers, the handler's scope)
#   spring-no-active the same without the long-task timers
#                    (management.metrics.observations.ignored-meters=long-task-timer)
#   spring-no-obs    the same with the starter's observations off (packetstream.observations.enabled
#                    =false): the handler model and the connection meters
#
# All answer on the connection's event loop. A line per round: rps, the loop thread's and the
# whole server's CPU nanoseconds per measured request, and requests per read system call (near
# 256, the window, when client and server take turns: the server reads every request in flight,
# answers them all in one write, and waits while the client does the same, so that throughput
# goes with the sum of the two sides' CPU per request); then the medians, and each server's loop
# CPU as a multiple of the core handler's.
#
# usage: bench/starter-cpu.sh [REPS]    (default 3; after mvn -B -DskipTests package)
#
# Environment (optional): N (measured requests, default 4000000), WARMUP (default 2000000),
# JAVA_OPTS (default -Xms512m -Xmx512m -XX:+UseParallelGC), PS_JAR (rr-server and rr-client),
# BASE_PORT (default 29600), START_TIMEOUT (seconds a server may take to listen, default 60),
# OUT (default bench/results/starter-cpu-<UTC time>.txt).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PS_JAR="${PS_JAR:-$ROOT/packetstream-cli/target/packetstream.jar}"
STARTER="$ROOT/packetstream-spring-boot-starter"
REPS="${1:-3}"
N="${N:-4000000}"
WARMUP="${WARMUP:-2000000}"
JAVA_OPTS="${JAVA_OPTS:--Xms512m -Xmx512m -XX:+UseParallelGC}"
PORT="${BASE_PORT:-29600}"
START_TIMEOUT="${START_TIMEOUT:-60}"
OUT="${OUT:-$ROOT/bench/results/starter-cpu-$(date -u +%Y%m%dT%H%M%SZ).txt}"

[[ -f "$PS_JAR" ]] || { echo "starter-cpu.sh: $PS_JAR not found; run: mvn -B -DskipTests package" >&2; exit 2; }

# the Spring server lives in the starter's src/jmh, compiled with the jmh profile
CP_FILE="$STARTER/target/bench.cp"
(cd "$ROOT" && mvn -B -q -Pjmh -pl packetstream-spring-boot-starter -am -DskipTests test-compile \
  dependency:build-classpath -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=test)
CP="$STARTER/target/test-classes:$STARTER/target/classes:$(cat "$CP_FILE")"
TICK_NS=$((1000000000 / $(getconf CLK_TCK)))

server_args() { # the command line of server $1 on port $2
  local spring="java $JAVA_OPTS -cp $CP io.packetstream.spring.bench.SpringRrServer --packetstream.server.port=$2"
  case "$1" in
    core) echo "java $JAVA_OPTS -jar $PS_JAR rr-server --port $2 --request-handler" ;;
    spring) echo "$spring" ;;
    spring-no-active) echo "$spring --management.metrics.observations.ignored-meters=long-task-timer" ;;
    spring-no-obs) echo "$spring --packetstream.observations.enabled=false" ;;
  esac
}

ticks() { # process $1's CPU ticks (its event-loop threads', all threads') and read syscalls
  local loop=0 all=0 t name used
  for t in /proc/"$1"/task/*; do
    name="$(cat "$t/comm" 2>/dev/null)" || continue
    used="$(awk '{print $14 + $15}' "$t/stat" 2>/dev/null)" || continue
    all=$((all + used))
    [[ "$name" == packetstream-io* ]] && loop=$((loop + used))
  done
  echo "$loop $all $(awk '/^syscr:/ {print $2}' /proc/"$1"/io)"
}

client() { # rr-client against port $1, $2 requests; prints its rr line
  java $JAVA_OPTS -jar "$PS_JAR" rr-client --port "$1" --requests "$2" --window 256 --payload 32
}

SPID=""
cleanup() {
  if [[ -n "$SPID" ]]; then
    kill "$SPID" 2>/dev/null || true
    wait "$SPID" 2>/dev/null || true
  fi
  SPID=""
}
trap cleanup EXIT

mkdir -p "$(dirname "$OUT")"
echo "# $(date -u +%FT%TZ) $(git -C "$ROOT" rev-parse --short HEAD) java: $(java -version 2>&1 | head -n 1) JAVA_OPTS=$JAVA_OPTS N=$N WARMUP=$WARMUP REPS=$REPS" | tee -a "$OUT"
for rep in $(seq 1 "$REPS"); do
  for impl in core spring spring-no-active spring-no-obs; do
    PORT=$((PORT + 1))
    $(server_args "$impl" "$PORT") >/dev/null 2>&1 &
    SPID=$!
    up=0
    for _ in $(seq 1 $((START_TIMEOUT * 10))); do
      if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then up=1; break; fi
      sleep 0.1
    done
    [[ $up == 1 ]] || { echo "starter-cpu.sh: $impl did not listen on port $PORT within ${START_TIMEOUT}s" >&2; exit 1; }
    client "$PORT" "$WARMUP" >/dev/null
    read -r loop0 all0 reads0 <<<"$(ticks "$SPID")"
    line="$(client "$PORT" "$N")"
    read -r loop1 all1 reads1 <<<"$(ticks "$SPID")"
    cleanup
    # rr-client counts N measured requests after a warm-up of its own (max(N/5, 20000))
    sent=$((N + (N / 5 > 20000 ? N / 5 : 20000)))
    rps="$(grep -o 'rps=[0-9]*' <<<"$line")"
    echo "cpu impl=$impl $rps loop_ns_per_request=$(((loop1 - loop0) * TICK_NS / sent)) server_ns_per_request=$(((all1 - all0) * TICK_NS / sent)) requests_per_read=$((sent / (reads1 - reads0 + 1)))" | tee -a "$OUT"
  done
done

awk '
  function median(s,   a, n, i, j, t) {
    n = split(s, a, " ")
    for (i = 2; i <= n; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  /^cpu / {
    delete kv
    for (i = 2; i <= NF; i++) { split($i, p, "="); kv[p[1]] = p[2] }
    k = kv["impl"]; if (!(k in rps)) order[++n] = k
    rps[k] = rps[k] " " kv["rps"]; loop[k] = loop[k] " " kv["loop_ns_per_request"]; all[k] = all[k] " " kv["server_ns_per_request"]
    rpr[k] = rpr[k] " " kv["requests_per_read"]
  }
  END {
    print "| server | median rps | median loop CPU ns per request | x core | median server CPU ns per request | median requests per read |"
    print "|---|---|---|---|---|---|"
    base = median(loop["core"])
    for (i = 1; i <= n; i++) { k = order[i]
      printf "| %s | %d | %d | %.2f | %d | %d |\n", k, median(rps[k]), median(loop[k]), median(loop[k]) / base, median(all[k]), median(rpr[k]) }
  }' "$OUT"
