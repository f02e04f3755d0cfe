-- wrk script for scripts/bench-ledger: POST /internal/rate-limits/lease for one of BENCH_KEYS
-- keys at random, for the current second, as a resource service leases (half of Starter's 10
-- a second); prints one line: requests/s, p50 and p99 in ms, non-2xx answers, requests.
local count = tonumber(os.getenv("BENCH_KEYS") or "1000")
wrk.method = "POST"
wrk.headers["Authorization"] = os.getenv("BENCH_AUTH")
wrk.headers["Content-Type"] = "application/json"

function init(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
end

function request()
  local key = math.random(count)
  local body = string.format('{"keyId":"%08x-0000-4000-8000-%012x","second":%d,"want":5,"perSecond":10,"perMinute":500}', key, key, os.time())
  return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
  local failed = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("LEASE %.0f %.2f %.2f %d %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, failed, summary.requests))
end
