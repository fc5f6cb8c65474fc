#!/bin/sh
# Runs the ruleset benchmarks with the test classpath (JMH 1.37).
#   bundles/nft/bench.sh                  all cases
#   bundles/nft/bench.sh -prof gc         with allocation per operation
set -e
cd "$(dirname "$0")/../.."
JAVA="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
./mvnw -q test-compile dependency:build-classpath -f bundles/nft/pom.xml -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
CP="bundles/nft/target/test-classes:bundles/nft/target/classes:$(cat bundles/nft/target/bench.classpath)"
exec "$JAVA" -cp "$CP" org.openjdk.jmh.Main org.flowgate.nft.bench.RulesetBench "$@"
