#!/bin/bash
# bench.sh [SECONDS] [FLOWS...]: pps through r for each flow count, every row of a round measured
# right after the others, BENCH_ROUNDS interleaved rounds (default 3), medians and a table printed:
# sender ceiling, the Linux kernel forwarding with conntrack + masquerade (kernel-nat.nft), Open
# vSwitch's userspace datapath with the same conntrack + SNAT (ovs-up.sh, skipped without OVS), the
# eBPF driver alone (the same SNAT installed through the driver, r's own forwarding off), Flowgate's
# Java fast path and Flowgate with the eBPF driver (every flow in state hw).
# BENCH_OPTS passes more options (see OffloadBench), e.g. BENCH_OPTS="-Dbench.compare=/tmp/old.o".
# Needs root, iproute2, nftables, netsniff-ng (trafgen), bpftool, openvswitch-switch (optional), the module built.
cd "$(dirname "$0")/../../.." || exit 1
T=${1:-5}; shift; FLOWS=${*:-1 1000}
exec ./mvnw -q test -pl plugins-hw/ebpf -Dtest=OffloadBench -Dsurefire.failIfNoSpecifiedTests=false \
  -Dflowgate.bench=true -Dbench.seconds="$T" -Dbench.flows="${FLOWS// /,}" -Dbench.rounds="${BENCH_ROUNDS:-3}" $BENCH_OPTS 2>&1 | grep -E '^(BENCH|\[ERROR\])'
