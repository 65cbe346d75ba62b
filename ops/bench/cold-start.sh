#!/usr/bin/env bash
# Cold start: milliseconds from `java -jar app/target/callgate.jar` to the first 200 of
# /health/ready (polled every 20 ms), on the embedded SQLite store, with an empty data directory
# (a new one each run) and with an existing one (created once, then reused), on every core and
# pinned to one (taskset -c 1). Prints each run's wall time and the medians of wall time and of
# the CPU time the process had spent when it was ready (all threads; steadier under load).
# Usage: ops/bench/cold-start.sh [runs] [jar…]   (defaults: 5, app/target/callgate.jar)
# Several jars (a copy of the one before a change, and the one after) are started in turn within
# each round, so that both see the same machine.
# MODES chooses what is measured (default "all:empty all:existing one:empty one:existing": every
# core or one, empty or existing data directory).
# The jar is built once (mvn -o -DskipTests package -pl app -am); REBUILD=1 rebuilds it.
set -euo pipefail
RUNS=${1:-5}
shift || true
cd "$(dirname "$0")/../.."
jars=("$@")
if [[ ${#jars[@]} == 0 ]]; then
  jars=(app/target/callgate.jar)
  if [[ ! -f app/target/callgate.jar || "${REBUILD:-0}" == 1 ]]; then
    mvn -B -q -o -DskipTests package -pl app -am
  fi
fi

work=$(mktemp -d)
pid=""
cleanup() {
  [[ -n $pid ]] && kill "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# one start: prints the milliseconds to ready, leaves the service stopped
start_once() { # jar pin data-dir
  local jar=$1 pin=$2 data=$3 port t0 t1 cpu
  port=$(free_port)
  t0=$(date +%s%N)
  CALLGATE_HTTP_PORT=$port CALLGATE_HTTP_HOST=127.0.0.1 CALLGATE_PUBLIC_URL=http://127.0.0.1 \
    CALLGATE_DATA_DIR="$data" CALLGATE_ADMIN_KEY=cold-start-bench-admin-key-0123456789 \
    $pin java -jar "$jar" >>"$work/callgate.log" 2>&1 &
  pid=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$port/health/ready"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "callgate exited; its log:" >&2
      tail -20 "$work/callgate.log" >&2
      exit 1
    fi
    sleep 0.02
  done
  t1=$(date +%s%N)
  # CPU time (all threads, user + system) spent until ready: steadier than wall time on a busy machine
  cpu=$(awk '{print ($14 + $15) * 10}' "/proc/$pid/stat")
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  pid=""
  echo "$(((t1 - t0) / 1000000)) $cpu"
}

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)   cores: $(nproc)"
for jar in "${jars[@]}"; do
  echo "  $jar: $(du -h "$jar" | cut -f1)"
  start_once "$jar" "" "$work/warm-up" >/dev/null # the jar into the page cache
done
for mode in ${MODES:-all:empty all:existing one:empty one:existing}; do
  pin=""
  [[ ${mode%%:*} == one ]] && pin="taskset -c 1"
  data=${mode#*:}
  declare -A times=() cpus=()
  for i in $(seq 1 "$RUNS"); do
    for j in "${!jars[@]}"; do
      if [[ $data == empty ]]; then dir="$work/empty-$j-$i"; else dir="$work/existing-$j"; fi
      [[ $data == existing && ! -d $dir ]] && start_once "${jars[$j]}" "$pin" "$dir" >/dev/null
      read -r wall cpu < <(start_once "${jars[$j]}" "$pin" "$dir")
      times[$j]="${times[$j]:-} $wall"
      cpus[$j]="${cpus[$j]:-} $cpu"
    done
  done
  for j in "${!jars[@]}"; do
    # shellcheck disable=SC2086
    printf '%-14s %-9s %-28s median %5s ms (CPU %5s ms)   runs:%s\n' "${pin:-all cores}" "$data" \
      "$(basename "${jars[$j]}")" "$(median ${times[$j]})" "$(median ${cpus[$j]})" "${times[$j]}"
  done
  unset times cpus
done
echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)"
