#!/usr/bin/env bash
# Callout benchmark: how fast does Callgate relay a call, next to nginx doing the same job?
#
# Side by side in one run, in interleaved rounds after a JIT warm-up (wrk drives every variant):
#   direct        wrk -> an nginx target (GET /small answers "ok"; /1m.bin and /50m.bin static files)
#   nginx         wrk -> nginx proxy_pass (keep-alive upstream, a static Authorization header) -> target
#   key-sqlite    wrk -> Callgate, api_key credential, embedded SQLite store -> target
#   cc-sqlite     wrk -> Callgate, oauth2_client_credentials (token endpoint: the target's POST /token)
#   key-pg        wrk -> Callgate, api_key credential, PostgreSQL store
#   users-sqlite  wrk -> Callgate, per-user oauth2_jwt_bearer credential, one key per user (10,000)
# pinned (wrk on core 0; the proxy and the target on core 1), and unpinned on both cores:
#   direct-2c, nginx-2c (2 workers each), key-sqlite-2c (Callgate started with both cores).
# Prints Markdown tables: req/s at 32 connections and x nginx, p50/p99 at a paced ~1.4k req/s, MB/s of
# 1 MB and 50 MB bodies, RSS under load, heap around the body runs, bytes allocated per callout, cold
# start to ready, and the machine's load. See ops/bench/README.md.
#
#   ops/bench/callout.sh                       # build the jar, 3 rounds of 10 s runs
#   ops/bench/callout.sh --quick               # smoke run: 1 round, 3 s runs, 500 users
#   CALLGATE_JAR=/tmp/other.jar ops/bench/callout.sh --only nginx,key-sqlite --rounds 5
#
# Environment: CALLGATE_JAR (a jar to measure; nothing is built), REBUILD=0 (reuse
# app/target/callgate.jar), BENCH_PG_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres;
# the database callgate_callout_bench there is dropped and created), KEEP=1 (keep the work directory
# with every log and wrk output).
set -euo pipefail

usage() {
  cat <<'EOF'
usage: ops/bench/callout.sh [--rounds N] [--duration S] [--warmup S] [--users N] [--cold-starts N]
                            [--quick] [--only variant,...]
  --rounds N       interleaved rounds; each column is the median over them (default 3)
  --duration S     seconds of each wrk run (default 10)
  --warmup S       seconds of JIT warm-up per variant before the first round (default 20)
  --users N        users of the per-user variant (default 10000)
  --users-warmup S at most this long for the users' first callouts, which obtain their tokens; only
                   the users served by then are measured (default 600)
  --cold-starts N  timed starts to ready, pinned and on two cores, median (default 3; 0 skips)
  --quick          smoke run: 1 round, 3 s runs, 3 s warm-up, 500 users, 1 cold start
  --only LIST      variants to run, comma-separated, from:
                   direct nginx key-sqlite cc-sqlite key-pg users-sqlite direct-2c nginx-2c key-sqlite-2c
                   (x nginx needs nginx, resp. nginx-2c; the two-core ratio needs key-sqlite)
Environment: CALLGATE_JAR=path (measure that jar, build nothing), REBUILD=0 (reuse app/target/callgate.jar),
  BENCH_PG_ADMIN_URL (PostgreSQL to create callgate_callout_bench on), KEEP=1 (keep logs).
EOF
}

all_variants=(direct nginx key-sqlite cc-sqlite key-pg users-sqlite direct-2c nginx-2c key-sqlite-2c)
rounds=3
duration=10
warmup=20
users=10000
users_warmup=600
cold_starts=3
only=""
while (($#)); do
  case $1 in
    --rounds) rounds=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --users) users=$2; shift 2 ;;
    --users-warmup) users_warmup=$2; shift 2 ;;
    --cold-starts) cold_starts=$2; shift 2 ;;
    --quick) rounds=1; duration=3; warmup=3; users=500; users_warmup=60; cold_starts=1; shift ;;
    --only) only=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
variants=("${all_variants[@]}")
if [[ -n $only ]]; then
  IFS=, read -r -a variants <<<"$only"
  for v in "${variants[@]}"; do
    [[ " ${all_variants[*]} " == *" $v "* ]] || { echo "unknown variant: $v" >&2; exit 2; }
  done
fi
wants() { [[ " ${variants[*]} " == *" $1 "* ]]; }

cd "$(dirname "$0")/../.."
bench_started=$(date +%s)

# --- tools -------------------------------------------------------------------------------------
if (($(nproc --all) < 2)); then
  echo "needs at least two cores (wrk on core 0, the server under test on core 1)" >&2
  exit 1
