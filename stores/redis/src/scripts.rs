//! The Lua scripts. Each runs atomically on the server: no other command interleaves, so
//! check-and-write inside one script cannot race.
//!
//! Every script starts with a `#!lua` shebang and its flags (Redis 7): scripts that only
//! read are `no-writes` (they run on a full server and on replicas); scripts that only
//! delete are `allow-oom` (logout and account deletion still work when Redis is full);
//! the rest are refused with `OOM` before they start when the server is at `maxmemory`
//! (reported as `Error::Unavailable`). That matters because Redis does not roll a script
//! back: without the shebang the `OOM` check runs per command inside the script, so a
//! script could stop after its first writes (an email claimed, no user written).
//!
//! Every key a script touches hashes to one slot (see [`crate::keys`]), as Redis Cluster
//! requires; a script that derives keys from stored data (e.g. the sessions of a user
//! being deleted) derives them inside its own slot group, whose key prefix it takes as
//! `ARGV[1]`, and declares at least one key of the group so that a cluster client routes
//! it to the right node. Instants are compared as the fixed-width strings of
//! [`crate::codec::time_key`] (exact to the nanosecond), and expiries and scores are Unix
//! milliseconds. Scripts read the server clock (`TIME`)
//! only to drop index entries of records Redis has already expired.

use std::sync::LazyLock;

use redis::Script;

/// Drops entries older than the grace period from an expiry index (`KEYS[n]`), by the
/// server's clock. Shared Lua snippet; expects `grace` (ms) in scope.
macro_rules! drop_stale {
    ($key:literal) => {
        concat!(
            "local t = redis.call('TIME')\n",
            "local server_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n",
            "redis.call('ZREMRANGEBYSCORE', ",
            $key,
            ", '-inf', '(' .. string.format('%d', server_ms - grace))\n"
        )
    };
}

// ---------------------------------------------------------------------------------------
// Users
// ---------------------------------------------------------------------------------------

/// KEYS: user, email index, username index, users by creation.
/// ARGV: prefix, id, email, username ('' = none), version, json, creation score.
/// Returns 0 created, 1 email taken, 2 username taken, 3 id taken.
pub(crate) static CREATE_USER: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua",
        r"
if redis.call('EXISTS', KEYS[1]) == 1 then return 3 end
if redis.call('EXISTS', KEYS[2]) == 1 then return 1 end
if ARGV[4] ~= '' and redis.call('EXISTS', KEYS[3]) == 1 then return 2 end
redis.call('SET', KEYS[2], ARGV[2])
if ARGV[4] ~= '' then redis.call('SET', KEYS[3], ARGV[2]) end
redis.call('HSET', KEYS[1], 'v', ARGV[5], 'e', ARGV[3], 'u', ARGV[4], 'd', ARGV[6])
redis.call('ZADD', KEYS[4], ARGV[7], ARGV[2])
return 0
"
    ))
});

/// KEYS: user, new email index, new username index, users by creation.
/// ARGV: prefix, id, new email, new username ('' = none), expected version, new version,
/// json, creation score.
/// Returns 0 updated, 1 email taken, 2 username taken, 4 stale (or gone).
pub(crate) static UPDATE_USER: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua",
        r"
local cur = redis.call('HMGET', KEYS[1], 'v', 'e', 'u')
if not cur[1] or cur[1] ~= ARGV[5] then return 4 end
local old_email, old_username = cur[2], cur[3]
if ARGV[3] ~= old_email then
  local owner = redis.call('GET', KEYS[2])
  if owner and owner ~= ARGV[2] then return 1 end
end
if ARGV[4] ~= '' and ARGV[4] ~= old_username then
  local owner = redis.call('GET', KEYS[3])
  if owner and owner ~= ARGV[2] then return 2 end
end
if ARGV[3] ~= old_email then
  redis.call('DEL', ARGV[1] .. 'email:' .. old_email)
  redis.call('SET', KEYS[2], ARGV[2])
end
if ARGV[4] ~= old_username then
  if old_username ~= '' then redis.call('DEL', ARGV[1] .. 'username:' .. old_username) end
  if ARGV[4] ~= '' then redis.call('SET', KEYS[3], ARGV[2]) end
end
redis.call('HSET', KEYS[1], 'v', ARGV[6], 'e', ARGV[3], 'u', ARGV[4], 'd', ARGV[7])
redis.call('ZADD', KEYS[4], ARGV[8], ARGV[2])
return 0
"
    ))
});

