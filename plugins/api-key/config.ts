// The api-key plugin's section of tessera.jsonc. Keys are stored as SHA-256 hashes only; the
// checks a schema can't express (duplicates, coverage of protected prefixes) run in check-config.ts.
import { type Static, t } from "elysia";

export const KEY_NAME_PATTERN = "^[A-Za-z0-9][\\w.-]{0,63}$";
export const SCOPE_PATTERN = "^[\\w.:-]{1,64}$";
export const HASH_PATTERN = "^sha256:[0-9a-f]{64}$";
// A date, or a date and time with an explicit offset: a bare local time would move with the server's zone.
const NOT_AFTER_PATTERN = "^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,3})?)?(Z|[+-]\\d{2}:\\d{2}))?$";

const KeySchema = t.Object({
  name: t.String({ pattern: KEY_NAME_PATTERN, description: "Shown in metrics and errors; never secret." }),
  hash: t.String({ pattern: HASH_PATTERN, description: "sha256:<64 lower-case hex> of the key, from `tessera keys create`." }),
  scopes: t.Array(t.String({ pattern: SCOPE_PATTERN }), { default: [] }),
  workspaces: t.Optional(
    t.Array(t.String({ pattern: "^[\\w-]{1,64}$" }), {
      minItems: 1,
      description: "Workspace ids the key may act in; left out, the key reaches every workspace.",
    }),
  ),
  notAfter: t.Optional(
    t.String({
      pattern: NOT_AFTER_PATTERN,
      description: "The key stops working after this instant (ISO 8601), e.g. the end of a rotation overlap.",
    }),
  ),
});

export const ApiKeyConfigSchema = t.Object({
  keys: t.Array(KeySchema, { default: [] }),
  protect: t.Record(t.String(), t.String({ pattern: SCOPE_PATTERN }), {
    default: {},
    description: 'Route prefixes and the scope a key needs to reach them, e.g. { "/coordinator": "coordinator" }.',
  }),
  rateLimit: t.Object(
    {
      limit: t.Integer({ minimum: 1, default: 1200 }),
      windowMs: t.Integer({ minimum: 1, default: 60_000 }),
      burst: t.Optional(t.Integer({ minimum: 1 })),
    },
    { default: {}, description: "Requests allowed per key." },
  ),
});

export type ApiKeyConfig = Static<typeof ApiKeyConfigSchema>;
export type KeyConfig = ApiKeyConfig["keys"][number];
