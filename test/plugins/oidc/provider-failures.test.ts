// An identity provider that fails a sign-in is a gateway failure with a stable code the client can
// branch on: never ERR_INTERNAL, which would blame this instance for another server's answer.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { expectNoSession, type Harness, startHarness } from "./support/harness";

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());

describe("a provider failing the code exchange", () => {
  test("a token endpoint answering nonsense is 502 ERR_OIDC_PROVIDER_RESPONSE, not ERR_INTERNAL", async () => {
    const client = harness.browser();
    const { state } = await harness.beginLogin(client);
    harness.fake.tokenResponse = () =>
      new Response("<html>oops</html>", { status: 500, headers: { "content-type": "text/html" } });
    const body = await expectNoSession(
      client,
      await harness.callback(client, { code: "c", state }),
      502,
      "ERR_OIDC_PROVIDER_RESPONSE",
    );
    expect(body.detail).not.toContain("secret");
  });

  test("a provider rejecting this client's credentials is 502 ERR_OIDC_CLIENT_REJECTED, not ERR_INTERNAL", async () => {
    const client = harness.browser();
    const { state } = await harness.beginLogin(client);
    harness.fake.tokenResponse = () => Response.json({ error: "invalid_client" }, { status: 401 });
    await expectNoSession(client, await harness.callback(client, { code: "c", state }), 502, "ERR_OIDC_CLIENT_REJECTED");
  });
});
