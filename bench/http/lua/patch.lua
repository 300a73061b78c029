-- PATCH /products/{id} with If-Match, cycling through the "id version" lines
-- of the file args[1]. Each 200 answer carries the product's new version,
-- read back from the body. Many more products than connections, so one
-- product is never patched twice at the same time.
local ids = {}
local versions = {}
local i = 0
local n = 0

function init(args)
  for line in io.lines(args[1]) do
    local id, version = line:match("^(%S+)%s+(%d+)$")
    ids[#ids + 1] = id
    versions[id] = version
  end
end

function request()
  i = i % #ids + 1
  n = n + 1
  local id = ids[i]
  local headers = {
    ["Content-Type"] = "application/json",
    ["If-Match"] = '"' .. versions[id] .. '"',
  }
  local body = string.format('{"name":"Renamed %d"}', n)
  return wrk.format("PATCH", "/products/" .. id, headers, body)
end

function response(status, headers, body)
  if status == 200 then
    local id = body:match('"id":"([^"]+)"')
    local version = body:match('"version":(%d+)')
    if id and version then
      versions[id] = version
    end
  end
end
