# Sourced by ./mvnw and distribution/flowgate.sh: point JAVA_HOME at a JDK 25 when the default
# java is older (Debian's default here is 17). Set FLOWGATE_JAVA_HOME to force one.
flowgate_java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
flowgate_pick_jdk() {
  for c in "${FLOWGATE_JAVA_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25-* /usr/lib/jvm/java-25-* /usr/lib/jvm/jdk-25* /opt/java/openjdk; do
    [ -n "$c" ] && [ -x "$c/bin/java" ] || continue
    v=$(flowgate_java_major "$c")
    if [ -n "$v" ] && [ "$v" -ge 25 ] 2>/dev/null; then JAVA_HOME=$c; export JAVA_HOME; return 0; fi
  done
  echo "Flowgate needs a JDK 25 or newer. None found under \$JAVA_HOME or /usr/lib/jvm." >&2
  echo "Install one, e.g. Temurin 25: apt-get install temurin-25-jdk (Adoptium's apt repository)," >&2
  echo "or download https://adoptium.net/temurin/releases/?version=25 and set JAVA_HOME to it." >&2
  return 1
}
