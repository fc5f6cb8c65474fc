#!/bin/bash
# userspace-prep.sh PREFIX: hand namespace ${P}r's two ports to a userspace router (this project,
# or Open vSwitch): the kernel there stops forwarding and gives up the router addresses, so only the
# userspace router answers ARP/NDP for 10.0.1.1 / 10.0.2.1 and forwards.
P=${1:?usage: userspace-prep.sh PREFIX}
ip netns exec ${P}r sysctl -qw net.ipv4.ip_forward=0
ip netns exec ${P}r sysctl -qw net.ipv6.conf.all.forwarding=0
ip -n ${P}r addr flush dev ${P}ra
ip -n ${P}r addr flush dev ${P}rb