/// KEYS: user, users by creation, the user's session index, session expiry index, the
/// user's API key index, the user's passkey set.
/// ARGV: prefix, id, expected version.
/// Returns the number of sessions deleted, or -1 when stale (or gone). The user's API
/// keys and passkeys go with them.
pub(crate) static DELETE_USER: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua flags=allow-oom",
        r"
local cur = redis.call('HMGET', KEYS[1], 'v', 'e', 'u')
if not cur[1] or cur[1] ~= ARGV[3] then return -1 end
redis.call('DEL', ARGV[1] .. 'email:' .. cur[2])
if cur[3] ~= '' then redis.call('DEL', ARGV[1] .. 'username:' .. cur[3]) end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[2])
local n = 0
for _, digest in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
  n = n + redis.call('DEL', ARGV[1] .. 'session:' .. digest)
  redis.call('ZREM', KEYS[4], digest)
end
redis.call('DEL', KEYS[3])
for _, digest in ipairs(redis.call('ZRANGE', KEYS[5], 0, -1)) do
  local key = ARGV[1] .. 'apikey:' .. digest
  local id = redis.call('HGET', key, 'i')
  if id then redis.call('DEL', ARGV[1] .. 'apikey-id:' .. id) end
  redis.call('DEL', key)
end
redis.call('DEL', KEYS[5])
for _, id in ipairs(redis.call('SMEMBERS', KEYS[6])) do
  redis.call('DEL', ARGV[1] .. 'passkey:' .. id)
end
redis.call('DEL', KEYS[6])
redis.call('DEL', ARGV[1] .. 'user:' .. ARGV[2] .. ':ways-in')
return n
"
    ))
});

/// KEYS: the passkey, the user's passkey set. ARGV: its JSON, its id.
/// Returns 1 when stored, 0 when the credential id exists.
pub(crate) static CREATE_PASSKEY: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua",
        r"
if not redis.call('SET', KEYS[1], ARGV[1], 'NX') then return 0 end
redis.call('SADD', KEYS[2], ARGV[2])
return 1
"
    ))
});

/// KEYS: the passkey. ARGV: the JSON read, the JSON to write.
/// Returns 1 when replaced, 0 when the passkey is gone, -1 when it changed since read.
pub(crate) static REPLACE_PASSKEY: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua",
        r"
local cur = redis.call('GET', KEYS[1])
if not cur then return 0 end
if cur ~= ARGV[1] then return -1 end
redis.call('SET', KEYS[1], ARGV[2])
return 1
"
    ))
});

/// KEYS: the passkey, the owner's passkey set. ARGV: its id.
/// Returns 1 when deleted, 0 when the owner has no such passkey.
pub(crate) static DELETE_PASSKEY: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua",
        r"
if redis.call('SREM', KEYS[2], ARGV[1]) == 0 then return 0 end
redis.call('DEL', KEYS[1])
return 1
"
    ))
});

/// KEYS: the passkey, the owner's passkey set, the owner's ways-in version.
/// ARGV: its id, the ways-in version expected.
/// Returns 1 when deleted (and the version bumped), 0 when the owner has no such
/// passkey, -1 when the version moved on (nothing changed).
pub(crate) static DELETE_PASSKEY_AT: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua flags=allow-oom",
        r"
if (redis.call('GET', KEYS[3]) or '0') ~= ARGV[2] then return -1 end
if redis.call('SREM', KEYS[2], ARGV[1]) == 0 then return 0 end
redis.call('DEL', KEYS[1])
redis.call('INCR', KEYS[3])
return 1
"
    ))
});

/// KEYS: an email or username index. ARGV: prefix.
/// Returns the user's JSON, or nil.
pub(crate) static USER_BY_INDEX: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua flags=no-writes",
        r"
local id = redis.call('GET', KEYS[1])
if not id then return false end
return redis.call('HGET', ARGV[1] .. 'user:' .. id, 'd')
"
    ))
});

/// KEYS: users by creation. ARGV: prefix, start rank, stop rank.
/// Returns the JSON of the users in that rank range, oldest first.
pub(crate) static LIST_USERS: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua flags=no-writes",
        r"
local out = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], ARGV[2], ARGV[3])) do
  local d = redis.call('HGET', ARGV[1] .. 'user:' .. id, 'd')
  if d then out[#out + 1] = d end
end
return out
"
    ))
});

/// KEYS: users by creation. ARGV: prefix, start rank, stop rank.
/// Returns the number of users, then `id, email, username` triples of that rank range,
/// for searching.
pub(crate) static SCAN_USERS: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua flags=no-writes",
        r"
