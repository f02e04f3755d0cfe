"""scripts/bench's webhook rows: delivery throughput, commit-to-first-attempt latency at a steady
rate (alone, and beside an endpoint that hangs), and memory with many messages pending for a
dead endpoint. Run by scripts/bench against a running webhooks service; prints result lines
(`id|title|compared|rps p50 p99 errors count|`) and a final `MEMORY after peak count` line: memory after
the rows above, and at most while `count` messages are pending.

usage: webhooks.py WEBHOOKS_URL DATABASE_URL RECEIVER_URL RECEIVER_LOG HANG_PORT PID QUICK
  RECEIVER_URL: an nginx answering 204 at once, logging "$msec $uri $http_webhook_id" to RECEIVER_LOG
  HANG_PORT:    a port whose listener never answers (the hanging endpoint)
  PID:          the webhooks service's process, for its memory
Credentials come from the environment: BENCH_PRODUCER (id:secret), BENCH_CONSOLE (id:secret).
"""
import base64
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
import uuid

WEBHOOKS, DATABASE, RECEIVER, LOG, HANG_PORT, PID, QUICK = sys.argv[1:8]
QUICK = QUICK == "1"
ORGANIZATION = str(uuid.uuid4())


def basic(credentials):
    return "Basic " + base64.b64encode(credentials.encode()).decode()


def call(method, path, body=None, credentials=None, organization=True):
    request = urllib.request.Request(WEBHOOKS + path, method=method, data=None if body is None else json.dumps(body).encode())
    request.add_header("Authorization", basic(credentials or os.environ["BENCH_CONSOLE"]))
    if organization:
        request.add_header("X-Evalyo-Organization-Id", ORGANIZATION)
    if body is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read() or b"null")


def endpoint(url, types=()):
    return call("POST", "/internal/console/webhook-endpoints", {"url": url, "eventTypes": list(types)})["id"]


def sql(statement):
    subprocess.run(["psql", DATABASE, "-q", "-v", "ON_ERROR_STOP=1", "-c", statement], check=True, stdout=subprocess.DEVNULL)


def arrivals(path):
    """(arrival time, webhook-id) of every request the receiver logged for `path`."""
    found = []
    with open(LOG) as log:
        for line in log:
            parts = line.split()
            if len(parts) == 3 and parts[1] == path:
                found.append((float(parts[0]), parts[2]))
    return found


def wait_for(path, count, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if len(arrivals(path)) >= count:
            return True
        time.sleep(0.1)
    return False


def rss_mib():
    with open(f"/proc/{PID}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def throughput():
    """Messages queued while the endpoint is disabled, then enabled: how fast they drain."""
    count = 2000 if QUICK else 20000
    path = "/throughput"
    id = endpoint(RECEIVER + path)
    call("PATCH", f"/internal/console/webhook-endpoints/{id}", {"status": "DISABLED"})
    sql(f"""INSERT INTO webhook_events (id, organization_id, type, body, created_at)
            SELECT 'evt_bench' || i, '{ORGANIZATION}', 'report.created', '{{"id":"evt_bench' || i || '","type":"report.created"}}', now()
            FROM generate_series(1, {count}) AS i""")
    sql(f"""INSERT INTO webhook_messages (id, event_id, endpoint_id, organization_id, next_attempt_at)
            SELECT gen_random_uuid(), 'evt_bench' || i, '{id}', '{ORGANIZATION}', now() FROM generate_series(1, {count}) AS i""")
    started = time.time()
    call("PATCH", f"/internal/console/webhook-endpoints/{id}", {"status": "ENABLED"})
    complete = wait_for(path, count, 120)
    seen = arrivals(path)
    elapsed = (max(t for t, _ in seen) - started) if seen else float("inf")
    rate = len(seen) / elapsed if seen else 0.0
    print(f"webhook_deliveries|webhook deliveries a second, {count} queued, to a receiver answering at once|-|{rate:.0f} - - {count - len(seen)} {count}|"
          + ("" if complete else "incomplete"))
    call("DELETE", f"/internal/console/webhook-endpoints/{id}")


def steady(row, title, path, compared, hang=False):
    """Events handed over at 200 a second; each one's first attempt at the receiver, after the intake's answer."""
    seconds = 3 if QUICK else 15
    rate = 200
    endpoints = [endpoint(RECEIVER + path)] + ([endpoint(f"http://127.0.0.1:{HANG_PORT}/hang")] if hang else [])
    answered = {}
    lock = threading.Lock()

    def send(index):
        event_id = f"evt_{row.replace('_', '')}{index}"
        body = {"id": event_id, "type": "report.created", "createdAt": "2026-12-06T10:00:00Z", "organizationId": ORGANIZATION,
                "data": {"index": index}}
        call("POST", "/internal/events", body, credentials=os.environ["BENCH_PRODUCER"], organization=False)
        with lock:
            answered[event_id] = time.time()

    threads = []
    start = time.time()
    for index in range(seconds * rate):
        due = start + index / rate
        pause = due - time.time()
        if pause > 0:
            time.sleep(pause)
        thread = threading.Thread(target=send, args=(index,))
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    wait_for(path, len(answered), 30)
    first = {}
    for at, event_id in arrivals(path):
        first.setdefault(event_id, at)
    latencies = [(first[e] - t) * 1000 for e, t in answered.items() if e in first]
    missing = len(answered) - len(latencies)
    achieved = len(answered) / (time.time() - start)
    print(f"{row}|{title}|{compared}|{min(achieved, rate):.0f} {percentile(latencies, 0.5):.1f} {percentile(latencies, 0.99):.1f} {missing} {len(answered)}|")
    for id in endpoints:
        call("DELETE", f"/internal/console/webhook-endpoints/{id}")


def pending_memory():
    """Messages pending for a dead endpoint (nothing listens): memory before and while they are retried."""
    count = 10000 if QUICK else 100000
    after = rss_mib()
    id = endpoint("http://127.0.0.1:1/dead")
    sql(f"""INSERT INTO webhook_events (id, organization_id, type, body, created_at)
            SELECT 'evt_dead' || i, '{ORGANIZATION}', 'report.created', '{{"id":"evt_dead' || i || '"}}', now()
            FROM generate_series(1, {count}) AS i""")
    sql(f"""INSERT INTO webhook_messages (id, event_id, endpoint_id, organization_id, next_attempt_at)
            SELECT gen_random_uuid(), 'evt_dead' || i, '{id}', '{ORGANIZATION}', now() FROM generate_series(1, {count}) AS i""")
    peak = after
    for _ in range(5 if QUICK else 30):
        time.sleep(1)
        peak = max(peak, rss_mib())
    print(f"MEMORY {after} {peak} {count}")


# The latency rows first: after the throughput row, PostgreSQL is still vacuuming its 20 000 updated rows.
steady("webhook_latency", "webhook first attempt after the intake's commit, 200 events/s", "/steady", "-")
steady("webhook_latency_hanging", "the same beside an endpoint that hangs 15 s", "/beside-hang", "webhook_latency", hang=True)
throughput()
pending_memory()
