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
 * Headers are read with bpf_skb_load_bytes: frames from AF_PACKET senders (trafgen) keep only
 * the Ethernet header in the linear area, where direct packet access would silently miss.
 * Key and value layouts are mirrored in FlowMapLayout.java: change both together.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/in.h>
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

struct fg_pkt {
	struct fg_key key;
	__u32 l3;      /* offset of the IP header */
	__u32 l4;      /* offset of the TCP/UDP header */
	__u32 l3len;   /* IP total length */
	__u8 ttl;
};

/* Fills the key of an offload candidate; -1 for anything the software path must see. */
static __always_inline int fg_parse(struct __sk_buff *skb, struct fg_pkt *p)
{
	__be16 h_proto;

	if (bpf_skb_load_bytes(skb, 12, &h_proto, 2) < 0)
		return -1;
	p->key.ifindex = skb->ifindex;
	p->key.vlan = skb->vlan_present ? (0x1000 | (skb->vlan_tci & 0x0fff)) : 0;
	p->l3 = ETH_HLEN;

	if (h_proto == bpf_htons(ETH_P_IP)) {
		__u8 iph[20];

		if (bpf_skb_load_bytes(skb, p->l3, iph, sizeof(iph)) < 0)
			return -1;
		if (iph[0] != 0x45)                       /* not v4, or options */
			return -1;
		if ((iph[6] & 0x3f) || iph[7])            /* MF or a fragment offset */
			return -1;
		p->ttl = iph[8];
		p->key.proto = iph[9];
		p->l3len = ((__u32)iph[2] << 8) | iph[3];
		p->key.family = 4;
		__builtin_memcpy(&p->key.src[0], &iph[12], 4);
		__builtin_memcpy(&p->key.dst[0], &iph[16], 4);
		p->l4 = p->l3 + 20;
	} else if (h_proto == bpf_htons(ETH_P_IPV6)) {
		__u8 ip6h[40];

		if (bpf_skb_load_bytes(skb, p->l3, ip6h, sizeof(ip6h)) < 0)
			return -1;
		if ((ip6h[0] >> 4) != 6)
			return -1;
		p->key.proto = ip6h[6];                   /* extension headers go to software */
		p->ttl = ip6h[7];
		p->l3len = (((__u32)ip6h[4] << 8) | ip6h[5]) + 40;
		p->key.family = 6;
		__builtin_memcpy(p->key.src, &ip6h[8], 16);
		__builtin_memcpy(p->key.dst, &ip6h[24], 16);
		p->l4 = p->l3 + 40;
	} else {
		return -1;                                /* ARP, in-band VLAN tags, ... */
	}

	if (p->key.proto != IPPROTO_TCP && p->key.proto != IPPROTO_UDP)
		return -1;
	if (p->ttl <= 1)                                  /* the stack sends time exceeded */
		return -1;
	if (bpf_skb_load_bytes(skb, p->l4, &p->key.sport, 4) < 0)
		return -1;
	if (p->key.proto == IPPROTO_TCP) {
		__u8 tcpflags;

		if (bpf_skb_load_bytes(skb, p->l4 + 13, &tcpflags, 1) < 0)
			return -1;
		if (tcpflags & (TCP_FIN | TCP_RST | TCP_SYN)) /* conntrack must see state changes */
			return -1;
	}
	return 0;
}

/* The entry for this packet if the fast path may forward it, else NULL. */
static __always_inline struct fg_val *fg_lookup(struct __sk_buff *skb, struct fg_pkt *p)
{
	struct fg_val *v;

	__builtin_memset(p, 0, sizeof(*p));
	if (fg_parse(skb, p) < 0)
		return NULL;
	v = bpf_map_lookup_elem(&fg_flows, &p->key);
	if (!v)
		return NULL;
	if (skb->gso_size) {
		/* segments are cut to gso_size: allow for the largest TCP header */
		if (skb->gso_size + (p->l4 - p->l3) + 60 > v->mtu)
			return NULL;
	} else if (p->l3len > v->mtu) {                   /* the stack fragments or sends PTB */
		return NULL;
	}
	return v;
}