fi
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
command -v curl >/dev/null || missing+=(curl)
command -v python3 >/dev/null || missing+=(python3)
command -v openssl >/dev/null || missing+=(openssl)
command -v taskset >/dev/null || missing+=(util-linux)
if wants key-pg; then command -v psql >/dev/null || missing+=(postgresql-client); fi
if ((${#missing[@]})); then
  echo "installing ${missing[*]} (Debian packages)" >&2
  sudo=()
  ((EUID == 0)) || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
command -v java >/dev/null || { echo "java (17+) is needed" >&2; exit 1; }
command -v jcmd >/dev/null || { echo "jcmd (from the JDK) is needed" >&2; exit 1; }

# --- the jar -----------------------------------------------------------------------------------
if [[ -n ${CALLGATE_JAR:-} ]]; then
  jar=$(realpath "$CALLGATE_JAR")
else
  jar=$PWD/app/target/callgate.jar
  if [[ ${REBUILD:-1} != 0 || ! -f $jar ]]; then
    echo "building $jar" >&2
    mvn -B -q -o -DskipTests package -pl app -am
  fi
fi
[[ -f $jar ]] || { echo "no jar at $jar" >&2; exit 1; }
commit=$(git describe --always --dirty 2>/dev/null || echo unknown)
jar_built=$(date -u -r "$jar" '+%Y-%m-%d %H:%M UTC')
# Only the variables this script sets reach the services.
while read -r name; do unset "$name"; done < <(compgen -e | grep '^CALLGATE_' || true)

# --- background processes: each started with exec in a subshell, its PID kept, killed on exit ---
work=$(mktemp -d /tmp/callout-bench.XXXXXX)
chmod 755 "$work" # nginx workers may run as another user
pids=()
pg_admin_url=${BENCH_PG_ADMIN_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
pg_db=callgate_callout_bench
pg_created=0
stop_pid() {
  local pid=$1
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
  local pid
  for pid in "${pids[@]}"; do stop_pid "$pid"; done
  if ((pg_created)); then
    psql -q "$pg_admin_url" -c "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  if [[ ${KEEP:-0} == 1 ]]; then
    echo "work directory kept: $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# start LOG CMD...: runs CMD in the background with exec, its PID in $started
start() {
  local log=$1
  shift
  if declare -F "$1" >/dev/null; then
    ("$@") >"$log" 2>&1 &
  else
    (exec "$@") >"$log" 2>&1 &
  fi
  started=$!
  pids+=("$started")
}
forget() { # stop one background process now and drop it from the exit list
  local pid=$1 kept=() p
  stop_pid "$pid"
  wait "$pid" 2>/dev/null || true
  for p in "${pids[@]}"; do [[ $p == "$pid" ]] || kept+=("$p"); done
  pids=("${kept[@]}")
}
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
# The script, curl, the samplers and wrk share core 0; servers are pinned explicitly.
taskset -pc 0 $$ >/dev/null
pin_one=(taskset -c 1)
pin_two=(taskset -c 0,1)

load() { cut -d' ' -f1 /proc/loadavg; }
load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)

# --- the nginx target and proxy, each once on core 1 (1 worker) and once on both cores (2) ----
docroot=$work/www
mkdir -p "$docroot"
head -c $((1024 * 1024)) /dev/urandom >"$docroot/1m.bin"
head -c $((50 * 1024 * 1024)) /dev/urandom >"$docroot/50m.bin"
access_token=bench-access-token-$(openssl rand -hex 16)

nginx_conf() { # dir workers server-block
  local dir=$1 workers=$2 server=$3
  mkdir -p "$dir/tmp"
  {
    ((EUID == 0)) && echo "user root;"
    cat <<EOF
worker_processes $workers;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  default_type application/octet-stream;
  sendfile on;
  tcp_nopush on;
  keepalive_timeout 300s;
  keepalive_requests 100000000;
$server
}
EOF
  } >"$dir/nginx.conf"
}
target_server() {
  cat <<EOF
  server {
    listen 127.0.0.1:$1;
    root $docroot;
    location = /small { default_type text/plain; return 200 'ok'; }
    location = /token {
      default_type application/json;
      return 200 '{"access_token":"$access_token","token_type":"Bearer","expires_in":3600}';
    }
  }
EOF
}
proxy_server() {
  cat <<EOF
  upstream target { server 127.0.0.1:$2; keepalive 64; }
  server {
    listen 127.0.0.1:$1;
    location / {
      proxy_pass http://target;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Authorization "Bearer $access_token";
      proxy_max_temp_file_size 0;
    }
  }
EOF
}
start_nginx() { # name workers port server-block pin...
  local name=$1 workers=$2 port=$3 server=$4
  shift 4
  nginx_conf "$work/$name" "$workers" "$server"
  start "$work/$name/stdout.log" "$@" "$nginx_bin" -p "$work/$name" -c "$work/$name/nginx.conf" -g 'daemon off;'
  nginx_pid[$name]=$started
  wait_http "http://127.0.0.1:$port/" "$started" "$name" 20 any
}
# wait_http URL PID NAME SECONDS [any]: until URL answers 200 (any status with "any")
wait_http() {
  local url=$1 pid=$2 name=$3 limit=$4 code
  for _ in $(seq 1 $((limit * 10))); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$url" || true)
    if [[ $code == 200 || (${5:-} == any && $code != 000) ]]; then return 0; fi
    kill -0 "$pid" 2>/dev/null || { echo "$name exited; its log is in $work" >&2; KEEP=1; exit 1; }
    sleep 0.1
  done
  echo "$name did not answer $url within ${limit}s" >&2
  KEEP=1
  exit 1
}
declare -A nginx_pid port
port[target1]=$(free_port)
port[proxy1]=$(free_port)
port[target2]=$(free_port)
port[proxy2]=$(free_port)
start_nginx target1 1 "${port[target1]}" "$(target_server "${port[target1]}")" "${pin_one[@]}"
start_nginx proxy1 1 "${port[proxy1]}" "$(proxy_server "${port[proxy1]}" "${port[target1]}")" "${pin_one[@]}"
if wants direct-2c || wants nginx-2c || wants key-sqlite-2c; then
  start_nginx target2 2 "${port[target2]}" "$(target_server "${port[target2]}")" "${pin_two[@]}"
  start_nginx proxy2 2 "${port[proxy2]}" "$(proxy_server "${port[proxy2]}" "${port[target2]}")" "${pin_two[@]}"
fi
# the nginx processes of an instance: master and workers (RSS is their sum)
nginx_pids() { echo "${nginx_pid[$1]} $(pgrep -P "${nginx_pid[$1]}" | tr '\n' ' ')"; }

# --- Callgate instances: one JVM per variant, so each has its own JIT profile, heap and RSS -----
admin_key=bench-admin-$(openssl rand -hex 16)
declare -A cg_pid cg_base cg_key cg_path
start_callgate() { # variant store pin...
  local v=$1 store=$2
  shift 2
  local dir=$work/$v p
  p=$(free_port)
  mkdir -p "$dir"
  local env=(CALLGATE_HTTP_HOST=127.0.0.1 CALLGATE_HTTP_PORT="$p" CALLGATE_DATA_DIR="$dir/data"
    CALLGATE_ADMIN_KEY="$admin_key" CALLGATE_OUTBOUND_ALLOW=127.0.0.0/8,::1/128
    CALLGATE_INSTANCE_ID="bench-$v")
  if [[ $store == pg ]]; then
    env+=(CALLGATE_DB_URL="${pg_admin_url%/*}/$pg_db" CALLGATE_MASTER_KEY="$(openssl rand -base64 32)")
  fi
  start "$dir/callgate.log" env "${env[@]}" "$@" java -jar "$jar"
  cg_pid[$v]=$started
  cg_base[$v]=http://127.0.0.1:$p
}
admin() { # variant curl-args...
  local v=$1
  shift
  curl -sS --fail-with-body -H "Authorization: Bearer $admin_key" -H 'Content-Type: application/json' \
    "$@" | sed "s/^/[$v] /" >&2 || { echo "[$v] admin call failed: $*" >&2; KEEP=1; exit 1; }
}
json_field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
new_key() { # variant subject -> prints the key
  curl -sS --fail-with-body -H "Authorization: Bearer $admin_key" -H 'Content-Type: application/json' \
    "${cg_base[$1]}/v1/keys" -d "{\"subject\":\"$2\",\"roles\":[\"caller\"]}" | json_field key
}
setup_callgate() { # variant target-port credential-kind
  local v=$1 target=http://127.0.0.1:$2 kind=$3 base=${cg_base[$1]}
  wait_http "$base/health/ready" "${cg_pid[$v]}" "$v" 180
  case $kind in
    key)
      admin "$v" "$base/v1/credentials" -o /dev/null -d "{\"name\":\"svc\",\"url\":\"$target\",
        \"protocol\":\"api_key\",\"apiKeyHeader\":\"X-API-Key\",\"apiKey\":\"bench-target-key-$(openssl rand -hex 8)\",
        \"allowedCallers\":[\"bench\"]}"
      cg_key[$v]=$(new_key "$v" bench)
      ;;
    cc)
      admin "$v" "$base/v1/providers" -o /dev/null -d "{\"name\":\"idp\",\"tokenEndpoint\":\"$target/token\",
        \"clientId\":\"callgate-bench\",\"clientSecret\":\"bench-client-secret-0123456789\"}"
      admin "$v" "$base/v1/credentials" -o /dev/null -d "{\"name\":\"svc\",\"url\":\"$target\",
        \"protocol\":\"oauth2_client_credentials\",\"provider\":\"idp\",\"allowedCallers\":[\"bench\"]}"
      cg_key[$v]=$(new_key "$v" bench)
      ;;
    users) setup_users "$v" "$target" ;;
  esac
  cg_path[$v]=/v1/callout/svc
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer ${cg_key[$v]}" "$base${cg_path[$v]}/small")
  [[ $code == 200 ]] || { echo "[$v] a first callout answered $code" >&2; KEEP=1; exit 1; }
}
# Per-user tokens come from a grant without a person only for oauth2_jwt_bearer (Callgate signs an
# assertion for the caller's subject; the target's /token answers it). One key per user, subjects of
# three characters so that 10,000 of them fit in the credential's allowedCallers (64 KiB of JSON).
setup_users() {
  local v=$1 target=$2 base=${cg_base[$1]}
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/$v/jwt.pem" 2>/dev/null
  admin "$v" "$base/v1/providers" -o /dev/null -d "{\"name\":\"idp\",\"tokenEndpoint\":\"$target/token\",
    \"clientId\":\"callgate-bench\",\"clientSecret\":\"bench-client-secret-0123456789\"}"
  python3 - "$base" "$admin_key" "$users" "$target" "$work/$v/jwt.pem" "$work/$v/keys.txt" <<'PY'
import http.client, json, string, sys, threading, urllib.parse
from concurrent.futures import ThreadPoolExecutor
base, admin_key, users, target, pem, keys_file = sys.argv[1], sys.argv[2], int(sys.argv[3]), *sys.argv[4:]
digits = string.ascii_letters + string.digits
subjects = [digits[i // 3844 % 62] + digits[i // 62 % 62] + digits[i % 62] for i in range(users)]
url = urllib.parse.urlsplit(base)
local = threading.local()
def post(path, body):
    if not hasattr(local, "conn"):
        local.conn = http.client.HTTPConnection(url.hostname, url.port)
    local.conn.request("POST", path, json.dumps(body, separators=(",", ":")),
                       {"Authorization": "Bearer " + admin_key, "Content-Type": "application/json"})
    answer = local.conn.getresponse()
    data = answer.read()
    if answer.status // 100 != 2:
        raise SystemExit(f"POST {path}: {answer.status} {data[:300]!r}")
    return json.loads(data)
post("/v1/credentials", {"name": "svc", "url": target, "protocol": "oauth2_jwt_bearer",
                         "principal": "per_user", "provider": "idp", "jwtIssuer": "callgate-bench",
                         "jwtSigningKey": open(pem).read(), "allowedCallers": subjects})
# a few keys in flight at once: each is a store write
with ThreadPoolExecutor(8) as pool, open(keys_file, "w") as out:
    for answer in pool.map(lambda s: post("/v1/keys", {"subject": s, "roles": ["caller"]}), subjects):
        out.write(answer["key"] + "\n")
PY
  cg_key[$v]=$(head -n 1 "$work/$v/keys.txt")
  # wrk sends each request with the next warmed-up user's key (see warm_users)
  {
    echo 'local keys = {}'
    echo "for line in io.lines(\"$work/$v/warm-keys.txt\") do keys[#keys + 1] = line end"
    echo 'local i = 0'
    echo 'request = function()'
    echo '  i = i % #keys + 1'
    echo '  return wrk.format(nil, nil, { ["Authorization"] = "Bearer " .. keys[i] })'
    echo 'end'
  } >"$work/$v/rotate.lua"
}

results=$work/results.tsv
: >"$results"
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$results"; }

# warm_users VARIANT: each user's first callout, which obtains the user's token (a JWT-bearer grant),
# 32 at once, for at most --users-warmup seconds; the users served go to warm-keys.txt, the only
# ones measured afterwards. Records how many and how fast.
warm_users() {
  local v=$1 answer
  answer=$(python3 - "${url[$v]}/small" "$work/$v/keys.txt" "$users_warmup" "$work/$v/warm-keys.txt" <<'PY'
import http.client, sys, threading, time, urllib.parse
from concurrent.futures import ThreadPoolExecutor
target, keys_file, limit, out_file = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
keys = open(keys_file).read().split()
url = urllib.parse.urlsplit(target)
deadline = time.monotonic() + limit
local = threading.local()
def call(key):
    if time.monotonic() > deadline:
        return None
    if not hasattr(local, "conn"):
        local.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
    try:
        local.conn.request("GET", url.path, headers={"Authorization": "Bearer " + key})
        answer = local.conn.getresponse()
        answer.read()
        return key if answer.status == 200 else None
    except OSError:
        local.conn.close()
        del local.conn
        return None
started = time.monotonic()
with ThreadPoolExecutor(32) as pool:
    warmed = [key for key in pool.map(call, keys) if key]
took = time.monotonic() - started
with open(out_file, "w") as out:
    out.write("".join(key + "\n" for key in warmed))
print(len(warmed), round(len(warmed) / took, 1))
PY
  )
  read -r warmed rate <<<"$answer"
  echo "warm-up $v: $warmed of $users users have a token ($rate first callouts/s)" >&2
  record 0 "$v" users_warmed "$warmed"
  record 0 "$v" first_callouts_per_s "$rate"
  ((warmed > 0)) || { echo "no user of $v got a token" >&2; KEEP=1; exit 1; }
}

if wants key-pg; then
  if PGOPTIONS='--client-min-messages=warning' psql -q "$pg_admin_url" \
    -c "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" -c "CREATE DATABASE $pg_db" >/dev/null; then
    pg_created=1
  else
    echo "PostgreSQL at $pg_admin_url is not reachable: key-pg is left out" >&2
    mapfile -t variants < <(printf '%s\n' "${variants[@]}" | grep -vx key-pg)
  fi
fi
# start every JVM first, then wait for each: the starts overlap
wants key-sqlite && start_callgate key-sqlite sqlite "${pin_one[@]}"
wants cc-sqlite && start_callgate cc-sqlite sqlite "${pin_one[@]}"
wants key-pg && start_callgate key-pg pg "${pin_one[@]}"
wants users-sqlite && start_callgate users-sqlite sqlite "${pin_one[@]}"
wants key-sqlite-2c && start_callgate key-sqlite-2c sqlite "${pin_two[@]}"
wants key-sqlite && setup_callgate key-sqlite "${port[target1]}" key
wants cc-sqlite && setup_callgate cc-sqlite "${port[target1]}" cc
wants key-pg && setup_callgate key-pg "${port[target1]}" key
wants users-sqlite && setup_callgate users-sqlite "${port[target1]}" users
wants key-sqlite-2c && setup_callgate key-sqlite-2c "${port[target2]}" key

# --- what a variant is: where wrk sends, which processes are measured, where wrk runs ---------
declare -A url rss_pids wrk_pin bodies
url[direct]=http://127.0.0.1:${port[target1]}
url[nginx]=http://127.0.0.1:${port[proxy1]}
url[direct-2c]=http://127.0.0.1:${port[target2]}
url[nginx-2c]=http://127.0.0.1:${port[proxy2]}
rss_pids[direct]=""
rss_pids[direct-2c]=""
for v in "${variants[@]}"; do
  case $v in
    nginx) rss_pids[$v]=$(nginx_pids proxy1) ;;
    nginx-2c) rss_pids[$v]=$(nginx_pids proxy2) ;;
    direct | direct-2c) ;;
    *) url[$v]=${cg_base[$v]}${cg_path[$v]}; rss_pids[$v]=${cg_pid[$v]} ;;
  esac
  case $v in *-2c) wrk_pin[$v]="" ;; *) wrk_pin[$v]=0 ;; esac
  case $v in direct | nginx | key-sqlite) bodies[$v]=1 ;; *) bodies[$v]=0 ;; esac
