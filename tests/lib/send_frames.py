#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Crafted frames out of a device (AF_PACKET), one per row, for the e2e
tests that check fields xg-gen does not set (TCP flags, TOS, payload):

    send_frames.py DEV DST_MAC SRC4 DST4 SRC6 DST6 ROW...

ROW is FAMILY,PROTO,FLAGS,SPORT,DPORT,TOS,PAYLOAD: FAMILY 4 or 6, PROTO
tcp, udp, icmp or gre, FLAGS the TCP flags byte (hex), PAYLOAD the bytes
after the L4 header. Frames shorter than 60 bytes are padded to 60 after
the IP packet (the IP length does not count the padding).
"""
import socket
import struct
import sys


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def l4(proto, flags, sport, dport, payload, v6):
    body = bytes(payload)
    if proto == "tcp":
        return 6, struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 5 << 4,
                              flags, 65535, 0, 0) + body
    if proto == "udp":
        return 17, struct.pack("!HHHH", sport, dport, 8 + len(body), 0) + body
    if proto == "icmp":
        return (58 if v6 else 1), struct.pack("!BBHHH", 128 if v6 else 8, 0,
                                              0, 1, 1) + body
    return 47, body  # gre: no header of ours, all payload


def frame(row, smac, dmac, a):
    fam, proto, flags, sport, dport, tos, payload = row.split(",")
    v6 = fam == "6"
    num, seg = l4(proto, int(flags, 16), int(sport), int(dport),
                  int(payload), v6)
    tos = int(tos, 0)
    if v6:
        ip = struct.pack("!IHBB", (6 << 28) | (tos << 20), len(seg), num, 64)
        ip += socket.inet_pton(socket.AF_INET6, a[2])
        ip += socket.inet_pton(socket.AF_INET6, a[3])
        eth_type = 0x86DD
    else:
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, tos, 20 + len(seg), 1, 0,
                          64, num, 0, socket.inet_aton(a[0]),
                          socket.inet_aton(a[1]))
        ip = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
        eth_type = 0x0800
    f = dmac + smac + struct.pack("!H", eth_type) + ip + seg
    return f + bytes(max(0, 60 - len(f)))


def main():
    dev, dmac = sys.argv[1], bytes.fromhex(sys.argv[2].replace(":", ""))
    addrs = sys.argv[3:7]
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((dev, 0))
    smac = s.getsockname()[4][:6]
    for row in sys.argv[7:]:
        s.send(frame(row, smac, dmac, addrs))


if __name__ == "__main__":
    main()