local out = {tostring(redis.call('ZCARD', KEYS[1]))}
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], ARGV[2], ARGV[3])) do
  local v = redis.call('HMGET', ARGV[1] .. 'user:' .. id, 'e', 'u')
  if v[1] then
    out[#out + 1] = id
    out[#out + 1] = v[1]
    out[#out + 1] = v[2]
  end
end
return out
"
    ))
});

/// KEYS: users by creation (only to route the script to the accounts slot).
/// ARGV: prefix, ids... Returns the JSON of those users that exist, in order.
pub(crate) static USERS_BY_IDS: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua flags=no-writes",
        r"
local out = {}
for i = 2, #ARGV do
  local d = redis.call('HGET', ARGV[1] .. 'user:' .. ARGV[i], 'd')
  if d then out[#out + 1] = d end
end
return out
"
    ))
});

// ---------------------------------------------------------------------------------------
// API keys
// ---------------------------------------------------------------------------------------

/// KEYS: the key, its id index, the owner's key index.
/// ARGV: prefix, digest (hex), id, owner, json, creation score, last use (time key, ''
/// = none), its address ('' = none).
/// Returns 1 created, 0 the digest or the id exists.
pub(crate) static CREATE_API_KEY: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua",
        r"
if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('EXISTS', KEYS[2]) == 1 then
  return 0
end
redis.call('HSET', KEYS[1], 'd', ARGV[5], 'u', ARGV[4], 'i', ARGV[3])
if ARGV[7] ~= '' then redis.call('HSET', KEYS[1], 'lu', ARGV[7]) end
if ARGV[8] ~= '' then redis.call('HSET', KEYS[1], 'li', ARGV[8]) end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[6], ARGV[2])
return 1
"
    ))
});

/// KEYS: the key. ARGV: last use (time key), its address ('' = none).
/// Returns 1 touched, 0 missing (and then writes nothing: a revoked key stays gone).
pub(crate) static TOUCH_API_KEY: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua",
        r"
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'lu', ARGV[1])
if ARGV[2] == '' then
  redis.call('HDEL', KEYS[1], 'li')
else
  redis.call('HSET', KEYS[1], 'li', ARGV[2])
end
return 1
"
    ))
});

/// KEYS: the id index (the key and the owner's index are derived). ARGV: prefix, owner.
/// Returns 1 deleted, 0 no such key of this owner.
pub(crate) static DELETE_API_KEY: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua flags=allow-oom",
        r"
local digest = redis.call('GET', KEYS[1])
if not digest then return 0 end
local key = ARGV[1] .. 'apikey:' .. digest
if redis.call('HGET', key, 'u') ~= ARGV[2] then return 0 end
redis.call('DEL', key)
redis.call('DEL', KEYS[1])
redis.call('ZREM', ARGV[1] .. 'user:' .. ARGV[2] .. ':apikeys', digest)
return 1
"
    ))
});

/// KEYS: the owner's key index. ARGV: prefix.
/// Returns `json, last use, address` triples ('' for none) of the owner's keys.
pub(crate) static API_KEYS_FOR_USER: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua flags=no-writes",
        r"
local out = {}
for _, digest in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local v = redis.call('HMGET', ARGV[1] .. 'apikey:' .. digest, 'd', 'lu', 'li')
  if v[1] then
    out[#out + 1] = v[1]
    out[#out + 1] = v[2] or ''
    out[#out + 1] = v[3] or ''
  end
end
return out
"
    ))
});

/// KEYS: the owner's key index. ARGV: prefix.
/// Returns how many keys were deleted.
pub(crate) static DELETE_API_KEYS_FOR_USER: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua flags=allow-oom",
        r"
local n = 0
for _, digest in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local key = ARGV[1] .. 'apikey:' .. digest
  local id = redis.call('HGET', key, 'i')
  if id then redis.call('DEL', ARGV[1] .. 'apikey-id:' .. id) end
  n = n + redis.call('DEL', key)
end
redis.call('DEL', KEYS[1])
return n
"
    ))
});

// ---------------------------------------------------------------------------------------
// Sessions
// ---------------------------------------------------------------------------------------