done
caller_header() { # variant -> the caller key (wrk -H); nginx and the target ignore it
  echo "Authorization: Bearer ${cg_key[$1]:-bench-caller-key}"
}
echo 'function delay() return 10 end' >"$work/paced.lua"

# run_wrk variant output connections seconds path [paced] [timeout]
run_wrk() {
  local v=$1 out=$2 conns=$3 secs=$4 path=$5 paced=${6:-} timeout=${7:-5s}
  local args=(-t1 -c"$conns" -d"${secs}s" --timeout "$timeout" -H "$(caller_header "$v")")
  local script=""
  if [[ $v == users-sqlite ]]; then
    script=$work/$v/rotate.lua
    if [[ -n $paced ]]; then
      cat "$script" "$work/paced.lua" >"$work/$v/rotate-paced.lua"
      script=$work/$v/rotate-paced.lua
    fi
  elif [[ -n $paced ]]; then
    script=$work/paced.lua
  fi
  [[ -n $script ]] && args+=(-s "$script")
  [[ -n $paced ]] && args+=(--latency)
  local pin=()
  [[ -n ${wrk_pin[$v]} ]] && pin=(taskset -c "${wrk_pin[$v]}")
  "${pin[@]}" wrk "${args[@]}" "${url[$v]}$path" >"$out" 2>&1 || true
}

