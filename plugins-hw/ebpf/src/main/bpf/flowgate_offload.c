// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Flowgate kernel offload: a forwarding fast path for flows the router offloaded.
 *
 * Two programs share one flow map:
 *  - "tc" (clsact ingress, direct action) on every served port: a hit is NATed, its TTL/hop limit
 *    decremented, its MACs rewritten and redirected to the egress port; anything else goes on
 *    (TC_ACT_OK) to the stack and the router's AF_PACKET socket, i.e. to Java.
 *  - "socket" (socket filter) on the router's AF_PACKET sockets: packet taps run before tc
 *    ingress, so without it Java would see (and forward a second time) every offloaded frame.
 *    It hides exactly the frames the tc program will forward (same parse, same checks).
 *
 * Per packet the tc program does one hash lookup and at most one helper call besides it: frames
 * from AF_PACKET senders (trafgen) keep only the Ethernet header in the linear area, so it pulls
 * the headers in (bpf_skb_pull_data) only when they are not there, then reads and rewrites them
 * with direct packet access, updates the IPv4 header checksum with RFC 1624 arithmetic and the L4
 * checksum with one bpf_l4_csum_replace in diff mode (two when ports change; see fg_nat_l4).
 * The socket filter has no direct packet access: it copies the headers with one
 * bpf_skb_load_bytes (two for IPv6 or TCP). Both decide with the same checks (fg_classify).
 * Key and value layouts are mirrored in FlowMapLayout.java: change both together.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#ifndef FG_MAX_FLOWS
#define FG_MAX_FLOWS 65536
#endif

#define FG_F_DEC_TTL 0x1   /* decrement TTL / hop limit */
#define FG_F_OUT_VLAN 0x2  /* send tagged with out_vlan */

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04

/* 44 bytes, no padding. Addresses, ports in network order; IPv4 in src[0]/dst[0], rest 0. */
struct fg_key {
	__u32 ifindex;
	__u16 vlan;   /* 0x1000 | VLAN id of the (always accelerated at tc ingress) tag, 0 untagged */
	__u8 family;  /* 4 or 6 */
	__u8 proto;   /* IPPROTO_TCP or IPPROTO_UDP */
	__u32 src[4];
	__u32 dst[4];
	__be16 sport;
	__be16 dport;
};

/* 88 bytes. The rewritten tuple (equal to the key's when no NAT), L2 rewrite, egress, counters. */
struct fg_val {
	__u32 src[4];
	__u32 dst[4];
	__be16 sport;
	__be16 dport;
	__u8 dmac[6];
	__u8 smac[6];
	__u32 oif;
	__u16 mtu;
	__u16 flags;
	__u16 out_vlan;
	__u16 pad16;
	__u32 pad32;
	__u64 packets;
	__u64 bytes;
	__u64 last_used; /* bpf_ktime_get_ns(), CLOCK_MONOTONIC */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FG_MAX_FLOWS);
	__type(key, struct fg_key);
	__type(value, struct fg_val);
} fg_flows SEC(".maps");

/* What a forwarding decision needs from a frame's headers. */
struct fg_hdr {
	struct fg_key key;
	__u32 l3len;   /* IP total length */
	__u8 ttl;      /* TTL / hop limit */
	__u8 l3hlen;   /* 20 or 40 */
	__u8 ok;       /* the header checks passed (before the TCP flags) */
	__u8 pad;
};

#define FG_V4_HDRS (ETH_HLEN + 20 + 4) /* Ethernet, IPv4 without options, the two ports */
#define FG_V6_HDRS (ETH_HLEN + 40 + 4)
#define FG_PULL (ETH_HLEN + 40 + 20)    /* the most a hit reads or writes: IPv6 + TCP */

