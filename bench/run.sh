#!/usr/bin/env bash
# Switchboard benchmark, first version (issue 6). One command:
#
#   bench/run.sh            full run (a few minutes), appends the results to BENCHMARKS.md
#   bench/run.sh --smoke    every step with tiny durations and counts; prints the table only
#   bench/run.sh --no-record  full run, table printed but not appended
#
# Starts a fake OpenAI upstream (bench/fake-upstream.js) and the gateway WAR in Tomcat
# (mvn cargo:run, its own ports), all on 127.0.0.1, then sends each load twice in the same run:
# through the gateway and straight to the fake upstream ("direct"), and reports both side by
# side. Everything started here is stopped on exit (by recorded PID).
#
# Ports (override with env): GATEWAY_PORT 18480, RMI_PORT 18485, UPSTREAM_PORT 19101, UPSTREAM_H2_PORT 19102
#   (the fake upstream's h2c port, behind the platform with "http2": true).
# BENCH_TOMCAT=tuned (default): the WAR as ROOT.war in a plain Tomcat (the zip from the Maven repository,
#   the version of the pom) with server-configs/tomcat/server.xml, the deployment README's recipe, started
#   with catalina.sh run (no Maven JVM in between). BENCH_TOMCAT=cargo: `mvn cargo:run`, cargo's generated
#   server.xml (default connector, maxConnections 8192, an AccessLogValve), as the first runs measured.
# BENCH_CONNECTOR_ATTRS='name="value" ...': extra attributes for the tuned <Connector> (experiments).
# BENCH_CATALINA_OPTS: extra JVM options for the tuned Tomcat (e.g. -Xlog:gc).
# BENCH_CONTAINER=jetty: the WAR as ROOT.war in Jetty 12 instead (the jetty-home zip from the Maven repository, the
#   version of the pom) with server-configs/jetty/start.d/switchboard.ini, the deployment README's recipe; the
#   floor is deployed there too. Rows that say "container" are then Jetty's JVM. Default: tomcat.
# BENCH_LONG_STREAMS="2000 9000": the concurrent long-stream steps (smoke: 20); BENCH_LONG_CHUNKS (50) and
#   BENCH_LONG_GAP_MS (600) shape each long stream. BENCH_LONG_ONLY=1 runs only
#   those steps (heap experiments); the report then has only their rows.
# BENCH_H2_STREAMS="10000": the same long-stream step through a platform with "http2": true (h2c to the fake
#   upstream: every stream multiplexed on one upstream connection, so one socket per stream in the gateway);
#   smoke: 20; set it empty to skip. BENCH_H2_ONLY=1 runs only that step (no short steps, no HTTP/1.1 long
#   steps).
# BENCH_HISTO=FILE saves the top of a live-object class histogram of Tomcat with the long
# streams open (for finding per-stream heap); BENCH_HEAPDUMP=FILE.hprof a full heap dump then;
# BENCH_JFR=PREFIX JFR profiles of the 64-connection gateway runs (diagnostic runs: add --no-record);
# BENCH_FLOOR=0 leaves out the floor: bench/floor/FloorProxy.java, a bare async proxy servlet (no auth, parsing,
#   limits or logging) deployed as /floor next to the gateway and given the same load, so the report can say what
#   Tomcat and HttpClient 5 cost per request and what the gateway's own work adds (tuned Tomcat only).
# BENCH_SERVE=1: start everything, write the URLs, key and PIDs to /tmp/switchboard-bench.env (BENCH_SERVE_ENV) and
# wait, for probing by hand. BENCH_WRK_S=N makes each 64-connection run N seconds instead of 10 (more samples).
# BENCH_WARM_S=N: the warm-up through the gateway before anything is measured (default 90 s; with 10 s the first
# measured run still paid for JIT compilation: 96 µs per request pass-through against 78 µs after a 40 s warm-up,
# same build; with 30 s, 147 µs against 94-103 µs after two minutes of load, 2026-11-23 session 5).
set -euo pipefail

SMOKE=0; RECORD=1
for a in "$@"; do
  case "$a" in
    --smoke) SMOKE=1; RECORD=0 ;;
    --no-record) RECORD=0 ;;
    -h|--help) sed -n 2,12p "$0"; exit 0 ;;
    *) echo "unknown argument: $a" >&2; exit 2 ;;
  esac
done

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
GATEWAY_PORT=${GATEWAY_PORT:-18480}
RMI_PORT=${RMI_PORT:-18485}
UPSTREAM_PORT=${UPSTREAM_PORT:-19101}
UPSTREAM_H2_PORT=${UPSTREAM_H2_PORT:-19102}

if [ "$SMOKE" = 1 ]; then
  WARM_S=1; WRK_S=1; LAT_S=1
  S_N=2; S_TTFT=20; S_CHUNKS=5; S_GAP=5; S_ROUNDS=2
  L_COUNTS=${BENCH_LONG_STREAMS:-20}; L_CHUNKS=10; L_GAP=20
  H2_COUNTS=${BENCH_H2_STREAMS-20}