/// KEYS: session, the user's session index, session expiry index.
/// ARGV: prefix, digest, user id, json, last seen, idle expiry, hard expiry (time keys),
/// hard expiry ms, death ms, creation score, grace ms.
/// Returns 1 created, 0 digest exists.
pub(crate) static CREATE_SESSION: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua",
        r"
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local grace = tonumber(ARGV[11])
redis.call('HSET', KEYS[1], 'd', ARGV[4], 'u', ARGV[3], 'ls', ARGV[5], 'ie', ARGV[6],
  'ex', ARGV[7], 'exm', ARGV[8])
redis.call('PEXPIREAT', KEYS[1], ARGV[9])
redis.call('ZADD', KEYS[2], ARGV[10], ARGV[2])
redis.call('PEXPIREAT', KEYS[2], ARGV[9], 'NX')
redis.call('PEXPIREAT', KEYS[2], ARGV[9], 'GT')
",
        drop_stale!("KEYS[3]"),
        r"
redis.call('ZADD', KEYS[3], ARGV[9], ARGV[2])
return 1
"
    ))
});

/// KEYS: session. ARGV: the record's JSON as read, the JSON to replace it with.
/// Returns 1 replaced, 0 missing, -1 the record changed since it was read.
pub(crate) static REPLACE_SESSION_RECORD: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua",
        r"
local cur = redis.call('HGET', KEYS[1], 'd')
if not cur then return 0 end
if cur ~= ARGV[1] then return -1 end
redis.call('HSET', KEYS[1], 'd', ARGV[2])
return 1
"
    ))
});

/// KEYS: session, session expiry index.
/// ARGV: prefix, digest, last seen, idle expiry (time keys), idle expiry ms.
/// Returns 1 touched, 0 missing.
pub(crate) static TOUCH_SESSION: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua",
        r"
local cur = redis.call('HMGET', KEYS[1], 'u', 'exm')
if not cur[1] then return 0 end
local dies = math.min(tonumber(cur[2]), tonumber(ARGV[5]))
local dies_s = string.format('%d', dies)
redis.call('HSET', KEYS[1], 'ls', ARGV[3], 'ie', ARGV[4])
redis.call('PEXPIREAT', KEYS[1], dies_s)
redis.call('ZADD', KEYS[2], dies_s, ARGV[2])
local index = ARGV[1] .. 'user:' .. cur[1] .. ':sessions'
redis.call('PEXPIREAT', index, dies_s, 'NX')
redis.call('PEXPIREAT', index, dies_s, 'GT')
return 1
"
    ))
});

/// KEYS: session, session expiry index. ARGV: prefix, digest.
/// Returns 1 deleted, 0 missing.
pub(crate) static DELETE_SESSION: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua flags=allow-oom",
        r"
local user = redis.call('HGET', KEYS[1], 'u')
redis.call('ZREM', KEYS[2], ARGV[2])
if not user then return 0 end
redis.call('DEL', KEYS[1])
redis.call('ZREM', ARGV[1] .. 'user:' .. user .. ':sessions', ARGV[2])
return 1
"
    ))
});

/// KEYS: the user's session index. ARGV: prefix.
/// Returns `json, last seen, idle expiry` triples of the user's existing sessions, and
/// drops index entries whose session Redis has expired.
pub(crate) static SESSIONS_FOR_USER: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua flags=allow-oom",
        r"
local out = {}
for _, digest in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local v = redis.call('HMGET', ARGV[1] .. 'session:' .. digest, 'd', 'ls', 'ie')
  if v[1] then
    out[#out + 1] = v[1]
    out[#out + 1] = v[2]
    out[#out + 1] = v[3]
  else
    redis.call('ZREM', KEYS[1], digest)
  end
end
return out
"
    ))
});

/// KEYS: the user's session index, session expiry index. ARGV: prefix, digest to keep
/// ('' = none). Returns how many existing sessions were deleted.
pub(crate) static DELETE_SESSIONS_FOR_USER: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua flags=allow-oom",
        r"
local n = 0
for _, digest in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if digest ~= ARGV[2] then
    n = n + redis.call('DEL', ARGV[1] .. 'session:' .. digest)
    redis.call('ZREM', KEYS[1], digest)
    redis.call('ZREM', KEYS[2], digest)
  end
end
return n
"
    ))
});

/// KEYS: session (the owner's key is derived). ARGV: prefix.
/// Returns `session json, last seen, idle expiry, user json`, or nil.
pub(crate) static SESSION_WITH_USER: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua flags=no-writes",
        r"
local v = redis.call('HMGET', KEYS[1], 'd', 'ls', 'ie', 'u')
if not v[1] then return false end
local user = redis.call('HGET', ARGV[1] .. 'user:' .. v[4], 'd')
if not user then return false end
return {v[1], v[2], v[3], user}
"
    ))
});

