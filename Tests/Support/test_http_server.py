#!/usr/bin/env python3
"""Local HTTP server for SmuggleWatch fetcher tests and benchmarks.

Serves a fixtures folder (default: Fixtures/http beside this repo) on 127.0.0.1 with an ephemeral
port, printing `PORT <n>` as the first stdout line, plus scripted misbehaviour routes:

  /_/slow?ms=N                 answers after N ms
  /_/retry-after?id=K&s=N      429 with Retry-After: N the first time per id K, then 200
  /_/flaky?id=K&fails=N        500 for the first N requests per id K, then 200
  /_/unavailable               always 503 with Retry-After: 1
  /_/redirect-loop             302 → /_/redirect-loop-b → 302 → /_/redirect-loop …
  /_/redirect?to=PATH          302 to PATH
  /_/big?mb=N&length=0|1       N MiB of bytes (with or without Content-Length)
  /_/gzip-bomb?mb=N            gzip of N MiB of zeros (Content-Encoding: gzip), ~N KiB on the wire
  /_/gzip-page                 a small gzip-encoded HTML page
  /_/etag                      ETag "v1" and Last-Modified; 304 for a matching conditional GET
  /_/echo                      JSON of the request line and headers (User-Agent, Cookie, proxying)
  /_/status?code=N             that status
  /_/concurrent?ms=N           sleeps N ms while counting concurrent requests
  /_/stats                     JSON: hits per path, max concurrency seen
  /_/small?n=I                 a tiny HTML page (benchmarks)
  POST /_/tiktok/query         a TikTok Research API video query: needs `Authorization: Bearer demo-token`;
                               no cursor → api/tiktok-video-query.json, cursor 2 + its search_id → page 2
  /_/youtube/videos            YouTube Data API videos.list: no pageToken → api/youtube-videos-list.json,
                               pageToken=CAUQAA → api/youtube-videos-list-page2.json
  /_/requests                  JSON list of the POSTs so far (path, Authorization, parsed body)
Static files get ETag and Last-Modified, and answer 304 to matching conditional GETs; `?delay=MS`
on a static path answers after MS milliseconds, `?gate=FILE` once FILE exists (slow sources for
crawl tests).
Requests with an absolute URI (`GET http://x/…`) are served as a forward proxy would: the path is
served locally and the response carries `X-Proxied: 1`.
"""
import gzip, hashlib, json, mimetypes, os, signal, sys, threading, time
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qs

ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
ROOT = os.path.abspath(ARGS[0] if ARGS else
                       os.path.join(os.path.dirname(__file__), "..", "..", "Fixtures", "http"))
LOCK = threading.Lock()
HITS = {}
COUNTERS = {}
CONC = {"now": 0, "max": 0}
BOMB = {}
REQUESTS = []
FIXTURES = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "Fixtures", "http"))
EXTRA_TYPES = {".vtt": "text/vtt", ".srt": "application/x-subrip", ".ttml": "application/ttml+xml",
               ".json3": "application/json", ".srv3": "text/xml", ".jsonl": "application/x-ndjson",
               ".rss": "application/rss+xml", ".atom": "application/atom+xml", ".rdf": "application/rdf+xml"}


