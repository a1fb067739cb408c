// The per-peer allow-list of acting users: spawn and kill only on behalf of listed users; reads the hub
// sends for itself stay allowed.
import { describe, expect, test } from "bun:test";
import { actingUser, requireAllowedActor } from "../../../plugins/federation/identity/acting-user";

const ada = { id: "u-ada", email: "ada@hub.example", name: "Ada" };

describe("requireAllowedActor", () => {
  test("without a list, any user (or none) may act", () => {
    expect(() => requireAllowedActor("hub", undefined, "agent.spawn", undefined)).not.toThrow();
    expect(() => requireAllowedActor("hub", undefined, "agent.kill", ada)).not.toThrow();
  });

  test("a listed email (in any case) or id may act", () => {
    expect(() => requireAllowedActor("hub", ["ADA@hub.example"], "agent.spawn", ada)).not.toThrow();
    expect(() => requireAllowedActor("hub", ["u-ada"], "agent.kill", ada)).not.toThrow();
  });

  test("an unlisted user is refused", () => {
    expect(() => requireAllowedActor("hub", ["bob@hub.example"], "agent.spawn", ada)).toThrow(
      expect.objectContaining({ code: "ERR_FED_NOT_GRANTED", status: 403 }),
    );
  });

  test("a spawn or kill that names no user is refused; a read the hub makes for itself is not", () => {
    expect(() => requireAllowedActor("hub", ["u-ada"], "agent.kill", undefined)).toThrow(
      expect.objectContaining({ code: "ERR_FED_NOT_GRANTED" }),
    );
    expect(() => requireAllowedActor("hub", ["u-ada"], "agent.list", undefined)).not.toThrow();
  });

  test("an entry matches the acting user by id or email, nothing else", () => {
    expect(() => requireAllowedActor("hub", ["ada@hub.example"], "agent.spawn", { id: "ada@hub.example" })).not.toThrow();
    expect(() => requireAllowedActor("hub", ["ada@hub.example"], "agent.spawn", { id: "x", email: "eve@hub.example" })).toThrow();
  });
});

describe("actingUser", () => {
  test("leaves out what the user does not have", () => {
    expect(
      actingUser({ id: "u1", email: null, emailVerified: false, name: null, isAdmin: false, guestOf: null, createdAt: 0 }),
    ).toEqual({ id: "u1" });
  });

  test("never vouches for an unverified email: a peer's grants match on it", () => {
    const claimed = {
      id: "u2",
      email: "ops@hub.example",
      emailVerified: false,
      name: "Eve",
      isAdmin: false,
      guestOf: null,
      createdAt: 0,
    };
    expect(actingUser(claimed)).toEqual({ id: "u2", name: "Eve" });
    expect(actingUser({ ...claimed, emailVerified: true })).toEqual({ id: "u2", email: "ops@hub.example", name: "Eve" });
  });
});