/// KEYS: session expiry index. ARGV: prefix, now (time key), now ms (rounded up),
/// offset, batch size.
/// Returns `{purged, examined, skipped}`. A session counts as purged when it was dead at
/// `now` or already expired by Redis.
pub(crate) static PURGE_SESSIONS: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua flags=allow-oom",
        r"
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[3], 'LIMIT', ARGV[4], ARGV[5])
local purged, skipped = 0, 0
for _, digest in ipairs(ids) do
  local key = ARGV[1] .. 'session:' .. digest
  local v = redis.call('HMGET', key, 'u', 'ex', 'ie')
  if not v[1] then
    redis.call('ZREM', KEYS[1], digest)
    purged = purged + 1
  else
    local dies = v[2]
    if v[3] < dies then dies = v[3] end
    if dies <= ARGV[2] then
      redis.call('DEL', key)
      redis.call('ZREM', KEYS[1], digest)
      redis.call('ZREM', ARGV[1] .. 'user:' .. v[1] .. ':sessions', digest)
      purged = purged + 1
    else
      skipped = skipped + 1
    end
  end
end
return {purged, #ids, skipped}
"
    ))
});

// ---------------------------------------------------------------------------------------
// Counters
// ---------------------------------------------------------------------------------------

/// KEYS: counter, counter expiry index.
/// ARGV: prefix, counter name, now, window end (time keys), window end ms, grace ms.
/// Returns `{count, window end}`.
pub(crate) static INCREMENT: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua",
        r"
local ends = redis.call('HGET', KEYS[1], 'e')
if ends and ARGV[3] < ends then
  return {redis.call('HINCRBY', KEYS[1], 'c', 1), ends}
end
local grace = tonumber(ARGV[6])
redis.call('HSET', KEYS[1], 'c', 1, 'e', ARGV[4])
redis.call('PEXPIREAT', KEYS[1], ARGV[5])
",
        drop_stale!("KEYS[2]"),
        r"
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[2])
return {1, ARGV[4]}
"
    ))
});

/// KEYS: counter expiry index. ARGV: prefix, now (time key), now ms (rounded up), offset,
/// batch size. Returns `{purged, examined, skipped}`.
pub(crate) static PURGE_COUNTERS: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua flags=allow-oom",
        r"
local names = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[3], 'LIMIT', ARGV[4], ARGV[5])
local purged, skipped = 0, 0
for _, name in ipairs(names) do
  local key = ARGV[1] .. 'counter:' .. name
  local ends = redis.call('HGET', key, 'e')
  if not ends then
    redis.call('ZREM', KEYS[1], name)
    purged = purged + 1
  elseif ends <= ARGV[2] then
    redis.call('DEL', key)
    redis.call('ZREM', KEYS[1], name)
    purged = purged + 1
  else
    skipped = skipped + 1
  end
end
return {purged, #names, skipped}
"
    ))
});

// ---------------------------------------------------------------------------------------
// Ephemeral entries
// ---------------------------------------------------------------------------------------

/// KEYS: entry. ARGV: value, expiry (time key), now (time key), expiry ms.
/// Returns 1 when stored, 0 when a live entry holds the key.
pub(crate) static INSERT_ENTRY: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua",
        r"
local ends = redis.call('HGET', KEYS[1], 'e')
if ends and ARGV[3] < ends then
  return 0
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'e', ARGV[2])
redis.call('PEXPIREAT', KEYS[1], ARGV[4])
return 1
"
    ))
});

/// KEYS: entry. Deletes it and returns `{value, expiry (time key)}`, or nil when absent.
pub(crate) static TAKE_ENTRY: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua flags=allow-oom",
        r"
local entry = redis.call('HMGET', KEYS[1], 'v', 'e')
if not entry[1] or not entry[2] then
  return false
end
redis.call('DEL', KEYS[1])
return entry
"
    ))
});

// ---------------------------------------------------------------------------------------
// Outbox
// ---------------------------------------------------------------------------------------

/// KEYS: outbox queue. ARGV: prefix, now (time key), now ms (rounded up), limit,
/// lease end (time key), lease end ms.
/// Returns `id, json, attempts, next attempt, last error, has last error, created at`
/// septuples of the claimed messages; `next attempt` is the lease end, `created at` the
/// time key of a retry ('' when never retried: the JSON's own then holds). A failed or
/// delivered message found in the queue (never left there by these scripts) is dropped
/// from it.
pub(crate) static CLAIM_DUE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua",
        r"
