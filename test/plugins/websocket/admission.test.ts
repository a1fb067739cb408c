import { describe, expect, test } from "bun:test";
import { clientAddressResolver } from "../../../core/http/client-address";
import { MemoryRateLimiter } from "../../../core/limits/memory-limiter";
import { createAdmission } from "../../../plugins/websocket/admission";

const peer = (address: string) => ({ requestIP: () => ({ address }) });
const upgrade = (headers: Record<string, string> = {}) => new Request("http://localhost/ws", { headers });

// Admission answers at once with an in-memory limiter: a refusal is thrown, not a rejected promise.
const rejection = async (attempt: () => unknown) => {
  try {
    await attempt();
  } catch (error) {
    return error;
  }
  throw new Error("expected a refusal");
};

describe("websocket admission", () => {
  test("counts attempts against the address ctx.clientAddress names", async () => {
    const admit = createAdmission({
      limits: new MemoryRateLimiter(),
      attemptsPerMinute: () => 1,
      allowedOrigins: [],
      clientAddress: clientAddressResolver(true),
      onLimited: () => {},
    });
    await admit(upgrade({ "x-forwarded-for": "203.0.113.9" }), peer("10.0.0.1"));
    await admit(upgrade({ "x-forwarded-for": "203.0.113.10" }), peer("10.0.0.1"));
    expect(await rejection(() => admit(upgrade({ "x-forwarded-for": "203.0.113.9" }), peer("10.0.0.1")))).toMatchObject({
      status: 429,
    });
  });

  test("allows listed origins in any spelling, and requests without an Origin", async () => {
    const admit = createAdmission({
      limits: new MemoryRateLimiter(),
      attemptsPerMinute: () => 100,
      allowedOrigins: ["https://App.example.com/"],
      clientAddress: clientAddressResolver(false),
      onLimited: () => {},
    });
    await admit(upgrade({ origin: "https://app.example.com" }), peer("10.0.0.1"));
    await admit(upgrade(), peer("10.0.0.1"));
    expect(await rejection(() => admit(upgrade({ origin: "https://evil.example" }), peer("10.0.0.1")))).toMatchObject({
      status: 403,
      code: "ERR_FORBIDDEN",
    });
  });

  test("counts attempts per address, refused ones included, and answers 429 with Retry-After past the limit", async () => {
    let limited = 0;
    const admit = createAdmission({
      limits: new MemoryRateLimiter(),
      attemptsPerMinute: () => 2,
      allowedOrigins: [],
      clientAddress: clientAddressResolver(false),
      onLimited: () => limited++,
    });
    await admit(upgrade(), peer("10.0.0.1"));
    await rejection(() => admit(upgrade({ origin: "https://evil.example" }), peer("10.0.0.1")));
    const refused = await rejection(() => admit(upgrade(), peer("10.0.0.1")));
    expect(refused).toMatchObject({ status: 429, code: "ERR_RATE_LIMITED", headers: { "Retry-After": "30" } });
    await admit(upgrade(), peer("10.0.0.2"));
    expect(limited).toBe(1);
  });
});
