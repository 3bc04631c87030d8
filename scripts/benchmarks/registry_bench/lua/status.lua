-- Counts the answers that are not 200 (wrk itself counts only statuses
-- above 399, so a redirect to the sign-in page would pass unseen) and
-- prints "Non-200 responses: N" when the run ends.
local threads = {}
others = 0

function setup(thread)
    table.insert(threads, thread)
end

function response(status, headers, body)
    if status ~= 200 then
        others = others + 1
    end
end

function done(summary, latency, requests)
    local total = 0
    for _, thread in ipairs(threads) do
        total = total + thread:get("others")
    end
    io.write(string.format("Non-200 responses: %d\n", total))
end