local limit = tonumber(ARGV[4])
local out = {}
local claimed = 0
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[3], 'LIMIT', 0, limit + 64)
for _, id in ipairs(ids) do
  if claimed >= limit then break end
  local key = ARGV[1] .. 'msg:' .. id
  local v = redis.call('HMGET', key, 'd', 'a', 'n', 'le', 'c', 'f', 'dv')
  if not v[1] or v[6] or v[7] then
    redis.call('ZREM', KEYS[1], id)
  elseif v[3] <= ARGV[2] then
    redis.call('HSET', key, 'n', ARGV[5])
    redis.call('ZADD', KEYS[1], ARGV[6], id)
    out[#out + 1] = id
    out[#out + 1] = v[1]
    out[#out + 1] = v[2]
    out[#out + 1] = ARGV[5]
    out[#out + 1] = v[4] or ''
    out[#out + 1] = v[4] and '1' or '0'
    out[#out + 1] = v[5] or ''
    claimed = claimed + 1
  end
end
return out
"
    ))
});

/// KEYS: message, outbox queue. ARGV: prefix, id, attempts, next attempt (time key),
/// next attempt ms, last error. Returns 1 rescheduled, 0 missing, failed or delivered.
pub(crate) static RESCHEDULE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua",
        r"
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('HEXISTS', KEYS[1], 'f') == 1 then return 0 end
if redis.call('HEXISTS', KEYS[1], 'dv') == 1 then return 0 end
redis.call('HSET', KEYS[1], 'a', ARGV[3], 'n', ARGV[4], 'le', ARGV[6])
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[2])
return 1
"
    ))
});

/// KEYS: message, outbox queue, failed set, webhooks set, delivered set. ARGV: id.
/// Deletes a message, queued, failed or delivered. Returns 1 deleted, 0 missing.
pub(crate) static REMOVE_MESSAGE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua flags=allow-oom",
        r"
local v = redis.call('HMGET', KEYS[1], 'f', 'wk', 'dv')
if v[1] then redis.call('ZREM', KEYS[3], v[1] .. ':' .. ARGV[1]) end
if v[2] then redis.call('ZREM', KEYS[4], v[2]) end
if v[3] then redis.call('ZREM', KEYS[5], v[3] .. ':' .. ARGV[1]) end
redis.call('ZREM', KEYS[2], ARGV[1])
return redis.call('DEL', KEYS[1])
"
    ))
});

/// KEYS: message, outbox queue, failed set, delivered set. ARGV: id, attempts, failed
/// at (time key), last error. Takes the message out of the queue; a mail goes into the
/// failed set (member `<failed at>:<id>`, score 0, so that the set's order is failure
/// time, then id), a webhook call only carries its `f` field. Returns 1 marked, 0
/// missing.
pub(crate) static MARK_FAILED: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua",
        r"
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local v = redis.call('HMGET', KEYS[1], 'f', 'wk', 'dv')
if v[1] then redis.call('ZREM', KEYS[3], v[1] .. ':' .. ARGV[1]) end
if v[3] then
  redis.call('ZREM', KEYS[4], v[3] .. ':' .. ARGV[1])
  redis.call('HDEL', KEYS[1], 'dv')
end
redis.call('HSET', KEYS[1], 'a', ARGV[2], 'f', ARGV[3], 'le', ARGV[4])
redis.call('ZREM', KEYS[2], ARGV[1])
if not v[2] then redis.call('ZADD', KEYS[3], 0, ARGV[3] .. ':' .. ARGV[1]) end
return 1
"
    ))
});

/// KEYS: message, outbox queue, failed set, delivered set. ARGV: id, attempts,
/// delivered at (time key), outcome. Takes a webhook call out of the queue (and out of
/// failure) into the delivered set. Returns 1 marked, 0 missing.
pub(crate) static MARK_DELIVERED: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua",
        r"
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local v = redis.call('HMGET', KEYS[1], 'f', 'dv')
if v[1] then
  redis.call('ZREM', KEYS[3], v[1] .. ':' .. ARGV[1])
  redis.call('HDEL', KEYS[1], 'f')
end
if v[2] then redis.call('ZREM', KEYS[4], v[2] .. ':' .. ARGV[1]) end
redis.call('HSET', KEYS[1], 'a', ARGV[2], 'dv', ARGV[3], 'le', ARGV[4])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[4], 0, ARGV[3] .. ':' .. ARGV[1])
return 1
"
    ))
});

