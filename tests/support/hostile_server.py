#!/usr/bin/env python3
# ruff: noqa  (a copy of ../shared/hostile/; kept close to the original, not restyled)
"""Loopback-only HTTP server with hostile behaviours, for testing the feed fetcher.

    python hostile_server.py [--port 0] [--duration 300]   # prints its URL

Binds 127.0.0.1 only (refuses anything else) and shuts itself down after --duration seconds
(default 300, max 3600). Standard library only. GET / lists the endpoints.

Every endpoint and what a well-built fetcher should do with it is listed in ROUTES below and
in MANIFEST.md.
"""
import argparse
import email.utils
import gzip
import hashlib
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit, parse_qs

# Copied from ../shared/hostile/; the corpus files live in tests/fixtures/hostile here.
HERE = Path(__file__).resolve().parent.parent / "fixtures" / "hostile"
START = time.time()
DEADLINE = [START + 300]

FEED = (b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Loopback feed</title>'
        b'<link>http://127.0.0.1/</link><description>ok</description>'
        b'<item><title>Entry one</title><guid>loop-1</guid><link>http://127.0.0.1/1</link>'
        b'<pubDate>Mon, 06 Jan 2025 10:00:00 GMT</pubDate><description>Body one.</description></item>'
        b'</channel></rss>\n')
FEED_ETAG = '"' + hashlib.sha1(FEED).hexdigest()[:16] + '"'
FEED_LASTMOD = "Mon, 06 Jan 2025 10:00:00 GMT"

_BOMB = {}


def gzip_bomb(gib: int = 1) -> bytes:
    """gzip of `gib` GiB of zero bytes (~1 MiB per GiB); built once, lazily.

    (Changed from ../shared: compressing a whole GiB took 12 s on a busy test machine. After a
    full flush the deflate state is reset, so the block for each MiB of zeros is the same bytes:
    compress one MiB once and repeat it; only the CRC needs the whole length.)
    """
    if gib not in _BOMB:
        chunk = bytes(1 << 20)
        co = zlib.compressobj(9, zlib.DEFLATED, -15)
        block = co.compress(chunk) + co.flush(zlib.Z_FULL_FLUSH)
        again = co.compress(chunk) + co.flush(zlib.Z_FULL_FLUSH)
        if block != again:  # a zlib that does not reset: the slow, sure way
            co = zlib.compressobj(9, zlib.DEFLATED, 31)
            _BOMB[gib] = b"".join([co.compress(chunk) for _ in range(gib * 1024)] + [co.flush()])
            return _BOMB[gib]
        crc = 0
        big = bytes(16 << 20)
        for _ in range(gib * 64):
            crc = zlib.crc32(big, crc)
        size = (gib << 30) & 0xFFFFFFFF
        _BOMB[gib] = (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + block * (gib * 1024) + co.flush()
                      + crc.to_bytes(4, "little") + size.to_bytes(4, "little"))
    return _BOMB[gib]


