#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The files of a directory over HTTP, for the e2e tests of SYN cookies:

    http_server.py DIR PORT ADDR...

One listener per ADDR (IPv4 or IPv6), all on PORT, each with a listen
backlog of 4096: python3 -m http.server's 5 overflows its SYN queue as soon
as a few clients connect at once, and then the kernel's cookies, not the
ones under test, answer. A thread per connection; no log lines.
"""
import functools
import http.server
import socket
import sys
import threading


class Server(http.server.ThreadingHTTPServer):
    request_queue_size = 4096
    daemon_threads = True


class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main():
    root, port, addrs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    handler = functools.partial(Handler, directory=root)
    servers = []
    for a in addrs:
        cls = type("Server", (Server,), {
            "address_family": socket.AF_INET6 if ":" in a
            else socket.AF_INET})
        servers.append(cls((a, port), handler))
    for s in servers[1:]:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    servers[0].serve_forever()


if __name__ == "__main__":
    main()
