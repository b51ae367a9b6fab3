-- wrk script: replay pre-signed raw HTTP requests, each once, on kept-alive connections.
-- Usage: wrk -t T -c C -d D -s bench/wrk_replay.lua URL -- FOLDER
-- Thread N sends FOLDER/requests-N (raw requests separated by NUL bytes) in order. Running
-- out starts the list again and is counted in `wrapped`, so the caller can refuse a run
-- that sent a request twice. done() prints one line: WRK_RESULT followed by JSON.

local threads = {}
local count = 0

function setup(thread)
  count = count + 1
  thread:set("id", count)
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(args[1] .. "/requests-" .. id, "rb"))
  local data = file:read("*a")
  file:close()
  queue = {}
  for raw in string.gmatch(data, "[^%z]+") do
    queue[#queue + 1] = raw
  end
  sent = 0
  wrapped = 0
  position = 0
end

function request()
  position = position + 1
  if position > #queue then
    position = 1
    wrapped = wrapped + 1
  end
  sent = sent + 1
  return queue[position]
end

function done(summary, latency, requests)
  local total_sent, total_wrapped = 0, 0
  for _, thread in ipairs(threads) do
    total_sent = total_sent + thread:get("sent")
    total_wrapped = total_wrapped + thread:get("wrapped")
  end
  local errors = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests": %d, "duration_us": %d, "sent": %d, "wrapped": %d, '
      .. '"connect_errors": %d, "read_errors": %d, "write_errors": %d, '
      .. '"status_errors": %d, "timeouts": %d, '
      .. '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, total_sent, total_wrapped,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max
  ))
end