else
  WARM_S=${BENCH_WARM_S:-90}; WRK_S=${BENCH_WRK_S:-10}; LAT_S=10
  S_N=8; S_TTFT=200; S_CHUNKS=50; S_GAP=20; S_ROUNDS=5
  # 50 chunks 600 ms apart (30 s per stream): at 9,000 streams that is 15,000 events/s through one
  # 2-core box running client, gateway and fake upstream; 100 ms gaps would be 90,000/s.
  L_COUNTS=${BENCH_LONG_STREAMS:-2000 9000}; L_CHUNKS=${BENCH_LONG_CHUNKS:-50}; L_GAP=${BENCH_LONG_GAP_MS:-600}
  # 10,000: past the ~9,000 that two sockets per stream allow under the 20,000 open files here (TOOLCHAIN.md).
  H2_COUNTS=${BENCH_H2_STREAMS-10000}
fi
BENCH_TOMCAT=${BENCH_TOMCAT:-tuned}
BENCH_CONTAINER=${BENCH_CONTAINER:-tomcat}
case "$BENCH_CONTAINER" in tomcat|jetty) ;; *) echo "BENCH_CONTAINER must be tomcat or jetty" >&2; exit 2 ;; esac
LONG_ONLY=${BENCH_LONG_ONLY:-0}
FLOOR=${BENCH_FLOOR:-1}
[ "$BENCH_TOMCAT" = tuned ] || [ "$BENCH_CONTAINER" = jetty ] || FLOOR=0
if [ "${BENCH_H2_ONLY:-0}" = 1 ]; then LONG_ONLY=1; L_COUNTS=""; fi
case "$BENCH_TOMCAT" in tuned|cargo) ;; *) echo "BENCH_TOMCAT must be tuned or cargo" >&2; exit 2 ;; esac

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# ---- tools ------------------------------------------------------------------------------------
# On a fresh Debian machine (CI) wrk, jq, curl and ss may be missing: install them with apt-get (as root, or
# through sudo when it is there). Node, Java and Maven are the machine kind's; they are only checked.
missing=()
for t in wrk:wrk jq:jq curl:curl ss:iproute2; do
  command -v "${t%%:*}" >/dev/null || missing+=("${t#*:}")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing ${missing[*]} with apt-get"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
for t in node jq java mvn ss curl wrk; do command -v "$t" >/dev/null || { echo "missing tool: $t" >&2; exit 1; }; done
for p in "$GATEWAY_PORT" "$RMI_PORT" "$UPSTREAM_PORT" "$UPSTREAM_H2_PORT"; do
  if ss -Htln "sport = :$p" | grep -q .; then echo "port $p is in use; set GATEWAY_PORT/RMI_PORT/UPSTREAM_PORT/UPSTREAM_H2_PORT" >&2; exit 1; fi
done

