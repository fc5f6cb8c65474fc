#!/bin/bash
# netns-bench.sh [SECONDS] [FLOWS...]: 64-byte UDP pps from h1 through r to h2 (netlab's topology,
# prefix fgftb), side by side in one run, for each flow count (default 1 and 1000):
#   ceiling  trafgen's own rate (r's kernel drops everything)
#   kernel   the Linux kernel forwarding with conntrack + masquerade (kernel-nat.nft)
#   classic  the distribution jar in r on AF_PACKET ports: forward rule + masquerade
#   fast     the same with "flow add @ft": established flows on the flow table fast path
#   ovs      Open vSwitch's userspace (netdev) datapath with conntrack + SNAT (ovs-up.sh; skipped
#            without ovs-vswitchd or with BENCH_SKIP_OVS=1)
# Each figure is the median of BENCH_ROUNDS (default 3) measurements of SECONDS (default 5).
# The Java router runs once per ruleset; flows are made established (h2 answers every source port)
# before the fast-path measurement, and the flow table's count and hits (metrics endpoint) are
# printed so one sees the traffic really took the fast path.
# Needs root, iproute2, nftables, conntrack, netsniff-ng (trafgen), python3, curl and the
# distribution jar (distribution/target/flowgate.jar: ./mvnw -q install -pl distribution -am -DskipTests).
# This module's target/ bundle is swapped into a copy of the jar unless BENCH_KEEP_JAR=1;
# BENCH_SKIP_KERNEL=1 leaves out the ceiling and kernel rows; BENCH_PORT_CFG adds lines to the AF_PACKET
# port configurations (e.g. 'qdiscBypass = true\n').
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
NETLAB=$ROOT/itests/netns-support/netlab # the shared copies of ../shared/netlab (see its README)
P=fgftb; R=${P}r
T=${1:-5}; shift || true; FLOWS=${*:-1 1000}
ROUNDS=${BENCH_ROUNDS:-3}
JAVA="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
JAR=${FLOWGATE_JAR:-$ROOT/distribution/target/flowgate.jar}
ROUTER=

[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)" >&2; exit 1; }
WORK=$(mktemp -d /tmp/fgftb.XXXXXX)
[ -f "$JAR" ] || { echo "$JAR missing" >&2; exit 1; }
# the flow table measured is this module's build (target/), swapped into a copy of the jar, so the
# figures are those of the code here even when the distribution was built earlier
BUNDLE=$(ls "$HERE"/../target/org.flowgate.flowtable-*.jar 2>/dev/null | grep -v -- '-tests\|-sources' | head -1)
if [ -n "$BUNDLE" ] && [ "${BENCH_KEEP_JAR:-}" != 1 ]; then
  INNER=$(unzip -Z1 "$JAR" | grep '^jar/org.flowgate.flowtable-')
  mkdir -p "$WORK/patch/jar" && cp "$JAR" "$WORK/flowgate.jar" && cp "$BUNDLE" "$WORK/patch/$INNER"
  # the launcher starts bundles by symbolic name and exact version (start levels): give it this build's
  VERSION=$(unzip -p "$BUNDLE" META-INF/MANIFEST.MF | tr -d '\r' | sed -n 's/^Bundle-Version: //p')
  unzip -p "$JAR" launcher.properties \
    | sed "s/org\.flowgate\.flowtable;version\\\\=\"[^\"]*\"/org.flowgate.flowtable;version\\\\=\"$VERSION\"/" > "$WORK/patch/launcher.properties"
  grep -q "org.flowgate.flowtable;version.*$VERSION" "$WORK/patch/launcher.properties" || { echo "could not set the flow table bundle's version $VERSION in the launcher" >&2; exit 1; }
  (cd "$WORK/patch" && zip -q "$WORK/flowgate.jar" "$INNER" launcher.properties) || exit 1
  JAR=$WORK/flowgate.jar
  echo "flow table bundle: $BUNDLE ($(date -r "$BUNDLE" -u +%H:%M) UTC) in a copy of the distribution jar"