/* IPv4 header (no options) followed by the ports: ip[0..23] must be readable. */
static __always_inline void fg_v4(const __u8 *ip, struct fg_hdr *h)
{
	h->ok = ip[0] == 0x45                               /* v4 without options */
		&& !(ip[6] & 0x3f) && !ip[7];               /* not a fragment (MF, offset) */
	h->key.family = 4;
	h->key.proto = ip[9];
	h->ttl = ip[8];
	h->l3len = ((__u32)ip[2] << 8) | ip[3];
	h->l3hlen = 20;
	__builtin_memcpy(&h->key.src[0], ip + 12, 4);
	__builtin_memcpy(&h->key.dst[0], ip + 16, 4);
	__builtin_memcpy(&h->key.sport, ip + 20, 4);
}

/* IPv6 header followed by the ports: ip6[0..43] must be readable. Extension headers go to software. */
static __always_inline void fg_v6(const __u8 *ip6, struct fg_hdr *h)
{
	h->ok = (ip6[0] >> 4) == 6;
	h->key.family = 6;
	h->key.proto = ip6[6];
	h->ttl = ip6[7];
	h->l3len = (((__u32)ip6[4] << 8) | ip6[5]) + 40;
	h->l3hlen = 40;
	__builtin_memcpy(h->key.src, ip6 + 8, 16);
	__builtin_memcpy(h->key.dst, ip6 + 24, 16);
	__builtin_memcpy(&h->key.sport, ip6 + 40, 4);
}

/*
 * The entry for a parsed frame if the fast path may forward it, else NULL. tcpflags: the TCP
 * header's flags byte (ignored for UDP).
 */
static __always_inline struct fg_val *fg_classify(struct __sk_buff *skb, struct fg_hdr *h, __u8 tcpflags)
{
	struct fg_val *v;

	if (!h->ok)
		return NULL;
	if (h->key.proto != IPPROTO_TCP && h->key.proto != IPPROTO_UDP)
		return NULL;
	if (h->ttl <= 1)                                  /* the stack sends time exceeded */
		return NULL;
	if (h->key.proto == IPPROTO_TCP && (tcpflags & (TCP_FIN | TCP_RST | TCP_SYN)))
		return NULL;                              /* conntrack must see state changes */
	h->key.ifindex = skb->ifindex;
	h->key.vlan = skb->vlan_present ? (0x1000 | (skb->vlan_tci & 0x0fff)) : 0;
	v = bpf_map_lookup_elem(&fg_flows, &h->key);
	if (!v)
		return NULL;
	if (skb->gso_size) {
		/* segments are cut to gso_size: allow for the largest TCP header */
		if (skb->gso_size + h->l3hlen + 60 > v->mtu)
			return NULL;
	} else if (h->l3len > v->mtu) {                   /* the stack fragments or sends PTB */
		return NULL;
	}
	return v;
}

/* Ones' complement sum folded to 16 bits. */
static __always_inline __u16 fg_fold(__u64 s)
{
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)s;
}

/*
 * A checksum field after the covered data changed by d (sum of ~old + new words): RFC 1624
 * eqn. 3, HC' = ~(~HC + ~m + m'). Words are summed as loaded, in either byte order alike.
 */
static __always_inline __u16 fg_csum(__u16 check, __u64 d)
{
	return ~fg_fold((__u16)~check + d);
}

static __always_inline __u64 fg_diff32(__u32 from, __u32 to)
{
	return (__u64)(__u32)~from + to;
}

static __always_inline __u32 fg_fold32(__u64 s)
{
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffffffff) + (s >> 32);
	return (__u32)s;
}

/*
 * The L4 ports (written directly) and the L4 checksum. The checksum goes through
 * bpf_l4_csum_replace in diff mode, once for the addresses (pseudo header) and once for the ports
 * when they change: unlike arithmetic on the field, the kernel's update knows the skb's checksum
 * state — CHECKSUM_PARTIAL (locally sent, offloaded: the field holds the pseudo header sum, ports
 * must not enter it) and CHECKSUM_COMPLETE (skb->csum follows the pseudo header change).
 * da: the address changes (sum of ~old + new words). Call after every direct write: the helper
 * invalidates packet pointers. Returns < 0 on a helper error.
 */
