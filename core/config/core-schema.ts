// The core's part of tessera.jsonc. Plugin sections are only checked for `enabled`, `permissions`,
// `isolation` and `memoryMb` here; the rest of each is checked against the plugin's own schema once it loads.
import { type Static, Type } from "@sinclair/typebox";

export const PluginPermissionsSchema = Type.Object({
  net: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: "Outbound hosts the plugin may fetch." })),
  env: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: "Environment variables the plugin may read." })),
  routes: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: "Route prefixes the plugin may mount." })),
});

/** The keys the core owns in every plugin section. */
export const pluginEntryProperties = {
  enabled: Type.Boolean({ description: "Nothing runs unless enabled; a disabled plugin is not even imported." }),
  permissions: Type.Optional(PluginPermissionsSchema),
  isolation: Type.Optional(
    Type.Union([Type.Literal("process"), Type.Literal("none")], {
      description:
        "process: its own Deno process with exactly its permissions (the default for plugins by path or package); none: inside the server, with the server's rights (the built-ins' only mode).",
    }),
  ),
  memoryMb: Type.Optional(
    Type.Integer({
      minimum: 16,
      maximum: 65536,
      description: "With isolation process: the child's heap limit in MiB (default 256).",
    }),
  ),
};

export const PluginEntrySchema = Type.Object(pluginEntryProperties, { additionalProperties: true });

const ServerSchema = Type.Object(
  {
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
    hostname: Type.String({ minLength: 1, default: "127.0.0.1" }),
    publicUrl: Type.Optional(Type.String({ pattern: "^https?://[^\\s/]+", description: "Defaults to http://localhost:<port>." })),
    trustProxy: Type.Union(
      [
        Type.Boolean(),
        Type.Object({ hops: Type.Integer({ minimum: 1, maximum: 32 }) }),
        Type.Object({ proxies: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 1000 }) }),
      ],
      {
        default: false,
        description:
          "Take the client's address from X-Forwarded-For: true trusts the one proxy in front, { hops: N } that many, { proxies: [IPs or CIDRs] } only hops from those addresses.",
      },
    ),
    allowedOrigins: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), { description: "Defaults to the origin of publicUrl." }),
    ),
    bodyLimit: Type.Integer({ minimum: 1, default: 1048576, description: "Largest request body, in bytes." }),
    maxJsonDepth: Type.Integer({
      minimum: 1,
      maximum: 1000,
      default: 64,
      description: "How deeply a JSON request body may nest arrays and objects; deeper is a 400 before validation.",
    }),
    shutdownTimeoutMs: Type.Integer({
      minimum: 0,
      default: 10000,
      description: "On SIGTERM, how long requests already accepted get to finish before their connections are cut.",
    }),
    requestTimeoutMs: Type.Integer({
      minimum: 0,
      default: 30000,
      description:
        "Longest a request may take to its response headers, whatever it waits on; then a 503 ERR_REQUEST_TIMEOUT with Retry-After. 0: no deadline.",
    }),
    instanceId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description:
          "Names this instance among those sharing the database; it must stay the same across restarts and differ between instances. Defaults to <host name>:<port>.",
      }),
    ),
  },
  { default: {} },
);