scrape() { curl -sf "${cg_base[$1]}/metrics" >"$2"; } # variant file
# metric NAME-PREFIX FILE: the sum of the Prometheus samples whose line starts with the prefix
metric() { awk -v m="$1" 'index($0, m) == 1 { s += $NF } END { printf "%.0f\n", s }' "$2"; }
heap() { # variant -> bytes of heap in use
  local file
  file=$(mktemp -p "$work")
  scrape "$1" "$file" && metric 'jvm_memory_used_bytes{area="heap"' "$file"
  rm -f "$file"
}
heap_sampler() { # variant OUT: every second the heap in use; the maximum goes to OUT
  local max=0 used
  while :; do
    used=$(heap "$1" || echo 0)
    if ((used > max)); then
      max=$used
      echo "$max" >"$2"
    fi
    sleep 1
  done
}
# A forced GC settles jvm_gc_memory_allocated_bytes_total (it only advances at collections), so the
# delta between two forced GCs is what the JVM allocated in between.
full_gc() { jcmd "${cg_pid[$1]}" GC.run >/dev/null; }

# sampler OUT PIDS...: every 0.25 s the summed VmRSS (KiB) of PIDS; the maximum goes to OUT
sampler() {
  local out=$1 max=0 kb key value _ pid
  shift
  while :; do
    kb=0
    for pid in "$@"; do
      while read -r key value _; do
        [[ $key == VmRSS: ]] && kb=$((kb + value))
      done <"/proc/$pid/status" 2>/dev/null || true
    done
    if ((kb > max)); then
      max=$kb
      echo "$max" >"$out"
    fi
    sleep 0.25
  done
}

