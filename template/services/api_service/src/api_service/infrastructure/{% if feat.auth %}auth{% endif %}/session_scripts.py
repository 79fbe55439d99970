"""The Lua scripts the sign-in Redis runs: each is one atomic step of sessions.py, so that
concurrent requests cannot both pass a check that only one of them may pass."""

# KEYS: the token's grant, its used-marker. ARGV: the closed-family key prefix, the ttl, the
# ended sign-ins channel. One script, so two refreshes with one token cannot both find it unused.
REDEEM = """
local grant = redis.call('GET', KEYS[1])
if not grant then
  local family = redis.call('GET', KEYS[2])
  if family and redis.call('EXISTS', ARGV[1] .. family) == 1 then
    return {'closed', family}
  end
  if family then
    redis.call('SET', ARGV[1] .. family, '1', 'EX', ARGV[2])
    redis.call('PUBLISH', ARGV[3], family)
    return {'reused', family}
  end
  return {'unknown', ''}
end
redis.call('DEL', KEYS[1])
local family = cjson.decode(grant)['family']
redis.call('SET', KEYS[2], family, 'EX', ARGV[2])
if redis.call('EXISTS', ARGV[1] .. family) == 1 then
  return {'closed', family}
end
return {'ok', grant}
"""


# KEYS: the new token's grant, the account's sign-ins (family -> token digest), their order.
# ARGV: the grant, the ttl, the family, the token's digest, now, the cap, the grant key prefix,
# the closed-family key prefix, the ended sign-ins channel.
# A rotation keeps its sign-in's place; a new sign-in past the cap ends the oldest, whose
# access tokens then stop working too.
OPEN = """
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
redis.call('ZADD', KEYS[3], 'NX', ARGV[5], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[2])
redis.call('EXPIRE', KEYS[3], ARGV[2])
while redis.call('ZCARD', KEYS[3]) > tonumber(ARGV[6]) do
  local oldest = redis.call('ZPOPMIN', KEYS[3])[1]
  local digest = redis.call('HGET', KEYS[2], oldest)
  if digest then
    redis.call('DEL', ARGV[7] .. digest)
  end
  redis.call('SET', ARGV[8] .. oldest, '1', 'EX', ARGV[2])
  redis.call('HDEL', KEYS[2], oldest)
  redis.call('PUBLISH', ARGV[9], oldest)
end
return 1
"""

# KEYS: the account's reset token digest. ARGV: the presented token's digest.
USE_RESET = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
"""

# KEYS: the account's failures hash, the clients that signed in to it lately. ARGV: the client,
# now, max failures per client, longest wait, memory, max failures of the account from clients
# it does not know. One script, so concurrent guesses from one client are counted one by one.
# 'count:*' counts the account's failures from everywhere: past its cap, every client the
# account does not know shares one growing wait ('until:*'), so many addresses get no more
# tries than one; the clients it knows sign in as before.
ATTEMPT = """
local now = tonumber(ARGV[2])
local wait_until = tonumber(redis.call('HGET', KEYS[1], 'until:' .. ARGV[1]) or '0')
if wait_until > now then
  return tostring(wait_until - now)
end
local known = redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1
if not known then
  local shared_until = tonumber(redis.call('HGET', KEYS[1], 'until:*') or '0')
  if shared_until > now then
    return tostring(shared_until - now)
  end
end
local count = redis.call('HINCRBY', KEYS[1], 'count:' .. ARGV[1], 1)
local total = redis.call('HINCRBY', KEYS[1], 'count:*', 1)
redis.call('EXPIRE', KEYS[1], ARGV[5])
local beyond = count - tonumber(ARGV[3])
if beyond >= 0 then
  local wait = math.min(tonumber(ARGV[4]), 2 ^ math.min(beyond, 30))
  redis.call('HSET', KEYS[1], 'until:' .. ARGV[1], tostring(now + wait))
end
local beyond_all = total - tonumber(ARGV[6])
if not known and beyond_all >= 0 then
  local wait = math.min(tonumber(ARGV[4]), 2 ^ math.min(beyond_all, 30))
  redis.call('HSET', KEYS[1], 'until:*', tostring(now + wait))
end
return ''
"""

# KEYS: the account's failures hash, its known clients. ARGV: the client, how long it is known.
# The attempt was counted before the password was checked: a success takes it back.
SUCCEEDED = """
redis.call('HDEL', KEYS[1], 'count:' .. ARGV[1], 'until:' .. ARGV[1])
if tonumber(redis.call('HGET', KEYS[1], 'count:*') or '0') > 0 then
  redis.call('HINCRBY', KEYS[1], 'count:*', -1)
end
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[2])
return 1
"""


# KEYS: the client's count of registrations of taken emails. ARGV: the window, the cap.
# A fixed window from the first; a try past the cap is not counted and answers the wait.
COUNT_REGISTRATION = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then
  redis.call('EXPIRE', KEYS[1], ARGV[1])
end
if count > tonumber(ARGV[2]) then
  redis.call('DECR', KEYS[1])
  return redis.call('TTL', KEYS[1])
end
return 0
"""

# KEYS: the same count. Only while it lasts: a DECR after it expired would make one forever.
UNCOUNT_REGISTRATION = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('DECR', KEYS[1])
end
return 0
"""


# KEYS: the account's token version. ARGV: the version end_every_session raised it to.
# Back one step only if nothing raised it again since (that raise must stand).
REOPEN = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DECR', KEYS[1])
  return 1
end
return 0
"""
