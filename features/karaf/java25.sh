#!/bin/bash
# java25.sh KARAF_HOME: make an Apache Karaf 4.4 installation start on Java 25, as itests/karaf does
# through Pax Exam options (KarafIT). Three changes, each undone by restoring the .orig file it leaves:
#  1. bin/inc: no -Djava.security.manager=allow (Java 24+ refuses to start with it, JEP 486)
#  2. etc/config.properties: an eecap-25 execution environment (Flowgate's bundles require JavaSE 25)
#  3. Karaf's EventAdmin fork calls Subject.getSubject, which throws since Java 23: Felix EventAdmin
#     1.6.4 (same API, fetched from Maven Central into system/) takes its place in etc/startup.properties,
#     and etc/org.apache.karaf.features.xml replaces it wherever a feature names it
# Known limit on Java 25: Karaf's SSH and local consoles still use Subject.getSubject and close the
# session; JMX, the metrics endpoint and the feature service work.
set -eu
K=${1:?usage: java25.sh KARAF_HOME}
HERE=$(cd "$(dirname "$0")" && pwd)
[ -f "$K/etc/config.properties" ] && [ -f "$K/bin/inc" ] || { echo "$K is not a Karaf home" >&2; exit 1; }
for f in bin/inc etc/config.properties etc/startup.properties etc/org.apache.karaf.features.xml; do
  [ -f "$K/$f.orig" ] || cp "$K/$f" "$K/$f.orig"
done
sed -i 's/-Djava.security.manager=allow //' "$K/bin/inc"
if ! grep -q '^eecap-25' "$K/etc/config.properties"; then
  python3 - "$K/etc/config.properties" <<'PY'
import sys
p = sys.argv[1]; s = open(p).read()
javase = ",".join(f"{v}.0" for v in range(9, 26) if v != 12)
compact = "1.8," + javase
block = ('eecap-25 = osgi.ee; osgi.ee="OSGi/Minimum"; version:List<Version>="1.0,1.1,1.2", \\\n'
         f' osgi.ee; osgi.ee="JavaSE"; version:List<Version>="1.0,1.1,1.2,1.3,1.4,1.5,1.6,1.7,1.8,{javase}", \\\n'
         ' osgi.ee; osgi.ee="JRE"; version:List<Version>="1.0,1.1", \\\n'
         f' osgi.ee; osgi.ee="JavaSE/compact1"; version:List<Version>="{compact}", \\\n'
         f' osgi.ee; osgi.ee="JavaSE/compact2"; version:List<Version>="{compact}", \\\n'
         f' osgi.ee; osgi.ee="JavaSE/compact3"; version:List<Version>="{compact}"\n')
if "eecap-21 = " not in s: sys.exit("no eecap-21 in " + p)
open(p, "w").write(s.replace("eecap-21 = ", block + "eecap-21 = ", 1))
PY
fi
EA=org/apache/felix/org.apache.felix.eventadmin/1.6.4/org.apache.felix.eventadmin-1.6.4.jar
if [ ! -f "$K/system/$EA" ]; then
  mkdir -p "$(dirname "$K/system/$EA")"
  if [ -f "$HOME/.m2/repository/$EA" ]; then cp "$HOME/.m2/repository/$EA" "$K/system/$EA"
  else curl -fsSL -o "$K/system/$EA" "https://repo1.maven.org/maven2/$EA"; fi
fi
sed -i 's#^mvn\\:org.apache.karaf.services/org.apache.karaf.services.eventadmin/[^ ]*#mvn\\:org.apache.felix/org.apache.felix.eventadmin/1.6.4#' "$K/etc/startup.properties"
cp "$HERE/org.apache.karaf.features.xml" "$K/etc/org.apache.karaf.features.xml"
echo "patched $K for Java 25 (originals kept as *.orig)"
