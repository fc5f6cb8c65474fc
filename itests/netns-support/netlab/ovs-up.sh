#!/bin/bash
# ovs-up.sh [PREFIX]: Open vSwitch userspace (netdev) datapath in namespace ${P}r as a NAT router with
# conntrack, the same semantics as kernel-nat.nft: new connections only from ${P}ra, SNAT to r's address
# on ${P}rb (masquerade), established both ways, TTL decrement and MAC rewrite. A copy of netlab's ovs-up.sh.
P=${1:?usage: ovs-up.sh PREFIX}; D=/tmp/${P}ovs
export OVS_RUNDIR=$D OVS_LOGDIR=$D OVS_DBDIR=$D
mkdir -p $D
ip netns exec ${P}r sysctl -qw net.ipv4.ip_forward=0
ip -n ${P}r addr flush dev ${P}ra; ip -n ${P}r addr flush dev ${P}rb
ovsdb-tool create $D/conf.db /usr/share/openvswitch/vswitch.ovsschema
ip netns exec ${P}r ovsdb-server --remote=punix:$D/db.sock --pidfile=$D/ovsdb.pid --detach --log-file=$D/ovsdb.log $D/conf.db
ip netns exec ${P}r ovs-vswitchd unix:$D/db.sock --pidfile=$D/vswitchd.pid --detach --log-file=$D/vswitchd.log
V="ovs-vsctl --db=unix:$D/db.sock"
$V --no-wait init
$V add-br br0 -- set bridge br0 datapath_type=netdev
$V add-port br0 ${P}ra -- set interface ${P}ra ofport_request=1
$V add-port br0 ${P}rb -- set interface ${P}rb ofport_request=2
A=$(ip netns exec ${P}h1 cat /sys/class/net/${P}a/address)
B=$(ip netns exec ${P}h2 cat /sys/class/net/${P}b/address)
RA=$(ip netns exec ${P}r cat /sys/class/net/${P}ra/address)
RB=$(ip netns exec ${P}r cat /sys/class/net/${P}rb/address)
ip -n ${P}h1 neigh replace 10.0.1.1 lladdr $RA dev ${P}a
ip -n ${P}h2 neigh replace 10.0.2.1 lladdr $RB dev ${P}b
O="ip netns exec ${P}r ovs-ofctl"
$O del-flows br0
$O add-flow br0 "table=0,priority=10,ip,in_port=1,actions=ct(table=1,zone=1,nat)"
$O add-flow br0 "table=0,priority=10,ip,in_port=2,actions=ct(table=2,zone=1,nat)"
$O add-flow br0 "table=0,priority=0,actions=drop"
$O add-flow br0 "table=1,ct_state=+trk+new,ip,actions=ct(commit,zone=1,nat(src=10.0.2.1)),mod_dl_src:$RB,mod_dl_dst:$B,dec_ttl,output:2"
$O add-flow br0 "table=1,ct_state=+trk+est,ip,actions=mod_dl_src:$RB,mod_dl_dst:$B,dec_ttl,output:2"
$O add-flow br0 "table=2,ct_state=+trk+est,ip,actions=mod_dl_src:$RA,mod_dl_dst:$A,dec_ttl,output:1"
