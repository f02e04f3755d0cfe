"""A webhook receiver for the tests: a real HTTP server that verifies every request with the
Standard Webhooks specification's own library (standardwebhooks, PyPI) and answers as its path says.

usage: python receiver.py PORT_FILE [CERT KEY]   (binds 127.0.0.1 on a free port and writes the port there;
       with a certificate and its key, it serves HTTPS, and /_secrets and /_log on a second, plain
       port, written after the first)

Paths (any prefix before them names a separate receiver, e.g. /a/ok and /b/ok):
  .../ok                 200
  .../fail-then-ok/N     500 for the first N requests with one webhook-id, then 200
  .../status/CODE        CODE (410 disables, 429/503 with Retry-After when ?retry-after=S)
  .../sleep/S            answers 200 after S seconds
  .../redirect           302 to .../ok of the same prefix, or to ?to=URL
  .../big                200 with a 200 KiB body
The test side:
  POST /_secrets  {"prefix": "/a", "secrets": ["whsec_..."]}  verify that prefix's requests with these
  GET  /_log                                                  every request so far, oldest first
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook

LOCK = threading.Lock()
LOG = []
SECRETS = {}
SEEN = {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/_log":
            with LOCK:
                body = json.dumps(LOG).encode()
            return self.answer(200, body, [("Content-Type", "application/json")])
        self.answer(404)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if self.path == "/_secrets":
            message = json.loads(raw)
            with LOCK:
                SECRETS[message["prefix"]] = message["secrets"]
            return self.answer(204)
        path, _, query = self.path.partition("?")
        parts = path.strip("/").split("/")
        prefix = "/" + parts[0]
        headers = {name.lower(): value for name, value in self.headers.items()}
        with LOCK:
            secrets = list(SECRETS.get(prefix, []))
        verified = []
        for secret in secrets:
            try:
                Webhook(secret).verify(raw, {k: headers.get(k, "") for k in ("webhook-id", "webhook-timestamp", "webhook-signature")})
                verified.append(True)
            except Exception:
                verified.append(False)
        event_id = headers.get("webhook-id", "")
        with LOCK:
            SEEN[(prefix, event_id)] = SEEN.get((prefix, event_id), 0) + 1
            count = SEEN[(prefix, event_id)]
            LOG.append({"path": path, "receivedAt": time.time(), "webhookId": event_id, "timestamp": headers.get("webhook-timestamp"),
                        "signature": headers.get("webhook-signature", ""), "contentType": headers.get("content-type"),
                        "verified": verified, "body": raw.decode("utf-8", "replace")})
        kind = parts[1] if len(parts) > 1 else "ok"
        if kind == "ok":
            return self.answer(200, b"thanks")
        if kind == "fail-then-ok":
            return self.answer(500 if count <= int(parts[2]) else 200, b"not yet" if count <= int(parts[2]) else b"thanks")
        if kind == "status":
            extra = []
            if query.startswith("retry-after="):
                extra.append(("Retry-After", query.split("=", 1)[1]))
            return self.answer(int(parts[2]), b"as asked", extra)
        if kind == "sleep":
            time.sleep(float(parts[2]))
            return self.answer(200, b"late")
        if kind == "redirect":
            target = query.split("=", 1)[1] if query.startswith("to=") else prefix + "/ok"
            return self.answer(302, b"", [("Location", target)])
        if kind == "big":
            return self.answer(200, b"x" * (200 * 1024))
        self.answer(404)


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    ports = [server.server_address[1]]
    if len(sys.argv) == 4:
        import ssl
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[2], sys.argv[3])
        server.socket = context.wrap_socket(server.socket, server_side=True)
        control = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        control.daemon_threads = True
        threading.Thread(target=control.serve_forever, daemon=True).start()
        ports.append(control.server_address[1])
    with open(sys.argv[1] + ".tmp", "w") as file:
        file.write(" ".join(str(port) for port in ports))
    import os
    os.replace(sys.argv[1] + ".tmp", sys.argv[1])
    server.serve_forever()


if __name__ == "__main__":
    main()
