#!/bin/bash
# userspace-prep.sh PREFIX: hand namespace ${P}r's two ports to the userspace router: the kernel
# there stops forwarding and gives up the router addresses, so only Flowgate answers ARP/NDP for
# 10.0.1.1 / 10.0.2.1 and forwards.
set -e
P=${1:?usage: $0 PREFIX}
ip netns exec "${P}r" sysctl -qw net.ipv4.ip_forward=0
ip netns exec "${P}r" sysctl -qw net.ipv6.conf.all.forwarding=0
ip -n "${P}r" addr flush dev "${P}ra"
ip -n "${P}r" addr flush dev "${P}rb"