static __always_inline int fg_nat_addr(struct __sk_buff *skb, struct fg_pkt *p, __u32 csum_l4,
				       __u64 l4flags, __u32 *oldw, __u32 *neww, __u32 off)
{
	int words = p->key.family == 4 ? 1 : 4;

#pragma unroll
	for (int i = 0; i < 4; i++) {
		if (i >= words || oldw[i] == neww[i])
			continue;
		if (bpf_l4_csum_replace(skb, csum_l4, oldw[i], neww[i], l4flags | BPF_F_PSEUDO_HDR | 4) < 0)
			return -1;
		if (p->key.family == 4 && bpf_l3_csum_replace(skb, p->l3 + 10, oldw[i], neww[i], 4) < 0)
			return -1;
		if (bpf_skb_store_bytes(skb, off + 4 * i, &neww[i], 4, 0) < 0)
			return -1;
	}
	return 0;
}

static __always_inline int fg_nat_port(struct __sk_buff *skb, __u32 csum_l4, __u64 l4flags,
				       __be16 oldp, __be16 newp, __u32 off)
{
	if (oldp == newp)
		return 0;
	if (bpf_l4_csum_replace(skb, csum_l4, oldp, newp, l4flags | 2) < 0)
		return -1;
	return bpf_skb_store_bytes(skb, off, &newp, 2, 0);
}

SEC("tc")
int fg_tc_ingress(struct __sk_buff *skb)
{
	struct fg_pkt p;
	struct fg_val *v = fg_lookup(skb, &p);
	__u32 len = skb->len;
	__u32 csum_l4;
	__u64 l4flags;

	if (!v)
		return TC_ACT_OK;

	csum_l4 = p.l4 + (p.key.proto == IPPROTO_TCP ? 16 : 6);
	/* a UDP/IPv4 checksum of 0 means "none": keep it so, and never write 0 for a real one */
	l4flags = p.key.proto == IPPROTO_UDP ? BPF_F_MARK_MANGLED_0 : 0;

	/* from here on the packet is half rewritten: errors drop it rather than pass it on */
	if (fg_nat_addr(skb, &p, csum_l4, l4flags, p.key.src, v->src, p.l3 + (p.key.family == 4 ? 12 : 8)) < 0)
		return TC_ACT_SHOT;
	if (fg_nat_addr(skb, &p, csum_l4, l4flags, p.key.dst, v->dst, p.l3 + (p.key.family == 4 ? 16 : 24)) < 0)
		return TC_ACT_SHOT;
	if (fg_nat_port(skb, csum_l4, l4flags, p.key.sport, v->sport, p.l4) < 0)
		return TC_ACT_SHOT;
	if (fg_nat_port(skb, csum_l4, l4flags, p.key.dport, v->dport, p.l4 + 2) < 0)
		return TC_ACT_SHOT;

	if (v->flags & FG_F_DEC_TTL) {
		__u8 ttl = p.ttl - 1;

		if (p.key.family == 4) {
			__be16 oldw = bpf_htons(((__u16)p.ttl << 8) | p.key.proto);
			__be16 neww = bpf_htons(((__u16)ttl << 8) | p.key.proto);

			if (bpf_l3_csum_replace(skb, p.l3 + 10, oldw, neww, 2) < 0)
				return TC_ACT_SHOT;
			if (bpf_skb_store_bytes(skb, p.l3 + 8, &ttl, 1, 0) < 0)
				return TC_ACT_SHOT;
		} else if (bpf_skb_store_bytes(skb, p.l3 + 7, &ttl, 1, 0) < 0) {
			return TC_ACT_SHOT;
		}
	}

	if (bpf_skb_store_bytes(skb, 0, v->dmac, 12, 0) < 0)  /* dmac then smac, as on the wire */
		return TC_ACT_SHOT;
	if (p.key.vlan && bpf_skb_vlan_pop(skb) < 0)
		return TC_ACT_SHOT;
	if ((v->flags & FG_F_OUT_VLAN) && bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), v->out_vlan) < 0)
		return TC_ACT_SHOT;

	__sync_fetch_and_add(&v->packets, 1);
	__sync_fetch_and_add(&v->bytes, len);         /* as received, layer 2 included */
	v->last_used = bpf_ktime_get_ns();
	return bpf_redirect(v->oif, 0);
}

SEC("socket")
int fg_sock_filter(struct __sk_buff *skb)
{
	struct fg_pkt p;

	return fg_lookup(skb, &p) ? 0 : skb->len;
}

/* dual licence: BSD for the Apache-2.0 project, GPL-compatible for the kernel verifier */
char _license[] SEC("license") = "Dual BSD/GPL";
