#!/usr/bin/env bash
# Gateway benchmark: QoS 1 PUBLISHes from N authenticated connections (one PUBLISH per write on TCP_NODELAY sockets,
# ~50-byte ReadingBatch payloads) through the gateway into Kafka (acks=all), then the same load from the same
# generator against Debian's Mosquitto 2 as the reference broker. Writes OUT/gateway-bench.json.
#
#   gateway/bench/gateway-bench.sh --out DIR [--connections 1000] [--duration 20] [--warmup 20] [--window 4]
#
# The warm-up lets the JIT compile the gateway's hot path before the measured window (with 3 s it measured the JIT
# too: 37k msgs/CPU-s where the same build did 69k after 10 s); Mosquitto gets the same warm-up.
# Needs: the built jars (mvn -B -q -pl gateway,local-stack -am package -DskipTests), gcc, mosquitto
# (apt-get install -y gcc mosquitto). Runs ~4 x (warmup + duration) seconds of load plus startup.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=""
CONNECTIONS=1000
DURATION=20
WARMUP=20
WINDOW=4
while [ $# -gt 0 ]; do
    case "$1" in
        --out) OUT=$2; shift 2 ;;
        --connections) CONNECTIONS=$2; shift 2 ;;
        --duration) DURATION=$2; shift 2 ;;
        --warmup) WARMUP=$2; shift 2 ;;
        --window) WINDOW=$2; shift 2 ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
done
[ -n "$OUT" ] || { echo "--out DIR is required" >&2; exit 2; }
GW_JAR=$ROOT/gateway/target/tributary-gateway.jar
STACK_JAR=$ROOT/local-stack/target/tributary-local-stack.jar
for jar in "$GW_JAR" "$STACK_JAR"; do
    [ -f "$jar" ] || { echo "missing $jar: build first (mvn -B -q -pl gateway,local-stack -am package -DskipTests)" >&2; exit 1; }
done
for tool in gcc mosquitto java; do
    command -v "$tool" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin
    command -v "$tool" >/dev/null 2>&1 || { echo "$tool not found: apt-get install -y gcc mosquitto" >&2; exit 1; }
done
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((CONNECTIONS + 500)) ]; then
    echo "open-file limit $(ulimit -n) is too low for $CONNECTIONS connections" >&2; exit 1
fi

mkdir -p "$OUT"
WORK=$(mktemp -d)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

log() { echo "[bench $(date +%T)] $*" >&2; }
field() { sed -n "s/.*\"$2\": \\([-0-9.]*\\).*/\\1/p" "$1"; }
free_port() {
    local p=$1
    while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
    echo "$p"
}
wait_for() { # FILE PATTERN SECONDS
    local deadline=$((SECONDS + $3))
    until grep -q "$2" "$1" 2>/dev/null; do
        [ $SECONDS -lt $deadline ] || { echo "timed out waiting for '$2' in $1:" >&2; tail -20 "$1" >&2; exit 1; }
        sleep 0.2
    done
}

log "building the load generator"
gcc -O2 -o "$WORK/mqtt-load" "$ROOT/gateway/bench/mqtt-load.c" -lm

log "starting Kafka (local-stack)"
java -Xmx512m -jar "$STACK_JAR" --no-influx --partitions 3 --topic-prefix bench. >"$WORK/stack.out" 2>"$WORK/stack.log" &
PIDS+=($!)
wait_for "$WORK/stack.out" '^READY' 120
KAFKA=$(sed -n 's/^KAFKA_BOOTSTRAP=//p' "$WORK/stack.out")

log "provisioning $CONNECTIONS devices"
java -cp "$GW_JAR" io.tributary.gateway.cli.DevicesMain add-many bench- "$CONNECTIONS" \
    --secrets-file "$WORK/secrets.csv" --kafka-bootstrap "$KAFKA" --topic-prefix bench. >&2

# The load generator opens every connection from 127.0.0.1: the per-address limit on pending CONNECTs (a guard
# against one hostile address) would otherwise admit only 64 of them at a time, and the bounded queue of secret
# checks (256, 2 s) would refuse most of a storm of 1,000 CONNECTs arriving in the same second.
log "starting the gateway"
java ${GATEWAY_JAVA_OPTS:-} -Xms64m -Xmx150m -jar "$GW_JAR" --kafka-bootstrap "$KAFKA" --topic-prefix bench. --mqtt-host 127.0.0.1 \
    --mqtt-port 0 --http-port 0 --authentication registry --max-connections 20000 \
    --max-pending-connects-per-address "$CONNECTIONS" --auth-queue "$CONNECTIONS" --auth-queue-max-wait PT120S \
    >"$WORK/gateway.log" 2>&1 &
GW_PID=$!
PIDS+=($GW_PID)
wait_for "$WORK/gateway.log" 'Gateway listening' 120
GW_PORT=$(sed -n 's/.*Gateway listening \[mqtt: [0-9.]*:\([0-9]*\),.*/\1/p' "$WORK/gateway.log")
HTTP_PORT=$(sed -n 's/.*Gateway listening .* http: \([0-9]*\),.*/\1/p' "$WORK/gateway.log")