fi

cleanup() {
  [ -n "$ROUTER" ] && kill "$ROUTER" 2>/dev/null && wait "$ROUTER" 2>/dev/null
  bash "$NETLAB/ovs-down.sh" $P > /dev/null 2>&1
  bash "$NETLAB/topo.sh" down $P
  rm -rf /tmp/fgftb-last && mkdir -p /tmp/fgftb-last && cp "$WORK"/router-*.log "$WORK"/ruleset.nft /tmp/fgftb-last/ 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

measure() { bash "$NETLAB/measure.sh" $P "$1" "$2"; }
field() { sed -n "s/.*$1=\([0-9]*\).*/\1/p"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", b ? a / b : 0 }'; }
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
rounds() { # rounds FLOWS FIELD: the median of ROUNDS measurements, and the runs
  local runs=() i
  for ((i = 0; i < ROUNDS; i++)); do runs+=("$(measure "$T" "$1" | field "$2")"); done
  echo "$(median "${runs[@]}") (${runs[*]})"
}
sports() { if [ "$1" -gt 1 ]; then seq -s, 1024 $((1024 + $1 - 1)); else echo 1234; fi; }
metric() { # the flow table's counters from the router's metrics endpoint
  ip netns exec $R curl -s http://127.0.0.1:9468/metrics | grep -E '^flowgate_flowtable_(flows|hits_total|misses_total|added_total)' \
    | sed 's/{[^}]*}//; s/^flowgate_flowtable_//' | awk '{ printf "%s=%.0f ", $1, $2 }'
}

ruleset() { # ruleset classic|fast
  local ft="" add=""
  if [ "$1" = fast ]; then
    ft="flowtable ft { hook ingress priority 0; devices = { ${P}ra, ${P}rb }; counter; }"
    add="meta l4proto { tcp, udp } flow add @ft counter"
  fi
  cat <<N
table inet x {
	$ft
	chain y {
		type filter hook forward priority 0; policy accept;
		$add
		counter
	}
}
table ip nat {
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "${P}rb" masquerade
	}
}
N
}

start_router() { # start_router classic|fast
  rm -rf "$WORK/etc" "$WORK/deploy" "$WORK/data"; mkdir -p "$WORK/etc" "$WORK/deploy"
  ruleset "$1" > "$WORK/ruleset.nft"
  echo "file = $WORK/ruleset.nft" > "$WORK/etc/org.flowgate.nft.cfg"
  printf 'enabled = true\naddress = 127.0.0.1\nport = 9468\n' > "$WORK/etc/org.flowgate.metrics.cfg"
  echo "enabled = false" > "$WORK/etc/org.flowgate.demo.cfg"
  cp "$ROOT/distribution/etc/org.apache.felix.fileinstall-deploy.cfg" "$WORK/etc/"
  for port in a b; do
    printf 'interface = %s\n%b' "${P}r$port" "${BENCH_PORT_CFG:-}" > "$WORK/etc/org.flowgate.io.afpacket-$port.cfg"
    [ $port = a ] && a=10.0.1.1/24 || a=10.0.2.1/24
    printf 'name = %s\naddresses = %s\n' "${P}r$port" "$a" > "$WORK/etc/org.flowgate.interface-$port.cfg"
  done
  (cd "$WORK" && exec ip netns exec $R "$JAVA" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
      -Dgosh.args=--nointeractive -Dfelix.fileinstall.dir="$WORK/etc" -jar "$JAR" > "$WORK/router-$1.log" 2>&1 < /dev/null) &
  ROUTER=$!
  local i
  for ((i = 0; i < 120; i++)); do
    ip netns exec ${P}h1 ping -c 1 -W 1 10.0.1.1 > /dev/null 2>&1 && ip netns exec ${P}h1 ping -c 1 -W 1 10.0.2.2 > /dev/null 2>&1 && return 0
    kill -0 $ROUTER 2>/dev/null || break
    sleep 0.5
  done
  echo "router ($1) never forwarded ping; log:" >&2; tail -40 "$WORK/router-$1.log" >&2; exit 1
}

stop_router() { kill "$ROUTER"; wait "$ROUTER" 2>/dev/null; ROUTER=; }

bash "$NETLAB/topo.sh" down $P
bash "$NETLAB/topo.sh" up $P || exit 1
declare -A CEIL KERNEL CLASSIC FAST OVS INFO
echo "load before: $(cat /proc/loadavg)"

# the kernel first, while r's kernel still owns the addresses
for f in $FLOWS; do
  [ "${BENCH_SKIP_KERNEL:-}" = 1 ] && break
  ip netns exec $R sysctl -qw net.ipv4.ip_forward=0
  CEIL[$f]=$(rounds "$f" sent_pps)
  ip netns exec $R sysctl -qw net.ipv4.ip_forward=1
  ip netns exec $R nft -D ra=${P}ra -D rb=${P}rb -f "$NETLAB/kernel-nat.nft"
  KERNEL[$f]=$(rounds "$f" recv_pps)
  ip netns exec $R nft delete table ip kanchor
  ip netns exec $R conntrack -F > /dev/null 2>&1
done
bash "$NETLAB/userspace-prep.sh" $P

start_router classic
for f in $FLOWS; do
  measure 2 "$f" > /dev/null # JIT warm-up, conntrack entries, neighbours
  CLASSIC[$f]=$(rounds "$f" recv_pps)
done
stop_router

start_router fast
for f in $FLOWS; do
  measure 1 "$f" > /dev/null # conntrack entries for every flow
  # h2 answers every (masqueraded, port-preserving) source port: the flows become established
  ip netns exec ${P}h2 python3 -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('10.0.2.2', 9))
