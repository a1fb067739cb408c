// GCRA shared by every instance through Redis: one atomic script reads and moves a key's TAT using the
// server's clock, so instances with skewed clocks agree. Unreachable Redis rejects (ERR_UNAVAILABLE):
// callers fail closed rather than letting traffic through unlimited.
import { TesseraError } from "../errors/tessera-error";
import { RedisConnection, type RedisConnectionOptions } from "../redis/connection";
import { defineScript } from "../redis/script";
import { gcraDecision, gcraParams } from "./gcra";
import { boundedKey, type RateDecision, type RateLimiter, type RateRule } from "./rate-limiter";

// KEYS[1] the key; ARGV[1] increment, ARGV[2] tolerance (ms). Returns {allowed, now, tat}.
// Times travel as %.17g strings because Redis truncates Lua numbers to integers on return.
// The key expires when its bucket is full again, so Redis holds only keys that are limiting; a long
// key is stored as a digest, so a client's id costs Redis a fixed size.
const GCRA = defineScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local nextTat = tat + tonumber(ARGV[1])
if nextTat - tonumber(ARGV[2]) > now then
  return {0, string.format('%.17g', now), string.format('%.17g', tat)}
end
if nextTat > now then
  redis.call('SET', KEYS[1], string.format('%.17g', nextTat), 'PX', math.ceil(nextTat - now))
end
return {1, string.format('%.17g', now), string.format('%.17g', nextTat)}
`);

export interface RedisRateLimiterOptions extends RedisConnectionOptions {
  url: string;
  /** Key namespace; tests use a unique one per run. */
  prefix?: string;
}

export class RedisRateLimiter implements RateLimiter {
  readonly synchronous = false;
  private readonly redis: RedisConnection;
  private readonly prefix: string;

  constructor(options: RedisRateLimiterOptions) {
    this.redis = new RedisConnection(options.url, options);
    this.prefix = options.prefix ?? "tessera:rl:";
  }

  async consume(key: string, rule: RateRule, cost = 1): Promise<RateDecision> {
    const params = gcraParams(rule, cost);
    const reply = await this.redis.eval(
      GCRA,
      [this.prefix + boundedKey(key)],
      [String(params.increment), String(params.tolerance)],
    );
    const [allowed, now, tat] = parseReply(reply);
    return gcraDecision(params, now, allowed, tat);
  }

  ready(): Promise<boolean> {
    return this.redis.ping();
  }

  async close(): Promise<void> {
    this.redis.close();
  }
}

const parseReply = (reply: unknown): [boolean, number, number] => {
  if (Array.isArray(reply) && reply.length === 3) {
    const [allowed, now, tat] = reply;
    if ((allowed === 0 || allowed === 1) && typeof now === "string" && typeof tat === "string") {
      return [allowed === 1, Number(now), Number(tat)];
    }
  }
  throw new TesseraError("ERR_INTERNAL", "Unexpected reply from the Redis rate-limit script", { details: { reply } });
};
