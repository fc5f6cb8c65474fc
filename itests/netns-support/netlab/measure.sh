#!/bin/bash
# measure.sh PREFIX SECONDS [FLOWS]: push 64-byte UDP frames from h1 through r to h2 with trafgen,
# print packets per second received on h2's interface. A copy of netlab's measure.sh, except that
# FLOWS > 1 cycles the source port through 1024..1024+FLOWS-1 (so the bench can offload exactly
# those flows) instead of drawing it at random, and that h2's sink works (MEASURE_SINK=netlab: as netlab's,
# which does not load, see below).
P=${1:?usage: measure.sh PREFIX SECONDS [FLOWS]}; T=${2:-5}; FLOWS=${3:-1}
RMAC=$(ip netns exec ${P}r cat /sys/class/net/${P}ra/address)
SMAC=$(ip netns exec ${P}h1 cat /sys/class/net/${P}a/address)
cfg=$(mktemp --suffix=.cfg)
if [ "$FLOWS" -gt 1 ]; then sp="dinc(1024, $((1024 + FLOWS - 1)))"; else sp="1234"; fi
cat > $cfg <<C
{ eth(da=$RMAC, sa=$SMAC), ipv4(saddr=10.0.1.2, daddr=10.0.2.2, ttl=64), udp(sp=$sp, dp=9), fill(0x41, 18) }
C
if [ "${MEASURE_SINK:-fixed}" = netlab ]; then
# netlab's line as it is: a syntax error for nftables 1.0.6 (a rule needs a newline before "}"), so
# no sink exists and h2 delivers every datagram to UDP (port unreachable, rate-limited ICMP)
ip netns exec ${P}h2 nft -f - <<N 2>/dev/null
table inet sink { chain in { type filter hook prerouting priority -300; udp dport 9 counter drop; } }
N
else
# what netlab's line means: h2 drops the datagrams at prerouting, so h2's cost is the same small
# one for every row and the figures compare r's forwarding
ip netns exec ${P}h2 nft -f - <<N
table inet sink {
  chain in {
    type filter hook prerouting priority -300; policy accept;
    udp dport 9 counter drop
  }
}
N
fi
rx0=$(ip netns exec ${P}h2 cat /sys/class/net/${P}b/statistics/rx_packets)
tx0=$(ip netns exec ${P}h1 cat /sys/class/net/${P}a/statistics/tx_packets)
ip netns exec ${P}h1 timeout $T trafgen -q -o ${P}a -c $cfg -P 1 >/dev/null 2>&1
rx1=$(ip netns exec ${P}h2 cat /sys/class/net/${P}b/statistics/rx_packets)
tx1=$(ip netns exec ${P}h1 cat /sys/class/net/${P}a/statistics/tx_packets)
ip netns exec ${P}h2 nft delete table inet sink 2>/dev/null
rm -f $cfg
echo "sent_pps=$(( (tx1-tx0)/T )) recv_pps=$(( (rx1-rx0)/T ))"