for p in [$(sports "$f")]: s.sendto(b'x' * 18, ('10.0.2.1', p))"
  measure 2 "$f" > /dev/null # the next packets offer the flows to the flow table; JIT warm-up
  before=$(metric)
  FAST[$f]=$(rounds "$f" recv_pps)
  INFO[$f]="before: $before | after: $(metric)"
done
stop_router

if command -v ovs-vswitchd > /dev/null && [ "${BENCH_SKIP_OVS:-}" != 1 ]; then
  bash "$NETLAB/ovs-up.sh" $P > "$WORK/ovs.log" 2>&1
  for f in $FLOWS; do
    measure 1 "$f" > /dev/null # conntrack entries (commit on +new) and datapath flows
    OVS[$f]=$(rounds "$f" recv_pps)
  done
  bash "$NETLAB/ovs-down.sh" $P >> "$WORK/ovs.log" 2>&1
fi

echo "load after: $(cat /proc/loadavg)"
printf '| flows | trafgen ceiling | kernel conntrack+masquerade | OVS userspace | Java classic | Java fast path | fast/classic | fast/kernel | fast/OVS |\n|---|---|---|---|---|---|---|---|---|\n'
for f in $FLOWS; do
  KERNEL[$f]=${KERNEL[$f]:-0}; CEIL[$f]=${CEIL[$f]:-0}
  OVS[$f]=${OVS[$f]:-0}
  c=${CLASSIC[$f]%% *}; x=${FAST[$f]%% *}; k=${KERNEL[$f]%% *}; o=${OVS[$f]%% *}
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$f" "${CEIL[$f]}" "${KERNEL[$f]}" "${OVS[$f]}" "${CLASSIC[$f]}" "${FAST[$f]}" \
    "$(ratio "$x" "$c")" "$(ratio "$x" "$k")" "$(ratio "$x" "$o")"
done
for f in $FLOWS; do echo "flow table metrics, $f flows: ${INFO[$f]}"; done
