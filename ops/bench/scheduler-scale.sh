#!/usr/bin/env bash
# Scheduler-scale benchmark: can one Callgate instance on PostgreSQL refresh every token in time?
#
# It loads [credentials] OAuth credentials (default 1,000,000) into a fresh database (callgate_bench on
# the local PostgreSQL, dropped and recreated), their access tokens expiring uniformly over
# [spread-minutes] (default 60), starts callgate.jar with -Xmx[heap] (default 1g) against it and a fast
# token endpoint on loopback, and lets the service's refresh scheduler refresh them all. Every 10 s it
# prints: tokens due so far, refreshed, backlog (due - refreshed), late (refreshed after, or still
# unrefreshed past, the original expiry), refreshes/s, grants answered by the token endpoint, DB
# transactions/s of the bench database (pg_stat_database; about one per statement, since the service
# prepares each statement once per connection), the service's heap (/metrics) and RSS, and the load
# average. The summary says how many were refreshed before expiry; the exit code is non-zero if any
# token was late or never refreshed. See ops/bench/README.md.
#
#   ops/bench/scheduler-scale.sh 20000 5 512m            # a small run: about 8 minutes
#   ops/bench/scheduler-scale.sh 1000000 60 2g --admin-url postgresql://postgres@db:5432/postgres
#
# Further arguments go to the benchmark (--help lists them). Loopback only; bounded in time.
set -euo pipefail

credentials=${1:-1000000}
spread=${2:-60}
heap=${3:-1g}
shift $(($# < 3 ? $# : 3))

cd "$(dirname "$0")/../.."

# One reactor build: packages the service jar, compiles the test classes and writes each module's
# test classpath (with the sibling modules' jars from this build, so nothing needs installing).
mvn -B -q -DskipTests package dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
classpath="app/target/test-classes:app/target/classes:$(cat app/target/bench.classpath)"

# loading (at several hundred credentials/s at worst), the lead, the spread and the 10-minute
# deadline, with room to spare
limit=$((credentials / 200 + (spread + 20) * 60))

exec timeout --signal=TERM --kill-after=60 "${limit}s" \
  java -Xmx1g -cp "$classpath" dev.callgate.app.bench.SchedulerScale \
  --credentials "$credentials" --spread-minutes "$spread" --heap "$heap" "$@"
