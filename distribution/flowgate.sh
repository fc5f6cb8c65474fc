#!/bin/sh
# Starts the Flowgate router from this folder: configuration in etc/*.cfg (or in the folder
# FLOWGATE_ETC names), hot-deployed bundles in deploy/, framework state in data/. Extra arguments
# go to the JVM before -jar, e.g.
#   distribution/flowgate.sh -Dgosh.args='-q -c "echo (router:interfaces)"'
# Settings: etc/flowgate.conf (log level, JVM options). FLOWGATE_JAVA_HOME forces a JDK.
set -e
FLOWGATE_HOME=$(cd "$(dirname "$0")" && pwd)
. "$FLOWGATE_HOME/../cnf/bin/java25.sh"
flowgate_pick_jdk || exit 1

JAR="$FLOWGATE_HOME/target/flowgate.jar"
[ -f "$JAR" ] || { echo "$JAR is missing: build it first with ./mvnw -q install -DskipTests" >&2; exit 1; }

ETC=${FLOWGATE_ETC:-$FLOWGATE_HOME/etc}
case "$ETC" in /*) ;; *) ETC="$PWD/$ETC" ;; esac
[ -d "$ETC" ] || { echo "configuration folder $ETC does not exist" >&2; exit 1; }

FLOWGATE_LOG_LEVEL=info
FLOWGATE_JAVA_OPTS=
if [ -f "$ETC/flowgate.conf" ]; then . "$ETC/flowgate.conf"; elif [ -f "$FLOWGATE_HOME/etc/flowgate.conf" ]; then . "$FLOWGATE_HOME/etc/flowgate.conf"; fi

# The heap on 2 MB pages where the kernel offers transparent huge pages (madvise or always): a flow
# table's slot array is ~270 MB at a million flows, and its lookups run ~25 % faster without the
# 4 KB pages' TLB misses (bundles/flowtable/README.md). FLOWGATE_JAVA_OPTS=-XX:-UseTransparentHugePages turns it off.
FLOWGATE_THP=
case "$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)" in
  *"[always]"*|*"[madvise]"*) FLOWGATE_THP=-XX:+UseTransparentHugePages ;;
esac

cd "$FLOWGATE_HOME"
mkdir -p deploy data
set +e
# shellcheck disable=SC2086  # FLOWGATE_JAVA_OPTS is a list of options
"$JAVA_HOME/bin/java" \
  --enable-native-access=ALL-UNNAMED \
  --sun-misc-unsafe-memory-access=allow \
  -Dorg.slf4j.simpleLogger.defaultLogLevel="$FLOWGATE_LOG_LEVEL" \
  -Djava.util.logging.config.file="$FLOWGATE_HOME/etc/java-logging.properties" \
  -Dfelix.fileinstall.dir="$ETC" \
  $FLOWGATE_THP $FLOWGATE_JAVA_OPTS "$@" -jar "$JAR"
rc=$?
# the bnd launcher exits with 117 when the framework stopped normally (shell 'exit', stop 0)
[ $rc -eq 117 ] && rc=0
exit $rc