measure() { # round variant
  local r=$1 v=$2 dir=$work/out/$1/$2
  mkdir -p "$dir"
  record "$r" "$v" load "$(load)"
  local sampler_pid=""
  if [[ -n ${rss_pids[$v]} ]]; then
    # shellcheck disable=SC2086 # a list of PIDs
    start "$dir/sampler.log" sampler "$dir/rss" ${rss_pids[$v]}
    sampler_pid=$started
  fi
  local is_cg=0
  [[ -n ${cg_pid[$v]:-} ]] && is_cg=1
  if ((is_cg)); then
    full_gc "$v"
    scrape "$v" "$dir/metrics-before"
  fi
  run_wrk "$v" "$dir/small.txt" 32 "$duration" /small
  if ((is_cg)); then
    full_gc "$v"
    scrape "$v" "$dir/metrics-after"
    local counter
    for counter in jvm_gc_memory_allocated_bytes_total jvm_gc_pause_seconds_count; do
      record "$r" "$v" "$counter" \
        "$(($(metric "$counter" "$dir/metrics-after") - $(metric "$counter" "$dir/metrics-before")))"
    done
  fi
  run_wrk "$v" "$dir/paced.txt" 14 "$duration" /small paced
  if ((bodies[$v])); then
    if ((is_cg)); then
      full_gc "$v"
      record "$r" "$v" heap_before "$(heap "$v")"
    fi
    local heap_pid=""
    if ((is_cg)); then
      start "$dir/heap-sampler.log" heap_sampler "$v" "$dir/heap-peak"
      heap_pid=$started
    fi
    run_wrk "$v" "$dir/1m.txt" 4 "$duration" /1m.bin "" 30s
    run_wrk "$v" "$dir/50m.txt" 2 "$duration" /50m.bin "" 60s
    if ((is_cg)); then
      forget "$heap_pid"
      record "$r" "$v" heap_peak "$(cat "$dir/heap-peak" 2>/dev/null || echo 0)"
      full_gc "$v"
      record "$r" "$v" heap_after "$(heap "$v")"
    fi
  fi
  if [[ -n $sampler_pid ]]; then
    forget "$sampler_pid"
    record "$r" "$v" rss_kb "$(cat "$dir/rss" 2>/dev/null || echo 0)"
  fi
  record "$r" "$v" dir "$dir"
}

