// A Lua script with its SHA-1 computed once, so callers send EVALSHA and only ship the source
// when the server answers NOSCRIPT (after a restart or SCRIPT FLUSH).
import { createHash } from "node:crypto";

export interface RedisScript {
  source: string;
  sha: string;
}

export const defineScript = (source: string): RedisScript => ({
  source,
  sha: createHash("sha1").update(source).digest("hex"),
});
