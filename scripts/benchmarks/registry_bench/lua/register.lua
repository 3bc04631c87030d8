-- Registers new names under load: one per request to POST /v1/images, or,
-- with a batch size, that many per request to POST /v1/images/batch with
-- the request's own Idempotency-Key.
--
-- Arguments (after wrk's `--`): the run's prefix, which keeps the names of
-- parallel runs apart; the bearer token; the registration's JSON before
-- and after its name; the batch size (absent: one per request).
local counter = 0
local thread_id = 0
local threads = {}
local prefix, token, before, after, batch = "", "", "", "", nil

function setup(thread)
    thread:set("id", #threads)
    table.insert(threads, thread)
end

function init(args)
    thread_id = id
    prefix, token, before, after = args[1] or "", args[2], args[3], args[4]
    batch = tonumber(args[5])
end

request = function()
    counter = counter + 1
    local name = "load" .. prefix .. "t" .. thread_id .. "x" .. counter
    local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}
    if batch == nil then
        return wrk.format("POST", "/v1/images", headers, before .. name .. after)
    end
    local items = {}
    for index = 1, batch do
        items[index] = before .. name .. "i" .. index .. after
    end
    headers["Idempotency-Key"] = name
    return wrk.format("POST", "/v1/images/batch", headers, '{"images": [' .. table.concat(items, ",") .. ']}')
end
