import { afterAll, describe, expect, test } from "bun:test";
import { RedisClient } from "bun";
import { RedisConnection, redisLocation } from "../../../core/redis/connection";
import { defineScript } from "../../../core/redis/script";
import { redisTestUrl } from "../../support/redis";

const url = await redisTestUrl();
const connections: RedisConnection[] = [];

afterAll(() => {
  for (const connection of connections) connection.close();
});

describe.skipIf(!url)("RedisConnection", () => {
  const redisUrl = url ?? "";
  const connect = () => {
    const made = new RedisConnection(redisUrl);
    connections.push(made);
    return made;
  };

  test("runs a script the server has never seen by falling back from EVALSHA to EVAL", async () => {
    const connection = connect();
    // A source unique to this run, so its SHA cannot already be cached.
    const script = defineScript(`-- ${crypto.randomUUID()}\nreturn ARGV[1] .. KEYS[1]`);
    expect(await connection.eval(script, ["k"], ["v"])).toBe("vk");
    const client = new RedisClient(redisUrl);
    expect(await client.send("SCRIPT", ["EXISTS", script.sha])).toEqual([1]);
    client.close();
    expect(await connection.eval(script, ["k"], ["w"])).toBe("wk");
  });

  test("reconnects on the next command after the server dropped the connection", async () => {
    const connection = connect();
    const id = await connection.send("CLIENT", ["ID"]);
    const admin = new RedisClient(redisUrl);
    await admin.send("CLIENT", ["KILL", "ID", String(id)]);
    admin.close();
    await Bun.sleep(50);
    expect(await connection.send("PING", [])).toBe("PONG");
  });
});

describe("redisLocation", () => {
  test("keeps scheme, host and port and drops credentials", () => {
    expect(redisLocation("redis://user:s3cret@cache.internal:6380/2")).toBe("redis://cache.internal:6380");
  });
});
