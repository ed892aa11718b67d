-- wrk script shared by every benchmark scenario (see bench/scenarios.py).
--
-- Configured through environment variables so the bearer token never appears
-- on a command line:
--   BENCH_MODE     static | by_id | filter | page | create | patch
--   BENCH_HOST     Host header (the server's ALLOWED_HOSTS entry)
--   BENCH_PATH     request path for the static mode
--   BENCH_TOKEN    bearer token (absent: no Authorization header)
--   BENCH_ORIGIN   X-Request-Origin header (absent: not sent)
--   BENCH_DATA     file with one value per line (SCIM ids or userNames)
--   BENCH_START_MIN / BENCH_START_MAX   startIndex range for the page mode
--   BENCH_BODY     file with the request body; "{{USERNAME}}" is replaced in create mode
--   BENCH_RUN_ID   unique per wrk run, so created userNames never repeat across runs
--
-- Every response's status is counted per thread; done() prints one line
-- "BENCH_RESULT {json}" that bench/wrk.py parses.

local mode = os.getenv("BENCH_MODE") or "static"
local users_path = "/scim/v2/Users"

wrk.headers["Host"] = os.getenv("BENCH_HOST")
wrk.headers["Accept"] = "application/scim+json"
local token = os.getenv("BENCH_TOKEN")
if token and token ~= "" then
   wrk.headers["Authorization"] = "Bearer " .. token
end
local origin = os.getenv("BENCH_ORIGIN")
if origin and origin ~= "" then
   wrk.headers["X-Request-Origin"] = origin
end
if os.getenv("BENCH_PATH") then
   wrk.path = os.getenv("BENCH_PATH")
end

local function read_lines(path)
   local lines = {}
   if path then
      for line in io.lines(path) do
         if line ~= "" then lines[#lines + 1] = line end
      end
   end
   return lines
end

local function read_file(path)
   if not path then return nil end
   local handle = assert(io.open(path, "rb"))
   local text = handle:read("*a")
   handle:close()
   return text
end

local function url_encode(text)
   return (text:gsub("[^%w%-%._~]", function(char) return string.format("%%%02X", string.byte(char)) end))
end

local function random_case(text)
   return (text:gsub("%a", function(char)
      if math.random(2) == 1 then return char:upper() end
      return char:lower()
   end))
end

-- Per-thread state. setup() runs in the main Lua state; init() in each thread's.
local threads = {}
local thread_counter = 0

function setup(thread)
   thread_counter = thread_counter + 1
   thread:set("thread_number", thread_counter)
   threads[#threads + 1] = thread
end

statuses = {}
local values = {}
local body_template = nil
local created = 0
local run_id = os.getenv("BENCH_RUN_ID") or tostring(os.time())
local start_min = tonumber(os.getenv("BENCH_START_MIN") or "1")
local start_max = tonumber(os.getenv("BENCH_START_MAX") or "1")

function init(args)
   math.randomseed(os.time() + (thread_number or 0) * 7919)
   values = read_lines(os.getenv("BENCH_DATA"))
   body_template = read_file(os.getenv("BENCH_BODY"))
   if mode == "create" or mode == "patch" then
      wrk.headers["Content-Type"] = "application/scim+json"
   end
end

local function pick()
   return values[math.random(#values)]
end

if mode == "by_id" then
   request = function()
      return wrk.format("GET", users_path .. "/" .. pick())
   end
elseif mode == "filter" then
   request = function()
      local filter = 'userName eq "' .. random_case(pick()) .. '"'
      return wrk.format("GET", users_path .. "?filter=" .. url_encode(filter))
   end
elseif mode == "page" then
   request = function()
      local start = math.random(start_min, start_max)
      return wrk.format("GET", users_path .. "?startIndex=" .. start .. "&count=100")
   end
elseif mode == "create" then
   request = function()
      created = created + 1
      local user_name = string.format("s3-%s-%d-%d@bench.example.com", run_id, thread_number or 0, created)
      local body = body_template:gsub("{{USERNAME}}", user_name)
      return wrk.format("POST", users_path, nil, body)
   end
elseif mode == "patch" then
   request = function()
      return wrk.format("PATCH", users_path .. "/" .. pick(), nil, body_template)
   end
end

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
   local counts = {}
   for _, thread in ipairs(threads) do
      for status, count in pairs(thread:get("statuses") or {}) do
         counts[status] = (counts[status] or 0) + count
      end
   end
   local status_parts = {}
   for status, count in pairs(counts) do
      status_parts[#status_parts + 1] = string.format('"%d": %d', status, count)
   end
   local errors = summary.errors
   io.write(string.format(
      'BENCH_RESULT {"duration_us": %d, "requests": %d, "bytes": %d, ' ..
      '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
      '"latency_us": {"min": %d, "mean": %.1f, "max": %d, "p50": %d, "p90": %d, "p99": %d, "p999": %d}, ' ..
      '"statuses": {%s}}\n',
      summary.duration, summary.requests, summary.bytes,
      errors.connect, errors.read, errors.write, errors.status, errors.timeout,
      latency.min, latency.mean, latency.max,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
      table.concat(status_parts, ", ")))
end
