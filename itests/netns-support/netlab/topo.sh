#!/bin/bash
# Three namespaces: h1 (10.0.1.2) -- r (10.0.1.1 | 10.0.2.1) -- h2 (10.0.2.2).
# usage: topo.sh up PREFIX | topo.sh down PREFIX
set -e
P=${2:?usage: topo.sh up|down PREFIX}
case "$1" in
down) for n in h1 r h2; do ip netns del ${P}$n 2>/dev/null || true; done; exit 0;;
up) ;;
*) echo "usage: $0 up|down PREFIX"; exit 2;;
esac
for n in h1 r h2; do ip netns add ${P}$n; ip -n ${P}$n link set lo up; done
ip link add ${P}a type veth peer name ${P}ra
ip link add ${P}b type veth peer name ${P}rb
ip link set ${P}a netns ${P}h1; ip link set ${P}ra netns ${P}r
ip link set ${P}b netns ${P}h2; ip link set ${P}rb netns ${P}r
ip -n ${P}h1 addr add 10.0.1.2/24 dev ${P}a; ip -n ${P}h1 link set ${P}a up; ip -n ${P}h1 route add default via 10.0.1.1
ip -n ${P}h2 addr add 10.0.2.2/24 dev ${P}b; ip -n ${P}h2 link set ${P}b up; ip -n ${P}h2 route add default via 10.0.2.1
ip -n ${P}r addr add 10.0.1.1/24 dev ${P}ra; ip -n ${P}r addr add 10.0.2.1/24 dev ${P}rb
ip -n ${P}r link set ${P}ra up; ip -n ${P}r link set ${P}rb up
