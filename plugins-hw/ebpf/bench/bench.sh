#!/bin/bash
# bench.sh [SECONDS] [FLOWS...]: pps through r, side by side in one run, for each flow count
# (BENCH_ROUNDS interleaved rounds, default 3, medians printed):
# the Linux kernel forwarding with conntrack + masquerade (kernel-nat.nft) and the eBPF offload
# driver's fast path (the same SNAT installed through the driver, r's own forwarding off),
# and Open vSwitch's userspace datapath with the same conntrack + SNAT (ovs-up.sh, skipped without OVS).
# Needs root, iproute2, nftables, netsniff-ng (trafgen), bpftool, openvswitch-switch (optional), the module built.
cd "$(dirname "$0")/../../.." || exit 1
T=${1:-5}; shift; FLOWS=${*:-1 1000}
exec ./mvnw -q test -pl plugins-hw/ebpf -Dtest=OffloadBench -Dsurefire.failIfNoSpecifiedTests=false \
  -Dflowgate.bench=true -Dbench.seconds="$T" -Dbench.flows="${FLOWS// /,}" -Dbench.rounds="${BENCH_ROUNDS:-3}" 2>&1 | grep -E '^(BENCH|\[ERROR\])'