run() { # NAME PORT PID RATE [generator args...]
    local name=$1 port=$2 pid=$3 rate=$4
    shift 4
    log "$name: $CONNECTIONS connections, rate ${rate} (0 = max), ${WARMUP}s warm-up + ${DURATION}s measured"
    "$WORK/mqtt-load" -p "$port" -c "$CONNECTIONS" -d "$DURATION" -u "$WARMUP" -w "$WINDOW" -r "$rate" -P "$pid" "$@" \
        >"$OUT/$name.json"
    cat "$OUT/$name.json" >&2
}

heap_probe() { # halfway through the max run, with every connection open: heap used after a full GC
    sleep $((WARMUP + DURATION / 2))
    jcmd "$GW_PID" GC.run >/dev/null 2>&1 || true
    jcmd "$GW_PID" GC.heap_info 2>/dev/null | sed -n 's/.* used \([0-9]*\)K.*/\1/p' | head -1 >"$WORK/heap_kb"
}
heap_probe &
PROBE=$!
run gateway-max "$GW_PORT" "$GW_PID" 0 -f "$WORK/secrets.csv"
wait $PROBE || true
GW_HEAP_KB=$(cat "$WORK/heap_kb" 2>/dev/null || true)
GW_MAX=$(field "$OUT/gateway-max.json" acks_per_second)
run gateway-half "$GW_PORT" "$GW_PID" $((${GW_MAX%.*} / 2)) -f "$WORK/secrets.csv" -T "$OUT/gateway-half-timeline.txt"
GW_RSS_KB=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$GW_PID/status")
METRICS=$(curl -fsS "http://127.0.0.1:$HTTP_PORT/metrics" || true)
KAFKA_ACKED=$(echo "$METRICS" | sed -n 's/^tributary_gateway_messages_in_total{kind="telemetry"} \([0-9]*\)/\1/p')
cp "$WORK/gateway.log" "$OUT/gateway.log"

log "starting Mosquitto"
MQ_PORT=$(free_port 18830)
# set_tcp_nodelay: the gateway's sockets have TCP_NODELAY, Mosquitto's only when told (without it, Nagle's algorithm
# held its PUBACKs back: p99 43 ms at half rate, 1.9 ms with it).
printf 'listener %s 127.0.0.1\nallow_anonymous true\nmax_connections -1\nset_tcp_nodelay true\n' "$MQ_PORT" \
    >"$WORK/mosquitto.conf"
mosquitto -c "$WORK/mosquitto.conf" >"$WORK/mosquitto.log" 2>&1 &
MQ_PID=$!
PIDS+=($MQ_PID)
sleep 1
run mosquitto-max "$MQ_PORT" "$MQ_PID" 0 -i bench-
MQ_MAX=$(field "$OUT/mosquitto-max.json" acks_per_second)
run mosquitto-half "$MQ_PORT" "$MQ_PID" $((${MQ_MAX%.*} / 2)) -i bench-

cat >"$OUT/gateway-bench.json" <<JSON
{
  "connections": $CONNECTIONS,
  "gateway_msgs_per_cpu_s": $(field "$OUT/gateway-max.json" msgs_per_cpu_second),
  "mosquitto_msgs_per_cpu_s": $(field "$OUT/mosquitto-max.json" msgs_per_cpu_second),
  "puback_p50_ms": $(field "$OUT/gateway-half.json" puback_p50_ms),
  "puback_p99_ms": $(field "$OUT/gateway-half.json" puback_p99_ms),
  "puback_over_10ms_percent": $(field "$OUT/gateway-half.json" puback_over_10ms_percent),
  "gateway_max_acks_per_s": $GW_MAX,
  "gateway_half_rate_acks_per_s": $(field "$OUT/gateway-half.json" acks_per_second),
  "mosquitto_max_acks_per_s": $MQ_MAX,
  "mosquitto_puback_p50_ms_at_half": $(field "$OUT/mosquitto-half.json" puback_p50_ms),
  "mosquitto_puback_p99_ms_at_half": $(field "$OUT/mosquitto-half.json" puback_p99_ms),
  "mosquitto_puback_over_10ms_percent_at_half": $(field "$OUT/mosquitto-half.json" puback_over_10ms_percent),
  "gateway_rss_peak_mb": $((${GW_RSS_KB:-0} / 1024)),
  "gateway_heap_used_after_gc_mb": $(( ${GW_HEAP_KB:-0} / 1024 )),
  "gateway_max_heap_mb": 150,
  "gateway_telemetry_acked_by_kafka": ${KAFKA_ACKED:-null},
  "measured_seconds_per_run": $DURATION,
  "window_per_connection": $WINDOW,
  "note": "2-core VM shared with Kafka (same box), the generator and other builds; CPU from /proc/PID/stat utime+stime of the server process during the measured window"
}
JSON
log "wrote $OUT/gateway-bench.json"
cat "$OUT/gateway-bench.json"
