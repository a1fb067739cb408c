import { describe, expect, test } from "bun:test";
import { PermissionDenied } from "../../../core/errors/permission-denied";

describe("PermissionDenied", () => {
  test("a grantable kind names the config line that grants it", () => {
    const error = new PermissionDenied("probe", "net", "api.example.com:443");
    expect(error.code).toBe("ERR_PERMISSION_NET");
    expect(error.path).toBe("plugins.probe.permissions.net");
    expect(error.message).toBe(
      'Plugin "probe" was not granted net access to "api.example.com:443"; grant it with plugins["probe"].permissions.net: ["api.example.com:443"]',
    );
  });

  test.each([
    ["read", "ERR_PERMISSION_READ"],
    ["write", "ERR_PERMISSION_WRITE"],
    ["run", "ERR_PERMISSION_RUN"],
    ["ffi", "ERR_PERMISSION_FFI"],
    ["sys", "ERR_PERMISSION_SYS"],
    ["import", "ERR_PERMISSION_IMPORT"],
  ] as const)("%s: no config grants it, and isolation none is named as the way to trust the plugin", (kind, code) => {
    const error = new PermissionDenied("probe", kind, "/etc/passwd");
    expect(error.code).toBe(code);
    expect(error.status).toBe(500);
    expect(error.path).toBe("plugins.probe.isolation");
    expect(error.grant).toBe('plugins["probe"].isolation: "none"');
    expect(error.message).toBe(
      `Plugin "probe" was refused ${kind} access to "/etc/passwd": an isolated plugin cannot be granted ${kind} access; ` +
        `plugins["probe"].isolation: "none" trusts the plugin with the server's own rights`,
    );
  });
});
