// Open redirect after a federated sign-in, with two real instances: a returnTo that a URL parser or a
// browser reads as another origin lands on "/" at the end of the callback.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Browser } from "../support/browser";
import { type Instance, startFederatedPair, stopPair } from "../support/federated-pair";

describe("returnTo after a federated sign-in", () => {
  let hub: Instance;
  let spoke: Instance;
  let ada: string;

  beforeAll(async () => {
    ({ hub, spoke } = await startFederatedPair());
    ada = await hub.token("ada@hub.example", "Ada Lovelace");
  }, 30_000);

  afterAll(() => stopPair({ hub, spoke }));

  /** Where the spoke's callback sends Ada's browser after a whole sign-in that started with this returnTo. */
  const landing = async (returnTo: string) => {
    const browser = new Browser();
    browser.setCookie(hub.url, "tessera_session", ada);
    const start = await browser.request(`${spoke.url}/auth/federated/${hub.id}?returnTo=${encodeURIComponent(returnTo)}`);
    expect(start.status).toBe(302);
    const atHub = await browser.request(start.headers.get("location") ?? "");
    expect(atHub.status).toBe(303);
    const landed = await browser.request(atHub.headers.get("location") ?? "");
    expect(landed.status).toBe(303);
    return landed.headers.get("location");
  };

  test("a same-origin path survives the round trip, normalised", async () => {
    expect(await landing("/workspaces/../me?tab=1")).toBe("/me?tab=1");
  });

  const hostile = [
    "/.//evil.example/x",
    "/..//evil.example",
    "/%2e//evil.example",
    "/%2f%2fevil.example",
    "/%5c%5cevil.example",
    "/\\evil.example",
    "/\t/evil.example",
    "https://evil.example/x",
  ];
  for (const returnTo of hostile) {
    test(`refuses to redirect to another origin after a federated sign-in for returnTo ${JSON.stringify(returnTo)}`, async () => {
      expect(await landing(returnTo)).toBe("/");
    });
  }
});
