#!/bin/bash
# ovs-down.sh [PREFIX]: stop ovs-up.sh's daemons and give r its addresses back (netlab's ovs-down.sh + restore).
P=${1:?usage: ovs-down.sh PREFIX}; D=/tmp/${P}ovs
[ -S $D/db.sock ] && ovs-vsctl --db=unix:$D/db.sock --timeout=5 -- --if-exists del-br br0 2>/dev/null
for f in vswitchd ovsdb; do [ -f $D/$f.pid ] && kill $(cat $D/$f.pid) 2>/dev/null; done; sleep 1; rm -rf $D
ip -n ${P}r addr replace 10.0.1.1/24 dev ${P}ra; ip -n ${P}r addr replace 10.0.2.1/24 dev ${P}rb
ip netns exec ${P}r conntrack -F 2>/dev/null
true
