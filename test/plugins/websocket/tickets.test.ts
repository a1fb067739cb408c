import { describe, expect, test } from "bun:test";
import { SignJWT } from "jose";
import { MemorySingleUse } from "../../../core/limits/single-use";
import { createTickets } from "../../../plugins/websocket/tickets";

const secret = new TextEncoder().encode("a-test-secret-of-at-least-thirty-two-characters");
const issuer = "http://localhost:3000";

const makeTickets = (ttlSeconds = 30) => createTickets({ secret, ttlSeconds, ledger: new MemorySingleUse(), issuer });

const rejection = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
};

describe("websocket tickets", () => {
  test("a ticket carries the session and the guest's peer it was issued for, so revoking either reaches the socket", async () => {
    const tickets = await makeTickets();
    const identity = { userId: "g1", expiresAt: 1_900_000_000_000, sessionId: "s1", guestOf: "peer-a" };
    const { ticket } = await tickets.issue(identity);
    expect(await tickets.redeem(ticket)).toEqual(identity);
  });

  test("a ticket names its user and the expiry of the credential it was issued for", async () => {
    const tickets = await makeTickets();
    const before = Date.now();
    const { ticket, expiresAt } = await tickets.issue({ userId: "u1", expiresAt: 1_900_000_000_000 });
    expect(expiresAt).toBeGreaterThan(before);
    expect(expiresAt).toBeLessThanOrEqual(before + 31_000);
    expect(await tickets.redeem(ticket)).toEqual({ userId: "u1", expiresAt: 1_900_000_000_000 });
  });

  test("a ticket is single-use", async () => {
    const tickets = await makeTickets();
    const { ticket } = await tickets.issue({ userId: "u1", expiresAt: undefined });
    await tickets.redeem(ticket);
    expect(await rejection(tickets.redeem(ticket))).toMatchObject({
      status: 401,
      message: expect.stringContaining("already used"),
    });
  });

  test("a ticket signed with another key, for any user, is refused", async () => {
    const tickets = await makeTickets();
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256", typ: "tessera-ws-ticket+jwt" })
      .setIssuer(issuer)
      .setAudience("tessera:ws")
      .setSubject("someone-else")
      .setJti(crypto.randomUUID())
      .setIssuedAt()
      .setExpirationTime("30s")
      .sign(new TextEncoder().encode("another-secret-of-at-least-thirty-two-chars"));
    expect(await rejection(tickets.redeem(forged))).toMatchObject({ status: 401, code: "ERR_UNAUTHENTICATED" });
  });

  test("a ticket whose payload was changed to another user is refused", async () => {
    const tickets = await makeTickets();
    const { ticket } = await tickets.issue({ userId: "alice", expiresAt: undefined });
    const [header, payload, signature] = ticket.split(".");
    const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString());
    const swapped = Buffer.from(JSON.stringify({ ...claims, sub: "bob" })).toString("base64url");
    expect(await rejection(tickets.redeem(`${header}.${swapped}.${signature}`))).toMatchObject({ status: 401 });
  });

  test("an expired ticket is refused", async () => {
    const tickets = await makeTickets(1);
    const { ticket } = await tickets.issue({ userId: "u1", expiresAt: undefined });
    await Bun.sleep(2100);
    expect(await rejection(tickets.redeem(ticket))).toMatchObject({ status: 401, message: expect.stringContaining("expired") });
  });

  test("garbage is refused as an invalid ticket, not a crash", async () => {
    const tickets = await makeTickets();
    for (const garbage of ["", "abc", "a.b.c"]) expect(await rejection(tickets.redeem(garbage))).toMatchObject({ status: 401 });
  });
});