def bump(table, key):
    with LOCK:
        table[key] = table.get(key, 0) + 1
        return table[key]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without TCP_NODELAY, Nagle + delayed ACK add ~40 ms per response.
    disable_nagle_algorithm = True
    server_version = "SmuggleWatchTestServer/1"

    def log_message(self, *args):
        pass

    def send(self, status, body=b"", ctype="text/plain; charset=utf-8", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        proxied = self.path.startswith("http://") or self.path.startswith("https://")
        url = urlsplit(self.path)
        path, q = url.path, {k: v[-1] for k, v in parse_qs(url.query).items()}
        bump(HITS, path)
        extra = [("X-Proxied", "1")] if proxied else []
        if path.startswith("/_/"):
            return self.scripted(path[3:], q, extra, proxied)
        return self.static(path, extra, q)

    def do_POST(self):
        url = urlsplit(self.path)
        bump(HITS, url.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            body = None
        with LOCK:
            REQUESTS.append({"path": url.path, "authorization": self.headers.get("Authorization"),
                             "contentType": self.headers.get("Content-Type"), "body": body})
        if url.path != "/_/tiktok/query":
            return self.send(404, b"no such POST route\n")
        def tiktok_error(status, code, message):
            err = {"data": {}, "error": {"code": code, "message": message, "log_id": "demo"}}
            return self.send(status, json.dumps(err).encode(), ctype="application/json")
        if self.headers.get("Authorization") != "Bearer demo-token":
            return tiktok_error(401, "access_token_invalid", "The access token is invalid or not found in the request.")
        if not isinstance(body, dict) or "query" not in body:
            return tiktok_error(400, "invalid_params", "The request body must be a JSON object with a query.")
        cursor, search_id = body.get("cursor"), body.get("search_id")
        if cursor is None:
            name = "tiktok-video-query.json"
        elif cursor == 2 and search_id == "7300000000000000000-demo":
            name = "tiktok-video-query-page2.json"
        else:
            return tiktok_error(400, "invalid_params", "Unknown cursor %r / search_id %r." % (cursor, search_id))
        with open(os.path.join(FIXTURES, "api", name), "rb") as f:
            return self.send(200, f.read(), ctype="application/json; charset=utf-8")

    def scripted(self, name, q, extra, proxied):
        if name == "youtube/videos":
            token = q.get("pageToken")
            names = {None: "youtube-videos-list.json", "CAUQAA": "youtube-videos-list-page2.json"}
            if token not in names:
                body = {"error": {"code": 400, "message": "Invalid page token %r." % token}}
                return self.send(400, json.dumps(body).encode(), ctype="application/json")
            with open(os.path.join(FIXTURES, "api", names[token]), "rb") as f:
                return self.send(200, f.read(), ctype="application/json; charset=utf-8")
        if name == "requests":
            with LOCK:
                body = json.dumps(REQUESTS).encode()
            return self.send(200, body, ctype="application/json")
        if name == "slow":
            time.sleep(int(q.get("ms", "1000")) / 1000)
            return self.send(200, b"slow ok\n", headers=extra)
        if name == "retry-after":
            if bump(COUNTERS, "ra:" + q.get("id", "")) == 1:
                return self.send(429, b"slow down\n", headers=[("Retry-After", q.get("s", "1"))])
            return self.send(200, b"after retry\n")
        if name == "flaky":
            n = bump(COUNTERS, "flaky:" + q.get("id", ""))
            if n <= int(q.get("fails", "1")):
                return self.send(500, b"server error\n")
            return self.send(200, ("ok after %d\n" % (n - 1)).encode())
        if name == "unavailable":
            return self.send(503, b"unavailable\n", headers=[("Retry-After", q.get("s", "1"))])
        if name == "redirect-loop":
            return self.send(302, b"", headers=[("Location", "/_/redirect-loop-b")])
        if name == "redirect-loop-b":
            return self.send(302, b"", headers=[("Location", "/_/redirect-loop")])
        if name == "redirect":
            return self.send(302, b"", headers=[("Location", q.get("to", "/"))])
        if name == "big":
            size = int(float(q.get("mb", "50")) * (1 << 20))
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            if q.get("length", "1") == "1":
                self.send_header("Content-Length", str(size))
            else:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            chunk = b"x" * 65536
            sent = 0
            try:
                while sent < size:
                    n = min(len(chunk), size - sent)
                    self.wfile.write(chunk[:n])
                    sent += n
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        if name == "gzip-bomb":
            mb = int(q.get("mb", "200"))
            with LOCK:
                if mb not in BOMB:
                    BOMB[mb] = gzip.compress(b"\0" * (mb << 20), 9)
            return self.send(200, BOMB[mb], ctype="text/html", headers=[("Content-Encoding", "gzip")])
        if name == "gzip-page":
            body = gzip.compress("<html><head><title>Compressed ✓</title></head><body>gzip</body></html>".encode())
            return self.send(200, body, ctype="text/html; charset=utf-8", headers=[("Content-Encoding", "gzip")])
        if name == "etag":
            lm = "Wed, 01 Jan 2025 00:00:00 GMT"
            if self.headers.get("If-None-Match") == '"v1"' or self.headers.get("If-Modified-Since") == lm:
                return self.send(304, b"", headers=[("ETag", '"v1"'), ("Last-Modified", lm)])
            return self.send(200, b"versioned body\n", headers=[("ETag", '"v1"'), ("Last-Modified", lm)])
        if name == "echo":
            body = json.dumps({"requestLine": self.requestline, "proxied": proxied,
                               "headers": {k: v for k, v in self.headers.items()}}).encode()
            return self.send(200, body, ctype="application/json", headers=extra)
        if name == "status":
            return self.send(int(q.get("code", "200")), b"status\n")
        if name == "concurrent":
            with LOCK:
                CONC["now"] += 1
                CONC["max"] = max(CONC["max"], CONC["now"])
            time.sleep(int(q.get("ms", "100")) / 1000)
            with LOCK:
                CONC["now"] -= 1
            return self.send(200, b"done\n")
        if name == "stats":
            with LOCK:
                body = json.dumps({"hits": HITS, "maxConcurrent": CONC["max"]}).encode()
            return self.send(200, body, ctype="application/json")
        if name == "reset":
            with LOCK:
                HITS.clear(); COUNTERS.clear(); CONC["max"] = 0
            return self.send(200, b"reset\n")
        if name == "small":
            body = ("<html><head><title>Page %s</title><meta name=\"description\" content=\"small page\">"
                    "</head><body>ok</body></html>" % q.get("n", "0")).encode()
            return self.send(200, body, ctype="text/html; charset=utf-8")
        return self.send(404, b"no such scripted route\n")

    def static(self, path, extra, q=None):
        if q and "delay" in q:
            time.sleep(int(q["delay"]) / 1000)
        if q and "gate" in q:
            # Held until the test creates the file (at most 5 minutes): a slow source whose answer
            # the test times, however loaded the machine is.
            deadline = time.time() + 300
            while not os.path.exists(q["gate"]) and time.time() < deadline:
                time.sleep(0.02)
        rel = os.path.normpath(path.lstrip("/"))
        full = os.path.join(ROOT, rel)
        if rel.startswith("..") or not full.startswith(ROOT):
            return self.send(403, b"forbidden\n")
        if os.path.isdir(full):
            full = os.path.join(full, "index.html")
        # Telegram-style paging: /telegram/s/x?before=N serves x.before-N.html; /telegram/s/x serves x.html.
        if q and "before" in q and os.path.isfile(full + ".before-%s.html" % q["before"]):
            full = full + ".before-%s.html" % q["before"]
        elif not os.path.isfile(full) and os.path.isfile(full + ".html"):
            full = full + ".html"
        if not os.path.isfile(full):
            return self.send(404, b"not found\n")
        with open(full, "rb") as f:
            data = f.read()
        etag = '"%s"' % hashlib.sha1(data).hexdigest()[:16]
        mtime = os.path.getmtime(full)
        lm = formatdate(mtime, usegmt=True)
        headers = extra + [("ETag", etag), ("Last-Modified", lm)]
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        if inm == etag or (inm is None and ims and int(parsedate_to_datetime(ims).timestamp()) >= int(mtime)):
            return self.send(304, b"", headers=headers)
        ext = os.path.splitext(full)[1].lower()
        ctype = EXTRA_TYPES.get(ext) or mimetypes.guess_type(full)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype.endswith("xml") or ctype.endswith("json"):
            ctype += "; charset=utf-8"
        self.send(200, data, ctype=ctype, headers=headers)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


def exit_when_stdin_closes():
    # The Swift test harness keeps our stdin open; when it exits (even killed), we exit too.
    try:
        while sys.stdin.buffer.read(4096):
            pass
    except Exception:
        pass
    os._exit(0)


def main():
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    if "--no-stdin-watch" not in sys.argv:
        threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    server = Server(("127.0.0.1", 0), Handler)
    print("PORT %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