static __always_inline int fg_nat_l4(struct __sk_buff *skb, __u32 l4off, __u8 proto, __u32 oldports,
				     __u32 newports, __u64 da)
{
	__u32 csum_off = l4off + (proto == IPPROTO_TCP ? 16 : 6);
	/* a UDP checksum of 0 means "none": keep it so, and never write 0 for a real one */
	__u64 flags = proto == IPPROTO_UDP ? BPF_F_MARK_MANGLED_0 : 0;
	__u32 d = fg_fold32(da);

	if (d && d != 0xffffffff && bpf_l4_csum_replace(skb, csum_off, 0, d, flags | BPF_F_PSEUDO_HDR) < 0)
		return -1;
	if (oldports != newports && bpf_l4_csum_replace(skb, csum_off, 0, fg_fold32(fg_diff32(oldports, newports)), flags) < 0)
		return -1;
	return 0;
}

/* VLAN, counters, redirect: the common end of a hit (after the rewrites). */
static __always_inline int fg_out(struct __sk_buff *skb, struct fg_hdr *h, struct fg_val *v, __u32 len)
{
	if (h->key.vlan && bpf_skb_vlan_pop(skb) < 0)
		return TC_ACT_SHOT;
	if ((v->flags & FG_F_OUT_VLAN) && bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), v->out_vlan) < 0)
		return TC_ACT_SHOT;
	__sync_fetch_and_add(&v->packets, 1);
	__sync_fetch_and_add(&v->bytes, len);             /* as received, layer 2 included */
	v->last_used = bpf_ktime_get_ns();
	return bpf_redirect(v->oif, 0);
}

static __always_inline int fg_fwd_v4(struct __sk_buff *skb, void *data, void *data_end, __u32 len)
{
	struct fg_hdr h;
	struct fg_val *v;
	struct iphdr *ip = data + ETH_HLEN;
	__u8 *l4 = data + ETH_HLEN + 20;
	__u32 ports;
	__u64 da, d;

	__builtin_memset(&h, 0, sizeof(h));
	if (data + FG_V4_HDRS > data_end)
		return TC_ACT_OK;
	fg_v4((__u8 *)ip, &h);
	if (h.key.proto == IPPROTO_TCP) {
		if ((void *)(l4 + 18) > data_end)         /* up to the checksum */
			return TC_ACT_OK;
		v = fg_classify(skb, &h, l4[13]);
	} else {
		if ((void *)(l4 + 8) > data_end)
			return TC_ACT_OK;
		v = fg_classify(skb, &h, 0);
	}
	if (!v)
		return TC_ACT_OK;

	/* addresses: in the IP checksum (updated here), and in the L4 one through the pseudo header */
	da = fg_diff32(ip->saddr, v->src[0]) + fg_diff32(ip->daddr, v->dst[0]);
	ip->saddr = v->src[0];
	ip->daddr = v->dst[0];
	d = da;
	if (v->flags & FG_F_DEC_TTL) {
		__u16 old = *(__u16 *)&ip->ttl;           /* TTL and protocol: one checksum word */

		ip->ttl--;
		d += (__u16)~old + *(__u16 *)&ip->ttl;
	}
	ip->check = fg_csum(ip->check, d);
	__builtin_memcpy(&ports, &v->sport, 4);
	*(__u32 *)l4 = ports;
	__builtin_memcpy(data, v->dmac, 12);              /* dmac then smac, as on the wire */
	if (fg_nat_l4(skb, ETH_HLEN + 20, h.key.proto, *(__u32 *)&h.key.sport, ports, da) < 0)
		return TC_ACT_SHOT;
	return fg_out(skb, &h, v, len);
}

