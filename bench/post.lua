-- wrk script for the Switchboard benchmark: a small non-streaming chat request, the same for the
-- gateway and for the fake upstream direct. Usage: wrk ... -s bench/post.lua URL -- LICENSE_KEY
-- done() prints one line `JSON {...}` with requests, errors and latency percentiles in µs.

local key = "none"

-- A second argument `anthropic` sends the Anthropic Messages equivalent (x-api-key, max_tokens): the direct
-- baseline for the converted vendor, against the fake upstream's /direct/v1/messages.

function init(args)
  if args[1] ~= nil then key = args[1] end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  if args[2] == "anthropic" then
    wrk.body = '{"model":"bench-model","max_tokens":1024,"messages":[{"role":"user","content":"benchmark"}]}'
    wrk.headers["x-api-key"] = key
    wrk.headers["anthropic-version"] = "2023-06-01"
  else
    wrk.body = '{"model":"bench-model","messages":[{"role":"user","content":"benchmark"}]}'
    wrk.headers["Authorization"] = "Bearer " .. key
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'JSON {"requests":%d,"durationUs":%d,"non2xx":%d,"connectErr":%d,"readErr":%d,"writeErr":%d,' ..
    '"timeoutErr":%d,"p50Us":%d,"p90Us":%d,"p99Us":%d,"maxUs":%d,"meanUs":%.1f}\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
