// A peer whose identity document never ends: the read stops at the cap, fast, instead of buffering it.
import { afterAll, describe, expect, test } from "bun:test";
import { Value } from "@sinclair/typebox/value";
import { createScopedFetch } from "../../../core/plugins/scoped-fetch";
import { FederationConfigSchema } from "../../../plugins/federation/config";
import { fetchDocument } from "../../../plugins/federation/peers/fetch-document";
import { WELL_KNOWN_PATH } from "../../../plugins/federation/wire/constants";
import { endlessServer } from "../../support/endless-server";

const server = endlessServer();
afterAll(() => server.stop());

describe("a peer's answers are capped while they stream", () => {
  test("refuses an endless identity document at the cap", async () => {
    const config = Value.Create(FederationConfigSchema);
    config.peers.allowedHosts = [server.host];
    const deps = { config, fetch: createScopedFetch("federation", [server.host]) };
    const started = Date.now();
    await expect(fetchDocument(deps, server.url("/endless"))).rejects.toMatchObject({
      code: "ERR_FED_RESPONSE",
      message: expect.stringContaining("larger than"),
    });
    expect(Date.now() - started).toBeLessThan(3000);
    await server.cancelled(`/endless${WELL_KNOWN_PATH}`);
    expect(server.sent(`/endless${WELL_KNOWN_PATH}`)).toBeLessThan(32 * 1024 * 1024);
  });
});
