-- wrk hooks for bench/wrk_polled.sh: the token header (and gzip, as a browser asks), a count of statuses, and one
-- summary line at the end that the script's table is made of:
--   RESULT requests=<n> seconds=<s> rps=<req/s> p50=<ms> p95=<ms> p99=<ms> non2xx3xx=<n> errors=<n>
local token = os.getenv("BENCH_TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Token " .. token
end
wrk.headers["Accept-Encoding"] = "gzip"

done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "RESULT requests=%d seconds=%.2f rps=%.0f p50=%.1f p95=%.1f p99=%.1f non2xx3xx=%d errors=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, errors))
end
