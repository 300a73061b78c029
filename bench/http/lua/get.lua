-- GET /products/{id}, cycling through the ids listed in the file args[1].
local ids = {}
local i = 0

function init(args)
  for line in io.lines(args[1]) do
    ids[#ids + 1] = line
  end
end

function request()
  i = i % #ids + 1
  return wrk.format("GET", "/products/" .. ids[i])
end
