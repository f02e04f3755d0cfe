"""What the measuring scripts share: a paced loop, and introspection's latency measured on
kept-alive connections."""
import base64, http.client, json, os, statistics, threading, time, urllib.parse
from concurrent.futures import ThreadPoolExecutor


def paced(rate, seconds, action):
    """Calls action() rate times a second for seconds, on its own schedule (not waiting for answers)."""
    deadline = time.monotonic() + seconds
    interval = 1.0 / rate
    next_at = time.monotonic()
    while next_at < deadline:
        action()
        next_at += interval
        time.sleep(max(0.0, next_at - time.monotonic()))


class Introspector:
    """Introspects one key on a few kept-alive connections, recording each latency."""

    def __init__(self, base, credentials, key):
        parsed = urllib.parse.urlsplit(base)
        self.host, self.port = parsed.hostname, parsed.port
        self.headers = {"Authorization": "Basic " + base64.b64encode(credentials.encode()).decode(),
                        "Content-Type": "application/x-www-form-urlencoded"}
        self.body = "token=" + urllib.parse.quote(key)
        self.local = threading.local()

    def ask(self):
        connection = getattr(self.local, "connection", None)
        if connection is None:
            connection = self.local.connection = http.client.HTTPConnection(self.host, self.port, timeout=10)
        started = time.perf_counter()
        connection.request("POST", "/internal/introspect", body=self.body, headers=self.headers)
        answer = connection.getresponse()
        payload = json.loads(answer.read())
        elapsed = time.perf_counter() - started
        assert answer.status == 200 and payload.get("active"), f"introspection answered {answer.status} {payload}"
        return elapsed


def measure(introspector, rate, seconds):
    latencies = []
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = []
        paced(rate, seconds, lambda: futures.append(pool.submit(introspector.ask)))
        latencies = [future.result() for future in futures]
    ordered = sorted(latencies)
    if os.environ.get("MEASURE_SIGNIN_VERBOSE"):
        print("   p90 %.1f p95 %.1f p98 %.1f max %.1f ms, over 20 ms: %d" % tuple(
            [ordered[int(len(ordered) * q)] * 1000 for q in (0.9, 0.95, 0.98)] + [ordered[-1] * 1000, sum(1 for x in ordered if x > 0.02)]))
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], len(ordered)
