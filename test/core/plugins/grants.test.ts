import { describe, expect, test } from "bun:test";
import { envAllowed, mergeGrants, netAllowed, routeAllowed } from "../../../core/plugins/grants";

describe("grants", () => {
  test("net grants match host, host:port and subdomain wildcards only", () => {
    expect(netAllowed(new URL("https://auth.example.com/x"), ["auth.example.com"])).toBe(true);
    expect(netAllowed(new URL("https://evil.com/x"), ["auth.example.com"])).toBe(false);
    expect(netAllowed(new URL("http://127.0.0.1:9000/"), ["127.0.0.1:9000"])).toBe(true);
    expect(netAllowed(new URL("http://127.0.0.1:9001/"), ["127.0.0.1:9000"])).toBe(false);
    expect(netAllowed(new URL("https://a.example.com/"), ["*.example.com"])).toBe(true);
    expect(netAllowed(new URL("https://example.com/"), ["*.example.com"])).toBe(false);
    expect(netAllowed(new URL("https://auth.example.com.evil.io/"), ["auth.example.com"])).toBe(false);
  });

  test("refuses a port the grant does not name: a bare host allows only the scheme's default port", () => {
    expect(netAllowed(new URL("https://auth.example.com:8443/x"), ["auth.example.com"])).toBe(false);
    expect(netAllowed(new URL("http://auth.example.com:443/x"), ["auth.example.com"])).toBe(false);
    expect(netAllowed(new URL("http://auth.example.com/x"), ["auth.example.com"])).toBe(true);
    expect(netAllowed(new URL("https://a.example.com:6379/"), ["*.example.com"])).toBe(false);
    expect(netAllowed(new URL("http://[::1]:6379/"), ["[::1]"])).toBe(false);
    expect(netAllowed(new URL("http://[::1]/"), ["[::1]"])).toBe(true);
  });

  test("host:* allows any port and host:port exactly that one", () => {
    expect(netAllowed(new URL("https://auth.example.com:8443/x"), ["auth.example.com:*"])).toBe(true);
    expect(netAllowed(new URL("https://auth.example.com/x"), ["auth.example.com:*"])).toBe(true);
    expect(netAllowed(new URL("https://other.example.com:8443/x"), ["auth.example.com:*"])).toBe(false);
    expect(netAllowed(new URL("https://auth.example.com:8443/x"), ["auth.example.com:8443"])).toBe(true);
    expect(netAllowed(new URL("https://auth.example.com/x"), ["auth.example.com:8443"])).toBe(false);
    expect(netAllowed(new URL("https://a.example.com:8443/"), ["*.example.com:8443"])).toBe(true);
    expect(netAllowed(new URL("http://[::1]:6379/"), ["[::1]:*"])).toBe(true);
    expect(netAllowed(new URL("http://[::1]:6379/"), ["[::1]:6380"])).toBe(false);
  });

  test("env grants match exact names and PREFIX_* wildcards", () => {
    expect(envAllowed("OIDC_SECRET", ["OIDC_SECRET"])).toBe(true);
    expect(envAllowed("OIDC_SECRET_2", ["OIDC_SECRET"])).toBe(false);
    expect(envAllowed("GREETER_NAME", ["GREETER_*"])).toBe(true);
    expect(envAllowed("HOME", ["GREETER_*"])).toBe(false);
  });

  test("route grants match on whole segments, with :params matching any segment", () => {
    expect(routeAllowed("/auth/login", ["/auth"])).toBe(true);
    expect(routeAllowed("/authx/login", ["/auth"])).toBe(false);
    expect(routeAllowed("/workspaces/:id/jobs", ["/workspaces/:workspaceId/jobs"])).toBe(true);
    expect(routeAllowed("/workspaces/:id/members", ["/workspaces/:workspaceId/jobs"])).toBe(false);
    expect(routeAllowed("/", ["/auth"])).toBe(false);
  });

  test("refuses a route spelt with dot segments, percent-encoding or a backslash: not the path the router routes", () => {
    expect(routeAllowed("/auth/../workspaces", ["/auth"])).toBe(false);
    expect(routeAllowed("/auth/./x", ["/auth"])).toBe(false);
    expect(routeAllowed("/auth/%2e%2e/workspaces", ["/auth"])).toBe(false);
    expect(routeAllowed("/auth\\x", ["/auth"])).toBe(false);
    expect(routeAllowed("/auth/.well-known", ["/auth"])).toBe(true);
  });

  test("merging grants keeps each value once", () => {
    expect(mergeGrants({ net: ["a"] }, { net: ["a", "b"], env: ["X"] }, undefined)).toEqual({
      net: ["a", "b"],
      env: ["X"],
      routes: [],
    });
  });
});