ROUTES = {
    "/ok.xml": "valid feed; ETag + Last-Modified; answers 304 to a matching If-None-Match / If-Modified-Since",
    "/slow-drip": "200, headers at once, then 1 byte of XML every 2 s forever (per-read timeouts never fire)",
    "/slow-headers": "sends the status line and headers 1 byte per second",
    "/no-response": "accepts the connection and never sends a byte",
    "/infinite": "200, no Content-Length, endless stream of valid-looking <item>s as fast as possible",
    "/huge-content-length": "Content-Length: 1000000000000, then a small body and close",
    "/truncated": "Content-Length: 5000 but only ~1000 bytes sent, then close",
    "/gzip-bomb": "Content-Encoding: gzip; ~1 MiB on the wire, 1 GiB when decoded",
    "/gzip-bomb-double": "Content-Encoding: gzip, gzip (nested); decoded size explodes twice",
    "/bad-gzip": "Content-Encoding: gzip but the body is plain text",
    "/redirect-loop": "302 to itself forever",
    "/redirect-chain?n=N": "N hops of 301 then /ok.xml (default 30)",
    "/redirect-file": "302 Location: file:///etc/passwd",
    "/redirect-scheme": "302 Location: javascript:alert(1)",
    "/status/404": "404 Not Found", "/status/410": "410 Gone (feed permanently removed)",
    "/status/500": "500 with an HTML error page", "/status/503": "503 + Retry-After: 120",
    "/status/429": "429 + Retry-After: 120 (seconds)",
    "/status/429-date": "429 + Retry-After as an HTTP date 2 minutes ahead",
    "/status/429-garbage": "429 + Retry-After: soon-ish (unparseable)",
    "/status/429-huge": "429 + Retry-After: 999999999",
    "/status/429-negative": "429 + Retry-After: -5",
    "/wrong-type/html": "the feed served as text/html", "/wrong-type/png": "the feed served as image/png",
    "/wrong-type/octet": "the feed served as application/octet-stream",
    "/html-not-feed": "a real HTML page with <link rel=alternate> to /ok.xml (autodiscovery case)",
    "/charset-mismatch": "Content-Type: text/xml; charset=iso-8859-1, body is UTF-8 declared utf-8",
    "/304-unconditional": "304 Not Modified to a request that sent no validators",
    "/empty-200": "200 OK with a zero-length body",
    "/huge-header": "one 100 KB response header",
    "/many-headers": "10,000 response headers",
    "/bad-chunked": "Transfer-Encoding: chunked with a malformed chunk size",
    "/hostile/<name>": "serves a file from the hostile corpus directory (e.g. /hostile/feed-title-osc52.xml)",
}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "hostile/1"

    def log_message(self, fmt, *args):  # keep the console readable
        print(f"{time.time() - START:7.1f}s {self.address_string()} {fmt % args}", flush=True)

    def _send(self, code, body=b"", ctype="application/rss+xml; charset=utf-8", headers=(), length=True):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        for k, v in headers:
            self.send_header(k, v)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def _alive(self):
        return time.time() < DEADLINE[0]

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):  # noqa: C901 - a flat table of behaviours reads best
        u = urlsplit(self.path)
        p, q = u.path, parse_qs(u.query)
        try:
            if p == "/":
                body = "\n".join(f"{k:24s} {v}" for k, v in ROUTES.items()).encode()
                return self._send(200, body, "text/plain; charset=utf-8")
            if p == "/ok.xml":
                inm = self.headers.get("If-None-Match")
                ims = self.headers.get("If-Modified-Since")
                if (inm and FEED_ETAG in [t.strip() for t in inm.split(",")]) or (not inm and ims == FEED_LASTMOD):
                    self.send_response(304)
                    self.send_header("ETag", FEED_ETAG)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                return self._send(200, FEED, headers=[("ETag", FEED_ETAG), ("Last-Modified", FEED_LASTMOD),
                                                      ("Cache-Control", "max-age=60")])
            if p == "/slow-drip":
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.end_headers()
                for b in FEED * 1000:
                    if not self._alive():
                        break
                    self.wfile.write(bytes([b]))
                    self.wfile.flush()
                    time.sleep(2)
                return
            if p == "/slow-headers":
                for b in b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nX-Padding: " + b"a" * 600 + b"\r\n\r\n":
                    if not self._alive():
                        break
                    self.wfile.write(bytes([b]))
                    self.wfile.flush()
                    time.sleep(1)
                self.close_connection = True
                return
            if p == "/no-response":
                while self._alive():
                    time.sleep(1)
                self.close_connection = True
                return
            if p == "/infinite":
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel><title>endless</title>')
                i = 0
                while self._alive():
                    self.wfile.write(b"".join(b"<item><title>endless %d</title><guid>e-%d</guid></item>" % (j, j)
                                              for j in range(i, i + 1000)))
                    i += 1000
                self.close_connection = True
                return
            if p == "/huge-content-length":
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", "1000000000000")
                self.end_headers()
                self.wfile.write(FEED)
                self.close_connection = True
                return
            if p == "/truncated":
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", "5000")
                self.end_headers()
                self.wfile.write((FEED * 10)[:1000])
                self.close_connection = True
                return
            if p == "/gzip-bomb":
                return self._send(200, gzip_bomb(1), headers=[("Content-Encoding", "gzip")])
            if p == "/gzip-bomb-double":
                return self._send(200, gzip.compress(gzip_bomb(1), 9, mtime=0), headers=[("Content-Encoding", "gzip, gzip")])
            if p == "/bad-gzip":
                return self._send(200, b"this is not gzip data " * 50, headers=[("Content-Encoding", "gzip")])
            if p == "/redirect-loop":
                return self._send(302, b"", "text/plain", headers=[("Location", "/redirect-loop")])
            if p == "/redirect-chain":
                n = int(q.get("n", ["30"])[0])
                loc = "/ok.xml" if n <= 1 else f"/redirect-chain?n={n - 1}"
                return self._send(301, b"", "text/plain", headers=[("Location", loc)])
            if p == "/redirect-file":
                return self._send(302, b"", "text/plain", headers=[("Location", "file:///etc/passwd")])
            if p == "/redirect-scheme":
                return self._send(302, b"", "text/plain", headers=[("Location", "javascript:alert(1)")])
            if p.startswith("/status/"):
                code = p.split("/")[2]
                ra = {"429": "120", "503": "120", "429-huge": "999999999", "429-negative": "-5", "429-garbage": "soon-ish",
                      "429-date": email.utils.formatdate(time.time() + 120, usegmt=True)}
                hdrs = [("Retry-After", ra[code])] if code in ra else []
                status = int(code.split("-")[0])
                return self._send(status, b"<html><body><h1>Error %d</h1></body></html>" % status, "text/html", headers=hdrs)
            if p.startswith("/wrong-type/"):
                t = {"html": "text/html; charset=utf-8", "png": "image/png", "octet": "application/octet-stream"}[p.split("/")[2]]
                return self._send(200, FEED, t)
            if p == "/html-not-feed":
                return self._send(200, (HERE / "feed-not-xml.html").read_bytes().replace(b"/feed.xml", b"/ok.xml"), "text/html; charset=utf-8")
            if p == "/charset-mismatch":
                body = FEED.replace(b"Entry one", "Entr\u00e9e \u2014 \u201cone\u201d".encode())
                return self._send(200, body, "text/xml; charset=iso-8859-1")
            if p == "/304-unconditional":
                self.send_response(304)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if p == "/empty-200":
                return self._send(200, b"")
            if p == "/huge-header":
                return self._send(200, FEED, headers=[("X-Huge", "a" * 100_000)])
            if p == "/many-headers":
                return self._send(200, FEED, headers=[(f"X-H{i}", "v") for i in range(10_000)])
            if p == "/bad-chunked":
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                self.wfile.write(b"ZZZ\r\nnot a chunk\r\n0\r\n\r\n")
                self.close_connection = True
                return
            if p.startswith("/hostile/"):
                f = (HERE / p[len("/hostile/"):]).resolve()
                if f.parent != HERE or not f.is_file():
                    return self._send(404, b"not in corpus", "text/plain")
                return self._send(200, f.read_bytes(), "application/rss+xml" if f.suffix == ".xml" else "text/html")
            return self._send(404, b"unknown endpoint; GET / for the list", "text/plain")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, default=0, help="0 (default) = pick a free port; the URL is printed")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--duration", type=float, default=300, help="seconds before the server stops (max 3600)")
    a = ap.parse_args()
    if a.host not in ("127.0.0.1", "::1", "localhost"):
        raise SystemExit("refusing to bind anything but loopback")
    DEADLINE[0] = START + min(a.duration, 3600)
    ThreadingHTTPServer.daemon_threads = True
    srv = ThreadingHTTPServer((a.host, a.port), Handler)
    threading.Timer(min(a.duration, 3600), srv.shutdown).start()
    print(f"hostile server on http://{a.host}:{srv.server_address[1]}/ for {min(a.duration, 3600):.0f}s", flush=True)
    threading.Thread(target=gzip_bomb, daemon=True).start()  # ready before the first request
    srv.serve_forever()
    srv.server_close()


if __name__ == "__main__":
    main()
