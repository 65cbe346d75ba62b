#!/usr/bin/env bash
# Soak of a Callgate cluster on this machine, loopback only and bounded in time.
#
# Starts [instances] Callgate processes (default 3) on a private PostgreSQL made from this machine's
# PostgreSQL binaries, a node-oidc-provider whose refresh tokens rotate, and a target API that checks
# every token with the provider; sends callouts at random credentials through random running
# instances for [minutes] (default 10) while killing an instance with SIGKILL every 20 to 40 s and
# starting it again 5 to 15 s later. Then, with nobody killed for 30 s, it checks every credential
# and prints callouts ok/failed/unanswered, refreshes, interrupted refreshes, invalid_grant answers
# and tokens lost. See ops/soak/README.md.
#
#   ops/soak/soak.sh            # 10 minutes, 3 instances
#   ops/soak/soak.sh 2 3 42     # 2 minutes, 3 instances, random seed 42
set -euo pipefail

minutes=${1:-10}
instances=${2:-3}
seed=${3:-$RANDOM}

cd "$(dirname "$0")/../.."

# One reactor build: the service jar, the test classes, and app's test classpath.
mvn -B -q -DskipTests package dependency:build-classpath \
  -Dmdep.outputFile=target/soak.classpath -Dmdep.includeScope=test
classpath="$PWD/app/target/test-classes:$PWD/app/target/classes:$(cat app/target/soak.classpath)"

# the cluster's processes and logs live under app/target, as in the cluster tests
cd app
exec timeout --signal=TERM --kill-after=60 "$((minutes * 60 + 300))s" \
  java -Xmx512m -Dcallgate.jar="$PWD/target/callgate.jar" -cp "$classpath" \
  dev.callgate.app.cluster.Soak "$minutes" "$instances" "$seed"
