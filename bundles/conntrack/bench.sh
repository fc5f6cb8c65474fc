#!/bin/sh
# Runs the conntrack JMH benchmarks with the test classpath (JMH 1.37).
#   bundles/conntrack/bench.sh                      all cases
#   bundles/conntrack/bench.sh -p entries=100000    any JMH options (e.g. -prof gc)
set -e
cd "$(dirname "$0")/../.."
JAVA="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
./mvnw -q test-compile dependency:build-classpath -pl bundles/conntrack -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
CP="bundles/conntrack/target/test-classes:bundles/conntrack/target/classes:$(cat bundles/conntrack/target/bench.classpath)"
exec "$JAVA" -Xmx6g -cp "$CP" org.openjdk.jmh.Main org.flowgate.conntrack.bench.ConntrackBench "$@"