# --- warm-up, then interleaved rounds ----------------------------------------------------------
printf 'callout benchmark: %s (commit %s), %d round(s) of %ss runs, warm-up %ss, variants: %s\n' \
  "$jar" "$commit" "$rounds" "$duration" "$warmup" "${variants[*]}" >&2
for v in "${variants[@]}"; do
  echo "warm-up $v" >&2
  [[ $v == users-sqlite ]] && warm_users "$v"
  run_wrk "$v" "$work/warmup-$v.txt" 32 "$warmup" /small
  run_wrk "$v" "$work/warmup-paced-$v.txt" 14 "$(((warmup + 3) / 4))" /small paced
  if ((bodies[$v])); then
    run_wrk "$v" "$work/warmup-1m-$v.txt" 4 "$(((warmup + 3) / 4))" /1m.bin "" 30s
  fi
done
for r in $(seq 1 "$rounds"); do
  for v in "${variants[@]}"; do
    echo "round $r/$rounds: $v" >&2
    measure "$r" "$v"
  done
done
load_after_rounds=$(cut -d' ' -f1-3 /proc/loadavg)

# --- cold start: java -jar to /health/ready answering 200, on a store that exists already -----
for v in "${!cg_pid[@]}"; do forget "${cg_pid[$v]}"; done
cold() { # label start pin...
  local label=$1 i=$2 dir=$work/cold p t0 t1
  shift 2
  p=$(free_port)
  t0=$(date +%s%N)
  start "$dir/start-$label-$i.log" env CALLGATE_HTTP_HOST=127.0.0.1 CALLGATE_HTTP_PORT="$p" \
    CALLGATE_DATA_DIR="$dir/data" CALLGATE_ADMIN_KEY="$admin_key" "$@" java -jar "$jar"
  until [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$p/health/ready" || true) == 200 ]]; do
    kill -0 "$started" 2>/dev/null || { echo "cold start $label $i failed: $dir" >&2; KEEP=1; exit 1; }
    sleep 0.02
  done
  t1=$(date +%s%N)
  record "$i" cold "$label" "$(((t1 - t0) / 1000000))"
  forget "$started"
}
if ((cold_starts > 0)); then
  echo "cold starts" >&2
  mkdir -p "$work/cold"
  # the first start creates the store and the master key; it is not timed
  p=$(free_port)
  start "$work/cold/init.log" env CALLGATE_HTTP_HOST=127.0.0.1 CALLGATE_HTTP_PORT="$p" \
    CALLGATE_DATA_DIR="$work/cold/data" CALLGATE_ADMIN_KEY="$admin_key" java -jar "$jar"
  wait_http "http://127.0.0.1:$p/health/ready" "$started" cold-init 180
  forget "$started"
  for i in $(seq 1 "$cold_starts"); do
    cold one-core "$i" "${pin_one[@]}"
    cold two-cores "$i" "${pin_two[@]}"
  done
fi

# --- the tables ---------------------------------------------------------------------------------
python3 - "$results" "$rounds" "$duration" "$commit" "$jar" "$load_at_start" "$load_after_rounds" \
  "$(nproc --all)" "$users" "$(($(date +%s) - bench_started))" "$jar_built" <<'PY'
import re, statistics, sys, time
from collections import defaultdict

results, rounds, duration, commit, jar, load0, load1, cpus, users, took, jar_built = sys.argv[1:]
data = defaultdict(lambda: defaultdict(list))  # variant -> key -> [values over rounds]
for line in open(results):
    r, v, k, value = line.rstrip("\n").split("\t")
    data[v][k].append(value)

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}
SIZES = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}

