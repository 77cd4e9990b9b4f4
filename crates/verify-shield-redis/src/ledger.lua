-- The ledger's operations on one key, each atomic (verify_core::ledger).
-- KEYS[1]: the record. ARGV: op, value, ttl in ms, extra.
-- An in-flight record is the text 'F'; every write carries PX (a TTL).
local op, k = ARGV[1], KEYS[1]
if op == 'claim' then
  -- extra: '1' to replace a finished record (an explicit resend).
  local v = redis.call('GET', k)
  if (not v) or (ARGV[4] == '1' and v ~= 'F') then
    redis.call('SET', k, ARGV[2], 'PX', ARGV[3])
    return false
  end
  return v
elseif op == 'put' then
  redis.call('SET', k, ARGV[2], 'PX', ARGV[3])
  return false
elseif op == 'del' then
  redis.call('DEL', k)
  return false
elseif op == 'get' then
  return redis.call('GET', k)
elseif op == 'replace' then
  -- value: the record expected; extra: its replacement.
  if redis.call('GET', k) == ARGV[2] then
    redis.call('SET', k, ARGV[4], 'PX', ARGV[3])
    return '1'
  end
  return '0'
end
return redis.error_reply('unknown ledger operation')
