// plugins.oidc in tessera.jsonc: the providers (one inline, or several under `providers`), this
// client at each, and the knobs a strict relying party needs.
import { type Static, t } from "elysia";

const Url = (description: string) => t.String({ pattern: "^https?://[^\\s]+$", description });

const LinkByEmail = (fallback: "verified" | "never") =>
  t.Union([t.Literal("verified"), t.Literal("never")], {
    default: fallback,
    description:
      'Whether a first sign-in through this provider may join an existing user with the same email: "verified" when the provider marks the email verified (trust the provider with that), "never" to refuse (409) instead.',
  });

const GROUPS_CLAIM = "The claim (in the ID token or userinfo) that lists the user's groups at this provider.";
const ADMIN_GROUPS =
  "Members of any of these groups (exact names) are instance administrators, checked at every sign-in; only this provider's groups count.";
const GROUP_ROLES =
  "Workspace roles by group, kept in step at every sign-in: granted while the user is in the group, taken back when not (the highest role wins; memberships given by hand are left alone).";

const GroupRoleSchema = t.Object({
  group: t.String({ minLength: 1 }),
  workspace: t.String({ minLength: 1, description: "The workspace id." }),
  role: t.Union([t.Literal("admin"), t.Literal("member"), t.Literal("viewer")]),
});

// What each provider has of its own; shared by the inline form and every entry of `providers`.
const providerFields = {
  issuer: Url(
    "The provider's issuer, exactly as its discovery document spells it (Authentik's ends in a slash: https://auth.example.com/application/o/tessera/).",
  ),
  clientId: t.String({ minLength: 1 }),
  clientSecret: t.Optional(
    t.String({
      minLength: 1,
      description:
        "Leave out for a public client (PKCE alone); set it from the environment (OIDC_CLIENT_SECRET, say) to keep it out of the file.",
    }),
  ),
  tokenEndpointAuthMethod: t.Optional(
    t.Union([t.Literal("client_secret_basic"), t.Literal("client_secret_post")], {
      description: "How the secret reaches the token endpoint; by default the first of these the provider advertises.",
    }),
  ),
  scopes: t.Array(t.String({ minLength: 1, pattern: "^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$" }), {
    default: ["openid", "email", "profile"],
    description: "Must include openid.",
  }),
  audience: t.Optional(
    t.String({
      minLength: 1,
      description: "Accept the provider's JWT access tokens as bearer tokens when their aud contains this value.",
    }),
  ),
  requireAccessTokenType: t.Boolean({
    default: false,
    description: 'Require RFC 9068 access tokens (header typ "at+jwt"); otherwise they are accepted alongside "JWT".',
  }),
  introspection: t.Boolean({
    default: false,
    description: "Check opaque (non-JWT) access tokens at the provider's introspection endpoint (RFC 7662).",
  }),
  groupsClaim: t.String({ minLength: 1, default: "groups", description: GROUPS_CLAIM }),
  adminGroups: t.Array(t.String({ minLength: 1 }), { default: [], maxItems: 64, description: ADMIN_GROUPS }),
  groupRoles: t.Array(GroupRoleSchema, { default: [], maxItems: 256, description: GROUP_ROLES }),
};

export const ProviderEntrySchema = t.Object({
  id: t.String({
    pattern: "^[a-z0-9][a-z0-9-]{0,31}$",
    description: "Names the provider in /auth/login/<id>; lower-case letters, digits and dashes.",
  }),
  name: t.Optional(t.String({ minLength: 1, maxLength: 64, description: "Shown on the sign-in button; defaults to the id." })),
  ...providerFields,
  linkByEmail: LinkByEmail("never"),
});

export const OidcConfigSchema = t.Object({
  issuer: t.Optional(providerFields.issuer),
  clientId: t.Optional(providerFields.clientId),
  clientSecret: providerFields.clientSecret,
  tokenEndpointAuthMethod: providerFields.tokenEndpointAuthMethod,
  scopes: t.Optional(providerFields.scopes),
  audience: providerFields.audience,
  requireAccessTokenType: t.Optional(providerFields.requireAccessTokenType),
  introspection: t.Optional(providerFields.introspection),
  // No defaults inline: a value here next to `providers` must show as set, to be refused.
  groupsClaim: t.Optional(t.String({ minLength: 1, description: GROUPS_CLAIM })),
  adminGroups: t.Optional(t.Array(t.String({ minLength: 1 }), { maxItems: 64, description: ADMIN_GROUPS })),
  groupRoles: t.Optional(t.Array(GroupRoleSchema, { maxItems: 256, description: GROUP_ROLES })),
  linkByEmail: t.Optional(LinkByEmail("verified")),
  providers: t.Optional(
    t.Array(ProviderEntrySchema, {
      minItems: 1,
      maxItems: 16,
      description: "Several providers, instead of issuer/clientId/… inline; the first is the one /auth/login uses.",
    }),
  ),
  redirectUri: t.Optional(
    Url("Defaults to <server.publicUrl>/auth/callback; register exactly this at every provider (one callback serves them all)."),
  ),
  postLogoutRedirectUri: t.Optional(Url("Where the provider sends the browser after sign-out; defaults to <server.publicUrl>/.")),
  sessionTtl: t.String({
    pattern: "^[1-9]\\d*(ms|s|m|h|d)$",
    default: "12h",
    description: "How long a sign-in lasts, e.g. 8h or 7d.",
  }),
  cookieSecret: t.Optional(
    t.String({
      minLength: 32,
      description:
        "Seals the sign-in cookie; at least 32 characters. Without it a key is generated once and kept in the database.",
    }),
  ),
  clockToleranceSeconds: t.Integer({
    minimum: 0,
    maximum: 300,
    default: 30,
    description: "Allowed clock skew with the provider.",
  }),
  jwks: t.Object(
    {
      cooldownMs: t.Integer({
        minimum: 0,
        default: 30_000,
        description: "Least time between refetches the provider's keys on an unknown kid.",
      }),
      cacheMaxAgeMs: t.Integer({ minimum: 1000, default: 600_000, description: "Provider keys are refetched after this long." }),
    },
    { default: {} },
  ),
  accessTokenCacheMs: t.Integer({
    minimum: 0,
    maximum: 300_000,
    default: 10_000,
    description:
      "How long a verified JWT access token is answered from memory (never past its exp; 0: verify every request). A key the provider withdraws stops working within this long.",
  }),
  loginsPerMinute: t.Integer({
    minimum: 1,
    default: 60,
    description: "Sign-ins (GET /auth/login) one client address may start per minute (429 past it).",
  }),
  discoveryRefreshMs: t.Integer({
    minimum: 60_000,
    default: 3_600_000,
    description: "How often the discovery document is refetched.",
  }),
});

export type OidcConfig = Static<typeof OidcConfigSchema>;
export type ProviderEntry = Static<typeof ProviderEntrySchema>;
export type GroupRole = Static<typeof GroupRoleSchema>;
