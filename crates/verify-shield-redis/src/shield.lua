-- The guard's store in one script: the arithmetic of verify-shield's
-- store.rs, the same as its MemoryStore, decided atomically.
--
-- ARGV[1]: operation ('decide', 'verified', 'record')
-- ARGV[2]: '1' to take the time from the server's TIME, '0' for ARGV[3]
-- ARGV[3]: now (milliseconds since the epoch) when ARGV[2] is '0'
-- KEYS[1]: the sequence key that names log entries uniquely
--
-- A log is a sorted set: score t, member 'seq:amount'; a spend's log has
-- members 'cum:seq:amount' instead, where cum (zero-padded to 20 digits,
-- so that entries of one t sort in the order they were written) is the
-- running total of the amounts up to and including this entry since the
-- log was last empty. A window's sum is then a difference of two running
-- totals, a window's count a ZCOUNT: nothing walks a window. A breaker is three
-- keys: its sends log, its verified log and a hash (o: open_until,
-- p: probe_until, e: when the whole breaker expires, by the same clock).
-- Every key written gets a PEXPIRE: Redis memory stays bounded.

local op = ARGV[1]
local now
if ARGV[2] == '1' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
else
  now = tonumber(ARGV[3])
end

local SEQ = KEYS[1]
local BREAKER_LOG_MAX = 10000
local TTL_CAP = 10000000000000
local seq_ttl = 0

local function fmt(x)
  return string.format('%.0f', x)
end

local NOW = fmt(now)

-- now - window, formatted once per window (a plan has few windows).
local floors = {}
local function floor_of(window)
  local f = floors[window]
  if f == nil then
    f = fmt(now - window)
    floors[window] = f
  end
  return f
end

-- Entries count while t > now - window.
local aboves = {}
local function above(window)
  local f = aboves[window]
  if f == nil then
    f = '(' .. floor_of(window)
    aboves[window] = f
  end
  return f
end

-- Unique log members: one INCR of the sequence per call, then a counter.
local seq_base, seq_n = nil, 0
local function next_seq()
  if seq_base == nil then seq_base = fmt(redis.call('INCR', SEQ)) end
  seq_n = seq_n + 1
  return seq_base .. '.' .. seq_n
end

local function push_ttl(key, ttl)
  ttl = math.min(ttl, TTL_CAP)
  if ttl > seq_ttl then seq_ttl = ttl end
  if redis.call('PTTL', key) < ttl then
    redis.call('PEXPIRE', key, fmt(ttl))
  end
end

-- Appends (now, 1) to a count log after dropping what left the window,
-- then keeps the newest `keep` entries; `trim` false when the caller knows
-- the log holds at most `keep` entries with this one (it counted them).
local function append(key, window, keep, trim)
  if now >= window then
    redis.call('ZREMRANGEBYSCORE', key, '-inf', floor_of(window))
  end
  redis.call('ZADD', key, NOW, next_seq())
  if trim then
    redis.call('ZREMRANGEBYRANK', key, 0, -(keep + 1))
  end
end

-- A spend entry's running total and amount ('cum:seq:amount').
local function cum_of(member)
  local cum, amount = string.match(member, '^(%d+):[%d.]+:(%d+)$')
  return tonumber(cum) or 0, tonumber(amount) or 0
end

local function spend_member(cum, amount)
  return string.format('%020.0f', cum) .. ':' .. next_seq() .. ':' .. fmt(amount)
end

-- The running total before the entry of rank r (r may be the set's size).
local function cum_before(key, r)
  if r > 0 then
    local e = redis.call('ZRANGE', key, r - 1, r - 1)
    return (cum_of(e[1]))
  end
  local e = redis.call('ZRANGE', key, 0, 0)
  if #e == 0 then return 0 end
  local cum, amount = cum_of(e[1])
  return cum - amount
end

-- A spend's window: its first entry and the log's last (by time; nil
-- when absent), each as { member, t, cum, amount }.
local function entry_of(reply)
  if #reply == 0 then return nil end
  local cum, amount = cum_of(reply[1])
  return { member = reply[1], t = tonumber(reply[2]), cum = cum, amount = amount }
end

local function spend_window(key, window)
  local first = entry_of(redis.call('ZRANGEBYSCORE', key, above(window), '+inf',
    'WITHSCORES', 'LIMIT', 0, 1))
  local last = entry_of(redis.call('ZRANGE', key, -1, -1, 'WITHSCORES'))
  return first, last
end

-- Appends (now, amount) to a spend's log after dropping what left the
-- window. `last` is the log's last entry as read before (false: unknown,
-- read it again). Entries after now (a clock that went back) take the
-- amount into their running totals.
local function append_spend(key, window, amount, last)
  if now >= window then
    redis.call('ZREMRANGEBYSCORE', key, '-inf', floor_of(window))
  end
  if last == false then
    last = entry_of(redis.call('ZRANGE', key, -1, -1, 'WITHSCORES'))
  end
  if last == nil or last.t <= now then
    -- The usual case, at the end: the last entry's total (0 when the log
    -- is empty now, its last entry having left the window too).
    local base = 0
    if last ~= nil and (now < window or last.t > now - window) then base = last.cum end
    redis.call('ZADD', key, NOW, spend_member(base + amount, amount))
    return
  end
  local at = redis.call('ZCOUNT', key, '-inf', NOW)
  local cum = cum_before(key, at) + amount
  local later = redis.call('ZRANGE', key, at, -1, 'WITHSCORES')
  for j = 1, #later, 2 do
    local c, a = cum_of(later[j])
    local seq = string.match(later[j], '^%d+:([%d.]+):')
    redis.call('ZREM', key, later[j])
    redis.call('ZADD', key, later[j + 1],
      string.format('%020.0f', c + amount) .. ':' .. seq .. ':' .. fmt(a))
  end
  redis.call('ZADD', key, NOW, spend_member(cum, amount))
