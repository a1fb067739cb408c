// A hub reading a peer's answer: only a response signed by the peer's pinned key, addressed to this
// instance and bound to the command's jti is believed; problem+json answers become refusals.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Value } from "@sinclair/typebox/value";
import type { Server } from "bun";
import { CompactSign, decodeProtectedHeader } from "jose";
import type { Database } from "../../../core/db/database";
import { migrate } from "../../../core/db/migrate";
import { openDatabase } from "../../../core/db/open-database";
import { createScopedFetch } from "../../../core/plugins/scoped-fetch";
import { FederationConfigSchema } from "../../../plugins/federation/config";
import { KeyStore } from "../../../plugins/federation/identity/key-store";
import { noGrants } from "../../../plugins/federation/peers/grants";
import { PeerCache, type PeerEntry } from "../../../plugins/federation/peers/peer-cache";
import { savePeer } from "../../../plugins/federation/peers/peer-store";
import { PeerRefusal } from "../../../plugins/federation/wire/peer-refusal";
import { type SendDeps, sendMessage } from "../../../plugins/federation/wire/send";
import { type FakeKey, makeKey } from "./support/fake-peer";

type Answer = (jti: string, iss: string) => Promise<Response>;

describe("reading a peer's response", () => {
  let db: Database;
  let server: Server<undefined>;
  let answer: Answer;
  let peerKey: FakeKey;
  let entry: PeerEntry;
  let deps: SendDeps;
  const PEER = "peer-x";

  const signed = async (claims: Record<string, unknown>, key: FakeKey = peerKey, status = 200) => {
    const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
      .setProtectedHeader({ alg: "EdDSA", typ: "tessera-fed+jwt", kid: key.kid })
      .sign(key.key);
    return new Response(jws, { status, headers: { "content-type": "application/jose" } });
  };
  const response = (jti: string, iss: string, overrides: Record<string, unknown> = {}) => {
    const iat = Math.floor(Date.now() / 1000);
    return {
      iss: PEER,
      aud: iss,
      jti: crypto.randomUUID(),
      iat,
      exp: iat + 60,
      type: "response",
      body: { re: jti, ok: true, result: { fine: true } },
      ...overrides,
    };
  };

  beforeAll(async () => {
    db = await openDatabase("sqlite::memory:");
    await migrate(db);
    server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: async (request) => {
        const jws = await request.text();
        const { kid } = decodeProtectedHeader(jws);
        const claims = JSON.parse(Buffer.from(jws.split(".")[1] ?? "", "base64url").toString());
        expect(typeof kid).toBe("string");
        return answer(claims.jti, claims.iss);
      },
    });
    peerKey = await makeKey();
    const now = Date.now();
    const host = `127.0.0.1:${server.port}`;
    entry = await new PeerCache(db).put(
      await savePeer(db, {
        id: PEER,
        url: `http://${host}`,
        name: null,
        status: "active",
        keys: [peerKey.jwk],
        grants: noGrants(),
        createdAt: now,
        updatedAt: now,
      }),
    );
    deps = {
      self: { id: "hub", name: "hub", url: "http://hub.test" },
      keys: await KeyStore.open(db),
      fetch: createScopedFetch("federation", [host]),
      config: Value.Create(FederationConfigSchema),
    };
  });
  afterAll(async () => {
    server.stop(true);
    await db.close();
  });

  const send = () => sendMessage(deps, entry, "command", { name: "agent.list", commandId: "c", args: {} });
  const rejects = async (code: string) => {
    await expect(send()).rejects.toMatchObject({ code });
  };

  test("a signed response bound to the command gives its result", async () => {
    answer = (jti, iss) => signed(response(jti, iss));
    expect(await send()).toEqual({ fine: true });
  });

  test("an unsigned 200 is refused", async () => {
    answer = async () => Response.json({ re: "x", ok: true });
    await rejects("ERR_FED_RESPONSE");
  });

  test("a response signed by a key not pinned for the peer is refused", async () => {
    const other = await makeKey();
    answer = (jti, iss) => signed(response(jti, iss), other);
    await rejects("ERR_FED_RESPONSE");
  });

  test("a response bound to another message is refused", async () => {
    answer = (_jti, iss) => signed(response("some-other-jti", iss));
    await rejects("ERR_FED_RESPONSE");
  });

  test("a response addressed to another instance, or from another, is refused", async () => {
    answer = (jti) => signed(response(jti, "someone-else"));
    await rejects("ERR_FED_RESPONSE");
    answer = (jti, iss) => signed(response(jti, iss, { iss: "peer-y" }));
    await rejects("ERR_FED_RESPONSE");
  });

  test("a response with a tampered signature is refused", async () => {
    answer = async (jti, iss) => {
      const jws = await (await signed(response(jti, iss))).text();
      return new Response(`${jws.slice(0, -4)}AAAA`, { headers: { "content-type": "application/jose" } });
    };
    await rejects("ERR_FED_RESPONSE");
  });

  test("a stale response is refused", async () => {
    const iat = Math.floor(Date.now() / 1000) - 600;
    answer = (jti, iss) => signed(response(jti, iss, { iat, exp: iat + 60 }));
    await rejects("ERR_FED_RESPONSE");
  });

  test("a signed ok: false is a refusal carrying the peer's code and status", async () => {
    answer = (jti, iss) =>
      signed(
        response(jti, iss, { body: { re: jti, ok: false, error: { code: "ERR_AGENT_LIMIT", message: "full" } } }),
        peerKey,
        429,
      );
    const error = await send().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PeerRefusal);
    expect(error).toMatchObject({ code: "ERR_AGENT_LIMIT", status: 429 });
  });

  test("a problem+json refusal keeps the peer's code; a 5xx means unreachable", async () => {
    answer = async () =>
      new Response(JSON.stringify({ code: "ERR_FED_NOT_GRANTED", detail: "no" }), {
        status: 403,
        headers: { "content-type": "application/problem+json" },
      });
    await rejects("ERR_FED_NOT_GRANTED");
    answer = async () => new Response("boom", { status: 500 });
    await rejects("ERR_FED_UNREACHABLE");
  });
});