/// KEYS: webhooks set. ARGV: prefix, start rank, stop rank (from the newest).
/// Returns `id, json, attempts, next attempt, last error, has last error, created at,
/// failed at, delivered at` nonuples; `created at` as in [`CLAIM_DUE`], the others ''
/// when absent.
pub(crate) static LIST_WEBHOOKS: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua flags=no-writes",
        r"
local out = {}
for _, member in ipairs(redis.call('ZREVRANGE', KEYS[1], ARGV[2], ARGV[3])) do
  local id = string.sub(member, string.find(member, ':', 1, true) + 1)
  local v = redis.call('HMGET', ARGV[1] .. 'msg:' .. id, 'd', 'a', 'n', 'le', 'c', 'f', 'dv')
  if v[1] then
    out[#out + 1] = id
    out[#out + 1] = v[1]
    out[#out + 1] = v[2]
    out[#out + 1] = v[3]
    out[#out + 1] = v[4] or ''
    out[#out + 1] = v[4] and '1' or '0'
    out[#out + 1] = v[5] or ''
    out[#out + 1] = v[6] or ''
    out[#out + 1] = v[7] or ''
  end
end
return out
"
    ))
});

/// KEYS: delivered set, webhooks set. ARGV: prefix, the lexicographic upper bound of the
/// members to purge (`[<before (time key)>:~`, inclusive of every id at that time).
/// Deletes the webhook calls delivered at or before it. Returns how many.
pub(crate) static PURGE_DELIVERED: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua flags=allow-oom",
        r"
local purged = 0
for _, member in ipairs(redis.call('ZRANGEBYLEX', KEYS[1], '-', ARGV[2])) do
  local id = string.sub(member, string.find(member, ':', 1, true) + 1)
  local key = ARGV[1] .. 'msg:' .. id
  local wk = redis.call('HGET', key, 'wk')
  if wk then redis.call('ZREM', KEYS[2], wk) end
  redis.call('DEL', key)
  redis.call('ZREM', KEYS[1], member)
  purged = purged + 1
end
return purged
"
    ))
});

/// KEYS: failed set. ARGV: prefix, start rank, stop rank (from the newest).
/// Returns `member, json, attempts, last error, created at` quintuples; `created at` as
/// in [`CLAIM_DUE`].
pub(crate) static LIST_FAILED: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua flags=no-writes",
        r"
local out = {}
for _, member in ipairs(redis.call('ZREVRANGE', KEYS[1], ARGV[2], ARGV[3])) do
  local id = string.sub(member, string.find(member, ':', 1, true) + 1)
  local v = redis.call('HMGET', ARGV[1] .. 'msg:' .. id, 'd', 'a', 'le', 'c')
  if v[1] then
    out[#out + 1] = member
    out[#out + 1] = v[1]
    out[#out + 1] = v[2]
    out[#out + 1] = v[3] or ''
    out[#out + 1] = v[4] or ''
  end
end
return out
"
    ))
});

/// KEYS: message, outbox queue, failed set, webhooks set. ARGV: id.
/// Deletes a failed message. Returns 1 deleted, 0 when no failed message has this id.
pub(crate) static DISCARD_FAILED: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua flags=allow-oom",
        r"
local f = redis.call('HGET', KEYS[1], 'f')
if not f then return 0 end
local wk = redis.call('HGET', KEYS[1], 'wk')
if wk then redis.call('ZREM', KEYS[4], wk) end
redis.call('ZREM', KEYS[3], f .. ':' .. ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[1])
return 1
"
    ))
});

/// KEYS: message, outbox queue, failed set, webhooks set. ARGV: id, now (time key), now
/// ms. Puts a failed message back in the queue, due and created at `now`, no attempts
/// (a webhook call moves to its new place in the webhooks set). Returns 1 retried, 0
/// when no failed message has this id.
pub(crate) static RETRY_FAILED: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua",
        r"
local f = redis.call('HGET', KEYS[1], 'f')
if not f then return 0 end
local wk = redis.call('HGET', KEYS[1], 'wk')
if wk then
  redis.call('ZREM', KEYS[4], wk)
  redis.call('ZADD', KEYS[4], 0, ARGV[2] .. ':' .. ARGV[1])
  redis.call('HSET', KEYS[1], 'wk', ARGV[2] .. ':' .. ARGV[1])