export const CoreConfigSchema = Type.Object({
  $schema: Type.Optional(Type.String()),
  server: ServerSchema,
  database: Type.Object(
    {
      url: Type.String({
        pattern: "^(sqlite:|postgres(ql)?://)",
        default: "sqlite:./data/tessera.db",
        description: "sqlite:<path> or postgres://…",
      }),
      connectTimeoutMs: Type.Integer({
        minimum: 100,
        default: 3000,
        description: "PostgreSQL: longest wait to open a connection (TLS and authentication included).",
      }),
      statementTimeoutMs: Type.Integer({
        minimum: 100,
        default: 3000,
        description:
          "PostgreSQL, and an isolated plugin's own SQLite database: longest wait for a statement's answer, a free connection included, measured by Tessera (it holds when packets don't pass); then a 503 ERR_DB_UNREACHABLE with Retry-After.",
      }),
    },
    { default: {} },
  ),
  redis: Type.Optional(
    Type.Object({
      url: Type.String({
        pattern: "^rediss?://",
        description: "Events, rate limits and single-use state shared by every instance on it.",
      }),
      prefix: Type.String({
        minLength: 1,
        default: "tessera:",
        description:
          "Prefix of every key and channel, so deployments can share one Redis; instances of one deployment must agree.",
      }),
    }),
  ),
  metrics: Type.Object(
    {
      token: Type.Optional(
        Type.String({
          pattern: "^(|.{16,})$",
          description:
            "Bearer token for /metrics and the detailed /readyz (at least 16 characters; empty: none), typically from the environment. Without it or listen, /metrics is not served and /readyz gives its status only.",
        }),
      ),
      listen: Type.Optional(
        Type.String({
          pattern: "^(\\[[0-9A-Fa-f:.]+\\]|[^:\\s\\[\\]]+):\\d{1,5}$",
          description:
            "host:port of a separate listener for /metrics and the detailed /readyz (e.g. 127.0.0.1:9464); they then leave the public listener. The token, when set, is required there too.",
        }),
      ),
    },
    { default: {}, description: "Who may read /metrics and the detailed /readyz." },
  ),
  admins: Type.Array(
    Type.Union([
      Type.String({ minLength: 1, description: "A verified email." }),
      Type.Object(
        { issuer: Type.String({ minLength: 1 }), sub: Type.String({ minLength: 1 }) },
        { description: "An identity at a provider: its issuer and the subject (sub) it gives the user." },
      ),
    ]),
    { default: [], description: "Instance administrators: by verified email, or by identity at a provider." },
  ),
  sessionCache: Type.Object(
    {
      ttlMs: Type.Integer({
        minimum: 0,
        maximum: 300000,
        default: 10000,
        description:
          "How long a session token, once looked up, is answered from memory (0: never). Revocations and user changes reach the cache at once, on other instances through redis.",
      }),
      maxEntries: Type.Integer({ minimum: 1, default: 10000, description: "Sessions kept in memory at most." }),
    },
    { default: {} },
  ),
  log: Type.Object(
    {
      level: Type.Union([Type.Literal("debug"), Type.Literal("info"), Type.Literal("warn"), Type.Literal("error")], {
        default: "info",
        description: "Least severe level written; --log-level and TESSERA_LOG_LEVEL override it. Reloaded on SIGHUP.",
      }),
      access: Type.Boolean({
        default: false,
        description:
          "One JSON line per request (id, principal kind, method, path without query, status, duration), whatever the level. Reloaded on SIGHUP.",
      }),
    },
    { default: {}, description: "Logs: JSON lines on stdout." },
  ),
  isolation: Type.Object(
    {
      deno: Type.Optional(
        Type.String({
          minLength: 1,
          description:
            "The deno binary isolated plugins run on; by default node_modules/.bin/deno of this install, then deno on PATH.",
        }),
      ),
    },
    { default: {}, description: "How plugins with isolation process are run." },
  ),
  plugins: Type.Record(Type.String({ minLength: 1 }), PluginEntrySchema, {
    default: {},
    description: "Plugins by specifier: a built-in name, a relative path or a package name.",
  }),
});

/** The core config as validated, before loadConfig fills in the server defaults that depend on others. */
export type CoreConfigInput = Static<typeof CoreConfigSchema>;
export type PluginEntry = Static<typeof PluginEntrySchema>;

/** The validated core config; publicUrl and allowedOrigins are always filled in by loadConfig. */
export type CoreConfig = Omit<CoreConfigInput, "server"> & {
  // instanceId's default needs the port `serve` listens on, which may come from the command line.
  server: Required<Omit<CoreConfigInput["server"], "instanceId">> & Pick<CoreConfigInput["server"], "instanceId">;
};