TMP=$(mktemp -d /tmp/switchboard-bench.XXXXXX)
UP_PID=""; MVN_PID=""; TC_PID=""; SAMPLER_PID=""; CLIENT_PID=""
cleanup() {
  set +e
  # background helpers first (an interrupted run would leave the sampler looping forever)
  [ -n "$SAMPLER_PID" ] && kill "$SAMPLER_PID" 2>/dev/null
  [ -n "$CLIENT_PID" ] && kill "$CLIENT_PID" 2>/dev/null
  [ -n "$UP_PID" ] && kill "$UP_PID" 2>/dev/null
  # tuned mode: no Maven in between; SIGTERM makes Tomcat's shutdown hook stop it
  [ -z "$MVN_PID" ] && [ -n "$TC_PID" ] && kill "$TC_PID" 2>/dev/null
  if [ -n "$MVN_PID" ] && kill -0 "$MVN_PID" 2>/dev/null; then
    kill "$MVN_PID" 2>/dev/null          # cargo's shutdown hook stops Tomcat
    for _ in $(seq 1 30); do kill -0 "$MVN_PID" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$MVN_PID" 2>/dev/null
  fi
  if [ -n "$TC_PID" ] && kill -0 "$TC_PID" 2>/dev/null; then
    for _ in $(seq 1 20); do kill -0 "$TC_PID" 2>/dev/null || break; sleep 0.5; done
    kill "$TC_PID" 2>/dev/null; sleep 2; kill -9 "$TC_PID" 2>/dev/null
  fi
  [ -n "${KEEP_TMP:-}" ] || rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- build --------------------------------------------------------------------------------------
log "building the WAR"
mvn -q -DskipTests package

# ---- config -------------------------------------------------------------------------------------
KEY="sk-bench-$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
KEY_SHA=$(printf %s "$KEY" | sha256sum | cut -d' ' -f1)
CFG="$TMP/switchboard.json"
# maxInFlight: the default (10,000) sheds load before an HTTP/1.1 gateway runs out of its 20,000 files at two
# sockets per stream; the h2 step holds one socket per stream, and its 10,000 streams must all be admitted.
cat >"$CFG" <<EOF
{
  "licenses": [
    { "name": "bench", "keySha256": "$KEY_SHA", "platforms": ["*"], "expiresAt": null,
      "limits": { "maxConcurrent": 100000, "requestsPerMinute": 100000000 } }
  ],
  "platforms": {
    "bench": { "type": "openai", "baseUrl": "http://127.0.0.1:$UPSTREAM_PORT/v1", "tokens": ["bench-token"] },
    "bench-anthropic": { "type": "anthropic", "baseUrl": "http://127.0.0.1:$UPSTREAM_PORT/v1", "tokens": ["bench-token"] },
    "bench-h2": { "type": "openai", "baseUrl": "http://127.0.0.1:$UPSTREAM_H2_PORT/v1", "tokens": ["bench-token"], "http2": true }
  },
  "limits": { "maxInFlight": 15000 }
}
EOF

# ---- start --------------------------------------------------------------------------------------
log "starting the fake upstream on 127.0.0.1:$UPSTREAM_PORT (h2c on $UPSTREAM_H2_PORT)"
node bench/fake-upstream.js --port "$UPSTREAM_PORT" --h2-port "$UPSTREAM_H2_PORT" --token bench-token \
  >"$TMP/upstream.log" 2>&1 &
UP_PID=$!

# floor_war SERVLET_API_JAR DEST: the floor (bench/floor/FloorProxy.java) as a WAR, deployed as /floor next to the
# gateway; FLOOR_OPTS are the JVM options it reads its upstream from.
floor_war() {
  local fw="$TMP/floor-war"; mkdir -p "$fw/WEB-INF/classes" "$fw/WEB-INF/lib"
  cp target/switchboard/WEB-INF/lib/{httpclient5,httpcore5,httpcore5-h2,slf4j-api}-[0-9]*.jar "$fw/WEB-INF/lib/"
  javac -d "$fw/WEB-INF/classes" -cp "$1:$(ls "$fw"/WEB-INF/lib/*.jar | tr '\n' ':')" bench/floor/FloorProxy.java
  (cd "$fw" && jar cf "$2" .)
  FLOOR_OPTS="-Dfloor.upstream=http://127.0.0.1:$UPSTREAM_PORT/v1/chat/completions -Dfloor.token=bench-token"
}

if [ "$BENCH_CONTAINER" = jetty ]; then
  JETTY_VERSION=$(sed -n 's:.*<jetty.version>\(.*\)</jetty.version>.*:\1:p' pom.xml | head -1)
  log "starting the gateway in Jetty $JETTY_VERSION with server-configs/jetty/start.d/switchboard.ini on port $GATEWAY_PORT"
  mvn -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
    -Dartifact="org.eclipse.jetty:jetty-home:$JETTY_VERSION:zip" -DoutputDirectory="$TMP" >"$TMP/jetty-fetch.log" 2>&1 ||
    { cat "$TMP/jetty-fetch.log" >&2; exit 1; }
  (cd "$TMP" && jar xf "jetty-home-$JETTY_VERSION.zip")
  JH="$TMP/jetty-home-$JETTY_VERSION"; JB="$TMP/jetty-base"
  mkdir -p "$JB/start.d" "$JB/webapps"
  cp target/switchboard.war "$JB/webapps/ROOT.war"
  [ "$FLOOR" = 1 ] && floor_war "$(ls "$JH"/lib/jakarta.servlet-api-6*.jar)" "$JB/webapps/floor.war"
  # The shipped ini, only moved to loopback and the bench port; the config comes from SWITCHBOARD_CONFIG.
  sed -e "s|^jetty.http.port=.*|jetty.http.port=$GATEWAY_PORT\njetty.http.host=127.0.0.1|" -e 's|^-Dswitchboard.config=.*||' \
    server-configs/jetty/start.d/switchboard.ini >"$JB/start.d/switchboard.ini"
  grep -q "port=$GATEWAY_PORT" "$JB/start.d/switchboard.ini" || { echo "could not set the port in switchboard.ini" >&2; exit 1; }
  # shellcheck disable=SC2086 # FLOOR_OPTS and BENCH_CATALINA_OPTS are lists of JVM options
  (cd "$JB" && SWITCHBOARD_CONFIG="$CFG" exec java ${BENCH_CATALINA_OPTS:-} ${FLOOR_OPTS:-} -jar "$JH/start.jar") \
    >"$TMP/cargo.log" 2>&1 &
  STARTER_PID=$!   # start.jar runs Jetty in its own JVM here (no JVM options in the ini, so no fork)
elif [ "$BENCH_TOMCAT" = cargo ]; then
  log "starting the gateway (cargo:run, cargo's default connector) on port $GATEWAY_PORT"
  SWITCHBOARD_CONFIG="$CFG" mvn -q cargo:run -Dcargo.servlet.port="$GATEWAY_PORT" -Dcargo.rmi.port="$RMI_PORT" \
    -Dcargo.hostname=127.0.0.1 >"$TMP/cargo.log" 2>&1 &
  MVN_PID=$!; STARTER_PID=$MVN_PID
else
  TOMCAT_VERSION=$(sed -n 's:.*<tomcat.version>\(.*\)</tomcat.version>.*:\1:p' pom.xml | head -1)
  log "starting the gateway in Tomcat $TOMCAT_VERSION with server-configs/tomcat/server.xml on port $GATEWAY_PORT"
  mvn -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
    -Dartifact="org.apache.tomcat:tomcat:$TOMCAT_VERSION:zip" -DoutputDirectory="$TMP" >"$TMP/tomcat-fetch.log" 2>&1 ||
    { cat "$TMP/tomcat-fetch.log" >&2; exit 1; }
  (cd "$TMP" && jar xf "tomcat-$TOMCAT_VERSION.zip")   # jar: part of the JDK, unlike unzip
  CB="$TMP/apache-tomcat-$TOMCAT_VERSION"
  rm -rf "$CB"/webapps/*
  cp target/switchboard.war "$CB/webapps/ROOT.war"
  [ "$FLOOR" = 1 ] && floor_war "$CB/lib/servlet-api.jar" "$CB/webapps/floor.war"
  cp server-configs/tomcat/switchboard-error.json "$CB/conf/"
  # The shipped server.xml, only moved to loopback and the bench port (shutdown port off: stopped by SIGTERM).
  sed -e 's|<Server port="8005"|<Server port="-1"|' \
      -e "s|<Connector port=\"8080\"|<Connector port=\"$GATEWAY_PORT\" address=\"127.0.0.1\" ${BENCH_CONNECTOR_ATTRS:-}|" \
      server-configs/tomcat/server.xml >"$CB/conf/server.xml"
  grep -q "port=\"$GATEWAY_PORT\"" "$CB/conf/server.xml" || { echo "could not set the port in server.xml" >&2; exit 1; }
  SWITCHBOARD_CONFIG="$CFG" CATALINA_HOME="$CB" CATALINA_BASE="$CB" CATALINA_PID="" \
    CATALINA_OPTS="${BENCH_CATALINA_OPTS:-} ${FLOOR_OPTS:-}" bash "$CB/bin/catalina.sh" run >"$TMP/cargo.log" 2>&1 &
  STARTER_PID=$!   # catalina.sh run execs the JVM, so this is Tomcat itself
fi

for i in $(seq 1 360); do
  if curl -fsS "http://127.0.0.1:$GATEWAY_PORT/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$STARTER_PID" 2>/dev/null; then echo "gateway failed to start:" >&2; tail -40 "$TMP/cargo.log" >&2; exit 1; fi
  [ "$i" = 360 ] && { echo "gateway not healthy after 180 s" >&2; tail -40 "$TMP/cargo.log" >&2; exit 1; }
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$UPSTREAM_PORT/stats" >/dev/null
# The Tomcat JVM is the process listening on the gateway port (cargo forks it from Maven).
TC_PID=$(ss -Htlnp "sport = :$GATEWAY_PORT" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
[ -n "$TC_PID" ] || { echo "cannot find the Tomcat process" >&2; exit 1; }
log "gateway up; Tomcat pid $TC_PID, fake upstream pid $UP_PID"

GW_URL="http://127.0.0.1:$GATEWAY_PORT/bench/v1/chat/completions"
DIRECT_URL="http://127.0.0.1:$UPSTREAM_PORT/direct/v1/chat/completions"
# The converted vendor: OpenAI requests into an `anthropic` platform; its direct baseline is the same
# fake upstream spoken to in Anthropic Messages (post.lua / sse-client.js with the anthropic format).
ANT_GW_URL="http://127.0.0.1:$GATEWAY_PORT/bench-anthropic/v1/chat/completions"
ANT_DIRECT_URL="http://127.0.0.1:$UPSTREAM_PORT/direct/v1/messages"
# The http2 platform; its direct baseline is the same HTTP/1.1 direct URL (the client speaks HTTP/1.1 to both).
H2_GW_URL="http://127.0.0.1:$GATEWAY_PORT/bench-h2/v1/chat/completions"
FLOOR_URL="http://127.0.0.1:$GATEWAY_PORT/floor/v1/chat/completions"
CLK_TCK=$(getconf CLK_TCK)

cpu_ticks() { [ -n "$1" ] && awk '{print $14 + $15}' "/proc/$1/stat" || echo 0; }   # utime + stime of the whole process
status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
threads() { awk '$1 == "Threads:" {print $2}' "/proc/$1/status"; }

# One check before measuring: every path answers 200.
for u in "$GW_URL" "$DIRECT_URL" "$H2_GW_URL"; do
  code=$(curl -s -o "$TMP/check.json" -w '%{http_code}' "$u" -H "Authorization: Bearer $KEY" \
    -H 'Content-Type: application/json' -d '{"model":"bench-model","messages":[{"role":"user","content":"hi"}]}')
  [ "$code" = 200 ] || { echo "check failed: $u -> $code: $(cat "$TMP/check.json")" >&2; exit 1; }
done
code=$(curl -s -o "$TMP/check.json" -w '%{http_code}' "$ANT_GW_URL" -H "Authorization: Bearer $KEY" \
  -H 'Content-Type: application/json' -d '{"model":"bench-model","messages":[{"role":"user","content":"hi"}]}')
[ "$code" = 200 ] && jq -e '.choices[0].message.content' "$TMP/check.json" >/dev/null ||
  { echo "check failed: $ANT_GW_URL -> $code: $(cat "$TMP/check.json")" >&2; exit 1; }
code=$(curl -s -o "$TMP/check.json" -w '%{http_code}' "$ANT_DIRECT_URL" -H "x-api-key: $KEY" \
  -H 'Content-Type: application/json' -d '{"model":"bench-model","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}')
[ "$code" = 200 ] || { echo "check failed: $ANT_DIRECT_URL -> $code: $(cat "$TMP/check.json")" >&2; exit 1; }
[ "$(curl -fsS "http://127.0.0.1:$UPSTREAM_PORT/stats" | jq .h2Streams)" -ge 1 ] ||
  { echo "check failed: the http2 platform's request did not reach the fake upstream over h2c" >&2; exit 1; }

# wrk_run NAME URL ARGS... -> $TMP/NAME.json (adds cpu ticks of Tomcat and of the fake upstream);
# WRK_FORMAT=anthropic sends the Anthropic request body (the converted vendor's direct baseline).
wrk_run() {
  local name=$1 url=$2; shift 2
  local tc0 up0 mv0 tc1 up1 mv1
  tc0=$(cpu_ticks "$TC_PID"); up0=$(cpu_ticks "$UP_PID"); mv0=$(cpu_ticks "$MVN_PID")
  wrk "$@" -s bench/post.lua "$url" -- "$KEY" "${WRK_FORMAT:-openai}" >"$TMP/$name.out" 2>&1
  tc1=$(cpu_ticks "$TC_PID"); up1=$(cpu_ticks "$UP_PID"); mv1=$(cpu_ticks "$MVN_PID")
  # The Maven JVM relays Tomcat's stdout (one access-log line per request) into cargo.log: harness
  # overhead that competes for the same 2 cores, reported separately.
  grep '^JSON ' "$TMP/$name.out" | sed 's/^JSON //' |
    jq --argjson tc "$((tc1 - tc0))" --argjson up "$((up1 - up0))" --argjson mv "$((mv1 - mv0))" \
      --argjson hz "$CLK_TCK" \
      '. + {tomcatCpuTicks: $tc, upstreamCpuTicks: $up, mavenCpuTicks: $mv, clkTck: $hz}' >"$TMP/$name.json"
  log "$name: $(jq -c '{requests, non2xx, p50Us, p99Us, tomcatCpuTicks}' "$TMP/$name.json")"
}

# BENCH_SERVE=1: nothing is measured; the gateway and the fake upstream stay up for hand-run probes (curl, perf,
# jcmd) until this script is interrupted, which stops them as any run does.
if [ "${BENCH_SERVE:-0}" = 1 ]; then
  log "serving: URLs, key and PIDs in ${BENCH_SERVE_ENV:-/tmp/switchboard-bench.env}; gateway $GW_URL (Ctrl-C stops)"
  printf 'KEY=%s\nGW_URL=%s\nDIRECT_URL=%s\nANT_GW_URL=%s\nANT_DIRECT_URL=%s\nH2_GW_URL=%s\nTC_PID=%s\nUP_PID=%s\n' \
    "$KEY" "$GW_URL" "$DIRECT_URL" "$ANT_GW_URL" "$ANT_DIRECT_URL" "$H2_GW_URL" "$TC_PID" "$UP_PID" >"${BENCH_SERVE_ENV:-/tmp/switchboard-bench.env}"
  while kill -0 "$TC_PID" 2>/dev/null; do sleep 1; done
  exit 0
fi

# ---- warm-up (JIT, pools); not reported -----------------------------------------------------------
log "warm-up ${WARM_S}s through the gateway"
wrk -t2 -c64 -d"${WARM_S}s" -s bench/post.lua "$GW_URL" -- "$KEY" >"$TMP/warmup.out" 2>&1
wrk -t2 -c64 -d"$(( (WARM_S + 1) / 2 ))s" -s bench/post.lua "$ANT_GW_URL" -- "$KEY" >"$TMP/warmup_ant.out" 2>&1
node bench/sse-client.js --url "$GW_URL" --key "$KEY" --streams 8 --ttft 10 --chunks 20 --gap 2 --timeout 20 >/dev/null
node bench/sse-client.js --url "$ANT_GW_URL" --key "$KEY" --streams 8 --ttft 10 --chunks 20 --gap 2 --timeout 20 >/dev/null
node bench/sse-client.js --url "$H2_GW_URL" --key "$KEY" --streams 8 --ttft 10 --chunks 20 --gap 2 --timeout 20 >/dev/null
[ "$FLOOR" = 1 ] && node bench/sse-client.js --url "$FLOOR_URL" --key "$KEY" --streams 8 --ttft 10 --chunks 20 --gap 2 --timeout 20 >/dev/null

if [ "$LONG_ONLY" != 1 ]; then
# ---- non-streaming throughput at 64 connections ------------------------------------------------
log "throughput, 64 connections, ${WRK_S}s each: direct then gateway"
wrk_run tput_direct "$DIRECT_URL" -t2 -c64 -d"${WRK_S}s"
# BENCH_JFR=PREFIX: JFR recordings (profile settings) of Tomcat during the two 64-connection gateway runs
# only: PREFIX.passthrough.jfr and PREFIX.anthropic.jfr (bench/jfr-top.py summarises them).
jfr_start() { [ -n "${BENCH_JFR:-}" ] && jcmd "$TC_PID" JFR.start name=bench settings=profile >/dev/null 2>&1 || true; }
jfr_stop() { [ -n "${BENCH_JFR:-}" ] && jcmd "$TC_PID" JFR.stop name=bench filename="$BENCH_JFR.$1.jfr" >/dev/null 2>&1 || true; }
jfr_start
wrk_run tput_gateway "$GW_URL" -t2 -c64 -d"${WRK_S}s"
jfr_stop passthrough
if [ "$FLOOR" = 1 ]; then
  log "floor: a bare async proxy servlet in the same container, warm-up ${WARM_S}s, then 64 connections and 1"
  wrk -t2 -c64 -d"${WARM_S}s" -s bench/post.lua "$FLOOR_URL" -- "$KEY" >/dev/null 2>&1
  wrk_run tput_floor "$FLOOR_URL" -t2 -c64 -d"${WRK_S}s"
  wrk_run lat_floor "$FLOOR_URL" -t1 -c1 -d"${WRK_S}s" --latency
fi

log "anthropic (converted), 64 connections, ${WRK_S}s each: direct then gateway"
WRK_FORMAT=anthropic wrk_run ant_tput_direct "$ANT_DIRECT_URL" -t2 -c64 -d"${WRK_S}s"
jfr_start
wrk_run ant_tput_gateway "$ANT_GW_URL" -t2 -c64 -d"${WRK_S}s"
jfr_stop anthropic

# ---- latency on one connection ------------------------------------------------------------------
log "latency, 1 connection, ${LAT_S}s each: direct then gateway"
wrk_run lat_direct "$DIRECT_URL" -t1 -c1 -d"${LAT_S}s" --latency
wrk_run lat_gateway "$GW_URL" -t1 -c1 -d"${LAT_S}s" --latency

# ---- 8 concurrent streams ---------------------------------------------------------------------------
# S_ROUNDS rounds, direct and gateway alternating, merged: one round is only 8 samples and a
# scheduling hiccup on the shared machine moves its p99 by tens of ms.
log "streams: $S_ROUNDS rounds of $S_N concurrent, ttft ${S_TTFT}ms, $S_CHUNKS chunks, gap ${S_GAP}ms: direct and gateway alternating, pass-through then anthropic"
S_TIMEOUT=$(( (S_TTFT + S_CHUNKS * S_GAP) / 1000 + 20 ))
for r in $(seq 1 "$S_ROUNDS"); do
  node bench/sse-client.js --url "$DIRECT_URL" --key "$KEY" --streams "$S_N" --ttft "$S_TTFT" \
    --chunks "$S_CHUNKS" --gap "$S_GAP" --timeout "$S_TIMEOUT" --label direct >"$TMP/streams_direct_$r.json"
  node bench/sse-client.js --url "$GW_URL" --key "$KEY" --streams "$S_N" --ttft "$S_TTFT" \
    --chunks "$S_CHUNKS" --gap "$S_GAP" --timeout "$S_TIMEOUT" --label gateway >"$TMP/streams_gateway_$r.json"
  node bench/sse-client.js --url "$ANT_DIRECT_URL" --format anthropic --key "$KEY" --streams "$S_N" --ttft "$S_TTFT" \
    --chunks "$S_CHUNKS" --gap "$S_GAP" --timeout "$S_TIMEOUT" --label direct >"$TMP/antstreams_direct_$r.json"
  node bench/sse-client.js --url "$ANT_GW_URL" --key "$KEY" --streams "$S_N" --ttft "$S_TTFT" \
    --chunks "$S_CHUNKS" --gap "$S_GAP" --timeout "$S_TIMEOUT" --label gateway >"$TMP/antstreams_gateway_$r.json"
  if [ "$FLOOR" = 1 ]; then   # the floor relays the same stream chunk by chunk: what the stack alone adds to TTFT
    node bench/sse-client.js --url "$FLOOR_URL" --key "$KEY" --streams "$S_N" --ttft "$S_TTFT" \
      --chunks "$S_CHUNKS" --gap "$S_GAP" --timeout "$S_TIMEOUT" --label floor >"$TMP/streams_floor_$r.json"
  fi
done

fi   # LONG_ONLY

# ---- many concurrent long streams -------------------------------------------------------------------
# sample_peak FILE: Tomcat threads / RSS every 0.25 s until the file $TMP/stop_sampling appears
sample_peak() {
  local out=$1 th rss fds pth=0 prss=0 pfds=0
  while [ ! -e "$TMP/stop_sampling" ]; do
    th=$(threads "$TC_PID" 2>/dev/null || echo 0); rss=$(status_kb "$TC_PID" VmRSS 2>/dev/null || echo 0)
    fds=$(ls "/proc/$TC_PID/fd" 2>/dev/null | wc -l)
    [ "${th:-0}" -gt "$pth" ] && pth=$th
    [ "${rss:-0}" -gt "$prss" ] && prss=$rss
    [ "${fds:-0}" -gt "$pfds" ] && pfds=$fds
    sleep 0.25
  done
  printf '{"peakThreads":%d,"peakRssKb":%d,"peakFds":%d}\n' "$pth" "$prss" "$pfds" >"$out"
}
heap_used_kb() {   # after a full GC; prints used KB of the Java heap, or -1 if jcmd is not there
  local info=""
  if command -v jcmd >/dev/null; then
    jcmd "$TC_PID" GC.run >/dev/null 2>&1 || true
    info=$(jcmd "$TC_PID" GC.heap_info 2>/dev/null || true)
  fi
  printf '%s\n' "$info" | awk 'match($0, /used [0-9]+K/) { print substr($0, RSTART + 5, RLENGTH - 6); found = 1; exit }
                                END { if (!found) print -1 }'
}

# long_step KIND N URL: one step of N concurrent long streams, direct then through the gateway at URL; KIND
# ("long" over HTTP/1.1 upstream connections, "h2" over one multiplexed h2c connection) names its files.
# Stream starts are spread over 2 ms per stream (18 s for 9,000) and each stream lasts L_CHUNKS * L_GAP ms,
# longer than the ramp, so all are open at once between the end of the ramp and the end of the first stream;
# heap is taken half-way through that window. Open files: over HTTP/1.1 the gateway holds two sockets per
# stream (limit 20,000 per process here, TOOLCHAIN.md), over h2 one (the client's) plus a shared upstream
# connection; the client and the fake upstream one each; peak fds of the Tomcat JVM are reported.
# Heap per stream is (heap with N open − STEP_BASE_HEAP) / N (see the callers for the base).
long_step() {
  local kind=$1 L_N=$2 url=$3
  local L_RAMP L_TIMEOUT IDLE_THREADS IDLE_RSS IDLE_HEAP L_MID_S MID_OPEN MID_HEAP
  L_RAMP=$(( L_N * 2 ))
  L_TIMEOUT=$(( (L_RAMP + 100 + L_CHUNKS * L_GAP) / 1000 + 30 ))   # ramp + ttft + chunks*gap + 30 s slack
  IDLE_THREADS=$(threads "$TC_PID"); IDLE_RSS=$(status_kb "$TC_PID" VmRSS); IDLE_HEAP=$(heap_used_kb)
  L_MID_S=$(awk -v r="$L_RAMP" -v c="$L_CHUNKS" -v g="$L_GAP" 'BEGIN { printf "%.2f", (r + 100 + c * g) / 2 / 1000 }')
  log "$kind streams: $L_N concurrent, $L_CHUNKS chunks x ${L_GAP}ms, ramp ${L_RAMP}ms, bound ${L_TIMEOUT}s: direct then gateway"
  node bench/sse-client.js --url "$DIRECT_URL" --key "$KEY" --streams "$L_N" --ttft 100 --chunks "$L_CHUNKS" \
    --gap "$L_GAP" --ramp-ms "$L_RAMP" --timeout "$L_TIMEOUT" --label direct >"$TMP/${kind}_direct_$L_N.json"
  rm -f "$TMP/stop_sampling"
  sample_peak "$TMP/${kind}_peak_$L_N.json" & SAMPLER_PID=$!
  node bench/sse-client.js --url "$url" --key "$KEY" --streams "$L_N" --ttft 100 --chunks "$L_CHUNKS" \
    --gap "$L_GAP" --ramp-ms "$L_RAMP" --timeout "$L_TIMEOUT" --label gateway >"$TMP/${kind}_gateway_$L_N.json" &
  CLIENT_PID=$!
  # Heap after a full GC with all streams open (mid-way); the forced GC may add a pause to the gaps.
  sleep "$L_MID_S"
  MID_OPEN=$(curl -fsS "http://127.0.0.1:$UPSTREAM_PORT/stats" | jq .openStreams)
  MID_HEAP=$(heap_used_kb)
  # Where the per-stream heap goes: class histogram of live objects with the streams open.
  if [ -n "${BENCH_HISTO:-}" ] && command -v jcmd >/dev/null; then
    jcmd "$TC_PID" GC.class_histogram 2>/dev/null | head -30 >"$BENCH_HISTO.$kind.$L_N" || true
  fi
  # BENCH_HEAPDUMP=FILE.hprof: full heap dump with the streams open (pauses the JVM for seconds).
  if [ -n "${BENCH_HEAPDUMP:-}" ] && command -v jcmd >/dev/null; then
    jcmd "$TC_PID" GC.heap_dump "$BENCH_HEAPDUMP.$kind.$L_N.hprof" >/dev/null 2>&1 || true
  fi
  wait "$CLIENT_PID"; CLIENT_PID=""
  touch "$TMP/stop_sampling"; wait "$SAMPLER_PID"; SAMPLER_PID=""
  jq -n --argjson it "$IDLE_THREADS" --argjson ir "$IDLE_RSS" --argjson ih "$IDLE_HEAP" \
    --argjson mh "$MID_HEAP" --argjson mo "$MID_OPEN" --argjson bh "$STEP_BASE_HEAP" \
    --argjson h2 "$(curl -fsS "http://127.0.0.1:$UPSTREAM_PORT/stats" | jq .h2Sessions)" \
    --slurpfile p "$TMP/${kind}_peak_$L_N.json" \
    '$p[0] + {idleThreads: $it, idleRssKb: $ir, idleHeapKb: $ih, baseHeapKb: $bh, midHeapKb: $mh, midOpenUpstream: $mo,
              h2Sessions: $h2}' \
    >"$TMP/${kind}_tomcat_$L_N.json"
  log "$L_N $kind streams: $(jq -c '{intact, peakOpen, errors}' "$TMP/${kind}_gateway_$L_N.json") $(jq -c . "$TMP/${kind}_tomcat_$L_N.json")"
}

# HTTP/1.1 steps, ascending: the base is the heap before the FIRST step, because after a step the upstream pool
# keeps its connections idle (evicted after 30 s) and the next, larger step reuses all of them.
STEP_BASE_HEAP=$(heap_used_kb)
for L_N in $L_COUNTS; do
  long_step long "$L_N" "$GW_URL"
done

# The h2 steps: their base is the heap once the HTTP/1.1 pool is empty again (the idle connections of the steps
# above would otherwise be counted, or be freed during the step and hide its cost); the h2 connection itself is
# made by the check above and stays, as in production.
if [ -n "$H2_COUNTS" ]; then
  log "waiting for the HTTP/1.1 upstream pool to empty (idle connections are evicted after 30 to 60 s)"
  for _ in $(seq 1 180); do
    [ "$(curl -fsS "http://127.0.0.1:$GATEWAY_PORT/healthz/stats" -H "Authorization: Bearer $KEY" |
      jq '.upstreamConnectionsAvailable + .upstreamConnectionsLeased')" = 0 ] && break
    sleep 0.5
  done
  STEP_BASE_HEAP=$(heap_used_kb)
  for L_N in $H2_COUNTS; do
    long_step h2 "$L_N" "$H2_GW_URL"
  done
fi

curl -fsS "http://127.0.0.1:$UPSTREAM_PORT/stats" >"$TMP/upstream_stats.json"

# ---- report -------------------------------------------------------------------------------------
COMMIT=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo "+dirty")
MACHINE="nproc $(nproc), $(free -g | awk '/^Mem:/ {print "mem " $2 " GiB total, " $7 " GiB available"}'), load avg at start $LOAD_START, at end $(cut -d' ' -f1-3 /proc/loadavg)"
CPU_MODEL=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
JAVA_V=$(java -version 2>&1 | head -1)
# report.js exits 3 when a check failed (errors, broken streams, requests without the pool token): the
# table is still printed and recorded, but the exit status says so (CI fails on it; no timing is asserted).
report_status=0
node bench/report.js --dir "$TMP" --date "$(date -u +%Y-%m-%dT%H:%MZ)" --commit "$COMMIT" \
  --machine "$MACHINE; $CPU_MODEL; $JAVA_V" --mode "$([ "$SMOKE" = 1 ] && echo smoke || echo full)" \
  --container "$([ "$BENCH_CONTAINER" = jetty ] && echo Jetty || echo Tomcat)" \
  --tomcat "$(if [ "$BENCH_CONTAINER" = jetty ]; then
      echo "Jetty $JETTY_VERSION, server-configs/jetty/start.d/switchboard.ini${BENCH_CATALINA_OPTS:+; JVM $BENCH_CATALINA_OPTS}"
    elif [ "$BENCH_TOMCAT" = cargo ]; then echo "cargo:run, cargo's default connector"
    else echo "Tomcat $TOMCAT_VERSION, server-configs/tomcat/server.xml${BENCH_CONNECTOR_ATTRS:+ + $BENCH_CONNECTOR_ATTRS}${BENCH_CATALINA_OPTS:+; JVM $BENCH_CATALINA_OPTS}"; fi)" \
  --long-counts "$L_COUNTS" --h2-counts "$H2_COUNTS" --long-only "$LONG_ONLY" \
  >"$TMP/report.md" || report_status=$?
cat "$TMP/report.md"
if [ "$RECORD" = 1 ]; then
  { echo; cat "$TMP/report.md"; } >>BENCHMARKS.md
  log "appended to BENCHMARKS.md"
else
  log "BENCHMARKS.md not touched (--smoke or --no-record)"
fi
if [ "$report_status" != 0 ]; then
  log "FAILED: the report's checks did not pass (see **Check:** lines above)"
  exit 1
fi