end
redis.call('ZREM', KEYS[3], f .. ':' .. ARGV[1])
redis.call('HDEL', KEYS[1], 'f')
redis.call('HSET', KEYS[1], 'a', '0', 'n', ARGV[2], 'c', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
return 1
"
    ))
});

// ---------------------------------------------------------------------------------------
// Identities
// ---------------------------------------------------------------------------------------

/// KEYS: identity, the user's identity index. ARGV: user id, JSON, index member.
/// Returns 0 linked, 1 the identity is linked already.
pub(crate) static LINK_IDENTITY: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua",
        r"
if redis.call('EXISTS', KEYS[1]) == 1 then return 1 end
redis.call('HSET', KEYS[1], 'u', ARGV[1], 'd', ARGV[2])
redis.call('SADD', KEYS[2], ARGV[3])
return 0
"
    ))
});

/// KEYS: the user's identity index. ARGV: prefix.
/// Returns `user id, JSON` pairs of the identities the index names (the caller keeps
/// those of the user).
pub(crate) static IDENTITIES_FOR_USER: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua flags=no-writes",
        r"
local out = {}
for _, member in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local found = redis.call('HMGET', ARGV[1] .. 'identity:' .. member, 'u', 'd')
  if found[1] and found[2] then
    table.insert(out, found[1])
    table.insert(out, found[2])
  end
end
return out
"
    ))
});

/// KEYS: identity. ARGV: user id, new JSON.
/// Replaces the JSON if the identity belongs to the user.
pub(crate) static TOUCH_IDENTITY: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua",
        r"
if redis.call('HGET', KEYS[1], 'u') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'd', ARGV[2])
end
return 0
"
    ))
});

/// KEYS: identity. ARGV: user id, `1` to keep or `0` to forget, the sealed tokens.
/// Keeps (field `t`) or forgets the tokens if the identity belongs to the user; returns
/// 1 then, 0 not the user's (or missing).
pub(crate) static KEEP_IDENTITY_TOKENS: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua",
        r"
if redis.call('HGET', KEYS[1], 'u') ~= ARGV[1] then return 0 end
if ARGV[2] == '1' then
  redis.call('HSET', KEYS[1], 't', ARGV[3])
else
  redis.call('HDEL', KEYS[1], 't')
end
return 1
"
    ))
});

/// KEYS: identity, the user's identity index. ARGV: user id, index member.
/// Returns 1 unlinked, 0 not the user's (or missing).
pub(crate) static UNLINK_IDENTITY: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua flags=allow-oom",
        r"
if redis.call('HGET', KEYS[1], 'u') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[2])
return 1
"
    ))
});

/// KEYS: the identity, the user's identity index, the user's ways-in version.
/// ARGV: user id, index member, the ways-in version expected.
/// Returns 1 when unlinked (and the version bumped), 0 when not the user's, -1 when
/// the version moved on (nothing changed).
pub(crate) static UNLINK_IDENTITY_AT: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua flags=allow-oom",
        r"
if (redis.call('GET', KEYS[3]) or '0') ~= ARGV[3] then return -1 end
if redis.call('HGET', KEYS[1], 'u') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[2])
redis.call('INCR', KEYS[3])
return 1
"
    ))
});

/// KEYS: the user's identity index. ARGV: prefix, user id.
/// Unlinks every identity of the user the index names; returns how many.
pub(crate) static UNLINK_IDENTITIES_FOR_USER: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua flags=allow-oom",
        r"
local n = 0
for _, member in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local key = ARGV[1] .. 'identity:' .. member
  if redis.call('HGET', key, 'u') == ARGV[2] then
    redis.call('DEL', key)
    n = n + 1
  end
end
redis.call('DEL', KEYS[1])
return n
"
    ))
});

// ---------------------------------------------------------------------------------------
// The revision of users and sessions

/// KEYS: the revision. Advances it; returns the new value.
/// A missing revision (never advanced, or lost with the server's data) starts at the
/// server's clock in microseconds, past every value it held before: each advance took
/// at least a microsecond, so no earlier count caught up with the clock. It may run
/// when Redis is full: it follows revocations.
pub(crate) static ADVANCE_REVISION: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        "#!lua flags=allow-oom",
        r"
local v = redis.call('INCR', KEYS[1])
if v == 1 then
  local t = redis.call('TIME')
  local start = t[1] .. string.format('%06d', tonumber(t[2]))
  redis.call('SET', KEYS[1], start)
  return start
end
return tostring(v)
"
    ))
});
