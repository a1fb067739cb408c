import { describe, expect, test } from "bun:test";
import { TesseraError } from "../../../core/errors/tessera-error";
import { rateLimited, rateLimitHeaders } from "../../../core/limits/rate-headers";

describe("rateLimitHeaders", () => {
  test("an allowed decision carries RateLimit-* in seconds and no Retry-After", () => {
    expect(rateLimitHeaders({ allowed: true, limit: 10, remaining: 7, retryAfterMs: 0, resetMs: 2500 })).toEqual({
      "RateLimit-Limit": "10",
      "RateLimit-Remaining": "7",
      "RateLimit-Reset": "3",
    });
  });

  test("a denied decision adds Retry-After rounded up, never 0", () => {
    expect(rateLimitHeaders({ allowed: false, limit: 10, remaining: 0, retryAfterMs: 1200, resetMs: 9000 })["Retry-After"]).toBe(
      "2",
    );
    expect(rateLimitHeaders({ allowed: false, limit: 10, remaining: 0, retryAfterMs: 1, resetMs: 1 })["Retry-After"]).toBe("1");
    expect(rateLimitHeaders({ allowed: false, limit: 10, remaining: 0, retryAfterMs: 0, resetMs: 0 })["Retry-After"]).toBe("1");
  });
});

describe("rateLimited", () => {
  test("is a 429 ERR_RATE_LIMITED error carrying the headers", () => {
    const error = rateLimited({ allowed: false, limit: 5, remaining: 0, retryAfterMs: 4100, resetMs: 10_000 });
    expect(error).toBeInstanceOf(TesseraError);
    expect(error).toMatchObject({ code: "ERR_RATE_LIMITED", status: 429 });
    expect(error.headers).toEqual({
      "RateLimit-Limit": "5",
      "RateLimit-Remaining": "0",
      "RateLimit-Reset": "10",
      "Retry-After": "5",
    });
  });
});
