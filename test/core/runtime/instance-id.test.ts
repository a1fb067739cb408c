import { describe, expect, test } from "bun:test";
import { hostname } from "node:os";
import { instanceIdFor } from "../../../core/runtime/instance-id";

describe("an instance's id", () => {
  test("is server.instanceId when it is set", () => {
    expect(instanceIdFor("blue", 3000)).toBe("blue");
  });

  test("defaults to host name and port, the same on every start", () => {
    expect(instanceIdFor(undefined, 3000)).toBe(`${hostname()}:3000`);
    expect(instanceIdFor(undefined, 3000)).toBe(instanceIdFor(undefined, 3000));
  });

  test("on port 0 is one of its own, so two such instances on one host never share it", () => {
    const id = instanceIdFor(undefined, 0);
    expect(id.startsWith(`${hostname()}:0:`)).toBe(true);
    expect(instanceIdFor(undefined, 0)).not.toBe(id);
  });
});
