// plugins.oidc in its two forms: one provider inline (as before), or several under `providers`.
import { describe, expect, test } from "bun:test";
import { validateSection } from "../../../core/config/validate";
import { OidcConfigSchema } from "../../../plugins/oidc/config";
import { resolveSettings } from "../../../plugins/oidc/settings";

const instance = {
  publicUrl: "https://tessera.example.com",
  allowedOrigins: [],
  trustProxy: false,
  admins: [],
  baseDir: ".",
  instanceId: "test",
};

const settingsOf = (config: Record<string, unknown>) =>
  resolveSettings(validateSection(OidcConfigSchema, config, { basePath: ["plugins", "oidc"] }), instance);

const entry = (id: string, issuer: string) => ({ id, issuer, clientId: `client-${id}` });

describe("plugins.oidc settings", () => {
  test("the inline form is one provider with the id default, linking on a verified email as before", () => {
    const { providers } = settingsOf({ issuer: "https://a.example.com", clientId: "tessera" });
    expect(providers).toHaveLength(1);
    expect(providers[0]).toMatchObject({
      id: "default",
      issuer: "https://a.example.com",
      scopes: ["openid", "email", "profile"],
      linkByEmail: "verified",
      redirectUri: "https://tessera.example.com/auth/callback",
    });
  });

  test("the inline form can refuse linking by email", () => {
    const { providers } = settingsOf({ issuer: "https://a.example.com", clientId: "tessera", linkByEmail: "never" });
    expect(providers[0]?.linkByEmail).toBe("never");
  });

  test("providers never link by email unless told to, and share one callback", () => {
    const { providers } = settingsOf({
      providers: [entry("staff", "https://a.example.com"), { ...entry("partner", "https://b.example.com"), name: "Partner" }],
    });
    expect(providers.map((p) => [p.id, p.name, p.linkByEmail, p.redirectUri])).toEqual([
      ["staff", "staff", "never", "https://tessera.example.com/auth/callback"],
      ["partner", "Partner", "never", "https://tessera.example.com/auth/callback"],
    ]);
  });

  test("refuses admin groups set next to providers, where no provider would own them", () => {
    expect(() => settingsOf({ adminGroups: ["admins"], providers: [entry("b", "https://b.example.com")] })).toThrow(
      expect.objectContaining({ code: "ERR_CONFIG_INVALID", path: "plugins.oidc.adminGroups" }),
    );
  });

  test("a provider's key next to providers is refused, naming it", () => {
    expect(() => settingsOf({ issuer: "https://a.example.com", providers: [entry("b", "https://b.example.com")] })).toThrow(
      expect.objectContaining({ code: "ERR_CONFIG_INVALID", path: "plugins.oidc.issuer" }),
    );
  });

  test("neither form is refused", () => {
    expect(() => settingsOf({})).toThrow(expect.objectContaining({ code: "ERR_CONFIG_INVALID", path: "plugins.oidc" }));
  });

  test("two providers with one id, or one issuer, are refused", () => {
    expect(() => settingsOf({ providers: [entry("a", "https://a.example.com"), entry("a", "https://b.example.com")] })).toThrow(
      expect.objectContaining({ path: "plugins.oidc.providers[1].id" }),
    );
    expect(() => settingsOf({ providers: [entry("a", "https://a.example.com"), entry("b", "https://a.example.com")] })).toThrow(
      expect.objectContaining({ path: "plugins.oidc.providers[1].issuer" }),
    );
  });

  test("an unknown key in a provider entry is refused", () => {
    expect(() => settingsOf({ providers: [{ ...entry("a", "https://a.example.com"), isuser: "x" }] })).toThrow(
      expect.objectContaining({ code: "ERR_CONFIG_INVALID" }),
    );
  });

  test("a provider whose scopes lack openid is refused", () => {
    expect(() => settingsOf({ providers: [{ ...entry("a", "https://a.example.com"), scopes: ["email"] }] })).toThrow(
      expect.objectContaining({ path: "plugins.oidc.providers[0].scopes" }),
    );
  });
});
