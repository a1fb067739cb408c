import { describe, expect, test } from "bun:test";
import { hasRole, isRole, ROLES } from "../../../core/identity/roles";

describe("hasRole", () => {
  test("orders viewer < member < admin < owner", () => {
    expect(ROLES).toEqual(["viewer", "member", "admin", "owner"]);
    for (const [i, actual] of ROLES.entries()) {
      for (const [j, needed] of ROLES.entries()) expect(hasRole(actual, needed)).toBe(i >= j);
    }
  });

  test("gives a non-member nothing, not even viewer", () => {
    expect(hasRole(null, "viewer")).toBe(false);
  });

  test("recognises role names and nothing else", () => {
    expect(isRole("admin")).toBe(true);
    expect(isRole("superuser")).toBe(false);
    expect(isRole(undefined)).toBe(false);
  });
});
