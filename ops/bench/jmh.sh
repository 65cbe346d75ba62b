#!/usr/bin/env bash
# The in-process callout path under JMH: time and bytes allocated per operation of each step
# (authenticate, prepare, resolveTarget, composeHeaders) and of the whole callout, for an API-key and
# a client-credentials credential. Builds the tools module offline, runs its benchmark jar with short
# defaults and -prof gc, and prints one table (ns/op with JMH's 99.9 % error, B/op).
# Usage: ops/bench/jmh.sh [benchmark regexp] [JMH options]   e.g. ops/bench/jmh.sh '\.callout$' -i 10
# An option given replaces its default (-f 1 -wi 3 -w 1s -i 5 -r 1s; -prof gc always).
# NO_BUILD=1 runs the jar as it is.
set -euo pipefail
cd "$(dirname "$0")/../.."

jar=tools/target/callgate-benchmarks.jar
if [[ "${NO_BUILD:-0}" != 1 || ! -f $jar ]]; then
  mvn -B -q -o -DskipTests package -pl tools -am
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
include=CalloutBenchmark
if [[ $# -gt 0 && $1 != -* ]]; then
  include=$1
  shift
fi

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)   cores: $(nproc)   $(java -version 2>&1 | head -1)"
# JMH takes each option once: a default goes unless the same option was given
defaults=()
for option in "-f 1" "-wi 3" "-w 1s" "-i 5" "-r 1s"; do
  given=0
  for arg in "$@"; do [[ $arg == "${option% *}" ]] && given=1; done
  [[ $given == 0 ]] && defaults+=($option)
done
java -jar "$jar" "$include" "${defaults[@]}" -prof gc -rf json -rff "$work/result.json" "$@" \
  >"$work/jmh.log" 2>&1 || {
  cat "$work/jmh.log"
  exit 1
}
echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$work/result.json" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
print(f"{'benchmark':<16} {'credential':<20} {'ns/op':>10} {'± 99.9%':>9} {'B/op':>8}")
for r in rows:
    name = r["benchmark"].rsplit(".", 1)[1]
    credential = r.get("params", {}).get("credential", "")
    m = r["primaryMetric"]
    alloc = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score")
    error = float(m["scoreError"])  # "NaN" after a single iteration
    e = "n/a" if error != error else f"{error:,.0f}"
    b = "n/a" if alloc is None else f"{float(alloc):,.0f}"
    print(f"{name:<16} {credential:<20} {float(m['score']):>10,.0f} {e:>9} {b:>8}")
PY
