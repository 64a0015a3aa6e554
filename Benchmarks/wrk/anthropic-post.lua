-- wrk request script: a streamed Anthropic Messages request, its body numbered per request when
-- MICRO_DISTINCT=1 (each request is then new to a recording proxy), else the same every time.
local distinct = os.getenv("MICRO_DISTINCT") == "1"
local counter = 0

request = function()
  counter = counter + 1
  local prompt = distinct and ("Question " .. counter) or "Say hello."
  local body = '{"max_tokens":64,"messages":[{"content":[{"text":"' .. prompt .. '","type":"text"}],"role":"user"}],"model":"claude-sonnet-4-5","stream":true}'
  return wrk.format("POST", "/v1/messages", {["Content-Type"] = "application/json", ["anthropic-version"] = "2023-06-01"}, body)
end
