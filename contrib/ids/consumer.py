#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A feature consumer in the seed's style: a Unix stream socket listener
that decodes each NDJSON line of xg-features --unix-socket PATH.

Plain Python 3 standard library. Replace handle() with your model (an
Isolation Forest's score_samples on a batch, say).

    python3 contrib/ids/consumer.py /run/xdpguard-ids.sock
    xg-features --unix-socket /run/xdpguard-ids.sock
"""
import json
import os
import socket
import sys

SOCKET_PATH = sys.argv[1] if len(sys.argv) > 1 else "/tmp/xdpguard-ids.sock"
out = sys.stdout.buffer


def handle(feature, line):
    """One decoded feature: here its line goes to stdout as received."""
    out.write(line + b"\n")


def serve(path):
    if os.path.exists(path):
        os.unlink(path)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    while True:
        conn, _ = server.accept()
        buf = b""
        while True:
            data = conn.recv(65536)
            if not data:
                break
            buf += data
            *lines, buf = buf.split(b"\n")
            for line in lines:
                if line:
                    handle(json.loads(line), line)
            out.flush()
        conn.close()


if __name__ == "__main__":
    try:
        serve(SOCKET_PATH)
    except KeyboardInterrupt:
        pass
