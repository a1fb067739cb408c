import { describe, expect, test } from "bun:test";
import { MemoryRateLimiter } from "../../../core/limits/memory-limiter";
import { clientIp, createAdmission } from "../../../plugins/websocket/admission";

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
  test("the client address is the peer's, or the last proxy hop when the proxy is trusted", () => {
    const request = upgrade({ "x-forwarded-for": "203.0.113.9, 198.51.100.7" });
    expect(clientIp(request, peer("10.0.0.1"), false)).toBe("10.0.0.1");
    expect(clientIp(request, peer("10.0.0.1"), true)).toBe("198.51.100.7");
    expect(clientIp(upgrade(), peer("10.0.0.1"), true)).toBe("10.0.0.1");
  });

  test("allows listed origins in any spelling, and requests without an Origin", async () => {
    const admit = createAdmission({
      limits: new MemoryRateLimiter(),
      attemptsPerMinute: 100,
      allowedOrigins: ["https://App.example.com/"],
      trustProxy: false,
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
      attemptsPerMinute: 2,
      allowedOrigins: [],
      trustProxy: false,
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
