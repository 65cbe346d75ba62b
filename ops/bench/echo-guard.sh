#!/usr/bin/env bash
# Echo-guard cost: how fast does Callgate relay a large streamed answer with and without the echo
# guard? One Callgate (callgate.jar, embedded store in a temp directory) and one loopback target
# that answers GET /large?mb=N with N MiB; two credentials on that target: "plain" (protocol none:
# nothing injected, so nothing to guard) and "guarded" (basic: every answer is scanned for the
# Authorization value, the Base64 and user:password). Rounds alternate the two, so both see the
# same machine; the table shows MB/s per round (curl's average download speed) and the medians.
# Usage: ops/bench/echo-guard.sh [mb-per-answer] [rounds]   (defaults: 256, 5)
# The jar is built once (mvn -o -DskipTests package -pl app -am); REBUILD=1 rebuilds it.
set -euo pipefail
MB=${1:-256}
ROUNDS=${2:-5}
cd "$(dirname "$0")/../.."

if [[ ! -f app/target/callgate.jar || "${REBUILD:-0}" == 1 ]]; then
  mvn -B -q -o -DskipTests package -pl app -am
fi

work=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
target_port=$(free_port)
callgate_port=$(free_port)
admin_key="echo-guard-bench-admin-key-0123456789"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

python3 - "$target_port" >"$work/target.log" 2>&1 <<'PY' &
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs
BLOCK = b"x" * (1024 * 1024)
class Large(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        mb = int(parse_qs(urlparse(self.path).query).get("mb", ["1"])[0])
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(mb * len(BLOCK)))
        self.end_headers()
        for _ in range(mb):
            self.wfile.write(BLOCK)
    def log_message(self, *args):
        pass
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Large).serve_forever()
PY
pids+=($!)

CALLGATE_HTTP_PORT=$callgate_port CALLGATE_HTTP_HOST=127.0.0.1 CALLGATE_PUBLIC_URL=http://127.0.0.1 \
  CALLGATE_DATA_DIR="$work/data" CALLGATE_ADMIN_KEY=$admin_key CALLGATE_OUTBOUND_ALLOW=127.0.0.0/8 \
  java -Xmx256m -jar app/target/callgate.jar >"$work/callgate.log" 2>&1 &
pids+=($!)

base="http://127.0.0.1:$callgate_port"
for _ in $(seq 1 100); do
  curl -sf -o /dev/null "$base/metrics" && break
  sleep 0.2
done

admin() { curl -sf -H "Authorization: Bearer $admin_key" -H "Content-Type: application/json" "$@"; }
admin -X POST "$base/v1/credentials" -d "{\"name\":\"plain\",\"url\":\"http://127.0.0.1:$target_port\",\"protocol\":\"none\"}" >/dev/null
admin -X POST "$base/v1/credentials" -d "{\"name\":\"guarded\",\"url\":\"http://127.0.0.1:$target_port\",\"protocol\":\"basic\",\"username\":\"svc-account\",\"password\":\"pa55word-secret-0123\"}" >/dev/null

speed() {
  curl -sf -o /dev/null -w '%{speed_download} %{size_download}\n' \
    -H "Authorization: Bearer $admin_key" "$base/v1/callout/$1/large?mb=$MB"
}
speed plain >/dev/null
speed guarded >/dev/null   # warm-up: JIT and connection pool

printf 'answers of %d MiB, %d rounds (log: %s)\n' "$MB" "$ROUNDS" "$work"
printf '%-6s %14s %14s\n' round 'plain MB/s' 'guarded MB/s'
plain=(); guarded=()
for round in $(seq 1 "$ROUNDS"); do
  read -r p psize < <(speed plain)
  read -r g gsize < <(speed guarded)
  if [[ "$psize" != "$gsize" ]]; then
    echo "sizes differ: plain $psize, guarded $gsize" >&2
    exit 1
  fi
  p=$(python3 -c "print(round($p/1e6, 1))"); g=$(python3 -c "print(round($g/1e6, 1))")
  plain+=("$p"); guarded+=("$g")
  printf '%-6s %14s %14s\n' "$round" "$p" "$g"
done
median() { printf '%s\n' "$@" | sort -n | python3 -c 'import sys; v=[float(x) for x in sys.stdin]; print(v[len(v)//2])'; }
mp=$(median "${plain[@]}"); mg=$(median "${guarded[@]}")
printf '%-6s %14s %14s   guarded/plain %s\n' median "$mp" "$mg" "$(python3 -c "print(round($mg/$mp, 3))")"