static __always_inline int fg_fwd_v6(struct __sk_buff *skb, void *data, void *data_end, __u32 len)
{
	struct fg_hdr h;
	struct fg_val *v;
	__u8 *ip6 = data + ETH_HLEN;
	__u8 *l4 = data + ETH_HLEN + 40;
	__u32 ports;
	__u64 d = 0;

	__builtin_memset(&h, 0, sizeof(h));
	if (data + FG_V6_HDRS > data_end)
		return TC_ACT_OK;
	fg_v6(ip6, &h);
	if (h.key.proto == IPPROTO_TCP) {
		if ((void *)(l4 + 18) > data_end)
			return TC_ACT_OK;
		v = fg_classify(skb, &h, l4[13]);
	} else {
		if ((void *)(l4 + 8) > data_end)
			return TC_ACT_OK;
		v = fg_classify(skb, &h, 0);
	}
	if (!v)
		return TC_ACT_OK;

#pragma unroll
	for (int i = 0; i < 4; i++) {
		d += fg_diff32(h.key.src[i], v->src[i]) + fg_diff32(h.key.dst[i], v->dst[i]);
		*(__u32 *)(ip6 + 8 + 4 * i) = v->src[i];
		*(__u32 *)(ip6 + 24 + 4 * i) = v->dst[i];
	}
	if (v->flags & FG_F_DEC_TTL)
		ip6[7]--;                                 /* hop limit: in no checksum */
	__builtin_memcpy(&ports, &v->sport, 4);
	*(__u32 *)l4 = ports;
	__builtin_memcpy(data, v->dmac, 12);
	if (fg_nat_l4(skb, ETH_HLEN + 40, h.key.proto, *(__u32 *)&h.key.sport, ports, d) < 0)
		return TC_ACT_SHOT;
	return fg_out(skb, &h, v, len);
}

SEC("tc")
int fg_tc_ingress(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	__u32 len = skb->len;
	__be16 proto;

	if (data + ETH_HLEN > data_end)
		return TC_ACT_OK;
	proto = ((struct ethhdr *)data)->h_proto;
	if (proto != bpf_htons(ETH_P_IP) && proto != bpf_htons(ETH_P_IPV6))
		return TC_ACT_OK;                         /* ARP, in-band VLAN tags, ... */
	if (data + FG_PULL > data_end && len > (__u32)(data_end - data)) {
		/* headers outside the linear area (AF_PACKET senders): pull them in, once */
		if (bpf_skb_pull_data(skb, len < FG_PULL ? len : FG_PULL) < 0)
			return TC_ACT_OK;
		data = (void *)(long)skb->data;
		data_end = (void *)(long)skb->data_end;
	}
	if (proto == bpf_htons(ETH_P_IP))
		return fg_fwd_v4(skb, data, data_end, len);
	return fg_fwd_v6(skb, data, data_end, len);
}

/*
 * Packet taps run before tc ingress: drop for the router's socket exactly the frames the tc
 * program forwards (returns the bytes to keep, 0 = none).
 */
SEC("socket")
int fg_sock_filter(struct __sk_buff *skb)
{
	__u8 b[FG_V6_HDRS];
	struct fg_hdr h;
	__u8 tcpflags = 0;
	__u32 l4;

	__builtin_memset(&h, 0, sizeof(h));
	if (bpf_skb_load_bytes(skb, 0, b, FG_V4_HDRS) < 0)
		return skb->len;
	if (b[12] == 0x08 && b[13] == 0x00) {
		fg_v4(b + ETH_HLEN, &h);
		l4 = ETH_HLEN + 20;
	} else if (b[12] == 0x86 && b[13] == 0xdd) {
		if (bpf_skb_load_bytes(skb, FG_V4_HDRS, b + FG_V4_HDRS, FG_V6_HDRS - FG_V4_HDRS) < 0)
			return skb->len;
		fg_v6(b + ETH_HLEN, &h);
		l4 = ETH_HLEN + 40;
	} else {
		return skb->len;
	}
	if (h.key.proto == IPPROTO_TCP && bpf_skb_load_bytes(skb, l4 + 13, &tcpflags, 1) < 0)
		return skb->len;
	return fg_classify(skb, &h, tcpflags) ? 0 : skb->len;
}

/* dual licence: BSD for the Apache-2.0 project, GPL-compatible for the kernel verifier */
char _license[] SEC("license") = "Dual BSD/GPL";
