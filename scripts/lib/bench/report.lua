-- wrk script: optional Authorization header and POST body from the environment, and one
-- machine-readable line at the end: requests/s, p50 and p99 in ms, non-2xx answers, requests.
local auth = os.getenv("BENCH_AUTH")
local body = os.getenv("BENCH_BODY")
local keys_file = os.getenv("BENCH_KEYS_FILE")
-- "new": a fresh Idempotency-Key on every request; "same": one key for all (the replay path).
local idempotency = os.getenv("BENCH_IDEMPOTENCY")
local sent = 0
local keys = {}
local next_key = 0

if auth then wrk.headers["Authorization"] = auth end
if body then
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["Content-Type"] = os.getenv("BENCH_CONTENT_TYPE") or "application/x-www-form-urlencoded"
end

-- Numbers the threads, so that each walks its own part of the key list.
local threads = 0
function setup(thread)
  thread:set("thread_number", threads)
  threads = threads + 1
end

function init(args)
  if keys_file then
    for line in io.lines(keys_file) do keys[#keys + 1] = line end
    -- Threads start spread over the list, past what earlier runs covered (BENCH_OFFSET per thread).
    local count = tonumber(os.getenv("BENCH_THREADS") or "2")
    local offset = tonumber(os.getenv("BENCH_OFFSET") or "0")
    next_key = math.floor((thread_number or 0) * #keys / count + offset) % #keys
  end
end

-- wrk.format replaces wrk.headers with the table it is given: keep them, add one.
local function with_header(name, value)
  local headers = {}
  for key, existing in pairs(wrk.headers) do headers[key] = existing end
  headers[name] = value
  return headers
end

function request()
  if idempotency == "same" then
    return wrk.format(nil, nil, with_header("Idempotency-Key", "bench-replay"))
  elseif idempotency == "new" then
    sent = sent + 1
    return wrk.format(nil, nil, with_header("Idempotency-Key", string.format("bench-%d-%d-%d", thread_number or 0, sent, math.random(1e9))))
  end
  if #keys > 0 then
    next_key = next_key % #keys + 1
    return wrk.format(nil, nil, { ["Authorization"] = "Bearer " .. keys[next_key] })
  end
  return wrk.format()
end

function done(summary, latency, requests)
  local failed = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("BENCH %.1f %.3f %.3f %d %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    failed, summary.requests))
end
