#!/usr/bin/env python3
"""UDP stream for the end-to-end test.

  udp.py recv BIND_ADDR PORT COUNT TIMEOUT  -> prints "received N ttl T" (T: TTL of the last datagram)
  udp.py send DST_ADDR PORT COUNT           -> sends COUNT numbered datagrams, 2 ms apart
"""
import socket
import sys
import time

# Linux values (<linux/in.h>); Python's socket module does not name them all
IP_TTL = 2
IP_RECVTTL = 12


def recv(addr, port, count, timeout):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, IP_RECVTTL, 1)
    s.bind((addr, port))
    print("ready", flush=True)
    seen, ttl = set(), -1
    deadline = time.monotonic() + timeout
    while len(seen) < count:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        s.settimeout(left)
        try:
            data, anc, _, _ = s.recvmsg(2048, socket.CMSG_SPACE(4))
        except socket.timeout:
            break
        if data.startswith(b"flowgate "):
            seen.add(data)
        for level, kind, value in anc:
            if level == socket.IPPROTO_IP and kind == IP_TTL:
                ttl = int.from_bytes(value[:4], sys.byteorder)
    print("received %d ttl %d" % (len(seen), ttl), flush=True)


def send(addr, port, count):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for i in range(count):
        s.sendto(b"flowgate %06d" % i, (addr, port))
        time.sleep(0.002)


if __name__ == "__main__":
    if sys.argv[1] == "recv":
        recv(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
    else:
        send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
