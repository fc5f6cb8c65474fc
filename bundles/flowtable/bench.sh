#!/bin/sh
# Runs the flow table benchmarks with the test classpath (JMH 1.37).
#   bundles/flowtable/bench.sh                 all FastPathBench cases (1 / 10k / 1M flows)
#   bundles/flowtable/bench.sh -p flows=10000  any JMH options (e.g. -prof gc)
#   bundles/flowtable/bench.sh RouterBench     classic path vs fast path in the same router
#   bundles/flowtable/bench.sh LookupBench     open addressing vs ConcurrentHashMap lookups
#   bundles/flowtable/bench.sh memory [N]      heap per flow at N flows (default 1M)
#   bundles/flowtable/bench.sh CpuTimeBench    FastPathBench's operations per CPU-second of the thread (loaded machines)
set -e
cd "$(dirname "$0")/../.."
JAVA="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
./mvnw -q test-compile dependency:build-classpath -pl bundles/flowtable -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
CP="bundles/flowtable/target/test-classes:bundles/flowtable/target/classes:$(cat bundles/flowtable/target/bench.classpath)"
if [ "$1" = memory ]; then
  shift
  exec "$JAVA" -Xmx4g -XX:+UseParallelGC -cp "$CP" org.flowgate.flowtable.bench.FlowMemory "$@"
fi
if [ "$1" = CpuTimeBench ]; then
  shift
  exec "$JAVA" -Xmx6g -XX:+UseParallelGC -XX:+UseTransparentHugePages -cp "$CP" org.flowgate.flowtable.bench.CpuTimeBench "$@"
fi
# first argument: a benchmark class (FastPathBench, RouterBench) or JMH options for FastPathBench
case "$1" in
  *Bench) B="org.flowgate.flowtable.bench.$1"; shift ;;
  *) B=org.flowgate.flowtable.bench.FastPathBench ;;
esac
exec "$JAVA" -cp "$CP" org.openjdk.jmh.Main "$B" "$@"