end

-- A breaker's state, nil when absent or past its life.
local function breaker_state(hkey)
  local h = redis.call('HMGET', hkey, 'o', 'p', 'e')
  local e = tonumber(h[3])
  if e == nil or e <= now then return nil end
  return { o = tonumber(h[1]), p = tonumber(h[2]), e = e }
end

-- Readies a breaker for a write: clears it when past its life, pushes its
-- life to at least now + ttl. `st` is its state as read before (false:
-- unknown, read it again).
local function breaker_touch(skey, vkey, hkey, ttl, st)
  if st == false then st = breaker_state(hkey) end
  local e = now + ttl
  if st == nil then
    redis.call('DEL', skey, vkey, hkey)
  elseif st.e > e then
    e = st.e
  end
  redis.call('HSET', hkey, 'e', fmt(e))
  return e
end

local function breaker_expire(skey, vkey, hkey, e)
  local ttl = e - now
  push_ttl(skey, ttl)
  push_ttl(vkey, ttl)
  push_ttl(hkey, ttl)
end

local out = {}

if op == 'decide' then
  local nl, ns, nb = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
  local a = 7
  local k = 2
  local limits, spends, breakers = {}, {}, {}
  local refused = false
  -- A key written twice by one plan is read again before each write; any
  -- other write reuses what its check read.
  local writes = {}
  local function wrote(key) writes[key] = (writes[key] or 0) + 1 end
  -- Each check: { refused, retry (-1: unknown) }, in plan order.
  for i = 1, nl do
    local c = { key = KEYS[k], w = tonumber(ARGV[a]), max = tonumber(ARGV[a + 1]),
      enforce = ARGV[a + 2] == '1', consume = ARGV[a + 3] == '1' }
    k = k + 1
    a = a + 4
    if c.consume then wrote(c.key) end
    local n = redis.call('ZCOUNT', c.key, above(c.w), '+inf')
    c.n = n
    local retry = -1
    local no = 0
    if n + 1 > c.max then
      no = 1
      if c.max > 0 then
        -- The window's entry k = n - max, by rank (first in window: size - n).
        local r = redis.call('ZCARD', c.key) - c.max
        local e = redis.call('ZRANGE', c.key, r, r, 'WITHSCORES')
        retry = tonumber(e[2]) + c.w - now
      end
      if c.enforce then refused = true end
    end
    limits[i] = c
    table.insert(out, no)
    table.insert(out, retry)
  end
  for i = 1, ns do
    local c = { key = KEYS[k], w = tonumber(ARGV[a]), max = tonumber(ARGV[a + 1]),
      cost = tonumber(ARGV[a + 2]), enforce = ARGV[a + 3] == '1' }
    k = k + 1
    a = a + 4
    wrote(c.key)
    local first, last = spend_window(c.key, c.w)
    c.last = last
    local s = 0
    if first ~= nil then s = last.cum - (first.cum - first.amount) end
    local retry = -1
    local no = 0
    if s + c.cost > c.max then
      no = 1
      if c.cost <= c.max and first ~= nil then
        -- Walking the window oldest first, subtracting each amount until
        -- s' + cost <= max: after entry j, s' = last - cum_j, so the entry
        -- sought is the first whose running total reaches last + cost - max
        -- (running totals never decrease: a binary search by rank).
        local target = last.cum + c.cost - c.max
        local lo = redis.call('ZRANK', c.key, first.member)
        local hi = redis.call('ZCARD', c.key) - 1
        while lo < hi do
          local mid = math.floor((lo + hi) / 2)
          local e = redis.call('ZRANGE', c.key, mid, mid)
          if cum_of(e[1]) < target then lo = mid + 1 else hi = mid end
        end
        local e = redis.call('ZRANGE', c.key, lo, lo, 'WITHSCORES')
        if #e > 0 then retry = tonumber(e[2]) + c.w - now end
      end
      if c.enforce then refused = true end
    end
    spends[i] = c
    table.insert(out, no)
    table.insert(out, retry)
  end
  for i = 1, nb do
    local c = { skey = KEYS[k], vkey = KEYS[k + 1], hkey = KEYS[k + 2], w = tonumber(ARGV[a]),
      min = tonumber(ARGV[a + 1]), permille = tonumber(ARGV[a + 2]),
      cool = tonumber(ARGV[a + 3]), probe = tonumber(ARGV[a + 4]),
      enforce = ARGV[a + 5] == '1', ttl = tonumber(ARGV[a + 6]) }
    k = k + 3
    a = a + 7
    wrote(c.skey)
    wrote(c.vkey)
    wrote(c.hkey)
    local st = breaker_state(c.hkey)
    c.st = st
    c.s = 0
    local retry = -1
    -- found: 'closed' (consume appends), 'half' (consume probes), 'hold'
    if st ~= nil and st.o ~= nil then
      if st.o > now then
        c.found = 'hold'
        retry = st.o - now
      elseif st.p ~= nil and st.p > now then
        c.found = 'hold'
        retry = st.p - now
      else
        c.found = 'half'
      end
    else
      c.found = 'closed'
      local s, v = 0, 0
      if st ~= nil then
        s = redis.call('ZCOUNT', c.skey, above(c.w), '+inf')
        v = redis.call('ZCOUNT', c.vkey, above(c.w), '+inf')
      end
      c.s = s
      if s >= c.min and v * 1000 < s * c.permille then
        retry = c.cool
        c.trip = c.enforce
      end
    end
    if retry >= 0 then
      table.insert(out, 1)
      if c.enforce then refused = true end
    else
      table.insert(out, 0)
    end
    table.insert(out, retry)
    breakers[i] = c
  end

  if refused then
    for i = 1, nb do
      local c = breakers[i]
      if c.trip then
        local e = breaker_touch(c.skey, c.vkey, c.hkey, c.ttl, false)
        redis.call('HSET', c.hkey, 'o', fmt(now + c.cool))
        breaker_expire(c.skey, c.vkey, c.hkey, e)
      end
    end
  else
    for i = 1, nl do
      local c = limits[i]
      if c.consume then
        -- After dropping what left the window the log holds the n entries
        -- this check counted, n + 1 with this one.
        append(c.key, c.w, c.max, writes[c.key] > 1 or c.n + 1 > c.max)
        push_ttl(c.key, c.w)
      end
    end
    for i = 1, ns do
      local c = spends[i]
      local last = c.last
      if writes[c.key] > 1 then last = false end
      append_spend(c.key, c.w, c.cost, last)
      push_ttl(c.key, c.w)
    end
    for i = 1, nb do
      local c = breakers[i]
      if c.found ~= 'hold' then
        local again = writes[c.skey] > 1 or writes[c.vkey] > 1 or writes[c.hkey] > 1
        local st = c.st
        if again then st = false end
        local e = breaker_touch(c.skey, c.vkey, c.hkey, c.ttl, st)
        if c.found == 'half' then
          redis.call('HSET', c.hkey, 'p', fmt(now + c.probe))
        else
          -- Closed: the sends log holds the s sends counted (none when the
          -- breaker was absent: touching it cleared its logs).
          append(c.skey, c.w, BREAKER_LOG_MAX, again or c.s + 1 > BREAKER_LOG_MAX)
        end
        breaker_expire(c.skey, c.vkey, c.hkey, e)
      end
    end
  end
elseif op == 'verified' then
  local nb = tonumber(ARGV[4])
  local a = 5
  local k = 2
  for i = 1, nb do
    local skey, vkey, hkey = KEYS[k], KEYS[k + 1], KEYS[k + 2]
    local w, ttl = tonumber(ARGV[a]), tonumber(ARGV[a + 1])
    k = k + 3
    a = a + 2
    local e = breaker_touch(skey, vkey, hkey, ttl, false)
    append(vkey, w, BREAKER_LOG_MAX, true)
    local o = tonumber(redis.call('HGET', hkey, 'o'))
    if o ~= nil and o <= now then
      redis.call('DEL', skey, vkey, hkey)
    else
      breaker_expire(skey, vkey, hkey, e)
    end
  end
elseif op == 'record' then
  local key = KEYS[2]
  local w, max = tonumber(ARGV[4]), tonumber(ARGV[5])
  append(key, w, max, true)
  push_ttl(key, w)
else
  return redis.error_reply('unknown operation')
end

if seq_ttl > 0 then push_ttl(SEQ, seq_ttl) end
return out
