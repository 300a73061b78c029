-- POST /products with a new code each time: args[1] is a prefix of capital
-- letters unique to this run, followed by a counter.
local prefix = "B"
local n = 0
local headers = { ["Content-Type"] = "application/json" }

function init(args)
  prefix = args[1]
end

function request()
  n = n + 1
  local body = string.format(
    '{"code":"%s%07d","name":"Bench product %d","description":"made by wrk",'
      .. '"price":{"amount":"9.99","currency":"EUR"}}',
    prefix, n, n)
  return wrk.format("POST", "/products", headers, body)
end
