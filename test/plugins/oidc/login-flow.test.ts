import { describe, expect, test } from "bun:test";
import { EncryptJWT } from "jose";
import { flowKey, openFlow, sealFlow } from "../../../plugins/oidc/login-flow";

const flow = {
  provider: "default",
  state: "state-0123456789abcdef",
  codeVerifier: "verifier-0123456789",
  nonce: "nonce-0123456789",
  returnTo: "/a-distinctive-return-path",
};
const key = flowKey("a cookie secret of at least thirty-two characters");

describe("the sealed sign-in cookie", () => {
  test("opens with the key and state it was sealed for", async () => {
    expect(await openFlow(await sealFlow(flow, key), key, flow.state)).toEqual(flow);
  });

  test("hides what it carries", async () => {
    const sealed = await sealFlow(flow, key);
    for (const secret of [flow.codeVerifier, flow.nonce, "distinctive"]) expect(sealed).not.toContain(secret);
    expect(Buffer.from(sealed.split(".")[3] ?? "", "base64url").toString()).not.toContain(flow.codeVerifier);
  });

  test("does not open for another state", async () => {
    await expect(openFlow(await sealFlow(flow, key), key, "another-state-0123456")).rejects.toMatchObject({
      code: "ERR_OIDC_STATE",
    });
  });

  test("does not open with another key", async () => {
    const other = flowKey("another cookie secret, also thirty-two chars long");
    await expect(openFlow(await sealFlow(flow, key), other, flow.state)).rejects.toMatchObject({ code: "ERR_OIDC_STATE" });
  });

  test("does not open once expired", async () => {
    const past = Math.floor(Date.now() / 1000) - 60;
    const stale = await new EncryptJWT({ st: flow.state, cv: flow.codeVerifier, n: flow.nonce, r: flow.returnTo })
      .setProtectedHeader({ alg: "dir", enc: "A256GCM" })
      .setIssuedAt(past - 600)
      .setExpirationTime(past)
      .encrypt(key);
    await expect(openFlow(stale, key, flow.state)).rejects.toMatchObject({ code: "ERR_OIDC_STATE" });
  });
});