def wrk(path):
    text = open(path).read()
    out = {}
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    out["rps"] = float(m.group(1)) if m else None
    m = re.search(r"Transfer/sec:\s+([\d.]+)([KMGT]?B)", text)
    out["bps"] = float(m.group(1)) * SIZES[m.group(2)] if m else None
    m = re.search(r"(\d+) requests in", text)
    out["requests"] = int(m.group(1)) if m else 0
    for q in ("50", "99"):
        m = re.search(r"^\s+%s%%\s+([\d.]+)(us|ms|s|m)\s*$" % q, text, re.M)
        out["p" + q] = float(m.group(1)) * UNITS[m.group(2)] if m else None
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    out["non2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    out["errors"] = sum(map(int, m.groups())) if m else 0
    if out["rps"] is None:
        out["broken"] = text.strip().splitlines()[-1:] or ["no output"]
    return out

def med(values):
    values = [x for x in values if x is not None]
    return statistics.median(values) if values else None

rows = {}
problems = []
for v, keys in data.items():
    if v == "cold":
        continue
    runs = defaultdict(list)
    for d in keys["dir"]:
        for name in ("small", "paced", "1m", "50m"):
            try:
                w = wrk(f"{d}/{name}.txt")
            except FileNotFoundError:
                continue
            runs[name].append(w)
            if w["non2xx"] or w["errors"] or "broken" in w:
                problems.append(f"{v} {name} ({d}): {w['non2xx']} non-2xx answers, "
                                f"{w['errors']} socket errors {w.get('broken', '')}")
    row = {
        "rps": med([w["rps"] for w in runs["small"]]),
        "p50": med([w["p50"] for w in runs["paced"]]),
        "p99": med([w["p99"] for w in runs["paced"]]),
        "paced": med([w["rps"] for w in runs["paced"]]),
        "1m": med([w["bps"] / 1e6 if w["bps"] else None for w in runs["1m"]]),
        "50m": med([w["bps"] / 1e6 if w["bps"] else None for w in runs["50m"]]),
        "rss": max([int(x) for x in keys["rss_kb"]], default=0) / 1024,
        "load": [float(x) for x in keys["load"]],
    }
    if keys.get("jvm_gc_memory_allocated_bytes_total"):
        per = [int(a) / w["requests"] for a, w in
               zip(keys["jvm_gc_memory_allocated_bytes_total"], runs["small"]) if w["requests"]]
        row["alloc"] = med(per)
        # the forced GC after the run is one of them
        row["gcs"] = med([int(x) - 1 for x in keys["jvm_gc_pause_seconds_count"]])
    if keys.get("heap_before"):
        mib = lambda k: med([int(x) / 2**20 for x in keys[k]])
        row["heap"] = (mib("heap_before"), mib("heap_peak"), mib("heap_after"))
    row["rounds"] = [w["rps"] for w in runs["small"]]
    rows[v] = row

def num(x, digits=0):
    if x is None:
        return "—"
    return f"{x:,.{digits}f}"

def ratio(x, base):
    return f"{x / base:.2f}" if x and base else "—"

def ms(x):
    return "—" if x is None else f"{x:.2f} ms"

warmed = data.get("users-sqlite", {}).get("users_warmed")
LABELS = {
    "direct": "direct to the target",
    "nginx": "nginx `proxy_pass` + a static Authorization header",
    "key-sqlite": "Callgate, API-key credential, SQLite",
    "cc-sqlite": "Callgate, client-credentials, SQLite",
    "key-pg": "Callgate, API-key credential, PostgreSQL",
    "users-sqlite": "Callgate, per-user JWT-bearer credential, "
    + (f"{int(warmed[0]):,} of " if warmed and int(warmed[0]) < int(users) else "")
    + f"{int(users):,} users, SQLite",
    "direct-2c": "direct to the target (2 workers)",
    "nginx-2c": "nginx `proxy_pass` (2 workers)",
    "key-sqlite-2c": "Callgate, API-key credential, SQLite, two cores",
}

def loads(names):
    values = [x for n in names if n in rows for x in rows[n]["load"]]
    return f"{min(values):.2f}–{max(values):.2f}" if values else "—"

def table(names, base, bodies):
    names = [n for n in LABELS if n in names and n in rows]
    if not names:
        return
    b = rows.get(base, {})
    head = "| variant | req/s (32 conns) | × nginx | p50 / p99 at paced load (achieved req/s) |"
    line = "|---|---|---|---|"
    if bodies:
        head += " 1 MB / 50 MB bodies MB/s | × nginx |"
        line += "---|---|"
    head += " RSS under load |"
    line += "---|"
    if bodies:
        head += " heap MiB before / peak / after bodies |"
        line += "---|"
    head += " bytes allocated per callout |"
    line += "---|"
    print(head)
    print(line)
    for n in names:
        r = rows[n]
        cells = [LABELS[n], num(r["rps"]), ratio(r["rps"], b.get("rps")),
                 f"{ms(r['p50'])} / {ms(r['p99'])} ({num(r['paced'])})"]
        if bodies:
            cells.append(f"{num(r['1m'])} / {num(r['50m'])}")
            cells.append(f"{ratio(r['1m'], b.get('1m'))} / {ratio(r['50m'], b.get('50m'))}"
                         if r["1m"] else "—")
        cells.append(f"{r['rss']:.0f} MiB" if r["rss"] else "—")
        if bodies:
            h = r.get("heap")
            cells.append(" / ".join(f"{x:.0f}" for x in h) if h else "—")
        cells.append(f"{r['alloc'] / 1024:.1f} KiB ({r['gcs']:.0f} GCs)" if r.get("alloc") else "—")
        print("| " + " | ".join(cells) + " |")

print(f"\n### Callout benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, commit {commit}\n")
print(f"`{jar}` (built {jar_built}); {rounds} interleaved round(s) of {duration} s wrk runs, medians; {cpus} CPUs; "
      f"load average before the run {load0}, after the rounds {load1}; whole run {int(took) // 60} min "
      f"{int(took) % 60} s.\n")
pinned = ["direct", "nginx", "key-sqlite", "cc-sqlite", "key-pg", "users-sqlite"]
if any(n in rows for n in pinned):
    print(f"**Pinned**: wrk on core 0, the proxy and the nginx target on core 1 "
          f"(1-minute load during these rows: {loads(pinned)}).\n")
    table(pinned, "nginx", True)
if warmed:
    first = data["users-sqlite"]["first_callouts_per_s"][0]
    print(f"\nPer-user: each user's first callout obtains the user's token (a JWT-bearer grant from the target's"
          f" `/token`): {float(first):,.1f} first callouts/s, 32 at once; {int(warmed[0]):,} of {int(users):,} users"
          " were served within `--users-warmup`, and only they are measured (wrk cycles through their keys).")
two = ["direct-2c", "nginx-2c", "key-sqlite-2c"]
if any(n in rows for n in two):
    print(f"\n**Unpinned**: everything, wrk too, shares both cores "
          f"(1-minute load during these rows: {loads(two)}).\n")
    table(two, "nginx-2c", False)
    one, both = rows.get("key-sqlite", {}).get("rps"), rows.get("key-sqlite-2c", {}).get("rps")
    if one and both:
        print(f"\nCallgate on two cores ÷ on one core: {both:,.0f} / {one:,.0f} = **{both / one:.2f}×**")
if int(rounds) > 1:
    print("\nreq/s at 32 connections in each round: " + "; ".join(
        f"{n} " + " / ".join(num(x) for x in rows[n]["rounds"]) for n in LABELS if n in rows) + ".")
cold = data.get("cold")
if cold:
    print("\n**Cold start** (`java -jar` to `/health/ready` answering 200, existing SQLite store, median of "
          f"{len(cold.get('one-core', []))}): one core "
          f"{med([int(x) for x in cold.get('one-core', [])]) / 1000:.2f} s, two cores "
          f"{med([int(x) for x in cold.get('two-cores', [])]) / 1000:.2f} s.")
if problems:
    print("\n**Errors** (these figures are not to be trusted):")
    for p in problems:
        print("- " + p)
PY
